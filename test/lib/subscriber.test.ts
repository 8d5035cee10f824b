import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  HappEvents,
  HappSource,
  HappSubscriber,
  HappSubscriberOptions,
  HappWebhookReceiver,
  happFilterPolicy,
} from '../../lib';
import { ENV } from '../../lambda/shared/env';
import { handlerFn, newStack, warnings } from './support';

function id(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

function subscribe(
  options: HappSubscriberOptions = {},
  handlerProps: Partial<lambda.FunctionProps> = {},
): {
  stack: Stack;
  receiver: HappWebhookReceiver;
  subscriber: HappSubscriber;
  handler: lambda.Function;
  template: Template;
} {
  const stack = newStack();
  const receiver = new HappWebhookReceiver(stack, 'Happ');
  const handler = handlerFn(stack, 'Handler', handlerProps);
  const subscriber = receiver.addSubscriber('Crm', handler, options);
  return { stack, receiver, subscriber, handler, template: Template.fromStack(stack) };
}

function importedHandler(stack: Stack): lambda.IFunction {
  return lambda.Function.fromFunctionAttributes(stack, 'Imported', {
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:crm',
    sameEnvironment: true,
  });
}

describe('addSubscriber: queues', () => {
  it('creates a queue and a dead-letter queue, both SQS-managed encrypted (SNS can deliver to them)', () => {
    const { stack, subscriber, template } = subscribe();
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      KmsMasterKeyId: Match.absent(),
    });
    expect(template.toJSON().Resources[id(stack, subscriber.queue)]).toBeDefined();
    expect(template.toJSON().Resources[id(stack, subscriber.deadLetterQueue)]).toBeDefined();
  });

  it('makes both queues TLS-only', () => {
    const { stack, subscriber, template } = subscribe();
    for (const queue of [subscriber.queue, subscriber.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id(stack, queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('keeps dead letters 14 days and moves a message there after 5 receives', () => {
    const { stack, subscriber, template } = subscribe();
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1_209_600,
      RedrivePolicy: Match.absent(),
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(stack, subscriber.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
  });

  it('takes maxReceiveCount and retentionPeriod from options', () => {
    subscribe({ maxReceiveCount: 3, retentionPeriod: Duration.days(1) }).template.hasResourceProperties(
      'AWS::SQS::Queue',
      {
        MessageRetentionPeriod: 86_400,
        RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
      },
    );
  });

  it('sets the visibility timeout to 6 × the handler timeout', () => {
    const { subscriber, template } = subscribe({}, { timeout: Duration.seconds(30) });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180 });
    expect(subscriber.handlerTimeout.toSeconds()).toBe(30);
  });

  it('adds the batching window to the visibility timeout', () => {
    subscribe(
      { maxBatchingWindow: Duration.seconds(20), batchSize: 100 },
      { timeout: Duration.seconds(30) },
    ).template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 200 });
  });

  it("assumes Lambda's 3 s default for a lambda.Function without a timeout", () => {
    subscribe().template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 18 });
  });

  it('derives the visibility timeout from handlerTimeout when given', () => {
    subscribe(
      { handlerTimeout: Duration.minutes(2) },
      { timeout: Duration.minutes(2) },
    ).template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 720 });
  });

  it('takes visibilityTimeout as given when it is at least the handler timeout', () => {
    subscribe(
      { visibilityTimeout: Duration.seconds(45) },
      { timeout: Duration.seconds(30) },
    ).template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 45 });
  });

  it('fails when visibilityTimeout is shorter than the handler timeout', () => {
    expect(() =>
      subscribe({ visibilityTimeout: Duration.seconds(10) }, { timeout: Duration.seconds(30) }),
    ).toThrow(
      /visibilityTimeout must be at least the handler timeout, 30 seconds, and AWS recommends 6 × \(given 10 seconds\)/,
    );
  });

  it("fails when handlerTimeout understates a lambda.Function's timeout so far that the queue times out first", () => {
    // 6 × 30 s = 3 minutes < the function's 5 minutes: Lambda would refuse the mapping at deploy.
    expect(() =>
      subscribe({ handlerTimeout: Duration.seconds(30) }, { timeout: Duration.minutes(5) }),
    ).toThrow(
      /handlerTimeout must be at least the handler function's timeout, 5 minutes \(given 30 seconds\): the visibility timeout derived from it, 3 minutes, is shorter/,
    );
  });

  it("fails when visibilityTimeout is shorter than a lambda.Function's timeout that handlerTimeout understates", () => {
    expect(() =>
      subscribe(
        { handlerTimeout: Duration.seconds(10), visibilityTimeout: Duration.seconds(60) },
        { timeout: Duration.minutes(2) },
      ),
    ).toThrow(
      /visibilityTimeout must be at least the handler function's timeout, 2 minutes, and AWS recommends 6 × \(given 1 minute\)/,
    );
  });

  it('fails when handlerTimeout exceeds the 15 minutes a Lambda function can run', () => {
    expect(() => subscribe({ handlerTimeout: Duration.minutes(16) })).toThrow(
      /handlerTimeout must be between 1 second and 15 minutes \(given 16 minutes\)/,
    );
  });

  it('fails when visibilityTimeout exceeds 12 hours', () => {
    expect(() => subscribe({ visibilityTimeout: Duration.hours(13) })).toThrow(
      /visibilityTimeout must be between 0 seconds and 12 hours \(given 13 hours\)/,
    );
  });

  it('fails when maxBatchingWindow is not a whole number of seconds', () => {
    expect(() => subscribe({ maxBatchingWindow: Duration.millis(1500) })).toThrow(
      /maxBatchingWindow must be a whole number of seconds \(given 1.5 seconds\)/,
    );
  });

  it('fails when maxReceiveCount is out of range', () => {
    expect(() => subscribe({ maxReceiveCount: 0 })).toThrow(
      /maxReceiveCount must be an integer between 1 and 1000 \(given 0\)/,
    );
    expect(() => subscribe({ maxReceiveCount: 1001 })).toThrow(/\(given 1001\)/);
  });

  it('fails when retentionPeriod exceeds 14 days', () => {
    expect(() => subscribe({ retentionPeriod: Duration.days(15) })).toThrow(
      /retentionPeriod must be between 1 minute and 14 days \(given 15 days\)/,
    );
  });
});

