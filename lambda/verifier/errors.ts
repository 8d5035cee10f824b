/**
 * The verifier's domain errors. Infrastructure errors (AWS SDK, Powertools) become one of these at
 * a single boundary each; responses.ts maps them to status codes in one place. Messages never
 * contain a secret, a signature or a payload.
 */

/** The AWS services the verifier depends on, as they appear in logs. */
export const Dependency = {
  SECRETS_MANAGER: 'SecretsManager',
  DYNAMODB: 'DynamoDB',
  S3: 'S3',
  SNS: 'SNS',
} as const;
export type Dependency = (typeof Dependency)[keyof typeof Dependency];

export abstract class VerifierError extends Error {
  /** HTTP status the handler answers with. */
  public abstract readonly statusCode: number;
  /** Short, safe text for the response body. */
  public abstract readonly publicMessage: string;
  /** Seconds after which a retry may succeed (`Retry-After`), for answers a retry can fix. */
  public readonly retryAfterSeconds?: number;
}

/** No route for this path, or the route's source has no secret configured (404). */
export class RouteNotFoundError extends VerifierError {
  public override readonly name = 'RouteNotFoundError';
  public readonly statusCode = 404;
  public readonly publicMessage = 'not found';
}

/** Anything but POST (405). */
export class MethodNotAllowedError extends VerifierError {
  public override readonly name = 'MethodNotAllowedError';
  public readonly statusCode = 405;
  public readonly publicMessage = 'method not allowed; use POST';
}

/** The body exceeds maxBodySizeBytes (413). */
export class PayloadTooLargeError extends VerifierError {
  public override readonly name = 'PayloadTooLargeError';
  public readonly statusCode = 413;
  public readonly publicMessage: string;
  constructor(
    public readonly size: number,
    public readonly limit: number,
  ) {
    super(`body of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.publicMessage = `body exceeds ${limit} bytes`;
  }
}

/** Why a signature did not verify (logged, never returned). */
export type SignatureFailure = 'missing' | 'mismatch';

/** Missing, empty or wrong signature (401). */
export class SignatureInvalidError extends VerifierError {
  public override readonly name = 'SignatureInvalidError';
  public readonly statusCode = 401;
  public readonly publicMessage = 'missing or invalid signature';
  constructor(public readonly reason: SignatureFailure) {
    super(reason === 'missing' ? 'no signature header' : 'no signature matched any active secret');
  }
}

/**
 * The same delivery is claimed by an invocation that has not finished (503 + Retry-After: Happ retries;
 * the claim's lease is the response budget, so the retry finds it finished or expired). Also what the
 * request whose own claim's answer was lost gets: its retried write finds its own claim.
 */
export class DeliveryInProgressError extends VerifierError {
  public override readonly name = 'DeliveryInProgressError';
  public readonly statusCode = 503;
  public readonly publicMessage = 'this delivery is being processed; retry later';
  public override readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, options?: { cause?: unknown }) {
    super('another invocation holds the lease for this idempotency key', options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The response budget ran out before the delivery was stored (503 + Retry-After; Happ retries). */
export class BudgetExhaustedError extends VerifierError {
  public override readonly name = 'BudgetExhaustedError';
  public readonly statusCode = 503;
  public readonly publicMessage = 'temporarily unavailable; retry later';
  public override readonly retryAfterSeconds = 5;
  constructor(
    /** The dependency whose call was pending when the budget ran out, when known. */
    public readonly dependency: Dependency | undefined,
    budgetMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `the response budget of ${budgetMs} ms ran out${dependency ? ` waiting for ${dependency}` : ''}`,
      options,
    );
  }
}

/** A signed delivery whose event time is older than maxEventAge (422: it can never become fresh). */
export class StaleEventError extends VerifierError {
  public override readonly name = 'StaleEventError';
  public readonly statusCode = 422;
  public readonly publicMessage = 'event is too old';
  constructor(
    public readonly ageSeconds: number,
    public readonly maxAgeSeconds: number,
    public readonly field: string,
  ) {
    super(`event time (${field}) is ${ageSeconds} s old, more than maxEventAge ${maxAgeSeconds} s`);
  }
}

/**
 * A signed delivery dated further in the future than the allowed clock skew (503 + Retry-After: time
 * passing fixes it, so it is not a 4xx).
 */
export class FutureEventError extends VerifierError {
  public override readonly name = 'FutureEventError';
  public readonly statusCode = 503;
  public readonly publicMessage = 'event time is in the future; retry later';
  public override readonly retryAfterSeconds: number;
  constructor(
    public readonly aheadSeconds: number,
    public readonly skewSeconds: number,
    public readonly field: string,
  ) {
    super(
      `event time (${field}) is ${aheadSeconds} s in the future, more than maxClockSkew ${skewSeconds} s`,
    );
    this.retryAfterSeconds = Math.min(Math.max(1, aheadSeconds - skewSeconds), 300);
  }
}

/** An AWS dependency failed; nothing was acknowledged (503; Happ retries). */
export class DependencyError extends VerifierError {
  public override readonly name = 'DependencyError';
  public readonly statusCode = 503;
  public readonly publicMessage = 'temporarily unavailable; retry later';
  public override readonly retryAfterSeconds = 5;
  constructor(
    public readonly dependency: Dependency,
    public readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} ${operation} failed: ${describeCause(options?.cause)}`, options);
  }
}

/** The stored secret value is unusable (500). Wraps MalformedSecretError; never contains the value. */
export class SecretMisconfiguredError extends VerifierError {
  public override readonly name = 'SecretMisconfiguredError';
  public readonly statusCode = 500;
  public readonly publicMessage = 'the receiver is misconfigured';
  public readonly dependency = Dependency.SECRETS_MANAGER;
  constructor(
    public readonly secretId: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the value of secret ${secretId} is unusable: ${reason}`, options);
  }
}

/** The verifier's environment is missing or invalid (500 on every request, never an init crash loop). */
export class VerifierConfigurationError extends VerifierError {
  public override readonly name = 'VerifierConfigurationError';
  public readonly statusCode = 500;
  public readonly publicMessage = 'the receiver is misconfigured';
}

/** `Name: message` of an error's cause, for logs (AWS SDK messages carry no request data). */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
