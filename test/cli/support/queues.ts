/** Queue fixtures on the shared fauxqs: a subscriber-like queue + DLQ, and Happ envelopes. */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomBytes, randomUUID } from 'node:crypto';

export const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });

export interface QueuePair {
  readonly suffix: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export async function arnOf(url: string): Promise<string> {
  const res = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return res.Attributes!.QueueArn!;
}

export async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

/** A subscriber-like queue whose redrive policy sends messages to its DLQ after one receive. */
export async function createQueuePair(prefix = 'cli'): Promise<QueuePair> {
  const suffix = randomBytes(4).toString('hex');
  const dlqUrl = await createQueue(`${prefix}-${suffix}-DeadLetterQueue`);
  const dlqArn = await arnOf(dlqUrl);
  const queueUrl = await createQueue(`${prefix}-${suffix}-Queue`, {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
  });
  return { suffix, queueUrl, queueArn: await arnOf(queueUrl), dlqUrl, dlqArn };
}

export function envelope(
  type = 'call.completed',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const source = type.split('.')[0];
  return {
    id: randomUUID(),
    source,
    type,
    receivedAt: '2026-05-26T14:02:12.000Z',
    idempotencyKey: `${source}#${randomBytes(32).toString('hex')}`,
    payload: { event: type, callId: `call_${randomBytes(4).toString('hex')}`, duration: 252 },
    ...overrides,
  };
}

export async function sendEnvelope(queueUrl: string, body: Record<string, unknown>): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(body),
      MessageAttributes: {
        source: { DataType: 'String', StringValue: String(body.source) },
        type: { DataType: 'String', StringValue: String(body.type) },
      },
    }),
  );
}

/** Dead-letters a message for real: into the queue, then received past maxReceiveCount (1). */
export async function deadLetter(pair: QueuePair, body: Record<string, unknown>): Promise<void> {
  await sendEnvelope(pair.queueUrl, body);
  for (let i = 0; i < 3; i++) {
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: pair.queueUrl, VisibilityTimeout: 0 }));
  }
}

export async function visibleCount(url: string): Promise<number> {
  const res = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(res.Attributes!.ApproximateNumberOfMessages);
}

/** Receives (and so hides for 30 s) every visible message; returns their bodies. */
export async function drain(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    if (!res.Messages?.length) return bodies;
    bodies.push(...res.Messages.map((m) => m.Body!));
  }
}
