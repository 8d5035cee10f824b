/**
 * `happ-webhooks redrive <dlq>`: moves a DLQ's messages back to the subscriber's queue with SQS's
 * native message move task (StartMessageMoveTask), optionally rate-limited, and follows its
 * progress (ListMessageMoveTasks) until it completes or fails.
 *
 * The destination is always passed explicitly: a subscriber's DLQ also receives deliveries its SNS
 * subscription failed to make, and for those SQS cannot infer a source queue (they were never in
 * one). It is `--to`, or else the one queue whose redrive policy targets this DLQ
 * (ListDeadLetterSourceQueues).
 */
import type { ListMessageMoveTasksResultEntry, SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, describeAwsError } from './errors';
import { printJson, startProgress, type Io } from './io';
import { isUnsupportedOperation, moveMessages } from './redrive-manual';
import {
  describeQueue,
  resolveQueues,
  sqsClientFor,
  type QueueInfo,
  type QueueLookupOptions,
} from './queues';

export interface RedriveOptions extends QueueLookupOptions {
  readonly to?: string;
  readonly rate?: number;
  readonly dryRun?: boolean;
  readonly wait?: boolean;
  readonly pollInterval?: number;
  readonly json?: boolean;
  /** Move the messages from this process (receive, send, delete) instead of an SQS move task. */
  readonly manual?: boolean;
}

const DONE = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export async function redrive(ref: string, options: RedriveOptions, io: Io): Promise<number> {
  const sqs = sqsClientFor(ref, options, io);
  const progress = startProgress(io, `looking up ${ref}`, options);
  try {
    const queues = await resolveQueues(ref, options, io, sqs);
    if (queues.length > 1) {
      throw new CliError(
        `${ref} has ${queues.length} dead-letter queues (${queues.map((q) => q.label ?? q.name).join(', ')}): pick one with --subscriber NAME`,
      );
    }
    const dlq = queues[0]!;
    const client = sqsClientFor(dlq.url, options, io);
    progress.update(`finding where ${dlq.name}'s messages go`);
    const destination = await findDestination(client, dlq, options, io);
    const count = Number(dlq.attributes.ApproximateNumberOfMessages ?? 0);
    // Move tasks are SQS's own redrive; an endpoint without them (a local emulator) gets the
    // manual mover, and says so.
    let manual = Boolean(options.manual);
    let running: ListMessageMoveTasksResultEntry | undefined;
    if (!manual) {
      try {
        running = await runningTask(client, dlq);
      } catch (error) {
        if (!isUnsupportedOperation((error as Error).cause ?? error)) throw error;
        manual = true;
        if (!options.json) {
          io.err(
            io.colors.yellow(
              `this SQS endpoint has no message move tasks (StartMessageMoveTask): moving the messages from here instead (as --manual)\n`,
            ),
          );
        }
      }
    }
    progress.stop();
    if (running) {
      throw new CliError(
        `a move task is already running from ${dlq.name} (${running.ApproximateNumberOfMessagesMoved ?? 0}/${running.ApproximateNumberOfMessagesToMove ?? '?'} moved). ` +
          `Wait for it, or cancel it: aws sqs cancel-message-move-task --task-handle ${running.TaskHandle}`,
      );
    }
    const plan = {
      source: { url: dlq.url, arn: dlq.arn },
      destination: { url: destination.url, arn: destination.arn },
      approximateMessages: count,
      maxMessagesPerSecond: options.rate,
      method: manual ? 'manual' : 'move-task',
    };
    const rate = options.rate ? `at most ${options.rate}/s` : 'as fast as SQS allows';
    if (count === 0 || options.dryRun) {
      if (options.json) {
        printJson(io, {
          ...plan,
          dryRun: Boolean(options.dryRun),
          status: count === 0 ? 'NOTHING_TO_MOVE' : 'DRY_RUN',
        });
      } else if (count === 0) {
        io.out(`${io.colors.green(`${dlq.name} is empty: nothing to redrive`)}\n`);
      } else {
        io.out(
          `Would move ~${count} message${count === 1 ? '' : 's'} from ${dlq.name} to ${destination.name}, ${rate}.\n`,
        );
        io.out(
          `  from ${dlq.arn}\n  to   ${destination.arn}\n${io.colors.dim('Dry run: nothing was moved.')}\n`,
        );
      }
      return 0;
    }

    if (manual) return await redriveManually(client, dlq, destination, plan, count, rate, options, io);

    const { StartMessageMoveTaskCommand } =
      require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    let handle: string | undefined;
    try {
      handle = (
        await client.send(
          new StartMessageMoveTaskCommand({
            SourceArn: dlq.arn,
            DestinationArn: destination.arn,
            MaxNumberOfMessagesPerSecond: options.rate,
          }),
        )
      ).TaskHandle;
    } catch (error) {
      throw describeAwsError(error, `starting the move from ${dlq.name} to ${destination.name}`);
    }
    if (!options.json) {
      io.out(
        `Moving ~${count} message${count === 1 ? '' : 's'} from ${dlq.name} to ${destination.name}, ${rate}.\n`,
      );
      io.err(
        io.colors.dim(
          `Task ${handle}. Ctrl-C stops watching; the move continues in SQS (cancel: aws sqs cancel-message-move-task --task-handle ${handle})\n`,
        ),
      );
    }
    if (options.wait === false) {
      if (options.json) printJson(io, { ...plan, taskHandle: handle, status: 'RUNNING' });
      return 0;
    }
    const task = await follow(client, dlq, options, io);
    const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
    if (options.json) {
      printJson(io, {
        ...plan,
        taskHandle: handle,
        status: task.Status,
        moved,
        failureReason: task.FailureReason,
      });
    } else if (task.Status === 'COMPLETED') {
      io.out(
        `${io.colors.green('✔')} moved ${moved} message${moved === 1 ? '' : 's'} to ${destination.name}\n`,
      );
    }
    if (task.Status !== 'COMPLETED') {
      if (!options.json) {
        io.err(
          `${io.colors.red(`move task ${task.Status}`)} after ${moved} message(s): ${task.FailureReason ?? 'no reason given'}\n`,
        );
      }
      return 1;
    }
    return 0;
  } catch (error) {
    progress.stop();
    throw error;
  } finally {
    sqs.destroy();
  }
}

