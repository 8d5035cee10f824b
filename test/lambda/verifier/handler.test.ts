// The verifier built with createHandler (source), against dynalite, fauxqs and the local Secrets
// Manager: the bad-input table, rotation, malformed secrets, metrics and logs, leases.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { LocalSecretsManagerServer } from '../../../bin/local/secrets-manager-server';
import { isClaimChecked, type InlineEnvelope } from '../../../lambda/shared/envelope';
import { signBody } from '../../../lambda/shared/signature';
import type { VerifierConfig } from '../../../lambda/verifier/config';
import { messageAttributes, snsMessageBytes } from '../../../lambda/verifier/delivery';
import { createHandler, type VerifierDependencies } from '../../../lambda/verifier/handler';
import { budgetedClientConfig } from '../../../lambda/shared/budget';
import { FaultProxy } from '../../support/fault-proxy';
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

/** A fresh stack and handler; every response is run with stdout captured. */
async function setup(
  options: { config?: Partial<VerifierConfig>; secrets?: { chat?: string; call?: string } } = {},
  deps: VerifierDependencies = {},
) {
  const stack = await t.createStack(sm, options.secrets);
  const handler = createHandler({ ...t.stackConfig(stack), ...options.config }, deps);
  const output = t.captureOutput();
  const invoke = (event: APIGatewayProxyEvent, remainingMs?: number) =>
    handler(event, t.lambdaContext(remainingMs));
  return { stack, handler, invoke, output };
}

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

const event = { text: 'hello' };
const json = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ event: 'chat.message.received', ...event, ...extra, n: Math.random() });

interface Case {
  readonly name: string;
  readonly request: () => APIGatewayProxyEvent;
  readonly status: number;
  readonly config?: Partial<VerifierConfig>;
  readonly secrets?: { chat?: string; call?: string };
  /** For 202: what the published envelope must contain. */
  readonly published?: Partial<InlineEnvelope>;
  /** Metric counts (name/Source) that must have been emitted. */
  readonly metrics?: Record<string, number>;
}

const nonUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
const rotating = { chat: JSON.stringify({ current: 'new-secret', previous: ['old-secret'] }) };

