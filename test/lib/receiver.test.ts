import { App, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HappWebhookReceiver, SignatureEncoding } from '../../lib';
import { ENV } from '../../lambda/shared/env';
import { handlerFn, newStack, receiverStack, warnings } from './support';

const VERIFIER = { Handler: 'index.handler', Runtime: Match.stringLikeRegexp('^nodejs') };

function verifierEnv(template: Template): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: VERIFIER });
  const [fn] = Object.values(fns);
  return fn.Properties.Environment.Variables;
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

describe('HappWebhookReceiver: API Gateway', () => {
  it('creates a regional REST API named after the stack and the receiver', () => {
    const { template } = receiverStack();
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'Test-Happ',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('routes POST /chat and POST /call to the verifier as Lambda proxy integrations', () => {
    const { stack, receiver, template } = receiverStack();
    const verifierId = logicalId(stack, receiver.verifier);
    for (const path of ['chat', 'call']) {
      const resources = template.findResources('AWS::ApiGateway::Resource', {
        Properties: { PathPart: path },
      });
      const [resourceId] = Object.keys(resources);
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        AuthorizationType: 'NONE',
        ResourceId: { Ref: resourceId },
        Integration: {
          Type: 'AWS_PROXY',
          Uri: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [verifierId, 'Arn'] }])] },
        },
      });
    }
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
  });

  it('lets API Gateway invoke the verifier only through the two methods (no test-invoke permission)', () => {
    const { template } = receiverStack();
    template.resourceCountIs('AWS::Lambda::Permission', 2);
    const perms = template.findResources('AWS::Lambda::Permission');
    const sources = Object.values(perms).map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(sources.some((s) => s.includes('/POST/chat'))).toBe(true);
    expect(sources.some((s) => s.includes('/POST/call'))).toBe(true);
    expect(sources.some((s) => s.includes('test-invoke-stage'))).toBe(false);
  });

  it('hands every body to the verifier base64-encoded, byte for byte (binary media type */*)', () => {
    const { template } = receiverStack();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
  });

  it('throttles the stage at 50 requests per second with a burst of 100 by default', () => {
    const { template } = receiverStack();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ],
    });
  });

  it('takes the throttling limits from props', () => {
    const { template } = receiverStack({ throttlingRateLimit: 7.5, throttlingBurstLimit: 20 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 7.5, ThrottlingBurstLimit: 20 })],
    });
  });

  it('writes JSON access logs with status and latencies but no headers to a log group with 30-day retention', () => {
    const { stack, receiver, template } = receiverStack();
    const format = new Capture();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(stack, receiver.accessLogGroup), 'Arn'] },
        Format: format,
      },
    });
    const fields = JSON.parse(format.asString());
    expect(fields).toMatchObject({
      status: '$context.status',
      integrationLatency: '$context.integrationLatency',
      resourcePath: '$context.resourcePath',
      errorMessage: '$context.error.message',
    });
    expect(format.asString()).not.toMatch(/header|requestOverride|body/i);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.absent(),
      RetentionInDays: 30,
    });
  });

  it('logs execution errors only and never data traces (which would log signatures and payloads)', () => {
    const { template } = receiverStack();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: false }),
      ],
    });
  });

  it('owns the execution log group with a retention, created before the stage', () => {
    const { stack, receiver, template } = receiverStack({ logRetention: logs.RetentionDays.ONE_WEEK });
    const apiId = logicalId(stack, receiver.api);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/prod']] },
      RetentionInDays: 7,
    });
    template.hasResource('AWS::ApiGateway::Stage', {
      DependsOn: Match.arrayWith([logicalId(stack, receiver.executionLogGroup)]),
    });
  });

  it('creates the account-level CloudWatch role (retained) that access logs need, before the stage', () => {
    const { template } = receiverStack();
    template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        }),
      },
    });
    const accounts = template.findResources('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
    const [accountId] = Object.keys(accounts);
    expect(accountId).toBeDefined();
    template.hasResource('AWS::ApiGateway::Stage', { DependsOn: Match.arrayWith([accountId]) });
  });

  it('does not touch the account setting when createApiGatewayCloudWatchRole is false', () => {
    const { template } = receiverStack({ createApiGatewayCloudWatchRole: false });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourcePropertiesCountIs(
      'AWS::IAM::Role',
      {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        }),
      },
      0,
    );
  });

  it('adds no stack output of its own (the app decides what to output)', () => {
    expect(receiverStack().template.toJSON().Outputs).toBeUndefined();
  });

  it('exposes execute-api URLs ending in /chat and /call', () => {
    const { stack, receiver } = receiverStack();
    expect(JSON.stringify(stack.resolve(receiver.chatUrl))).toMatch(
      /execute-api.*"\/",\{"Ref":"HappApiDeploymentStageprod[0-9A-F]+"\},"\/chat"\]\]\}$/,
    );
    expect(JSON.stringify(stack.resolve(receiver.callUrl))).toMatch(/execute-api.*"\/call"\]\]\}$/);
    expect(receiver.endpoints).toEqual({ chat: receiver.chatUrl, call: receiver.callUrl });
  });

  it('serves a custom domain with TLS 1.2 and uses it in the URLs', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    );
    const receiver = new HappWebhookReceiver(stack, 'Happ', { domainName: 'hooks.example.com', certificate });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'hooks.example.com',
      RegionalCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    expect(receiver.chatUrl).toBe('https://hooks.example.com/chat');
    expect(receiver.callUrl).toBe('https://hooks.example.com/call');
    expect(receiver.domain).toBeDefined();
  });

  it('associates a web ACL with the stage, after the stage exists', () => {
    const arn = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/happ/abc';
    const { stack, receiver, template } = receiverStack({ webAclArn: arn });
    const stageId = stack.getLogicalId(receiver.api.deploymentStage.node.defaultChild as never);
    template.hasResource('AWS::WAFv2::WebACLAssociation', {
      Properties: { WebACLArn: arn, ResourceArn: Match.anyValue() },
      DependsOn: Match.arrayWith([stageId]),
    });
  });

  it('creates no web ACL association by default', () => {
    receiverStack().template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it('can disable the chat route: no /chat, no chat secret, no chat URL', () => {
    const { receiver, template } = receiverStack({ enableChat: false });
    template.resourcePropertiesCountIs('AWS::ApiGateway::Resource', { PathPart: 'chat' }, 0);
    template.resourcePropertiesCountIs('AWS::ApiGateway::Resource', { PathPart: 'call' }, 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(verifierEnv(template)[ENV.CHAT_SECRET_ARN]).toBeUndefined();
    expect(verifierEnv(template)[ENV.CALL_SECRET_ARN]).toBeDefined();
    expect(receiver.chatUrl).toBeUndefined();
    expect(receiver.chatSecret).toBeUndefined();
    expect(receiver.endpoints.chat).toBeUndefined();
  });

  it('can disable the call route: no /call, no call secret, no call URL', () => {
    const { receiver, template } = receiverStack({ enableCall: false });
    template.resourcePropertiesCountIs('AWS::ApiGateway::Resource', { PathPart: 'call' }, 0);
    expect(verifierEnv(template)[ENV.CALL_SECRET_ARN]).toBeUndefined();
    expect(receiver.callUrl).toBeUndefined();
    expect(receiver.callSecret).toBeUndefined();
  });

  it('fails when both routes are disabled', () => {
    expect(() => receiverStack({ enableChat: false, enableCall: false })).toThrow(
      /enableChat and enableCall cannot both be false/,
    );
  });

  it('fails when domainName is given without certificate', () => {
    expect(() => receiverStack({ domainName: 'hooks.example.com' })).toThrow(
      /domainName and certificate must be given together \(given domainName only\)/,
    );
  });

  it('fails when certificate is given without domainName', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'C',
      'arn:aws:acm:eu-west-1:1:certificate/x',
    );
    expect(() => new HappWebhookReceiver(stack, 'Happ', { certificate })).toThrow(
      /domainName and certificate must be given together \(given certificate only\)/,
    );
  });

  it('fails when throttlingRateLimit is not positive', () => {
    expect(() => receiverStack({ throttlingRateLimit: 0 })).toThrow(
      /throttlingRateLimit must be a number greater than 0 \(given 0\)/,
    );
  });

  it('fails when throttlingBurstLimit is not a positive integer', () => {
    expect(() => receiverStack({ throttlingBurstLimit: 1.5 })).toThrow(
      /throttlingBurstLimit must be an integer of at least 1 \(given 1.5\)/,
    );
  });
});

