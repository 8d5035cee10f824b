/** CloudWatch metrics the verifier emits (Powertools Metrics, EMF). Monitoring alarms on these names. */
export const METRICS_NAMESPACE = 'HappWebhooks';
/** Dimension on every verifier metric: `chat` or `call`. */
export const SOURCE_DIMENSION = 'Source';
/**
 * The exact dimension set of every verifier metric. Powertools Metrics adds a default `service`
 * dimension unless the default dimensions are cleared; the verifier clears them, so its metrics carry
 * `Source` only. A CloudWatch alarm sees data only when its dimensions match exactly, so the monitoring
 * alarms use this list: change both sides together.
 */
export const VERIFIER_METRIC_DIMENSIONS: readonly string[] = [SOURCE_DIMENSION];

export const VerifierMetric = {
  /** A verified delivery was stored and published (202). */
  ACCEPTED: 'Accepted',
  /** A verified delivery had already been accepted (200, nothing published). */
  DUPLICATE: 'Duplicate',
  /** Missing or wrong signature (401). */
  SIGNATURE_INVALID: 'SignatureInvalid',
  /** A verified body that is not JSON or names no event type (still accepted, as `unknown`). */
  UNKNOWN_TYPE: 'UnknownType',
  /** The payload was written to S3 and the message carries a pointer. */
  CLAIM_CHECKED: 'ClaimChecked',
  /** Secrets Manager, DynamoDB, S3 or SNS failed, or the response budget ran out (5xx; Happ retries). */
  DEPENDENCY_FAILURE: 'DependencyFailure',
  /** The response budget ran out before the delivery was stored (503; Happ retries). */
  BUDGET_EXHAUSTED: 'BudgetExhausted',
  /** Secrets Manager failed; the last secret fetched kept verifying (stale-while-error). */
  SECRET_STALE: 'SecretStale',
  /** A signed delivery older than maxEventAge was refused (422). */
  STALE_EVENT: 'StaleEvent',
  /** A signed delivery dated further in the future than maxClockSkew (503; accepted once its time comes). */
  FUTURE_EVENT: 'FutureEvent',
  /** maxEventAge is on, but the delivery carried no recognisable event time (accepted). */
  NO_EVENT_TIME: 'NoEventTime',
} as const;
export type VerifierMetric = (typeof VerifierMetric)[keyof typeof VerifierMetric];

/** Dimension on every tool metric: the tool's name. */
export const TOOL_DIMENSION = 'Tool';
/** The exact dimension set of every tool metric (no default `service`: alarms match it exactly). */
export const TOOL_METRIC_DIMENSIONS: readonly string[] = [TOOL_DIMENSION];

/** CloudWatch metrics the tool helper (`happTool`) emits, namespace HappWebhooks, dimension Tool. */
export const ToolMetric = {
  /** The tool's function answered (200). */
  ANSWERED: 'ToolAnswered',
  /** Missing or wrong signature (401): the tool's function did not run. */
  SIGNATURE_INVALID: 'ToolSignatureInvalid',
  /** The parameters did not match the tool's schema (400): the tool's function did not run. */
  INVALID_PARAMETERS: 'ToolInvalidParameters',
  /** The tool's function threw a HappToolError (an answer the assistant can relay). */
  TOOL_ERROR: 'ToolError',
  /** The tool's function threw anything else, or the helper failed (500/503). */
  FAILURE: 'ToolFailure',
  /** The tool's function was still running at the deadline: the helper answered a timeout (504). */
  TIMEOUT: 'ToolTimeout',
  /** A retried request got the stored answer of the first (idempotent tools). */
  REPLAYED: 'ToolReplayed',
  /** A retry arrived while the first call still ran (idempotent tools): 503, benign, not a failure. */
  IN_PROGRESS: 'ToolInProgress',
} as const;
export type ToolMetric = (typeof ToolMetric)[keyof typeof ToolMetric];