const CASES: Case[] = [
  // ---- the signature header
  {
    name: 'missing signature header',
    request: () => t.apiEvent(json(), { path: '/chat' }),
    status: 401,
    metrics: { 'SignatureInvalid/chat': 1 },
  },
  {
    name: 'empty signature header',
    request: () => t.apiEvent(json(), { headers: { 'x-happ-signature': '' } }),
    status: 401,
  },
  {
    name: 'blank signature header',
    request: () => t.apiEvent(json(), { headers: { 'x-happ-signature': ' \t ' } }),
    status: 401,
  },
  {
    name: 'garbage signature header',
    request: () => t.apiEvent(json(), { headers: { 'x-happ-signature': 'not a signature, at all' } }),
    status: 401,
    metrics: { 'SignatureInvalid/chat': 1 },
  },
  {
    name: 'header name in lower case',
    request: () => t.signedEvent('chat', json(), CHAT, { header: 'x-happ-signature' }),
    status: 202,
  },
  {
    name: 'header name in mixed case',
    request: () => t.signedEvent('chat', json(), CHAT, { header: 'X-Happ-SIGNATURE' }),
    status: 202,
  },
  {
    name: 'signature in another header',
    request: () => t.signedEvent('chat', json(), CHAT, { header: 'X-Signature' }),
    status: 401,
  },
  {
    name: 'custom header name configured',
    request: () => t.signedEvent('chat', json(), CHAT, { header: 'X-Custom-Sig' }),
    config: { signatureHeader: 'x-custom-sig' },
    status: 202,
  },
  {
    name: 'truncated hex signature',
    request: () => {
      const body = json();
      return t.apiEvent(body, { headers: { 'x-happ-signature': signBody(body, CHAT).slice(0, 63) } });
    },
    status: 401,
  },
  {
    name: 'truncated base64 signature',
    request: () => {
      const body = json();
      const sig = signBody(body, CHAT, { encoding: 'base64' }).slice(0, 40);
      return t.apiEvent(body, { headers: { 'x-happ-signature': sig } });
    },
    status: 401,
  },
  {
    name: 'signature of a different body',
    request: () => t.apiEvent(json(), { headers: { 'x-happ-signature': signBody(json(), CHAT) } }),
    status: 401,
  },
  {
    name: 'signature with a wrong secret',
    request: () => t.signedEvent('chat', json(), 'not-the-secret'),
    status: 401,
  },
  {
    name: "signature with the other source's secret",
    request: () => t.signedEvent('call', json(), CHAT),
    status: 401,
    metrics: { 'SignatureInvalid/call': 1 },
  },
  {
    name: 'uppercase hex signature',
    request: () => {
      const body = json();
      return t.apiEvent(body, { headers: { 'x-happ-signature': signBody(body, CHAT).toUpperCase() } });
    },
    status: 202,
  },
  {
    name: 'base64 signature with prefix',
    request: () => t.signedEvent('chat', json(), CHAT, { encoding: 'base64' }),
    status: 202,
  },
  {
    name: 'unpadded base64url signature without prefix',
    request: () => {
      const body = json();
      const sig = Buffer.from(signBody(body, CHAT), 'hex').toString('base64url');
      return t.apiEvent(body, { headers: { 'x-happ-signature': sig } });
    },
    status: 202,
  },
  {
    name: 'hex signature, no prefix, prefix disabled',
    request: () => t.signedEvent('chat', json(), CHAT, { prefix: '' }),
    config: { signaturePrefix: '' },
    status: 202,
  },
  {
    name: 'base64 signature when only hex is accepted',
    request: () => t.signedEvent('chat', json(), CHAT, { encoding: 'base64' }),
    config: { signatureEncodings: ['hex'] },
    status: 401,
  },
  {
    name: 'several signatures, comma-separated, the last one valid',
    request: () => {
      const body = json();
      const header = `sha256=${'0'.repeat(64)}, garbage, ${signBody(body, CHAT, { prefix: 'sha256=' })}`;
      return t.apiEvent(body, { headers: { 'x-happ-signature': header } });
    },
    status: 202,
  },
  {
    name: 'several signatures, space-separated, none valid',
    request: () => {
      const body = json();
      const header = `${signBody(body, 'a')} ${signBody(body, 'b', { encoding: 'base64' })}`;
      return t.apiEvent(body, { headers: { 'x-happ-signature': header } });
    },
    status: 401,
  },
  {
    name: 'header sent twice, the second one valid',
    request: () => {
      const body = json();
      return t.apiEvent(body, {
        headers: { 'x-happ-signature': signBody(body, CHAT) },
        multiValueHeaders: { 'X-Happ-Signature': ['bogus', signBody(body, CHAT)] },
      });
    },
    status: 202,
  },
  // ---- the body
  {
    name: 'base64-encoded body (API Gateway binary)',
    request: () => t.signedEvent('chat', Buffer.from(json({ via: 'base64' })), CHAT, { base64: true }),
    status: 202,
    published: { type: 'chat.message.received', payloadEncoding: 'json' },
  },
  {
    name: 'base64-encoded body signed over its base64 text instead of its bytes',
    request: () => {
      const body = Buffer.from(json());
      const wrong = signBody(body.toString('base64'), CHAT);
      return t.apiEvent(body, { base64: true, headers: { 'x-happ-signature': wrong } });
    },
    status: 401,
  },
  {
    name: 'empty body, validly signed',
    request: () => t.signedEvent('chat', '', CHAT),
    status: 202,
    published: { type: 'unknown', payload: '', payloadEncoding: 'text' },
    metrics: { 'Accepted/chat': 1, 'UnknownType/chat': 1 },
  },
  {
    name: 'null body, validly signed (as empty)',
    request: () => ({ ...t.signedEvent('call', '', CALL), body: null }),
    status: 202,
    published: { type: 'unknown', payload: '', payloadEncoding: 'text' },
  },
  {
    name: 'bytes that are not UTF-8',
    request: () => t.signedEvent('chat', nonUtf8, CHAT),
    status: 202,
    published: { type: 'unknown', payload: nonUtf8.toString('base64'), payloadEncoding: 'base64' },
    metrics: { 'UnknownType/chat': 1 },
  },
  {
    name: 'text that is not JSON',
    request: () => t.signedEvent('chat', 'event=chat.message.received&x=1', CHAT),
    status: 202,
    published: { type: 'unknown', payload: 'event=chat.message.received&x=1', payloadEncoding: 'text' },
  },
  {
    name: 'JSON without a type',
    request: () => t.signedEvent('call', '{"callId":"c-no-type"}', CALL),
    status: 202,
    published: { type: 'unknown', payload: { callId: 'c-no-type' }, payloadEncoding: 'json' },
    metrics: { 'Accepted/call': 1, 'UnknownType/call': 1 },
  },
  {
    name: 'JSON naming its type in "type"',
    request: () => t.signedEvent('call', '{"type":"call.started","callId":"c-type"}', CALL),
    status: 202,
    published: { type: 'call.started' },
  },
  {
    name: 'the published sample body',
    request: () =>
      t.signedEvent(
        'call',
        '{"event":"call.completed","callId":"call_123","caller":"+15550100","direction":"inbound","duration":252,"endedAt":"2026-05-26T14:02:11Z","provider":"ringostat"}',
        CALL,
      ),
    status: 202,
    published: { source: 'call', type: 'call.completed', payloadEncoding: 'json' },
    metrics: { 'Accepted/call': 1 },
  },
  {
    name: 'a JSON array',
    request: () => t.signedEvent('chat', '[{"event":"chat.message.sent"}]', CHAT),
    status: 202,
    published: { type: 'unknown', payload: [{ event: 'chat.message.sent' }] },
  },
  // ---- routes, methods, sizes
  {
    name: 'unknown route',
    request: () => t.signedEvent('chat', json(), CHAT, { path: '/sms' }),
    status: 404,
  },
  {
    name: 'route whose secret is not configured',
    request: () => t.signedEvent('call', json(), CALL),
    config: { secretArns: {} },
    status: 404,
  },
  {
    name: 'stage-prefixed path with a trailing slash',
    request: () => ({
      ...t.signedEvent('chat', json(), CHAT),
      resource: undefined as never,
      path: '/prod/chat/',
    }),
    status: 202,
  },
  {
    name: 'GET instead of POST',
    request: () => t.signedEvent('chat', json(), CHAT, { method: 'GET' }),
    status: 405,
  },
  {
    name: 'oversized body, even unsigned',
    request: () => t.apiEvent('x'.repeat(1025)),
    config: { maxBodySizeBytes: 1024 },
    status: 413,
  },
  {
    name: 'body exactly at the size limit',
    request: () => t.signedEvent('chat', `"${'x'.repeat(1022)}"`, CHAT),
    config: { maxBodySizeBytes: 1024 },
    status: 202,
  },
  // ---- rotation
  {
    name: 'rotated secret: the new one verifies',
    request: () => t.signedEvent('chat', json(), 'new-secret'),
    secrets: rotating,
    status: 202,
  },
  {
    name: 'rotated secret: the previous one still verifies',
    request: () => t.signedEvent('chat', json(), 'old-secret'),
    secrets: rotating,
    status: 202,
  },
  {
    name: 'rotated secret: a removed one does not',
    request: () => t.signedEvent('chat', json(), 'oldest-secret'),
    secrets: rotating,
    status: 401,
  },
  // ---- malformed secrets (more below)
  {
    name: 'malformed secret JSON',
    request: () => t.signedEvent('chat', json(), CHAT),
    secrets: { chat: '{"current": "x"' },
    status: 500,
    metrics: { 'DependencyFailure/chat': 1 },
  },
  {
    name: 'secret JSON without "current"',
    request: () => t.signedEvent('chat', json(), CHAT),
    secrets: { chat: '{"previous":["chat-secret"]}' },
    status: 500,
  },
];

