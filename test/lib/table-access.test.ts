import { Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HappSubscriber, HappWebhookReceiver } from '../../lib';
import { IDEMPOTENCY_KEY_PREFIX as RUNTIME_PREFIX } from '../../lambda/runtime/handler';
import { IDEMPOTENCY_KEY_PREFIX as VERIFIER_PREFIX } from '../../lambda/verifier/handler';
import { SUBSCRIBER_KEY_PREFIX, VERIFIER_KEY_PREFIX } from '../../lib/private/table-access';
import { iamLike, isAllowed, type PolicyDocument } from '../support/iam-eval';
import { handlerFn, newStack } from './support';

const ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** Every policy document attached to a role in the template. */
function documentsOf(stack: Stack, template: Template, role: iam.IRole): PolicyDocument[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .map((p) => p.Properties.PolicyDocument as PolicyDocument);
}

function setUp() {
  const stack = newStack();
  const receiver = new HappWebhookReceiver(stack, 'Happ');
  const slack = receiver.addSubscriber('Slack', handlerFn(stack, 'SlackFn'));
  const crm = new HappSubscriber(stack, 'Crm', {
    receiver,
    handler: handlerFn(stack, 'CrmFn'),
    subscriberName: 'crm-sync',
  });
  const template = Template.fromStack(stack);
  const table = { 'Fn::GetAtt': [stack.getLogicalId(receiver.table.node.defaultChild as never), 'Arn'] };
  const can = (role: iam.IRole, action: string, key: string) =>
    isAllowed(documentsOf(stack, template, role), {
      action,
      resource: table,
      context: { 'dynamodb:LeadingKeys': [key] },
    });
  return { receiver, slack, crm, can };
}

describe('idempotency table: each role reaches only its own records (dynamodb:LeadingKeys, evaluated)', () => {
  it('the construct prefixes are the ones the verifier and the runtime helper write', () => {
    expect(VERIFIER_KEY_PREFIX).toBe(VERIFIER_PREFIX);
    expect(SUBSCRIBER_KEY_PREFIX).toBe(RUNTIME_PREFIX);
  });

  it("a subscriber may claim, read, complete and release its own records, and none of the verifier's", () => {
    const { slack, can } = setUp();
    const role = slack.handler.role!;
    for (const action of ITEM_ACTIONS) {
      expect(can(role, action, 'happ-subscriber#Slack#0f1e2d')).toBe(true);
      expect(can(role, action, 'happ-subscriber#Slack#0f1e2d#replay#r1')).toBe(true);
      expect(can(role, action, 'happ-verifier#0f1e2d')).toBe(false);
    }
  });

  it("a subscriber cannot touch another subscriber's records, even one whose name starts with its own", () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const a = new HappSubscriber(stack, 'A', {
      receiver,
      handler: handlerFn(stack, 'AFn'),
      subscriberName: 'crm',
    });
    new HappSubscriber(stack, 'B', { receiver, handler: handlerFn(stack, 'BFn'), subscriberName: 'crm2' });
    const template = Template.fromStack(stack);
    const table = { 'Fn::GetAtt': [stack.getLogicalId(receiver.table.node.defaultChild as never), 'Arn'] };
    const docs = documentsOf(stack, template, a.handler.role!);
    const allowed = (key: string) =>
      isAllowed(docs, {
        action: 'dynamodb:DeleteItem',
        resource: table,
        context: { 'dynamodb:LeadingKeys': [key] },
      });
    expect(allowed('happ-subscriber#crm#abc')).toBe(true);
    expect(allowed('happ-subscriber#crm2#abc')).toBe(false);
  });

  it('the subscriber name given with subscriberName is the one scoped', () => {
    const { crm, can } = setUp();
    expect(can(crm.handler.role!, 'dynamodb:PutItem', 'happ-subscriber#crm-sync#abc')).toBe(true);
    expect(can(crm.handler.role!, 'dynamodb:PutItem', 'happ-subscriber#Crm#abc')).toBe(false);
    expect(can(crm.handler.role!, 'dynamodb:PutItem', 'happ-subscriber#Slack#abc')).toBe(false);
  });

  it("the verifier reaches its own records and no subscriber's", () => {
    const { receiver, can } = setUp();
    const role = receiver.verifier.role!;
    for (const action of ITEM_ACTIONS) {
      expect(can(role, action, 'happ-verifier#0f1e2d')).toBe(true);
      expect(can(role, action, 'happ-subscriber#Slack#0f1e2d')).toBe(false);
    }
  });

  it('nobody may scan or query the table (operations without a leading key are not granted)', () => {
    const { receiver, slack, can } = setUp();
    for (const role of [receiver.verifier.role!, slack.handler.role!]) {
      expect(can(role, 'dynamodb:Scan', 'happ-verifier#x')).toBe(false);
      expect(can(role, 'dynamodb:Query', 'happ-verifier#x')).toBe(false);
    }
  });

  it('refuses a subscriber name that would widen or split the pattern, or that is not known at synth', () => {
    for (const name of ['crm*', 'c?m', 'crm#1', 'with space', '', '注文', 'crm-${aws:username}']) {
      const stack = newStack();
      const receiver = new HappWebhookReceiver(stack, 'Happ');
      expect(
        () =>
          new HappSubscriber(stack, 'S', { receiver, handler: handlerFn(stack, 'Fn'), subscriberName: name }),
      ).toThrow(
        /subscriberName must be 1 to 128 printable ASCII characters without '\*', '\?', '#', '\$' or whitespace \(given '.*'\)/,
      );
    }
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    expect(
      () =>
        new HappSubscriber(stack, 'S', {
          receiver,
          handler: handlerFn(stack, 'Fn'),
          subscriberName: Lazy.string({ produce: () => 'late' }),
        }),
    ).toThrow(/subscriberName must be a literal string, not a token/);
  });
});

describe('iam-eval (the evaluator the tests above rely on)', () => {
  it('matches IAM wildcards and nothing more', () => {
    expect(iamLike('happ-verifier#*', 'happ-verifier#abc')).toBe(true);
    expect(iamLike('happ-verifier#*', 'happ-verifierX#abc')).toBe(false);
    expect(iamLike('a?c', 'abc')).toBe(true);
    expect(iamLike('a.c', 'abc')).toBe(false);
  });

  it('throws on a resource it cannot judge (a pattern or a joined ARN), never answering "denied"', () => {
    for (const Resource of ['arn:aws:dynamodb:*:*:table/*', { 'Fn::Join': ['', ['arn:', 'x']] }]) {
      const doc: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource }] };
      expect(() =>
        isAllowed([doc], { action: 'dynamodb:GetItem', resource: { Ref: 'Table' }, context: {} }),
      ).toThrow(/cannot judge/);
    }
  });

  it('throws on a condition it cannot judge', () => {
    const doc: PolicyDocument = {
      Statement: [
        {
          Effect: 'Allow',
          Action: 'x:Y',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4' } },
        },
      ],
    };
    expect(() => isAllowed([doc], { action: 'x:Y', resource: 'r', context: {} })).toThrow(/not implemented/);
  });
});
