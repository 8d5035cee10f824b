// happHandler against real emulators: Powertools idempotency on dynalite (conditional writes), claim
// checks on fauxqs S3, Powertools batch for partial failures. Logs captured from the console.
process.env.POWERTOOLS_DEV = 'true'; // Powertools Logger writes through the global console (captured below)

import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CALL_EVENT_TYPES,
  DEFAULT_LEASE_MS,
  HappEvents,
  happHandler,
  IDEMPOTENCY_KEY_PREFIX,
  InvalidHandlerOptionError,
  MissingConfigurationError,
  type HappContext,
  type HappEvent,
  type HappHandlerOptions,
} from 'cdk-happ-webhooks/runtime';
import {
  batchOf,
  claimChecked,
  createBucket,
  createIdempotencyTable,
  envelope,
  lambdaContext,
  scanTable,
  sqsEvent,
  sqsRecord,
  unique,
} from './factories';

const s3 = new S3Client({});
let table: string;
let bucket: string;
let logLines: string[];

beforeAll(async () => {
  table = await createIdempotencyTable();
  bucket = await createBucket(s3);
});
afterAll(() => s3.destroy());

beforeEach(() => {
  logLines = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map(String).join(' '));
    });
  }
});
afterEach(() => jest.restoreAllMocks());

const logs = (): Record<string, unknown>[] =>
  logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

/** A handler on the shared test table, with a unique subscriber name unless one is given. */
function subscriber(
  fn: (event: HappEvent, ctx: HappContext) => unknown,
  options: HappHandlerOptions & { subscriberName?: string } = {},
) {
  const { subscriberName = unique('sub'), ...rest } = options;
  return happHandler(fn, {
    idempotency: { tableName: table, subscriberName },
    logger: new Logger({ serviceName: 'test-subscriber', logLevel: 'DEBUG' }),
    s3Client: s3,
    ...rest,
  });
}

