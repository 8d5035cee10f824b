/**
 * Every environment variable the Lambda code reads, in one place. The construct sets them; the
 * README's "Configuration" table mirrors this file. Standard AWS SDK variables (`AWS_REGION`,
 * `AWS_ENDPOINT_URL_*`) and Powertools variables (`POWERTOOLS_*`) are honoured as usual.
 */
export const ENV = {
  // ---- verifier ----
  /** ARN of the Secrets Manager secret that signs `POST /chat` deliveries. Unset = route disabled. */
  CHAT_SECRET_ARN: 'HAPP_CHAT_SECRET_ARN',
  /** ARN of the Secrets Manager secret that signs `POST /call` deliveries. Unset = route disabled. */
  CALL_SECRET_ARN: 'HAPP_CALL_SECRET_ARN',
  /** Seconds a fetched secret is cached in the container. Default 300. */
  SECRETS_CACHE_TTL_SECONDS: 'HAPP_SECRETS_CACHE_TTL_SECONDS',
  /** DynamoDB idempotency table (partition key `id`, TTL attribute `expiration`). Required. */
  TABLE_NAME: 'HAPP_TABLE_NAME',
  /** SNS topic the verifier publishes envelopes to. Required by the verifier. */
  TOPIC_ARN: 'HAPP_TOPIC_ARN',
  /** S3 bucket for claim-checked bodies (too large for one SNS message). Required by the verifier. */
  BUCKET_NAME: 'HAPP_BUCKET_NAME',
  /** Request header carrying the signature, any case. Default `x-happ-signature`. */
  SIGNATURE_HEADER: 'HAPP_SIGNATURE_HEADER',
  /** Accepted signature encodings, comma-separated subset of `hex,base64`. Default both. */
  SIGNATURE_ENCODINGS: 'HAPP_SIGNATURE_ENCODINGS',
  /** Optional prefix before a signature, matched case-insensitively. Default `sha256=`; empty = none. */
  SIGNATURE_PREFIX: 'HAPP_SIGNATURE_PREFIX',
  /** JSON fields naming the event type, comma-separated, first present wins. Default `event,type`. */
  TYPE_FIELDS: 'HAPP_TYPE_FIELDS',
  /** JSON fields (dot paths) whose values form the idempotency key. Default empty = SHA-256 of the raw body. */
  IDEMPOTENCY_KEY_FIELDS: 'HAPP_IDEMPOTENCY_KEY_FIELDS',
  /** Seconds a completed delivery is remembered as a duplicate. Default 604800 (7 days). */
  DEDUPE_WINDOW_SECONDS: 'HAPP_DEDUPE_WINDOW_SECONDS',
  /** Bodies larger than this answer 413. Default unset = no limit below API Gateway's 10 MB. */
  MAX_BODY_SIZE_BYTES: 'HAPP_MAX_BODY_SIZE_BYTES',
  /** Envelopes larger than this travel through S3 (claim check). Default 240000 (SNS max is 262144). */
  CLAIM_CHECK_THRESHOLD_BYTES: 'HAPP_CLAIM_CHECK_THRESHOLD_BYTES',
  /** Ms from the start of an invocation within which the verifier answers, whatever its dependencies do. Default 4000. */
  RESPONSE_BUDGET_MS: 'HAPP_RESPONSE_BUDGET_MS',
  /** Deliveries whose event time is older than this many seconds are refused. Default unset = no check. */
  MAX_EVENT_AGE_SECONDS: 'HAPP_MAX_EVENT_AGE_SECONDS',
  /** JSON fields (dot paths) carrying the event time, first present wins. Default `timestamp,createdAt,occurredAt,endedAt`. */
  EVENT_TIME_FIELDS: 'HAPP_EVENT_TIME_FIELDS',
  /** How far in the future an event time may be (sender clock ahead). Default 300. */
  MAX_CLOCK_SKEW_SECONDS: 'HAPP_MAX_CLOCK_SKEW_SECONDS',

  // ---- subscriber runtime helper ----
  /** Name of the subscriber (the id given to addSubscriber); namespaces its idempotency keys. */
  SUBSCRIBER_NAME: 'HAPP_SUBSCRIBER_NAME',

  // ---- tool runtime helper (happTool) ----
  /** The tool's name (as registered with Happ); metric dimension and idempotency key prefix. */
  TOOL_NAME: 'HAPP_TOOL_NAME',
  /** ARN of the Secrets Manager secret that signs the tool's requests. Required by happTool. */
  TOOL_SECRET_ARN: 'HAPP_TOOL_SECRET_ARN',
  /** Ms from the start of an invocation within which the tool answers, whatever its function does. Default 10000. */
  TOOL_TIMEOUT_MS: 'HAPP_TOOL_TIMEOUT_MS',
  /** `true` when retried requests get the stored answer of the first (HAPP_TABLE_NAME then required). */
  TOOL_IDEMPOTENT: 'HAPP_TOOL_IDEMPOTENT',
  /** Seconds an answer is kept for a retried request. Default 300. */
  TOOL_IDEMPOTENCY_SECONDS: 'HAPP_TOOL_IDEMPOTENCY_SECONDS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export const DEFAULTS = {
  signatureHeader: 'x-happ-signature',
  signatureEncodings: ['hex', 'base64'] as const,
  signaturePrefix: 'sha256=',
  typeFields: ['event', 'type'] as const,
  dedupeWindowSeconds: 7 * 24 * 60 * 60,
  secretsCacheTtlSeconds: 300,
  claimCheckThresholdBytes: 240_000,
  responseBudgetMs: 4_000,
  eventTimeFields: ['timestamp', 'createdAt', 'occurredAt', 'endedAt'] as const,
  maxClockSkewSeconds: 300,
  toolTimeoutMs: 10_000,
  toolIdempotencySeconds: 300,
} as const;

/** Raised when a required environment variable is missing: names the variable. */
export class MissingConfigurationError extends Error {
  public override readonly name = 'MissingConfigurationError';
  constructor(
    public readonly variable: string,
    hint?: string,
  ) {
    super(`environment variable ${variable} is not set${hint ? ` (${hint})` : ''}`);
  }
}

/** Reads a required environment variable or throws MissingConfigurationError naming it. */
export function requireEnv(variable: string, hint?: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[variable];
  if (value === undefined || value === '') throw new MissingConfigurationError(variable, hint);
  return value;
}

/** Comma-separated list → trimmed, non-empty items. */
export function parseList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