describe('addSubscriber: SNS subscription', () => {
  it('subscribes the queue to the topic with raw message delivery and no filter by default', () => {
    const { stack, receiver, subscriber, template } = subscribe();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: { Ref: id(stack, receiver.topic) },
      Endpoint: { 'Fn::GetAtt': [id(stack, subscriber.queue), 'Arn'] },
      RawMessageDelivery: true,
      FilterPolicy: Match.absent(),
    });
    expect(subscriber.filterPolicy).toBeUndefined();
  });

  it('parks deliveries SNS cannot make in the dead-letter queue (subscription redrive policy)', () => {
    const { stack, subscriber, template } = subscribe();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(stack, subscriber.deadLetterQueue), 'Arn'] },
      },
    });
  });

  it('lets only this topic send to the queue and to the dead-letter queue', () => {
    const { stack, receiver, subscriber, template } = subscribe();
    for (const queue of [subscriber.queue, subscriber.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id(stack, queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Resource: { 'Fn::GetAtt': [id(stack, queue), 'Arn'] },
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: id(stack, receiver.topic) } } },
            },
          ]),
        },
      });
    }
  });

  it('creates the subscription after the queue policy, so no early delivery is refused', () => {
    const { stack, subscriber, template } = subscribe();
    const policyId = stack.getLogicalId(subscriber.queue.node.findChild('Policy').node.defaultChild as never);
    template.hasResource('AWS::SNS::Subscription', { DependsOn: Match.arrayWith([policyId]) });
  });

  it('writes the filter policy from sources and events into the template as plain JSON', () => {
    const options = { sources: [HappSource.CALL], events: [HappEvents.CALL_COMPLETED, 'call.recording.*'] };
    const { subscriber, template } = subscribe(options);
    const expected = happFilterPolicy(options);
    expect(expected).toEqual({ source: ['call'], type: ['call.completed', { prefix: 'call.recording.' }] });
    template.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: expected });
    expect(subscriber.filterPolicy).toEqual(expected);
  });

  it('gives two subscribers their own queues and their own filters', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const slack = receiver.addSubscriber('Slack', handlerFn(stack, 'SlackFn'), {
      events: [HappEvents.CHAT_MESSAGE_RECEIVED],
    });
    const crm = receiver.addSubscriber('Crm', handlerFn(stack, 'CrmFn'), { sources: [HappSource.CALL] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: { 'Fn::GetAtt': [id(stack, slack.queue), 'Arn'] },
      FilterPolicy: { type: ['chat.message.received'] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: { 'Fn::GetAtt': [id(stack, crm.queue), 'Arn'] },
      FilterPolicy: { source: ['call'] },
    });
    expect(receiver.subscribers).toEqual([slack, crm]);
  });

  it('fails when events is empty', () => {
    expect(() => subscribe({ events: [] })).toThrow(
      /events must list at least one event type \(given \[\]\)/,
    );
  });

  it('warns when a known event comes from a source the subscriber excludes', () => {
    const { stack } = subscribe({ sources: [HappSource.CALL], events: [HappEvents.CHAT_MESSAGE_RECEIVED] });
    expect(warnings(stack)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/events 'chat.message.received' come from a source not in sources \['call'\]/),
      ]),
    );
  });
});

