/**
 * `redrive --manual`: moves a DLQ's messages to another queue from this process, for SQS endpoints
 * without message move tasks (local emulators) or when the native task is unwanted. Per batch:
 * receive up to 10 (hidden for VISIBILITY_SECONDS) → SendMessageBatch to the destination with the
 * body and message attributes unchanged → DeleteMessageBatch of exactly those the destination
 * accepted. A message is deleted only after it was sent, so stopping at any point (Ctrl-C, a
 * crash, an error) loses nothing and a second run carries on where the first stopped. The one
 * cost: a run killed between a send and its delete leaves that message in both queues, and the
 * subscriber sees it twice (the runtime helper's idempotency skips the second).
 */
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeAwsError } from './errors';
import { startProgress, type Io } from './io';
import type { QueueInfo } from './queues';

/** How long received messages stay hidden if the mover cannot send or delete them. */
export const VISIBILITY_SECONDS = 60;

export interface ManualMoveOptions {
  /** At most this many messages per second. @default - no limit */
  readonly rate?: number;
  readonly json?: boolean;
  /** Stop after this many. @default - the DLQ's approximate message count at the start */
  readonly max?: number;
  /** Clock and sleep for the rate limit (tests inject both). @default - performance.now and a timer */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** Called after every batch (the spinner shows the same on a terminal). */
  readonly onProgress?: (moved: number, approximateTotal: number) => void;
}

export interface ManualMoveResult {
  readonly moved: number;
  /** Messages the destination refused (left in the DLQ, visible again after VISIBILITY_SECONDS). */
  readonly failed: Array<{ messageId: string; reason: string }>;
}

/** Message attributes as SendMessage takes them (receive returns the same shape). */
function attributesOf(message: Message): Record<string, MessageAttributeValue> | undefined {
  const attrs = message.MessageAttributes;
  if (!attrs || Object.keys(attrs).length === 0) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(attrs)) {
    out[name] = {
      DataType: v.DataType,
      ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}),
    };
  }
  return out;
}

export async function moveMessages(
  sqs: SQSClient,
  source: QueueInfo,
  destination: QueueInfo,
  options: ManualMoveOptions,
  io: Io,
): Promise<ManualMoveResult> {
  const {
    ReceiveMessageCommand,
    SendMessageBatchCommand,
    DeleteMessageBatchCommand,
    ChangeMessageVisibilityBatchCommand,
  } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  const now = options.now ?? (() => performance.now());
  const fifo = destination.url.endsWith('.fifo');
  const total = Number(source.attributes.ApproximateNumberOfMessages ?? 0);
  const progress = startProgress(io, `moved 0/~${total}`, options);
  const failed: ManualMoveResult['failed'] = [];
  const failedIds = new Set<string>();
  let moved = 0;
  // Like SQS's move task, move what was there at the start (ApproximateNumberOfMessagesToMove):
  // a message that fails again and comes back to the DLQ while this runs waits for the next run.
  const limit = options.max ?? (total > 0 ? total : Number.POSITIVE_INFINITY);
  // What this run sent: a dead-lettered message keeps its id, so these are recognised if they return.
  const ours = new Set<string>();
  const started = now();
  try {
    for (;;) {
      const room = limit - moved;
      if (room <= 0) break;
      let batch: Message[];
      try {
        batch =
          (
            await sqs.send(
              new ReceiveMessageCommand({
                QueueUrl: source.url,
                MaxNumberOfMessages: Math.min(10, room, options.rate ?? 10),
                VisibilityTimeout: VISIBILITY_SECONDS,
                WaitTimeSeconds: 1,
                MessageAttributeNames: ['All'],
                MessageSystemAttributeNames: ['All'],
              }),
            )
          ).Messages ?? [];
      } catch (error) {
        throw describeAwsError(error, `receiving from ${source.name}`);
      }
      // Messages this run already failed to send come back after the visibility timeout: stop
      // instead of retrying them forever; they stay in the DLQ for the next run.
      const returned = batch.filter((m) => ours.has(m.MessageId ?? '') || failedIds.has(m.MessageId ?? ''));
      batch = batch.filter((m) => !returned.includes(m));
      if (returned.length > 0) {
        try {
          await sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: source.url,
              Entries: returned.map((m, i) => ({
                Id: String(i),
                ReceiptHandle: m.ReceiptHandle!,
                VisibilityTimeout: 0,
              })),
            }),
          );
        } catch {
          // They become visible on their own after VISIBILITY_SECONDS.
        }
      }
      if (batch.length === 0) break;
      const entries = batch.map((m, i) => ({
        Id: String(i),
        MessageBody: m.Body ?? '',
        MessageAttributes: attributesOf(m),
        ...(fifo
          ? {
              MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive',
              MessageDeduplicationId: m.MessageId,
            }
          : {}),
      }));
      let sent: Set<string>;
      try {
        const res = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: destination.url, Entries: entries }),
        );
        sent = new Set((res.Successful ?? []).map((s) => s.Id!));
        for (const s of res.Successful ?? []) if (s.MessageId) ours.add(s.MessageId);
        for (const f of res.Failed ?? []) {
          const m = batch[Number(f.Id)]!;
          failedIds.add(m.MessageId ?? '');
          failed.push({ messageId: m.MessageId ?? '', reason: `${f.Code}: ${f.Message ?? ''}`.trim() });
        }
      } catch (error) {
        throw describeAwsError(error, `sending to ${destination.name}`);
      }
      const toDelete = batch
        .map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }))
        .filter((e) => sent.has(e.Id));
      if (toDelete.length > 0) {
        try {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: source.url, Entries: toDelete }));
        } catch (error) {
          throw describeAwsError(
            error,
            `deleting ${toDelete.length} moved message(s) from ${source.name} (they are in ${destination.name} too)`,
          );
        }
      }
      moved += toDelete.length;
      progress.update(`moved ${moved}/~${Math.max(total, moved)}`);
      options.onProgress?.(moved, Math.max(total, moved));
      if (options.rate) {
        // Keep the average at or under the rate: wait until `moved` messages are due.
        const due = started + (moved / options.rate) * 1000;
        const wait = due - now();
        if (wait > 0) await (options.sleep ?? sleep)(wait);
      }
    }
  } finally {
    progress.stop();
  }
  return { moved, failed };
}

/** True when an SQS endpoint does not implement the operation (local emulators). */
export function isUnsupportedOperation(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; message?: string } | undefined;
  const text = `${e?.name ?? ''} ${e?.Code ?? ''} ${e?.message ?? ''}`;
  return /InvalidAction|UnsupportedOperation|UnknownOperation|Unknown action|not implemented/i.test(text);
}
