import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { LocalSecretsManagerServer } from '../../../../bin/local/secrets-manager-server';
import {
  happTool,
  HappToolError,
  InvalidToolOptionError,
  toolEntryHandler,
  TOOL_IDEMPOTENCY_KEY_PREFIX,
  constructSettings,
  timeSinceReceived,
  type HappToolContext,
} from '../../../../lambda/runtime';
import { formatSecretValue } from '../../../../lambda/shared/secrets';
import { captureOutput, lambdaContext, startSecretsManager } from '../../verifier/support';
import { signToolRequest } from '../../../../lambda/shared/tool-signature';
import { createIdempotencyTable, scanTable, unique } from '../factories';
import { bodyOf, toolEvent } from './support';

const SECRET = 'tool-secret-0123456789';
let sm: LocalSecretsManagerServer;
let secretArn: string;
let out: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  sm = await startSecretsManager();
  secretArn = sm.setSecret(unique('tool'), SECRET);
});
afterAll(async () => {
  await sm.stop();
});
beforeEach(() => {
  out = captureOutput();
});
afterEach(() => out.restore());

/** EMF counts of one tool's metrics (namespace HappWebhooks, dimension Tool only). */
function toolMetrics(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of out.json()) {
    const aws = line._aws as
      | { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }
      | undefined;
    if (!aws) continue;
    for (const d of aws.CloudWatchMetrics) {
      expect(d.Namespace).toBe('HappWebhooks');
      expect(d.Dimensions).toEqual([['Tool']]);
      for (const m of d.Metrics) counts[m.Name] = (counts[m.Name] ?? 0) + Number(line[m.Name]);
    }
  }
  return counts;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyToolFn = (params: any, ctx: HappToolContext) => unknown;
const lookup = (
  fn: AnyToolFn = jest.fn(async (params: { orderId: string }) => ({
    orderId: params.orderId,
    status: 'shipped',
  })),
  options = {},
) => {
  const handler = happTool(fn, {
    name: 'lookup',
    secretArn,
    idempotency: false,
    timeoutMs: 5_000,
    logger: new Logger({ logLevel: 'INFO', serviceName: 'test-tool' }),
    ...options,
  });
  return { fn, handler };
};

