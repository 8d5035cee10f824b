import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { HappArchiveOptions } from './archive';
import type { HappIngress } from './ingress/ingress';
import type { MonitoringOptions } from './monitoring';
import {
  MAX_CLOCK_SKEW_RANGE,
  MAX_DELIVERABLE_BODY_BYTES,
  MAX_EVENT_AGE_RANGE,
  RESPONSE_BUDGET_RANGE,
  replayWindowClosed,
} from '../lambda/shared/limits';
import { DEFAULTS } from '../lambda/shared/env';
import {
  validateDuration,
  validateFieldList,
  validateInteger,
  validatePositive,
  validateRemovalPolicy,
  validateWhole,
} from './private/validate';

/** How the signature digest is written in the header. */
export class SignatureEncoding {
  /** Lower- or upper-case hexadecimal (64 characters). */
  public static readonly HEX = new SignatureEncoding('hex');
  /** Standard or URL-safe base64, padded or not (43–44 characters). */
  public static readonly BASE64 = new SignatureEncoding('base64');

  private constructor(
    /** The value the verifier reads from `HAPP_SIGNATURE_ENCODINGS`. */
    public readonly value: string,
  ) {}
}

/** The URLs to paste into Happ (Integrations > Chat Webhook / Call Webhook). */
export interface HappEndpoints {
  /** `https://…/chat`, or undefined when the chat route is disabled. */
  readonly chat?: string;
  /** `https://…/call`, or undefined when the call route is disabled. */
  readonly call?: string;
}

/** Props of `HappWebhookReceiver`. */
export interface HappWebhookReceiverProps extends MonitoringOptions {
  // ---------------------------------------------------------------- routes and secrets
  /**
   * Create `POST /chat` for Happ's chat webhooks.
   *
   * @default true
   */
  readonly enableChat?: boolean;

  /**
   * Create `POST /call` for Happ's call webhooks.
   *
   * @default true
   */
  readonly enableCall?: boolean;

  /**
   * The secret that signs chat deliveries: a plain string, or `{"current": "...", "previous": ["..."]}`
   * while rotating.
   *
   * @default - a new secret with a generated 40-character alphanumeric value
   */
  readonly chatSecret?: secretsmanager.ISecret;

  /**
   * The secret that signs call deliveries (same format as `chatSecret`).
   *
   * @default - a new secret with a generated 40-character alphanumeric value
   */
  readonly callSecret?: secretsmanager.ISecret;

  // ---------------------------------------------------------------- signature and idempotency
  /**
   * Request header carrying the signature (matched case-insensitively).
   *
   * @default 'x-happ-signature'
   */
  readonly signatureHeader?: string;

  /**
   * Signature encodings accepted.
   *
   * @default [SignatureEncoding.HEX, SignatureEncoding.BASE64]
   */
  readonly signatureEncodings?: SignatureEncoding[];

  /**
   * Optional prefix before the signature, matched case-insensitively (`''` for none). A signature
   * without the prefix is accepted too.
   *
   * @default 'sha256='
   */
  readonly signaturePrefix?: string;

  /**
   * JSON fields naming the event type, first present wins.
   *
   * @default ['event', 'type']
   */
  readonly eventTypeFields?: string[];

  /**
   * JSON fields (dot paths) whose values form the idempotency key. Empty: the SHA-256 of the raw
   * body, which is what a retry of the same delivery repeats.
   *
   * @default [] (the SHA-256 of the raw body)
   */
  readonly idempotencyKeyFields?: string[];

  /**
   * How long an accepted delivery is remembered, so a duplicate answers 200 without being
   * published again. Between 1 minute and 365 days.
   *
   * @default Duration.days(7)
   */
  readonly dedupeWindow?: Duration;

  /**
   * Bodies larger than this are answered 413 by the verifier. At most 4,694,016 bytes: every body
   * reaches the verifier base64-encoded inside Lambda's 6 MB synchronous payload, so a larger one is
   * refused by API Gateway itself before the verifier runs (413 in the access log and the 4XX metric).
   *
   * @default - no limit below what reaches Lambda (4,694,016 bytes)
   */
  readonly maxBodySizeBytes?: number;