describe('bad-input table', () => {
  it('has at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { stack, invoke, output } = await setup({ config: c.config, secrets: c.secrets });
    restore = output.restore;
    const request = c.request();
    const response = await invoke(request);
    const published = await t.drain(stack.queueUrl);

    expect(response.statusCode).toBe(c.status);
    const body = t.bodyOf(response);
    if (c.status === 202) {
      expect(body).toEqual({ status: 'accepted', id: expect.any(String) });
      expect(published).toHaveLength(1);
      const envelope = published[0].envelope as InlineEnvelope;
      expect(envelope.id).toBe(body.id);
      expect(published[0].attributes).toEqual({ source: envelope.source, type: envelope.type });
      if (c.published) expect(envelope).toMatchObject(c.published);
    } else {
      expect(body).toEqual({ message: expect.any(String) });
      expect(published).toHaveLength(0);
      expect(await t.records(stack.table)).toEqual([]);
    }
    // Error bodies never echo the signature or the payload.
    const signature = Object.values(request.headers ?? {}).join(' ');
    expect(signature === '' || !response.body.includes(signature)).toBe(true);
    if (request.body) expect(response.body).not.toContain(request.body);
    if (c.metrics) expect(output.metrics()).toMatchObject(c.metrics);
  });
});

describe('malformed secrets', () => {
  it('answers 500 with a clear log, keeps serving, and recovers once the secret is fixed', async () => {
    const { stack, invoke, output } = await setup(
      { config: { secretsCacheTtlSeconds: 0 }, secrets: { chat: '{"current": ' } },
      { logger: new Logger({ logLevel: 'INFO' }) },
    );
    restore = output.restore;
    const body = json();
    expect((await invoke(t.signedEvent('chat', body, CHAT))).statusCode).toBe(500);
    expect((await invoke(t.signedEvent('chat', body, CHAT))).statusCode).toBe(500);
    const log = output.logs().find((l) => l.outcome === 'misconfigured');
    expect(log).toMatchObject({
      level: 'ERROR',
      dependency: 'SecretsManager',
      error: expect.stringMatching(/is unusable: .*not valid JSON/),
    });
    expect(output.text()).not.toContain('{"current": ');

    sm.setSecret(stack.secretArns.chat, JSON.stringify({ current: CHAT }));
    expect((await invoke(t.signedEvent('chat', body, CHAT))).statusCode).toBe(202);
    expect(await t.drain(stack.queueUrl)).toHaveLength(1);
  });
});

