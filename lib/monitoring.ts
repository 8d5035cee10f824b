import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Lazy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HAPP_SOURCES } from '../lambda/shared/envelope';
import { restApiMetric } from './ingress/rest-api';
import type { IHappIngressMetrics } from './ingress/types';
import { METRICS_NAMESPACE, SOURCE_DIMENSION, VerifierMetric } from '../lambda/shared/metrics';
import {
  AlarmEntry,
  PAGE_ALARM,
  RECEIVER_ALARMS,
  SUBSCRIBER_ALARMS,
  describeAlarm,
} from './private/monitoring-catalog';
import {
  ResolvedTiming,
  resolveCountThreshold,
  resolveDurationThreshold,
  resolveNoTrafficWindow,
  resolveTiming,
  validateEmails,
} from './private/monitoring-validation';

/** Happ counts a delivery that is not answered 2xx within this time as failed, and retries it. */
export const HAPP_RESPONSE_BUDGET = Duration.seconds(5);

/** How urgently a human must act when an alarm fires. */
export enum AlarmSeverity {
  /** Deliveries are being refused or lost right now: wake someone up. */
  PAGE = 'page',
  /** Degraded or parked, nothing lost yet: handle it in working hours. */
  TICKET = 'ticket',
}

/** When an alarm evaluates. */
export interface AlarmTimingOptions {
  /**
   * Length of one evaluation period: whole minutes, at most 1 day.
   * @default - per alarm, see the alarm's option
   */
  readonly period?: Duration;
  /**
   * Number of most recent periods evaluated (the N of "M out of N").
   * period × evaluationPeriods is at most 1 day for periods under an hour, 7 days otherwise.
   * @default - per alarm, see the alarm's option
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods within evaluationPeriods that fire the alarm (the M of "M out of N").
   * @default - evaluationPeriods when that is given, else per alarm
   */
  readonly datapointsToAlarm?: number;
}

/** An alarm on a count: it fires when the period's value is greater than or equal to `threshold`. */
export interface CountAlarmOptions extends AlarmTimingOptions {
  /**
   * Fire at or above this count per period. Greater than 0.
   * @default - per alarm, see the alarm's option
   */
  readonly threshold?: number;
}

/** An alarm on a time: it fires when the period's value is greater than or equal to `threshold`. */
export interface DurationAlarmOptions extends AlarmTimingOptions {
  /**
   * Fire at or above this time.
   * @default - per alarm, see the alarm's option
   */
  readonly threshold?: Duration;
}

/** Thresholds of the receiver's alarms. Every alarm counts the sum over both routes (chat and call). */
export interface ReceiverAlarmOptions {
  /**
   * `SignatureInvalid` (401s) from the verifier. Page.
   * @default - threshold 5, period 5 minutes, 1 of 1 periods
   */
  readonly signatureFailures?: CountAlarmOptions;
  /**
   * The verifier Lambda's `Errors` (crashes, timeouts). Page.
   * @default - threshold 1, period 5 minutes, 2 of 2 periods
   */
  readonly verifierErrors?: CountAlarmOptions;
  /**
   * The verifier Lambda's `Throttles`. Page.
   * @default - threshold 1, period 5 minutes, 2 of 2 periods
   */
  readonly verifierThrottles?: CountAlarmOptions;
  /**
   * `DependencyFailure` from the verifier (Secrets Manager, DynamoDB, S3 or SNS failed; answered 5xx). Page.
   * @default - threshold 1, period 5 minutes, 2 of 2 periods
   */
  readonly dependencyFailures?: CountAlarmOptions;
  /**
   * API Gateway `5XXError` on the stage. Page.
   * @default - threshold 1, period 5 minutes, 2 of 2 periods
   */
  readonly api5xx?: CountAlarmOptions;
  /**
   * API Gateway `Latency` p99 on the stage; the threshold must stay below Happ's 5-second budget. Ticket.
   * @default - threshold 2.5 seconds, period 5 minutes, 3 of 3 periods
   */
  readonly apiLatency?: DurationAlarmOptions;
  /**
   * Requests the front door throttled (429, over `throttlingRateLimit`/`throttlingBurstLimit`),
   * counted from its access log: they never reach the verifier, Happ retries them with backoff and
   * then gives up. Page.
   * @default - threshold 1, period 5 minutes, 1 of 1 periods
   */
  readonly apiThrottled?: CountAlarmOptions;
  /**
   * Requests the front door refused as too large (413, bodies over API Gateway's 10 MB), counted from
   * its access log: they never reach the verifier. Ticket.
   * @default - threshold 1, period 5 minutes, 1 of 1 periods
   */
  readonly apiRequestTooLarge?: CountAlarmOptions;
  /**
   * SNS `NumberOfNotificationsFailed` on the topic (deliveries to subscriber queues that failed). Page.
   * @default - threshold 1, period 5 minutes, 1 of 1 periods
   */
  readonly snsDeliveryFailures?: CountAlarmOptions;
  /**
   * Fire when no delivery was accepted (`Accepted`, both routes) for this long; missing data counts as
   * no traffic. Whole minutes from 5 minutes to 1 hour, or whole hours up to 7 days. Ticket.
   * @default - no "no traffic" alarm
   */
  readonly noTrafficPeriod?: Duration;
}