describe('HappWebhookReceiver: verifier Lambda', () => {
  it('runs the pre-built bundle on Node.js 22, arm64, 512 MB, 10 s', () => {
    const { template } = receiverStack();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 10,
      Code: { S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
    });
  });

  it('takes memory and timeout from props', () => {
    const { template } = receiverStack({ verifierMemorySizeMb: 1024, verifierTimeout: Duration.seconds(4) });
    template.hasResourceProperties('AWS::Lambda::Function', { ...VERIFIER, MemorySize: 1024, Timeout: 4 });
  });

  it('reserves no concurrency by default (new accounts have a quota of 10)', () => {
    const { template } = receiverStack();
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...VERIFIER,
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('reserves concurrency when asked', () => {
    const { template } = receiverStack({ verifierReservedConcurrency: 20 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...VERIFIER,
      ReservedConcurrentExecutions: 20,
    });
  });

  it('logs to its own log group with the retention prop (no logRetention custom resource)', () => {
    const { stack, receiver, template } = receiverStack({ logRetention: logs.RetentionDays.THREE_MONTHS });
    const logGroupId = logicalId(stack, receiver.verifierLogGroup);
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...VERIFIER,
      LoggingConfig: { LogGroup: { Ref: logGroupId } },
    });
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(90);
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  it('sets every environment variable the verifier reads, with the documented defaults', () => {
    const { stack, receiver, template } = receiverStack();
    expect(verifierEnv(template)).toEqual({
      [ENV.CHAT_SECRET_ARN]: { Ref: logicalId(stack, receiver.chatSecret as secretsmanager.Secret) },
      [ENV.CALL_SECRET_ARN]: { Ref: logicalId(stack, receiver.callSecret as secretsmanager.Secret) },
      [ENV.TABLE_NAME]: { Ref: logicalId(stack, receiver.table) },
      [ENV.TOPIC_ARN]: { Ref: logicalId(stack, receiver.topic) },
      [ENV.BUCKET_NAME]: { Ref: logicalId(stack, receiver.bucket) },
      [ENV.SIGNATURE_HEADER]: 'x-happ-signature',
      [ENV.SIGNATURE_ENCODINGS]: 'hex,base64',
      [ENV.SIGNATURE_PREFIX]: 'sha256=',
      [ENV.TYPE_FIELDS]: 'event,type',
      [ENV.IDEMPOTENCY_KEY_FIELDS]: '',
      [ENV.DEDUPE_WINDOW_SECONDS]: '604800',
      [ENV.CLAIM_CHECK_THRESHOLD_BYTES]: '240000',
      [ENV.SECRETS_CACHE_TTL_SECONDS]: '300',
      [ENV.RESPONSE_BUDGET_MS]: '4000',
      [ENV.EVENT_TIME_FIELDS]: 'timestamp,createdAt,occurredAt,endedAt',
      [ENV.MAX_CLOCK_SKEW_SECONDS]: '300',
      POWERTOOLS_SERVICE_NAME: 'happ-webhooks-verifier',
      POWERTOOLS_METRICS_NAMESPACE: 'HappWebhooks',
    });
  });

  it('covers every verifier variable of lambda/shared/env.ts', () => {
    const { template } = receiverStack({ maxBodySizeBytes: 1_000_000, maxEventAge: Duration.days(1) });
    const set = Object.keys(verifierEnv(template));
    const verifierVariables = Object.values(ENV).filter(
      (name) => name !== ENV.SUBSCRIBER_NAME && !name.startsWith('HAPP_TOOL_'),
    );
    expect(set).toEqual(expect.arrayContaining(verifierVariables));
  });

  it('passes the signature and idempotency options through the environment', () => {
    const { template } = receiverStack({
      signatureHeader: 'X-Happ-Signature-256',
      signatureEncodings: [SignatureEncoding.BASE64],
      signaturePrefix: '',
      eventTypeFields: ['kind'],
      idempotencyKeyFields: ['callId', 'event'],
      dedupeWindow: Duration.days(2),
      maxBodySizeBytes: 1_048_576,
      claimCheckThresholdBytes: 100_000,
      secretsCacheTtl: Duration.seconds(0),
      responseBudget: Duration.millis(3500),
      maxEventAge: Duration.hours(6),
      eventTimeFields: ['meta.sentAt'],
      maxClockSkew: Duration.seconds(30),
    });
    expect(verifierEnv(template)).toMatchObject({
      [ENV.RESPONSE_BUDGET_MS]: '3500',
      [ENV.MAX_EVENT_AGE_SECONDS]: '21600',
      [ENV.EVENT_TIME_FIELDS]: 'meta.sentAt',
      [ENV.MAX_CLOCK_SKEW_SECONDS]: '30',
      [ENV.SIGNATURE_HEADER]: 'X-Happ-Signature-256',
      [ENV.SIGNATURE_ENCODINGS]: 'base64',
      [ENV.SIGNATURE_PREFIX]: '',
      [ENV.TYPE_FIELDS]: 'kind',
      [ENV.IDEMPOTENCY_KEY_FIELDS]: 'callId,event',
      [ENV.DEDUPE_WINDOW_SECONDS]: '172800',
      [ENV.MAX_BODY_SIZE_BYTES]: '1048576',
      [ENV.CLAIM_CHECK_THRESHOLD_BYTES]: '100000',
      [ENV.SECRETS_CACHE_TTL_SECONDS]: '0',
    });
  });

  it('leaves the body size unlimited (below API Gateway) unless maxBodySizeBytes is set', () => {
    expect(verifierEnv(receiverStack().template)[ENV.MAX_BODY_SIZE_BYTES]).toBeUndefined();
  });

  it('checks no event time unless maxEventAge is set', () => {
    expect(verifierEnv(receiverStack().template)[ENV.MAX_EVENT_AGE_SECONDS]).toBeUndefined();
  });

  it('grants exactly: its log group, GetSecretValue on its two secrets, four item actions, publish, put object', () => {
    const { stack, receiver, template } = receiverStack();
    const roleId = stack.getLogicalId(receiver.verifier.role!.node.defaultChild as never);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleId }] },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    const doc = Object.values(policies)[0].Properties.PolicyDocument;
    expect(doc).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.verifierLogGroup), 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: logicalId(stack, receiver.chatSecret as secretsmanager.Secret) },
        },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: logicalId(stack, receiver.callSecret as secretsmanager.Secret) },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.table), 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['happ-verifier#*'] } },
        },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: logicalId(stack, receiver.topic) } },
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack, receiver.bucket), 'Arn'] }, '/*']],
          },
        },
      ],
    });
  });

  it('fails when verifierMemorySizeMb is out of range', () => {
    expect(() => receiverStack({ verifierMemorySizeMb: 100 })).toThrow(
      /verifierMemorySizeMb must be an integer between 128 and 10240 \(given 100\)/,
    );
  });

  it("fails when verifierTimeout exceeds API Gateway's 29 seconds", () => {
    expect(() => receiverStack({ verifierTimeout: Duration.seconds(30) })).toThrow(
      /verifierTimeout must be between 2 seconds and 29 seconds \(given 30 seconds\)/,
    );
  });

  it('fails when verifierReservedConcurrency is 0', () => {
    expect(() => receiverStack({ verifierReservedConcurrency: 0 })).toThrow(
      /verifierReservedConcurrency must be an integer of at least 1 \(given 0\)/,
    );
  });

  it('skips validation of unresolved tokens', () => {
    const memory = Lazy.number({ produce: () => 100 });
    expect(() => receiverStack({ verifierMemorySizeMb: memory })).not.toThrow();
  });
});

