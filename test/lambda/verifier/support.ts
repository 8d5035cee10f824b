// Helpers for the verifier tests: resources on the shared emulators (dynalite, fauxqs), the local
// Secrets Manager, API Gateway events, and stdout capture (Powertools Logger and Metrics write there).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { LocalSecretsManagerServer } from '../../../bin/local/secrets-manager-server';
import type { HappEnvelope, HappSource } from '../../../lambda/shared/envelope';
import { signBody, type SignatureEncoding } from '../../../lambda/shared/signature';

export const BUNDLE_PATH = join(__dirname, '..', '..', '..', 'dist', 'lambda', 'verifier', 'index.js');

export const ddb = new DynamoDBClient({});
export const sns = new SNSClient({});
export const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });
export const s3 = new S3Client({});

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function suffix(): string {
  return randomBytes(5).toString('hex');
}

/** Starts a local Secrets Manager and points the SDK at it (this test file's process only). */
export async function startSecretsManager(): Promise<LocalSecretsManagerServer> {
  const server = new LocalSecretsManagerServer();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await server.start();
  return server;
}

export async function createTable(name: string): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
}

export async function deleteTable(name: string): Promise<void> {
  await ddb.send(new DeleteTableCommand({ TableName: name }));
}

/** Every idempotency record in a table, unmarshalled. */
export async function records(table: string): Promise<Record<string, unknown>[]> {
  const out = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return (out.Items ?? []).map((item) => unmarshall(item));
}

export async function createTopic(name: string): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  return TopicArn as string;
}

/** A queue subscribed to the topic with raw message delivery: it receives the envelopes as sent. */
export async function subscribeQueue(topicArn: string, name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: attrs.Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return QueueUrl as string;
}

export async function createBucket(name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
}

