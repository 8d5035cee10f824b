import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  claimCheckKey,
  decodeBody,
  deriveIdempotencyKey,
  extractEventType,
  getPath,
  inlineEnvelope,
  messageAttributes,
  snsMessageBytes,
} from '../../../lambda/verifier/delivery';
import { isPost, readHeader, readRawBody, resolveSource } from '../../../lambda/verifier/request';

describe('resolveSource', () => {
  it.each([
    [{ resource: '/chat' }, 'chat'],
    [{ resource: '/call' }, 'call'],
    [{ resource: '/call/' }, 'call'],
    [{ path: '/prod/chat' }, 'chat'],
    [{ path: '/v1/happ/CALL/' }, 'call'],
    [{ resource: '/{proxy+}', path: '/stage/chat' }, 'chat'],
    [{ resource: '/other' }, undefined],
    [{ path: '/chat/extra' }, undefined],
    [{ path: '/' }, undefined],
    [{}, undefined],
  ])('%p → %p', (event, source) => {
    expect(resolveSource(event)).toBe(source);
  });
});

describe('isPost', () => {
  it('accepts POST in any case only', () => {
    expect(isPost({ httpMethod: 'POST' })).toBe(true);
    expect(isPost({ httpMethod: 'post' })).toBe(true);
    expect(isPost({ httpMethod: 'GET' })).toBe(false);
  });
});

describe('readRawBody', () => {
  it('returns the exact bytes, base64-decoding when flagged', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0xc3]);
    expect(readRawBody({ body: bytes.toString('base64'), isBase64Encoded: true })).toEqual(bytes);
    expect(readRawBody({ body: 'héllo', isBase64Encoded: false })).toEqual(Buffer.from('héllo', 'utf8'));
    expect(readRawBody({ body: null, isBase64Encoded: false })).toEqual(Buffer.alloc(0));
  });
});

describe('readHeader', () => {
  it('matches any case and joins repeated values', () => {
    expect(readHeader({ headers: { 'X-HAPP-Signature': 'a' } }, 'x-happ-signature')).toBe('a');
    expect(
      readHeader(
        { headers: { 'x-happ-signature': 'b' }, multiValueHeaders: { 'X-Happ-Signature': ['a', 'b'] } },
        'x-happ-signature',
      ),
    ).toBe('a, b');
    expect(readHeader({ headers: null, multiValueHeaders: undefined } as never, 'x')).toBeUndefined();
  });
});

describe('decodeBody', () => {
  it.each([
    ['JSON object', '{"event":"x"}', { encoding: 'json', value: { event: 'x' } }],
    ['JSON array', '[1,2]', { encoding: 'json', value: [1, 2] }],
    ['JSON with a byte-order mark', '\ufeff{"a":1}', { encoding: 'json', value: { a: 1 } }],
    ['text', 'hello', { encoding: 'text', value: 'hello' }],
    ['empty', '', { encoding: 'text', value: '' }],
    ['blank', '  ', { encoding: 'text', value: '  ' }],
    ['truncated JSON', '{"a":', { encoding: 'text', value: '{"a":' }],
  ])('%s', (_name, body, expected) => {
    expect(decodeBody(Buffer.from(body, 'utf8'))).toEqual(expected);
  });

  it('keeps bytes that are not UTF-8 as base64', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(decodeBody(bytes)).toEqual({ encoding: 'base64', value: bytes.toString('base64') });
  });

  it('never loses bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (array) => {
        const raw = Buffer.from(array);
        const decoded = decodeBody(raw);
        if (decoded.encoding === 'base64') expect(Buffer.from(decoded.value, 'base64')).toEqual(raw);
        if (decoded.encoding === 'text') expect(Buffer.from(decoded.value, 'utf8')).toEqual(raw);
      }),
    );
  });
});

