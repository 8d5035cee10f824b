import { readToolRequest, signedBytes } from '../../../../lambda/runtime/tool-request';
import { canonicalQuery, signToolRequest } from '../../../../lambda/shared/tool-signature';
import { verifySignature } from '../../../../lambda/shared/signature';

describe('readToolRequest', () => {
  test('REST (payload 1.0): base64 body, headers lower-cased and joined, every query value kept', () => {
    const request = readToolRequest({
      httpMethod: 'get',
      path: '/tools/stock',
      headers: { 'X-Happ-Signature': 'ignored-when-multi' },
      multiValueHeaders: { 'X-Happ-Signature': ['a', 'b'] },
      queryStringParameters: { sku: 'B' },
      multiValueQueryStringParameters: { sku: ['A', 'B'] },
      body: Buffer.from('{"x":1}').toString('base64'),
      isBase64Encoded: true,
    });
    expect(request).toMatchObject({
      method: 'GET',
      path: '/tools/stock',
      headers: { 'x-happ-signature': 'a, b' },
      query: { sku: 'B' },
      queryValues: { sku: ['A', 'B'] },
    });
    expect(request.body.toString()).toBe('{"x":1}');
  });

  test('HTTP API (payload 2.0): method from requestContext, the raw query string parsed', () => {
    const request = readToolRequest({
      version: '2.0',
      rawPath: '/tools/stock',
      rawQueryString: 'sku=A&sku=B&q=a+b%26c',
      headers: { 'x-happ-signature': 's' },
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET' } },
    });
    expect(request).toMatchObject({
      method: 'GET',
      path: '/tools/stock',
      headers: { 'x-happ-signature': 's' },
      queryValues: { sku: ['A', 'B'], q: ['a b&c'] },
      query: { sku: 'B', q: 'a b&c' },
    });
    expect(request.body.length).toBe(0);
  });
});

describe('what a tool signature covers', () => {
  test('the body when there is one; else the canonical query (sorted, encodeURIComponent), order-independent', () => {
    expect(canonicalQuery({ b: '2', a: ['z', 'y'], 'é k': 'v&w' })).toBe('%C3%A9%20k=v%26w&a=y&a=z&b=2');
    // The README's example.
    expect(canonicalQuery({ sku: ['B', 'A'], q: 'a b' })).toBe('q=a%20b&sku=A&sku=B');
    const body = Buffer.from('{"a":1}');
    expect(signedBytes({ body, queryValues: { ignored: ['1'] } })).toEqual(body);
    const sig = signToolRequest('', { b: '2', a: '1' }, 's3cret');
    expect(
      verifySignature(signedBytes({ body: Buffer.alloc(0), queryValues: { a: ['1'], b: ['2'] } }), sig, [
        's3cret',
      ]),
    ).toBe(true);
    expect(
      verifySignature(signedBytes({ body: Buffer.alloc(0), queryValues: { a: ['1'], b: ['3'] } }), sig, [
        's3cret',
      ]),
    ).toBe(false);
  });
});
