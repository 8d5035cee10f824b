// The idle (zero-traffic) monthly cost of stacks the construct synthesizes, and what each prop cuts.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IDLE_PRICES, idleCostPerMonth, type IdleCost } from '../../bench/idle-cost';
import { HappIngress, HappWebhookReceiver, type HappWebhookReceiverProps } from '../../lib';

/** The default stack: a receiver and one subscriber, as in the README's first example. */
function idle(props: HappWebhookReceiverProps = {}, subscribers = 1): IdleCost {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Idle');
  const receiver = new HappWebhookReceiver(stack, 'Happ', props);
  for (let i = 0; i < subscribers; i++) {
    const fn = new lambda.Function(stack, `Fn${i}`, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    });
    receiver.addSubscriber(`Sub${i}`, fn);
  }
  return idleCostPerMonth(Template.fromStack(stack).toJSON());
}

const usd = (cost: IdleCost, item: RegExp) => cost.lines.find((l) => item.test(l.item))!.usd;

describe('idle cost (zero traffic, per month)', () => {
  it('dates and sources every price', () => {
    for (const price of Object.values(IDLE_PRICES)) {
      expect(price.source).toMatch(/^https:\/\//);
      expect(price.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
    }
  });

  it('itemises the default stack (monitoring on, one subscriber): under $5 a month', () => {
    const cost = idle();
    expect(Object.fromEntries(cost.lines.map((l) => [l.item, [l.count, l.usd]]))).toEqual({
      'Secrets Manager secrets': [2, 0.8],
      'KMS customer-managed keys': [1, 1],
      // 13 alarms; the signature-failure and dependency-failure alarms read chat + call: 15 metrics
      'CloudWatch alarm metrics': [15, 1.5],
      'CloudWatch composite alarms': [1, 0.5],
      'CloudWatch dashboards': [0, 0],
      'SQS polling by Lambda (idle)': [1, 0.26],
    });
    expect(cost.total).toBe(4.06);
    expect(cost.total).toBeLessThan(5);
  });

  it('costs the same behind the HTTP API (a front door costs nothing idle)', () => {
    expect(idle({ ingress: HappIngress.httpApi() }).total).toBe(idle().total);
  });

  it('the dashboard adds $3 (beyond the account’s three free ones): over $5 with it', () => {
    const cost = idle({ dashboard: true });
    expect(usd(cost, /dashboards/)).toBe(3);
    expect(cost.total).toBe(7.06);
  });

  it('monitoring: false leaves the secrets and the SQS polling only', () => {
    const cost = idle({ monitoring: false });
    expect(cost.total).toBe(1.06);
    expect(usd(cost, /alarm metrics/)).toBe(0);
    expect(usd(cost, /KMS/)).toBe(0);
  });

  it('bringing your own alarm topic removes the KMS key ($1)', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Own');
    const alarmTopic = sns.Topic.fromTopicArn(stack, 'Alarms', 'arn:aws:sns:us-east-1:123456789012:alarms');
    const receiver = new HappWebhookReceiver(stack, 'Happ', { alarmTopic });
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    });
    receiver.addSubscriber('Sub', fn);
    const cost = idleCostPerMonth(Template.fromStack(stack).toJSON());
    expect(usd(cost, /KMS/)).toBe(0);
    expect(cost.total).toBe(3.06);
  });

  it('one route instead of two removes a secret ($0.40)', () => {
    const cost = idle({ enableChat: false });
    expect(usd(cost, /Secrets/)).toBe(0.4);
    expect(cost.total).toBe(3.66);
  });

  it('each subscriber adds 4 alarms and its queue polling ($0.66)', () => {
    expect(Math.round((idle({}, 3).total - idle({}, 1).total) * 100) / 100).toBe(1.32);
  });

  it('bills a metric-math alarm once per metric it reads, a high-resolution one at $0.30', () => {
    const cost = idleCostPerMonth({
      Resources: {
        Math: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'a+b' }] },
        },
        Fast: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 10 } },
      },
    });
    expect(usd(cost, /alarm metrics/)).toBe(0.5);
  });
});

describe('idle cost of a tool', () => {
  it('each tool adds its secret ($0.40) and 4 alarms reading 6 metrics ($0.60): $1.00 a month', () => {
    const cost = (tools: number) => {
      const app = new App({
        builtinCloudFormationValidation: false,
        context: { 'aws:cdk:bundling-stacks': [] },
      });
      const stack = new Stack(app, 'Tools');
      const receiver = new HappWebhookReceiver(stack, 'Happ');
      for (let i = 0; i < tools; i++) {
        receiver.addTool(`tool-${i}`, {
          entry: `${__dirname}/../lib/fixtures/lookup-tool.ts`,
          description: 'A lookup',
        });
      }
      return idleCostPerMonth(Template.fromStack(stack).toJSON()).total;
    };
    expect(Math.round((cost(2) - cost(1)) * 100) / 100).toBe(1);
  });
});