export async function getObject(bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(
    await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
}

export interface Published {
  readonly envelope: HappEnvelope;
  readonly attributes: Record<string, string | undefined>;
}

/**
 * Receives and deletes every message in the queue. fauxqs delivers from SNS to SQS before Publish
 * returns, so once the handler has answered, everything it published is already in the queue.
 */
export async function drain(queueUrl: string): Promise<Published[]> {
  const out: Published[] = [];
  for (;;) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages: Message[] = got.Messages ?? [];
    if (messages.length === 0) return out;
    for (const m of messages) {
      out.push({
        envelope: JSON.parse(m.Body as string) as HappEnvelope,
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
        ),
      });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** A full stack of resources with unique names, plus the config that points the verifier at it. */
export interface Stack {
  readonly table: string;
  readonly topicArn: string;
  readonly topicName: string;
  readonly bucket: string;
  readonly queueUrl: string;
  readonly secretArns: { chat: string; call: string };
}

export async function createStack(
  secrets: LocalSecretsManagerServer,
  values: { chat?: string; call?: string } = {},
): Promise<Stack> {
  const id = suffix();
  const table = `verifier-${id}`;
  const topicName = `happ-${id}`;
  const bucket = `happ-bodies-${id}`;
  await createTable(table);
  const topicArn = await createTopic(topicName);
  const queueUrl = await subscribeQueue(topicArn, `sub-${id}`);
  await createBucket(bucket);
  return {
    table,
    topicArn,
    topicName,
    bucket,
    queueUrl,
    secretArns: {
      chat: secrets.setSecret(`happ/${id}/chat`, values.chat ?? 'chat-secret'),
      call: secrets.setSecret(`happ/${id}/call`, values.call ?? 'call-secret'),
    },
  };
}

export function stackConfig(stack: Stack) {
  return {
    secretArns: stack.secretArns,
    tableName: stack.table,
    topicArn: stack.topicArn,
    bucketName: stack.bucket,
  };
}

/** Environment variables the construct would set for this stack. */
export function stackEnv(stack: Stack): Record<string, string> {
  return {
    HAPP_CHAT_SECRET_ARN: stack.secretArns.chat,
    HAPP_CALL_SECRET_ARN: stack.secretArns.call,
    HAPP_TABLE_NAME: stack.table,
    HAPP_TOPIC_ARN: stack.topicArn,
    HAPP_BUCKET_NAME: stack.bucket,
  };
}

export interface EventOptions {
  readonly path?: string;
  readonly resource?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly base64?: boolean;
}

/** An API Gateway REST proxy event carrying these exact bytes. */
export function apiEvent(body: Buffer | string | null, options: EventOptions = {}): APIGatewayProxyEvent {
  const bytes = body === null ? null : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const base64 = options.base64 ?? (bytes !== null && typeof body !== 'string');
  return {
    resource: options.resource ?? options.path ?? '/chat',
    path: options.path ?? '/chat',
    httpMethod: options.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    multiValueHeaders: options.multiValueHeaders ?? {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: bytes === null ? null : base64 ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: base64,
  };
}

/** A signed delivery, as Happ would send it. */
export function signedEvent(
  source: HappSource,
  body: Buffer | string,
  secret: string,
  options: EventOptions & { encoding?: SignatureEncoding; prefix?: string; header?: string } = {},
): APIGatewayProxyEvent {
  const signature = signBody(body, secret, {
    encoding: options.encoding,
    prefix: options.prefix ?? 'sha256=',
  });
  return apiEvent(body, {
    path: `/${source}`,
    ...options,
    headers: { [options.header ?? 'X-HAPP-Signature']: signature, ...options.headers },
  });
}

export interface HttpApiEventOptions {
  /** The route's path (`/chat`); the route key is `METHOD path`. */
  readonly path?: string;
  /** The path requested, when it differs from the route's (a custom domain's base path). */
  readonly rawPath?: string;
  readonly method?: string;
  /** Headers as HTTP API delivers them: names lower-cased here, repeats already comma-joined. */
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly base64?: boolean;
  readonly rawQueryString?: string;
}

/**
 * An HTTP API event (payload format 2.0) carrying these exact bytes, shaped as API Gateway sends it:
 * header names lower-case, no `multiValueHeaders`, cookies in `cookies`, method in `requestContext.http`.
 * Binary bodies (a Buffer) are base64-encoded, text bodies (a string) are not, unless `base64` says.
 */
export function httpApiEvent(
  body: Buffer | string | null,
  options: HttpApiEventOptions = {},
): APIGatewayProxyEventV2 {
  const bytes = body === null ? null : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const base64 = options.base64 ?? (bytes !== null && typeof body !== 'string');
  const method = options.method ?? 'POST';
  const path = options.path ?? '/chat';
  const rawPath = options.rawPath ?? path;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath,
    rawQueryString: options.rawQueryString ?? '',
    ...(options.cookies ? { cookies: options.cookies } : {}),
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'Happ' },
      requestId: `req-${suffix()}`,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '03/Dec/2026:08:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...(bytes === null ? {} : { body: base64 ? bytes.toString('base64') : bytes.toString('utf8') }),
    isBase64Encoded: base64,
  };
}

/** A signed delivery through the HTTP API, as Happ would send it. */
export function signedHttpApiEvent(
  source: HappSource,
  body: Buffer | string,
  secret: string,
  options: HttpApiEventOptions & { encoding?: SignatureEncoding; header?: string } = {},
): APIGatewayProxyEventV2 {
  const signature = signBody(body, secret, { encoding: options.encoding, prefix: 'sha256=' });
  return httpApiEvent(body, {
    path: `/${source}`,
    ...options,
    headers: { [options.header ?? 'X-HAPP-Signature']: signature, ...options.headers },
  });
}

/** A Lambda context whose remaining time (the idempotency lease) is `remainingMs`. */
export function lambdaContext(remainingMs = 10_000): Context {
  return {
    awsRequestId: `req-${suffix()}`,
    functionName: 'verifier',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:verifier',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/verifier',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface Captured {
  /** Everything written to stdout and stderr. */
  text(): string;
  /** JSON lines (Powertools logs and EMF metrics). */
  json(): Record<string, unknown>[];
  /** EMF metric counts by `name/Source`. */
  metrics(): Record<string, number>;
  /** Structured log lines (not metrics). */
  logs(): Record<string, unknown>[];
  restore(): void;
}

/** Captures (and silences) stdout/stderr until restore(). */
export function captureOutput(): Captured {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }),
  );
  const json = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    text: () => chunks.join(''),
    json,
    logs: () => json().filter((line) => !('_aws' in line)),
    metrics: () => {
      const counts: Record<string, number> = {};
      for (const line of json()) {
        const aws = line._aws as
          | {
              CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
            }
          | undefined;
        if (!aws) continue;
        for (const directive of aws.CloudWatchMetrics) {
          expect(directive.Namespace).toBe('HappWebhooks');
          expect(directive.Dimensions).toEqual([['Source']]);
          for (const metric of directive.Metrics) {
            const key = `${metric.Name}/${String(line.Source)}`;
            counts[key] = (counts[key] ?? 0) + Number(line[metric.Name]);
          }
        }
      }
      return counts;
    },
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** The bundled artifact (npm run build / node scripts/bundle.mjs makes it). */
export function loadBundle(): typeof import('../../../lambda/verifier/index') {
  if (!existsSync(BUNDLE_PATH)) {
    throw new Error(`${BUNDLE_PATH} is missing: run "node scripts/bundle.mjs" (npm test builds it first)`);
  }
  return require(BUNDLE_PATH) as typeof import('../../../lambda/verifier/index');
}

/** Parses a handler response body. */
export function bodyOf(response: { body: string }): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}
