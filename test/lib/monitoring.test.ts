import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { HAPP_SOURCES } from '../../lambda/shared/envelope';
import { METRICS_NAMESPACE, VERIFIER_METRIC_DIMENSIONS, VerifierMetric } from '../../lambda/shared/metrics';
import {
  AlarmSeverity,
  ReceiverMonitoring,
  ReceiverMonitoringProps,
  SubscriberMonitoring,
  severityOf,
} from '../../lib/monitoring';

const ENV = { account: '111122223333', region: 'eu-west-1' };
/** The built-in CloudFormation validator runs in one test below; elsewhere it is off (speed, no noise). */
const newApp = () => new App({ builtinCloudFormationValidation: false });

// Plain resources standing in for the receiver's: monitoring takes them by interface.
function fixture(props: Partial<ReceiverMonitoringProps> = {}, app = newApp()) {
  const stack = new Stack(app, 'Test', { env: ENV });
  const verifier = new lambda.Function(stack, 'Verifier', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 202 })'),
  });
  const api = new apigateway.RestApi(stack, 'Api', { restApiName: 'happ-api' });
  api.root.addResource('chat').addMethod('POST', new apigateway.LambdaIntegration(verifier));
  const topic = new sns.Topic(stack, 'Topic');
  const monitoring = new ReceiverMonitoring(stack, 'Monitoring', { api, verifier, topic, ...props });
  return { app, stack, verifier, api, topic, monitoring };
}

function subscriberResources(stack: Stack, name: string) {
  const deadLetterQueue = new sqs.Queue(stack, `${name}Dlq`);
  const queue = new sqs.Queue(stack, `${name}Queue`, {
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
  });
  const handler = new lambda.Function(stack, `${name}Handler`, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  return { queue, deadLetterQueue, handler };
}

const ref = (fn: lambda.IFunction) => Stack.of(fn).resolve(fn.functionName);

function alarmOf(template: Template, alarm: cloudwatch.Alarm) {
  const id = Stack.of(alarm).getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm);
  return template.toJSON().Resources[id].Properties;
}