describe('secret cache', () => {
  it('caches the secret for the TTL, and re-fetches once on a mismatch when the copy is old enough', async () => {
    let clock = 1_000_000;
    const { stack, invoke, output } = await setup({}, { now: () => clock });
    restore = output.restore;
    const gets = () => sm.requests.filter((r) => r.secretId === stack.secretArns.chat).length;

    expect((await invoke(t.signedEvent('chat', json(), CHAT))).statusCode).toBe(202);
    expect((await invoke(t.signedEvent('chat', json(), CHAT))).statusCode).toBe(202);
    expect(gets()).toBe(1);

    // Rotation: the new secret is stored, Happ starts signing with it.
    sm.setSecret(stack.secretArns.chat, JSON.stringify({ current: 'rotated', previous: [CHAT] }));
    // Within the refresh interval a mismatch does not hit Secrets Manager again.
    expect((await invoke(t.signedEvent('chat', json(), 'rotated'))).statusCode).toBe(401);
    expect(gets()).toBe(1);
    // Later, one mismatch re-fetches and the new secret verifies at once (no wait for the TTL).
    clock += 10_000;
    expect((await invoke(t.signedEvent('chat', json(), 'rotated'))).statusCode).toBe(202);
    expect(gets()).toBe(2);
    // Garbage right after does not re-fetch again.
    expect((await invoke(t.signedEvent('chat', json(), 'garbage'))).statusCode).toBe(401);
    expect(gets()).toBe(2);
  });
});