  /**
   * Envelopes larger than this are stored in the claim-check bucket and the SNS message carries a
   * pointer. Between 0 (every body through S3) and 262144 (an SNS message, body and attributes).
   *
   * @default 240000
   */
  readonly claimCheckThresholdBytes?: number;

  /**
   * How long the verifier caches a fetched secret. A rotated secret is used at the latest after
   * this long (a signature mismatch also refetches it). Between 0 (no cache) and 24 hours.
   *
   * @default Duration.minutes(5)
   */
  readonly secretsCacheTtl?: Duration;

  /**
   * Time from the start of an invocation within which the verifier answers, whatever its
   * dependencies do: a call still pending then is abandoned, the claim released, and the answer is
   * 503 with `Retry-After`. Happ waits 5 s; keep headroom for the network. Between 500 ms and
   * 25 s, and at least 1 s below `verifierTimeout`.
   *
   * @default - 4 seconds, or `verifierTimeout` minus 1 second when that is shorter
   */
  readonly responseBudget?: Duration;

  /**
   * Refuse signed deliveries whose event time (see `eventTimeFields`) is older than this: 422, metric
   * `StaleEvent`. Must be shorter than `dedupeWindow` minus `maxClockSkew`, so that a captured request
   * can never be accepted twice (inside the window it is a duplicate, after it it is stale).
   * Deliveries with no event time are accepted and counted (`NoEventTime`). Between 1 minute and 365 days.
   *
   * @default - no freshness check
   */
  readonly maxEventAge?: Duration;

  /**
   * JSON fields (dot paths) carrying the event time, first present wins: ISO-8601, epoch seconds or
   * epoch milliseconds. Read only when `maxEventAge` is set.
   *
   * @default ['timestamp', 'createdAt', 'occurredAt', 'endedAt']
   */
  readonly eventTimeFields?: string[];

  /**
   * How far in the future an event time may be (the sender's clock ahead of AWS's) before the
   * delivery is answered 503 (retried later). Between 0 and 1 hour. Read only when `maxEventAge` is set.
   *
   * @default Duration.minutes(5)
   */
  readonly maxClockSkew?: Duration;

  // ---------------------------------------------------------------- API Gateway
  /**
   * The front door Happ posts to: `HappIngress.restApi()` (API Gateway REST API) or
   * `HappIngress.httpApi()` (API Gateway HTTP API, payload format 2.0, less than a third of the price
   * per request). The props below (throttling, custom domain, log retention) apply to whichever
   * ingress is chosen; `createApiGatewayCloudWatchRole` and `webAclArn` only to the REST API
   * (`HappIngress.httpApi()` refuses them at synth).
   *
   * @default HappIngress.restApi()
   */
  readonly ingress?: HappIngress;

  /**
   * Steady-state requests per second the stage accepts; more are answered 429 (Happ retries).
   *
   * @default 50
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the stage accepts above the rate.
   *
   * @default 100
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Create the account-level IAM role API Gateway needs to write logs, and register it in the
   * account's API Gateway settings (`AWS::ApiGateway::Account`, retained on delete). Set `false`
   * when the account (region) already has one: there is one such setting per account and region.
   * REST API only: HTTP APIs need no such role, and `HappIngress.httpApi()` refuses this prop.
   *
   * @default true
   */
  readonly createApiGatewayCloudWatchRole?: boolean;

  /**
   * A custom domain name for the API (e.g. `hooks.example.com`). Requires `certificate`. You create
   * the DNS record pointing at `receiver.api.domainName.domainNameAliasDomainName` (REST API) or
   * `(receiver.ingress as HttpApiIngress).domain.regionalDomainName` (HTTP API).
   *
   * @default - the execute-api URL only
   */
  readonly domainName?: string;