describe('happTool: the signature comes first', () => {
  test('a correctly signed POST runs the function and answers its result as JSON (200)', async () => {
    const { fn, handler } = lookup();
    const res = await handler(toolEvent({ orderId: 'o-1' }, { secret: SECRET }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(bodyOf(res)).toEqual({ orderId: 'o-1', status: 'shipped' });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(toolMetrics()).toEqual({ ToolAnswered: 1 });
  });

  test('a missing signature answers 401 JSON and no user code runs', async () => {
    const { fn, handler } = lookup();
    const res = await handler(toolEvent({ orderId: 'o-1' }), lambdaContext());
    expect(res.statusCode).toBe(401);
    expect(bodyOf(res)).toEqual({ error: 'unauthorized', message: 'missing or invalid signature' });
    expect(fn).not.toHaveBeenCalled();
    expect(toolMetrics()).toEqual({ ToolSignatureInvalid: 1 });
  });

  test('a wrong signature answers 401 and no user code runs; the log has neither secret nor signature', async () => {
    const { fn, handler } = lookup();
    const event = toolEvent({ orderId: 'o-1' }, { secret: 'not-the-secret' });
    const res = await handler(event, lambdaContext());
    expect(res.statusCode).toBe(401);
    expect(fn).not.toHaveBeenCalled();
    expect(out.text()).not.toContain(SECRET);
    expect(out.text()).not.toContain(event.headers['X-HAPP-Signature']!.slice(7));
  });

  test('the body is covered: a body changed after signing answers 401', async () => {
    const { fn, handler } = lookup();
    const event = toolEvent({ orderId: 'o-1' }, { secret: SECRET });
    event.body = Buffer.from(JSON.stringify({ orderId: 'o-2' })).toString('base64');
    expect((await handler(event, lambdaContext())).statusCode).toBe(401);
    expect(fn).not.toHaveBeenCalled();
  });

  test('while rotating, the previous secret still verifies; base64 and hex, with or without sha256=', async () => {
    const arn = sm.setSecret(
      unique('rot'),
      formatSecretValue({ current: 'new-secret-value', previous: [SECRET] }),
    );
    const { handler } = lookup(undefined, { secretArn: arn });
    for (const options of [
      { secret: SECRET },
      { secret: 'new-secret-value', encoding: 'base64' as const },
      { secret: SECRET, prefix: '' },
    ]) {
      const res = await handler(toolEvent({ orderId: 'o-1' }, options), lambdaContext());
      expect(res.statusCode).toBe(200);
    }
    expect(
      (await handler(toolEvent({ orderId: 'o-1' }, { secret: 'old-old' }), lambdaContext())).statusCode,
    ).toBe(401);
  });

  test('a secret rotated after it was cached verifies at once (one refresh on mismatch)', async () => {
    const name = unique('rot2');
    const arn = sm.setSecret(name, 'first-secret');
    const { handler } = lookup(undefined, { secretArn: arn, secretRefreshIntervalMs: 0 });
    expect(
      (await handler(toolEvent({ orderId: 'a' }, { secret: 'first-secret' }), lambdaContext())).statusCode,
    ).toBe(200);
    sm.setSecret(name, formatSecretValue({ current: 'second-secret', previous: ['first-secret'] }));
    expect(
      (await handler(toolEvent({ orderId: 'a' }, { secret: 'second-secret' }), lambdaContext())).statusCode,
    ).toBe(200);
  });

  test('Secrets Manager down before any secret was read: 503 + retry-after (retry-fixable), no user code', async () => {
    const { fn, handler } = lookup(undefined, { secretArn: sm.setSecret(unique('down'), SECRET) });
    sm.down = true;
    try {
      const res = await handler(toolEvent({ orderId: 'o-1' }, { secret: SECRET }), lambdaContext());
      expect(res.statusCode).toBe(503);
      expect(res.headers).toMatchObject({ 'retry-after': '1' });
      expect(fn).not.toHaveBeenCalled();
    } finally {
      sm.down = false;
    }
  });
});

describe('happTool: parameters', () => {
  test('GET: parameters come from the query string, whose canonical form is what the signature covers', async () => {
    const fn = jest.fn(async (params: Record<string, unknown>) => ({ got: params }));
    const { handler } = lookup(fn as never);
    const query = { orderId: 'o 1/ä', tag: ['b', 'a'] };
    const res = await handler(
      toolEvent(undefined, { method: 'GET', query, secret: SECRET }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({ got: { orderId: 'o 1/ä', tag: ['b', 'a'] } });

    // A query parameter added or changed after signing is not covered: 401.
    const tampered = toolEvent(undefined, {
      method: 'GET',
      query: { ...query, orderId: 'o-2' },
      signedQuery: query,
      secret: SECRET,
    });
    expect((await handler(tampered, lambdaContext())).statusCode).toBe(401);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('GET: query values are coerced to the schema types before validation', async () => {
    const fn = jest.fn(async (params: { count: number }) => ({ double: params.count * 2 }));
    const schema = {
      type: 'object',
      properties: { count: { type: 'integer', maximum: 10 } },
      required: ['count'],
    };
    const { handler } = lookup(fn as never, { schema });
    const ok = await handler(
      toolEvent(undefined, { method: 'GET', query: { count: '4' }, secret: SECRET }),
      lambdaContext(),
    );
    expect(bodyOf(ok)).toEqual({ double: 8 });
    const bad = await handler(
      toolEvent(undefined, { method: 'GET', query: { count: '40' }, secret: SECRET }),
      lambdaContext(),
    );
    expect(bad.statusCode).toBe(400);
  });

  test('a schema violation answers 400 with the violations and the function does not run', async () => {
    const schema = {
      type: 'object',
      properties: { orderId: { type: 'string', pattern: '^o-' }, quantity: { type: 'integer', minimum: 1 } },
      required: ['orderId', 'quantity'],
      additionalProperties: false,
    };
    const { fn, handler } = lookup(undefined, { schema });
    const res = await handler(toolEvent({ orderId: 'x', extra: true }, { secret: SECRET }), lambdaContext());
    expect(res.statusCode).toBe(400);
    const body = bodyOf(res);
    expect(body).toMatchObject({
      error: 'invalid_parameters',
      message: 'the parameters do not match the tool schema',
    });
    expect(body.violations).toEqual(
      expect.arrayContaining([
        { path: '/quantity', message: "must have required property 'quantity'" },
        { path: '/extra', message: 'must NOT have additional properties' },
        { path: '/orderId', message: 'must match pattern "^o-"' },
      ]),
    );
    expect(fn).not.toHaveBeenCalled();
    expect(toolMetrics()).toEqual({ ToolInvalidParameters: 1 });
  });

  test('a signed body that is not JSON answers 400 (a retry would send the same bytes)', async () => {
    const { fn, handler } = lookup();
    const res = await handler(toolEvent('not json{', { secret: SECRET }), lambdaContext());
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res)).toEqual({ error: 'invalid_parameters', message: 'the request body is not JSON' });
    expect(fn).not.toHaveBeenCalled();
  });

  test('the context carries the raw request, headers, query, the Lambda context and the budget left', async () => {
    let seen: HappToolContext | undefined;
    const { handler } = lookup(async (_p: unknown, ctx: HappToolContext) => {
      seen = ctx;
      return { ok: true };
    });
    const context = lambdaContext(20_000);
    await handler(
      toolEvent({ orderId: 'o-1' }, { secret: SECRET, headers: { 'X-Trace': 't-1' }, query: { lang: 'de' } }),
      context,
    );
    expect(seen?.toolName).toBe('lookup');
    expect(seen?.headers['x-trace']).toBe('t-1');
    expect(seen?.query).toEqual({ lang: 'de' });
    expect(seen?.rawRequest.body.toString()).toBe('{"orderId":"o-1"}');
    expect(seen?.rawRequest.method).toBe('POST');
    expect(seen?.lambdaContext.awsRequestId).toBe(context.awsRequestId);
    const left = seen!.remainingMs();
    expect(left).toBeGreaterThan(3_000);
    expect(left).toBeLessThanOrEqual(5_000); // the tool's timeout, not Lambda's 20 s
    expect(seen?.signal.aborted).toBe(false);
  });

  test('an invalid schema fails when the tool is created, naming the problem', () => {
    expect(() => happTool(async () => 1, { schema: { type: 'nonsense' } })).toThrow(InvalidToolOptionError);
    expect(() => happTool(async () => 1, { schema: { type: 'nonsense' } })).toThrow(
      /schema is not a valid JSON Schema/,
    );
    expect(() => happTool(async () => 1, { timeoutMs: 0 })).toThrow(
      /timeoutMs must be a whole number of ms >= 1 \(given 0\)/,
    );
  });
});

describe('happTool: answers', () => {
  test('an HTTP API (payload 2.0) request: signed POST answered, signed GET with repeated params, unsigned 401', async () => {
    const fn = jest.fn(async (params: Record<string, unknown>) => ({ got: params }));
    const { handler } = lookup(fn, { schema: false });
    const v2 = (method: string, body: string, rawQueryString: string, signature?: string) =>
      ({
        version: '2.0',
        routeKey: `${method} /tools/lookup`,
        rawPath: '/tools/lookup',
        rawQueryString,
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-happ-signature': signature } : {}),
        },
        body: body || undefined,
        isBase64Encoded: false,
        requestContext: { http: { method } },
      }) as never;
    const post = '{"orderId":"o-1"}';
    const signedPost = signToolRequest(post, {}, SECRET);
    expect((await handler(v2('POST', post, '', signedPost), lambdaContext())).statusCode).toBe(200);
    const query = { tag: ['a b', 'c+d'], orderId: 'o-2' };
    const signedGet = signToolRequest('', query, SECRET);
    const get = await handler(v2('GET', '', 'tag=a+b&tag=c%2Bd&orderId=o-2', signedGet), lambdaContext());
    expect(get.statusCode).toBe(200);
    expect(fn).toHaveBeenLastCalledWith({ tag: ['a b', 'c+d'], orderId: 'o-2' }, expect.anything());
    const calls = fn.mock.calls.length;
    expect((await handler(v2('POST', post, ''), lambdaContext())).statusCode).toBe(401);
    expect(fn).toHaveBeenCalledTimes(calls);
  });

  test('a body-less DELETE takes its parameters from the (signed) query string, like a GET', async () => {
    const fn = jest.fn(async (params: { id: string }) => ({ deleted: params.id }));
    const { handler } = lookup(fn);
    const res = await handler(
      toolEvent(undefined, { secret: SECRET, method: 'DELETE', query: { id: 'o-1' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    expect(fn).toHaveBeenCalledWith({ id: 'o-1' }, expect.anything());
  });

  test("a HappToolError's details cannot overwrite the answer's error and message", async () => {
    const { handler } = lookup(() => {
      throw new HappToolError('real message', { details: { message: 'overridden', error: 'x', extra: 1 } });
    });
    const body = bodyOf(await handler(toolEvent({ orderId: 'o-1' }, { secret: SECRET }), lambdaContext()));
    expect(body).toMatchObject({ message: 'real message', extra: 1 });
    expect(body.error).not.toBe('x');
  });

  test("the construct's name, secret and timeout win over the module's own options", () => {
    const settings = constructSettings({
      HAPP_TOOL_NAME: 'lookup-order',
      HAPP_TOOL_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
      HAPP_TOOL_TIMEOUT_MS: '8000',
    });
    expect(settings).toEqual({
      name: 'lookup-order',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
      timeoutMs: 8000,
    });
  });

  test("the module's own name and secretArn lose to the construct's (alarms and table permission follow the construct)", async () => {
    const fn = jest.fn(async () => ({ ok: true }));
    const module = {
      handler: happTool(fn, {
        name: 'lookup',
        secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:wrong',
        idempotency: false,
      }),
    };
    const wrapped = toolEntryHandler(
      module,
      {},
      constructSettings({ HAPP_TOOL_NAME: 'lookup-order', HAPP_TOOL_SECRET_ARN: secretArn }),
    );
    const res = await wrapped(toolEvent({ orderId: 'o-1' }, { secret: SECRET }), lambdaContext());
    expect(res.statusCode).toBe(200); // verified with the construct's secret, not the module's
    const emf = out.json().find((l) => l._aws !== undefined)!;
    expect(emf.Tool).toBe('lookup-order');
    expect(constructSettings({})).toEqual({});
  });

  test('a HappToolError is answered as JSON the assistant can relay (200 unless a status is given)', async () => {
    const { handler } = lookup(async () => {
      throw new HappToolError('order o-9 does not exist', { details: { orderId: 'o-9' } });
    });
    const res = await handler(toolEvent({ orderId: 'o-9' }, { secret: SECRET }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({ error: 'tool_error', message: 'order o-9 does not exist', orderId: 'o-9' });
    expect(toolMetrics()).toEqual({ ToolError: 1 });

    const { handler: withStatus } = lookup(async () => {
      throw new HappToolError('slot taken', { status: 409, code: 'conflict' });
    });
    const res2 = await withStatus(toolEvent({}, { secret: SECRET }), lambdaContext());
    expect(res2.statusCode).toBe(409);
    expect(bodyOf(res2)).toEqual({ error: 'conflict', message: 'slot taken' });
    expect(() => new HappToolError('x', { status: 302 })).toThrow(
      /status must be 200 or an integer between 400 and 599 \(given 302\)/,
    );
  });

  test('any other error is a generic 500; the log line has the error and its stack', async () => {
    const { handler } = lookup(async () => {
      throw new TypeError('db row missing column');
    });
    const res = await handler(toolEvent({}, { secret: SECRET }), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res)).toEqual({ error: 'internal_error', message: 'the tool failed; try again later' });
    expect(res.body).not.toContain('db row');
    const line = out.logs().find((l) => l.message === 'the tool function threw; answered 500') as {
      error: { name: string; message: string; stack: string };
    };
    expect(line.error).toMatchObject({ name: 'TypeError', message: 'db row missing column' });
    expect(line.error.stack).toContain('tool.test.ts');
    expect(toolMetrics()).toEqual({ ToolFailure: 1 });
  });

  test('a function still running at the deadline is answered 504 by the helper, in time, and logged', async () => {
    let aborted = false;
    const { handler } = lookup(
      async (_p: unknown, ctx: HappToolContext) => {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        await new Promise(() => undefined); // hangs forever
      },
      { timeoutMs: 600 },
    );
    const started = Date.now();
    const res = await handler(toolEvent({}, { secret: SECRET }), lambdaContext(30_000));
    const took = Date.now() - started;
    expect(res.statusCode).toBe(504);
    expect(bodyOf(res)).toEqual({ error: 'timeout', message: 'the tool did not answer in time' });
    expect(took).toBeLessThan(600); // before the tool's timeout (the margin is 100 ms)
    expect(aborted).toBe(true);
    expect(
      out
        .logs()
        .some(
          (l) =>
            l.message === 'the tool function did not answer before the deadline; answered a timeout error',
        ),
    ).toBe(true);
    expect(toolMetrics()).toEqual({ ToolTimeout: 1 });
  });

  test("the tool's timeout counts from when API Gateway received the request (a cold start's init is inside it)", async () => {
    const fn = jest.fn(() => new Promise(() => undefined)); // never answers
    const { handler } = lookup(fn, { timeoutMs: 2_000 });
    const event = toolEvent({ orderId: 'o-1' }, { secret: SECRET });
    // Received 1.5 s ago (say, a slow cold start): 0.5 s of the 2 s are left.
    (event.requestContext as unknown as Record<string, unknown>) = {
      ...event.requestContext,
      requestTimeEpoch: Date.now() - 1_500,
    };
    const started = Date.now();
    const res = await handler(event, lambdaContext());
    expect(res.statusCode).toBe(504);
    // Without counting the 1.5 s already spent it would answer at ~1.9 s; generous margin either way.
    expect(Date.now() - started).toBeLessThan(1_300);
  });

  test('timeSinceReceived reads both payload formats and ignores clocks it cannot trust', () => {
    const now = 1_000_000;
    expect(timeSinceReceived({ requestContext: { requestTimeEpoch: now - 300 } }, now, 10_000)).toBe(300);
    expect(timeSinceReceived({ requestContext: { timeEpoch: now - 250 } }, now, 10_000)).toBe(250);
    expect(timeSinceReceived({}, now, 10_000)).toBe(0);
    expect(timeSinceReceived({ requestContext: { requestTimeEpoch: now + 500 } }, now, 10_000)).toBe(0);
    expect(timeSinceReceived({ requestContext: { requestTimeEpoch: now - 60_000 } }, now, 10_000)).toBe(0);
  });

  test('the deadline also follows the Lambda time left when that is shorter than the tool timeout', async () => {
    const { handler } = lookup(async () => new Promise(() => undefined), { timeoutMs: 20_000 });
    const started = Date.now();
    const res = await handler(toolEvent({}, { secret: SECRET }), lambdaContext(700));
    expect(res.statusCode).toBe(504);
    expect(Date.now() - started).toBeLessThan(700);
  });

  test('undefined is answered as JSON null; a string as a JSON string', async () => {
    expect(
      (await lookup(async () => undefined).handler(toolEvent({}, { secret: SECRET }), lambdaContext())).body,
    ).toBe('null');
    expect(
      (await lookup(async () => 'ok').handler(toolEvent({}, { secret: SECRET }), lambdaContext())).body,
    ).toBe('"ok"');
  });
});

describe('happTool: idempotent actions (dynalite)', () => {
  const ddb = new DynamoDBClient({});
  let table: string;
  beforeAll(async () => {
    table = await createIdempotencyTable(ddb);
  });

  test('a retried request gets the stored answer of the first; the function runs once', async () => {
    let n = 0;
    const fn = jest.fn(async (p: { slot: string }) => ({ booked: p.slot, confirmation: ++n }));
    const handler = happTool(fn, {
      name: 'book',
      secretArn,
      idempotency: { tableName: table, dynamoDbClient: ddb },
    });
    const event = toolEvent({ slot: '10:00' }, { secret: SECRET });
    const first = await handler(event, lambdaContext());
    const retry = await handler(event, lambdaContext());
    expect(first.statusCode).toBe(200);
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toBe(first.body);
    expect(bodyOf(retry)).toEqual({ booked: '10:00', confirmation: 1 });
    expect(retry.headers).toMatchObject({ 'x-happ-tool-replayed': 'true' });
    expect(fn).toHaveBeenCalledTimes(1);
    const items = await scanTable(table, ddb);
    expect(items.some((i) => String(i.id).startsWith(`${TOOL_IDEMPOTENCY_KEY_PREFIX}#book#`))).toBe(true);
    expect(toolMetrics()).toEqual({ ToolAnswered: 1, ToolReplayed: 1 });

    // A different request (other body) runs.
    const other = await handler(toolEvent({ slot: '11:00' }, { secret: SECRET }), lambdaContext());
    expect(bodyOf(other)).toEqual({ booked: '11:00', confirmation: 2 });
  });

  test('a HappToolError is not stored: the retry runs the function again', async () => {
    const fn = jest
      .fn()
      .mockRejectedValueOnce(new HappToolError('busy, try again'))
      .mockResolvedValueOnce({ ok: true });
    const handler = happTool(fn, {
      name: 'flaky',
      secretArn,
      idempotency: { tableName: table, dynamoDbClient: ddb },
    });
    const event = toolEvent({ a: 1 }, { secret: SECRET });
    expect(bodyOf(await handler(event, lambdaContext()))).toMatchObject({ error: 'tool_error' });
    expect(bodyOf(await handler(event, lambdaContext()))).toEqual({ ok: true });
    expect(fn).toHaveBeenCalledTimes(2);
  });

  test('a retry while the first is still running answers 503 + retry-after, not a second run', async () => {
    let release: () => void = () => undefined;
    const fn = jest.fn(
      () => new Promise<{ ok: boolean }>((resolve) => (release = () => resolve({ ok: true }))),
    );
    const handler = happTool(fn, {
      name: 'slow',
      secretArn,
      timeoutMs: 5_000,
      idempotency: { tableName: table, dynamoDbClient: ddb },
    });
    const event = toolEvent({ a: 2 }, { secret: SECRET });
    const first = handler(event, lambdaContext());
    await new Promise((r) => setTimeout(r, 200));
    const second = await handler(event, lambdaContext());
    expect(second.statusCode).toBe(503);
    expect(second.headers).toMatchObject({ 'retry-after': '1' });
    release();
    expect((await first).statusCode).toBe(200);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  test('after a 504 the claim holds while the function can still run: a retry is 503 in progress, never a second run', async () => {
    let release: () => void = () => undefined;
    const fn = jest.fn(
      () => new Promise<{ booked: number }>((resolve) => (release = () => resolve({ booked: 1 }))),
    );
    const handler = happTool(fn, {
      name: 'book',
      secretArn,
      timeoutMs: 400,
      idempotency: { tableName: table, dynamoDbClient: ddb },
    });
    const event = toolEvent({ slot: 't-504' }, { secret: SECRET });
    // Lambda's own timeout (10 s left) is far beyond the tool's 400 ms answer deadline.
    const first = await handler(event, lambdaContext(10_000));
    expect(first.statusCode).toBe(504);
    const retry = await handler(event, lambdaContext(10_000));
    expect(retry.statusCode).toBe(503);
    expect(bodyOf(retry)).toMatchObject({ error: 'in_progress' });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(toolMetrics().ToolInProgress).toBe(1);
    expect(toolMetrics().ToolFailure ?? 0).toBe(0);
    release();
  });

  test('idempotency follows HAPP_TOOL_IDEMPOTENT when not given: off runs every request', async () => {
    const fn = jest.fn(async () => ({ ok: true }));
    const handler = happTool(fn, { name: 'reads', secretArn });
    const event = toolEvent({ a: 3 }, { secret: SECRET });
    await handler(event, lambdaContext());
    await handler(event, lambdaContext());
    expect(fn).toHaveBeenCalledTimes(2);
  });
});

describe('toolEntryHandler (what the construct deploys around your module)', () => {
  test('a plain exported function is wrapped: unsigned requests never reach it', async () => {
    const fn = jest.fn(async () => ({ secret: 'data' }));
    process.env.HAPP_TOOL_NAME = 'plain';
    process.env.HAPP_TOOL_SECRET_ARN = secretArn;
    try {
      const handler = toolEntryHandler({ handler: fn });
      expect((await handler(toolEvent({}), lambdaContext())).statusCode).toBe(401);
      expect(fn).not.toHaveBeenCalled();
      expect((await handler(toolEvent({}, { secret: SECRET }), lambdaContext())).statusCode).toBe(200);
    } finally {
      delete process.env.HAPP_TOOL_NAME;
      delete process.env.HAPP_TOOL_SECRET_ARN;
    }
  });

  test("a happTool export without a schema gets the construct's parameters schema", async () => {
    const fn = jest.fn(async () => ({ ok: true }));
    const user = { handler: happTool(fn, { name: 'x', secretArn }) };
    const handler = toolEntryHandler(user, { schema: { type: 'object', required: ['id'] } });
    expect((await handler(toolEvent({}, { secret: SECRET }), lambdaContext())).statusCode).toBe(400);
    expect(fn).not.toHaveBeenCalled();
  });

  test('a module exporting no function answers 500 to every request', async () => {
    const handler = toolEntryHandler({ notAHandler: 1 }, {});
    const res = await handler(toolEvent({}, { secret: SECRET }), {
      getRemainingTimeInMillis: () => 5000,
    } as Context);
    // not configured (no name/secret) or no function: either way no 2xx and a log line
    expect(res.statusCode).toBe(500);
  });
});
