import { MissingConfigurationError } from '../../../lambda/shared/env';
import {
  InvalidConfigurationError,
  loadVerifierConfig,
  resolveVerifierConfig,
} from '../../../lambda/verifier/config';

const REQUIRED = {
  HAPP_TABLE_NAME: 'table',
  HAPP_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:topic',
  HAPP_BUCKET_NAME: 'bucket',
};

describe('loadVerifierConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadVerifierConfig({ ...REQUIRED, HAPP_CHAT_SECRET_ARN: 'arn:chat' })).toEqual({
      secretArns: { chat: 'arn:chat' },
      tableName: 'table',
      topicArn: REQUIRED.HAPP_TOPIC_ARN,
      bucketName: 'bucket',
      secretsCacheTtlSeconds: 300,
      signatureHeader: 'x-happ-signature',
      signatureEncodings: ['hex', 'base64'],
      signaturePrefix: 'sha256=',
      typeFields: ['event', 'type'],
      idempotencyKeyFields: [],
      dedupeWindowSeconds: 604800,
      claimCheckThresholdBytes: 240000,
      secretRefreshIntervalMs: 10000,
      responseBudgetMs: 4000,
      eventTimeFields: ['timestamp', 'createdAt', 'occurredAt', 'endedAt'],
      maxClockSkewSeconds: 300,
    });
  });

  it('reads every variable', () => {
    const config = loadVerifierConfig({
      ...REQUIRED,
      HAPP_CHAT_SECRET_ARN: 'arn:chat',
      HAPP_CALL_SECRET_ARN: 'arn:call',
      HAPP_SECRETS_CACHE_TTL_SECONDS: '0',
      HAPP_SIGNATURE_HEADER: 'X-Custom-Signature',
      HAPP_SIGNATURE_ENCODINGS: 'base64',
      HAPP_SIGNATURE_PREFIX: '',
      HAPP_TYPE_FIELDS: 'kind, data.type',
      HAPP_IDEMPOTENCY_KEY_FIELDS: 'event,callId',
      HAPP_DEDUPE_WINDOW_SECONDS: '86400',
      HAPP_MAX_BODY_SIZE_BYTES: '1048576',
      HAPP_CLAIM_CHECK_THRESHOLD_BYTES: '0',
      HAPP_RESPONSE_BUDGET_MS: '2500',
      HAPP_MAX_EVENT_AGE_SECONDS: '3600',
      HAPP_EVENT_TIME_FIELDS: 'sentAt, data.time',
      HAPP_MAX_CLOCK_SKEW_SECONDS: '60',
    });
    expect(config).toMatchObject({
      responseBudgetMs: 2500,
      maxEventAgeSeconds: 3600,
      eventTimeFields: ['sentAt', 'data.time'],
      maxClockSkewSeconds: 60,
      secretArns: { chat: 'arn:chat', call: 'arn:call' },
      secretsCacheTtlSeconds: 0,
      signatureHeader: 'x-custom-signature',
      signatureEncodings: ['base64'],
      signaturePrefix: '',
      typeFields: ['kind', 'data.type'],
      idempotencyKeyFields: ['event', 'callId'],
      dedupeWindowSeconds: 86400,
      maxBodySizeBytes: 1048576,
      claimCheckThresholdBytes: 0,
    });
  });

  it('treats a blank secret ARN as a disabled route', () => {
    expect(loadVerifierConfig({ ...REQUIRED, HAPP_CALL_SECRET_ARN: ' ' }).secretArns).toEqual({});
  });

  it.each(['HAPP_TABLE_NAME', 'HAPP_TOPIC_ARN', 'HAPP_BUCKET_NAME'])('fails when %s is missing', (name) => {
    const env: Record<string, string> = { ...REQUIRED };
    delete env[name];
    expect(() => loadVerifierConfig(env)).toThrow(MissingConfigurationError);
    expect(() => loadVerifierConfig(env)).toThrow(new RegExp(`${name} is not set`));
  });

  it.each([
    ['HAPP_SECRETS_CACHE_TTL_SECONDS', '-1', /between 0 and 86400 \(given -1\)/],
    ['HAPP_SECRETS_CACHE_TTL_SECONDS', 'soon', /must be an integer \(given "soon"\)/],
    ['HAPP_DEDUPE_WINDOW_SECONDS', '59', /between 60 and 31536000 \(given 59\)/],
    ['HAPP_DEDUPE_WINDOW_SECONDS', '1.5', /must be an integer/],
    ['HAPP_MAX_BODY_SIZE_BYTES', '0', /between 1 and 4694016 \(given 0\)/],
    ['HAPP_MAX_BODY_SIZE_BYTES', '10485760', /between 1 and 4694016 \(given 10485760\)/],
    ['HAPP_RESPONSE_BUDGET_MS', '100', /between 500 and 25000 \(given 100\)/],
    ['HAPP_MAX_EVENT_AGE_SECONDS', '10', /between 60 and 31536000 \(given 10\)/],
    ['HAPP_MAX_CLOCK_SKEW_SECONDS', '7200', /between 0 and 3600 \(given 7200\)/],
    ['HAPP_EVENT_TIME_FIELDS', 'a..b', /invalid field path "a\.\.b"/],
    ['HAPP_CLAIM_CHECK_THRESHOLD_BYTES', '262145', /between 0 and 262144 \(given 262145\)/],
    ['HAPP_SIGNATURE_ENCODINGS', 'hex,sha1', /subset of hex, base64 \(given "hex,sha1"\)/],
    ['HAPP_SIGNATURE_ENCODINGS', ',', /subset of hex, base64/],
    ['HAPP_SIGNATURE_HEADER', 'x happ', /HTTP header name \(given "x happ"\)/],
    ['HAPP_SIGNATURE_PREFIX', 'sha 256=', /must not contain spaces or commas/],
    ['HAPP_TYPE_FIELDS', 'event,.bad', /invalid field path "\.bad"/],
    ['HAPP_IDEMPOTENCY_KEY_FIELDS', 'a..b', /invalid field path "a\.\.b"/],
  ])('fails when %s is %p, naming the variable and the allowed range', (name, value, message) => {
    const load = () => loadVerifierConfig({ ...REQUIRED, [name]: value });
    expect(load).toThrow(InvalidConfigurationError);
    expect(load).toThrow(new RegExp(name));
    expect(load).toThrow(message);
  });
});

