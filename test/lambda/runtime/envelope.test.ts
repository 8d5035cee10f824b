import {
  MalformedEnvelopeError,
  UnsupportedEnvelopeVersionError,
  happHandler,
  parseEnvelope,
} from '../../../lambda/runtime';
import { ENVELOPE_VERSION } from '../../../lambda/shared/envelope';
import { envelope, lambdaContext, sqsEvent, sqsRecord } from './factories';

const location = { bucket: 'b', key: 'k', size: 3, sha256: 'A'.repeat(64) };

describe('parseEnvelope', () => {
  it('returns an inline envelope with its fields', () => {
    const env = envelope();
    expect(parseEnvelope(JSON.stringify(env))).toEqual({ ...env, payloadEncoding: 'json' });
  });

  it('keeps text and base64 payload encodings', () => {
    expect(parseEnvelope(JSON.stringify(envelope({ payload: 'hi', payloadEncoding: 'text' })))).toMatchObject(
      {
        payload: 'hi',
        payloadEncoding: 'text',
      },
    );
    expect(
      parseEnvelope(JSON.stringify(envelope({ payload: 'AAE=', payloadEncoding: 'base64' }))),
    ).toMatchObject({
      payloadEncoding: 'base64',
    });
  });

  it('accepts a null JSON payload', () => {
    expect(parseEnvelope(JSON.stringify(envelope({ payload: null })))).toMatchObject({ payload: null });
  });

  it('returns a claim-checked envelope with a lower-cased digest', () => {
    const env = { ...envelope(), payload: undefined, payloadLocation: location };
    const parsed = parseEnvelope(JSON.stringify(env));
    expect(parsed).toMatchObject({ payloadLocation: { ...location, sha256: 'a'.repeat(64) } });
    expect('payload' in parsed).toBe(false);
  });

  it('keeps unknown event types', () => {
    expect(parseEnvelope(JSON.stringify(envelope({ type: 'chat.something.new' }))).type).toBe(
      'chat.something.new',
    );
  });

  it.each([
    ['not JSON', 'not json {', /not JSON/],
    ['a JSON array', '[]', /must be a JSON object \(got an array\)/],
    ['a JSON string', '"x"', /must be a JSON object \(got a string\)/],
    ['no id', JSON.stringify(envelope({ id: undefined })), /"id" must be a non-empty string \(got nothing\)/],
    [
      'an empty type',
      JSON.stringify(envelope({ type: '' })),
      /"type" must be a non-empty string \(got an empty string\)/,
    ],
    ['a numeric receivedAt', JSON.stringify(envelope({ receivedAt: 5 })), /"receivedAt" .* \(got a number\)/],
    [
      'no idempotencyKey',
      JSON.stringify(envelope({ idempotencyKey: null })),
      /"idempotencyKey" .* \(got null\)/,
    ],
    [
      'an unknown source',
      JSON.stringify(envelope({ source: 'sms' })),
      /"source" must be one of chat, call \(got "sms"\)/,
    ],
    [
      'no payload at all',
      JSON.stringify({ ...envelope(), payload: undefined }),
      /neither "payload" nor "payloadLocation"/,
    ],
    [
      'both payload and location',
      JSON.stringify(envelope({ payloadLocation: location })),
      /both "payload" and "payloadLocation"/,
    ],
    [
      'a bad encoding',
      JSON.stringify(envelope({ payloadEncoding: 'gzip' })),
      /"payloadEncoding" must be one of json, text, base64/,
    ],
    [
      'a text encoding without a string',
      JSON.stringify(envelope({ payload: { a: 1 }, payloadEncoding: 'text' })),
      /"payload" must be a string when payloadEncoding is text \(got a object\)/,
    ],
    [
      'a location that is not an object',
      JSON.stringify({ ...envelope(), payload: undefined, payloadLocation: 'x' }),
      /"payloadLocation" must be an object/,
    ],
    [
      'a location without bucket',
      JSON.stringify({
        ...envelope(),
        payload: undefined,
        payloadLocation: { ...location, bucket: undefined },
      }),
      /payloadLocation field "bucket"/,
    ],
    [
      'a negative size',
      JSON.stringify({ ...envelope(), payload: undefined, payloadLocation: { ...location, size: -1 } }),
      /"size" must be a non-negative integer \(got a number -1\)/,
    ],
    [
      'a short digest',
      JSON.stringify({ ...envelope(), payload: undefined, payloadLocation: { ...location, sha256: 'abc' } }),
      /"sha256" must be 64 hex characters/,
    ],
  ])('fails when the body is %s', (_what, body, message) => {
    expect(() => parseEnvelope(body)).toThrow(MalformedEnvelopeError);
    expect(() => parseEnvelope(body)).toThrow(message);
  });

  it('refuses a record without a body as MalformedEnvelopeError (not a TypeError)', () => {
    for (const body of [undefined, null, '']) {
      expect(() => parseEnvelope(body)).toThrow(MalformedEnvelopeError);
      expect(() => parseEnvelope(body)).toThrow(/the SQS record has no message body/);
    }
  });

  it('refuses a base64 payload that is not base64, or empty, instead of handing over an empty Buffer', () => {
    for (const payload of ['not base64!', 'AAE', '', '@@@@', 'AA==AA==']) {
      expect(() => parseEnvelope(JSON.stringify(envelope({ payload, payloadEncoding: 'base64' })))).toThrow(
        /"payload" is not base64 although payloadEncoding is base64/,
      );
    }
    expect(
      parseEnvelope(JSON.stringify(envelope({ payload: 'AAEC', payloadEncoding: 'base64' }))),
    ).toMatchObject({
      payload: 'AAEC',
    });
  });

  it('reads version 1 and envelopes without a version; fails any other version, naming it', () => {
    expect(ENVELOPE_VERSION).toBe(1);
    expect(parseEnvelope(JSON.stringify(envelope({ version: 1 })))).toMatchObject({ type: 'call.completed' });
    expect(parseEnvelope(JSON.stringify(envelope()))).toMatchObject({ type: 'call.completed' });
    for (const version of [2, '1', 0]) {
      const body = JSON.stringify(envelope({ version }));
      expect(() => parseEnvelope(body)).toThrow(UnsupportedEnvelopeVersionError);
      expect(() => parseEnvelope(body)).toThrow(
        `envelope version ${JSON.stringify(version)} is not supported by this runtime helper (it reads version 1)`,
      );
    }
  });

  it('happHandler fails (never drops) a record of an unknown version: it returns to the queue', async () => {
    const fn = jest.fn();
    const handler = happHandler(fn, { idempotency: false });
    const unknown = sqsRecord(envelope({ version: 2 }));
    const known = sqsRecord(envelope({ version: 1 }));
    const noBody = sqsRecord('', { body: undefined as unknown as string });
    const result = await handler(sqsEvent(unknown, known, noBody), lambdaContext());
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [unknown.messageId, noBody.messageId].sort(),
    );
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('never quotes the payload in its errors', () => {
    const secret = 'customer-phone-+15551234567';
    const body = JSON.stringify({ ...envelope({ payload: secret, payloadEncoding: 'bogus' }) });
    expect(() => parseEnvelope(body)).toThrow(MalformedEnvelopeError);
    try {
      parseEnvelope(body);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() => parseEnvelope(`${secret} not json`)).toThrow(/not JSON \(\d+ characters\)$/);
  });
});
