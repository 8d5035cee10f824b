import { Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { createMetrics } from '../../lambda/verifier/handler';
import { VERIFIER_METRIC_DIMENSIONS, VerifierMetric } from '../../lambda/shared/metrics';
import { AlarmSeverity, HappSubscriber, HappWebhookReceiver } from '../../lib';
import { handlerFn, newStack, warnings } from './support';

function alarmProps(alarm: cloudwatch.Alarm) {
  const stack = Stack.of(alarm);
  const id = stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm);
  return Template.fromStack(stack).toJSON().Resources[id].Properties;
}

describe('HappWebhookReceiver monitoring (on by default)', () => {
  it('creates the receiver alarms on its own verifier, API stage and topic (a dashboard when asked)', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', { dashboard: true });
    expect(receiver.monitoring).toBeDefined();
    expect(receiver.alarms).toBe(receiver.monitoring!.alarms);
    expect(receiver.dashboard).toBe(receiver.monitoring!.dashboard);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);

    const verifierName = stack.resolve(receiver.verifier.functionName);
    expect(alarmProps(receiver.alarms!.verifierErrors).Dimensions).toEqual([
      { Name: 'FunctionName', Value: verifierName },
    ]);
    expect(alarmProps(receiver.alarms!.api5xx).Dimensions).toEqual([
      { Name: 'ApiName', Value: receiver.api.restApiName },
      { Name: 'Stage', Value: 'prod' },
    ]);
    // The stage the alarms watch is the stage the API deploys.
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: receiver.api.restApiName });
    expect(alarmProps(receiver.alarms!.snsDeliveryFailures).Dimensions).toEqual([
      { Name: 'TopicName', Value: stack.resolve(receiver.topic.topicName) },
    ]);
  });

  it('gives every subscriber its alarms on its own queue, dead-letter queue and handler', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const slack = receiver.addSubscriber('Slack', handlerFn(stack, 'SlackFn'));
    expect(slack.alarms).toBe(slack.monitoring!.alarms);
    expect(alarmProps(slack.alarms!.deadLetterMessages).Dimensions).toEqual([
      { Name: 'QueueName', Value: stack.resolve(slack.deadLetterQueue.queueName) },
    ]);
    expect(alarmProps(slack.alarms!.oldestMessageAge).Dimensions).toEqual([
      { Name: 'QueueName', Value: stack.resolve(slack.queue.queueName) },
    ]);
    expect(alarmProps(slack.alarms!.handlerErrors).Dimensions).toEqual([
      { Name: 'FunctionName', Value: stack.resolve(slack.handler.functionName) },
    ]);
    const topic = stack.resolve(receiver.alarmTopic!.topicArn);
    for (const alarm of slack.monitoring!.listAlarms())
      expect(alarmProps(alarm).AlarmActions).toEqual([topic]);
    expect(receiver.monitoring!.listAlarms()).toHaveLength(9 + 4);
    expect(receiver.monitoring!.listAlarms(AlarmSeverity.TICKET)).toHaveLength(2 + 4);
  });

  it('passes alarmEmail, pageTopic and thresholds through; a subscriber may override its own', () => {
    const stack = newStack();
    const pager = new sns.Topic(stack, 'Pager');
    const receiver = new HappWebhookReceiver(stack, 'Happ', {
      alarmEmail: ['oncall@example.com'],
      pageTopic: pager,
      receiverAlarms: { signatureFailures: { threshold: 25 }, noTrafficPeriod: Duration.hours(6) },
      subscriberAlarms: { oldestMessageAge: { threshold: Duration.minutes(30) } },
    });
    const a = receiver.addSubscriber('A', handlerFn(stack, 'AFn'));
    const b = receiver.addSubscriber('B', handlerFn(stack, 'BFn'), {
      alarms: { oldestMessageAge: { threshold: Duration.hours(1) } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: [stack.resolve(pager.topicArn)],
    });
    expect(alarmProps(receiver.alarms!.signatureFailures).Threshold).toBe(25);
    expect(receiver.alarms!.noTraffic).toBeDefined();
    expect(alarmProps(a.alarms!.oldestMessageAge).Threshold).toBe(1800);
    expect(alarmProps(b.alarms!.oldestMessageAge).Threshold).toBe(3600);
  });

  it('fails at construction when a threshold is invalid, naming the prop', () => {
    const stack = newStack();
    expect(
      () => new HappWebhookReceiver(stack, 'Happ', { receiverAlarms: { api5xx: { evaluationPeriods: 0 } } }),
    ).toThrow(/receiverAlarms.api5xx.evaluationPeriods must be a whole number of at least 1 \(given 0\)/);
  });
});

