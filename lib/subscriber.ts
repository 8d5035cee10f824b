import { Annotations, CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambda/shared/env';
import { HappSource } from '../lambda/shared/envelope';
import { CALL_EVENT_TYPES, CHAT_EVENT_TYPES, KnownHappEventType } from '../lambda/shared/events';
import { HappFilterOptions, HappFilterPolicy, happFilterPolicy } from './filter-policy';
import type {
  ReceiverMonitoring,
  SubscriberAlarmOptions,
  SubscriberAlarms,
  SubscriberMonitoring,
} from './monitoring';
import { grantIdempotencyItems, subscriberKeyPattern, validateSubscriberName } from './private/table-access';
import { validateDuration, validateInteger, validateRemovalPolicy, validateWhole } from './private/validate';

/** The resources of a receiver a subscriber needs. `HappWebhookReceiver` implements it. */
export interface IHappWebhookReceiver {
  /** Topic the verifier publishes envelopes to. */
  readonly topic: sns.ITopic;
  /** Idempotency table (partition key `id`, TTL `expiration`). */
  readonly table: dynamodb.ITable;
  /** Claim-check bucket. */
  readonly bucket: s3.IBucket;
  /** The receiver's monitoring: when present, each subscriber gets its alarms and a dashboard row. */
  readonly monitoring?: ReceiverMonitoring;
  /**
   * What happens to a subscriber's queues when they leave the stack (`HappWebhookReceiver` passes its
   * `removalPolicy`).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Options of `HappWebhookReceiver.addSubscriber`. */
export interface HappSubscriberOptions extends HappFilterOptions {
  /**
   * Records per handler invocation. At most 10 without `maxBatchingWindow`, 10000 with it.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long to gather records before invoking the handler. At most 5 minutes.
   *
   * @default - no batching window (invoke as soon as records arrive)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Maximum concurrent handler invocations from this queue. Between 2 and 1000.
   *
   * @default - no limit (up to the account's concurrency)
   */
  readonly maxConcurrency?: number;

  /**
   * Receives of one message before it is moved to the dead-letter queue. Between 1 and 1000.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * The handler's timeout. A `lambda.IFunction` does not carry it, so give it for an imported function.
   *
   * @default - the timeout of the handler when it is a `lambda.Function` of this app (3 seconds when unset), else 3 seconds
   */
  readonly handlerTimeout?: Duration;

  /**
   * Visibility timeout of the queue: how long a received message stays invisible before it is
   * retried. At least `handlerTimeout` (Lambda refuses the mapping otherwise), at most 12 hours.
   *
   * @default - 6 × handlerTimeout + maxBatchingWindow (AWS's recommendation for Lambda sources)
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How long an undelivered message stays in the queue. Between 1 minute and 14 days.
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * What happens to this subscriber's queue and dead-letter queue when they leave the stack: the
   * subscriber is removed, or its construct id (or `subscriberName`'s construct) renamed, which
   * replaces them. Retained queues keep their messages (parked deliveries up to 14 days) for a
   * `happ-webhooks redrive --to` into the new queue; delete them by hand once drained. An empty queue
   * costs nothing.
   *
   * @default - the receiver's `removalPolicy` (RemovalPolicy.RETAIN unless set)
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Thresholds of this subscriber's alarms, each replacing the receiver-wide `subscriberAlarms` entry.
   *
   * @default - the receiver's `subscriberAlarms`, else the defaults (README "Alarms")
   */
  readonly alarms?: SubscriberAlarmOptions;
}

/** Props of `HappSubscriber`; `HappWebhookReceiver.addSubscriber` fills `receiver` and `handler`. */
export interface HappSubscriberProps extends HappSubscriberOptions {
  /** The receiver whose topic, table and bucket the subscriber uses. */
  readonly receiver: IHappWebhookReceiver;

  /**
   * The Lambda function processing this subscriber's deliveries, ideally written with the runtime
   * helper (`cdk-happ-webhooks/runtime`).
   */
  readonly handler: lambda.IFunction;

  /**
   * Name of the subscriber: the handler's `HAPP_SUBSCRIBER_NAME`, which namespaces its idempotency keys.
   *
   * @default - the construct id
   */
  readonly subscriberName?: string;
}

/** Lambda's default timeout, assumed when a handler's timeout is unknown. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);
const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);
const SQS_MAX_VISIBILITY_TIMEOUT = Duration.hours(12);
const DEAD_LETTER_RETENTION = Duration.days(14);
/** The least time a dead letter should have in the DLQ before SQS deletes it: a week to notice and redrive. */
const MIN_DEAD_LETTER_LIFE = Duration.days(7);

/** Handlers already backing a subscriber: HAPP_SUBSCRIBER_NAME can only name one. */
const handlerOwners = new WeakMap<lambda.IFunction, string>();

/**
 * One subscriber of a Happ webhook receiver: an SNS subscription (raw delivery, filter policy, its
 * own redrive policy) to an SQS queue with a dead-letter queue, consumed by the handler Lambda with
 * partial batch responses.
 */
export class HappSubscriber extends Construct {
  /** The subscriber's name (its `HAPP_SUBSCRIBER_NAME`). */
  public readonly subscriberName: string;
  /** The handler Lambda. */
  public readonly handler: lambda.IFunction;
  /** The queue the topic delivers to and the handler consumes. */
  public readonly queue: sqs.Queue;
  /**
   * Where messages go after `maxReceiveCount` failed receives, and where SNS parks deliveries it
   * could not make to `queue` (the subscription's redrive policy). Retention 14 days.
   */
  public readonly deadLetterQueue: sqs.Queue;
  /** The SNS subscription of `queue` to the receiver's topic. */
  public readonly subscription: sns.Subscription;
  /** The mapping from `queue` to `handler` (ReportBatchItemFailures). */
  public readonly eventSourceMapping: lambda.EventSourceMapping;
  /** The filter policy on the subscription, or undefined when it receives everything. */
  public readonly filterPolicy?: HappFilterPolicy;
  /** The handler timeout the visibility timeout was derived from. */
  public readonly handlerTimeout: Duration;
  /** The queue's visibility timeout. */
  public readonly visibilityTimeout: Duration;
  /** This subscriber's alarms; undefined when the receiver has no monitoring. */
  public readonly alarms?: SubscriberAlarms;
  /** This subscriber's monitoring (alarms and dashboard row); undefined when the receiver has none. */
  public readonly monitoring?: SubscriberMonitoring;

  constructor(scope: Construct, id: string, props: HappSubscriberProps) {
    super(scope, id);
    this.subscriberName = props.subscriberName ?? id;
    validateSubscriberName(this.subscriberName);
    validateRemovalPolicy('removalPolicy', props.removalPolicy);
    this.handler = props.handler;

    validateBatchSize(props.batchSize, props.maxBatchingWindow);
    validateDuration('maxBatchingWindow', props.maxBatchingWindow, Duration.seconds(0), Duration.minutes(5));
    validateWhole('maxBatchingWindow', props.maxBatchingWindow, 'seconds');
    validateInteger('maxConcurrency', props.maxConcurrency, 2, 1000);
    validateInteger('maxReceiveCount', props.maxReceiveCount, 1, 1000);
    validateDuration('handlerTimeout', props.handlerTimeout, Duration.seconds(1), LAMBDA_MAX_TIMEOUT);
    validateDuration('retentionPeriod', props.retentionPeriod, Duration.minutes(1), DEAD_LETTER_RETENTION);
    this.filterPolicy = happFilterPolicy(props);
    this.warnAboutUnreachableEvents(props);
    this.warnAboutShortDeadLetterLife(props.retentionPeriod);

    const owner = handlerOwners.get(props.handler);
    if (owner !== undefined) {
      throw new Error(
        `handler ${props.handler.node.path} already backs subscriber '${owner}'; each subscriber needs its own function (HAPP_SUBSCRIBER_NAME names one subscriber)`,
      );
    }
    handlerOwners.set(props.handler, this.subscriberName);

    this.handlerTimeout = this.resolveHandlerTimeout(props);
    this.visibilityTimeout = this.resolveVisibilityTimeout(props);
    this.checkVisibilityCoversFunction(props);

    // Queues hold deliveries not yet handled (and the DLQ parked ones, up to 14 days): like the table,
    // they outlive a rename or removal unless the receiver says DESTROY.
    const removalPolicy = props.removalPolicy ?? props.receiver.removalPolicy ?? RemovalPolicy.RETAIN;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
      removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
      visibilityTimeout: this.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    this.subscription = props.receiver.topic.addSubscription(
      new subscriptions.SqsSubscription(this.queue, {
        rawMessageDelivery: true,
        // The same JSON happFilterPolicy returns, verbatim.
        filterPolicy: this.filterPolicy
          ? Object.fromEntries(
              Object.entries(this.filterPolicy).map(([k, v]) => [k, new sns.SubscriptionFilter(v)]),
            )
          : undefined,
        // A delivery SNS cannot make to the queue is parked, not dropped.
        deadLetterQueue: this.deadLetterQueue,
      }),
    );

    this.eventSourceMapping = new lambda.EventSourceMapping(this, 'EventSourceMapping', {
      target: props.handler,
      eventSourceArn: this.queue.queueArn,
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.grantHandler(props);

    const environment: Record<string, string> = {
      [ENV.TABLE_NAME]: props.receiver.table.tableName,
      [ENV.SUBSCRIBER_NAME]: this.subscriberName,
    };
    if (props.handler instanceof lambda.Function) {
      for (const [k, v] of Object.entries(environment)) props.handler.addEnvironment(k, v);
    } else {
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:subscriberEnvironment',
        `the handler is not a lambda.Function of this app, so its environment cannot be set: set ${ENV.TABLE_NAME} to the receiver's table name (receiver.table.tableName) and ${ENV.SUBSCRIBER_NAME}=${this.subscriberName} on it yourself`,
      );
    }

    if (props.receiver.monitoring) {
      this.monitoring = props.receiver.monitoring.addSubscriber(id, {
        queue: this.queue,
        deadLetterQueue: this.deadLetterQueue,
        handler: props.handler,
        subscriberName: this.subscriberName,
        alarms: props.alarms,
      });
      this.alarms = this.monitoring.alarms;
    } else if (props.alarms) {
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:subscriberAlarmsIgnored',
        'alarms is ignored because the receiver has no monitoring (monitoring: false)',
      );
    }
  }

  /** What the mapping and the runtime helper need, and nothing more. */
  private grantHandler(props: HappSubscriberProps): void {
    if (!props.handler.role) {
      // An imported function without its role: nothing can be granted from here.
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:subscriberGrants',
        `the handler was imported without its role, so no permission can be granted to it: give its role sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility, sqs:GetQueueAttributes on the queue (subscriber.queue), dynamodb:GetItem, PutItem, UpdateItem, DeleteItem on the receiver's table under the condition ForAllValues:StringLike dynamodb:LeadingKeys ${subscriberKeyPattern(this.subscriberName)}, and s3:GetObject on the receiver's bucket objects`,
      );
      return;
    }
    // Lambda checks the role can read the queue when it creates the mapping.
    this.queue.grantConsumeMessages(props.handler).applyBefore(this.eventSourceMapping);
    // The runtime helper: idempotency records in the table, claim-checked payloads from the bucket.
    // Its own records only (happ-subscriber#<name>#…): never the verifier's or another subscriber's.
    grantIdempotencyItems(props.receiver.table, props.handler, subscriberKeyPattern(this.subscriberName));
    iam.Grant.addToPrincipal({
      grantee: props.handler,
      actions: ['s3:GetObject'],
      resourceArns: [props.receiver.bucket.arnForObjects('*')],
    });
    props.receiver.bucket.encryptionKey?.grantDecrypt(props.handler);
    this.acknowledgeClaimCheckRead(props);
  }

  /** cdk-nag flags the `bucket/*` resource of the read grant on the handler's role policy. */
  private acknowledgeClaimCheckRead(props: HappSubscriberProps): void {
    const policy = props.handler.role?.node.tryFindChild('DefaultPolicy');
    const bucket = props.receiver.bucket.node.defaultChild;
    if (!policy || !(bucket instanceof CfnElement) || Stack.of(bucket) !== Stack.of(policy)) return;
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(bucket)}.Arn>/*]`,
      reason:
        'A subscriber reads claim-checked payloads by the pointer in each message, under keys the verifier generates: s3:GetObject (only) on the objects of the one claim-check bucket.',
    });
  }

  private resolveHandlerTimeout(props: HappSubscriberProps): Duration {
    if (props.handlerTimeout) return props.handlerTimeout;
    if (props.handler instanceof lambda.Function) {
      const timeout = props.handler.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
      if (timeout.isUnresolved()) {
        Annotations.of(this).addWarningV2(
          'cdk-happ-webhooks:handlerTimeoutUnresolved',
          'the handler timeout is a token; assuming 15 minutes (the maximum) for the visibility timeout. Pass handlerTimeout to use the real value',
        );
        return LAMBDA_MAX_TIMEOUT;
      }
      return timeout;
    }
    Annotations.of(this).addWarningV2(
      'cdk-happ-webhooks:handlerTimeoutUnknown',
      `the handler is not a lambda.Function of this app, so its timeout is unknown: assuming ${LAMBDA_DEFAULT_TIMEOUT.toHumanString()} (Lambda's default). Pass handlerTimeout, or the event source mapping fails to deploy when the visibility timeout is shorter than the function timeout`,
    );
    return LAMBDA_DEFAULT_TIMEOUT;
  }

  private resolveVisibilityTimeout(props: HappSubscriberProps): Duration {
    if (props.visibilityTimeout) {
      const v = props.visibilityTimeout;
      if (!v.isUnresolved() && !this.handlerTimeout.isUnresolved()) {
        if (v.toMilliseconds() < this.handlerTimeout.toMilliseconds()) {
          throw new Error(
            `visibilityTimeout must be at least the handler timeout, ${this.handlerTimeout.toHumanString()}, and AWS recommends 6 × (given ${v.toHumanString()})`,
          );
        }
      }
      validateDuration('visibilityTimeout', v, Duration.seconds(0), SQS_MAX_VISIBILITY_TIMEOUT);
      validateWhole('visibilityTimeout', v, 'seconds');
      return v;
    }
    const seconds =
      6 * Math.ceil(this.handlerTimeout.toSeconds({ integral: false })) +
      (props.maxBatchingWindow?.toSeconds() ?? 0);
    return Duration.seconds(Math.min(seconds, SQS_MAX_VISIBILITY_TIMEOUT.toSeconds()));
  }

  /**
   * Lambda refuses (at deploy) an event source mapping whose queue's visibility timeout is shorter than the
   * function's timeout. `handlerTimeout` may understate the timeout of a `lambda.Function` we can see.
   */
  private checkVisibilityCoversFunction(props: HappSubscriberProps): void {
    if (!(props.handler instanceof lambda.Function)) return;
    const functionTimeout = props.handler.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
    const visibility = this.visibilityTimeout;
    if (functionTimeout.isUnresolved() || visibility.isUnresolved()) return;
    if (visibility.toMilliseconds() >= functionTimeout.toMilliseconds()) return;
    const fn = functionTimeout.toHumanString();
    if (props.visibilityTimeout) {
      throw new Error(
        `visibilityTimeout must be at least the handler function's timeout, ${fn}, and AWS recommends 6 × (given ${visibility.toHumanString()})`,
      );
    }
    throw new Error(
      `handlerTimeout must be at least the handler function's timeout, ${fn} (given ${this.handlerTimeout.toHumanString()}): the visibility timeout derived from it, ${visibility.toHumanString()}, is shorter than the function's and Lambda refuses the event source mapping. Omit handlerTimeout to use the function's own`,
    );
  }

  /**
   * SQS keeps a message's original enqueue time when it moves it to the DLQ, so a dead letter lives
   * only DLQ retention (14 days) minus the time it already spent in the queue. A long queue
   * retention leaves too little time to notice, fix and redrive.
   */
  private warnAboutShortDeadLetterLife(retentionPeriod: Duration | undefined): void {
    if (!retentionPeriod || Token.isUnresolved(retentionPeriod.toSeconds())) return;
    const left = DEAD_LETTER_RETENTION.toSeconds() - retentionPeriod.toSeconds();
    if (left >= MIN_DEAD_LETTER_LIFE.toSeconds()) return;
    Annotations.of(this).addWarningV2(
      'cdk-happ-webhooks:shortDeadLetterLife',
      `retentionPeriod ${retentionPeriod.toHumanString()} leaves a dead letter as little as ${Duration.seconds(left).toHumanString()} in the DLQ (SQS keeps the original enqueue time when it moves a message; the DLQ keeps ${DEAD_LETTER_RETENTION.toHumanString()}): keep retentionPeriod at most ${DEAD_LETTER_RETENTION.minus(MIN_DEAD_LETTER_LIFE).toHumanString()} so a parked event can still be redriven`,
    );
  }

  /** Known event types filtered for a source the subscriber excludes never arrive. */
  private warnAboutUnreachableEvents(props: HappFilterOptions): void {
    if (!props.sources || !props.events) return;
    const bySource: Record<HappSource, readonly KnownHappEventType[]> = {
      [HappSource.CHAT]: CHAT_EVENT_TYPES,
      [HappSource.CALL]: CALL_EVENT_TYPES,
    };
    const unreachable = props.events.filter((e) =>
      (Object.keys(bySource) as HappSource[]).some(
        (source) => !props.sources!.includes(source) && (bySource[source] as readonly string[]).includes(e),
      ),
    );
    if (unreachable.length > 0) {
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:unreachableEvents',
        `events ${unreachable.map((e) => `'${e}'`).join(', ')} come from a source not in sources [${props.sources
          .map((s) => `'${s}'`)
          .join(', ')}]: this subscriber never receives them`,
      );
    }
  }
}

function validateBatchSize(batchSize: number | undefined, window: Duration | undefined): void {
  if (batchSize === undefined || Token.isUnresolved(batchSize)) return;
  // Lambda refuses (at deploy) a batch size above 10 unless MaximumBatchingWindowInSeconds is at least 1.
  const zeroWindow = window !== undefined && !window.isUnresolved() && window.toMilliseconds() === 0;
  const max = window && !zeroWindow ? 10_000 : 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > max) {
    const qualifier = zeroWindow
      ? ' with a maxBatchingWindow of 0 seconds (up to 10000 with one of at least 1 second)'
      : window
        ? ' with maxBatchingWindow'
        : ' without maxBatchingWindow (up to 10000 with one)';
    throw new Error(`batchSize must be an integer between 1 and ${max}${qualifier} (given ${batchSize})`);
  }
}