describe('claim check', () => {
  it('publishes inline up to the threshold and through S3 above it, encrypted, hash and size intact', async () => {
    const s3 = new S3Client({});
    const puts: Record<string, unknown>[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') puts.push(args.input as Record<string, unknown>);
        return next(args);
      },
      { step: 'initialize' },
    );
    const fixed = { now: () => Date.parse('2026-05-26T14:02:11.000Z'), newId: () => `id-${t.suffix()}` };
    const body = JSON.stringify({ event: 'call.completed', blob: 'y'.repeat(1000) });
    // Size of the inline message for this body: measured with a threshold that never claim-checks.
    const probe = await setup({ config: { claimCheckThresholdBytes: 262144 } }, fixed);
    restore = probe.output.restore;
    await probe.invoke(t.signedEvent('call', body, CALL));
    const [inline] = await t.drain(probe.stack.queueUrl);
    const messageBytes = snsMessageBytes(
      JSON.stringify(inline.envelope),
      messageAttributes('call', 'call.completed'),
    );
    probe.output.restore();

    const atLimit = await setup({ config: { claimCheckThresholdBytes: messageBytes } }, { ...fixed, s3 });
    restore = atLimit.output.restore;
    await atLimit.invoke(t.signedEvent('call', body, CALL));
    expect(isClaimChecked((await t.drain(atLimit.stack.queueUrl))[0].envelope)).toBe(false);
    atLimit.output.restore();

    const over = await setup({ config: { claimCheckThresholdBytes: messageBytes - 1 } }, { ...fixed, s3 });
    restore = over.output.restore;
    const response = await over.invoke(t.signedEvent('call', body, CALL));
    expect(response.statusCode).toBe(202);
    const [{ envelope, attributes }] = await t.drain(over.stack.queueUrl);
    expect(attributes).toEqual({ source: 'call', type: 'call.completed' });
    if (!isClaimChecked(envelope)) throw new Error('expected a claim-checked envelope');
    expect(envelope.payloadLocation).toEqual({
      bucket: over.stack.bucket,
      key: `call/2026/05/26/${envelope.id}`,
      size: Buffer.byteLength(body),
      sha256: t.sha256(body),
    });
    expect(t.sha256(await t.getObject(over.stack.bucket, envelope.payloadLocation.key))).toBe(t.sha256(body));
    expect(puts).toEqual([expect.objectContaining({ ServerSideEncryption: 'AES256' })]);
    expect(over.output.metrics()).toMatchObject({ 'Accepted/call': 1, 'ClaimChecked/call': 1 });
  });
});

describe('leases', () => {
  it('answers 503 + Retry-After while another invocation holds the claim; the holder, stuck on a hung SNS, answers 503 itself at its budget and releases the claim; the retry publishes once', async () => {
    const proxy = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_SNS as string);
    try {
      proxy.inject('Publish', { fault: 'hang' });
      const budget = 1500;
      const body = json({ lease: true });
      const stuck = await setup(
        { config: { responseBudgetMs: budget } },
        {
          sns: new SNSClient({ endpoint: proxy.url, ...budgetedClientConfig() }),
          logger: new Logger({ logLevel: 'INFO' }),
        },
      );
      restore = stuck.output.restore;
      const { stack } = stuck;
      const healthy = createHandler({ ...t.stackConfig(stack), responseBudgetMs: budget });

      const started = Date.now();
      const first = stuck.invoke(t.signedEvent('chat', body, CHAT), 60_000);
      await waitFor(async () => (await t.records(stack.table)).length === 1);
      const [claim] = await t.records(stack.table);
      expect(claim.status).toBe('INPROGRESS');
      // The lease is the response budget, not the Lambda's remaining time (60 s) nor the 7-day expiry.
      expect(claim.in_progress_expiration).toBeLessThanOrEqual(started + budget + 50);

      const during = await healthy(t.signedEvent('chat', body, CHAT), t.lambdaContext());
      expect(during.statusCode).toBe(503);
      expect(during.headers).toMatchObject({ 'retry-after': '2' });
      expect(t.bodyOf(during)).toEqual({ message: expect.any(String) });

      const answered = await first;
      expect(answered.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(budget + 1000); // answered by the function, not at its timeout
      expect(await t.records(stack.table)).toEqual([]); // released from the budget's reserve
      expect(stuck.output.logs().find((l) => l.outcome === 'budget-exhausted')).toMatchObject({
        dependency: 'SNS',
        status: 503,
      });

      const after = await healthy(t.signedEvent('chat', body, CHAT), t.lambdaContext());
      expect(after.statusCode).toBe(202);
      expect(await t.drain(stack.queueUrl)).toHaveLength(1);
      expect((await t.records(stack.table)).map((r) => r.status)).toEqual(['COMPLETED']);
    } finally {
      await proxy.stop();
    }
  });

  it('acknowledges a published delivery even when the claim cannot be marked completed', async () => {
    const dynamodb = new DynamoDBClient({});
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') throw new Error('DynamoDB throttled the update');
        return next(args);
      },
      { step: 'initialize' },
    );
    const { stack, invoke, output } = await setup({}, { dynamodb, logger: new Logger({ logLevel: 'INFO' }) });
    restore = output.restore;
    const body = json({ update: 'fails' });
    const response = await invoke(t.signedEvent('chat', body, CHAT));
    expect(response.statusCode).toBe(202);
    expect(await t.drain(stack.queueUrl)).toHaveLength(1);
    expect(output.metrics()).toMatchObject({ 'Accepted/chat': 1, 'DependencyFailure/chat': 1 });
    expect(output.logs().find((l) => l.outcome === 'accepted')).toMatchObject({
      level: 'WARN',
      dependency: 'DynamoDB',
    });
    // The claim stays in progress until its lease ends, so a quick retry is not published twice.
    const retry = await invoke(t.signedEvent('chat', body, CHAT));
    expect(retry.statusCode).toBe(503);
    expect(await t.drain(stack.queueUrl)).toHaveLength(0);
  });
});

