// A tool is part of its receiver: scoped to its own idempotency records (evaluated), on either front
// door, and its page alarms join the receiver's alarm list and composite "page" alarm.
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AlarmSeverity, HappIngress, HappWebhookReceiver, type HappWebhookReceiverProps } from '../../lib';
import { TOOL_IDEMPOTENCY_KEY_PREFIX } from '../../lambda/runtime/tool-idempotency';
import { TOOL_KEY_PREFIX } from '../../lib/private/table-access';
import { isAllowed, type PolicyDocument } from '../support/iam-eval';

const ENTRY = join(__dirname, 'fixtures', 'lookup-tool.ts');

function setUp(props: HappWebhookReceiverProps = {}) {
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const receiver = new HappWebhookReceiver(stack, 'Happ', props);
  const tool = receiver.addTool('lookup-order', { entry: ENTRY, description: 'Looks up an order' });
  return { stack, receiver, tool, template: Template.fromStack(stack) };
}

describe('a tool inside its receiver', () => {
  it('its prefix is the one the tool helper writes', () => {
    expect(TOOL_KEY_PREFIX).toBe(TOOL_IDEMPOTENCY_KEY_PREFIX);
  });

  it("reaches only its own idempotency records, never the verifier's or a subscriber's (evaluated)", () => {
    const { stack, tool, template, receiver } = setUp();
    const role = tool.function.role as iam.Role;
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    const docs = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .map((p) => p.Properties.PolicyDocument as PolicyDocument);
    const table = { 'Fn::GetAtt': [stack.getLogicalId(receiver.table.node.defaultChild as never), 'Arn'] };
    const can = (key: string) =>
      isAllowed(docs, {
        action: 'dynamodb:PutItem',
        resource: table,
        context: { 'dynamodb:LeadingKeys': [key] },
      });
    expect(can(`happ-tool#${tool.name}#abc`)).toBe(true);
    expect(can('happ-verifier#abc')).toBe(false);
    expect(can('happ-subscriber#Slack#abc')).toBe(false);
    expect(can('happ-tool#another-tool#abc')).toBe(false);
  });

  it("its alarms are in the receiver's list, and its page alarms in the composite", () => {
    const { stack, tool, receiver, template } = setUp();
    const listed = receiver.monitoring!.listAlarms();
    for (const alarm of tool.listAlarms()) expect(listed).toContain(alarm);
    const pages = receiver.monitoring!.listAlarms(AlarmSeverity.PAGE);
    expect(pages).toContain(tool.alarms!.errors);
    expect(pages).not.toContain(tool.alarms!.latency);
    const composite =
      template.toJSON().Resources[stack.getLogicalId(receiver.alarms!.page.node.defaultChild as never)];
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    for (const alarm of [tool.alarms!.errors, tool.alarms!.signatureFailures, tool.alarms!.throttles]) {
      expect(rule).toContain(stack.getLogicalId(alarm.node.defaultChild as never));
    }
    expect(rule).not.toContain(stack.getLogicalId(tool.alarms!.latency.node.defaultChild as never));
    expect(rule).toContain(stack.getLogicalId(receiver.alarms!.verifierErrors.node.defaultChild as never));
  });

  it('plugs into the HTTP API front door: a route for the tool, on the same API as /chat and /call', () => {
    const { template, tool } = setUp({ ingress: HappIngress.httpApi() });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );
    expect(routes.sort()).toEqual(['POST /call', 'POST /chat', `POST /tools/${tool.name}`]);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  });
});
