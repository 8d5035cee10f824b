// The verifier behind the HTTP API: payload format 2.0 events, against dynalite, fauxqs and the local
// Secrets Manager — run twice: createHandler from the source, and the BUNDLED artifact
// dist/lambda/verifier/index.js in a child process (its own AWS SDK, like a Lambda container).
import type { APIGatewayProxyResult } from 'aws-lambda';
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
  create(config: VerifierConfig): Promise<Invoke>;
  output(): string;
}

function source(): Implementation {
  let captured: t.Captured | undefined;
  return {
    start: async () => {
      captured = t.captureOutput();
    },
    stop: async () => captured?.restore(),
    create: async (config) => {
      const handler = createHandler(config);
      return (event, remainingMs) => handler(event, t.lambdaContext(remainingMs));
    },
    output: () => captured?.text() ?? '',
  };
}

function bundle(): Implementation {
  let container: BundleContainer | undefined;
  return {
    start: async () => {
      container = await BundleContainer.start();
    },
    stop: async () => container?.stop(),
    create: async (config) => (container as BundleContainer).createHandler(config),
    output: () => container?.text() ?? '',
  };
}

const nonUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d, 0xc3, 0x28]);
// Valid JSON, signed as sent: spaces before colons, tabs, CRLF, a trailing newline, escaped unicode.
const oddJson =
  '{ "event" :\t"call.completed" ,\r\n  "callId" : "call_\\u00e9x",  "duration":252.0,"nested":{ } }\n';

describe.each([
  ['source (createHandler)', source],
  ['bundle (dist/lambda/verifier/index.js)', bundle],
])('payload format 2.0, %s', (_name, make) => {
  const impl = make();
  beforeAll(() => impl.start());
  afterAll(async () => {
    const output = impl.output();
    for (const secret of [CHAT, CALL]) expect(output).not.toContain(secret);
    await impl.stop();
  });

  async function setup() {
    const stack = await t.createStack(sm, { chat: CHAT, call: CALL });
    const invoke = await impl.create(t.stackConfig(stack));
    return { stack, invoke };
  }

  it('accepts a signed text body (isBase64Encoded false), source from the route key, published as sent', async () => {
    const { stack, invoke } = await setup();
    const body = JSON.stringify({ event: 'chat.message.received', text: 'héllo ✓', n: t.suffix() });
    const response = await invoke(t.signedHttpApiEvent('chat', body, CHAT, { base64: false }));
    expect(response.statusCode).toBe(202);
    const [published] = await t.drain(stack.queueUrl);
    expect(published.attributes).toEqual({ source: 'chat', type: 'chat.message.received' });
    expect(published.envelope).toMatchObject({
      source: 'chat',
      idempotencyKey: `chat#${t.sha256(body)}`,
      payload: JSON.parse(body),
    });
  });

  it('accepts a base64 body of bytes that are not UTF-8, kept byte for byte', async () => {
    const { stack, invoke } = await setup();
    const body = Buffer.concat([nonUtf8, Buffer.from(t.suffix())]);
    const response = await invoke(t.signedHttpApiEvent('call', body, CALL, { base64: true }));
    expect(response.statusCode).toBe(202);
    const [published] = await t.drain(stack.queueUrl);
    expect(published.envelope).toMatchObject({
      source: 'call',
      type: 'unknown',
      payloadEncoding: 'base64',
      idempotencyKey: `call#${t.sha256(body)}`,
    });
    expect(isClaimChecked(published.envelope)).toBe(false);
    const payload = (published.envelope as { payload: string }).payload;
    expect(Buffer.from(payload, 'base64').equals(body)).toBe(true);
  });

  it('hashes the exact bytes of JSON with unusual whitespace; the same JSON re-serialised does not verify', async () => {
    const { stack, invoke } = await setup();
    const body = oddJson.replace('call_', `call_${t.suffix()}`);
    const event = t.signedHttpApiEvent('call', body, CALL, { base64: false });
    const response = await invoke(event);
    expect(response.statusCode).toBe(202);
    const [published] = await t.drain(stack.queueUrl);
    expect(published.envelope).toMatchObject({
      type: 'call.completed',
      idempotencyKey: `call#${t.sha256(body)}`,
      payload: JSON.parse(body),
    });
    // The parsed-and-restringified body is the same JSON but not the same bytes: its signature fails.
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(reserialised).not.toBe(body);
    const tampered = { ...event, body: reserialised };
    expect((await invoke(tampered)).statusCode).toBe(401);
    // And the same bytes sent base64-encoded verify as well (a duplicate: same key).
    const asBase64 = { ...event, body: Buffer.from(body).toString('base64'), isBase64Encoded: true };
    expect((await invoke(asBase64)).statusCode).toBe(200);
  });

  it('answers 401 to a wrong signature, 405 to another method, 404 to an unknown route', async () => {
    const { invoke } = await setup();
    const body = JSON.stringify({ event: 'chat.message.received', n: t.suffix() });
    const wrong = t.httpApiEvent(body, {
      path: '/chat',
      headers: { 'x-happ-signature': signBody(body, 'nope') },
    });
    expect((await invoke(wrong)).statusCode).toBe(401);
    const get = t.signedHttpApiEvent('chat', body, CHAT, { method: 'GET' });
    const refused = await invoke(get);
    expect(refused.statusCode).toBe(405);
    expect(refused.headers).toMatchObject({ allow: 'POST' });
    expect((await invoke(t.signedHttpApiEvent('chat', body, CHAT, { path: '/other' }))).statusCode).toBe(404);
  });

  it('finds the source behind a custom-domain base path (rawPath differs from the route key)', async () => {
    const { stack, invoke } = await setup();
    const body = JSON.stringify({ event: 'call.started', n: t.suffix() });
    const event = t.signedHttpApiEvent('call', body, CALL, { path: '/call', rawPath: '/hooks/call' });
    expect((await invoke(event)).statusCode).toBe(202);
    expect((await t.drain(stack.queueUrl))[0].attributes.source).toBe('call');
  });

  it('reads the signature among cookies and a comma-joined repeated header', async () => {
    const { stack, invoke } = await setup();
    const body = JSON.stringify({ event: 'chat.message.sent', n: t.suffix() });
    const event = t.signedHttpApiEvent('chat', body, CHAT, {
      cookies: ['session=abc'],
      headers: { 'x-forwarded-for': '192.0.2.1,198.51.100.2' },
    });
    expect((await invoke(event)).statusCode).toBe(202);
    expect(await t.drain(stack.queueUrl)).toHaveLength(1);
  });

  it('treats the same delivery through either front door as one (same idempotency key)', async () => {
    const { stack, invoke } = await setup();
    const body = JSON.stringify({ event: 'call.completed', callId: `call_${t.suffix()}` });
    const viaRest: APIGatewayProxyResult = await invoke(t.signedEvent('call', body, CALL));
    const viaHttp = await invoke(t.signedHttpApiEvent('call', body, CALL));
    expect([viaRest.statusCode, viaHttp.statusCode]).toEqual([202, 200]);
    expect(await t.drain(stack.queueUrl)).toHaveLength(1);
  });

  it('answers in the shape HTTP API reads as a full response (statusCode, headers, string body)', async () => {
    const { invoke } = await setup();
    const body = JSON.stringify({ event: 'chat.message.received', n: t.suffix() });
    const response = await invoke(t.signedHttpApiEvent('chat', body, CHAT));
    // Without statusCode, HTTP API would take the returned object itself as a 200 JSON body.
    expect(response).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json' },
      body: expect.any(String),
    });
    expect(JSON.parse(response.body)).toMatchObject({ status: 'accepted' });
  });
});
