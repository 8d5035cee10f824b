/**
 * fauxqs (the local SQS) lacks SQS's native DLQ redrive API: StartMessageMoveTask,
 * ListMessageMoveTasks and ListDeadLetterSourceQueues. This is a small HTTP proxy in front of it
 * that serves those three actions (AWS JSON 1.0, `x-amz-target: AmazonSQS.<Action>`, as SDK v3
 * speaks it) and forwards every other request to fauxqs unchanged. The move task really moves
 * messages between fauxqs queues (receive → send → delete), with SQS's documented behaviour where
 * the CLI depends on it:
 * - without DestinationArn, SQS sends each message back to the queue it was dead-lettered from and
 *   cannot move one that has no such source (a failed SNS delivery): the task FAILS. fauxqs never
 *   records a source, so a task without DestinationArn always fails here;
 * - ListMessageMoveTasks lists the most recent task first and returns TaskHandle only while RUNNING;
 * - one running task per source queue.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MoveTask {
  handle: string;
  sourceArn: string;
  destinationArn?: string;
  rate?: number;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  moved: number;
  toMove: number;
  startedAt: number;
  failureReason?: string;
}

export interface SqsMoveStub {
  readonly endpoint: string;
  readonly tasks: MoveTask[];
  /** Every x-amz-target the stub received, in order. */
  readonly actions: string[];
  /** Makes the next move task fail with this reason after moving nothing. */
  failNextTask(reason: string): void;
  close(): Promise<void>;
}

const SERVED = new Set(['StartMessageMoveTask', 'ListMessageMoveTasks', 'ListDeadLetterSourceQueues']);

