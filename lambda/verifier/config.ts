/**
 * The verifier's configuration: the typed object `createHandler` takes, and how it is read from the
 * environment variables the construct sets (names and meanings in lambda/shared/env.ts).
 * Every value is validated once, when the handler is created; a bad value names the variable (or
 * field), the value given and the allowed range.
 */
import { DEFAULTS, ENV, MissingConfigurationError, parseList } from '../shared/env';
import { HappSource } from '../shared/envelope';
import {
  MAX_CLOCK_SKEW_RANGE,
  MAX_DELIVERABLE_BODY_BYTES,
  MAX_EVENT_AGE_RANGE,
  replayWindowClosed,
  RESPONSE_BUDGET_RANGE,
} from '../shared/limits';
import { SIGNATURE_ENCODINGS, type SignatureEncoding } from '../shared/signature';

/** SNS's hard limit for one message, body plus attributes. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** API Gateway's hard limit for a request payload. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
export { MAX_DELIVERABLE_BODY_BYTES, RESPONSE_BUDGET_RANGE, MAX_EVENT_AGE_RANGE, MAX_CLOCK_SKEW_RANGE };
/** Bounds of the dedupe window: at least a minute, at most a year. */
export const DEDUPE_WINDOW_RANGE = { min: 60, max: 365 * 24 * 60 * 60 } as const;
/** Bounds of the secret cache TTL (0 = fetch on every request). */
export const SECRETS_CACHE_TTL_RANGE = { min: 0, max: 24 * 60 * 60 } as const;

/** What `createHandler` takes. Only the resource names are required; the rest have defaults. */
export interface VerifierConfig {
  /**
   * Secrets Manager secret (ARN or name) per source. A source without one is disabled: its route
   * answers 404.
   */
  readonly secretArns: Readonly<Partial<Record<HappSource, string>>>;
  /** DynamoDB idempotency table (partition key `id`, TTL attribute `expiration`). */
  readonly tableName: string;
  /** SNS topic the envelopes are published to. */
  readonly topicArn: string;
  /** S3 bucket for claim-checked bodies. */
  readonly bucketName: string;
  /** @default 300 */
  readonly secretsCacheTtlSeconds?: number;
  /** Request header carrying the signature, matched in any case. @default 'x-happ-signature' */
  readonly signatureHeader?: string;
  /** @default ['hex', 'base64'] */
  readonly signatureEncodings?: readonly SignatureEncoding[];
  /** Optional prefix before each signature, any case; '' for none. @default 'sha256=' */
  readonly signaturePrefix?: string;
  /** JSON fields (dot paths) naming the event type; the first non-empty string wins. @default ['event', 'type'] */
  readonly typeFields?: readonly string[];
  /** JSON fields (dot paths) forming the idempotency key. @default [] - the SHA-256 of the raw body */
  readonly idempotencyKeyFields?: readonly string[];
  /** Seconds a completed delivery is remembered. @default 604800 (7 days) */
  readonly dedupeWindowSeconds?: number;
  /**
   * Bodies larger than this answer 413. At most MAX_DELIVERABLE_BODY_BYTES (what reaches Lambda).
   * @default - no limit below what reaches Lambda
   */
  readonly maxBodySizeBytes?: number;
  /** Messages (envelope + attributes) larger than this go through S3. @default 240000 */
  readonly claimCheckThresholdBytes?: number;
  /**
   * After a signature mismatch, the secret is fetched again (once, bypassing the cache) if the
   * cached copy is at least this old, so a rotation is picked up without waiting for the cache TTL.
   * @default 10000
   */
  readonly secretRefreshIntervalMs?: number;
  /**
   * Ms from the start of the invocation within which every request is answered, whatever the
   * dependencies do (RESPONSE_BUDGET_RANGE). Also the lease of an in-progress claim.
   * @default 4000
   */
  readonly responseBudgetMs?: number;
  /**
   * Signed deliveries whose event time is older than this are refused (422). Must satisfy
   * maxEventAge + maxClockSkew < dedupeWindow, so no captured request is ever accepted twice.
   * @default - no freshness check
   */
  readonly maxEventAgeSeconds?: number;
  /** JSON fields (dot paths) carrying the event time. @default ['timestamp', 'createdAt', 'occurredAt', 'endedAt'] */
  readonly eventTimeFields?: readonly string[];
  /** How far in the future an event time may be. @default 300 */
  readonly maxClockSkewSeconds?: number;
}