describe('alarm topic', () => {
  it('is encrypted with a customer-managed key whose policy lets CloudWatch use it (not alias/aws/sns)', () => {
    const { stack, monitoring } = fixture({ dashboard: true });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    const topicProps = alarmOf(template, monitoring.alarmTopic as never);
    expect(topicProps.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/AlarmTopicKey/), 'Arn'],
    });
    expect(JSON.stringify(topicProps)).not.toContain('alias/aws/sns');
  });

  it('has a policy that lets CloudWatch alarms of this account publish, and denies non-TLS publishing', () => {
    const { stack } = fixture();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111122223333:alarm:*'],
                  ],
                },
              },
              StringEquals: { 'aws:SourceAccount': '111122223333' },
            },
          }),
        ]),
      },
    });
  });

  it('subscribes every alarmEmail address', () => {
    const { stack } = fixture({ alarmEmail: ['oncall@example.com', 'team@example.org'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of ['oncall@example.com', 'team@example.org']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
    }
  });

  it('mails ALARM only (no OK mail per alarm on the first deploy); the topic itself still carries OK', () => {
    const { stack, monitoring } = fixture({ alarmEmail: ['oncall@example.com'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: { NewStateValue: ['ALARM'] },
    });
    for (const alarm of monitoring.listAlarms()) {
      expect(alarmOf(template, alarm).OKActions).toEqual(alarmOf(template, alarm).AlarmActions);
    }
  });

  it('the filter lets an ALARM notification through and holds back OK and INSUFFICIENT_DATA', () => {
    const { stack } = fixture({ alarmEmail: ['oncall@example.com'] });
    const [subscription] = Object.values(Template.fromStack(stack).findResources('AWS::SNS::Subscription'));
    const policy = subscription.Properties.FilterPolicy as Record<string, string[]>;
    // A CloudWatch alarm notification body (the fields SNS filters on).
    const passes = (state: string) =>
      Object.entries(policy).every(([field, allowed]) =>
        allowed.includes(({ NewStateValue: state } as never)[field]),
      );
    expect(passes('ALARM')).toBe(true);
    expect(passes('OK')).toBe(false);
    expect(passes('INSUFFICIENT_DATA')).toBe(false);
  });

  it('fails when an alarmEmail is not an address', () => {
    expect(() => fixture({ alarmEmail: ['oncall'] })).toThrow(
      /alarmEmail must contain e-mail addresses.*given "oncall"/,
    );
  });

  it('uses a given alarmTopic and creates no topic or key', () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    const alarmTopic = sns.Topic.fromTopicArn(other, 'Ops', 'arn:aws:sns:eu-west-1:111122223333:ops');
    const { stack, monitoring } = fixture({ alarmTopic }, app);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1); // the receiver's own topic only
    expect(monitoring.alarmTopic).toBe(alarmTopic);
    for (const alarm of monitoring.listAlarms()) {
      expect(alarmOf(template, alarm).AlarmActions).toEqual(['arn:aws:sns:eu-west-1:111122223333:ops']);
    }
  });

  it('warns (with an id) that an imported alarmTopic or pageTopic cannot be checked, and says what to verify', () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    const alarmTopic = sns.Topic.fromTopicArn(other, 'Ops', 'arn:aws:sns:eu-west-1:111122223333:ops');
    const pageTopic = sns.Topic.fromTopicArn(other, 'Pager', 'arn:aws:sns:eu-west-1:111122223333:pager');
    const { stack } = fixture({ alarmTopic, pageTopic }, app);
    const found = Annotations.fromStack(stack).findWarning('/Test/Monitoring', Match.anyValue());
    const texts = found.map((w) => String(w.entry.data));
    for (const prop of ['alarmTopic', 'pageTopic']) {
      expect(texts).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(
              `^${prop} is imported, so its encryption and policy cannot be checked: .*alias/aws/sns.*kms:Decrypt and kms:GenerateDataKey\\*.*sns:Publish.*\\[ack: cdk-happ-webhooks:alarmTopicUnchecked\\]`,
            ),
          ),
        ]),
      );
    }
  });

  it('a given topic with a topic policy (enforceSSL gives it one) gets the CloudWatch publish statement', () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    const alarmTopic = new sns.Topic(other, 'Ops', { enforceSSL: true });
    fixture({ alarmTopic }, app);
    Template.fromStack(other).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111122223333' } }),
          }),
        ]),
      },
    });
  });

  it("a given topic without a policy keeps SNS's default one (no policy is added to it)", () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    fixture({ alarmTopic: new sns.Topic(other, 'Ops') }, app);
    Template.fromStack(other).resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });

  it('does not warn about a topic defined in this app without a key (nothing to check)', () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    const alarmTopic = new sns.Topic(other, 'Ops');
    const { stack } = fixture({ alarmTopic }, app);
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cannot be checked')),
    ).toHaveLength(0);
  });

  it('fails when the given alarmTopic uses the AWS-managed alias/aws/sns key', () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    const alarmTopic = new sns.Topic(other, 'Ops', {
      masterKey: kms.Alias.fromAliasName(other, 'Managed', 'alias/aws/sns'),
    });
    expect(() => fixture({ alarmTopic }, app)).toThrow(
      /alarmTopic is encrypted with the AWS-managed key alias\/aws\/sns/,
    );
  });

  it('adds the CloudWatch statement to the key of a given topic created in this app', () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    const key = new kms.Key(other, 'Key');
    const alarmTopic = new sns.Topic(other, 'Ops', { masterKey: key });
    fixture({ alarmTopic }, app);
    Template.fromStack(other).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111122223333:alarm:*'],
                  ],
                },
              },
              StringEquals: { 'aws:SourceAccount': '111122223333' },
            },
          }),
        ]),
      },
    });
  });

  it("the created alarm key lets CloudWatch act only for this account's alarms (aws:SourceAccount, aws:SourceArn)", () => {
    const { stack } = fixture();
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToUseTheKey',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111122223333:alarm:*'],
                  ],
                },
              },
              StringEquals: { 'aws:SourceAccount': '111122223333' },
            },
          },
        ]),
      },
    });
  });

  it('warns when the given topic is encrypted with a key it cannot change', () => {
    const app = newApp();
    const other = new Stack(app, 'Ops', { env: ENV });
    const alarmTopic = new sns.Topic(other, 'Ops', {
      masterKey: kms.Key.fromKeyArn(other, 'Imported', 'arn:aws:kms:eu-west-1:111122223333:key/abc'),
    });
    const { stack } = fixture({ alarmTopic }, app);
    Annotations.fromStack(stack).hasWarning(
      '/Test/Monitoring',
      Match.stringLikeRegexp('cloudwatch.amazonaws.com kms:Decrypt'),
    );
  });
});