/** Thresholds of each subscriber's alarms. */
export interface SubscriberAlarmOptions {
  /**
   * Messages visible in the subscriber's dead-letter queue (maximum). Missing data keeps the state
   * (an idle queue stops reporting). Ticket.
   * @default - threshold 1, period 5 minutes, 1 of 1 periods
   */
  readonly deadLetterMessages?: CountAlarmOptions;
  /**
   * Age of the oldest message in the subscriber's main queue (maximum). Ticket.
   * @default - threshold 15 minutes, period 5 minutes, 1 of 1 periods
   */
  readonly oldestMessageAge?: DurationAlarmOptions;
  /**
   * The handler Lambda's `Errors`. Ticket.
   * @default - threshold 1, period 5 minutes, 1 of 1 periods
   */
  readonly handlerErrors?: CountAlarmOptions;
  /**
   * The handler Lambda's `Throttles`. Ticket.
   * @default - threshold 1, period 5 minutes, 2 of 2 periods
   */
  readonly handlerThrottles?: CountAlarmOptions;
}

/** Where alarms go, and how they are tuned. */
export interface MonitoringOptions {
  /**
   * Topic every alarm notifies, on ALARM and on OK. If it is encrypted, its key must let
   * `cloudwatch.amazonaws.com` use it (`kms:Decrypt`, `kms:GenerateDataKey*`): a key created in this app
   * gets that statement added; the AWS-managed `alias/aws/sns` key is refused (CloudWatch cannot use it).
   * @default - a new topic encrypted with a new customer-managed KMS key that CloudWatch may use
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * E-mail addresses subscribed to the alarm topic (each must confirm the subscription).
   * @default - no e-mail subscription
   */
  readonly alarmEmail?: string[];
  /**
   * Topic for pages: the receiver's composite "page" alarm (any page-severity alarm in ALARM) notifies it
   * on ALARM and OK, so a pager gets one notification per incident rather than one per symptom.
   * @default - the composite alarm has no action (every alarm still notifies `alarmTopic`)
   */
  readonly pageTopic?: sns.ITopic;
  /**
   * Thresholds of the receiver's alarms.
   * @default - the defaults documented on each option
   */
  readonly receiverAlarms?: ReceiverAlarmOptions;
  /**
   * Thresholds of every subscriber's alarms (a subscriber may override them).
   * @default - the defaults documented on each option
   */
  readonly subscriberAlarms?: SubscriberAlarmOptions;
  /**
   * Create the CloudWatch dashboard (deliveries by outcome, latency, errors, one row per subscriber).
   * A dashboard is billed $3 a month beyond the account's first three, which is most of an idle
   * receiver's monthly cost; the alarms do not need it.
   * @default false, unless `dashboardName` is given
   */
  readonly dashboard?: boolean;
  /**
   * Name of the CloudWatch dashboard (giving one creates the dashboard).
   * @default - a name generated by CloudFormation
   */
  readonly dashboardName?: string;
}

/** Props of {@link ReceiverMonitoring}: the receiver's resources, taken by interface. */
export interface ReceiverMonitoringProps extends MonitoringOptions {
  /**
   * The receiver's front door (`receiver.ingress`): its 5xx and latency metrics are alarmed and graphed.
   * @default - the metrics of `api` (one of `ingress` and `api` is required)
   */
  readonly ingress?: IHappIngressMetrics;
  /**
   * The webhook REST API, when `ingress` is not given (before ingresses existed).
   * @default - none; `ingress` is used
   */
  readonly api?: apigateway.IRestApi;
  /**
   * The stage of `api` Happ posts to.
   * @default - the API's deployment stage (`api.deploymentStage.stageName`)
   */
  readonly stageName?: string;
  /** The verifier Lambda. */
  readonly verifier: lambda.IFunction;
  /** The topic the verifier publishes to and subscribers' queues subscribe to. */
  readonly topic: sns.ITopic;
}

