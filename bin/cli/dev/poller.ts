/**
 * Feeds the subscriber queue to the handler the way Lambda's event source mapping does
 * (ReportBatchItemFailures on): receive a batch, invoke with an SQSEvent, delete what succeeded,
 * leave what failed to come back (and reach the DLQ after maxReceiveCount). Failed messages come
 * back after `retryDelaySeconds` rather than a full visibility timeout, to keep the local loop quick.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface SqsRecordLike {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<string, unknown>;
  readonly md5OfBody: string;
  readonly eventSource: string;
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export type SqsHandler = (
  event: { Records: SqsRecordLike[] },
  context: Record<string, unknown>,
) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] } | void>;

export interface RecordOutcome {
  readonly record: SqsRecordLike;
  readonly ok: boolean;
  readonly receiveCount: number;
  readonly ms: number;
  /** Set when the whole invocation threw. */
  readonly invocationError?: unknown;
}

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  readonly retryDelaySeconds: number;
  readonly timeoutMs: number;
  readonly onOutcome: (outcome: RecordOutcome) => void;
  readonly onError: (error: unknown) => void;
}

/** An SQS message as the Lambda event source mapping hands it to a function (one SQSEvent record). */
export function toSqsRecord(message: Message, queueArn: string): SqsRecordLike {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, a]) => [
        name,
        {
          dataType: a.DataType ?? 'String',
          stringValue: a.StringValue,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

/** Polls until `signal` aborts; resolves once the in-flight batch (if any) is finished. */
export async function poll(options: PollerOptions, signal: AbortSignal): Promise<void> {
  const { ReceiveMessageCommand, DeleteMessageCommand, ChangeMessageVisibilityCommand } =
    require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  while (!signal.aborted) {
    let messages: Message[];
    try {
      const res = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      messages = res.Messages ?? [];
    } catch (error) {
      if (signal.aborted) return;
      options.onError(error);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (messages.length === 0) continue;
    const records = messages.map((m) => toSqsRecord(m, options.queueArn));
    const deadline = Date.now() + options.timeoutMs;
    const context = {
      functionName: 'happ-dev-handler',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:happ-dev-handler',
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: '/aws/lambda/happ-dev-handler',
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const started = performance.now();
    let failed: Set<string>;
    let invocationError: unknown;
    try {
      const result = await options.handler({ Records: records }, context);
      failed = new Set(
        (result && result.batchItemFailures ? result.batchItemFailures : []).map((f) => f.itemIdentifier),
      );
    } catch (error) {
      invocationError = error ?? new Error('the handler threw');
      failed = new Set(records.map((r) => r.messageId));
    }
    const ms = Math.round((performance.now() - started) * 10) / 10;
    for (const record of records) {
      const ok = !failed.has(record.messageId);
      try {
        if (ok) {
          await options.sqs.send(
            new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: record.receiptHandle }),
          );
        } else {
          await options.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: options.queueUrl,
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: options.retryDelaySeconds,
            }),
          );
        }
      } catch (error) {
        options.onError(error);
      }
      options.onOutcome({
        record,
        ok,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        ms,
        ...(invocationError !== undefined ? { invocationError } : {}),
      });
    }
  }
}