/** `--to`, else the single queue whose redrive policy points at this DLQ. */
async function findDestination(
  sqs: SQSClient,
  dlq: QueueInfo,
  options: RedriveOptions,
  io: Io,
): Promise<QueueInfo> {
  if (options.to) {
    const found = await resolveQueues(
      options.to,
      { ...options, subscriber: undefined },
      io,
      sqsClientFor(options.to, options, io),
    );
    if (found.length !== 1) throw new CliError(`--to ${options.to} must name one queue`);
    if (found[0]!.arn === dlq.arn) throw new CliError('--to is the dead-letter queue itself');
    return found[0]!;
  }
  const { ListDeadLetterSourceQueuesCommand } =
    require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  let urls: string[];
  try {
    urls = (await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }))).queueUrls ?? [];
  } catch (error) {
    if (isUnsupportedOperation(error)) {
      urls = await sourceQueuesByScan(sqs, dlq);
    } else {
      const e = describeAwsError(error, `finding the queue that uses ${dlq.name} as its dead-letter queue`);
      throw new CliError(`${e.message}. Name the destination with --to QUEUE`, 1, { cause: error });
    }
  }
  if (urls.length === 0) {
    throw new CliError(
      `no queue uses ${dlq.name} as its dead-letter queue; name the destination with --to QUEUE`,
    );
  }
  if (urls.length > 1) {
    throw new CliError(
      `${urls.length} queues use ${dlq.name} as their dead-letter queue (${urls.join(', ')}); pick one with --to QUEUE`,
    );
  }
  return describeQueue(sqs, urls[0]!);
}

/**
 * For endpoints without ListDeadLetterSourceQueues: every queue (ListQueues) whose redrive policy
 * names this DLQ.
 */