describe('receiver alarms', () => {
  const sum = (name: string) => ({
    expression: HAPP_SOURCES.map((s) => `FILL(${name.toLowerCase()}_${s}, 0)`).join(' + '),
    metrics: HAPP_SOURCES.map((source) => ({
      Id: `${name.toLowerCase()}_${source}`,
      ReturnData: false,
      MetricStat: {
        Metric: {
          Namespace: METRICS_NAMESPACE,
          MetricName: name,
          Dimensions: [{ Name: 'Source', Value: source }],
        },
        Period: 300,
        Stat: 'Sum',
      },
    })),
  });

  type Expect = {
    alarm: string;
    severity: AlarmSeverity;
    threshold: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    treatMissingData: string;
  } & (
    | { verifierMetric: string }
    | {
        namespace: string;
        metricName: string;
        statistic: string;
        dimensions: (f: ReturnType<typeof fixture>) => unknown;
      }
  );

  const expectations: Expect[] = [
    {
      alarm: 'signatureFailures',
      verifierMetric: VerifierMetric.SIGNATURE_INVALID,
      severity: AlarmSeverity.PAGE,
      threshold: 5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
    },
    {
      alarm: 'dependencyFailures',
      verifierMetric: VerifierMetric.DEPENDENCY_FAILURE,
      severity: AlarmSeverity.PAGE,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    },
    {
      alarm: 'verifierErrors',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      statistic: 'Sum',
      dimensions: (f) => [{ Name: 'FunctionName', Value: ref(f.verifier) }],
      severity: AlarmSeverity.PAGE,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    },
    {
      alarm: 'verifierThrottles',
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      statistic: 'Sum',
      dimensions: (f) => [{ Name: 'FunctionName', Value: ref(f.verifier) }],
      severity: AlarmSeverity.PAGE,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    },
    {
      alarm: 'api5xx',
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      statistic: 'Sum',
      dimensions: (f) => [
        { Name: 'ApiName', Value: 'happ-api' },
        { Name: 'Stage', Value: f.stack.resolve(f.api.deploymentStage.stageName) },
      ],
      severity: AlarmSeverity.PAGE,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'notBreaching',
    },
    {
      alarm: 'apiLatency',
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      statistic: 'p99',
      dimensions: (f) => [
        { Name: 'ApiName', Value: 'happ-api' },
        { Name: 'Stage', Value: f.stack.resolve(f.api.deploymentStage.stageName) },
      ],
      severity: AlarmSeverity.TICKET,
      threshold: 2500,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
    },
    {
      alarm: 'snsDeliveryFailures',
      namespace: 'AWS/SNS',
      metricName: 'NumberOfNotificationsFailed',
      statistic: 'Sum',
      dimensions: (f) => [{ Name: 'TopicName', Value: f.stack.resolve(f.topic.topicName) }],
      severity: AlarmSeverity.PAGE,
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
    },
  ];

  it.each(expectations)('$alarm: metric, dimensions, statistic, threshold, periods, actions', (e) => {
    const f = fixture();
    const template = Template.fromStack(f.stack);
    const alarm = (f.monitoring.alarms as unknown as Record<string, cloudwatch.Alarm>)[e.alarm];
    const props = alarmOf(template, alarm);
    expect(props).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: e.threshold,
      EvaluationPeriods: e.evaluationPeriods,
      DatapointsToAlarm: e.datapointsToAlarm,
      TreatMissingData: e.treatMissingData,
    });
    if ('verifierMetric' in e) {
      const { expression, metrics } = sum(e.verifierMetric);
      expect(props.Metrics).toEqual([
        expect.objectContaining({ Expression: expression, ReturnData: true }),
        ...metrics.map((m) => expect.objectContaining(m)),
      ]);
      expect(props.MetricName).toBeUndefined();
    } else {
      expect(props).toMatchObject({ Namespace: e.namespace, MetricName: e.metricName, Period: 300 });
      if (e.statistic.startsWith('p')) expect(props.ExtendedStatistic).toBe(e.statistic);
      else expect(props.Statistic).toBe(e.statistic);
      expect(props.Dimensions).toEqual(e.dimensions(f));
    }
    const topic = f.stack.resolve((f.monitoring.alarmTopic as sns.Topic).topicArn);
    expect(props.AlarmActions).toEqual([topic]);
    expect(props.OKActions).toEqual([topic]);
    expect(props.AlarmDescription).toMatch(e.severity === AlarmSeverity.PAGE ? /^\[PAGE\] / : /^\[TICKET\] /);
    expect(props.AlarmDescription).toMatch(/Runbook: /);
    expect(severityOf(alarm)).toBe(e.severity);
  });

  it('verifier-metric alarms use exactly the dimensions the verifier emits (Source only, no Powertools service)', () => {
    const { stack, monitoring } = fixture();
    const props = alarmOf(Template.fromStack(stack), monitoring.alarms.signatureFailures);
    for (const m of props.Metrics.filter((x: { MetricStat?: unknown }) => x.MetricStat)) {
      expect(m.MetricStat.Metric.Dimensions.map((d: { Name: string }) => d.Name)).toEqual([
        ...VERIFIER_METRIC_DIMENSIONS,
      ]);
    }
  });

  it('counts a route without data as 0 in every verifier-metric alarm (FILL each route, or chat-only failures never alarm)', () => {
    // The verifier emits a metric only when it counts one, and CloudWatch's `a + b` has no value at a time
    // either side has none: unfilled, signature failures on /chat alone (or a receiver with one route)
    // would never reach the threshold, and noTraffic would fire on a one-route receiver.
    const { stack } = fixture({ receiverAlarms: { noTrafficPeriod: Duration.hours(1) } });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).filter(
      (r) => r.Properties.Metrics,
    );
    expect(alarms).toHaveLength(3); // signatureFailures, dependencyFailures, noTraffic
    for (const alarm of alarms) {
      const metrics = alarm.Properties.Metrics as Array<{ Id: string; Expression?: string }>;
      const ids = metrics.filter((m) => !m.Expression).map((m) => m.Id);
      expect(ids).toHaveLength(HAPP_SOURCES.length);
      const [{ Expression }] = metrics.filter((m) => m.Expression);
      expect(Expression).toBe(ids.map((id) => `FILL(${id}, 0)`).join(' + '));
    }
  });

  it('has no "no traffic" alarm unless noTrafficPeriod is set', () => {
    const { stack, monitoring } = fixture();
    expect(monitoring.alarms.noTraffic).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });

  it('noTrafficPeriod of 6 hours: Accepted < 1 in each of 6 hourly periods, missing data breaching', () => {
    const { stack, monitoring } = fixture({ receiverAlarms: { noTrafficPeriod: Duration.hours(6) } });
    const props = alarmOf(Template.fromStack(stack), monitoring.alarms.noTraffic!);
    expect(props).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      TreatMissingData: 'breaching',
    });
    expect(props.Metrics[0].Expression).toBe('FILL(accepted_chat, 0) + FILL(accepted_call, 0)');
    expect(props.Metrics[1].MetricStat).toMatchObject({
      Period: 3600,
      Stat: 'Sum',
      Metric: { MetricName: 'Accepted' },
    });
    expect(severityOf(monitoring.alarms.noTraffic!)).toBe(AlarmSeverity.TICKET);
  });

  it('noTrafficPeriod of 30 minutes is one 30-minute period', () => {
    const { stack, monitoring } = fixture({ receiverAlarms: { noTrafficPeriod: Duration.minutes(30) } });
    const props = alarmOf(Template.fromStack(stack), monitoring.alarms.noTraffic!);
    expect(props.EvaluationPeriods).toBe(1);
    expect(props.Metrics[1].MetricStat.Period).toBe(1800);
  });

  it('fails when noTrafficPeriod is not whole minutes up to an hour or whole hours up to 7 days', () => {
    expect(() => fixture({ receiverAlarms: { noTrafficPeriod: Duration.minutes(90) } })).toThrow(
      /receiverAlarms.noTrafficPeriod must be whole minutes between 5 minutes and 1 hour, or whole hours up to 7 days \(given 1 hour 30 minutes\)/,
    );
    expect(() => fixture({ receiverAlarms: { noTrafficPeriod: Duration.days(8) } })).toThrow(/given 8 days/);
  });

  it('takes thresholds and periods from props; evaluationPeriods alone means N of N', () => {
    const { stack, monitoring } = fixture({
      receiverAlarms: {
        signatureFailures: { threshold: 20, period: Duration.minutes(1), evaluationPeriods: 3 },
        apiLatency: { threshold: Duration.seconds(4), datapointsToAlarm: 2 },
      },
    });
    const template = Template.fromStack(stack);
    const sig = alarmOf(template, monitoring.alarms.signatureFailures);
    expect(sig).toMatchObject({ Threshold: 20, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(sig.Metrics[1].MetricStat.Period).toBe(60);
    expect(alarmOf(template, monitoring.alarms.apiLatency)).toMatchObject({
      Threshold: 4000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
  });

  it.each([
    [
      'a threshold is 0',
      { signatureFailures: { threshold: 0 } },
      /receiverAlarms.signatureFailures.threshold must be a number greater than 0 \(given 0\)/,
    ],
    [
      'a period is not whole minutes',
      { api5xx: { period: Duration.seconds(90) } },
      /receiverAlarms.api5xx.period must be a whole number of minutes.*given 1 minute 30 seconds/,
    ],
    [
      'period × evaluationPeriods exceeds 1 day',
      { verifierErrors: { period: Duration.minutes(5), evaluationPeriods: 300 } },
      /receiverAlarms.verifierErrors: period × evaluationPeriods must be at most 1 day for periods under an hour \(given 5 minutes × 300\)/,
    ],
    [
      'datapointsToAlarm exceeds evaluationPeriods',
      { dependencyFailures: { evaluationPeriods: 2, datapointsToAlarm: 3 } },
      /receiverAlarms.dependencyFailures.datapointsToAlarm must be a whole number between 1 and evaluationPeriods \(2\) \(given 3\)/,
    ],
    [
      'the latency threshold reaches the 5 s budget',
      { apiLatency: { threshold: Duration.seconds(5) } },
      /receiverAlarms.apiLatency.threshold must be below 5 seconds \(given 5 seconds\)/,
    ],
    [
      'evaluationPeriods is 0',
      { snsDeliveryFailures: { evaluationPeriods: 0 } },
      /snsDeliveryFailures.evaluationPeriods must be a whole number of at least 1 \(given 0\)/,
    ],
  ])('fails when %s', (_label, receiverAlarms, message) => {
    expect(() => fixture({ receiverAlarms })).toThrow(message);
  });
});

describe('severity', () => {
  it('a composite "page" alarm watches exactly the page-severity alarms', () => {
    const { stack, monitoring } = fixture({ receiverAlarms: { noTrafficPeriod: Duration.hours(1) } });
    const template = Template.fromStack(stack);
    const composite = template.findResources('AWS::CloudWatch::CompositeAlarm');
    expect(Object.keys(composite)).toHaveLength(1);
    const rule = JSON.stringify(Object.values(composite)[0].Properties.AlarmRule);
    const pages = monitoring.listAlarms(AlarmSeverity.PAGE);
    expect(pages.map((a) => Object.entries(monitoring.alarms).find(([, v]) => v === a)![0]).sort()).toEqual([
      'api5xx',
      'dependencyFailures',
      'signatureFailures',
      'snsDeliveryFailures',
      'verifierErrors',
      'verifierThrottles',
    ]);
    for (const alarm of monitoring.listAlarms()) {
      const id = stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm);
      if (severityOf(alarm) === AlarmSeverity.PAGE) expect(rule).toContain(id);
      else expect(rule).not.toContain(id);
    }
  });

  it('the composite notifies pageTopic on ALARM and OK when given, and nothing otherwise', () => {
    const without = fixture();
    expect(
      Object.values(Template.fromStack(without.stack).findResources('AWS::CloudWatch::CompositeAlarm'))[0]
        .Properties.AlarmActions,
    ).toBeUndefined();

    const app = newApp();
    const ops = new Stack(app, 'Ops', { env: ENV });
    const pageTopic = sns.Topic.fromTopicArn(ops, 'Pager', 'arn:aws:sns:eu-west-1:111122223333:pager');
    const { stack } = fixture({ pageTopic }, app);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:pager'],
      OKActions: ['arn:aws:sns:eu-west-1:111122223333:pager'],
      AlarmDescription: Match.stringLikeRegexp('^\\[PAGE\\]'),
    });
  });

  it('listAlarms is the escape hatch: every alarm accepts another action', () => {
    const { stack, monitoring } = fixture();
    monitoring.addSubscriber('Crm', subscriberResources(stack, 'Crm'));
    const other = new sns.Topic(stack, 'Elsewhere');
    const action = { bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-west-1:111122223333:elsewhere' }) };
    for (const alarm of monitoring.listAlarms()) alarm.addAlarmAction(action);
    const template = Template.fromStack(stack);
    expect(monitoring.listAlarms()).toHaveLength(7 + 4);
    for (const alarm of monitoring.listAlarms()) {
      expect(alarmOf(template, alarm).AlarmActions).toContain('arn:aws:sns:eu-west-1:111122223333:elsewhere');
    }
    expect(other).toBeDefined();
  });
});

