import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  archiveErrorOutputPrefix,
  archiveFirehosePrefix,
  ARCHIVE_BUCKET_OUTPUT_KEY,
} from '../../lambda/shared/archive';
import { HappWebhookReceiver } from '../../lib';
import { newStack, receiverStack, warnings } from './support';

describe('archive', () => {
  it('is off by default: no delivery stream, no archive bucket', () => {
    const { template, receiver } = receiverStack();
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    expect(receiver.archive).toBeUndefined();
  });

  it('subscribes one Firehose stream per source to the topic: protocol firehose, raw delivery, filtered on source, with a DLQ', () => {
    const { template, stack, receiver } = receiverStack({ archive: true });
    const topic = stack.getLogicalId(receiver.topic.node.defaultChild as never);
    const dlq = stack.getLogicalId(receiver.archive!.deadLetterQueue.node.defaultChild as never);
    for (const source of ['chat', 'call'] as const) {
      const stream = stack.getLogicalId(
        receiver.archive!.deliveryStreams[source]!.node.defaultChild as never,
      );
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'firehose',
        TopicArn: { Ref: topic },
        Endpoint: { 'Fn::GetAtt': [stream, 'Arn'] },
        RawMessageDelivery: true,
        FilterPolicy: { source: [source] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        SubscriptionRoleArn: Match.anyValue(),
      });
      template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        ExtendedS3DestinationConfiguration: Match.objectLike({
          CompressionFormat: 'GZIP',
          Prefix: archiveFirehosePrefix(source),
          ErrorOutputPrefix: archiveErrorOutputPrefix(source),
          BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }],
          },
          CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
        }),
      });
    }
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 2);
  });

  it('archives only the enabled sources', () => {
    const { template, receiver } = receiverStack({ archive: true, enableChat: false });
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    expect(Object.keys(receiver.archive!.deliveryStreams)).toEqual(['call']);
  });

  it('keeps the archive in an encrypted, TLS-only, private bucket that expires events after the retention and is retained on delete', () => {
    const { template, stack, receiver } = receiverStack({ archive: { retention: Duration.days(400) } });
    const bucket = stack.getLogicalId(receiver.archive!.bucket.node.defaultChild as never);
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireArchivedEvents', ExpirationInDays: 400 })]),
        },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(Object.keys(template.findOutputs('*')).some((k) => k.includes(ARCHIVE_BUCKET_OUTPUT_KEY))).toBe(
      true,
    );
  });

  it('keeps claim-checked bodies at least as long as the archive (an archived claim-checked event replays with its payload)', () => {
    const claimCheckRule = (template: Template) => {
      const buckets = template.findResources('AWS::S3::Bucket');
      const rules = Object.values(buckets).flatMap(
        (b) =>
          (b.Properties.LifecycleConfiguration?.Rules ?? []) as { Id: string; ExpirationInDays: number }[],
      );
      return rules.find((r) => r.Id === 'ExpireClaimChecks')?.ExpirationInDays;
    };
    expect(claimCheckRule(receiverStack().template)).toBe(30);
    expect(claimCheckRule(receiverStack({ archive: true }).template)).toBe(90);
    expect(
      claimCheckRule(receiverStack({ archive: true, claimCheckExpiration: Duration.days(200) }).template),
    ).toBe(200);
    const stack = newStack();
    new HappWebhookReceiver(stack, 'Happ', { archive: true, claimCheckExpiration: Duration.days(20) });
    expect(claimCheckRule(Template.fromStack(stack))).toBe(90);
    expect(warnings(stack).join('\n')).toMatch(
      /claimCheckExpiration \(20 days\) is shorter than archive.retention \(90 days\): claim-checked bodies are kept 90 days/,
    );
  });

  it('alarms on Firehose delivery failures and data freshness per stream and on the subscription DLQ, notifying the alarm topic', () => {
    const { template, receiver } = receiverStack({ archive: { bufferingInterval: Duration.minutes(10) } });
    const alarms = receiver.archive!.alarms!;
    expect(alarms.deliveryFailures).toHaveLength(2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.Success',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      AlarmActions: Match.anyValue(),
      OKActions: Match.anyValue(),
      AlarmDescription: Match.stringLikeRegexp('^\\[TICKET\\]'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Statistic: 'Maximum',
      Threshold: 600 + 900,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmDescription: Match.stringLikeRegexp('SNS could not deliver events to Firehose'),
    });
  });

  it('has no alarms without monitoring', () => {
    const { receiver } = receiverStack({ archive: true, monitoring: false });
    expect(receiver.archive!.alarms).toBeUndefined();
  });

  it('follows removalPolicy when given', () => {
    const { template } = receiverStack({ archive: { removalPolicy: RemovalPolicy.DESTROY } });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')).filter((b) =>
      JSON.stringify(b).includes('ExpireArchivedEvents'),
    );
    expect(buckets[0].DeletionPolicy).toBe('Delete');
  });

  it.each([
    [
      { retention: Duration.hours(12) },
      /archive.retention must be between 1 day and 3650 days \(given 12 hours\)/,
    ],
    [{ retention: Duration.hours(36) }, /archive.retention must be a whole number of days/],
    [
      { bufferingInterval: Duration.minutes(20) },
      /archive.bufferingInterval must be between .* \(given 20 minutes\)/,
    ],
  ])('fails when the options are out of range: %p', (archive, message) => {
    expect(() => receiverStack({ archive })).toThrow(message);
  });
});
