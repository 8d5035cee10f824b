/**
 * Lambda entry point of the verifier (bundled to dist/lambda/verifier/index.js).
 *
 * `handler` reads its configuration from the environment (lambda/shared/env.ts) once per
 * container. A missing or invalid variable does not crash the container at init (which Lambda
 * would retry in a loop): every request then answers 500 and logs which variable is wrong.
 * `createHandler` builds handlers from a typed configuration (tests, the CLI's `dev` command).
 */
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { loadVerifierConfig } from './config';
import { VerifierConfigurationError } from './errors';
import { createHandler, createLogger, type VerifierHandler } from './handler';
import type { VerifierEvent } from './request';
import { errorResponse } from './responses';

export {
  API_GATEWAY_MAX_BODY_BYTES,
  DEDUPE_WINDOW_RANGE,
  InvalidConfigurationError,
  loadVerifierConfig,
  resolveVerifierConfig,
  SECRETS_CACHE_TTL_RANGE,
  SNS_MAX_MESSAGE_BYTES,
  type ResolvedVerifierConfig,
  type VerifierConfig,
} from './config';
export { Dependency } from './errors';
export {
  CLIENT_TIMEOUTS,
  createHandler,
  DEFAULT_LEASE_MS,
  IDEMPOTENCY_KEY_PREFIX,
  type VerifierDependencies,
  type VerifierHandler,
} from './handler';
export type { VerifierEvent } from './request';

function fromEnvironment(): VerifierHandler {
  try {
    return createHandler(loadVerifierConfig(process.env));
  } catch (error) {
    const logger = createLogger();
    const problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.error('verifier configuration is invalid; answering 500 to every request', { error: problem });
    const misconfigured = new VerifierConfigurationError(problem);
    return async (_event: VerifierEvent, context?: Context): Promise<APIGatewayProxyResult> => {
      logger.error('delivery misconfigured', {
        outcome: 'misconfigured',
        status: 500,
        error: problem,
        ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
      });
      return errorResponse(misconfigured);
    };
  }
}

/** The Lambda handler, configured from the environment once per container. */
export const handler: VerifierHandler = fromEnvironment();
