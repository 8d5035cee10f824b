// cdk-nag and the CloudFormation validator on a receiver with tools (bundling skipped: not what is tested).
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { join } from 'node:path';
import { HappToolMethod, HappWebhookReceiver } from '../../lib';

const ENTRY = join(__dirname, 'fixtures', 'lookup-tool.ts');

function stackWithTools(app: App): Stack {
  const stack = new Stack(app, 'Tools');
  const receiver = new HappWebhookReceiver(stack, 'Happ');
  receiver.addTool('lookup-order', { entry: ENTRY, description: 'Looks up an order' });
  receiver.addTool('stock', { entry: ENTRY, description: 'Checks stock', method: HappToolMethod.GET });
  return stack;
}

test('cdk-nag AwsSolutionsChecks finds nothing unacknowledged on a receiver with tools', () => {
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  stackWithTools(app);
  const report = new AwsSolutionsChecks(app).validateScope(app);
  expect(
    report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
  ).toEqual([]);
});

test('the CloudFormation validator passes on a receiver with tools', () => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true },
  });
  const stack = stackWithTools(app);
  expect(() => Template.fromStack(stack)).not.toThrow();
});