  /**
   * ACM certificate for `domainName`, in the stack's region (regional endpoint).
   *
   * @default - none; required with `domainName`
   */
  readonly certificate?: ICertificate;

  /**
   * ARN of a WAFv2 web ACL (scope REGIONAL) to associate with the API stage. (WAFv2 has no L2
   * construct with an interface to take instead.) REST API only: HTTP APIs cannot be associated with
   * WAF, and `HappIngress.httpApi()` refuses this prop (put CloudFront with a web ACL in front).
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  // ---------------------------------------------------------------- verifier Lambda
  /**
   * Memory of the verifier Lambda, in MB (more memory is more CPU). Between 128 and 10240.
   *
   * @default 512
   */
  readonly verifierMemorySizeMb?: number;

  /**
   * Timeout of the verifier Lambda. Happ waits 5 s, but a slow delivery that finishes is stored
   * and its retry is answered as a duplicate; between 1 and 29 seconds (API Gateway's limit).
   *
   * @default Duration.seconds(10)
   */
  readonly verifierTimeout?: Duration;

  /**
   * Reserved concurrency for the verifier. Reserving fails the deploy in accounts whose
   * concurrency quota is low (new accounts: 10).
   *
   * @default - no reserved concurrency (the account's unreserved pool)
   */
  readonly verifierReservedConcurrency?: number;

  /**
   * Level of the system logs Lambda writes for the verifier. Given, the verifier uses Lambda's JSON
   * log format with this system level and application level INFO (its own log lines and metrics
   * pass unchanged). `SystemLogLevel.WARN` drops the START, END and REPORT lines of every invocation
   * — about 330 bytes of CloudWatch Logs per webhook, $0.165 per million. The verifier's own log
   * lines, its metrics and Lambda's `Duration` and `Errors` metrics (and the alarms on them) are
   * unaffected.
   *
   * @default - Lambda's text log format (START, END and REPORT lines per invocation)
   */
  readonly verifierSystemLogLevel?: lambda.SystemLogLevel;

  /**
   * Retention of the verifier's log group and the API's access and execution log groups.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  // ---------------------------------------------------------------- storage
  /**
   * What happens to the idempotency table, the claim-check bucket, the generated secrets and every
   * subscriber's queue and dead-letter queue when they leave the stack (a subscriber removed or its
   * id renamed). A bucket is only deleted when empty. Unless `RemovalPolicy.DESTROY`, the table also
   * has deletion protection on (no console or API delete while it is set).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Customer-managed KMS key for the idempotency table. The verifier and every subscriber role are
   * granted its use. A customer key costs $1 a month and a KMS request per uncached table access; choose
   * it when your policy requires keys you control.
   *
   * @default - the AWS-owned key (no KMS charge, no key to manage)
   */
  readonly tableEncryptionKey?: kms.IKey;

  /**
   * How long claim-checked payloads are kept. Keep it longer than a message can wait in a dead-letter
   * queue (14 days) so a redriven message still finds its payload. Whole days, at least 1.
   *
   * @default Duration.days(30)
   */
  readonly claimCheckExpiration?: Duration;

  /**
   * Bucket receiving the claim-check bucket's S3 server access logs.
   *
   * @default - no server access logs (requests are authorised by IAM only; use CloudTrail data events to audit)
   */
  readonly claimCheckAccessLogsBucket?: s3.IBucket;

  /**
   * Customer-managed KMS key for the SNS topic. The verifier is granted its use; anything else you
   * subscribe to the topic that needs the key must be allowed by its key policy.
   *
   * @default - the AWS-managed key `alias/aws/sns`
   */
  readonly topicEncryptionKey?: kms.IKey;

  // ---------------------------------------------------------------- archive
  /**
   * Keep every accepted event in an S3 archive (SNS → Amazon Data Firehose → S3, per source), to find
   * events (`happ-webhooks events`) and replay them to one subscriber (`happ-webhooks replay`). `true`
   * for the defaults, or options. Claim-checked bodies are then kept at least as long as the archive.
   *
   * @default false
   */
  readonly archive?: boolean | HappArchiveOptions;

