// The `dev` gateway over real sockets: the events it builds for each ingress, and how it reads the
// function's answer the way that API Gateway does.
import { request } from 'node:http';
import { readRequest, type ProxyEvent } from '../../lambda/shared/request';
import {
  fromLambdaResponse,
  startGateway,
  type Gateway,
  type GatewayIngress,
} from '../../bin/cli/dev/gateway';

interface Sent {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Sends raw headers (repeats and case kept) over a socket. */
function send(port: number, path: string, body: Buffer, rawHeaders: [string, string][]): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    for (const [name, value] of rawHeaders) req.appendHeader(name, value);
    req.setHeader('content-length', body.length);
    req.on('error', reject);
    req.end(body);
  });
}

describe('the dev gateway', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  async function start(ingress: GatewayIngress, answer: unknown = { statusCode: 202, body: '{}' }) {
    const events: Record<string, unknown>[] = [];
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      ingress,
      routes: ingress === 'http-api' ? ['POST /chat', 'POST /call'] : undefined,
      handler: async (event) => {
        events.push(event);
        return answer;
      },
      onExchange: () => undefined,
    });
    return { port: gateway.port, events };
  }

  const headers: [string, string][] = [
    ['Content-Type', 'application/json'],
    ['X-HAPP-Signature', 'sha256=abc'],
    ['X-Forwarded-For', '192.0.2.1'],
    ['X-Forwarded-For', '198.51.100.2'],
    ['Cookie', 'a=1; b=2'],
  ];

  it('http-api: emits payload format 2.0 events as HTTP API builds them', async () => {
    const { port, events } = await start('http-api');
    const body = Buffer.from('{ "event" : "chat.message.received" }\n');
    expect((await send(port, '/chat?x=1&x=2', body, headers)).status).toBe(202);
    const [event] = events;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /chat',
      rawPath: '/chat',
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      cookies: ['a=1', 'b=2'],
      requestContext: { http: { method: 'POST', path: '/chat' }, stage: '$default' },
      isBase64Encoded: false,
      body: body.toString(),
    });
    const h = event.headers as Record<string, string>;
    expect(h['x-happ-signature']).toBe('sha256=abc');
    expect(h['x-forwarded-for']).toBe('192.0.2.1,198.51.100.2');
    expect(h.cookie).toBeUndefined();
    expect(Object.keys(h).every((k) => k === k.toLowerCase())).toBe(true);
    expect(event).not.toHaveProperty('multiValueHeaders');
    expect(readRequest(event as unknown as ProxyEvent).body.equals(body)).toBe(true);
  });

  it('http-api: base64-encodes a body that is binary or not UTF-8, keeping its bytes', async () => {
    const { port, events } = await start('http-api');
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    await send(port, '/call', bytes, [['Content-Type', 'application/json']]);
    await send(port, '/call', Buffer.from('plain'), [['Content-Type', 'application/octet-stream']]);
    expect(events.map((e) => e.isBase64Encoded)).toEqual([true, true]);
    expect(readRequest(events[0] as unknown as ProxyEvent).body.equals(bytes)).toBe(true);
  });

  it('http-api: answers 404 itself, as HTTP API does, for a request no route matches', async () => {
    const { port, events } = await start('http-api');
    const res = await send(port, '/other', Buffer.from('{}'), headers);
    expect(res).toMatchObject({ status: 404, body: '{"message":"Not Found"}' });
    expect(events).toHaveLength(0);
  });

  it('rest-api: emits the REST proxy event (1.0), body base64, headers as sent with multiValueHeaders', async () => {
    const { port, events } = await start('rest-api');
    const body = Buffer.from('{"event":"call.completed"}');
    await send(port, '/call', body, headers);
    const [event] = events;
    expect(event).toMatchObject({ resource: '/call', httpMethod: 'POST', isBase64Encoded: true });
    expect(event.multiValueHeaders).toMatchObject({ 'X-Forwarded-For': ['192.0.2.1', '198.51.100.2'] });
    expect(readRequest(event as unknown as ProxyEvent).headers['x-forwarded-for']).toBe(
      '192.0.2.1, 198.51.100.2',
    );
  });

  it('http-api reads an answer without statusCode as a 200 JSON body; the REST API answers 502', async () => {
    const plain = { status: 'ok', n: 1 };
    expect(fromLambdaResponse(plain, 'http-api')).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(plain),
    });
    expect(fromLambdaResponse('"hi"', 'http-api')).toMatchObject({ statusCode: 200, body: '"hi"' });
    expect(fromLambdaResponse(plain, 'rest-api').statusCode).toBe(502);
    expect(
      fromLambdaResponse({ statusCode: 201, body: 'x', cookies: ['s=1', 't=2'] }, 'http-api').headers,
    ).toEqual({ 'set-cookie': 's=1, t=2' });
    // over the socket too
    const { port } = await start('http-api', plain);
    const res = await send(port, '/chat', Buffer.from('{}'), headers);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual(plain);
  });
});
