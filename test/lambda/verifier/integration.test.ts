// Exactly-once acceptance, claim check and dependency failures against dynalite, fauxqs and the
// local Secrets Manager — run twice: with createHandler from the source, and with the BUNDLED
// artifact dist/lambda/verifier/index.js in a child process (its own AWS SDK, like a Lambda container).
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { LocalSecretsManagerServer } from '../../../bin/local/secrets-manager-server';
import { isClaimChecked } from '../../../lambda/shared/envelope';
import { signBody } from '../../../lambda/shared/signature';
import type { VerifierConfig } from '../../../lambda/verifier/config';
import { createHandler } from '../../../lambda/verifier/handler';
import { BundleContainer, type Invoke } from './bundle-container';
import * as t from './support';

let sm: LocalSecretsManagerServer;
beforeAll(async () => {
  sm = await t.startSecretsManager();
});
afterAll(async () => {
  await sm.stop();
});

const CHAT = 'chat-secret';
const CALL = 'call-secret';

interface Implementation {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A handler for this config (source: a new handler, as in a new container; bundle: in the one container). */
  create(config: VerifierConfig): Promise<Invoke>;
  /** Everything printed so far (logs, metrics). */
  output(): string;
}

function sourceImplementation(): Implementation {
  let captured: t.Captured | undefined;
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  return {
    start: async () => {
      process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG'; // read by each createHandler's Logger
      captured = t.captureOutput();
    },
    stop: async () => {
      captured?.restore();
      process.env.POWERTOOLS_LOG_LEVEL = level;
    },
    create: async (config) => {
      const handler = createHandler(config);
      return (event, remainingMs) => handler(event, t.lambdaContext(remainingMs));
    },
    output: () => captured?.text() ?? '',
  };
}

