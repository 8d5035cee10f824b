/**
 * The tool helper's answers, in one place: every outcome, its status and JSON body, its metric, and
 * how an error of the tool's function or of the idempotency store becomes an answer. Bodies never
 * echo a secret, a signature or the parameters.
 */
import { IdempotencyPersistenceLayerError } from '@aws-lambda-powertools/idempotency';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { METRICS_NAMESPACE, TOOL_DIMENSION, ToolMetric } from '../shared/metrics';
import { HappToolError } from './tool-errors';
import type { ToolSchemaViolation } from './tool-schema';

export type Outcome =
  | 'answered'
  | 'replayed'
  | 'signature-invalid'
  | 'invalid-parameters'
  | 'tool-error'
  | 'failure'
  | 'timeout'
  | 'in-progress'
  | 'dependency-failure'
  | 'misconfigured';

export const OUTCOME_METRIC: Partial<Record<Outcome, ToolMetric>> = {
  answered: ToolMetric.ANSWERED,
  replayed: ToolMetric.REPLAYED,
  'signature-invalid': ToolMetric.SIGNATURE_INVALID,
  'invalid-parameters': ToolMetric.INVALID_PARAMETERS,
  'tool-error': ToolMetric.TOOL_ERROR,
  failure: ToolMetric.FAILURE,
  timeout: ToolMetric.TIMEOUT,
  'in-progress': ToolMetric.IN_PROGRESS,
  'dependency-failure': ToolMetric.FAILURE,
  misconfigured: ToolMetric.FAILURE,
};

export class Answer {
  constructor(
    public readonly outcome: Outcome,
    public readonly result: APIGatewayProxyResult,
  ) {}
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function errorAnswer(
  outcome: Outcome,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Answer {
  // `error` and `message` are the helper's: details cannot overwrite them.
  return new Answer(outcome, json(status, { ...extra, error: code, message }, headers));
}

/** Log calls with the request's keys; the child Logger (for the user's function) is made only when asked for. */
export interface KeyedLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  child(): Logger;
}

export function keyedLogger(logger: Logger, keys: Record<string, unknown>): KeyedLogger {
  let child: Logger | undefined;
  return {
    info: (message, attributes) => logger.info(message, { ...keys, ...attributes }),
    warn: (message, attributes) => logger.warn(message, { ...keys, ...attributes }),
    error: (message, attributes) => logger.error(message, { ...keys, ...attributes }),
    child: () => (child ??= logger.createChild({ persistentKeys: keys })),
  };
}

export function unauthorized(): Answer {
  return errorAnswer('signature-invalid', 401, 'unauthorized', 'missing or invalid signature');
}

export function invalidParameters(violations: ToolSchemaViolation[]): Answer {
  return errorAnswer(
    'invalid-parameters',
    400,
    'invalid_parameters',
    'the parameters do not match the tool schema',
    {
      violations,
    },
  );
}

export function failed(
  error: unknown,
  logger: KeyedLogger,
  ran: boolean,
  ranBody: string | undefined,
): Answer {
  if (isHappToolError(error)) {
    return errorAnswer('tool-error', error.status, error.code, error.message, error.details ?? {});
  }
  const name = (error as Error | undefined)?.name;
  if (name === 'IdempotencyAlreadyInProgressError') {
    logger.warn('the same request is being answered by another invocation; asked to retry');
    return errorAnswer(
      'in-progress',
      503,
      'in_progress',
      'this request is still being answered; try again',
      {},
      { 'retry-after': '1' },
    );
  }
  if (error instanceof IdempotencyPersistenceLayerError || name === 'IdempotencyPersistenceLayerError') {
    if (ran && ranBody !== undefined) {
      // The action ran and has an answer: give it (a retry may run it again, the store failed).
      logger.warn('the answer could not be stored for retries; answered anyway', { error: error as Error });
      return new Answer('answered', { statusCode: 200, headers: { ...JSON_HEADERS }, body: ranBody });
    }
    logger.error('the idempotency table failed before the tool ran; asked to retry', {
      error: error as Error,
    });
    return errorAnswer(
      'dependency-failure',
      503,
      'unavailable',
      'the tool is unavailable; try again',
      {},
      { 'retry-after': '1' },
    );
  }
  logger.error('the tool function threw; answered 500', { error: error as Error });
  return errorAnswer('failure', 500, 'internal_error', 'the tool failed; try again later');
}

/** A HappToolError, also from a second copy of this package in the bundle (matched by shape). */
export function isHappToolError(error: unknown): error is HappToolError {
  if (error instanceof HappToolError) return true;
  const e = error as Partial<HappToolError> | undefined;
  return e?.name === 'HappToolError' && typeof e.status === 'number' && typeof e.code === 'string';
}

/** Metrics in namespace HappWebhooks whose only dimension is Tool (no default `service`). */
export function createToolMetrics(name: string): Metrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [TOOL_DIMENSION]: name });
  return metrics;
}