describe('HappWebhookReceiver: signature options', () => {
  it('fails when signatureHeader is not an HTTP header name', () => {
    expect(() => receiverStack({ signatureHeader: 'x happ' })).toThrow(
      /signatureHeader must be an HTTP header name.*\(given "x happ"\)/,
    );
  });

  it('fails when signatureEncodings is empty', () => {
    expect(() => receiverStack({ signatureEncodings: [] })).toThrow(
      /signatureEncodings must list at least one encoding \(given \[\]\)/,
    );
  });

  it('fails when signaturePrefix contains a comma or whitespace', () => {
    expect(() => receiverStack({ signaturePrefix: 'sha256=,' })).toThrow(
      /signaturePrefix must contain no whitespace or comma \(given "sha256=,"\)/,
    );
  });

  it('fails when eventTypeFields is empty', () => {
    expect(() => receiverStack({ eventTypeFields: [] })).toThrow(
      /eventTypeFields must list at least one field \(given \[\]\)/,
    );
  });

  it('fails when an idempotencyKeyFields entry is not a dot path', () => {
    expect(() => receiverStack({ idempotencyKeyFields: ['a,b'] })).toThrow(
      /idempotencyKeyFields entries must be JSON field dot paths like "call.id", with no spaces or commas \(given "a,b"\)/,
    );
    expect(() => receiverStack({ idempotencyKeyFields: ['call..id'] })).toThrow(/\(given "call..id"\)/);
    expect(() => receiverStack({ eventTypeFields: ['event type'] })).toThrow(
      /eventTypeFields entries .*\(given "event type"\)/,
    );
  });

  it('fails when dedupeWindow is shorter than a minute', () => {
    expect(() => receiverStack({ dedupeWindow: Duration.seconds(30) })).toThrow(
      /dedupeWindow must be between 1 minute and 365 days \(given 30 seconds\)/,
    );
  });

  it('fails when dedupeWindow is not a whole number of seconds', () => {
    expect(() => receiverStack({ dedupeWindow: Duration.millis(90_500) })).toThrow(
      /dedupeWindow must be a whole number of seconds \(given 90.5 seconds\)/,
    );
  });

  it('fails when maxBodySizeBytes exceeds what reaches Lambda base64-encoded (4,694,016 bytes)', () => {
    expect(() => receiverStack({ maxBodySizeBytes: 4_694_017 })).toThrow(
      /maxBodySizeBytes must be an integer between 1 and 4694016 \(given 4694017\)/,
    );
    expect(() => receiverStack({ maxBodySizeBytes: 4_694_016 })).not.toThrow();
  });

  it('fails when responseBudget is outside 500 ms – 25 s or not a second below verifierTimeout', () => {
    expect(() => receiverStack({ responseBudget: Duration.millis(400) })).toThrow(
      /responseBudget must be between 500 millis and 25 seconds \(given 400 millis\)/,
    );
    expect(() => receiverStack({ responseBudget: Duration.seconds(9.5) })).toThrow(
      /responseBudget must be at least 1 second below verifierTimeout.*\(given responseBudget 9 seconds 500 millis, verifierTimeout 10 seconds\)/,
    );
    expect(() =>
      receiverStack({ responseBudget: Duration.seconds(20), verifierTimeout: Duration.seconds(21) }),
    ).not.toThrow();
    expect(() =>
      receiverStack({ responseBudget: Duration.seconds(4), verifierTimeout: Duration.seconds(4) }),
    ).toThrow(
      /responseBudget must be at least 1 second below verifierTimeout.*\(given responseBudget 4 seconds, verifierTimeout 4 seconds\)/,
    );
    // Not given: 4 s, capped a second below a shorter timeout.
    expect(
      verifierEnv(receiverStack({ verifierTimeout: Duration.seconds(4) }).template)[ENV.RESPONSE_BUDGET_MS],
    ).toBe('3000');
    expect(
      verifierEnv(receiverStack({ verifierTimeout: Duration.seconds(2) }).template)[ENV.RESPONSE_BUDGET_MS],
    ).toBe('1000');
  });

  it('fails when maxEventAge + maxClockSkew would let a captured request in again after the dedupe window', () => {
    expect(() => receiverStack({ maxEventAge: Duration.days(7) })).toThrow(
      /maxEventAge plus maxClockSkew must be shorter than dedupeWindow.*\(given maxEventAge 7 days \+ maxClockSkew 5 minutes, dedupeWindow 7 days\)/,
    );
    expect(() =>
      receiverStack({
        maxEventAge: Duration.hours(1),
        maxClockSkew: Duration.minutes(1),
        dedupeWindow: Duration.minutes(61),
      }),
    ).toThrow(/given maxEventAge 1 hour \+ maxClockSkew 1 minute, dedupeWindow 1 hour 1 minute/);
    expect(() =>
      receiverStack({
        maxEventAge: Duration.hours(1),
        maxClockSkew: Duration.minutes(1),
        dedupeWindow: Duration.minutes(62),
      }),
    ).not.toThrow();
  });

  it('fails on maxEventAge, maxClockSkew or eventTimeFields out of range, and on the latter two without maxEventAge', () => {
    expect(() => receiverStack({ maxEventAge: Duration.seconds(30) })).toThrow(
      /maxEventAge must be between 1 minute and 365 days \(given 30 seconds\)/,
    );
    expect(() => receiverStack({ maxEventAge: Duration.days(1), maxClockSkew: Duration.hours(2) })).toThrow(
      /maxClockSkew must be between 0 seconds and 1 hour \(given 2 hours\)/,
    );
    expect(() => receiverStack({ maxEventAge: Duration.days(1), eventTimeFields: [] })).toThrow(
      /eventTimeFields must list at least one field \(given \[\]\)/,
    );
    expect(() => receiverStack({ maxClockSkew: Duration.minutes(1) })).toThrow(
      /maxClockSkew is only read with maxEventAge/,
    );
    expect(() => receiverStack({ eventTimeFields: ['ts'] })).toThrow(
      /eventTimeFields is only read with maxEventAge/,
    );
  });

  it('fails when claimCheckThresholdBytes would not fit an SNS message', () => {
    expect(() => receiverStack({ claimCheckThresholdBytes: 262_145 })).toThrow(
      /claimCheckThresholdBytes must be an integer between 0 and 262144 \(given 262145\)/,
    );
  });

  it('fails when secretsCacheTtl exceeds a day', () => {
    expect(() => receiverStack({ secretsCacheTtl: Duration.hours(25) })).toThrow(
      /secretsCacheTtl must be between 0 seconds and 1 day \(given 1 day 1 hour\)/,
    );
  });
});