function bundleImplementation(): Implementation {
  let container: BundleContainer | undefined;
  return {
    start: async () => {
      container = await BundleContainer.start({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    },
    stop: async () => container?.stop(),
    create: async (config) => (container as BundleContainer).createHandler(config),
    output: () => container?.text() ?? '',
  };
}

const secretsUsed = new Set<string>([CHAT, CALL]);
const signaturesUsed = new Set<string>();

function signed(source: 'chat' | 'call', body: string | Buffer): APIGatewayProxyEvent {
  const event = t.signedEvent(source, body, source === 'chat' ? CHAT : CALL);
  signaturesUsed.add(Object.values(event.headers).find((v) => v?.startsWith('sha256=')) as string);
  return event;
}

const statuses = (responses: APIGatewayProxyResult[]) => responses.map((r) => r.statusCode);

describe.each([
  ['source (createHandler)', sourceImplementation],
  ['bundle (dist/lambda/verifier/index.js)', bundleImplementation],
])('%s', (_name, make) => {
  const impl = make();
  beforeAll(() => impl.start());
  afterAll(async () => {
    // Whatever happened above, the secrets and the signatures never reached the output.
    const output = impl.output();
    expect(output.length).toBeGreaterThan(0);
    for (const forbidden of [...secretsUsed, ...signaturesUsed]) expect(output).not.toContain(forbidden);
    await impl.stop();
  });

  it('publishes a delivery once; the same delivery again answers 200 duplicate and publishes nothing', async () => {
    const stack = await t.createStack(sm, { call: CALL });
    const invoke = await impl.create(t.stackConfig(stack));
    const body = JSON.stringify({ event: 'call.completed', callId: `call_${t.suffix()}`, duration: 252 });

    const first = await invoke(signed('call', body));
    expect(first.statusCode).toBe(202);
    const { id } = t.bodyOf(first);
    const published = await t.drain(stack.queueUrl);
    expect(published).toHaveLength(1);
    expect(published[0].attributes).toEqual({ source: 'call', type: 'call.completed' });
    expect(published[0].envelope).toEqual({
      version: 1,
      id,
      source: 'call',
      type: 'call.completed',
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      idempotencyKey: `call#${t.sha256(body)}`,
      payload: JSON.parse(body),
      payloadEncoding: 'json',
    });

    for (let i = 0; i < 3; i++) {
      const again = await invoke(signed('call', body));
      expect(again.statusCode).toBe(200);
      expect(t.bodyOf(again)).toEqual({ status: 'duplicate', id });
    }
    expect(await t.drain(stack.queueUrl)).toHaveLength(0);
    const records = await t.records(stack.table);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'COMPLETED', id: expect.stringMatching(/^happ-verifier#/) });
    // Completed records live for the dedupe window (7 days by default).
    expect(Number(records[0].expiration)).toBeGreaterThan(Date.now() / 1000 + 6 * 24 * 3600);
  });

  it('publishes 20 concurrent copies of a delivery exactly once', async () => {
    const stack = await t.createStack(sm);
    const config = t.stackConfig(stack);
    // Source: 20 handlers, as if 20 containers took one copy each. Bundle: one container, 20 at once.
    const handlers = await Promise.all(Array.from({ length: 20 }, () => impl.create(config)));
    const body = JSON.stringify({ event: 'chat.message.received', messageId: t.suffix() });

    const responses = await Promise.all(handlers.map((invoke) => invoke(signed('chat', body))));
    expect(statuses(responses).filter((s) => s === 202)).toHaveLength(1);
    expect(statuses(responses).every((s) => s === 202 || s === 200 || s === 503)).toBe(true);
    const published = await t.drain(stack.queueUrl);
    expect(published).toHaveLength(1);
    const accepted = responses.find((r) => r.statusCode === 202) as APIGatewayProxyResult;
    expect(published[0].envelope.id).toBe(t.bodyOf(accepted).id);

    const later = await handlers[0](signed('chat', body));
    expect(t.bodyOf(later)).toEqual({ status: 'duplicate', id: published[0].envelope.id });
    expect(await t.drain(stack.queueUrl)).toHaveLength(0);
    expect((await t.records(stack.table)).map((r) => r.status)).toEqual(['COMPLETED']);
  });

  it("claim-checks a body too large for SNS; the stored object's SHA-256 and size match", async () => {
    const stack = await t.createStack(sm);
    const invoke = await impl.create(t.stackConfig(stack));
    const body = JSON.stringify({
      event: 'call.recording.available',
      callId: t.suffix(),
      transcript: 'é'.repeat(150_000), // 300 KB of UTF-8
    });
    const response = await invoke(signed('call', body));
    expect(response.statusCode).toBe(202);
    const [{ envelope, attributes }] = await t.drain(stack.queueUrl);
    expect(attributes).toEqual({ source: 'call', type: 'call.recording.available' });
    if (!isClaimChecked(envelope)) throw new Error('expected a claim-checked envelope');
    expect(envelope).not.toHaveProperty('payload');
    expect(envelope.payloadLocation).toMatchObject({
      bucket: stack.bucket,
      size: Buffer.byteLength(body),
      sha256: t.sha256(body),
    });
    const stored = await t.getObject(stack.bucket, envelope.payloadLocation.key);
    expect(stored.length).toBe(envelope.payloadLocation.size);
    expect(t.sha256(stored)).toBe(envelope.payloadLocation.sha256);
    expect(stored.equals(Buffer.from(body))).toBe(true);
  });

  describe('a failing dependency answers 5xx, leaves no completed record, and the retry after recovery publishes once', () => {
    interface Failure {
      /** Config for the broken state (names of resources that do not exist yet). */
      config?: (stack: t.Stack, missing: string) => Partial<VerifierConfig>;
      break?: () => void;
      /** Repairs the dependency; returns the queue to read if it changed. */
      repair: (stack: t.Stack, missing: string) => Promise<string | void>;
    }
    const failures: [string, Failure][] = [
      [
        'Secrets Manager unavailable',
        {
          break: () => {
            sm.down = true;
          },
          repair: async () => {
            sm.down = false;
          },
        },
      ],
      [
        'DynamoDB table missing',
        {
          config: (_stack, missing) => ({ tableName: missing }),
          repair: async (_stack, missing) => t.createTable(missing),
        },
      ],
      [
        'S3 bucket missing',
        {
          config: (_stack, missing) => ({ bucketName: missing, claimCheckThresholdBytes: 0 }),
          repair: async (_stack, missing) => t.createBucket(missing),
        },
      ],
      [
        'SNS topic missing',
        {
          config: (stack, missing) => ({ topicArn: stack.topicArn.replace(/[^:]+$/, missing) }),
          repair: async (_stack, missing) => t.subscribeQueue(await t.createTopic(missing), `q-${missing}`),
        },
      ],
    ];

    it.each(failures)('%s', async (_name, failure) => {
      const stack = await t.createStack(sm);
      const missing = `missing-${t.suffix()}`;
      const config = { ...t.stackConfig(stack), ...failure.config?.(stack, missing) };
      const table = config.tableName;
      const invoke = await impl.create(config);
      const body = JSON.stringify({ event: 'chat.message.received', messageId: t.suffix() });

      failure.break?.();
      let failed: APIGatewayProxyResult;
      try {
        failed = await invoke(signed('chat', body));
      } finally {
        if (failure.break) await failure.repair(stack, missing);
      }
      expect(failed.statusCode).toBe(503);
      expect(t.bodyOf(failed)).toEqual({ message: expect.any(String) });
      expect(await t.drain(stack.queueUrl)).toHaveLength(0);
      if (table !== missing) expect(await t.records(table)).toEqual([]);

      const queueUrl = failure.break
        ? stack.queueUrl
        : ((await failure.repair(stack, missing)) ?? stack.queueUrl);
      const retry = await invoke(signed('chat', body));
      expect(retry.statusCode).toBe(202);
      const again = await invoke(signed('chat', body));
      expect(again.statusCode).toBe(200);
      const published = await t.drain(queueUrl);
      expect(published).toHaveLength(1);
      expect(published[0].envelope.id).toBe(t.bodyOf(retry).id);
      expect((await t.records(table)).map((r) => r.status)).toEqual(['COMPLETED']);
    });
  });
});

describe('the bundled handler export', () => {
  it('reads its configuration from the environment (what the construct sets)', async () => {
    const stack = await t.createStack(sm);
    const container = await BundleContainer.start({
      ...t.stackEnv(stack),
      HAPP_CALL_SECRET_ARN: '', // call route disabled
      HAPP_IDEMPOTENCY_KEY_FIELDS: 'messageId',
    });
    try {
      expect(container.exports).toEqual(
        expect.arrayContaining(['handler', 'createHandler', 'loadVerifierConfig']),
      );
      const messageId = `m-${t.suffix()}`;
      const first = await container.handler(
        signed('chat', JSON.stringify({ event: 'chat.message.sent', messageId })),
      );
      expect(first.statusCode).toBe(202);
      // Same messageId, different bytes: a duplicate by the configured key field.
      const second = await container.handler(
        signed('chat', JSON.stringify({ messageId, event: 'chat.message.sent' })),
      );
      expect(t.bodyOf(second)).toMatchObject({ status: 'duplicate' });
      expect((await container.handler(signed('call', '{}'))).statusCode).toBe(404);
      const published = await t.drain(stack.queueUrl);
      expect(published.map((p) => p.envelope.idempotencyKey)).toEqual([`chat#"${messageId}"`]);
    } finally {
      await container.stop();
    }
  });

  it('answers 500 to every request and logs the variable when the configuration is invalid, without crashing', async () => {
    const stack = await t.createStack(sm);
    const container = await BundleContainer.start({
      ...t.stackEnv(stack),
      HAPP_TABLE_NAME: '',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    try {
      for (let i = 0; i < 2; i++) {
        const response = await container.handler(signed('chat', '{"event":"x"}'));
        expect(response.statusCode).toBe(500);
        expect(t.bodyOf(response)).toEqual({ message: 'the receiver is misconfigured' });
      }
      expect(container.text()).toMatch(/HAPP_TABLE_NAME is not set/);
      expect(await t.drain(stack.queueUrl)).toHaveLength(0);
    } finally {
      await container.stop();
    }
  });

  it('never logs the secret or the signature, at DEBUG level, whatever the outcome', async () => {
    const secret = `s3cr3t-${t.suffix()}`;
    const stack = await t.createStack(sm, { chat: secret, call: `{"current": "${secret}"` });
    const container = await BundleContainer.start({ ...t.stackEnv(stack), POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    try {
      const body = JSON.stringify({ event: 'chat.message.received', text: 'payload-marker-5d1e' });
      const hex = signBody(body, secret);
      const b64 = signBody(body, secret, { encoding: 'base64' });
      const requests: [string, APIGatewayProxyEvent][] = [
        ['accepted', t.apiEvent(body, { headers: { 'X-HAPP-Signature': `sha256=${hex}` } })],
        ['duplicate', t.apiEvent(body, { headers: { 'X-HAPP-Signature': b64 } })],
        ['wrong body', t.apiEvent(`${body}\n`, { headers: { 'X-HAPP-Signature': hex } })],
        ['malformed secret', t.apiEvent(body, { path: '/call', headers: { 'X-HAPP-Signature': hex } })],
      ];
      const got = [];
      for (const [, request] of requests) got.push((await container.handler(request)).statusCode);
      expect(got).toEqual([202, 200, 401, 500]);
      const output = container.text();
      expect(output).toMatch(/"outcome":"accepted"/);
      expect(output).toMatch(/"outcome":"misconfigured"/);
      for (const forbidden of [secret, hex, hex.toUpperCase(), b64, 'payload-marker-5d1e']) {
        expect(output).not.toContain(forbidden);
      }
      await t.drain(stack.queueUrl);
    } finally {
      await container.stop();
    }
  });
});