export async function startSqsMoveStub(fauxqsEndpoint: string): Promise<SqsMoveStub> {
  const sqs = new SQSClient({ endpoint: fauxqsEndpoint });
  const tasks: MoveTask[] = [];
  const actions: string[] = [];
  const running = new Set<Promise<void>>();
  let nextFailure: string | undefined;

  const urlOfArn = async (arn: string): Promise<string | undefined> => {
    const [, , , , account, name] = arn.split(':');
    try {
      return (await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })))
        .QueueUrl;
    } catch {
      return undefined;
    }
  };
  const arnOfUrl = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn;

  async function sourcesOf(dlqArn: string): Promise<string[]> {
    const urls = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    const sources: string[] = [];
    for (const url of urls) {
      const attrs = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }))
      ).Attributes;
      if (attrs?.RedrivePolicy && JSON.parse(attrs.RedrivePolicy).deadLetterTargetArn === dlqArn)
        sources.push(url);
    }
    return sources;
  }

  async function move(
    task: MoveTask,
    sourceUrl: string,
    destinationUrl: string | undefined,
    failure: string | undefined,
  ): Promise<void> {
    await sleep(20);
    if (failure) {
      task.status = 'FAILED';
      task.failureReason = failure;
      return;
    }
    try {
      for (;;) {
        const batch = (
          await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: sourceUrl,
              MaxNumberOfMessages: Math.min(10, task.rate ?? 10),
              VisibilityTimeout: 30,
              MessageAttributeNames: ['All'],
              MessageSystemAttributeNames: ['All'],
            }),
          )
        ).Messages;
        if (!batch?.length) break;
        for (const message of batch) {
          const origin = message.Attributes?.DeadLetterQueueSourceArn;
          const target = destinationUrl ?? (origin ? await urlOfArn(origin) : undefined);
          if (!target) {
            task.status = 'FAILED';
            task.failureReason = `AWS.SimpleQueueService.MessageMoveTask: message ${message.MessageId} has no source queue to return to; specify DestinationArn`;
            return;
          }
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: target,
              MessageBody: message.Body!,
              MessageAttributes: message.MessageAttributes,
            }),
          );
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: sourceUrl, ReceiptHandle: message.ReceiptHandle! }),
          );
          task.moved++;
        }
        // Progress is observable between polls, as with the real service.
        await sleep(task.rate ? 1000 / task.rate : 20);
      }
      task.status = 'COMPLETED';
    } catch (error) {
      task.status = 'FAILED';
      task.failureReason = String(error);
    }
  }

  async function serve(action: string, input: Record<string, unknown>): Promise<[number, unknown]> {
    const error = (type: string, message: string): [number, unknown] => [
      400,
      { __type: `com.amazonaws.sqs#${type}`, message },
    ];
    if (action === 'ListDeadLetterSourceQueues') {
      const arn = await arnOfUrl(input.QueueUrl as string).catch(() => undefined);
      if (!arn) return error('QueueDoesNotExist', 'The specified queue does not exist.');
      return [200, { queueUrls: await sourcesOf(arn) }];
    }
    if (action === 'ListMessageMoveTasks') {
      const mine = tasks
        .filter((t) => t.sourceArn === input.SourceArn)
        .sort((a, b) => b.startedAt - a.startedAt);
      const results = mine.slice(0, (input.MaxResults as number | undefined) ?? 1).map((t) => ({
        ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
        Status: t.status,
        SourceArn: t.sourceArn,
        DestinationArn: t.destinationArn,
        MaxNumberOfMessagesPerSecond: t.rate,
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        FailureReason: t.failureReason,
        StartedTimestamp: t.startedAt,
      }));
      return [200, { Results: results }];
    }
    // StartMessageMoveTask
    const sourceArn = input.SourceArn as string;
    const sourceUrl = await urlOfArn(sourceArn);
    if (!sourceUrl)
      return error(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
    if ((await sourcesOf(sourceArn)).length === 0) {
      return error('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
    }
    if (tasks.some((t) => t.sourceArn === sourceArn && t.status === 'RUNNING')) {
      return error(
        'UnsupportedOperation',
        'There is already a task running. Only one active task is allowed for each source queue arn at a given time.',
      );
    }
    const destinationArn = input.DestinationArn as string | undefined;
    const destinationUrl = destinationArn ? await urlOfArn(destinationArn) : undefined;
    if (destinationArn && !destinationUrl)
      return error('ResourceNotFoundException', 'Destination queue does not exist.');
    const attrs = (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: sourceUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      )
    ).Attributes;
    const task: MoveTask = {
      handle: Buffer.from(JSON.stringify({ id: randomUUID(), sourceArn })).toString('base64'),
      sourceArn,
      destinationArn,
      rate: input.MaxNumberOfMessagesPerSecond as number | undefined,
      status: 'RUNNING',
      moved: 0,
      toMove: Number(attrs?.ApproximateNumberOfMessages ?? 0),
      startedAt: Date.now(),
    };
    tasks.push(task);
    const failure = nextFailure;
    nextFailure = undefined;
    const p = move(task, sourceUrl, destinationUrl, failure).finally(() => running.delete(p));
    running.add(p);
    return [200, { TaskHandle: task.handle }];
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.replace(/^AmazonSQS\./, '');
      actions.push(action);
      void (async () => {
        try {
          if (SERVED.has(action)) {
            const [status, payload] = await serve(action, JSON.parse(body.toString() || '{}'));
            res.writeHead(status, {
              'content-type': 'application/x-amz-json-1.0',
              'x-amzn-requestid': randomUUID(),
            });
            res.end(JSON.stringify(payload));
            return;
          }
          const headers = Object.fromEntries(
            Object.entries(req.headers).filter(
              ([k]) => !['host', 'connection', 'content-length'].includes(k),
            ),
          ) as Record<string, string>;
          const upstream = await fetch(new URL(req.url ?? '/', fauxqsEndpoint), {
            method: req.method,
            headers,
            body: req.method === 'GET' ? undefined : body,
          });
          const out: Record<string, string> = {};
          upstream.headers.forEach((v, k) => {
            if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k))
              out[k] = v;
          });
          res.writeHead(upstream.status, out);
          res.end(Buffer.from(await upstream.arrayBuffer()));
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    tasks,
    actions,
    failNextTask: (reason) => {
      nextFailure = reason;
    },
    close: async () => {
      await Promise.allSettled([...running]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      sqs.destroy();
    },
  };
}
