import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Annotations as CdkAnnotations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HappWebhooksExampleStack } from '../../bin/app';
import { isAllowed, type PolicyDocument } from '../support/iam-eval';

const CDK_JSON = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};
const MINIMIZE = '@aws-cdk/aws-iam:minimizePolicies';
const LOG_ARN = '@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard';

/**
 * The example app under a context. With cdk.json's flags, synth prints every annotation
 * (`@aws-cdk/core:annotationsInValidationReport`): the one warning, asserted by its own test below,
 * is acknowledged elsewhere so the test output stays quiet.
 */
function example(context: Record<string, unknown>, acknowledge = true) {
  const app = new App({ context, builtinCloudFormationValidation: false });
  const stack = new HappWebhooksExampleStack(app, 'HappWebhooksExample');
  if (acknowledge) {
    CdkAnnotations.of(stack.receiver).acknowledgeWarning('cdk-happ-webhooks:apiGatewayAccountRole');
  }
  return { app, stack, template: Template.fromStack(stack) };
}

describe("the example app adopts the CDK's recommended feature flags", () => {
  it('cdk.json sets every currently recommended flag to its recommended value (cdk synth lists none unconfigured)', () => {
    for (const [flag, value] of Object.entries(cxapi.CURRENTLY_RECOMMENDED_FLAGS)) {
      expect({ flag, value: CDK_JSON.context[flag] }).toEqual({ flag, value });
    }
  });

  it('synth warns exactly once, about the account-wide API Gateway role (the README Quick start says so)', () => {
    // Captured instead of printed: synth writes annotations to stderr under cdk.json's flags.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { stack } = example(CDK_JSON.context, false);
      const found = Annotations.fromStack(stack)
        .findWarning('*', Match.anyValue())
        .map((w) => String(w.entry.data));
      expect(found).toEqual([expect.stringMatching(/\[ack: cdk-happ-webhooks:apiGatewayAccountRole\]$/)]);
      expect(printed.mock.calls.map((c) => String(c[0])).join('\n')).toContain('account-wide API Gateway');
    } finally {
      printed.mockRestore();
    }
  });

  it("synthesizes with cdk.json's whole context under the CloudFormation validator", () => {
    const app = new App({
      context: { ...CDK_JSON.context, '@aws-cdk/core:validateAgainstDefaultRules': true },
    });
    const stack = new HappWebhooksExampleStack(app, 'HappWebhooksExample');
    // Asserted in the test above; acknowledged here so the validator's report does not print it.
    CdkAnnotations.of(stack.receiver).acknowledgeWarning('cdk-happ-webhooks:apiGatewayAccountRole');
    expect(() => app.synth()).not.toThrow();
  });
});

// The two flags that changed the construct's template in review, each setting of each.
describe.each([
  [false, false],
  [true, false],
  [false, true],
  [true, true],
])('under %s minimizePolicies / %s logGroupDestinationArnWithoutWildcard', (minimize, withoutWildcard) => {
  const context = { ...CDK_JSON.context, [MINIMIZE]: minimize, [LOG_ARN]: withoutWildcard };

  it('cdk-nag finds nothing unacknowledged', () => {
    const { app } = example(context);
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('the subscriber still reaches only its own idempotency records, the verifier only its own (evaluated)', () => {
    const { stack, template } = example(context);
    const table = {
      'Fn::GetAtt': [stack.getLogicalId(stack.receiver.table.node.defaultChild as never), 'Arn'],
    };
    const docs = (role: iam.IRole) => {
      const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
      return Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(id))
        .map((p) => p.Properties.PolicyDocument as PolicyDocument);
    };
    const can = (role: iam.IRole, key: string) =>
      isAllowed(docs(role), {
        action: 'dynamodb:DeleteItem',
        resource: table,
        context: { 'dynamodb:LeadingKeys': [key] },
      });
    const subscriber = stack.receiver.subscribers[0];
    expect(can(subscriber.handler.role!, `happ-subscriber#${subscriber.subscriberName}#k`)).toBe(true);
    expect(can(subscriber.handler.role!, 'happ-verifier#k')).toBe(false);
    expect(can(stack.receiver.verifier.role!, 'happ-verifier#k')).toBe(true);
    expect(can(stack.receiver.verifier.role!, `happ-subscriber#${subscriber.subscriberName}#k`)).toBe(false);
  });

  it('the stage writes its access log to the access log group (its ARN, with or without the ":*" suffix)', () => {
    const { stack, template } = example(context);
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    const group = stack.getLogicalId(stack.receiver.accessLogGroup.node.defaultChild as never);
    const arn = resolveArn(stage.Properties.AccessLogSetting.DestinationArn, group);
    expect(arn).toMatch(new RegExp(`^arn:aws:logs:eu-west-1:111122223333:log-group:${group}-name(:\\*)?$`));
    expect(arn.endsWith(':*')).toBe(!withoutWildcard);
  });
});

/** Resolves the intrinsics a log group ARN is written with, for one log group (its name: `<id>-name`). */
function resolveArn(value: unknown, group: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'eu-west-1',
    'AWS::AccountId': '111122223333',
    [group]: `${group}-name`,
  };
  const r = (v: unknown): string | string[] => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return pseudo[o.Ref as string] ?? `?${String(o.Ref)}`;
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      if (id === group && attr === 'Arn')
        return `arn:aws:logs:eu-west-1:111122223333:log-group:${group}-name:*`;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => r(p) as string).join(sep);
    }
    if ('Fn::Split' in o) {
      const [sep, source] = o['Fn::Split'] as [string, unknown];
      return (r(source) as string).split(sep);
    }
    if ('Fn::Select' in o) {
      const [index, list] = o['Fn::Select'] as [number, unknown];
      return (r(list) as string[])[index];
    }
    throw new Error(`cannot resolve ${JSON.stringify(v)}`);
  };
  return r(value) as string;
}