describe('logs and metrics', () => {
  it('logs source, type, key and outcome for each request, never the secret, signature or payload', async () => {
    const secret = 'super-secret-value-6f1c';
    const { stack, invoke, output } = await setup(
      { secrets: { chat: secret, call: JSON.stringify({ current: `${secret}-new`, previous: [secret] }) } },
      { logger: new Logger({ logLevel: 'DEBUG' }) },
    );
    restore = output.restore;
    const marker = 'payload-marker-93b2';
    const body = JSON.stringify({ event: 'chat.message.received', text: marker });
    const hex = signBody(body, secret);
    const b64 = signBody(body, secret, { encoding: 'base64' });
    const requests = [
      t.apiEvent(body, { headers: { 'x-happ-signature': `sha256=${hex}` } }),
      t.apiEvent(body, { headers: { 'x-happ-signature': b64 } }), // duplicate
      t.apiEvent(body, { path: '/call', headers: { 'x-happ-signature': hex } }), // previous secret
      t.apiEvent(`${body} `, { headers: { 'x-happ-signature': hex } }), // wrong
      t.apiEvent(body, { path: '/sms', headers: { 'x-happ-signature': hex } }),
    ];
    const statuses = [];
    for (const request of requests) statuses.push((await invoke(request)).statusCode);
    expect(statuses).toEqual([202, 200, 202, 401, 404]);

    const text = output.text();
    expect(text).not.toContain(t.sha256(body)); // the key itself is not logged, only its hash
    for (const forbidden of [secret, hex, hex.toUpperCase(), b64, b64.replace(/=$/, ''), marker]) {
      expect(text).not.toContain(forbidden);
    }
    const logs = output.logs();
    expect(logs.map((l) => l.outcome)).toEqual([
      'accepted',
      'duplicate',
      'accepted',
      'signature-invalid',
      'route-not-found',
    ]);
    expect(logs[0]).toMatchObject({
      level: 'INFO',
      source: 'chat',
      type: 'chat.message.received',
      keyHash: t.sha256(`chat#${t.sha256(body)}`).slice(0, 16),
      status: 202,
      secret: 'current',
      requestId: expect.stringMatching(/^req-/),
    });
    expect(logs[2]).toMatchObject({ source: 'call', secret: 'previous' });
    expect(logs[3]).toMatchObject({ level: 'WARN', reason: 'mismatch' });
    expect(output.metrics()).toEqual({
      'Accepted/chat': 1,
      'Duplicate/chat': 1,
      'Accepted/call': 1,
      'SignatureInvalid/chat': 1,
    });
    await t.drain(stack.queueUrl);
  });
});