describe('monitoring: false', () => {
  it('creates no alarm, no composite alarm, no dashboard, no alarm topic or key', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', { monitoring: false });
    const sub = receiver.addSubscriber('Slack', handlerFn(stack, 'SlackFn'));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1); // the receiver's own topic
    expect(receiver.monitoring).toBeUndefined();
    expect(receiver.alarms).toBeUndefined();
    expect(receiver.alarmTopic).toBeUndefined();
    expect(receiver.dashboard).toBeUndefined();
    expect(sub.alarms).toBeUndefined();
  });

  it('warns that monitoring options are ignored', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', {
      monitoring: false,
      alarmEmail: ['oncall@example.com'],
      receiverAlarms: {},
    });
    receiver.addSubscriber('Slack', handlerFn(stack, 'SlackFn'), { alarms: {} });
    expect(warnings(stack)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/alarmEmail, receiverAlarms are ignored because monitoring is false/),
        expect.stringMatching(/alarms is ignored because the receiver has no monitoring/),
      ]),
    );
  });
});

describe('monitoringInNestedStack', () => {
  it('puts the alarms, alarm topic and dashboard in a nested stack; the parent holds one stack resource', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', {
      monitoringInNestedStack: true,
      dashboard: true,
    });
    const sub = receiver.addSubscriber('Slack', handlerFn(stack, 'SlackFn'));
    const parent = Template.fromStack(stack);
    parent.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    parent.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    parent.resourceCountIs('AWS::CloudFormation::Stack', 1);

    const nested = Stack.of(receiver.alarms!.signatureFailures);
    expect(nested).toBeInstanceOf(NestedStack);
    expect(Stack.of(sub.alarms!.handlerErrors)).toBe(nested);
    const template = Template.fromStack(nested);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9 + 4);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    // Parent resources reach the nested stack as parameters.
    expect(Object.keys(template.findParameters('*', { Type: 'String' }))).toContainEqual(
      expect.stringMatching(/^referenceto.*SlackFn.*Ref$/),
    );
    expect(alarmProps(sub.alarms!.handlerErrors).Dimensions).toEqual([
      { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^referenceto.*SlackFn.*Ref$/) } },
    ]);
  });
});

describe('the verifier and the alarms agree on metric identity', () => {
  it("the verifier's EMF lines carry exactly the dimensions the alarms use", () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      const metrics = createMetrics();
      metrics.addDimension('Source', 'chat');
      metrics.addMetric(VerifierMetric.SIGNATURE_INVALID, 'Count', 1);
      metrics.publishStoredMetrics();
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('CloudWatchMetrics'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    const [directive] = emf[0]._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('HappWebhooks');
    expect(directive.Dimensions).toEqual([[...VERIFIER_METRIC_DIMENSIONS]]);

    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const props = alarmProps(receiver.alarms!.signatureFailures);
    const stats = props.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat);
    expect(
      stats.map((m: { MetricStat: { Metric: { Dimensions: { Name: string }[] } } }) =>
        m.MetricStat.Metric.Dimensions.map((d) => d.Name),
      ),
    ).toEqual([[...VERIFIER_METRIC_DIMENSIONS], [...VERIFIER_METRIC_DIMENSIONS]]);
  });
});

describe('HappSubscriber on its own', () => {
  it('gets alarms when its receiver has monitoring', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const sub = new HappSubscriber(stack, 'Direct', { receiver, handler: handlerFn(stack, 'DirectFn') });
    expect(sub.alarms?.deadLetterMessages).toBeDefined();
    expect(receiver.monitoring!.subscribers.map((s) => s.subscriberName)).toEqual(['Direct']);
  });
});