describe('resolveVerifierConfig', () => {
  const base = { secretArns: { chat: 'arn:chat' }, tableName: 't', topicArn: 'arn:topic', bucketName: 'b' };

  it('fails on an unknown source', () => {
    expect(() => resolveVerifierConfig({ ...base, secretArns: { sms: 'x' } as never })).toThrow(
      /unknown source "sms" \(allowed: chat, call\)/,
    );
  });

  it('fails on an empty resource name, naming field and variable', () => {
    expect(() => resolveVerifierConfig({ ...base, tableName: '' })).toThrow(
      /tableName \(HAPP_TABLE_NAME\) must be a non-empty string/,
    );
  });

  it('fails when no type field is left', () => {
    expect(() => resolveVerifierConfig({ ...base, typeFields: [] })).toThrow(/must name at least one field/);
  });

  it('fails when maxEventAge + maxClockSkew exceed the dedupe window (a captured delivery could be accepted twice)', () => {
    expect(() =>
      resolveVerifierConfig({
        ...base,
        dedupeWindowSeconds: 3600,
        maxEventAgeSeconds: 3600,
        maxClockSkewSeconds: 1,
      }),
    ).toThrow(
      /maxEventAgeSeconds \(HAPP_MAX_EVENT_AGE_SECONDS\) \+ maxClockSkewSeconds must be less than dedupeWindowSeconds.*\(given 3600 \+ 1 >= 3600\)/,
    );
    expect(
      resolveVerifierConfig({
        ...base,
        dedupeWindowSeconds: 3600,
        maxEventAgeSeconds: 3299,
        maxClockSkewSeconds: 300,
      }).maxEventAgeSeconds,
    ).toBe(3299);
  });

  it('fails on a non-integer number, naming the field', () => {
    expect(() => resolveVerifierConfig({ ...base, dedupeWindowSeconds: 3600.5 })).toThrow(
      /dedupeWindowSeconds \(HAPP_DEDUPE_WINDOW_SECONDS\) must be an integer between 60 and 31536000 \(given 3600.5\)/,
    );
  });
});