describe('HappWebhookReceiver: secrets', () => {
  it('generates one 40-character alphanumeric secret per route, retained', () => {
    const { template } = receiverStack();
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.allResources('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: { PasswordLength: 40, ExcludePunctuation: true, IncludeSpace: false },
        Description: Match.stringLikeRegexp('Happ > Integrations >'),
      }),
    });
  });

  it('uses given secrets instead, reading imported ones by their full ARN (name-only imports with the -?????? suffix)', () => {
    const stack = newStack();
    const chatSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'Chat', 'happ/chat');
    const callSecret = secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'Call',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:happ/call-AbCdEf',
    );
    const receiver = new HappWebhookReceiver(stack, 'Happ', { chatSecret, callSecret });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(receiver.chatSecret).toBe(chatSecret);
    expect(verifierEnv(template)[ENV.CALL_SECRET_ARN]).toBe(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:happ/call-AbCdEf',
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([Match.stringLikeRegexp(':secret:happ/chat-\\?\\?\\?\\?\\?\\?$')]),
              ],
            },
          },
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:happ/call-AbCdEf',
          },
        ]),
      },
    });
  });

  it('lets the verifier decrypt a secret encrypted with a customer key, through Secrets Manager only', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'SecretKey');
    const chatSecret = new secretsmanager.Secret(stack, 'ChatSecret', { encryptionKey: key });
    new HappWebhookReceiver(stack, 'Happ', { chatSecret, enableCall: false });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Condition: {
              StringEquals: {
                'kms:ViaService': {
                  'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('warns when a secret is given for a disabled route', () => {
    const stack = newStack();
    const chatSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'Chat', 'happ/chat');
    new HappWebhookReceiver(stack, 'Happ', { chatSecret, enableChat: false });
    expect(warnings(stack)).toEqual(
      expect.arrayContaining([expect.stringMatching(/chatSecret is ignored because enableChat is false/)]),
    );
  });
});