  // ---------------------------------------------------------------- monitoring
  // (alarmTopic, alarmEmail, pageTopic, receiverAlarms, subscriberAlarms, dashboard, dashboardName: MonitoringOptions)
  /**
   * Create the alarms, the alarm topic and the dashboard (README "Alarms"). `false` creates none of them.
   *
   * @default true
   */
  readonly monitoring?: boolean;

  /**
   * Put the alarms, the alarm topic and the dashboard in a nested stack, so they do not count against
   * this stack's 500 resources (4 alarms per subscriber): for receivers with more than about 30
   * subscribers in one stack.
   *
   * @default false
   */
  readonly monitoringInNestedStack?: boolean;
}

/** One SNS message, body and attributes. */
const SNS_MAX_MESSAGE_BYTES = 262_144;

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Checks every prop that can be checked at synth; throws naming the prop, the value and the range. */
/**
 * The receiver's construct id is part of the API's name (`<stack>-<id>`), which is the `ApiName`
 * dimension the REST API's alarms match on; API Gateway drops characters outside printable ASCII from
 * the name it reports, so an id with them would give alarms that never see a datapoint.
 */
export function validateReceiverId(id: string): void {
  if (!/^[\x20-\x7e]+$/.test(id)) {
    const offending = [...id].filter((c) => !/[\x20-\x7e]/.test(c)).join('');
    throw new Error(
      `the receiver's construct id must be printable ASCII (given '${id}', which contains '${offending}'): it names the API, and API Gateway drops other characters from the name its metrics carry, so the alarms would never match`,
    );
  }
}

export function validateReceiverProps(props: HappWebhookReceiverProps): void {
  validateRemovalPolicy('removalPolicy', props.removalPolicy);
  if (props.enableChat === false && props.enableCall === false) {
    throw new Error('enableChat and enableCall cannot both be false: the receiver needs at least one route');
  }
  if (props.signatureHeader !== undefined && !Token.isUnresolved(props.signatureHeader)) {
    if (!HEADER_NAME_RE.test(props.signatureHeader)) {
      throw new Error(
        `signatureHeader must be an HTTP header name: letters, digits and !#$%&'*+-.^_\`|~ (given ${JSON.stringify(props.signatureHeader)})`,
      );
    }
  }
  if (props.signatureEncodings !== undefined && props.signatureEncodings.length === 0) {
    throw new Error('signatureEncodings must list at least one encoding (given [])');
  }
  if (props.signaturePrefix !== undefined && !Token.isUnresolved(props.signaturePrefix)) {
    if (/[\s,]/.test(props.signaturePrefix)) {
      throw new Error(
        `signaturePrefix must contain no whitespace or comma (given ${JSON.stringify(props.signaturePrefix)})`,
      );
    }
  }
  validateFieldList('eventTypeFields', props.eventTypeFields, false);
  validateFieldList('idempotencyKeyFields', props.idempotencyKeyFields, true);
  validateDuration('dedupeWindow', props.dedupeWindow, Duration.minutes(1), Duration.days(365));
  validateWhole('dedupeWindow', props.dedupeWindow, 'seconds');
  validateInteger('maxBodySizeBytes', props.maxBodySizeBytes, 1, MAX_DELIVERABLE_BODY_BYTES);
  validateInteger('claimCheckThresholdBytes', props.claimCheckThresholdBytes, 0, SNS_MAX_MESSAGE_BYTES);
  validateDuration('secretsCacheTtl', props.secretsCacheTtl, Duration.seconds(0), Duration.hours(24));
  validateWhole('secretsCacheTtl', props.secretsCacheTtl, 'seconds');
  validatePositive('throttlingRateLimit', props.throttlingRateLimit);
  validateInteger('throttlingBurstLimit', props.throttlingBurstLimit, 1);
  if ((props.domainName === undefined) !== (props.certificate === undefined)) {
    throw new Error(
      `domainName and certificate must be given together (given ${props.domainName === undefined ? 'certificate' : 'domainName'} only)`,
    );
  }
  validateInteger('verifierMemorySizeMb', props.verifierMemorySizeMb, 128, 10240);
  validateDuration('verifierTimeout', props.verifierTimeout, Duration.seconds(2), Duration.seconds(29));
  validateWhole('verifierTimeout', props.verifierTimeout, 'seconds');
  validateInteger('verifierReservedConcurrency', props.verifierReservedConcurrency, 1);
  validateTimeProps(props);
  validateDuration('claimCheckExpiration', props.claimCheckExpiration, Duration.days(1), Duration.days(3650));
  validateWhole('claimCheckExpiration', props.claimCheckExpiration, 'days');
}

