/**
 * One place that says, for every alarm, what it means and what to do first. The alarm description
 * (what an e-mail or pager shows) is built from it, and the README's "Alarms" table mirrors it.
 */

/** How urgently a human must act. */
export type Severity = 'page' | 'ticket';

export interface AlarmEntry {
  readonly severity: Severity;
  /** What is wrong, in a few words. */
  readonly title: string;
  /** What it means for deliveries. */
  readonly meaning: string;
  /** The first thing to do. */
  readonly runbook: string;
}

export const RECEIVER_ALARMS = {
  signatureFailures: {
    severity: 'page',
    title: 'Happ webhook signature failures',
    meaning:
      'Deliveries are answered 401: the webhook secret in Happ and in Secrets Manager differ, Happ changed its signing scheme, or someone is probing the endpoint.',
    runbook:
      'Compare the secret in Happ (Integrations > Chat/Call Webhook) with the Secrets Manager secret (`happ-webhooks rotate-secret` to set a new one without downtime); read the verifier log. Raise the threshold if it is probing.',
  },
  verifierErrors: {
    severity: 'page',
    title: 'Happ verifier Lambda errors',
    meaning: 'The verifier crashed or timed out; Happ receives 5xx and retries, then gives up.',
    runbook:
      'Read the verifier log group for the error and stack; check recent deploys and the function timeout.',
  },
  verifierThrottles: {
    severity: 'page',
    title: 'Happ verifier Lambda throttled',
    meaning:
      'Lambda refused to run the verifier (account or reserved concurrency exhausted); deliveries are refused.',
    runbook:
      'Check the account concurrency quota and other functions using it; raise the quota or the reserved concurrency.',
  },
  dependencyFailures: {
    severity: 'page',
    title: 'Happ verifier dependency failures',
    meaning:
      'Secrets Manager, DynamoDB, S3 or SNS failed; deliveries are answered 5xx and nothing is stored (Happ retries).',
    runbook:
      'Read the verifier log for the failing service and error code (AccessDenied, throttling, KMS); check the AWS Health Dashboard.',
  },
  api5xx: {
    severity: 'page',
    title: 'Happ webhook API 5XX',
    meaning:
      'API Gateway answered 5xx: the verifier failed, timed out or was throttled; Happ retries, then gives up.',
    runbook:
      'Look at the verifier errors/throttles and dependency-failure alarms first; then the API access log for the status and integration error.',
  },
  apiLatency: {
    severity: 'ticket',
    title: 'Happ webhook API latency p99 near the 5 s budget',
    meaning:
      'Slow answers; past 5 seconds Happ counts a delivery as failed and retries it (a duplicate the verifier absorbs).',
    runbook:
      'Check verifier duration and cold starts, Secrets Manager and DynamoDB latency; consider more memory or provisioned concurrency.',
  },
  apiThrottled: {
    severity: 'page',
    title: 'Happ webhook API throttling requests (429)',
    meaning:
      'API Gateway answered 429 before the verifier ran: traffic is above the stage throttle. Happ retries with backoff and then gives up, so a long burst loses deliveries.',
    runbook:
      'Compare the request rate on the dashboard with throttlingRateLimit/throttlingBurstLimit and raise them (and the account-level API Gateway quota if needed); the access log has the throttled requests (status 429).',
  },
  apiRequestTooLarge: {
    severity: 'ticket',
    title: 'Happ webhook API refusing bodies as too large (413)',
    meaning:
      "A body was refused as too large: by API Gateway (over 10 MB, or over 4,694,016 bytes, which no longer fit Lambda's 6 MB invoke once base64-encoded) or by the verifier (maxBodySizeBytes). Happ cannot deliver that event; a retry fails the same way.",
    runbook:
      'Find the requests in the access log (status 413; errorMessage and errorResponseType say which layer) and the event in Happ; raise maxBodySizeBytes if it was the verifier, otherwise ask Happ support about events that large.',
  },
  snsDeliveryFailures: {
    severity: 'page',
    title: 'Happ topic failed deliveries to subscriber queues',
    meaning:
      'SNS could not deliver to a subscriber queue (queue policy, KMS key policy, deleted queue); the message goes to the subscription DLQ or is lost.',
    runbook:
      'Find the subscriber whose dead-letter queue grew (`happ-webhooks dlq <stack>`); check its queue policy and key policy allow sns.amazonaws.com; then `happ-webhooks redrive`.',
  },
  noTraffic: {
    severity: 'ticket',
    title: 'No Happ webhook accepted',
    meaning:
      'No delivery was accepted for the configured window: Happ stopped sending, or the URL in Happ is wrong.',
    runbook:
      'Check the webhook URL and status in Happ (Integrations); send a test event; look for signature failures.',
  },
} as const satisfies Record<string, AlarmEntry>;

export const SUBSCRIBER_ALARMS = {
  deadLetterMessages: {
    severity: 'ticket',
    title: 'Happ subscriber dead-letter queue has messages',
    meaning: 'A message failed every retry and is parked (kept for the DLQ retention period, not lost).',
    runbook:
      'Peek with `happ-webhooks dlq <stack> --subscriber <name>`, read the handler log, fix the handler, then `happ-webhooks redrive <stack> --subscriber <name>`.',
  },
  oldestMessageAge: {
    severity: 'ticket',
    title: 'Happ subscriber queue is falling behind',
    meaning:
      'The oldest waiting message is old: the handler is failing, throttled, or too slow for the traffic.',
    runbook:
      'Check the handler errors and throttles alarms and the handler log; raise its concurrency or batch size.',
  },
  handlerErrors: {
    severity: 'ticket',
    title: 'Happ subscriber handler errors',
    meaning:
      'The subscriber Lambda threw or timed out; the batch is retried and may end in the dead-letter queue.',
    runbook: 'Read the handler log group for the error; check recent deploys and the function timeout.',
  },
  handlerThrottles: {
    severity: 'ticket',
    title: 'Happ subscriber handler throttled',
    meaning: 'Lambda refused to run the handler (concurrency exhausted); messages wait and retry.',
    runbook: 'Check the account concurrency quota and the handler reserved/maximum concurrency.',
  },
} as const satisfies Record<string, AlarmEntry>;

export const PAGE_ALARM: AlarmEntry = {
  severity: 'page',
  title: 'Happ webhooks: deliveries are being refused or lost',
  meaning: 'At least one page-severity alarm of this receiver is in ALARM.',
  runbook: 'Open the receiver dashboard; the child alarm in ALARM names the cause and its own runbook line.',
};

/** The text CloudWatch sends with a notification: severity, meaning, runbook (max 1024 characters). */
export function describeAlarm(entry: AlarmEntry, context?: string): string {
  const where = context ? ` (${context})` : '';
  return `[${entry.severity.toUpperCase()}] ${entry.title}${where}. ${entry.meaning} Runbook: ${entry.runbook}`.slice(
    0,
    1024,
  );
}