/** The receiver's alarms. */
export interface ReceiverAlarms {
  /** Page: Happ deliveries fail signature verification. */
  readonly signatureFailures: cloudwatch.Alarm;
  /** Page: the verifier Lambda crashes or times out. */
  readonly verifierErrors: cloudwatch.Alarm;
  /** Page: the verifier Lambda is throttled. */
  readonly verifierThrottles: cloudwatch.Alarm;
  /** Page: a dependency of the verifier fails (5xx, nothing stored). */
  readonly dependencyFailures: cloudwatch.Alarm;
  /** Page: API Gateway answers 5xx. */
  readonly api5xx: cloudwatch.Alarm;
  /** Ticket: API p99 latency approaches Happ's 5-second budget. */
  readonly apiLatency: cloudwatch.Alarm;
  /** Page: the front door throttles requests (429). Undefined when the front door cannot count them. */
  readonly apiThrottled?: cloudwatch.Alarm;
  /** Ticket: the front door refuses bodies as too large (413). Undefined when it cannot count them. */
  readonly apiRequestTooLarge?: cloudwatch.Alarm;
  /** Page: SNS fails to deliver to subscriber queues. */
  readonly snsDeliveryFailures: cloudwatch.Alarm;
  /** Ticket: no accepted delivery for `noTrafficPeriod` (only when that is set). */
  readonly noTraffic?: cloudwatch.Alarm;
  /** Composite: any page-severity alarm above is in ALARM. Notifies `pageTopic` when given. */
  readonly page: cloudwatch.CompositeAlarm;
}

/** The resources of one subscriber, taken by interface. */
export interface SubscriberResources {
  /** The subscriber's main queue. */
  readonly queue: sqs.IQueue;
  /** The subscriber's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The subscriber's handler Lambda. */
  readonly handler: lambda.IFunction;
}

/** Options of {@link ReceiverMonitoring.addSubscriber}. */
export interface SubscriberMonitoringOptions extends SubscriberResources {
  /**
   * Name shown in alarm descriptions and dashboard titles.
   * @default - the construct id
   */
  readonly subscriberName?: string;
  /**
   * Thresholds for this subscriber, each replacing the receiver-wide `subscriberAlarms` entry.
   * @default - the receiver-wide `subscriberAlarms`, else the documented defaults
   */
  readonly alarms?: SubscriberAlarmOptions;
}

/** Props of {@link SubscriberMonitoring}. */
export interface SubscriberMonitoringProps extends SubscriberMonitoringOptions {
  /**
   * Actions run on ALARM and on OK of every alarm.
   * @default - none (add them with `alarm.addAlarmAction`)
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
  /**
   * Dashboard that gets one row of widgets for this subscriber.
   * @default - no widgets
   */
  readonly dashboard?: cloudwatch.Dashboard;
}

/** One subscriber's alarms (all ticket severity). */
export interface SubscriberAlarms {
  /** The dead-letter queue has messages. */
  readonly deadLetterMessages: cloudwatch.Alarm;
  /** The oldest message in the main queue is old. */
  readonly oldestMessageAge: cloudwatch.Alarm;
  /** The handler Lambda errors. */
  readonly handlerErrors: cloudwatch.Alarm;
  /** The handler Lambda is throttled. */
  readonly handlerThrottles: cloudwatch.Alarm;
}

const FIVE_MINUTES = Duration.minutes(5);
const once: ResolvedTiming = { period: FIVE_MINUTES, evaluationPeriods: 1, datapointsToAlarm: 1 };
const twice: ResolvedTiming = { period: FIVE_MINUTES, evaluationPeriods: 2, datapointsToAlarm: 2 };
const thrice: ResolvedTiming = { period: FIVE_MINUTES, evaluationPeriods: 3, datapointsToAlarm: 3 };

const RECEIVER_DEFAULTS = {
  signatureFailures: { threshold: 5, timing: once },
  verifierErrors: { threshold: 1, timing: twice },
  verifierThrottles: { threshold: 1, timing: twice },
  dependencyFailures: { threshold: 1, timing: twice },
  api5xx: { threshold: 1, timing: twice },
  apiLatency: { threshold: Duration.millis(2500), timing: thrice },
  apiThrottled: { threshold: 1, timing: once },
  apiRequestTooLarge: { threshold: 1, timing: once },
  snsDeliveryFailures: { threshold: 1, timing: once },
};

const SUBSCRIBER_DEFAULTS = {
  deadLetterMessages: { threshold: 1, timing: once },
  oldestMessageAge: { threshold: Duration.minutes(15), timing: once },
  handlerErrors: { threshold: 1, timing: once },
  handlerThrottles: { threshold: 1, timing: twice },
};

const SEVERITY: Record<AlarmEntry['severity'], AlarmSeverity> = {
  page: AlarmSeverity.PAGE,
  ticket: AlarmSeverity.TICKET,
};

const severities = new WeakMap<cloudwatch.Alarm, AlarmSeverity>();

/** Creates an alarm from a catalogue entry and remembers its severity. */
function createAlarm(
  scope: Construct,
  id: string,
  entry: AlarmEntry,
  metric: cloudwatch.Metric | cloudwatch.MathExpression,
  threshold: number,
  timing: ResolvedTiming,
  options: {
    readonly context?: string;
    readonly comparisonOperator?: cloudwatch.ComparisonOperator;
    readonly treatMissingData?: cloudwatch.TreatMissingData;
  } = {},
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: metric.with({ period: timing.period }),
    threshold,
    evaluationPeriods: timing.evaluationPeriods,
    datapointsToAlarm: timing.datapointsToAlarm,
    comparisonOperator:
      options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: describeAlarm(entry, options.context),
  });
  severities.set(alarm, SEVERITY[entry.severity]);
  return alarm;
}

