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
  /** Secrets Manager, DynamoDB, S3 or SNS failed (5xx; Happ retries). */
  DEPENDENCY_FAILURE: 'DependencyFailure',
} as const;
export type VerifierMetric = (typeof VerifierMetric)[keyof typeof VerifierMetric];
