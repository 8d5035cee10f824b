// End to end on local emulators, with the REAL BUILT artifacts:
//   signed POST ─▶ local API Gateway (HTTP → REST proxy event) ─▶ dist/lambda/verifier (own process)
//   ─▶ DynamoDB (dynalite) + S3 claim check + SNS topic (fauxqs) ─▶ two subscriber queues with
//   DLQs, filtered as the construct filters them ─▶ handlers built with dist/lambda/runtime, driven
//   like event source mappings.
// Resources are read from a synthesized HappWebhookReceiver stack with two addSubscriber calls.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { HappEvent } from 'cdk-happ-webhooks/runtime';
import { HappEvents, HappSource } from 'cdk-happ-webhooks';
import { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { signBody } from '../../lambda/shared/signature';
import { LocalGateway, type GatewayResponse } from './support/gateway';
import { drain, EventSourceMappingPoller } from './support/poller';
import {
  createLocalPipeline,
  synthesizePipeline,
  type LocalPipeline,
  type PipelineDefinition,
} from './support/topology';

const root = join(__dirname, '..', '..');
const VERIFIER_BUNDLE = join(root, 'dist', 'lambda', 'verifier', 'index.js');
const RUNTIME_BUILD = join(root, 'dist', 'lambda', 'runtime', 'index.js');
const VISIBILITY_TIMEOUT_SECONDS = 1;
const MAX_RECEIVE_COUNT = 3;

// The two subscribers: every chat delivery; every call event plus one chat event both receive.
const CHAT_INBOX = 'ChatInbox';
const CALL_ANALYTICS = 'CallAnalytics';
const SUBSCRIBERS = {
  [CHAT_INBOX]: { sources: [HappSource.CHAT], maxReceiveCount: MAX_RECEIVE_COUNT },
  [CALL_ANALYTICS]: {
    events: ['call.*', HappEvents.CHAT_AI_CONTROL_TOGGLED],
    maxReceiveCount: MAX_RECEIVE_COUNT,
  },
};

const SECRETS = { chat: `chat-secret-${randomUUID()}`, call: `call-secret-${randomUUID()}` };

interface Delivery {
  readonly name: string;
  readonly source: HappSource;
  readonly body: Buffer;
  /** The subscribers whose filter selects it. */
  readonly to: readonly string[];
  readonly encoding?: 'hex' | 'base64';
  readonly prefix?: string;
  readonly header?: string;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const TRANSCRIPT = Array.from(
  { length: 6_000 },
  (_, i) => `line ${i}: the caller asks about order ${i * 7}…`,
).join('\n');
const BIG_CALL = {
  event: 'call.completed',
  callId: 'call_big',
  direction: 'inbound',
  duration: 3605,
  transcript: TRANSCRIPT,
};

const DELIVERIES: Delivery[] = [
  {
    name: 'chat message 1',
    source: 'chat',
    body: json({ event: 'chat.message.received', conversationId: 'conv_1', messageId: 'm_1', text: 'Hello' }),
    to: [CHAT_INBOX],
  },
  {
    name: 'chat message 2',
    source: 'chat',
    body: json({
      event: 'chat.message.received',
      conversationId: 'conv_1',
      messageId: 'm_2',
      text: 'Are you there?',
    }),
    to: [CHAT_INBOX],
    encoding: 'base64',
    prefix: 'sha256=',
  },
  {
    name: 'conversation started',
    source: 'chat',
    body: json({ event: 'chat.conversation.started', conversationId: 'conv_2' }),
    to: [CHAT_INBOX],
    header: 'x-happ-signature',
  },
  {
    name: 'AI control toggled (CallAnalytics fails on it)',
    source: 'chat',
    body: json({ event: 'chat.ai_control.toggled', conversationId: 'conv_1', aiEnabled: false }),
    to: [CHAT_INBOX, CALL_ANALYTICS],
  },
  {
    name: 'chat body that is not JSON',
    source: 'chat',
    body: Buffer.from('ping from happ'),
    to: [CHAT_INBOX],
  },
  {
    name: 'call started',
    source: 'call',
    body: json({ event: 'call.started', callId: 'call_1', direction: 'inbound' }),
    to: [CALL_ANALYTICS],
  },
  {
    name: "call completed (Happ's published sample)",
    source: 'call',
    body: Buffer.from(
      '{"event":"call.completed","callId":"call_1","caller":"+15550100","direction":"inbound","duration":252,"endedAt":"2026-05-26T14:02:11Z","provider":"ringostat"}',
    ),
    to: [CALL_ANALYTICS],
  },
  {
    name: 'recording available',
    source: 'call',
    body: json({ event: 'call.recording.available', callId: 'call_1', url: 'https://example.com/r.mp3' }),
    to: [CALL_ANALYTICS],
  },
  {
    name: 'call body naming no event (type unknown)',
    source: 'call',
    body: json({ callId: 'call_2' }),
    to: [],
  },
  {
    name: 'call completed, ~290 KB: over the SNS limit (claim check)',
    source: 'call',
    body: json(BIG_CALL),
    to: [CALL_ANALYTICS],
  },
];
const RACED = DELIVERIES[2];
const FAILING = DELIVERIES[3];
const BIG = DELIVERIES[DELIVERIES.length - 1];

function headersFor(d: Delivery, secret = SECRETS[d.source]): Record<string, string> {
  return {
    'content-type': Buffer.isBuffer(d.body) && d.body[0] === 0x7b ? 'application/json' : 'text/plain',
    [d.header ?? 'X-HAPP-Signature']: signBody(d.body, secret, {
      encoding: d.encoding ?? 'hex',
      prefix: d.prefix ?? '',
    }),
  };
}

describe.each([
  ['REST API (payload format 1.0)', 'rest-api'],
  ['HTTP API (payload format 2.0)', 'http-api'],
] as const)('the whole pipeline, end to end on local emulators, through the %s', (_name, ingress) => {
  const clients = {
    dynamodb: new DynamoDBClient({}),
    sns: new SNSClient({}),
    sqs: new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
    s3: new S3Client({}),
  };
  const secretsManager = new LocalSecretsManagerServer();
  const gateway = new LocalGateway();
  let definition: PipelineDefinition;
  let pipeline: LocalPipeline;

  beforeAll(async () => {
    for (const artifact of [VERIFIER_BUNDLE, RUNTIME_BUILD]) {
      if (!existsSync(artifact)) throw new Error(`${artifact} is missing: run \`npm run build\` first`);
    }
    definition = synthesizePipeline(SUBSCRIBERS, ingress);
    const secretsEndpoint = await secretsManager.start();
    pipeline = await createLocalPipeline(
      definition,
      clients,
      secretsManager,
      SECRETS,
      VISIBILITY_TIMEOUT_SECONDS,
    );
    const emulator = `http://127.0.0.1:${process.env.HAPP_TEST_FAUXQS_PORT}`;
    await gateway.start(VERIFIER_BUNDLE, {
      AWS_REGION: process.env.AWS_REGION!,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
      AWS_ENDPOINT_URL_SNS: emulator,
      AWS_ENDPOINT_URL_S3: emulator,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      E2E_BINARY_MEDIA_TYPES: JSON.stringify(definition.binaryMediaTypes),
      E2E_INGRESS: ingress,
      E2E_ROUTES: JSON.stringify(definition.routes),
      ...pipeline.verifierEnvironment,
    });
  }, 60_000);

  afterAll(async () => {
    await gateway.stop();
    await secretsManager.stop();
    for (const client of Object.values(clients)) client.destroy();
  });

  it('uses the resources the construct defines', () => {
    if (ingress === 'http-api') {
      expect(definition.payloadFormatVersion).toBe('2.0');
      expect(definition.routes.sort()).toEqual(['POST /call', 'POST /chat']);
    } else {
      expect(definition.binaryMediaTypes).toEqual(['*/*']);
    }
    expect(definition.table.keySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(definition.table.ttlAttribute).toBe('expiration');
    expect(definition.subscribers.map((s) => s.subscriberName).sort()).toEqual([CALL_ANALYTICS, CHAT_INBOX]);
    for (const s of definition.subscribers) {
      expect(s).toMatchObject({
        rawMessageDelivery: true,
        maxReceiveCount: MAX_RECEIVE_COUNT,
        functionResponseTypes: ['ReportBatchItemFailures'],
        tableEnvIsReceiverTable: true,
      });
    }
    const policy = (name: string) =>
      definition.subscribers.find((s) => s.subscriberName === name)!.filterPolicy;
    expect(policy(CHAT_INBOX)).toEqual({ source: ['chat'] });
    expect(policy(CALL_ANALYTICS)).toEqual({ type: [{ prefix: 'call.' }, 'chat.ai_control.toggled'] });
    expect(Object.keys(pipeline.verifierEnvironment)).toEqual(
      expect.arrayContaining([
        'HAPP_TABLE_NAME',
        'HAPP_TOPIC_ARN',
        'HAPP_BUCKET_NAME',
        'HAPP_CHAT_SECRET_ARN',
        'HAPP_CALL_SECRET_ARN',
      ]),
    );
  });

  it('delivers every accepted event to exactly the subscribers that select it, once; failures park in the DLQ', async () => {
    const runtime = require(RUNTIME_BUILD) as typeof import('cdk-happ-webhooks/runtime');

    // ---- 1. signed POSTs through the local API Gateway, with Happ-style duplicates
    const responses: { delivery: Delivery; response: GatewayResponse; attempt: string }[] = [];
    const send = async (d: Delivery, attempt: string, secret?: string) => {
      const response = await gateway.post(`/${d.source}`, d.body, headersFor(d, secret));
      responses.push({ delivery: d, response, attempt });
      return response;
    };
    /** Happ retries (0 s, 5 s, 30 s … — here 0.1 s, 0.2 s …) until it gets a 2xx. */
    const sendUntilAcknowledged = async (d: Delivery, attempt: string) => {
      for (let i = 0; i < 5; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100 * i)); // Happ backs off between retries
        const r = await send(d, i === 0 ? attempt : 'retry');
        if (r.status >= 200 && r.status < 300) return r;
      }
      throw new Error(`${d.name} was never acknowledged:\n${gateway.logs.slice(-20).join('\n')}`);
    };

    const ids = new Map<Delivery, string>();
    for (const d of DELIVERIES) {
      if (d === RACED) {
        // Happ retrying while its first attempt is still in flight: one is accepted, one is a duplicate.
        const pair = await Promise.all([
          sendUntilAcknowledged(d, 'first'),
          sendUntilAcknowledged(d, 'duplicate'),
        ]);
        expect(pair.map((r) => r.status).sort()).toEqual([200, 202]);
        ids.set(d, pair.find((r) => r.status === 202)!.body.id as string);
        continue;
      }
      const r = await sendUntilAcknowledged(d, 'first');
      expect(r.status).toBe(202);
      ids.set(d, r.body.id as string);
    }
    // Happ-style duplicates: retries of deliveries that were already acknowledged.
    for (const d of [DELIVERIES[0], DELIVERIES[6]]) {
      expect((await sendUntilAcknowledged(d, 'duplicate')).status).toBe(200);
    }
    // A forged delivery is rejected and never published.
    expect((await send(DELIVERIES[5], 'forged', 'not-the-secret')).status).toBe(401);
    // The verifier got the event shape of this front door.
    expect(gateway.logs.join('\n')).toContain(`"payloadFormat":"${ingress === 'http-api' ? '2.0' : '1.0'}"`);

    // ---- 2./3./4. subscribers polled like event source mappings
    const calls = new Map<string, { event: HappEvent; ok: boolean }[]>([
      [CHAT_INBOX, []],
      [CALL_ANALYTICS, []],
    ]);
    const failingId = ids.get(FAILING)!;
    const handlerFor = (name: string) =>
      runtime.happHandler(
        async (event) => {
          const ok = !(name === CALL_ANALYTICS && event.id === failingId);
          calls.get(name)!.push({ event, ok });
          if (!ok) throw new Error('CallAnalytics cannot handle AI-control events');
        },
        { idempotency: { tableName: pipeline.tableName, subscriberName: name } },
      );
    let forced: string | undefined;
    const pollers = new Map(
      pipeline.subscribers.map((s) => [
        s.definition.subscriberName,
        new EventSourceMappingPoller({
          sqs: clients.sqs,
          queueUrl: s.queueUrl,
          queueArn: s.queueArn,
          batchSize: s.definition.batchSize,
          handler: handlerFor(s.definition.subscriberName),
          // A consumer that crashed after handling one message, before deleting it: SQS redelivers it.
          redeliverAfterSuccess:
            s.definition.subscriberName === CHAT_INBOX
              ? (record) => {
                  if (forced || JSON.parse(record.body).id !== ids.get(DELIVERIES[0])) return false;
                  forced = record.messageId;
                  return true;
                }
              : undefined,
        }),
      ]),
    );
    await drain([...pollers.values()]);

    // Happ retries long after everything was handled: acknowledged as duplicates, nothing new arrives.
    for (const d of DELIVERIES) expect((await sendUntilAcknowledged(d, 'late duplicate')).status).toBe(200);
    const callsBefore = [...calls.values()].reduce((n, c) => n + c.length, 0);
    await drain([...pollers.values()]);
    expect([...calls.values()].reduce((n, c) => n + c.length, 0)).toBe(callsBefore);

    // ---- 5. counts
    const dlqIds = new Map<string, string[]>();
    for (const s of pipeline.subscribers) {
      const out = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: s.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      dlqIds.set(
        s.definition.subscriberName,
        (out.Messages ?? []).map((m) => (JSON.parse(m.Body!) as { id: string }).id),
      );
    }

    const accepted = responses.filter((r) => r.response.status === 202);
    const rows = [];
    for (const name of [CHAT_INBOX, CALL_ANALYTICS]) {
      const expected = DELIVERIES.filter((d) => d.to.includes(name)).map((d) => ids.get(d)!);
      const succeeded = calls
        .get(name)!
        .filter((c) => c.ok)
        .map((c) => c.event.id);
      const failedCalls = calls
        .get(name)!
        .filter((c) => !c.ok)
        .map((c) => c.event.id);
      const dlq = dlqIds.get(name)!;
      // exactly the events its filter selects reached its function …
      expect(new Set(calls.get(name)!.map((c) => c.event.id))).toEqual(new Set(expected));
      // … each handled once, or parked in its DLQ: nothing lost, nothing twice
      expect(new Set(succeeded).size).toBe(succeeded.length);
      expect([...succeeded, ...dlq].sort()).toEqual([...expected].sort());
      rows.push({
        subscriber: name,
        selected: expected.length,
        handled: succeeded.length,
        'in DLQ': dlq.length,
        'failed attempts': failedCalls.length,
        'SQS receives': pollers.get(name)!.stats.received,
        'duplicates skipped':
          pollers.get(name)!.stats.received - pollers.get(name)!.stats.failedRecords - succeeded.length,
      });
    }

    // 2. the forced SQS redelivery came back and was skipped by the helper
    expect(forced).toBeDefined();
    expect(pollers.get(CHAT_INBOX)!.stats.receivesByMessageId.get(forced!)).toBe(2);
    expect(calls.get(CHAT_INBOX)!.filter((c) => c.event.id === ids.get(DELIVERIES[0])).length).toBe(1);
    // 3. the failing event: retried maxReceiveCount times by CallAnalytics, then in its DLQ only;
    //    ChatInbox handled the same event once, unaffected
    expect(
      calls
        .get(CALL_ANALYTICS)!
        .filter((c) => c.event.id === failingId)
        .map((c) => c.ok),
    ).toEqual(Array(MAX_RECEIVE_COUNT).fill(false));
    expect(pollers.get(CALL_ANALYTICS)!.stats.batches[0]).toEqual({ size: 5, failed: 1 }); // the others succeeded
    expect(dlqIds.get(CALL_ANALYTICS)).toEqual([failingId]);
    expect(dlqIds.get(CHAT_INBOX)).toEqual([]);
    expect(
      calls
        .get(CHAT_INBOX)!
        .filter((c) => c.event.id === failingId)
        .map((c) => c.ok),
    ).toEqual([true]);
    // 4. the large body (over SNS's 256 KiB limit) went through S3 and arrived intact
    expect(BIG.body.length).toBeGreaterThan(262_144);
    const big = calls.get(CALL_ANALYTICS)!.find((c) => c.event.id === ids.get(BIG))!.event;
    expect(big).toMatchObject({
      claimChecked: true,
      payloadFormat: 'json',
      type: 'call.completed',
      source: 'call',
    });
    expect(createHash('sha256').update(JSON.stringify(big.payload)).digest('hex')).toBe(
      createHash('sha256').update(BIG.body).digest('hex'),
    );
    // every event arrived as sent: source, type and payload
    for (const d of DELIVERIES) {
      let sent: unknown;
      try {
        sent = JSON.parse(d.body.toString('utf8'));
      } catch {
        sent = d.body.toString('utf8');
      }
      const type = (sent as { event?: string }).event ?? 'unknown';
      for (const name of d.to) {
        const got = calls.get(name)!.find((c) => c.event.id === ids.get(d))!.event;
        expect({ source: got.source, type: got.type, payload: got.payload }).toEqual({
          source: d.source,
          type,
          payload: sent,
        });
      }
    }
    const unknownText = calls.get(CHAT_INBOX)!.find((c) => c.event.id === ids.get(DELIVERIES[4]))!.event;
    expect(unknownText).toMatchObject({ type: 'unknown', payloadFormat: 'text', payload: 'ping from happ' });

    // 5. accepted deliveries vs what the subscribers did with them
    expect(accepted).toHaveLength(DELIVERIES.length);
    const acceptedIds = new Set(accepted.map((r) => r.response.body.id as string));
    expect(acceptedIds.size).toBe(DELIVERIES.length);
    const statusCounts = responses.reduce<Record<string, number>>((acc, r) => {
      acc[r.response.status] = (acc[r.response.status] ?? 0) + 1;
      return acc;
    }, {});
    // The run's counts, for a reader who asks for them (HAPP_E2E_REPORT=1); a quiet test otherwise.
    if (process.env.HAPP_E2E_REPORT) {
      process.stderr.write(
        `${[
          `POSTs: ${responses.length} (${Object.entries(statusCounts)
            .map(([status, n]) => `${n} × ${status}`)
            .join(
              ', ',
            )}); accepted deliveries: ${acceptedIds.size}, selected by no filter: ${DELIVERIES.filter((d) => d.to.length === 0).length}`,
          table(rows),
        ].join('\n')}\n`,
      );
    }
  });
});

function table(rows: Record<string, string | number>[]): string {
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(columns),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(columns.map((c) => String(r[c])))),
  ].join('\n');
}