/** The severity the monitoring constructs gave an alarm (undefined for alarms they did not create). */
export function severityOf(alarm: cloudwatch.IAlarm): AlarmSeverity | undefined {
  return alarm instanceof cloudwatch.Alarm ? severities.get(alarm) : undefined;
}

function notify(alarm: cloudwatch.AlarmBase, actions: readonly cloudwatch.IAlarmAction[]): void {
  for (const action of actions) {
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}

const CLOUDWATCH = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

/** The alarms of this account and region: what CloudWatch acts for (no confused deputy). */
function alarmSourceConditions(scope: Construct): Record<string, Record<string, unknown>> {
  const stack = Stack.of(scope);
  return {
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
    StringEquals: { 'aws:SourceAccount': stack.account },
  };
}

function cloudWatchKeyStatement(scope: Construct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToUseTheKey',
    principals: [CLOUDWATCH],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: alarmSourceConditions(scope),
  });
}

const AWS_MANAGED_SNS_KEY = 'alias/aws/sns';

/**
 * CloudWatch can publish to an encrypted topic only when the key's policy lets cloudwatch.amazonaws.com
 * use it; with the AWS-managed alias/aws/sns key the alarms fire and nobody is notified. Fix what can be
 * fixed (a key created in this app), refuse the AWS-managed key, warn about keys we cannot see.
 */
function prepareTopicForAlarms(scope: Construct, propName: string, topic: sns.ITopic): void {
  if (!(topic instanceof sns.Topic)) {
    // Topic.fromTopicArn(...): neither its key nor its policy can be seen from here.
    Annotations.of(scope).addWarningV2(
      'cdk-happ-webhooks:alarmTopicUnchecked',
      `${propName} is imported, so its encryption and policy cannot be checked: if it is encrypted, its key must not be ` +
        `${AWS_MANAGED_SNS_KEY} and its key policy must allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*; ` +
        'its topic policy must allow cloudwatch.amazonaws.com sns:Publish. Otherwise alarms fire and nobody is notified. ' +
        'Verify both, then acknowledge this warning',
    );
    return;
  }
  // A topic policy replaces SNS's default one (which lets this account's services publish): a topic
  // with one (enforceSSL gives it one) needs CloudWatch allowed explicitly, as the topic created here has.
  if (topic.node.tryFindChild('Policy')) {
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: alarmSourceConditions(scope),
      }),
    );
  }
  const key = topic.masterKey;
  if (key === undefined) return;
  const alias = key as Partial<kms.IAlias>;
  if (
    alias.aliasName === AWS_MANAGED_SNS_KEY ||
    (typeof key.keyArn === 'string' && key.keyArn.endsWith(`:${AWS_MANAGED_SNS_KEY}`))
  ) {
    throw new Error(
      `${propName} is encrypted with the AWS-managed key ${AWS_MANAGED_SNS_KEY}, which CloudWatch alarms cannot use: ` +
        'alarms would fire and notify nobody. Encrypt it with a customer-managed key, or omit ' +
        `${propName} to get an encrypted topic that works`,
    );
  }
  const target = alias.aliasTargetKey ?? key;
  const result = target.addToResourcePolicy(cloudWatchKeyStatement(scope), /* allowNoOp */ true);
  if (!result.statementAdded) {
    Annotations.of(scope).addWarningV2(
      'cdk-happ-webhooks:alarmTopicKey',
      `${propName} is encrypted with a key this app cannot change: make sure its key policy allows ` +
        'cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or alarm notifications are dropped',
    );
  }
}

/** The front door's metrics: the given ingress, else those of a REST API stage. */
function ingressMetrics(props: ReceiverMonitoringProps): IHappIngressMetrics {
  if (props.ingress) return props.ingress;
  const api = props.api;
  if (!api) throw new Error('ReceiverMonitoring needs ingress (receiver.ingress) or api');
  const stageName = props.stageName ?? api.deploymentStage.stageName;
  const metric = (name: string, statistic: string, options?: cloudwatch.MetricOptions) =>
    restApiMetric(api.restApiName, stageName, name, { statistic, ...options });
  return {
    metricServerErrors: (options) => metric('5XXError', 'Sum', options),
    metricLatency: (options) => metric('Latency', 'p99', options),
    metricIntegrationLatency: (options) => metric('IntegrationLatency', 'p99', options),
  };
}

/**
 * Alarms and a dashboard for a Happ webhook receiver: signature failures, verifier errors, throttles and
 * dependency failures, API 5XX and latency, SNS delivery failures, optional "no traffic"; one row per
 * subscriber via {@link addSubscriber}. Every alarm notifies one topic on ALARM and OK.
 */
