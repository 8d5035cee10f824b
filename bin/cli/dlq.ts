/**
 * `happ-webhooks dlq <queue-or-stack>`: how many messages a subscriber's dead-letter queue holds,
 * and a look at them WITHOUT consuming them: messages are received with a short visibility timeout
 * (so successive receives page through different messages) and immediately made visible again with
 * ChangeMessageVisibility 0. If the command dies half-way they reappear on their own after
 * PEEK_VISIBILITY_SECONDS. Like any receive, a peek adds one to each message's receive count.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { describeAwsError } from './errors';
import { printJson, startProgress, type Io } from './io';
import { awsFlags, commandLine, followUpEnv } from './pasteable';
import { resolveQueues, sqsClientFor, type QueueInfo, type QueueLookupOptions } from './queues';

export interface DlqOptions extends QueueLookupOptions {
  readonly max?: number;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** How long peeked messages stay hidden if the command cannot put them back. */
export const PEEK_VISIBILITY_SECONDS = 30;

export interface MessageSummary {
  readonly messageId: string;
  readonly receiveCount?: number;
  readonly sentAt?: string;
  /** The queue it was dead-lettered from, when SQS says (absent for failed SNS deliveries). */
  readonly deadLetterSourceArn?: string;
  readonly attributes: Record<string, string>;
  /** Parsed from the Happ envelope when the body is one. */
  readonly envelope?: {
    readonly id?: string;
    readonly source?: string;
    readonly type?: string;
    readonly receivedAt?: string;
    readonly idempotencyKey?: string;
    readonly claimCheck?: { bucket: string; key: string; size: number };
  };
  readonly preview: string;
  readonly body: string;
}

export async function dlq(ref: string, options: DlqOptions, io: Io): Promise<number> {
  const max = options.max ?? 10;
  const sqs = sqsClientFor(ref, options, io);
  const progress = startProgress(io, `looking up ${ref}`, options);
  try {
    const queues = await resolveQueues(ref, options, io, sqs);
    if (queues.length > 1) {
      progress.stop();
      return printOverview(ref, queues, options, io);
    }
    const queue = queues[0]!;
    const counts = countsOf(queue);
    const isSource = queue.attributes.RedrivePolicy !== undefined;
    let messages: MessageSummary[] = [];
    let skipped: string | undefined;
    if (isSource && !options.force) {
      skipped = `${queue.name} has its own dead-letter queue (RedrivePolicy): peeking counts as a receive and could push messages into it. Use --force to peek anyway`;
    } else if (counts.visible > 0) {
      progress.update(`peeking at ${queue.name}`);
      messages = await peek(sqsClientFor(queue.url, options, io), queue.url, Math.min(max, counts.visible));
    }
    progress.stop();
    if (options.json) {
      printJson(io, {
        queue: { url: queue.url, arn: queue.arn, name: queue.name, label: queue.label },
        approximateMessages: counts.visible,
        inFlight: counts.inFlight,
        delayed: counts.delayed,
        peeked: messages.length,
        skippedPeek: skipped,
        messages,
      });
      return 0;
    }
    printQueue(queue, counts, messages, skipped, ref, options, io);
    return 0;
  } catch (error) {
    progress.stop();
    throw error;
  } finally {
    sqs.destroy();
  }
}