describe('getPath / extractEventType', () => {
  const json = (value: unknown) => ({ encoding: 'json' as const, value });

  it('walks dot paths through objects and arrays, own properties only', () => {
    expect(getPath({ a: { b: [{ c: 1 }] } }, 'a.b.0.c')).toBe(1);
    expect(getPath({ a: 1 }, 'toString')).toBeUndefined();
    expect(getPath('x', 'length')).toBeUndefined();
  });

  it('takes the first field holding a non-blank string', () => {
    expect(extractEventType(json({ event: 'call.completed', type: 'x' }), ['event', 'type'])).toBe(
      'call.completed',
    );
    expect(extractEventType(json({ event: '', type: 'chat.message.sent' }), ['event', 'type'])).toBe(
      'chat.message.sent',
    );
    expect(extractEventType(json({ data: { kind: 'k' } }), ['data.kind'])).toBe('k');
  });

  it.each([
    ['no type field', json({ callId: 'c' })],
    ['a number', json({ event: 42 })],
    ['an object', json({ event: { name: 'x' } })],
    ['a blank string', json({ event: '  ' })],
    ['an over-long string', json({ event: 'x'.repeat(257) })],
    ['an array body', json(['call.completed'])],
    ['a text body', { encoding: 'text' as const, value: 'event=call.completed' }],
  ])('is unknown for %s', (_name, body) => {
    expect(extractEventType(body, ['event', 'type'])).toBe('unknown');
  });
});

describe('deriveIdempotencyKey', () => {
  const raw = Buffer.from('{"event":"call.completed","callId":"c1","n":7}');
  const body = decodeBody(raw);
  const bodyHash = createHash('sha256').update(raw).digest('hex');

  it('is the SHA-256 of the raw body by default, namespaced by source', () => {
    expect(deriveIdempotencyKey('call', raw, body, [])).toEqual({
      key: `call#${bodyHash}`,
      from: 'body-sha256',
    });
    expect(deriveIdempotencyKey('chat', raw, body, []).key).toBe(`chat#${bodyHash}`);
  });

  it('uses the JSON of one configured field, of several as an array: the type is part of the key', () => {
    expect(deriveIdempotencyKey('call', raw, body, ['callId'])).toEqual({ key: 'call#"c1"', from: 'fields' });
    const seven = (json: string) => {
      const bytes = Buffer.from(json);
      return deriveIdempotencyKey('call', bytes, decodeBody(bytes), ['n']).key;
    };
    expect(seven('{"n":7}')).toBe('call#7');
    expect(seven('{"n":"7"}')).toBe('call#"7"');
    expect(seven('{"n":true}')).not.toBe(seven('{"n":"true"}'));
    expect(deriveIdempotencyKey('call', raw, body, ['event', 'callId', 'n']).key).toBe(
      'call#["call.completed","c1",7]',
    );
  });

  it('falls back to the body hash when a field is missing, not a scalar, or the body is not JSON', () => {
    expect(deriveIdempotencyKey('call', raw, body, ['callId', 'missing']).from).toBe('body-sha256');
    const nested = Buffer.from('{"id":{"a":1}}');
    expect(deriveIdempotencyKey('call', nested, decodeBody(nested), ['id']).from).toBe('body-sha256');
    const text = Buffer.from('id=1');
    expect(deriveIdempotencyKey('call', text, decodeBody(text), ['id']).key).toBe(
      `call#${createHash('sha256').update(text).digest('hex')}`,
    );
  });
});

describe('message size and claim-check key', () => {
  it('counts body, attribute names, types and values in UTF-8 bytes', () => {
    const attributes = messageAttributes('chat', 'chat.message.received');
    expect(snsMessageBytes('héllo', attributes)).toBe(
      6 + ('source'.length + 6 + 4) + ('type'.length + 6 + 'chat.message.received'.length),
    );
  });

  it('builds an inline envelope carrying the payload encoding', () => {
    const header = {
      version: 1,
      id: 'i',
      source: 'chat' as const,
      type: 'unknown',
      receivedAt: 't',
      idempotencyKey: 'k',
    };
    expect(inlineEnvelope(header, { encoding: 'text', value: 'x' })).toEqual({
      ...header,
      payload: 'x',
      payloadEncoding: 'text',
    });
  });

  it('names S3 objects <source>/<yyyy>/<mm>/<dd>/<id> in UTC', () => {
    expect(claimCheckKey('call', 'abc', new Date('2026-01-02T23:59:59-05:00'))).toBe('call/2026/01/03/abc');
  });
});