describe('addSubscriber: dead-letter life', () => {
  it('warns when retentionPeriod leaves a dead letter less than a week in the DLQ', () => {
    const { stack } = subscribe({ retentionPeriod: Duration.days(10) });
    expect(warnings(stack)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /retentionPeriod 10 days leaves a dead letter as little as 4 days in the DLQ .*keep retentionPeriod at most 7 days/,
        ),
      ]),
    );
  });

  it('does not warn for the default or a week', () => {
    expect(warnings(subscribe().stack).some((w) => /dead letter as little/.test(w))).toBe(false);
    expect(
      warnings(subscribe({ retentionPeriod: Duration.days(7) }).stack).some((w) =>
        /dead letter as little/.test(w),
      ),
    ).toBe(false);
  });
});

describe('addSubscriber: event source mapping', () => {
  it('maps the queue to the handler with ReportBatchItemFailures and batches of 10', () => {
    const { stack, subscriber, handler, template } = subscribe();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [id(stack, subscriber.queue), 'Arn'] },
      FunctionName: { Ref: id(stack, handler) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: Match.absent(),
    });
  });

  it('takes batch size, batching window and maximum concurrency from options', () => {
    subscribe({
      batchSize: 500,
      maxBatchingWindow: Duration.seconds(30),
      maxConcurrency: 5,
    }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 30,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('is created after the handler may read the queue (Lambda checks on creation)', () => {
    const { stack, handler, template } = subscribe();
    const policyId = stack.getLogicalId(
      handler.role!.node.tryFindChild('DefaultPolicy')!.node.defaultChild as never,
    );
    template.hasResource('AWS::Lambda::EventSourceMapping', { DependsOn: Match.arrayWith([policyId]) });
  });

  it('fails when batchSize exceeds 10 without a batching window', () => {
    expect(() => subscribe({ batchSize: 11 })).toThrow(
      /batchSize must be an integer between 1 and 10 without maxBatchingWindow \(up to 10000 with one\) \(given 11\)/,
    );
  });

  it('fails when batchSize exceeds 10 with a batching window of 0 seconds (Lambda requires at least 1 s)', () => {
    expect(() => subscribe({ batchSize: 100, maxBatchingWindow: Duration.seconds(0) })).toThrow(
      /batchSize must be an integer between 1 and 10 with a maxBatchingWindow of 0 seconds \(up to 10000 with one of at least 1 second\) \(given 100\)/,
    );
  });

  it('fails when batchSize exceeds 10000 with a batching window', () => {
    expect(() => subscribe({ batchSize: 10_001, maxBatchingWindow: Duration.seconds(1) })).toThrow(
      /batchSize must be an integer between 1 and 10000 with maxBatchingWindow \(given 10001\)/,
    );
  });

  it('fails when maxBatchingWindow exceeds 5 minutes', () => {
    expect(() => subscribe({ maxBatchingWindow: Duration.minutes(6) })).toThrow(
      /maxBatchingWindow must be between 0 seconds and 5 minutes \(given 6 minutes\)/,
    );
  });

  it('fails when maxConcurrency is below 2', () => {
    expect(() => subscribe({ maxConcurrency: 1 })).toThrow(
      /maxConcurrency must be an integer between 2 and 1000 \(given 1\)/,
    );
  });
});

describe('addSubscriber: handler', () => {
  it('sets HAPP_TABLE_NAME and HAPP_SUBSCRIBER_NAME on a lambda.Function handler', () => {
    const { stack, receiver, handler, template } = subscribe();
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Handler: 'index.handler',
      Code: { ZipFile: Match.anyValue() },
      Environment: {
        Variables: { [ENV.TABLE_NAME]: { Ref: id(stack, receiver.table) }, [ENV.SUBSCRIBER_NAME]: 'Crm' },
      },
    });
    expect(handler).toBeDefined();
  });

  it('grants the handler exactly: consume its queue, the four item actions on the table, read claim checks', () => {
    const { stack, receiver, subscriber, handler, template } = subscribe();
    const roleId = id(stack, handler.role as never);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const [policy] = Object.values(policies);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Resource: { 'Fn::GetAtt': [id(stack, subscriber.queue), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: { 'Fn::GetAtt': [id(stack, receiver.table), 'Arn'] },
        Condition: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [`happ-subscriber#${subscriber.subscriberName}#*`],
          },
        },
      },
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(stack, receiver.bucket), 'Arn'] }, '/*']] },
      },
    ]);
  });

  it('warns which variables to set, and assumes a 3 s timeout, for a handler that is not a lambda.Function', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    receiver.addSubscriber('Crm', importedHandler(stack));
    const messages = warnings(stack);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /set HAPP_TABLE_NAME to the receiver's table name .* and HAPP_SUBSCRIBER_NAME=Crm/,
        ),
        expect.stringMatching(/its timeout is unknown: assuming 3 seconds .* Pass handlerTimeout/),
        expect.stringMatching(
          /imported without its role, so no permission can be granted to it: give its role sqs:ReceiveMessage/,
        ),
      ]),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 18 });
  });

  it('grants an imported handler through its imported role', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const handler = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:crm',
      role: iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/crm'),
      sameEnvironment: true,
    });
    const subscriber = receiver.addSubscriber('Crm', handler, { handlerTimeout: Duration.seconds(5) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['crm'],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:ReceiveMessage']),
            Resource: { 'Fn::GetAtt': [id(stack, subscriber.queue), 'Arn'] },
          }),
          Match.objectLike({ Action: 's3:GetObject' }),
        ]),
      },
    });
  });

  it('uses handlerTimeout for an imported handler without warning about the timeout', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    receiver.addSubscriber('Crm', importedHandler(stack), { handlerTimeout: Duration.minutes(1) });
    expect(warnings(stack).some((w) => /timeout is unknown/.test(w))).toBe(false);
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 360 });
  });

  it('exposes the queue, dead-letter queue, subscription, mapping, handler and name', () => {
    const { subscriber, handler } = subscribe();
    expect(subscriber.subscriberName).toBe('Crm');
    expect(subscriber.handler).toBe(handler);
    expect(subscriber.queue.deadLetterQueue?.queue).toBe(subscriber.deadLetterQueue);
    expect(subscriber.subscription.node.defaultChild).toBeDefined();
    expect(subscriber.eventSourceMapping.eventSourceMappingId).toBeDefined();
  });

  it('fails when a subscriber id is used twice on one receiver', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    receiver.addSubscriber('Crm', handlerFn(stack, 'A'));
    expect(() => receiver.addSubscriber('Crm', handlerFn(stack, 'B'))).toThrow(
      /addSubscriber id must be unique per receiver \('Crm' is already subscribed\)/,
    );
  });

  it('fails when one function backs two subscribers', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const fn = handlerFn(stack, 'Fn');
    receiver.addSubscriber('Crm', fn);
    expect(() => receiver.addSubscriber('Slack', fn)).toThrow(
      /handler Test\/Fn already backs subscriber 'Crm'; each subscriber needs its own function/,
    );
  });
});

describe('HappSubscriber as a construct', () => {
  it('can subscribe to a receiver directly, named by subscriberName', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    new HappSubscriber(stack, 'Direct', {
      receiver,
      handler: handlerFn(stack, 'Fn'),
      subscriberName: 'archive',
      sources: [HappSource.CHAT],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.SUBSCRIBER_NAME]: 'archive' }) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: { source: ['chat'] } });
  });
});
