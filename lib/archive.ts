import { CfnElement, CfnOutput, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  archiveErrorOutputPrefix,
  archiveFirehosePrefix,
  ARCHIVE_BUCKET_OUTPUT_KEY,
  FIREHOSE_MAX_BUFFER_INTERVAL_SECONDS,
} from '../lambda/shared/archive';
import { HappSource, MESSAGE_ATTRIBUTES } from '../lambda/shared/envelope';
import { ARCHIVE_ALARMS, describeArchiveAlarm } from './private/archive-catalog';
import { validateDuration, validateWhole } from './private/validate';

/** Options of the receiver's `archive` prop. */
export interface HappArchiveOptions {
  /**
   * How long archived events are kept (whole days, 1 day – 10 years). The receiver keeps claim-checked
   * bodies at least this long too, so an archived claim-checked event replays with its payload.
   *
   * @default Duration.days(90)
   */
  readonly retention?: Duration;

  /**
   * How long Firehose gathers events before writing an object (0 – 900 seconds). Shorter: events are
   * findable sooner; longer: fewer, larger objects (cheaper to list and read).
   *
   * @default Duration.minutes(5)
   */
  readonly bufferingInterval?: Duration;

  /**
   * Retention of the delivery streams' error logs.
   *
   * @default - the receiver's `logRetention` (one month)
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the archive bucket when it leaves the stack. Only an empty bucket is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Props of `HappArchive`. */
export interface HappArchiveProps extends HappArchiveOptions {
  /** The topic whose messages are archived (the receiver's). */
  readonly topic: sns.ITopic;
  /** The sources to archive, each through its own delivery stream. */
  readonly sources: readonly HappSource[];
  /**
   * Actions every archive alarm runs on ALARM and OK (the receiver's alarm topic).
   *
   * @default - no alarms
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/** The archive's alarms (ticket severity: nothing is lost yet, see README "Alarms"). */
export interface HappArchiveAlarms {
  /** Firehose failed to write to S3 (per source). */
  readonly deliveryFailures: cloudwatch.Alarm[];
  /** The oldest record waiting in Firehose is older than the buffer plus 15 minutes (per source). */
  readonly dataFreshness: cloudwatch.Alarm[];
  /** SNS could not deliver to Firehose: the envelopes wait in the subscriptions' dead-letter queue. */
  readonly subscriptionDeadLetters: cloudwatch.Alarm;
}

/** Retention default: three months of replayable history. */
export const DEFAULT_ARCHIVE_RETENTION = Duration.days(90);
const DEFAULT_BUFFERING_INTERVAL = Duration.minutes(5);

/**
 * Every envelope published to the topic, kept in S3 for finding and replaying (`happ-webhooks events`,
 * `happ-webhooks replay`): per source, an SNS subscription of protocol `firehose` (raw delivery, filter
 * `{"source": [<source>]}`, its own dead-letter queue) → an Amazon Data Firehose stream (GZIP, a newline
 * after every record) → the archive bucket under `events/source=<source>/year=…/month=…/day=…/hour=…/`
 * (the layout in `lambda/shared/archive.ts`, which the CLI reads). No code of ours in that path.
 */
export class HappArchive extends Construct {
  /** The archive bucket (SSE-S3, TLS only, public access blocked, objects expire after `retention`). */
  public readonly bucket: s3.Bucket;
  /** One delivery stream per archived source. */
  public readonly deliveryStreams: Readonly<Partial<Record<HappSource, firehose.DeliveryStream>>>;
  /** Where SNS parks envelopes it could not hand to Firehose (14 days). */
  public readonly deadLetterQueue: sqs.Queue;
  /** How long archived events are kept. */
  public readonly retention: Duration;
  /** The alarms, when `alarmActions` were given (the receiver has monitoring). */
  public readonly alarms?: HappArchiveAlarms;

  constructor(scope: Construct, id: string, props: HappArchiveProps) {
    super(scope, id);
    validateArchiveOptions(props);
    this.retention = props.retention ?? DEFAULT_ARCHIVE_RETENTION;
    const bufferingInterval = props.bufferingInterval ?? DEFAULT_BUFFERING_INTERVAL;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'ExpireArchivedEvents',
          expiration: this.retention,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the archive delivery streams write to this bucket and only IAM principals of the account read it (TLS-only policy, public access blocked); a log bucket would itself be unlogged.',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'SubscriptionDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the redrive target of the archive subscriptions (SNS parks the envelopes it could not hand to Firehose here).',
    });