function countsOf(queue: QueueInfo): { visible: number; inFlight: number; delayed: number } {
  return {
    visible: Number(queue.attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(queue.attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(queue.attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/**
 * Receives up to `max` distinct messages and makes every one visible again before returning.
 * Pass the queue's approximate count as `max` when it is smaller, to skip a final empty long poll.
 */
export async function peek(sqs: SQSClient, url: string, max: number): Promise<MessageSummary[]> {
  const { ReceiveMessageCommand, ChangeMessageVisibilityBatchCommand } =
    require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  const received = new Map<string, Message>();
  const handles: string[] = [];
  try {
    while (received.size < max) {
      const res = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: Math.min(10, max - received.size),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const batch = res.Messages ?? [];
      if (batch.length === 0) break;
      let fresh = 0;
      for (const m of batch) {
        if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
        if (m.MessageId && !received.has(m.MessageId)) {
          received.set(m.MessageId, m);
          fresh++;
        }
      }
      if (fresh === 0) break;
    }
  } catch (error) {
    throw describeAwsError(error, `receiving from ${url}`);
  } finally {
    // Put everything back, even when a receive failed half-way.
    for (let i = 0; i < handles.length; i += 10) {
      const entries = handles
        .slice(i, i + 10)
        .map((h, j) => ({ Id: String(j), ReceiptHandle: h, VisibilityTimeout: 0 }));
      try {
        await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
      } catch {
        // They become visible on their own after PEEK_VISIBILITY_SECONDS.
      }
    }
  }
  return [...received.values()].slice(0, max).map(summarise);
}

export function summarise(message: Message): MessageSummary {
  const body = message.Body ?? '';
  const system = message.Attributes ?? {};
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[k] = v.StringValue ?? (v.BinaryValue ? `<${v.BinaryValue.length} bytes>` : '');
  }
  let parsed: Record<string, unknown> | undefined;
  try {
    const json = JSON.parse(body) as unknown;
    if (json && typeof json === 'object') parsed = json as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  // A failed SNS delivery without raw delivery arrives wrapped in an SNS notification.
  if (parsed?.Type === 'Notification' && typeof parsed.Message === 'string') {
    try {
      parsed = JSON.parse(parsed.Message) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
  }
  let envelope: MessageSummary['envelope'];
  let previewSource: unknown = body;
  if (parsed && typeof parsed.idempotencyKey === 'string' && typeof parsed.source === 'string') {
    const location = parsed.payloadLocation as { bucket: string; key: string; size: number } | undefined;
    envelope = {
      id: parsed.id as string | undefined,
      source: parsed.source,
      type: parsed.type as string | undefined,
      receivedAt: parsed.receivedAt as string | undefined,
      idempotencyKey: parsed.idempotencyKey,
      ...(location
        ? { claimCheck: { bucket: location.bucket, key: location.key, size: location.size } }
        : {}),
    };
    previewSource = location
      ? `(claim-checked: s3://${location.bucket}/${location.key}, ${location.size} bytes)`
      : parsed.payload;
  }
  const text = typeof previewSource === 'string' ? previewSource : JSON.stringify(previewSource);
  return {
    messageId: message.MessageId ?? '',
    receiveCount: system.ApproximateReceiveCount ? Number(system.ApproximateReceiveCount) : undefined,
    sentAt: system.SentTimestamp ? new Date(Number(system.SentTimestamp)).toISOString() : undefined,
    deadLetterSourceArn: system.DeadLetterQueueSourceArn,
    attributes,
    envelope,
    preview: text.length > 160 ? `${text.slice(0, 159)}…` : text,
    body,
  };
}

/** The redrive line, runnable as printed: same queue, subscriber, region, profile and (local) endpoint. */
export function redriveCommand(ref: string, options: DlqOptions, env: NodeJS.ProcessEnv): string {
  return commandLine(
    [
      'redrive',
      ref,
      ...(options.subscriber ? ['--subscriber', options.subscriber] : []),
      ...awsFlags(options),
    ],
    { env: followUpEnv(env, 'AWS_ENDPOINT_URL_SQS') },
  );
}

function ago(iso: string | undefined): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  const text =
    s < 120
      ? `${s} s`
      : s < 7200
        ? `${Math.round(s / 60)} min`
        : s < 172800
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86400)} d`;
  return `${iso} (${text} ago)`;
}

function printQueue(
  queue: QueueInfo,
  counts: { visible: number; inFlight: number; delayed: number },
  messages: MessageSummary[],
  skipped: string | undefined,
  ref: string,
  options: DlqOptions,
  io: Io,
): void {
  const pc = io.colors;
  io.out(`${pc.bold(queue.name)}  ${pc.dim(queue.url)}\n`);
  const n = counts.visible;
  const headline = `${n} message${n === 1 ? '' : 's'} waiting`;
  io.out(
    `  ${n > 0 ? pc.yellow(headline) : pc.green(headline)} · ${counts.inFlight} in flight · ${counts.delayed} delayed\n`,
  );
  if (skipped) {
    io.err(`${pc.yellow(`not peeking: ${skipped}`)}\n`);
    return;
  }
  messages.forEach((m, i) => {
    io.out(
      `\n${String(i + 1).padStart(3)}  ${pc.bold(m.messageId)}  received ${m.receiveCount ?? '?'}×  sent ${ago(m.sentAt)}\n`,
    );
    if (m.envelope) {
      const claim = m.envelope.claimCheck ? '  claim-checked' : '';
      io.out(
        `     ${pc.cyan(m.envelope.type ?? '?')} (${m.envelope.source})  id ${m.envelope.id ?? '?'}  accepted ${m.envelope.receivedAt ?? '?'}${claim}\n`,
      );
    }
    if (m.deadLetterSourceArn) io.out(`     from ${m.deadLetterSourceArn}\n`);
    const attrs = Object.entries(m.attributes)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    if (attrs) io.out(`     attributes ${attrs}\n`);
    io.out(`     ${pc.dim(m.preview)}\n`);
  });
  if (messages.length > 0) {
    io.out(`\n${pc.dim(`Peeked at ${messages.length} of ~${n} without consuming them.`)}\n`);
    if (messages.some((m) => m.deadLetterSourceArn || (m.receiveCount ?? 0) > 1)) {
      io.out(
        `${pc.dim(
          "Receive counts include the subscriber queue's: SQS keeps a message's count when it dead-letters it (its attempts + the receive that moved it), and each peek adds one.",
        )}\n`,
      );
    }
    io.out(
      `${pc.dim(`Move them back to the subscriber's queue: ${redriveCommand(ref, options, io.env)}`)}\n`,
    );
  }
}

function printOverview(ref: string, queues: QueueInfo[], options: DlqOptions, io: Io): number {
  const rows = queues.map((q) => ({ label: q.label ?? q.name, url: q.url, arn: q.arn, ...countsOf(q) }));
  if (options.json) {
    printJson(io, {
      stack: ref,
      queues: rows.map((r) => ({
        label: r.label,
        url: r.url,
        arn: r.arn,
        approximateMessages: r.visible,
        inFlight: r.inFlight,
      })),
    });
    return 0;
  }
  const pc = io.colors;
  io.out(`${pc.bold(ref)}: ${queues.length} dead-letter queues\n`);
  const width = Math.max(...rows.map((r) => r.label.length));
  for (const r of rows) {
    const count = `${r.visible} waiting`;
    io.out(
      `  ${r.label.padEnd(width)}  ${r.visible > 0 ? pc.yellow(count) : pc.green(count)}  ${pc.dim(r.url)}\n`,
    );
  }
  io.out(`${pc.dim('Peek at one with --subscriber NAME (or pass its queue URL).')}\n`);
  return 0;
}