export class ReceiverMonitoring extends Construct {
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** The key encrypting the alarm topic, when this construct created the topic. */
  public readonly alarmTopicKey?: kms.Key;
  /** The receiver's alarms. */
  public readonly alarms: ReceiverAlarms;
  /**
   * The dashboard: deliveries by outcome, latency against the 5 s budget, errors, one row per subscriber;
   * undefined unless `dashboard` (or `dashboardName`) is set.
   */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** Actions every alarm runs on ALARM and OK (the alarm topic). */
  public readonly alarmActions: readonly cloudwatch.IAlarmAction[];

  private readonly props: ReceiverMonitoringProps;
  private readonly subscriberMonitors: SubscriberMonitoring[] = [];
  private readonly pageAlarms: cloudwatch.Alarm[] = [];
  private readonly addedAlarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ReceiverMonitoringProps) {
    super(scope, id);
    this.props = props;
    const emails = validateEmails('alarmEmail', props.alarmEmail);
    const options = props.receiverAlarms ?? {};
    // Validate subscriber-wide thresholds now, so a mistake fails even before any subscriber is added.
    resolveSubscriberAlarmOptions('subscriberAlarms', props.subscriberAlarms);

    if (props.alarmTopic) {
      prepareTopicForAlarms(this, 'alarmTopic', props.alarmTopic);
      this.alarmTopic = props.alarmTopic;
    } else {
      const key = new kms.Key(this, 'AlarmTopicKey', {
        description: 'Encrypts the Happ webhooks alarm topic; CloudWatch alarms may use it to publish',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      key.addToResourcePolicy(cloudWatchKeyStatement(this));
      const topic = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'Happ webhooks alarms',
        masterKey: key,
        enforceSSL: true,
      });
      // enforceSSL gives the topic a resource policy, which replaces SNS's default one: allow CloudWatch
      // alarms of this account explicitly.
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchAlarmsToPublish',
          principals: [CLOUDWATCH],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: alarmSourceConditions(this),
        }),
      );
      this.alarmTopicKey = key;
      this.alarmTopic = topic;
    }
    emails.forEach(
      (email, i) =>
        // Subscriptions are created in this construct, so an imported topic gets them too.
        new sns.Subscription(this, `AlarmEmail${i}`, {
          topic: this.alarmTopic,
          protocol: sns.SubscriptionProtocol.EMAIL,
          endpoint: email,
          // ALARM only: every alarm goes INSUFFICIENT_DATA → OK on the first deploy (one mail each), and
          // OK mails are noise to a person; the topic still carries OK for tools that resolve incidents.
          filterPolicyWithMessageBody: {
            NewStateValue: sns.FilterOrPolicy.filter(
              sns.SubscriptionFilter.stringFilter({ allowlist: ['ALARM'] }),
            ),
          },
        }),
    );
    this.alarmActions = [new cloudwatchActions.SnsAction(this.alarmTopic)];

    const ingress = ingressMetrics(props);

    const count = (name: keyof typeof RECEIVER_DEFAULTS & keyof ReceiverAlarmOptions) => {
      const given = options[name] as CountAlarmOptions | undefined;
      const defaults = RECEIVER_DEFAULTS[name] as { threshold: number; timing: ResolvedTiming };
      return {
        threshold: resolveCountThreshold(`receiverAlarms.${name}`, given?.threshold, defaults.threshold),
        timing: resolveTiming(`receiverAlarms.${name}`, given, defaults.timing),
      };
    };
    const latencyDefaults = RECEIVER_DEFAULTS.apiLatency;
    const latencyThreshold = resolveDurationThreshold(
      'receiverAlarms.apiLatency',
      options.apiLatency?.threshold,
      latencyDefaults.threshold,
      HAPP_RESPONSE_BUDGET,
    );
    const latencyTiming = resolveTiming(
      'receiverAlarms.apiLatency',
      options.apiLatency,
      latencyDefaults.timing,
    );

    const make = (
      id: string,
      name: keyof typeof RECEIVER_ALARMS,
      metric: cloudwatch.Metric | cloudwatch.MathExpression,
      tuning: { threshold: number; timing: ResolvedTiming },
    ) => {
      const alarm = createAlarm(this, id, RECEIVER_ALARMS[name], metric, tuning.threshold, tuning.timing);
      notify(alarm, this.alarmActions);
      return alarm;
    };

    const signatureFailures = make(
      'SignatureFailuresAlarm',
      'signatureFailures',
      this.metricVerifier(VerifierMetric.SIGNATURE_INVALID),
      count('signatureFailures'),
    );
    const verifierErrors = make(
      'VerifierErrorsAlarm',
      'verifierErrors',
      props.verifier.metricErrors({ statistic: 'Sum' }),
      count('verifierErrors'),
    );
    const verifierThrottles = make(
      'VerifierThrottlesAlarm',
      'verifierThrottles',
      props.verifier.metricThrottles({ statistic: 'Sum' }),
      count('verifierThrottles'),
    );
    const dependencyFailures = make(
      'DependencyFailuresAlarm',
      'dependencyFailures',
      this.metricVerifier(VerifierMetric.DEPENDENCY_FAILURE),
      count('dependencyFailures'),
    );
    const api5xx = make('Api5xxAlarm', 'api5xx', ingress.metricServerErrors(), count('api5xx'));
    const apiLatency = make('ApiLatencyAlarm', 'apiLatency', ingress.metricLatency(), {
      threshold: latencyThreshold.toMilliseconds(),
      timing: latencyTiming,
    });
    const apiThrottled = ingress.metricThrottled
      ? make('ApiThrottledAlarm', 'apiThrottled', ingress.metricThrottled(), count('apiThrottled'))
      : undefined;
    const apiRequestTooLarge = ingress.metricRequestTooLarge
      ? make(
          'ApiRequestTooLargeAlarm',
          'apiRequestTooLarge',
          ingress.metricRequestTooLarge(),
          count('apiRequestTooLarge'),
        )
      : undefined;
    const snsDeliveryFailures = make(
      'SnsDeliveryFailuresAlarm',
      'snsDeliveryFailures',
      props.topic.metricNumberOfNotificationsFailed({ statistic: 'Sum' }),
      count('snsDeliveryFailures'),
    );

    let noTraffic: cloudwatch.Alarm | undefined;
    if (options.noTrafficPeriod !== undefined) {
      const timing = resolveNoTrafficWindow('receiverAlarms.noTrafficPeriod', options.noTrafficPeriod);
      noTraffic = createAlarm(
        this,
        'NoTrafficAlarm',
        RECEIVER_ALARMS.noTraffic,
        this.metricVerifier(VerifierMetric.ACCEPTED),
        1,
        timing,
        {
          context: `none for ${options.noTrafficPeriod.toHumanString()}`,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
      );
      notify(noTraffic, this.alarmActions);
    }

    const pageAlarms = this.pageAlarms;
    pageAlarms.push(
      signatureFailures,
      verifierErrors,
      verifierThrottles,
      dependencyFailures,
      api5xx,
      ...(apiThrottled ? [apiThrottled] : []),
      snsDeliveryFailures,
    );
    // Rendered at synth, so page alarms added later (a tool's, with addAlarms) join the composite.
    const pageRule: cloudwatch.IAlarmRule = {
      renderAlarmRule: () =>
        Lazy.string({ produce: () => cloudwatch.AlarmRule.anyOf(...pageAlarms).renderAlarmRule() }),
    };
    const page = new cloudwatch.CompositeAlarm(this, 'PageAlarm', {
      alarmRule: pageRule,
      alarmDescription: describeAlarm(PAGE_ALARM),
    });
    if (props.pageTopic) {
      prepareTopicForAlarms(this, 'pageTopic', props.pageTopic);
      notify(page, [new cloudwatchActions.SnsAction(props.pageTopic)]);
    }

    this.alarms = {
      signatureFailures,
      verifierErrors,
      verifierThrottles,
      dependencyFailures,
      api5xx,
      apiLatency,
      apiThrottled,
      apiRequestTooLarge,
      snsDeliveryFailures,
      noTraffic,
      page,
    };

    if (props.dashboard ?? props.dashboardName !== undefined) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: props.dashboardName,
        defaultInterval: Duration.days(1),
      });
      this.addReceiverWidgets(this.dashboard, ingress, latencyThreshold);
    }
  }

  /**
   * A verifier metric summed over both routes (chat + call), with the exact dimensions the verifier emits
   * (`Source` only: it clears Powertools' default `service` dimension). Missing values count as 0: the
   * verifier emits a metric only when it counts something, and CloudWatch's `a + b` has no value where
   * either side has none, so each route is `FILL(…, 0)` (else failures on one route alone, or a receiver
   * with one route, would never reach the alarm).
   */
  public metricVerifier(
    metricName: VerifierMetric,
    props?: { readonly period?: Duration; readonly label?: string },
  ) {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    for (const source of HAPP_SOURCES) {
      usingMetrics[`${metricName.toLowerCase()}_${source}`] = this.metricVerifierFor(metricName, source);
    }
    return new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics)
        .map((id) => `FILL(${id}, 0)`)
        .join(' + '),
      usingMetrics,
      period: props?.period ?? FIVE_MINUTES,
      label: props?.label ?? metricName,
    });
  }

  /** A verifier metric for one route (`chat` or `call`), with the exact dimensions the verifier emits. */
  public metricVerifierFor(metricName: VerifierMetric, source: string, period: Duration = FIVE_MINUTES) {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [SOURCE_DIMENSION]: source },
      statistic: 'Sum',
      period,
    });
  }

  /**
   * Monitors one subscriber: four ticket alarms notifying the alarm topic, and a dashboard row.
   * Thresholds: `options.alarms`, else the receiver-wide `subscriberAlarms`, else the defaults.
   */
  public addSubscriber(id: string, options: SubscriberMonitoringOptions): SubscriberMonitoring {
    const shared = this.props.subscriberAlarms ?? {};
    const own = options.alarms ?? {};
    const monitor = new SubscriberMonitoring(this, id, {
      ...options,
      alarms: {
        deadLetterMessages: own.deadLetterMessages ?? shared.deadLetterMessages,
        oldestMessageAge: own.oldestMessageAge ?? shared.oldestMessageAge,
        handlerErrors: own.handlerErrors ?? shared.handlerErrors,
        handlerThrottles: own.handlerThrottles ?? shared.handlerThrottles,
      },
      alarmActions: [...this.alarmActions],
      dashboard: this.dashboard,
    });
    this.subscriberMonitors.push(monitor);
    return monitor;
  }

  /**
   * Adds alarms made by another part (a tool's): `listAlarms` lists them with their severity, and the
   * page-severity ones in this construct's stack join the composite "page" alarm (with
   * `monitoringInNestedStack` a tool's alarms live in the parent and page through their own actions).
   * Their actions are the caller's to set.
   */
  public addAlarms(
    alarms: readonly { readonly alarm: cloudwatch.Alarm; readonly severity: AlarmSeverity }[],
  ): void {
    for (const { alarm, severity } of alarms) {
      severities.set(alarm, severity);
      this.addedAlarms.push(alarm);
      // In the composite only from the same stack: a nested monitoring stack's composite naming the
      // parent's alarms, whose actions name the nested topic, would be a dependency cycle.
      if (severity === AlarmSeverity.PAGE && Stack.of(alarm) === Stack.of(this)) this.pageAlarms.push(alarm);
    }
  }

  /** The subscribers monitored so far. */
  public get subscribers(): readonly SubscriberMonitoring[] {
    return [...this.subscriberMonitors];
  }

  /**
   * Every metric alarm of the receiver and its subscribers (not the composite), optionally of one severity:
   * the escape hatch for routing alarms elsewhere (`for (a of m.listAlarms(AlarmSeverity.PAGE)) a.addAlarmAction(...)`).
   */
  public listAlarms(severity?: AlarmSeverity): cloudwatch.Alarm[] {
    const { page: _page, ...metricAlarms } = this.alarms;
    const all = [
      ...Object.values(metricAlarms).filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined),
      ...this.subscriberMonitors.flatMap((s) => s.listAlarms()),
      ...this.addedAlarms,
    ];
    return severity === undefined ? all : all.filter((alarm) => severityOf(alarm) === severity);
  }

  private addReceiverWidgets(
    dashboard: cloudwatch.Dashboard,
    ingress: IHappIngressMetrics,
    latencyThreshold: Duration,
  ): void {
    const outcomes: Array<[VerifierMetric, string]> = [
      [VerifierMetric.ACCEPTED, 'Accepted (202)'],
      [VerifierMetric.DUPLICATE, 'Duplicate (200)'],
      [VerifierMetric.SIGNATURE_INVALID, 'Signature invalid (401)'],
      [VerifierMetric.UNKNOWN_TYPE, 'Unknown type (accepted)'],
      [VerifierMetric.DEPENDENCY_FAILURE, 'Dependency failure (5xx)'],
    ];
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Deliveries by outcome (chat + call)',
        width: 12,
        left: outcomes.map(([name, label]) => this.metricVerifier(name, { label })),
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: "API latency vs Happ's 5 s budget",
        width: 12,
        left: [
          ingress.metricLatency({ statistic: 'p50', label: 'p50' }),
          ingress.metricLatency({ statistic: 'p99', label: 'p99' }),
          ingress.metricIntegrationLatency({ statistic: 'p99', label: 'verifier p99' }),
        ],
        leftYAxis: { min: 0, label: 'ms', showUnits: false },
        leftAnnotations: [
          {
            value: HAPP_RESPONSE_BUDGET.toMilliseconds(),
            label: 'Happ budget (5 s)',
            color: cloudwatch.Color.RED,
          },
          { value: latencyThreshold.toMilliseconds(), label: 'alarm', color: cloudwatch.Color.ORANGE },
        ],
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Errors',
        width: 12,
        left: [
          ingress.metricServerErrors({ label: 'API 5XX' }),
          this.props.verifier.metricErrors({
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label: 'verifier errors',
          }),
          this.props.verifier.metricThrottles({
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label: 'verifier throttles',
          }),
          this.props.topic.metricNumberOfNotificationsFailed({
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label: 'SNS failed deliveries',
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Receiver alarms',
        width: 12,
        height: 6,
        alarms: [this.alarms.page, ...this.listAlarms()],
      }),
    );
  }
}