describe('HappWebhookReceiver: idempotency table', () => {
  it('has partition key id, TTL on expiration, on-demand billing, PITR and encryption, and is retained', () => {
    const { template } = receiverStack();
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // AWS-owned key: DynamoDB encrypts every table at rest; false means "not a KMS key of yours".
        SSESpecification: { SSEEnabled: false },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('encrypts with a customer key when tableEncryptionKey is given, and grants its use to the verifier and subscribers', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TableKey');
    const receiver = new HappWebhookReceiver(stack, 'Happ', { tableEncryptionKey: key });
    receiver.addSubscriber('Crm', handlerFn(stack, 'CrmFn'));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      },
    });
    const keyStatements = (roleLogicalId: string) =>
      Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } }),
      )
        .flatMap(
          (p) => p.Properties.PolicyDocument.Statement as { Action: string[] | string; Resource: unknown }[],
        )
        .filter((st) =>
          JSON.stringify(st.Resource).includes(stack.getLogicalId(key.node.defaultChild as kms.CfnKey)),
        );
    for (const role of [receiver.verifier.role!, receiver.subscribers[0].handler.role!]) {
      const [statement] = keyStatements(stack.getLogicalId(role.node.defaultChild as iam.CfnRole));
      expect(statement.Action).toEqual(
        expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']),
      );
    }
  });

  it('has no deletion protection when removalPolicy is DESTROY (the stack could not be deleted otherwise)', () => {
    const { template } = receiverStack({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('applies removalPolicy to the table, the bucket, the generated secrets and the subscriber queues', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', { removalPolicy: RemovalPolicy.DESTROY });
    receiver.addSubscriber('Crm', handlerFn(stack, 'CrmFn'));
    const template = Template.fromStack(stack);
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::S3::Bucket',
      'AWS::SecretsManager::Secret',
      'AWS::SQS::Queue',
    ]) {
      template.allResources(type, { DeletionPolicy: 'Delete' });
    }
  });

  it('retains subscriber queues and dead-letter queues by default: renaming a subscriber keeps its parked events', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const subscriber = receiver.addSubscriber('Crm', handlerFn(stack, 'CrmFn'));
    const template = Template.fromStack(stack);
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    for (const queue of Object.values(queues)) {
      expect(queue).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    expect(subscriber.deadLetterQueue.node.defaultChild).toBeDefined();
  });

  it('refuses RemovalPolicy.SNAPSHOT, on the receiver and on a subscriber (queues, secrets and buckets have none)', () => {
    expect(() => receiverStack({ removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
      /removalPolicy must be RemovalPolicy.RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE \(given SNAPSHOT\)/,
    );
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    expect(() =>
      receiver.addSubscriber('S', handlerFn(stack, 'SFn'), { removalPolicy: RemovalPolicy.SNAPSHOT }),
    ).toThrow(/removalPolicy must be .* \(given SNAPSHOT\)/);
  });

  it("a subscriber's own removalPolicy wins over the receiver's", () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    receiver.addSubscriber('Scratch', handlerFn(stack, 'ScratchFn'), {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).allResources('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
  });
});

describe('HappWebhookReceiver: topic', () => {
  it('is encrypted with the AWS-managed SNS key and accepts TLS only', () => {
    const { stack, receiver, template } = receiverStack();
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':alias/aws/sns$')])] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalId(stack, receiver.topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('needs no KMS grant for the AWS-managed key, even where imported-alias grants are on', () => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { '@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal': true },
    });
    const stack = new Stack(app, 'Test');
    new HappWebhookReceiver(stack, 'Happ');
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).not.toMatch(/kms:/);
  });

  it('uses a customer-managed key when given, and lets the verifier use it to publish', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TopicKey');
    const receiver = new HappWebhookReceiver(stack, 'Happ', { topicEncryptionKey: key });
    const template = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key.node.defaultChild as never);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const roleId = stack.getLogicalId(receiver.verifier.role!.node.defaultChild as never);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
          }),
        ]),
      },
    });
  });
});

