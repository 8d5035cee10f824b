// Small factories for the runtime helper's tests: envelopes, SQS records/events, a Lambda context,
// an idempotency table on dynalite and a bucket on fauxqs S3 (unique names per call).
import { createHash, randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { HappEnvelope } from '../../../lambda/shared/envelope';

export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export function envelope(overrides: Record<string, unknown> = {}): HappEnvelope {
  const id = randomUUID();
  return {
    id,
    source: 'call',
    type: 'call.completed',
    receivedAt: '2026-05-26T14:02:12.000Z',
    idempotencyKey: `call#${createHash('sha256').update(id).digest('hex')}`,
    payload: { event: 'call.completed', callId: `call_${id.slice(0, 8)}`, duration: 252 },
    ...overrides,
  } as HappEnvelope;
}

export function sqsRecord(body: unknown, overrides: Partial<SQSRecord> = {}): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: `rh-${randomUUID()}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1780000000000',
      SenderId: 'AIDATEST',
      ApproximateFirstReceiveTimestamp: '1780000000001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:subscriber',
    awsRegion: 'us-east-1',
    ...overrides,
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** Bodies → an SQS event whose records carry them. */
export const batchOf = (...bodies: unknown[]): SQSEvent => sqsEvent(...bodies.map((b) => sqsRecord(b)));

export function lambdaContext(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'subscriber-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:subscriber-fn',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/subscriber-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A table shaped like the receiver's: partition key `id` (S); TTL attribute `expiration`. */
export async function createIdempotencyTable(ddb: DynamoDBClient = new DynamoDBClient({})): Promise<string> {
  const name = unique('happ-idem');
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  return name;
}

export async function scanTable(
  tableName: string,
  ddb: DynamoDBClient = new DynamoDBClient({}),
): Promise<Record<string, unknown>[]> {
  const out = await ddb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return (out.Items ?? []).map((item) =>
    Object.fromEntries(
      Object.entries(item).map(([k, v]) => [k, v.S ?? (v.N !== undefined ? Number(v.N) : v)]),
    ),
  );
}

export async function createBucket(s3: S3Client = new S3Client({})): Promise<string> {
  const bucket = unique('happ-claims');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Stores `bytes` in S3 and returns the claim-checked envelope pointing at them. */
export async function claimChecked(
  bucket: string,
  bytes: Buffer,
  overrides: { size?: number; sha256?: string; key?: string } = {},
  s3: S3Client = new S3Client({}),
): Promise<HappEnvelope> {
  const key = overrides.key ?? `payloads/${randomUUID()}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  const base = envelope() as { payload?: unknown };
  delete base.payload;
  return {
    ...(base as HappEnvelope),
    payloadLocation: {
      bucket,
      key,
      size: overrides.size ?? bytes.length,
      sha256: overrides.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
    },
  };
}
