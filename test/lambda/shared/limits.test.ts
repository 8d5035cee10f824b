import {
  API_EVENT_OVERHEAD_BYTES,
  LAMBDA_SYNC_PAYLOAD_BYTES,
  MAX_DELIVERABLE_BODY_BYTES,
  replayWindowClosed,
} from '../../../lambda/shared/limits';

/** 10,240 bytes of headers (API Gateway's limit for the request line and headers together). */
function maxHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; Object.entries(headers).join('').length < 10_240 - 64; i++) {
    headers[`x-custom-header-${i}`] = '"quoted\\value"'.repeat(8);
  }
  return headers;
}

function restEvent(body: string) {
  const headers = maxHeaders();
  return {
    resource: '/chat',
    path: '/chat',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourceId: 'abc123',
      resourcePath: '/chat',
      httpMethod: 'POST',
      extendedRequestId: 'x'.repeat(16),
      requestTime: '02/Dec/2026:13:00:00 +0000',
      path: '/prod/chat',
      accountId: '123456789012',
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainPrefix: 'abcdefghij',
      requestTimeEpoch: 1_796_000_000_000,
      requestId: '00000000-0000-0000-0000-000000000000',
      identity: { sourceIp: '203.0.113.10', userAgent: 'u'.repeat(512) },
      domainName: 'abcdefghij.execute-api.eu-west-1.amazonaws.com',
      apiId: 'abcdefghij',
    },
    body,
    isBase64Encoded: true,
  };
}

function httpApiEvent(body: string) {
  return {
    version: '2.0',
    routeKey: 'POST /chat',
    rawPath: '/chat',
    rawQueryString: '',
    cookies: ['a=b'],
    headers: maxHeaders(),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdefghij',
      domainName: 'abcdefghij.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdefghij',
      http: {
        method: 'POST',
        path: '/chat',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: 'u'.repeat(512),
      },
      requestId: 'x'.repeat(16),
      routeKey: 'POST /chat',
      stage: '$default',
      time: '02/Dec/2026:13:00:00 +0000',
      timeEpoch: 1_796_000_000_000,
    },
    body,
    isBase64Encoded: true,
  };
}

describe('what reaches Lambda', () => {
  it.each([
    ['REST proxy event', restEvent],
    ['HTTP API 2.0 event', httpApiEvent],
  ])('the %s around a body, with 10 KB of headers, fits the overhead allowance', (_name, build) => {
    const overhead = Buffer.byteLength(JSON.stringify(build('')));
    expect(overhead).toBeLessThan(API_EVENT_OVERHEAD_BYTES);
  });

  it('a body of MAX_DELIVERABLE_BODY_BYTES, base64-encoded in such an event, fits the 6 MB invoke payload; 4 bytes more would not', () => {
    const base64 = (n: number) => Buffer.alloc(n, 0xab).toString('base64');
    const fits = Buffer.byteLength(JSON.stringify(restEvent(base64(MAX_DELIVERABLE_BODY_BYTES))));
    expect(fits).toBeLessThanOrEqual(LAMBDA_SYNC_PAYLOAD_BYTES);
    expect(MAX_DELIVERABLE_BODY_BYTES).toBe(4_694_016); // ~4.48 MiB, far below API Gateway's 10 MiB
    const budgetFor = Math.floor((LAMBDA_SYNC_PAYLOAD_BYTES - API_EVENT_OVERHEAD_BYTES) / 4) * 3;
    expect(Math.ceil((budgetFor + 4) / 3) * 4 + API_EVENT_OVERHEAD_BYTES).toBeGreaterThan(
      LAMBDA_SYNC_PAYLOAD_BYTES,
    );
  });
});

describe('replayWindowClosed', () => {
  it('holds exactly when maxEventAge + skew < dedupe window', () => {
    expect(replayWindowClosed(3600, 300, 3901)).toBe(true);
    expect(replayWindowClosed(3600, 300, 3900)).toBe(false);
    expect(replayWindowClosed(6 * 86400, 300, 7 * 86400)).toBe(true);
  });

  it('simulated: a captured request replayed every minute for 30 days is accepted at most once', () => {
    const check = (maxAge: number, skew: number, window: number) => {
      const eventTime = 0;
      let acceptedAt: number | undefined;
      let accepted = 0;
      for (let now = -skew; now <= 30 * 86400; now += 60) {
        const fresh = now - maxAge <= eventTime && eventTime <= now + skew;
        const duplicate = acceptedAt !== undefined && now < acceptedAt + window;
        if (fresh && !duplicate) {
          accepted += 1;
          acceptedAt = now;
        }
      }
      return accepted;
    };
    expect(check(3600, 300, 3901)).toBe(1);
    expect(check(3600, 300, 3900)).toBe(2); // the boundary: exactly why the rule is strict
    expect(check(86400, 300, 3600)).toBeGreaterThan(1); // window too short: accepted again
  });
});
