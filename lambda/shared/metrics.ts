/** CloudWatch metrics the verifier emits (Powertools Metrics, EMF). Monitoring alarms on these names. */
export const METRICS_NAMESPACE = 'HappWebhooks';
/** Dimension on every verifier metric: `chat` or `call`. */
export const SOURCE_DIMENSION = 'Source';
/**
 * Powertools Metrics adds this dimension to every metric it emits (its default dimension `service`),
 * so each verifier metric is identified by BOTH `service` and `Source`. A CloudWatch alarm only sees
 * data when its dimensions match exactly, so the monitoring alarms name both.
 */
export const SERVICE_DIMENSION = 'service';
/**
 * The `service` value the verifier emits: create its Metrics with
 * `new Metrics({ namespace: METRICS_NAMESPACE, serviceName: VERIFIER_SERVICE_NAME })` (the constructor
 * option wins over `POWERTOOLS_SERVICE_NAME`). The monitoring alarms use this value.
 */
export const VERIFIER_SERVICE_NAME = 'happ-webhooks-verifier';

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
