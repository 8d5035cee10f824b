import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HappWebhookReceiver } from '../../lib';
import { newStack } from '../lib/support';
import { exampleStack } from './support';

/** CloudFormation's hard limits for one stack. */
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1_000_000;

function size(stack: Stack): { resources: number; bytes: number } {
  const json = Template.fromStack(stack).toJSON();
  return { resources: Object.keys(json.Resources).length, bytes: Buffer.byteLength(JSON.stringify(json)) };
}

describe('example app (bin/app.ts)', () => {
  it('outputs the two webhook URLs, the two secret ARNs and the topic ARN', () => {
    const { stack } = exampleStack();
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual([
      'CallSecretArn',
      'CallWebhookUrl',
      'ChatSecretArn',
      'ChatWebhookUrl',
      'TopicArn',
    ]);
    expect(JSON.stringify(outputs.ChatWebhookUrl.Value)).toMatch(/execute-api.*\/chat/);
    expect(JSON.stringify(outputs.CallWebhookUrl.Value)).toMatch(/execute-api.*\/call/);
  });

  it('subscribes the example handler (the pre-built dist/lambda/example bundle) to every event', () => {
    const { stack } = exampleStack();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Example Happ webhook subscriber: logs each event',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: {
          HAPP_SUBSCRIBER_NAME: 'Logger',
          HAPP_TABLE_NAME: { Ref: 'HappIdempotencyTable93454C2B' },
        },
      },
    });
    expect(stack.exampleHandler.timeout?.toSeconds()).toBe(30);
  });

  it('is environment-agnostic (synthesizes without account, region or credentials)', () => {
    const { stack } = exampleStack();
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('stays far below the CloudFormation limits of 500 resources and 1 MB', () => {
    const { resources, bytes } = size(exampleStack().stack);
    expect(resources).toBeLessThan(60);
    expect(bytes).toBeLessThan(60_000);
  });

  it('fits a receiver with 50 subscribers, each with its own function, in one stack', () => {
    const stack = newStack();
    // Monitoring adds 4 alarms per subscriber; at 50 subscribers it must live in its nested stack
    // (test/lib/scale.test.ts measures both placements).
    const receiver = new HappWebhookReceiver(stack, 'Happ', { monitoringInNestedStack: true });
    for (let i = 0; i < 50; i++) {
      const fn = new lambda.Function(stack, `Fn${i}`, {
        code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_24_X,
      });
      receiver.addSubscriber(`Sub${i}`, fn, { events: [`event.${i}`] });
    }
    const { resources, bytes } = size(stack);
    expect(resources).toBeLessThanOrEqual(MAX_RESOURCES);
    expect(bytes).toBeLessThan(MAX_TEMPLATE_BYTES);
  });
});