describe('happHandler', () => {
  it('calls the function once per event with a typed event and a context', async () => {
    const seen: [HappEvent, HappContext][] = [];
    const handler = subscriber((event, ctx) => {
      seen.push([event, ctx]);
    });
    const chat = envelope({
      source: 'chat',
      type: HappEvents.CHAT_MESSAGE_RECEIVED,
      payload: { text: 'hi' },
    });
    const call = envelope();
    const event = batchOf(chat, call);
    const context = lambdaContext();

    await expect(handler(event, context)).resolves.toEqual({ batchItemFailures: [] });

    expect(seen).toHaveLength(2);
    const [chatEvent, chatCtx] = seen.find(([e]) => e.id === chat.id)!;
    expect(chatEvent).toEqual({
      id: chat.id,
      source: 'chat',
      type: 'chat.message.received',
      receivedAt: chat.receivedAt,
      idempotencyKey: chat.idempotencyKey,
      payload: { text: 'hi' },
      payloadFormat: 'json',
      claimChecked: false,
    });
    expect(chatCtx.lambdaContext).toBe(context);
    expect(chatCtx.record).toBe(event.Records[0]);
    expect(chatCtx.receiveCount).toBe(1);
    expect(chatCtx.subscriberName).toMatch(/^sub-/);
    expect(typeof chatCtx.logger.info).toBe('function');
  });

  it('delivers unknown event types and non-JSON bodies', async () => {
    const seen: HappEvent[] = [];
    const handler = subscriber((event) => {
      seen.push(event);
    });
    await handler(
      batchOf(
        envelope({ type: 'unknown', payload: 'plain text', payloadEncoding: 'text' }),
        envelope({ type: 'call.transferred' }),
        envelope({ payload: Buffer.from([0xff, 0x01]).toString('base64'), payloadEncoding: 'base64' }),
      ),
      lambdaContext(),
    );
    expect(seen.map((e) => [e.type, e.payloadFormat]).sort()).toEqual([
      ['call.completed', 'binary'],
      ['call.transferred', 'json'],
      ['unknown', 'text'],
    ]);
    expect([...(seen.find((e) => e.payloadFormat === 'binary')!.payload as Buffer)]).toEqual([0xff, 0x01]);
  });

  describe('idempotency (Powertools on dynalite)', () => {
    it('runs the function once when the same event is delivered again', async () => {
      const fn = jest.fn();
      const handler = subscriber(fn);
      const env = envelope();
      await handler(batchOf(env), lambdaContext());
      // SQS redelivery: a new message (new messageId) with the same envelope, in a later batch
      await expect(handler(batchOf(env, envelope()), lambdaContext())).resolves.toEqual({
        batchItemFailures: [],
      });
      expect(fn).toHaveBeenCalledTimes(2);
      expect(fn.mock.calls.filter(([e]) => (e as HappEvent).id === env.id)).toHaveLength(1);
      expect(logs()).toContainEqual(
        expect.objectContaining({
          message: expect.stringMatching(/duplicate delivery skipped/),
          happEventId: env.id,
        }),
      );
    });

    it('treats another envelope with the same idempotency key as a duplicate', async () => {
      const fn = jest.fn();
      const handler = subscriber(fn);
      const first = envelope();
      await handler(batchOf(first), lambdaContext());
      await handler(batchOf(envelope({ idempotencyKey: first.idempotencyKey })), lambdaContext());
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('keeps subscribers apart: each runs the shared event once', async () => {
      const a = jest.fn();
      const b = jest.fn();
      const env = envelope();
      await subscriber(a, { subscriberName: 'Crm' + unique('') })(batchOf(env), lambdaContext());
      await subscriber(b, { subscriberName: 'Slack' + unique('') })(batchOf(env), lambdaContext());
      expect(a).toHaveBeenCalledTimes(1);
      expect(b).toHaveBeenCalledTimes(1);
    });

    it('stores the key as subscriber + idempotency key with the configured expiry', async () => {
      const subscriberName = unique('Expiry');
      const handler = subscriber(() => undefined, {
        idempotency: { tableName: table, subscriberName, expiresAfterSeconds: 120 },
      });
      const before = Math.floor(Date.now() / 1000);
      await handler(batchOf(envelope()), lambdaContext(45_000));
      const items = (await scanTable(table)).filter((i) =>
        String(i.id).startsWith(`${IDEMPOTENCY_KEY_PREFIX}#${subscriberName}#`),
      );
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ status: 'COMPLETED' });
      expect(items[0].expiration).toBeGreaterThanOrEqual(before + 119);
      expect(items[0].expiration).toBeLessThanOrEqual(before + 122);
    });

    it('remembers handled events for 7 days by default', async () => {
      const subscriberName = unique('Default');
      await subscriber(() => undefined, { subscriberName })(batchOf(envelope()), lambdaContext());
      const [item] = (await scanTable(table)).filter((i) => String(i.id).includes(`#${subscriberName}#`));
      expect(item.expiration).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 7 * 24 * 3600 - 5);
    });

    it('claims in-progress keys only until the invocation would time out', async () => {
      const subscriberName = unique('InProgress');
      let inProgress: Record<string, unknown> | undefined;
      const handler = subscriber(
        async () => {
          [inProgress] = (await scanTable(table)).filter((i) => String(i.id).includes(`#${subscriberName}#`));
        },
        { subscriberName },
      );
      const start = Date.now();
      await handler(batchOf(envelope()), lambdaContext(40_000));
      expect(inProgress).toMatchObject({ status: 'INPROGRESS' });
      expect(inProgress!.in_progress_expiration).toBeGreaterThanOrEqual(start + 40_000);
      expect(inProgress!.in_progress_expiration).toBeLessThan(start + 45_000);
    });

    it('releases the key when the function fails, so the retry runs it again', async () => {
      const env = envelope();
      const attempts = new Map<string, number>();
      const handler = subscriber((event) => {
        const n = (attempts.get(event.id) ?? 0) + 1;
        attempts.set(event.id, n);
        if (event.id === env.id && n === 1) throw new Error('downstream unavailable');
      });
      const first = batchOf(env, envelope());
      await expect(handler(first, lambdaContext())).resolves.toEqual({
        batchItemFailures: [{ itemIdentifier: first.Records[0].messageId }],
      });
      await handler(batchOf(env), lambdaContext()); // the retry runs again
      expect(attempts.get(env.id)).toBe(2);
      await handler(batchOf(env), lambdaContext()); // a later duplicate does not
      expect(attempts.get(env.id)).toBe(2);
    });

    it('fails a copy that arrives while the same event is in progress, then skips it', async () => {
      const env = envelope();
      let release!: () => void;
      const inProgressSeen = new Promise<void>((r) => (release = r));
      jest.spyOn(console, 'warn').mockImplementation((line: string) => {
        logLines.push(line);
        if (line.includes('another invocation is handling this event')) release();
      });
      const fn = jest.fn(async () => {
        await inProgressSeen; // still running when the copy tries to claim the key
      });
      const handler = subscriber(fn);
      const batch = batchOf(env, env);
      const { batchItemFailures } = await handler(batch, lambdaContext());
      expect(fn).toHaveBeenCalledTimes(1);
      expect(batchItemFailures).toHaveLength(1);
      expect(logs()).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          happEventId: env.id,
          error: expect.objectContaining({ name: 'IdempotencyAlreadyInProgressError' }),
        }),
      );
      const copy = batch.Records.find((r) => r.messageId === batchItemFailures[0].itemIdentifier)!;
      await expect(handler(sqsEvent(copy), lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('claims for DEFAULT_LEASE_MS when called without a Lambda context (unit tests)', async () => {
      const subscriberName = unique('NoContext');
      let inProgress: Record<string, unknown> | undefined;
      const handler = subscriber(
        async () => {
          [inProgress] = (await scanTable(table)).filter((i) => String(i.id).includes(`#${subscriberName}#`));
        },
        { subscriberName },
      );
      const start = Date.now();
      await expect(handler(batchOf(envelope()), undefined as never)).resolves.toEqual({
        batchItemFailures: [],
      });
      expect(inProgress!.in_progress_expiration).toBeGreaterThanOrEqual(start + DEFAULT_LEASE_MS);
      expect(inProgress!.in_progress_expiration).toBeLessThan(start + DEFAULT_LEASE_MS + 5_000);
    });

    it('can be turned off: no table needed, every delivery runs', async () => {
      const fn = jest.fn();
      const saved = process.env.HAPP_TABLE_NAME;
      delete process.env.HAPP_TABLE_NAME;
      try {
        const handler = happHandler(fn, { idempotency: false });
        const env = envelope();
        await handler(batchOf(env), lambdaContext());
        await handler(batchOf(env), lambdaContext());
        expect(fn).toHaveBeenCalledTimes(2);
      } finally {
        if (saved !== undefined) process.env.HAPP_TABLE_NAME = saved;
      }
    });

    it('reads the table and subscriber from HAPP_TABLE_NAME and HAPP_SUBSCRIBER_NAME', async () => {
      const subscriberName = unique('FromEnv');
      const fn = jest.fn();
      const handler = withEnv({ HAPP_TABLE_NAME: table, HAPP_SUBSCRIBER_NAME: subscriberName }, () =>
        happHandler(fn),
      );
      const env = envelope();
      await withEnvAsync({ HAPP_TABLE_NAME: table, HAPP_SUBSCRIBER_NAME: subscriberName }, async () => {
        await handler(batchOf(env), lambdaContext());
        await handler(batchOf(env), lambdaContext());
      });
      expect(fn).toHaveBeenCalledTimes(1);
      expect(
        (await scanTable(table)).some((i) => String(i.id).startsWith(`happ-subscriber#${subscriberName}#`)),
      ).toBe(true);
    });
  });

  describe('missing configuration', () => {
    it.each(['HAPP_TABLE_NAME', 'HAPP_SUBSCRIBER_NAME'])(
      'fails the invocation naming %s, so no message is acknowledged',
      async (missing) => {
        const fn = jest.fn();
        const env = { HAPP_TABLE_NAME: table, HAPP_SUBSCRIBER_NAME: 'Crm', [missing]: undefined };
        await withEnvAsync(env, async () => {
          const handler = happHandler(fn); // creating the handler does not need the configuration
          const invocation = handler(batchOf(envelope(), envelope()), lambdaContext());
          await expect(invocation).rejects.toThrow(MissingConfigurationError);
          await expect(handler(batchOf(envelope()), lambdaContext())).rejects.toThrow(
            new RegExp(`environment variable ${missing} is not set`),
          );
        });
        expect(fn).not.toHaveBeenCalled();
      },
    );
  });

  describe('partial batch failures (Powertools batch)', () => {
    it('fails only the event whose function throws', async () => {
      const bad = envelope();
      const handler = subscriber((event) => {
        if (event.id === bad.id) throw new Error('boom');
      });
      const batch = batchOf(envelope(), bad, envelope());
      await expect(handler(batch, lambdaContext())).resolves.toEqual({
        batchItemFailures: [{ itemIdentifier: batch.Records[1].messageId }],
      });
      expect(logs()).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          messageId: batch.Records[1].messageId,
          happEventId: bad.id,
          error: expect.objectContaining({ message: 'boom' }),
        }),
      );
    });

    it('fails a malformed message alone and logs its message id', async () => {
      const fn = jest.fn();
      const handler = subscriber(fn);
      const malformed = sqsRecord('this is not an envelope');
      const missingField = sqsRecord({ ...envelope(), source: undefined });
      const event = sqsEvent(sqsRecord(envelope()), malformed, missingField);
      await expect(handler(event, lambdaContext())).resolves.toEqual({
        batchItemFailures: [
          { itemIdentifier: malformed.messageId },
          { itemIdentifier: missingField.messageId },
        ],
      });
      expect(fn).toHaveBeenCalledTimes(1);
      const errors = logs().filter((l) => l.level === 'ERROR');
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            messageId: malformed.messageId,
            error: expect.objectContaining({ name: 'MalformedEnvelopeError' }),
          }),
          expect.objectContaining({
            messageId: missingField.messageId,
            error: expect.objectContaining({ message: expect.stringMatching(/"source"/) }),
          }),
        ]),
      );
    });

    it('throws when every record fails, so the whole batch returns to the queue', async () => {
      const handler = subscriber(() => {
        throw new Error('all down');
      });
      await expect(handler(batchOf(envelope(), envelope()), lambdaContext())).rejects.toThrow(
        /All records failed processing/,
      );
    });

    it('processes the records one after another when asked', async () => {
      let running = 0;
      let maxRunning = 0;
      const fn = async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setImmediate(r));
        running--;
      };
      await subscriber(fn, { processInParallel: false })(
        batchOf(envelope(), envelope(), envelope()),
        lambdaContext(),
      );
      expect(maxRunning).toBe(1);
    });

    it('processes the records of a batch concurrently by default', async () => {
      // Every call waits until all three have started: this only completes when they run concurrently.
      let started = 0;
      let release!: () => void;
      const allStarted = new Promise<void>((r) => (release = r));
      const fn = async () => {
        if (++started === 3) release();
        await allStarted;
      };
      await expect(
        subscriber(fn)(batchOf(envelope(), envelope(), envelope()), lambdaContext()),
      ).resolves.toEqual({
        batchItemFailures: [],
      });
      expect(started).toBe(3);
    });
  });

  describe('claim check (fauxqs S3)', () => {
    it('fetches a large payload from S3 and delivers it intact', async () => {
      const body = { event: 'call.completed', transcript: 'ü'.repeat(200_000) };
      const env = await claimChecked(bucket, Buffer.from(JSON.stringify(body)), {}, s3);
      const seen: HappEvent[] = [];
      await subscriber((e) => {
        seen.push(e);
      })(batchOf(env), lambdaContext());
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ id: env.id, claimChecked: true, payloadFormat: 'json' });
      expect(seen[0].payload).toEqual(body);
    });

    it('creates its own S3 client from the standard configuration (AWS_ENDPOINT_URL_S3)', async () => {
      const env = await claimChecked(bucket, Buffer.from('{"event":"call.completed","big":true}'), {}, s3);
      const seen: HappEvent[] = [];
      const handler = happHandler((e) => void seen.push(e), {
        idempotency: { tableName: table, subscriberName: unique('OwnS3') },
      });
      await expect(handler(batchOf(env), lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
      expect(seen[0].payload).toEqual({ event: 'call.completed', big: true });
    });

    it('fails the record, releases its key and never calls the function when the digest differs', async () => {
      const fn = jest.fn();
      const handler = subscriber(fn);
      const env = await claimChecked(bucket, Buffer.from('{"a":1}'), { sha256: 'f'.repeat(64) }, s3);
      const good = envelope();
      const batch = batchOf(env, good);
      await expect(handler(batch, lambdaContext())).resolves.toEqual({
        batchItemFailures: [{ itemIdentifier: batch.Records[0].messageId }],
      });
      expect(fn).toHaveBeenCalledTimes(1);
      expect(logs()).toContainEqual(
        expect.objectContaining({ error: expect.objectContaining({ name: 'PayloadIntegrityError' }) }),
      );
      // released: the same envelope fails again (not skipped as a duplicate)
      await expect(handler(batchOf(env), lambdaContext())).rejects.toThrow(/All records failed/);
    });

    it('does not read S3 for a duplicate', async () => {
      const fn = jest.fn();
      const handler = subscriber(fn);
      const env = await claimChecked(bucket, Buffer.from('{"a":1}'), {}, s3);
      const send = jest.spyOn(s3, 'send');
      await handler(batchOf(env), lambdaContext());
      await handler(batchOf(env), lambdaContext());
      expect(fn).toHaveBeenCalledTimes(1);
      expect(send).toHaveBeenCalledTimes(1);
    });
  });

  describe('map form', () => {
    it('routes each event to the function for its type and acknowledges the rest', async () => {
      const completed = jest.fn();
      const received = jest.fn();
      const handler = happHandler(
        { [HappEvents.CALL_COMPLETED]: completed, [HappEvents.CHAT_MESSAGE_RECEIVED]: received },
        {
          idempotency: { tableName: table, subscriberName: unique('Map') },
          logger: new Logger({ logLevel: 'DEBUG' }),
        },
      );
      const started = envelope({ type: HappEvents.CALL_STARTED });
      await expect(
        handler(
          batchOf(envelope(), envelope({ source: 'chat', type: HappEvents.CHAT_MESSAGE_RECEIVED }), started),
          lambdaContext(),
        ),
      ).resolves.toEqual({ batchItemFailures: [] });
      expect(completed).toHaveBeenCalledTimes(1);
      expect(received).toHaveBeenCalledTimes(1);
      expect(logs()).toContainEqual(
        expect.objectContaining({
          message: expect.stringMatching(/no function for this event type/),
          type: 'call.started',
        }),
      );
    });

    it('accepts names Happ may send beyond the known ones', async () => {
      const fn = jest.fn();
      const handler = happHandler({ 'call.transferred': fn }, { idempotency: false });
      await handler(batchOf(envelope({ type: 'call.transferred' })), lambdaContext());
      expect(fn).toHaveBeenCalledTimes(1);
      expect(CALL_EVENT_TYPES).not.toContain('call.transferred');
    });
  });

  describe('logs', () => {
    it('carry ids and types but never the payload', async () => {
      const marker = 'SECRET-CUSTOMER-MESSAGE-4711';
      const handler = subscriber((event, { logger }) => {
        logger.info('user line');
        if ((event.payload as { fail?: boolean }).fail) throw new Error('cannot process');
      });
      const ok = envelope({ payload: { text: marker } });
      const failing = envelope({ payload: { text: marker, fail: true } });
      await handler(batchOf(ok, failing, `${marker} malformed`), lambdaContext());
      expect(logLines.length).toBeGreaterThan(3);
      expect(logLines.join('\n')).not.toContain(marker);
      expect(logs()).toContainEqual(
        expect.objectContaining({
          message: 'user line',
          happEventId: ok.id,
          type: 'call.completed',
          source: 'call',
        }),
      );
      expect(logs()).toContainEqual(
        expect.objectContaining({
          message: 'batch processed',
          records: 3,
          handled: 1,
          failed: 2,
          duplicates: 0,
        }),
      );
    });
  });

  describe('options', () => {
    it.each([
      [
        { idempotency: { expiresAfterSeconds: 0 } },
        /expiresAfterSeconds must be a whole number of seconds >= 1 \(given 0\)/,
      ],
      [{ idempotency: { expiresAfterSeconds: 1.5 } }, /\(given 1.5\)/],
      [{ idempotency: { tableName: '' } }, /idempotency.tableName must be a non-empty string/],
      [{ idempotency: 'yes' }, /idempotency must be true, false or an options object \(given yes\)/],
    ])('fails when given %j', (options, message) => {
      expect(() => happHandler(() => undefined, options as HappHandlerOptions)).toThrow(
        InvalidHandlerOptionError,
      );
      expect(() => happHandler(() => undefined, options as HappHandlerOptions)).toThrow(message);
    });

    it('fails when the map is empty or names a non-function', () => {
      expect(() => happHandler({})).toThrow(/empty map/);
      expect(() => happHandler({ 'call.completed': 'nope' } as never)).toThrow(
        /handler for event type "call.completed" must be a function \(given string\)/,
      );
      expect(() => happHandler(null as never)).toThrow(/expects a function or a map .* \(given null\)/);
    });
  });
});

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

async function withEnvAsync<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

function apply(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