describe('subscriber alarms', () => {
  it('DLQ messages, oldest message age, handler errors and throttles, each notifying the alarm topic', () => {
    const { stack, monitoring } = fixture();
    const res = subscriberResources(stack, 'Slack');
    const sub = monitoring.addSubscriber('Slack', res);
    const template = Template.fromStack(stack);
    const topic = stack.resolve((monitoring.alarmTopic as sns.Topic).topicArn);
    const cases: Array<[cloudwatch.Alarm, Record<string, unknown>]> = [
      [
        sub.alarms.deadLetterMessages,
        {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: stack.resolve(res.deadLetterQueue.queueName) }],
          Statistic: 'Maximum',
          Threshold: 1,
          EvaluationPeriods: 1,
          TreatMissingData: 'ignore',
        },
      ],
      [
        sub.alarms.oldestMessageAge,
        {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: stack.resolve(res.queue.queueName) }],
          Statistic: 'Maximum',
          Threshold: 900,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        },
      ],
      [
        sub.alarms.handlerErrors,
        {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: ref(res.handler) }],
          Statistic: 'Sum',
          Threshold: 1,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        },
      ],
      [
        sub.alarms.handlerThrottles,
        {
          Namespace: 'AWS/Lambda',
          MetricName: 'Throttles',
          Dimensions: [{ Name: 'FunctionName', Value: ref(res.handler) }],
          Statistic: 'Sum',
          Threshold: 1,
          EvaluationPeriods: 2,
          DatapointsToAlarm: 2,
          TreatMissingData: 'notBreaching',
        },
      ],
    ];
    for (const [alarm, expected] of cases) {
      const props = alarmOf(template, alarm);
      expect(props).toMatchObject({
        ...expected,
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(props.AlarmActions).toEqual([topic]);
      expect(props.OKActions).toEqual([topic]);
      expect(props.AlarmDescription).toMatch(/^\[TICKET\] .*\(subscriber Slack\)/);
      expect(severityOf(alarm)).toBe(AlarmSeverity.TICKET);
    }
  });

  it('per-subscriber thresholds override receiver-wide subscriberAlarms, which override defaults', () => {
    const { stack, monitoring } = fixture({
      subscriberAlarms: {
        oldestMessageAge: { threshold: Duration.minutes(30) },
        handlerErrors: { threshold: 3 },
      },
    });
    const a = monitoring.addSubscriber('A', subscriberResources(stack, 'A'));
    const b = monitoring.addSubscriber('B', {
      ...subscriberResources(stack, 'B'),
      alarms: { oldestMessageAge: { threshold: Duration.hours(2), evaluationPeriods: 2 } },
    });
    const template = Template.fromStack(stack);
    expect(alarmOf(template, a.alarms.oldestMessageAge).Threshold).toBe(1800);
    expect(alarmOf(template, a.alarms.handlerErrors).Threshold).toBe(3);
    expect(alarmOf(template, b.alarms.oldestMessageAge)).toMatchObject({
      Threshold: 7200,
      EvaluationPeriods: 2,
    });
    expect(alarmOf(template, b.alarms.handlerErrors).Threshold).toBe(3);
    expect(alarmOf(template, b.alarms.deadLetterMessages).Threshold).toBe(1);
  });

  it('fails when receiver-wide subscriberAlarms are invalid, before any subscriber is added', () => {
    expect(() => fixture({ subscriberAlarms: { deadLetterMessages: { threshold: -1 } } })).toThrow(
      /subscriberAlarms.deadLetterMessages.threshold must be a number greater than 0 \(given -1\)/,
    );
  });

  it('standalone SubscriberMonitoring runs the given actions, or none', () => {
    const stack = new Stack();
    const topic = new sns.Topic(stack, 'Ops');
    const action = { bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-west-1:111122223333:ops' }) };
    const withActions = new SubscriberMonitoring(stack, 'With', {
      ...subscriberResources(stack, 'W'),
      alarmActions: [action],
    });
    const without = new SubscriberMonitoring(stack, 'Without', subscriberResources(stack, 'X'));
    const template = Template.fromStack(stack);
    for (const alarm of withActions.listAlarms()) {
      expect(alarmOf(template, alarm)).toMatchObject({
        AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:ops'],
        OKActions: ['arn:aws:sns:eu-west-1:111122223333:ops'],
      });
    }
    for (const alarm of without.listAlarms()) expect(alarmOf(template, alarm).AlarmActions).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(topic).toBeDefined();
  });
});