describe('HappWebhookReceiver: claim-check bucket', () => {
  it('is SSE-S3 encrypted, TLS 1.2+ only, with public access blocked and ACLs disabled', () => {
    const { stack, receiver, template } = receiverStack();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(stack, receiver.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('expires claim checks after 30 days and aborts incomplete uploads after 1 day', () => {
    receiverStack().template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: 30,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          }),
        ],
      },
    });
  });

  it('takes the expiry from claimCheckExpiration', () => {
    receiverStack({ claimCheckExpiration: Duration.days(60) }).template.hasResourceProperties(
      'AWS::S3::Bucket',
      {
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 60 })] },
      },
    );
  });

  it('warns when claim checks expire before a dead-lettered message would', () => {
    const { stack } = receiverStack({ claimCheckExpiration: Duration.days(7) });
    expect(warnings(stack)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/claimCheckExpiration \(7 days\) is shorter than .* \(14 days\)/),
      ]),
    );
  });

  it('fails when claimCheckExpiration is not a whole number of days', () => {
    expect(() => receiverStack({ claimCheckExpiration: Duration.hours(36) })).toThrow(
      /claimCheckExpiration must be a whole number of days \(given 1.5 days\)/,
    );
  });

  it('writes server access logs only when a log bucket is given', () => {
    receiverStack().template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.anyValue(),
      LoggingConfiguration: Match.absent(),
    });
    const stack = newStack();
    const logBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'my-access-logs');
    new HappWebhookReceiver(stack, 'Happ', { claimCheckAccessLogsBucket: logBucket });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: 'my-access-logs' },
    });
  });
});

describe('HappWebhookReceiver: verifier system logs (verifierSystemLogLevel)', () => {
  const verifierOf = (template: Template) =>
    Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.HAPP_TOPIC_ARN,
    )!;

  it('uses the text log format by default (START, END and REPORT lines)', () => {
    expect(verifierOf(receiverStack().template).Properties.LoggingConfig).toMatchObject({
      LogGroup: expect.anything(),
    });
    expect(verifierOf(receiverStack().template).Properties.LoggingConfig.LogFormat).toBeUndefined();
  });

  it('switches to the JSON format with the given system level and application level INFO', () => {
    const { template } = receiverStack({ verifierSystemLogLevel: lambda.SystemLogLevel.WARN });
    expect(verifierOf(template).Properties.LoggingConfig).toMatchObject({
      LogFormat: 'JSON',
      SystemLogLevel: 'WARN',
      ApplicationLogLevel: 'INFO',
    });
  });
});
