// Polls an SQS queue the way Lambda's event source mapping does (ReportBatchItemFailures on):
// receive up to `batchSize` messages, invoke the handler with an SQSEvent, delete the records it
// did not report as failed, leave the failed ones to reappear after the visibility timeout (and
// move to the DLQ after maxReceiveCount). When the invocation throws, nothing is deleted.
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../../bin/cli/dev/poller';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface PollerStats {
  invocations: number;
  /** Invocations that threw (every record of the batch returned). */
  failedInvocations: number;
  received: number;
  deleted: number;
  /** Records reported in batchItemFailures or returned by a thrown invocation. */
  failedRecords: number;
  /** Messages made visible again on purpose after they were handled (a forced redelivery). */
  forcedRedeliveries: number;
  /** How often each SQS message id was received. */
  receivesByMessageId: Map<string, number>;
  /** Every invocation: how many records it got and how many of them failed. */
  batches: { size: number; failed: number }[];
}

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  readonly batchSize: number;
  /**
   * Called for every record the handler succeeded on; return true to simulate a consumer that
   * handled the message but never deleted it: the message is made visible again at once
   * (ChangeMessageVisibility 0), so SQS delivers it a second time.
   */
  readonly redeliverAfterSuccess?: (record: SQSRecord) => boolean;
}

// The same record shape `happ-webhooks dev` feeds to handlers: one implementation, tested twice.
function toRecord(message: Message, queueArn: string): SQSRecord {
  return toSqsRecord(message, queueArn) as unknown as SQSRecord;
}

export function lambdaContext(functionName: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export class EventSourceMappingPoller {
  public readonly stats: PollerStats = {
    invocations: 0,
    failedInvocations: 0,
    received: 0,
    deleted: 0,
    failedRecords: 0,
    forcedRedeliveries: 0,
    receivesByMessageId: new Map(),
    batches: [],
  };

  constructor(private readonly options: PollerOptions) {}

  /** One receive + invoke + delete cycle; resolves to the number of messages received. */
  public async pollOnce(waitTimeSeconds = 0): Promise<number> {
    const { sqs, queueUrl, queueArn, handler, batchSize } = this.options;
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return 0;
    this.stats.received += messages.length;
    for (const m of messages) {
      this.stats.receivesByMessageId.set(
        m.MessageId!,
        (this.stats.receivesByMessageId.get(m.MessageId!) ?? 0) + 1,
      );
    }
    const records = messages.map((m) => toRecord(m, queueArn));
    this.stats.invocations++;
    let failed: Set<string>;
    try {
      const response = await handler({ Records: records }, lambdaContext('subscriber'));
      failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch {
      this.stats.failedInvocations++;
      failed = new Set(records.map((r) => r.messageId));
    }
    this.stats.failedRecords += failed.size;
    this.stats.batches.push({ size: records.length, failed: failed.size });
    for (const record of records) {
      if (failed.has(record.messageId)) continue; // reappears after the visibility timeout
      if (this.options.redeliverAfterSuccess?.(record)) {
        this.stats.forcedRedeliveries++;
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: 0,
          }),
        );
        continue;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
      this.stats.deleted++;
    }
    return messages.length;
  }

  /** Messages in the queue: visible + in flight (+ delayed). */
  public async depth(): Promise<number> {
    return queueDepth(this.options.sqs, this.options.queueUrl);
  }
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * Polls every queue until all are empty (nothing visible, nothing in flight), like a set of event
 * source mappings left running. `maxRounds` guards against a pipeline that never settles.
 */
export async function drain(pollers: EventSourceMappingPoller[], maxRounds = 200): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    const received = await Promise.all(pollers.map((p) => p.pollOnce(0)));
    if (received.every((n) => n === 0)) {
      const depths = await Promise.all(pollers.map((p) => p.depth()));
      if (depths.every((d) => d === 0)) return round;
      // Messages are in flight (waiting out a visibility timeout): wait a little, as a poller would.
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`queues did not drain within ${maxRounds} polling rounds`);
}
