// The e2e pipeline with faults injected mid-run: the REAL BUILT verifier behind the local API Gateway,
// its DynamoDB and SNS behind fault proxies on real sockets; Happ retries (honouring Retry-After) until
// acknowledged; then the subscriber (dist/lambda/runtime) drains its queue. The counts must hold:
// accepted = handled + parked, nothing lost, nothing handled twice — with a hung SNS, a hung DynamoDB
// and answers lost after the write along the way.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HappSource } from 'cdk-happ-webhooks';
import type { HappEvent } from 'cdk-happ-webhooks/runtime';
import { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { signBody } from '../../lambda/shared/signature';
import { FaultProxy } from '../support/fault-proxy';
import { LocalGateway, type GatewayResponse } from './support/gateway';
import { drain, EventSourceMappingPoller } from './support/poller';
import { createLocalPipeline, synthesizePipeline, type LocalPipeline } from './support/topology';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..');
const VERIFIER_BUNDLE = join(root, 'dist', 'lambda', 'verifier', 'index.js');
const RUNTIME_BUILD = join(root, 'dist', 'lambda', 'runtime', 'index.js');
const INBOX = 'Inbox';
const SECRETS = { chat: `chat-${randomUUID()}`, call: `call-${randomUUID()}` };
const BUDGET_MS = 1_500;
const N = 30;

const clients = {
  dynamodb: new DynamoDBClient({}),
  sns: new SNSClient({}),
  sqs: new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
  s3: new S3Client({}),
};
const secretsManager = new LocalSecretsManagerServer();
const gateway = new LocalGateway();
let pipeline: LocalPipeline;
let sns: FaultProxy;
let ddb: FaultProxy;

beforeAll(async () => {
  const definition = synthesizePipeline({ [INBOX]: { sources: [HappSource.CHAT], maxReceiveCount: 3 } });
  const secretsEndpoint = await secretsManager.start();
  pipeline = await createLocalPipeline(definition, clients, secretsManager, SECRETS, 1);
  const emulator = `http://127.0.0.1:${process.env.HAPP_TEST_FAUXQS_PORT}`;
  sns = await FaultProxy.start(emulator);
  ddb = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_DYNAMODB!);
  await gateway.start(VERIFIER_BUNDLE, {
    AWS_REGION: process.env.AWS_REGION!,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: ddb.url,
    AWS_ENDPOINT_URL_SNS: sns.url,
    AWS_ENDPOINT_URL_S3: emulator,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    E2E_BINARY_MEDIA_TYPES: JSON.stringify(definition.binaryMediaTypes),
    ...pipeline.verifierEnvironment,
    HAPP_RESPONSE_BUDGET_MS: String(BUDGET_MS),
  });
}, 60_000);

afterAll(async () => {
  await gateway.stop();
  await sns?.stop();
  await ddb?.stop();
  await secretsManager.stop();
  for (const client of Object.values(clients)) client.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('with a hung SNS, a hung DynamoDB and lost answers mid-run: accepted = handled + parked, nothing lost, nothing twice', async () => {
  const bodies = Array.from({ length: N }, (_, i) =>
    Buffer.from(JSON.stringify({ event: 'chat.message.received', messageId: `m-${i}-${randomUUID()}` })),
  );
  const statuses: number[] = [];
  const accepted = new Map<number, string>();
  /** Happ: retry until a 2xx, waiting what Retry-After says (scaled down 10×, but never below the lease). */
  const deliver = async (i: number): Promise<void> => {
    const headers = {
      'content-type': 'application/json',
      'x-happ-signature': signBody(bodies[i], SECRETS.chat),
    };
    for (let attempt = 0; attempt < 8; attempt++) {
      const r: GatewayResponse = await gateway.post('/chat', bodies[i], headers);
      statuses.push(r.status);
      if (r.status === 202) accepted.set(i, r.body.id as string);
      if (r.status >= 200 && r.status < 300) return;
      expect(r.status).toBe(503); // never a 4xx for something a retry can fix
      await sleep(BUDGET_MS + 100);
    }
    throw new Error(`delivery ${i} never acknowledged:\n${gateway.logs.slice(-10).join('\n')}`);
  };

  for (let i = 0; i < N; i++) {
    // Faults injected mid-run, each for a few requests, then the dependency recovers by itself.
    if (i === 5) sns.inject('Publish', { fault: 'hang', times: 2 });
    if (i === 10) ddb.inject('PutItem', { fault: 'hang', times: 2 });
    if (i === 15) sns.inject('Publish', { fault: 'drop-answer', times: 1 });
    if (i === 20) ddb.inject('PutItem', { fault: 'drop-answer', times: 1 });
    if (i === 25) sns.inject('Publish', { fault: 'slow', delayMs: BUDGET_MS + 300, times: 1 });
    await deliver(i);
  }
  // Every delivery was acknowledged exactly once as accepted (the rest of its answers: 503 or 200).
  expect(accepted.size).toBe(N);
  expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(4);
  expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => [200, 202, 503].includes(s))));
  await sleep(BUDGET_MS + 500); // the slow publish lands

  const runtime = require(RUNTIME_BUILD) as typeof import('cdk-happ-webhooks/runtime');
  const handled: HappEvent[] = [];
  const subscriber = pipeline.subscribers[0];
  const poller = new EventSourceMappingPoller({
    sqs: clients.sqs,
    queueUrl: subscriber.queueUrl,
    queueArn: subscriber.queueArn,
    batchSize: subscriber.definition.batchSize,
    handler: runtime.happHandler(async (event) => void handled.push(event), {
      idempotency: { tableName: pipeline.tableName, subscriberName: INBOX },
    }),
  });
  await drain([poller]);
  const dlq = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: subscriber.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  const parked = (dlq.Messages ?? []).map((m) => (JSON.parse(m.Body!) as { id: string }).id);

  const handledKeys = handled.map((e) => e.idempotencyKey);
  // nothing handled twice …
  expect(new Set(handledKeys).size).toBe(handledKeys.length);
  // … nothing lost: every accepted delivery handled or parked
  expect(handled.length + parked.length).toBe(N);
  expect(parked).toEqual([]);
  // the lost answers and the late publish put extra copies on the topic; the helper skipped them
  expect(poller.stats.received).toBeGreaterThan(N);
});