    const streams: Partial<Record<HappSource, firehose.DeliveryStream>> = {};
    for (const source of props.sources) {
      const name = source === HappSource.CHAT ? 'Chat' : 'Call';
      const errorLogs = new logs.LogGroup(this, `${name}StreamErrorLogs`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      });
      const stream = new firehose.DeliveryStream(this, `${name}Stream`, {
        encryption: firehose.StreamEncryption.awsOwnedKey(),
        destination: new firehose.S3Bucket(this.bucket, {
          dataOutputPrefix: archiveFirehosePrefix(source),
          errorOutputPrefix: archiveErrorOutputPrefix(source),
          compression: firehose.Compression.GZIP,
          bufferingInterval,
          bufferingSize: Size.mebibytes(5),
          loggingConfig: new firehose.EnableLogging(errorLogs),
          // A newline after every record: objects are NDJSON (the CLI also reads records without one).
          processors: [new firehose.AppendDelimiterToRecordProcessor()],
        }),
      });
      props.topic.addSubscription(
        new subscriptions.FirehoseSubscription(stream, {
          rawMessageDelivery: true,
          filterPolicy: {
            [MESSAGE_ATTRIBUTES.SOURCE]: sns.SubscriptionFilter.stringFilter({ allowlist: [source] }),
          },
          deadLetterQueue: this.deadLetterQueue,
        }),
      );
      streams[source] = stream;
      this.acknowledgeDestinationRole(stream);
    }
    this.deliveryStreams = streams;
    // The Firehose L2 adds a region → CIDR mapping (for Redshift/Splunk destinations) to the stack even
    // when nothing uses it; CloudFormation ignores an unused mapping.
    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason:
        'aws-cdk-lib kinesisfirehose adds its awscdkawskinesisfirehoseCidrBlocks mapping to every stack with a delivery stream; an unused mapping is harmless.',
    });

    new CfnOutput(this, ARCHIVE_BUCKET_OUTPUT_KEY, {
      description: 'Archived Happ events: happ-webhooks events <stack> / happ-webhooks replay <stack>',
      value: this.bucket.bucketName,
    });

    if (props.alarmActions) this.alarms = this.createAlarms(props.alarmActions, bufferingInterval);
  }

  /**
   * The Firehose L2 grants its S3 destination role read/write on the bucket (`grantReadWrite`, not
   * configurable); the role is assumed only by firehose.amazonaws.com and scoped to this one bucket.
   */
  private acknowledgeDestinationRole(stream: firehose.DeliveryStream): void {
    const policy = stream.node.tryFindChild('S3 Destination Role')?.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const reason =
      "aws-cdk-lib's Firehose S3 destination grants its role bucket.grantReadWrite on this archive bucket only; the role can be assumed by firehose.amazonaws.com alone, which needs put, multipart and list on the bucket to deliver.";
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::<${bucketId}.Arn>/*`,
    ]) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }

  private createAlarms(
    actions: readonly cloudwatch.IAlarmAction[],
    bufferingInterval: Duration,
  ): HappArchiveAlarms {
    const notify = (alarm: cloudwatch.Alarm) => {
      for (const action of actions) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      return alarm;
    };
    const deliveryFailures: cloudwatch.Alarm[] = [];
    const dataFreshness: cloudwatch.Alarm[] = [];
    const freshnessLimit = bufferingInterval.plus(Duration.minutes(15));
    for (const [source, stream] of Object.entries(this.deliveryStreams) as [
      HappSource,
      firehose.DeliveryStream,
    ][]) {
      const metric = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Firehose',
          metricName,
          dimensionsMap: { DeliveryStreamName: stream.deliveryStreamName },
          statistic,
          period: Duration.minutes(5),
        });
      const label = source === HappSource.CHAT ? 'Chat' : 'Call';
      deliveryFailures.push(
        notify(
          new cloudwatch.Alarm(this, `${label}DeliveryFailuresAlarm`, {
            // DeliveryToS3.Success is the share of successful S3 puts (1 = all); below 1: some failed.
            metric: metric('DeliveryToS3.Success', 'Minimum'),
            threshold: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
            alarmDescription: describeArchiveAlarm(ARCHIVE_ALARMS.deliveryFailures, source),
          }),
        ),
      );
      dataFreshness.push(
        notify(
          new cloudwatch.Alarm(this, `${label}DataFreshnessAlarm`, {
            metric: metric('DeliveryToS3.DataFreshness', 'Maximum'),
            threshold: freshnessLimit.toSeconds(),
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
            alarmDescription: describeArchiveAlarm(ARCHIVE_ALARMS.dataFreshness, source),
          }),
        ),
      );
    }
    const subscriptionDeadLetters = notify(
      new cloudwatch.Alarm(this, 'SubscriptionDeadLettersAlarm', {
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
        alarmDescription: describeArchiveAlarm(ARCHIVE_ALARMS.subscriptionDeadLetters),
      }),
    );
    return { deliveryFailures, dataFreshness, subscriptionDeadLetters };
  }
}

export function validateArchiveOptions(options: HappArchiveOptions): void {
  validateDuration('archive.retention', options.retention, Duration.days(1), Duration.days(3650));
  validateWhole('archive.retention', options.retention, 'days');
  validateDuration(
    'archive.bufferingInterval',
    options.bufferingInterval,
    Duration.seconds(0),
    Duration.seconds(FIREHOSE_MAX_BUFFER_INTERVAL_SECONDS),
  );
  validateWhole('archive.bufferingInterval', options.bufferingInterval, 'seconds');
}
