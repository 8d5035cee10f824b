/**
 * One error type for everything a user can fix: the CLI prints its message (no stack) and exits
 * with its code. AWS SDK failures are translated here, at one boundary, into messages that say
 * what went wrong and how to fix it.
 */
export class CliError extends Error {
  public override readonly name = 'CliError';
  constructor(
    message: string,
    public readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CREDENTIALS_HELP =
  'no AWS credentials found. Set AWS_PROFILE (run `aws sso login --profile NAME` first if it uses SSO) ' +
  'or pass --profile NAME, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

const REGION_HELP =
  'no AWS region configured: pass --region, set AWS_REGION, or give a full ARN or queue URL';

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Network failure codes Node reports for an endpoint that cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The network error code inside an error or its cause chain (fetch wraps it in `cause`). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as AwsLikeError).code;
    if (code && NETWORK_CODES.has(code)) return code;
    current = (current as AwsLikeError).cause;
  }
  return undefined;
}

/**
 * Turns an AWS SDK error into a CliError whose message says how to fix it. `what` names the call
 * for the user (e.g. `reading secret arn:...`). Errors that are already CliErrors pass through.
 */
export function describeAwsError(error: unknown, what: string): CliError {
  if (error instanceof CliError) return error;
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  const message = e.message ?? String(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CliError(`${what}: ${CREDENTIALS_HELP}`, 1, { cause: error });
  }
  if (/Region is missing/i.test(message)) return new CliError(`${what}: ${REGION_HELP}`, 1, { cause: error });
  if (/ExpiredToken/i.test(name) || /expired/i.test(message)) {
    return new CliError(
      `${what}: your AWS credentials have expired; refresh them (e.g. \`aws sso login\`)`,
      1,
      {
        cause: error,
      },
    );
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) {
    return new CliError(`${what}: access denied (${message})`, 1, { cause: error });
  }
  if (/InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/i.test(name)) {
    return new CliError(
      `${what}: AWS rejected the credentials (${name}): check AWS_PROFILE / access keys`,
      1,
      {
        cause: error,
      },
    );
  }
  const code = networkErrorCode(error);
  if (code) return new CliError(`${what}: could not reach the AWS endpoint (${code})`, 1, { cause: error });
  return new CliError(`${what}: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`, 1, {
    cause: error,
  });
}
