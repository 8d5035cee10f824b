// readRequest: one normaliser for REST proxy events (1.0) and HTTP API events (2.0).
import { isV2Event, readBody, readRequest } from '../../../lambda/shared/request';
import { isPost, readHeader, resolveSource } from '../../../lambda/verifier/request';
import { apiEvent, httpApiEvent } from '../verifier/support';

const nonUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d, 0xc3]);

describe('readRequest on a payload format 2.0 event (HTTP API)', () => {
  it('reads method, route, path, headers, cookies, query and the exact body', () => {
    const event = {
      ...httpApiEvent('{"a":1}', {
        path: '/call',
        method: 'post',
        headers: { 'x-happ-signature': 'sha256=ab', 'x-forwarded-for': '1.1.1.1,2.2.2.2' },
        cookies: ['a=1', 'b=2'],
      }),
      queryStringParameters: { q: 'x,y' },
    };
    const request = readRequest(event);
    expect(request).toMatchObject({
      format: '2.0',
      method: 'POST',
      route: '/call',
      path: '/call',
      cookies: ['a=1', 'b=2'],
      query: { q: 'x,y' },
    });
    expect(request.headers).toMatchObject({
      'x-happ-signature': 'sha256=ab',
      // HTTP API comma-joins a repeated header; kept as delivered
      'x-forwarded-for': '1.1.1.1,2.2.2.2',
      // HTTP API moves Cookie into `cookies`; it is put back for header lookups
      cookie: 'a=1; b=2',
    });
    expect(request.body.equals(Buffer.from('{"a":1}'))).toBe(true);
  });

  it('takes the path of the route key for the route, and rawPath for the path (custom domain base path)', () => {
    const request = readRequest(httpApiEvent('', { path: '/chat', rawPath: '/hooks/chat' }));
    expect(request.route).toBe('/chat');
    expect(request.path).toBe('/hooks/chat');
    // A function URL (or an HTTP API $default route) sends routeKey $default: the path names the source.
    const functionUrl = { ...httpApiEvent(''), routeKey: '$default', rawPath: '/call' };
    expect(readRequest(functionUrl).route).toBeUndefined();
    expect(resolveSource(functionUrl)).toBe('call');
  });

  it('lower-cases header names even when the event carries mixed case (function URL, hand-made events)', () => {
    const event = {
      ...httpApiEvent(''),
      headers: { 'X-HAPP-Signature': 'sha256=1', 'x-happ-signature': 'sha256=2' },
    };
    expect(readRequest(event).headers['x-happ-signature']).toBe('sha256=1, sha256=2');
  });

  it('decodes a base64 body to the exact bytes, not-UTF-8 bytes included', () => {
    const request = readRequest(httpApiEvent(nonUtf8));
    expect(request.body.equals(nonUtf8)).toBe(true);
    // decoding those bytes as a string and back would not give them back: the bytes are kept, not text
    expect(Buffer.from(nonUtf8.toString('utf8'), 'utf8').equals(nonUtf8)).toBe(false);
  });

  it('takes a text body (isBase64Encoded false) as its UTF-8 bytes', () => {
    const text = '{ "event" :\t"chat.message.received",\n  "text": "héllo ✓" }\r\n';
    const request = readRequest(httpApiEvent(text, { base64: false }));
    expect(request.body.equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('reads an event without a body as zero bytes', () => {
    expect(readRequest(httpApiEvent(null)).body).toHaveLength(0);
  });
});

describe('readRequest on a payload format 1.0 event (REST API)', () => {
  it('reads the same request from the REST shape: names lower-cased, repeats from multiValueHeaders', () => {
    const event = {
      ...apiEvent(nonUtf8, {
        path: '/prod/chat',
        resource: '/chat',
        headers: { 'X-HAPP-Signature': 'one', Cookie: 'a=1; b=2' },
        multiValueHeaders: { 'X-HAPP-Signature': ['one', 'two'] },
      }),
      queryStringParameters: { q: 'y' },
      multiValueQueryStringParameters: { q: ['x', 'y'] },
    };
    const request = readRequest(event);
    expect(request).toMatchObject({
      format: '1.0',
      method: 'POST',
      route: '/chat',
      path: '/prod/chat',
      cookies: ['a=1', 'b=2'],
      query: { q: 'x,y' },
    });
    expect(request.headers['x-happ-signature']).toBe('one, two');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body.equals(nonUtf8)).toBe(true);
  });

  it('tells the formats apart by version', () => {
    expect(isV2Event(httpApiEvent(''))).toBe(true);
    expect(isV2Event(apiEvent(''))).toBe(false);
    expect(readBody({ body: 'aGk=', isBase64Encoded: true }).toString()).toBe('hi');
  });
});

describe("the verifier's request helpers read both formats", () => {
  it('resolveSource, isPost and readHeader', () => {
    const v2 = httpApiEvent('', { path: '/call', headers: { 'X-Happ-Signature': 's' } });
    expect(resolveSource(v2)).toBe('call');
    expect(resolveSource(readRequest(v2))).toBe('call');
    expect(resolveSource(httpApiEvent('', { path: '/nope' }))).toBeUndefined();
    expect(isPost(v2)).toBe(true);
    expect(isPost(httpApiEvent('', { method: 'GET' }))).toBe(false);
    expect(readHeader(v2, 'X-HAPP-SIGNATURE')).toBe('s');
    // the 1.0 forms keep working as before
    expect(resolveSource({ resource: '/chat' })).toBe('chat');
    expect(isPost({ httpMethod: 'post' })).toBe(true);
    expect(readHeader({ headers: { 'X-HAPP-Signature': 'a' } }, 'x-happ-signature')).toBe('a');
  });
});