/** Polls a condition (no timing is asserted: only that it becomes true). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition never became true');
}

describe('replay protection (maxEventAgeSeconds)', () => {
  const HOUR = 3600_000;
  const config = { maxEventAgeSeconds: 3600, maxClockSkewSeconds: 300, dedupeWindowSeconds: 7200 };
  const at = (ms: number) =>
    JSON.stringify({ event: 'call.completed', callId: t.suffix(), timestamp: new Date(ms).toISOString() });

  it('refuses a delivery older than maxEventAge (422, StaleEvent), never silently', async () => {
    const { invoke, output, stack } = await setup({ config }, { logger: new Logger({ logLevel: 'INFO' }) });
    restore = output.restore;
    const response = await invoke(t.signedEvent('call', at(Date.now() - 2 * HOUR), CALL));
    expect(response.statusCode).toBe(422);
    expect(t.bodyOf(response)).toEqual({ message: 'event is too old' });
    expect(output.metrics()).toEqual({ 'StaleEvent/call': 1 });
    expect(output.logs()[0]).toMatchObject({ outcome: 'stale', level: 'WARN', eventTimeField: 'timestamp' });
    expect(await t.drain(stack.queueUrl)).toHaveLength(0);
    expect(await t.records(stack.table)).toEqual([]);
  });

  it('answers 503 + Retry-After to a delivery dated beyond the clock skew (time passing fixes it)', async () => {
    const { invoke, output } = await setup({ config });
    restore = output.restore;
    const response = await invoke(t.signedEvent('call', at(Date.now() + 10 * 60_000), CALL));
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThanOrEqual(299);
    expect(output.metrics()).toEqual({ 'FutureEvent/call': 1 });
  });

  it('accepts and counts a delivery with no time field', async () => {
    const { invoke, output } = await setup({ config });
    restore = output.restore;
    const response = await invoke(
      t.signedEvent('call', JSON.stringify({ event: 'call.started', id: t.suffix() }), CALL),
    );
    expect(response.statusCode).toBe(202);
    expect(output.metrics()).toEqual({ 'Accepted/call': 1, 'NoEventTime/call': 1 });
  });

  it('a captured delivery replayed after its dedupe record expired is refused as stale (without the check it is published again)', async () => {
    let clock = Date.now();
    const body = at(clock);
    for (const [check, expected] of [
      [true, 422],
      [false, 202],
    ] as const) {
      const { invoke, output, stack } = await setup(
        { config: check ? config : { dedupeWindowSeconds: 7200 } },
        { now: () => clock },
      );
      restore = output.restore;
      clock = Date.now();
      expect((await invoke(t.signedEvent('call', body, CALL))).statusCode).toBe(202);
      expect((await invoke(t.signedEvent('call', body, CALL))).statusCode).toBe(200);
      // Two hours later (the dedupe window): the record has expired.
      clock += 2 * HOUR + 1000;
      const [record] = await t.records(stack.table);
      await t.ddb.send(
        new UpdateItemCommand({
          TableName: stack.table,
          Key: marshall({ id: record.id }),
          UpdateExpression: 'SET expiration = :past',
          ExpressionAttributeValues: marshall({ ':past': Math.floor(Date.now() / 1000) - 1 }),
        }),
      );
      expect((await invoke(t.signedEvent('call', body, CALL))).statusCode).toBe(expected);
      expect(await t.drain(stack.queueUrl)).toHaveLength(check ? 1 : 2);
      output.restore();
      restore = undefined;
    }
  });
});

describe('failures are logged by their first cause', () => {
  it('SNS fails and releasing the claim fails too: the log names SNS, the failed release beside it', async () => {
    const sns = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_SNS as string);
    const ddb = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_DYNAMODB as string);
    try {
      sns.inject('Publish', { fault: 'error' });
      ddb.inject('DeleteItem', { fault: 'error' });
      const { invoke, output } = await setup(
        {},
        {
          sns: new SNSClient({ endpoint: sns.url, ...budgetedClientConfig() }),
          dynamodb: new DynamoDBClient({ endpoint: ddb.url, ...budgetedClientConfig() }),
          logger: new Logger({ logLevel: 'INFO' }),
        },
      );
      restore = output.restore;
      const response = await invoke(t.signedEvent('chat', json(), CHAT));
      expect(response.statusCode).toBe(503);
      expect(output.logs()[0]).toMatchObject({
        outcome: 'dependency-failure',
        dependency: 'SNS',
        error: expect.stringMatching(/^SNS Publish failed/),
        releaseError: expect.stringMatching(/InternalServerError|injected/),
      });
      expect(sns.count('Publish')).toBe(3); // the SDK's attempts, inside the budget
      expect(ddb.count('DeleteItem')).toBeGreaterThanOrEqual(1);
    } finally {
      await sns.stop();
      await ddb.stop();
    }
  });
});