/** Resolves and validates subscriber alarm thresholds (used for both receiver-wide and per-subscriber ones). */
function resolveSubscriberAlarmOptions(prefix: string, options: SubscriberAlarmOptions | undefined) {
  const o = options ?? {};
  const countOf = (name: 'deadLetterMessages' | 'handlerErrors' | 'handlerThrottles') => ({
    threshold: resolveCountThreshold(
      `${prefix}.${name}`,
      o[name]?.threshold,
      SUBSCRIBER_DEFAULTS[name].threshold,
    ),
    timing: resolveTiming(`${prefix}.${name}`, o[name], SUBSCRIBER_DEFAULTS[name].timing),
  });
  return {
    deadLetterMessages: countOf('deadLetterMessages'),
    handlerErrors: countOf('handlerErrors'),
    handlerThrottles: countOf('handlerThrottles'),
    oldestMessageAge: {
      threshold: resolveDurationThreshold(
        `${prefix}.oldestMessageAge`,
        o.oldestMessageAge?.threshold,
        SUBSCRIBER_DEFAULTS.oldestMessageAge.threshold,
      ),
      timing: resolveTiming(
        `${prefix}.oldestMessageAge`,
        o.oldestMessageAge,
        SUBSCRIBER_DEFAULTS.oldestMessageAge.timing,
      ),
    },
  };
}