/** VerifierConfig with every default applied and every value validated. */
export type ResolvedVerifierConfig = Required<
  Omit<VerifierConfig, 'maxBodySizeBytes' | 'maxEventAgeSeconds'>
> &
  Pick<VerifierConfig, 'maxBodySizeBytes' | 'maxEventAgeSeconds'>;

/** A configuration value is present but unusable. Names the variable, the value and the allowed range. */
export class InvalidConfigurationError extends Error {
  public override readonly name = 'InvalidConfigurationError';
  constructor(
    public readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_PATH_RE = /^[^.\s]+(\.[^.\s]+)*$/;

/** Applies defaults and validates; throws InvalidConfigurationError naming the field and its variable. */
export function resolveVerifierConfig(config: VerifierConfig): ResolvedVerifierConfig {
  requireName(config.tableName, 'tableName', ENV.TABLE_NAME);
  requireName(config.topicArn, 'topicArn', ENV.TOPIC_ARN);
  requireName(config.bucketName, 'bucketName', ENV.BUCKET_NAME);
  for (const [source, arn] of Object.entries(config.secretArns ?? {})) {
    if (!(Object.values(HappSource) as string[]).includes(source)) {
      throw new InvalidConfigurationError(
        'secretArns',
        `secretArns has an unknown source "${source}" (allowed: ${Object.values(HappSource).join(', ')})`,
      );
    }
    if (arn !== undefined && (typeof arn !== 'string' || arn.trim() === '')) {
      throw new InvalidConfigurationError('secretArns', `secretArns.${source} must be a non-empty string`);
    }
  }

  const signatureHeader = config.signatureHeader ?? DEFAULTS.signatureHeader;
  if (!HEADER_NAME_RE.test(signatureHeader)) {
    throw new InvalidConfigurationError(
      ENV.SIGNATURE_HEADER,
      `signatureHeader (${ENV.SIGNATURE_HEADER}) must be an HTTP header name (given "${signatureHeader}")`,
    );
  }
  const signatureEncodings = config.signatureEncodings ?? DEFAULTS.signatureEncodings;
  if (
    signatureEncodings.length === 0 ||
    signatureEncodings.some((e) => !(SIGNATURE_ENCODINGS as readonly string[]).includes(e))
  ) {
    throw new InvalidConfigurationError(
      ENV.SIGNATURE_ENCODINGS,
      `signatureEncodings (${ENV.SIGNATURE_ENCODINGS}) must be a non-empty subset of ${SIGNATURE_ENCODINGS.join(', ')} (given "${signatureEncodings.join(',')}")`,
    );
  }
  const signaturePrefix = config.signaturePrefix ?? DEFAULTS.signaturePrefix;
  if (/[\s,]/.test(signaturePrefix)) {
    throw new InvalidConfigurationError(
      ENV.SIGNATURE_PREFIX,
      `signaturePrefix (${ENV.SIGNATURE_PREFIX}) must not contain spaces or commas, which separate signatures (given "${signaturePrefix}")`,
    );
  }
  const typeFields = config.typeFields ?? DEFAULTS.typeFields;
  const idempotencyKeyFields = config.idempotencyKeyFields ?? [];
  checkFieldPaths(typeFields, 'typeFields', ENV.TYPE_FIELDS);
  const eventTimeFields = config.eventTimeFields ?? DEFAULTS.eventTimeFields;
  checkFieldPaths(eventTimeFields, 'eventTimeFields', ENV.EVENT_TIME_FIELDS);
  checkFieldPaths(idempotencyKeyFields, 'idempotencyKeyFields', ENV.IDEMPOTENCY_KEY_FIELDS);
  if (typeFields.length === 0) {
    throw new InvalidConfigurationError(
      ENV.TYPE_FIELDS,
      `typeFields (${ENV.TYPE_FIELDS}) must name at least one field`,
    );
  }

  const resolved: ResolvedVerifierConfig = {
    secretArns: { ...config.secretArns },
    tableName: config.tableName,
    topicArn: config.topicArn,
    bucketName: config.bucketName,
    secretsCacheTtlSeconds: checkInteger(
      config.secretsCacheTtlSeconds ?? DEFAULTS.secretsCacheTtlSeconds,
      'secretsCacheTtlSeconds',
      ENV.SECRETS_CACHE_TTL_SECONDS,
      SECRETS_CACHE_TTL_RANGE.min,
      SECRETS_CACHE_TTL_RANGE.max,
    ),
    signatureHeader: signatureHeader.toLowerCase(),
    signatureEncodings: [...signatureEncodings],
    signaturePrefix,
    typeFields: [...typeFields],
    idempotencyKeyFields: [...idempotencyKeyFields],
    dedupeWindowSeconds: checkInteger(
      config.dedupeWindowSeconds ?? DEFAULTS.dedupeWindowSeconds,
      'dedupeWindowSeconds',
      ENV.DEDUPE_WINDOW_SECONDS,
      DEDUPE_WINDOW_RANGE.min,
      DEDUPE_WINDOW_RANGE.max,
    ),
    claimCheckThresholdBytes: checkInteger(
      config.claimCheckThresholdBytes ?? DEFAULTS.claimCheckThresholdBytes,
      'claimCheckThresholdBytes',
      ENV.CLAIM_CHECK_THRESHOLD_BYTES,
      0,
      SNS_MAX_MESSAGE_BYTES,
    ),
    secretRefreshIntervalMs: checkInteger(
      config.secretRefreshIntervalMs ?? 10_000,
      'secretRefreshIntervalMs',
      'secretRefreshIntervalMs',
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    responseBudgetMs: checkInteger(
      config.responseBudgetMs ?? DEFAULTS.responseBudgetMs,
      'responseBudgetMs',
      ENV.RESPONSE_BUDGET_MS,
      RESPONSE_BUDGET_RANGE.min,
      RESPONSE_BUDGET_RANGE.max,
    ),
    eventTimeFields: [...eventTimeFields],
    maxClockSkewSeconds: checkInteger(
      config.maxClockSkewSeconds ?? DEFAULTS.maxClockSkewSeconds,
      'maxClockSkewSeconds',
      ENV.MAX_CLOCK_SKEW_SECONDS,
      MAX_CLOCK_SKEW_RANGE.min,
      MAX_CLOCK_SKEW_RANGE.max,
    ),
  };
  const optionalLimits: Pick<VerifierConfig, 'maxBodySizeBytes' | 'maxEventAgeSeconds'> = {};
  if (config.maxBodySizeBytes !== undefined) {
    Object.assign(optionalLimits, {
      maxBodySizeBytes: checkInteger(
        config.maxBodySizeBytes,
        'maxBodySizeBytes',
        ENV.MAX_BODY_SIZE_BYTES,
        1,
        MAX_DELIVERABLE_BODY_BYTES,
      ),
    });
  }
  if (config.maxEventAgeSeconds !== undefined) {
    const maxAge = checkInteger(
      config.maxEventAgeSeconds,
      'maxEventAgeSeconds',
      ENV.MAX_EVENT_AGE_SECONDS,
      MAX_EVENT_AGE_RANGE.min,
      MAX_EVENT_AGE_RANGE.max,
    );
    if (!replayWindowClosed(maxAge, resolved.maxClockSkewSeconds, resolved.dedupeWindowSeconds)) {
      throw new InvalidConfigurationError(
        ENV.MAX_EVENT_AGE_SECONDS,
        `maxEventAgeSeconds (${ENV.MAX_EVENT_AGE_SECONDS}) + maxClockSkewSeconds must be less than dedupeWindowSeconds, or a captured delivery could be accepted again after its dedupe record expires (given ${maxAge} + ${resolved.maxClockSkewSeconds} >= ${resolved.dedupeWindowSeconds})`,
      );
    }
    Object.assign(optionalLimits, { maxEventAgeSeconds: maxAge });
  }
  return { ...resolved, ...optionalLimits };
}

/**
 * Reads the verifier's configuration from environment variables (lambda/shared/env.ts). Unset
 * optional variables take their defaults; a present but unusable value throws
 * InvalidConfigurationError; a missing required one throws MissingConfigurationError.
 */
export function loadVerifierConfig(env: NodeJS.ProcessEnv = process.env): ResolvedVerifierConfig {
  const secretArns: Partial<Record<HappSource, string>> = {};
  const chat = optional(env, ENV.CHAT_SECRET_ARN);
  const call = optional(env, ENV.CALL_SECRET_ARN);
  if (chat) secretArns.chat = chat;
  if (call) secretArns.call = call;

  const encodings = optional(env, ENV.SIGNATURE_ENCODINGS);
  const typeFields = optional(env, ENV.TYPE_FIELDS);
  const keyFields = optional(env, ENV.IDEMPOTENCY_KEY_FIELDS);
  const maxBody = optional(env, ENV.MAX_BODY_SIZE_BYTES);
  const timeFields = optional(env, ENV.EVENT_TIME_FIELDS);
  const config: VerifierConfig = {
    secretArns,
    tableName: requiredEnv(env, ENV.TABLE_NAME),
    topicArn: requiredEnv(env, ENV.TOPIC_ARN),
    bucketName: requiredEnv(env, ENV.BUCKET_NAME),
    secretsCacheTtlSeconds: integerEnv(env, ENV.SECRETS_CACHE_TTL_SECONDS),
    signatureHeader: optional(env, ENV.SIGNATURE_HEADER),
    signatureEncodings: encodings === undefined ? undefined : (parseList(encodings) as SignatureEncoding[]),
    // An empty prefix variable means "no prefix"; only an unset one takes the default.
    signaturePrefix: env[ENV.SIGNATURE_PREFIX],
    typeFields: typeFields === undefined ? undefined : parseList(typeFields),
    idempotencyKeyFields: keyFields === undefined ? undefined : parseList(keyFields),
    dedupeWindowSeconds: integerEnv(env, ENV.DEDUPE_WINDOW_SECONDS),
    maxBodySizeBytes: maxBody === undefined ? undefined : integerEnv(env, ENV.MAX_BODY_SIZE_BYTES),
    claimCheckThresholdBytes: integerEnv(env, ENV.CLAIM_CHECK_THRESHOLD_BYTES),
    responseBudgetMs: integerEnv(env, ENV.RESPONSE_BUDGET_MS),
    maxEventAgeSeconds: integerEnv(env, ENV.MAX_EVENT_AGE_SECONDS),
    eventTimeFields: timeFields === undefined ? undefined : parseList(timeFields),
    maxClockSkewSeconds: integerEnv(env, ENV.MAX_CLOCK_SKEW_SECONDS),
  };
  return resolveVerifierConfig(config);
}

/** The variable's value, or undefined when it is unset or blank. */
function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = optional(env, name);
  if (value === undefined) {
    throw new MissingConfigurationError(
      name,
      'required by the verifier; the HappWebhookReceiver construct sets it',
    );
  }
  return value;
}

function integerEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw new InvalidConfigurationError(name, `${name} must be an integer (given "${value}")`);
  }
  return Number(value);
}

function checkInteger(value: number, field: string, variable: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const where = field === variable ? field : `${field} (${variable})`;
    throw new InvalidConfigurationError(
      variable,
      `${where} must be an integer between ${min} and ${max} (given ${value})`,
    );
  }
  return value;
}

function requireName(value: string, field: string, variable: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidConfigurationError(variable, `${field} (${variable}) must be a non-empty string`);
  }
}

function checkFieldPaths(paths: readonly string[], field: string, variable: string): void {
  for (const path of paths) {
    if (!FIELD_PATH_RE.test(path)) {
      throw new InvalidConfigurationError(
        variable,
        `${field} (${variable}) has an invalid field path "${path}" (expected names separated by dots, e.g. "data.id")`,
      );
    }
  }
}
