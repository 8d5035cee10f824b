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

/** The same delivery is being processed by another invocation right now (409; Happ retries). */
export class DeliveryInProgressError extends VerifierError {
  public override readonly name = 'DeliveryInProgressError';
  public readonly statusCode = 409;
  public readonly publicMessage = 'this delivery is being processed; retry later';
  constructor(options?: { cause?: unknown }) {
    super('another invocation holds the lease for this idempotency key', options);
  }
}

/** An AWS dependency failed; nothing was acknowledged (503; Happ retries). */
export class DependencyError extends VerifierError {
  public override readonly name = 'DependencyError';
  public readonly statusCode = 503;
  public readonly publicMessage = 'temporarily unavailable; retry later';
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