describe('dashboard', () => {
  interface Widget {
    type: string;
    properties: {
      title?: string;
      metrics?: unknown[][];
      alarms?: string[];
      annotations?: { horizontal?: Array<{ label?: string; value: number }> };
    };
  }

  /** The dashboard body as JSON, every CloudFormation token replaced by its JSON text. */
  function dashboardOf(stack: Stack): { widgets: Widget[] } {
    const dashboards = Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    const join = Object.values(dashboards)[0].Properties.DashboardBody['Fn::Join'];
    const text = (join[1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : JSON.stringify(part).replace(/"/g, "'")))
      .join(join[0]);
    return JSON.parse(text);
  }
  const widget = (stack: Stack, title: string) => {
    const found = dashboardOf(stack).widgets.find((w) => w.properties.title === title);
    expect(found).toBeDefined();
    return found!;
  };

  it('shows deliveries by outcome from the verifier metrics, latency against the 5 s budget, errors', () => {
    const { stack } = fixture({ dashboard: true });
    const outcomes = widget(stack, 'Deliveries by outcome (chat + call)').properties.metrics!;
    for (const outcome of [
      VerifierMetric.ACCEPTED,
      VerifierMetric.DUPLICATE,
      VerifierMetric.SIGNATURE_INVALID,
      VerifierMetric.UNKNOWN_TYPE,
    ]) {
      for (const source of HAPP_SOURCES) {
        expect(outcomes).toContainEqual([
          METRICS_NAMESPACE,
          outcome,
          'Source',
          source,
          expect.objectContaining({ stat: 'Sum' }),
        ]);
      }
    }
    const latency = widget(stack, "API latency vs Happ's 5 s budget");
    expect(latency.properties.metrics).toContainEqual(expect.arrayContaining(['AWS/ApiGateway', 'Latency']));
    expect(latency.properties.annotations!.horizontal).toEqual([
      expect.objectContaining({ label: 'Happ budget (5 s)', value: 5000 }),
      expect.objectContaining({ label: 'alarm', value: 2500 }),
    ]);
    const errors = widget(stack, 'Errors').properties.metrics!.map((m) => m[1]);
    expect(errors).toEqual(['5XXError', 'Errors', 'Throttles', 'NumberOfNotificationsFailed']);
    expect(widget(stack, 'Receiver alarms').properties.alarms).toHaveLength(8);
  });

  it('is created only when asked (dashboard: true, or a dashboardName): $3 a month beyond three', () => {
    Template.fromStack(fixture().stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(fixture().monitoring.dashboard).toBeUndefined();
    const named = fixture({ dashboardName: 'happ' });
    Template.fromStack(named.stack).hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'happ',
    });
    expect(fixture({ dashboard: true }).monitoring.dashboard).toBeDefined();
    Template.fromStack(fixture({ dashboard: false, dashboardName: 'x' }).stack).resourceCountIs(
      'AWS::CloudWatch::Dashboard',
      0,
    );
    // Subscribers are monitored without a dashboard too: alarms only.
    const { stack, monitoring } = fixture();
    const sub = monitoring.addSubscriber('Slack', subscriberResources(stack, 'Slack'));
    expect(sub.listAlarms()).toHaveLength(4);
  });

  it('has one row per subscriber: depth, oldest message age, DLQ, handler errors, alarm status', () => {
    const { stack, monitoring } = fixture({ dashboard: true });
    monitoring.addSubscriber('Slack', subscriberResources(stack, 'Slack'));
    monitoring.addSubscriber('Crm', { ...subscriberResources(stack, 'Crm'), subscriberName: 'CRM sync' });
    for (const name of ['Slack', 'CRM sync']) {
      const messages = widget(stack, `${name}: messages`).properties.metrics!.map((m) => m[1]);
      expect(messages).toEqual([
        'ApproximateNumberOfMessagesVisible',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesVisible',
      ]);
      const age = widget(stack, `${name}: oldest message age`);
      expect(age.properties.metrics![0][1]).toBe('ApproximateAgeOfOldestMessage');
      expect(age.properties.annotations!.horizontal![0].value).toBe(900);
      expect(widget(stack, `${name}: handler`).properties.metrics!.map((m) => m[1])).toEqual([
        'Errors',
        'Throttles',
      ]);
      expect(widget(stack, `${name}: alarms`).properties.alarms).toHaveLength(4);
    }
  });
});

describe('synthesis checks', () => {
  it('passes the CloudFormation validator built into aws-cdk-lib', () => {
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const { stack, monitoring } = fixture(
      { dashboard: true, receiverAlarms: { noTrafficPeriod: Duration.hours(12) } },
      app,
    );
    monitoring.addSubscriber('Slack', subscriberResources(stack, 'Slack'));
    expect(() => app.synth()).not.toThrow();
  });

  it('is cdk-nag (AwsSolutions) clean: the monitoring resources alone, on imported receiver resources', () => {
    const app = new App();
    const stack = new Stack(app, 'Nag', { env: { account: '111122223333', region: 'eu-west-1' } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const monitoring = new ReceiverMonitoring(stack, 'Monitoring', {
      api: apigateway.RestApi.fromRestApiAttributes(stack, 'Api', {
        restApiId: 'abc123',
        rootResourceId: 'root',
      }),
      stageName: 'prod',
      verifier: lambda.Function.fromFunctionName(stack, 'Verifier', 'verifier'),
      topic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111122223333:happ'),
      alarmEmail: ['oncall@example.com'],
      receiverAlarms: { noTrafficPeriod: Duration.hours(6) },
    });
    monitoring.addSubscriber('Slack', {
      queue: sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:eu-west-1:111122223333:q'),
      deadLetterQueue: sqs.Queue.fromQueueArn(stack, 'D', 'arn:aws:sqs:eu-west-1:111122223333:d'),
      handler: lambda.Function.fromFunctionName(stack, 'H', 'h'),
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('AwsSolutions'));
  });
});