/** The response budget in ms: the prop, or 4 s capped at a second below the verifier's timeout. */
export function responseBudgetMs(props: HappWebhookReceiverProps): number {
  if (props.responseBudget !== undefined) return props.responseBudget.toMilliseconds();
  const timeout = props.verifierTimeout ?? Duration.seconds(10);
  if (timeout.isUnresolved()) return DEFAULTS.responseBudgetMs;
  return Math.max(
    RESPONSE_BUDGET_RANGE.min,
    Math.min(DEFAULTS.responseBudgetMs, timeout.toMilliseconds() - 1000),
  );
}

/** The response budget and the freshness check, with how they relate to the timeout and the dedupe window. */
function validateTimeProps(props: HappWebhookReceiverProps): void {
  validateDuration(
    'responseBudget',
    props.responseBudget,
    Duration.millis(RESPONSE_BUDGET_RANGE.min),
    Duration.millis(RESPONSE_BUDGET_RANGE.max),
  );
  const timeout = props.verifierTimeout ?? Duration.seconds(10);
  if (props.responseBudget !== undefined && !props.responseBudget.isUnresolved() && !timeout.isUnresolved()) {
    if (props.responseBudget.toMilliseconds() + 1000 > timeout.toMilliseconds()) {
      throw new Error(
        `responseBudget must be at least 1 second below verifierTimeout, so the function answers before Lambda stops it (given responseBudget ${props.responseBudget.toHumanString()}, verifierTimeout ${timeout.toHumanString()})`,
      );
    }
  }
  validateDuration(
    'maxEventAge',
    props.maxEventAge,
    Duration.seconds(MAX_EVENT_AGE_RANGE.min),
    Duration.seconds(MAX_EVENT_AGE_RANGE.max),
  );
  validateWhole('maxEventAge', props.maxEventAge, 'seconds');
  validateFieldList('eventTimeFields', props.eventTimeFields, false);
  validateDuration(
    'maxClockSkew',
    props.maxClockSkew,
    Duration.seconds(MAX_CLOCK_SKEW_RANGE.min),
    Duration.seconds(MAX_CLOCK_SKEW_RANGE.max),
  );
  validateWhole('maxClockSkew', props.maxClockSkew, 'seconds');
  if (props.maxEventAge === undefined) {
    for (const name of ['eventTimeFields', 'maxClockSkew'] as const) {
      if (props[name] !== undefined) {
        throw new Error(`${name} is only read with maxEventAge: set maxEventAge too, or remove ${name}`);
      }
    }
    return;
  }
  const age = props.maxEventAge;
  const skew = props.maxClockSkew ?? Duration.seconds(DEFAULTS.maxClockSkewSeconds);
  const window = props.dedupeWindow ?? Duration.seconds(DEFAULTS.dedupeWindowSeconds);
  if (age.isUnresolved() || skew.isUnresolved() || window.isUnresolved()) return;
  if (!replayWindowClosed(age.toSeconds(), skew.toSeconds(), window.toSeconds())) {
    throw new Error(
      `maxEventAge plus maxClockSkew must be shorter than dedupeWindow, or a captured request could be accepted again once its dedupe record expires (given maxEventAge ${age.toHumanString()} + maxClockSkew ${skew.toHumanString()}, dedupeWindow ${window.toHumanString()})`,
    );
  }
}