/**
 * Alarms (and optionally a dashboard row) for one subscriber: messages in its dead-letter queue, age of
 * the oldest message in its queue, handler errors and throttles. All ticket severity.
 */
export class SubscriberMonitoring extends Construct {
  /** The subscriber's alarms. */
  public readonly alarms: SubscriberAlarms;
  /** Name used in descriptions and dashboard titles. */
  public readonly subscriberName: string;

  constructor(scope: Construct, id: string, props: SubscriberMonitoringProps) {
    super(scope, id);
    this.subscriberName = props.subscriberName ?? id;
    const tuning = resolveSubscriberAlarmOptions('alarms', props.alarms);
    const context = `subscriber ${this.subscriberName}`;
    const actions = props.alarmActions ?? [];

    const deadLetterMessages = createAlarm(
      this,
      'DeadLetterMessagesAlarm',
      SUBSCRIBER_ALARMS.deadLetterMessages,
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
      tuning.deadLetterMessages.threshold,
      tuning.deadLetterMessages.timing,
      // An idle queue stops reporting after a while; keep the state rather than call a full DLQ "OK".
      { context, treatMissingData: cloudwatch.TreatMissingData.IGNORE },
    );
    const oldestMessageAge = createAlarm(
      this,
      'OldestMessageAgeAlarm',
      SUBSCRIBER_ALARMS.oldestMessageAge,
      props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' }),
      tuning.oldestMessageAge.threshold.toSeconds(),
      tuning.oldestMessageAge.timing,
      { context },
    );
    const handlerErrors = createAlarm(
      this,
      'HandlerErrorsAlarm',
      SUBSCRIBER_ALARMS.handlerErrors,
      props.handler.metricErrors({ statistic: 'Sum' }),
      tuning.handlerErrors.threshold,
      tuning.handlerErrors.timing,
      { context },
    );
    const handlerThrottles = createAlarm(
      this,
      'HandlerThrottlesAlarm',
      SUBSCRIBER_ALARMS.handlerThrottles,
      props.handler.metricThrottles({ statistic: 'Sum' }),
      tuning.handlerThrottles.threshold,
      tuning.handlerThrottles.timing,
      { context },
    );
    this.alarms = { deadLetterMessages, oldestMessageAge, handlerErrors, handlerThrottles };
    for (const alarm of this.listAlarms()) notify(alarm, actions);

    if (props.dashboard) {
      const name = this.subscriberName;
      props.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${name}: messages`,
          width: 6,
          left: [
            props.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'waiting' }),
            props.queue.metricApproximateNumberOfMessagesNotVisible({
              statistic: 'Maximum',
              label: 'in flight',
            }),
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              statistic: 'Maximum',
              label: 'DLQ',
            }),
          ],
          leftYAxis: { min: 0, showUnits: false },
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: oldest message age`,
          width: 6,
          left: [props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', label: 'age (s)' })],
          leftYAxis: { min: 0, showUnits: false },
          leftAnnotations: [{ value: tuning.oldestMessageAge.threshold.toSeconds(), label: 'alarm' }],
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: handler`,
          width: 6,
          left: [
            props.handler.metricErrors({ statistic: 'Sum', label: 'errors' }),
            props.handler.metricThrottles({ statistic: 'Sum', label: 'throttles' }),
          ],
          leftYAxis: { min: 0, showUnits: false },
        }),
        new cloudwatch.AlarmStatusWidget({
          title: `${name}: alarms`,
          width: 6,
          height: 6,
          alarms: this.listAlarms(),
        }),
      );
    }
  }

  /** This subscriber's alarms, as a list. */
  public listAlarms(): cloudwatch.Alarm[] {
    return [
      this.alarms.deadLetterMessages,
      this.alarms.oldestMessageAge,
      this.alarms.handlerErrors,
      this.alarms.handlerThrottles,
    ];
  }
}