async function sourceQueuesByScan(sqs: SQSClient, dlq: QueueInfo): Promise<string[]> {
  const { ListQueuesCommand, GetQueueAttributesCommand } =
    require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  const found: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await sqs.send(new ListQueuesCommand({ NextToken: token, MaxResults: 1000 }));
      for (const url of page.QueueUrls ?? []) {
        if (url === dlq.url) continue;
        const attrs = (
          await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }))
        ).Attributes;
        const policy = attrs?.RedrivePolicy
          ? (JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn?: string })
          : {};
        if (policy.deadLetterTargetArn === dlq.arn) found.push(url);
      }
      token = page.NextToken;
    } while (token);
  } catch (error) {
    const e = describeAwsError(error, `finding the queue that uses ${dlq.name} as its dead-letter queue`);
    throw new CliError(`${e.message}. Name the destination with --to QUEUE`, 1, { cause: error });
  }
  return found;
}

async function redriveManually(
  sqs: SQSClient,
  dlq: QueueInfo,
  destination: QueueInfo,
  plan: Record<string, unknown>,
  count: number,
  rate: string,
  options: RedriveOptions,
  io: Io,
): Promise<number> {
  if (!options.json) {
    io.out(
      `Moving ~${count} message${count === 1 ? '' : 's'} from ${dlq.name} to ${destination.name}, ${rate}, from this process.\n`,
    );
    io.err(
      io.colors.dim(
        'Each message is deleted from the DLQ only once the destination has it: Ctrl-C stops, and running this again carries on.\n',
      ),
    );
  }
  const result = await moveMessages(sqs, dlq, destination, { rate: options.rate, json: options.json }, io);
  const status = result.failed.length === 0 ? 'COMPLETED' : 'FAILED';
  if (options.json) {
    printJson(io, { ...plan, status, moved: result.moved, failed: result.failed });
  } else {
    io.out(
      `${io.colors.green('✔')} moved ${result.moved} message${result.moved === 1 ? '' : 's'} to ${destination.name}\n`,
    );
    for (const f of result.failed) {
      io.err(`${io.colors.red('not moved')} ${f.messageId}: ${f.reason} (still in ${dlq.name})\n`);
    }
  }
  return result.failed.length === 0 ? 0 : 1;
}

async function latestTask(
  sqs: SQSClient,
  dlq: QueueInfo,
): Promise<ListMessageMoveTasksResultEntry | undefined> {
  const { ListMessageMoveTasksCommand } =
    require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  try {
    // Most recent first. SQS only returns TaskHandle for RUNNING tasks, so match on recency.
    return (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 1 })))
      .Results?.[0];
  } catch (error) {
    throw describeAwsError(error, `reading the move tasks of ${dlq.name}`);
  }
}

async function runningTask(
  sqs: SQSClient,
  dlq: QueueInfo,
): Promise<ListMessageMoveTasksResultEntry | undefined> {
  const task = await latestTask(sqs, dlq);
  return task?.Status === 'RUNNING' || task?.Status === 'CANCELLING' ? task : undefined;
}

/** Polls the move task until it is done, showing progress. */
async function follow(
  sqs: SQSClient,
  dlq: QueueInfo,
  options: RedriveOptions,
  io: Io,
): Promise<ListMessageMoveTasksResultEntry> {
  const interval = options.pollInterval ?? 2000;
  const progress = startProgress(io, 'moving…', options);
  try {
    for (;;) {
      const task = await latestTask(sqs, dlq);
      if (!task) throw new CliError(`the move task from ${dlq.name} disappeared`);
      const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
      const total = task.ApproximateNumberOfMessagesToMove;
      progress.update(`moved ${moved}${total !== undefined ? `/${total}` : ''} (${task.Status})`);
      if (task.Status && DONE.has(task.Status)) {
        progress.stop();
        return task;
      }
      await sleep(interval);
    }
  } catch (error) {
    progress.stop();
    throw error;
  }
}
