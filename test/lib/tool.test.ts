import { App, Duration, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { join } from 'node:path';
import {
  HappTool,
  HappToolExecutionMode,
  HappToolMethod,
  HappToolType,
  HappWebhookReceiver,
  type HappWebhookReceiverProps,
  type HappToolOptions,
} from '../../lib';

const ENTRY = join(__dirname, 'fixtures', 'lookup-tool.ts');
const PARAMS = {
  type: 'object',
  properties: { orderId: { type: 'string', description: 'The order number' } },
  required: ['orderId'],
};

/** A stack whose NodejsFunctions are not bundled (bundling is what tool-bundling.test.ts tests). */
function toolStack(
  options: Partial<HappToolOptions> = {},
  receiverProps: HappWebhookReceiverProps = {},
): { stack: Stack; receiver: HappWebhookReceiver; tool: HappTool; template: Template } {
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const receiver = new HappWebhookReceiver(stack, 'Happ', receiverProps);
  const tool = receiver.addTool('lookup-order', {
    entry: ENTRY,
    description: 'Looks up an order by its number',
    parameters: PARAMS,
    ...options,
  });
  return { stack, receiver, tool, template: Template.fromStack(stack) };
}

const fnOf = (template: Template) =>
  Object.entries(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { HAPP_TOOL_NAME: Match.anyValue() } } },
    }),
  );

describe('HappTool template', () => {
  test('a route POST /tools/<name> on the receiver API, a Lambda proxy integration to the tool function, no authorizer', () => {
    const { template } = toolStack();
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'tools' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'lookup-order' });
    const [[fnId]] = fnOf(template);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [fnId, 'Arn'] }])]),
        }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  test('the method and path are the props: GET /lookup', () => {
    const { template, tool } = toolStack({ method: HappToolMethod.GET, path: 'lookup' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'lookup' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
    });
    expect(tool.method).toBe('GET');
    expect(tool.idempotent).toBe(false);
  });

  test('the function: Node.js 24, arm64, the wrapper entry, its environment, timeout = tool timeout + 2 s', () => {
    const { template, tool } = toolStack({ timeout: Duration.seconds(8) });
    const [[, fn]] = fnOf(template);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 10,
      MemorySize: 512,
    });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      HAPP_TOOL_NAME: 'lookup-order',
      HAPP_TOOL_SECRET_ARN: { Ref: expect.any(String) },
      HAPP_TOOL_TIMEOUT_MS: '8000',
      HAPP_TOOL_IDEMPOTENT: 'true',
      HAPP_TOOL_IDEMPOTENCY_SECONDS: '300',
      HAPP_TABLE_NAME: expect.anything(),
      HAPP_SIGNATURE_HEADER: 'x-happ-signature',
      HAPP_SIGNATURE_ENCODINGS: 'hex,base64',
      HAPP_SIGNATURE_PREFIX: 'sha256=',
    });
    expect(tool.timeout.toSeconds()).toBe(8);
  });

  test("the receiver's signature scheme applies to its tools", () => {
    const { template } = toolStack({}, { signatureHeader: 'X-Sig', signaturePrefix: '' });
    const [[, fn]] = fnOf(template);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      HAPP_SIGNATURE_HEADER: 'X-Sig',
      HAPP_SIGNATURE_PREFIX: '',
    });
  });

  test('its own generated secret; the role may read exactly it and use the table (idempotent), write its log group', () => {
    const { template, tool, stack } = toolStack();
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(3); // chat, call, the tool's
    const secretId = Object.keys(secrets).find((k) => k.includes('Tools'))!;
    expect(stack.resolve(tool.secret.secretArn)).toEqual({ Ref: secretId });
    const statements = new Capture();
    const [[, fn]] = fnOf(template);
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: { Statement: statements },
    });
    const actions = (statements.asArray() as { Action: string | string[] }[]).map((s) => s.Action);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        'secretsmanager:GetSecretValue',
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      ]),
    );
    expect(statements.asArray()).toHaveLength(3);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } }),
        ]),
      },
    });
  });

  test('a non-idempotent tool gets no table access and no table variable', () => {
    const { template } = toolStack({ method: HappToolMethod.GET });
    const [[, fn]] = fnOf(template);
    expect(fn.Properties.Environment.Variables.HAPP_TABLE_NAME).toBeUndefined();
    expect(fn.Properties.Environment.Variables.HAPP_TOOL_IDEMPOTENT).toBe('false');
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    expect(JSON.stringify(policies)).not.toContain('dynamodb:');
  });

  test('a given ISecret is used (no new secret) and granted', () => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new Stack(app, 'Test');
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'Given',
      'arn:aws:secretsmanager:us-east-1:111111111111:secret:happ/tool-AbCdEf',
    );
    const tool = receiver.addTool('t', { entry: ENTRY, description: 'd', secret });
    const template = Template.fromStack(stack);
    expect(tool.secret).toBe(secret);
    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret'))).toHaveLength(2);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'secretsmanager:GetSecretValue',
            Resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:happ/tool-AbCdEf',
          }),
        ]),
      },
    });
  });

  test('definition: exactly the JSON Happ takes (URL filled in), also as an output whose key ends with HappToolDefinition', () => {
    const { template, tool, stack } = toolStack({
      type: HappToolType.INIT,
      executionMode: HappToolExecutionMode.POST_TOOL_SPEECH,
      method: HappToolMethod.PATCH,
    });
    expect(Object.keys(tool.definition).sort()).toEqual(
      ['apiCallUrl', 'description', 'executionMode', 'httpMethod', 'name', 'parameters', 'type'].sort(),
    );
    expect(tool.definition).toMatchObject({
      name: 'lookup-order',
      type: 'webhook_init',
      description: 'Looks up an order by its number',
      httpMethod: 'patch',
      executionMode: 'post_tool_speech',
      parameters: PARAMS,
    });
    expect(tool.definition.apiCallUrl).toBe(tool.url);
    expect(JSON.stringify(stack.resolve(tool.url))).toContain('/tools/lookup-order');
    const outputs = template.findOutputs('*');
    const key = Object.keys(outputs).find((k) => k.endsWith('HappToolDefinition'))!;
    expect(key).toBeDefined();
    expect(Object.keys(outputs).some((k) => k.endsWith('HappToolSecretArn'))).toBe(true);
    // The output value is the JSON text (Fn::Join around the URL token); its literal parts carry the fields.
    const text = JSON.stringify(outputs[key].Value);
    for (const part of [
      '\\"name\\":\\"lookup-order\\"',
      '\\"httpMethod\\":\\"patch\\"',
      '\\"apiCallUrl\\":\\"https://',
      '/tools/lookup-order',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).not.toContain('webhookSecret');
  });

  test('idempotency defaults: on for POST/PATCH actions and post-call, off for GET/PUT/DELETE and init', () => {
    const cases: Array<[HappToolType, HappToolMethod, boolean]> = [
      [HappToolType.ACTION, HappToolMethod.POST, true],
      [HappToolType.ACTION, HappToolMethod.PATCH, true],
      [HappToolType.ACTION, HappToolMethod.PUT, false],
      [HappToolType.ACTION, HappToolMethod.DELETE, false],
      [HappToolType.ACTION, HappToolMethod.GET, false],
      [HappToolType.INIT, HappToolMethod.POST, false],
      [HappToolType.POST_CALL, HappToolMethod.POST, true],
    ];
    for (const [type, method, expected] of cases) {
      expect(toolStack({ type, method }).tool.idempotent).toBe(expected);
    }
    expect(toolStack({ method: HappToolMethod.GET, idempotent: true }).tool.idempotent).toBe(true);
  });

  test('alarms: errors, latency against the timeout, signature failures, throttles, notifying the alarm topic', () => {
    const { template, tool } = toolStack({ timeout: Duration.seconds(5) }, { dashboard: true });
    expect(Object.keys(tool.alarms!).sort()).toEqual(['errors', 'latency', 'signatureFailures', 'throttles']);
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic')).find((k) =>
      k.includes('Monitoring'),
    )!;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 4000,
      EvaluationPeriods: 3,
      AlarmDescription: Match.stringLikeRegexp(
        '^\\[TICKET\\] Happ tool answers near its timeout \\(tool lookup-order\\)',
      ),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'HappWebhooks',
      MetricName: 'ToolSignatureInvalid',
      Dimensions: [{ Name: 'Tool', Value: 'lookup-order' }],
      Threshold: 5,
      AlarmDescription: Match.stringLikeRegexp('Runbook:'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(failures, 0) + FILL(timeouts, 0) + FILL(lambdaErrors, 0)' }),
        Match.objectLike({
          Id: 'failures',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ToolFailure' }) }),
        }),
        Match.objectLike({
          Id: 'timeouts',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ToolTimeout' }) }),
        }),
      ]),
      Threshold: 1,
    });
    const toolAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      String(a.Properties.AlarmDescription).includes('(tool lookup-order)'),
    );
    expect(toolAlarms).toHaveLength(4);
    expect(tool.listAlarms()).toHaveLength(4);
    for (const alarm of toolAlarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    const dashboard = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('Tool lookup-order: calls by outcome');
  });

  test('no alarms when the receiver has no monitoring', () => {
    const { tool, template } = toolStack({}, { monitoring: false });
    expect(tool.alarms).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('two tools on one receiver: two routes under /tools, one shared tools resource', () => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new Stack(app, 'Test');
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    receiver.addTool('lookup-order', { entry: ENTRY, description: 'Looks up an order' });
    receiver.addTool('book-slot', { entry: ENTRY, description: 'Books a slot' });
    const template = Template.fromStack(stack);
    expect(receiver.tools.map((t) => t.name)).toEqual(['lookup-order', 'book-slot']);
    expect(
      Object.values(template.findResources('AWS::ApiGateway::Resource')).filter(
        (r) => r.Properties.PathPart === 'tools',
      ),
    ).toHaveLength(1);
    expect(() => receiver.addTool('book-slot', { entry: ENTRY, description: 'again' })).toThrow(
      /unique per receiver/,
    );
  });
});

describe('HappTool validation', () => {
  const fails = (options: Partial<HappToolOptions>) => () => toolStack(options);
  test('fails when the name is not 1–64 of a-z A-Z 0-9 _ -', () => {
    expect(fails({ name: 'look up' })).toThrow(
      /tool name must be 1–64 characters of a-z, A-Z, 0-9, _ and - \(given "look up"\)/,
    );
  });
  test('fails when the timeout is outside 1–28 s (API Gateway ends requests at 29 s)', () => {
    expect(fails({ timeout: Duration.seconds(29) })).toThrow(
      /timeout must be between 1 second and 28 seconds \(given 29 seconds\)/,
    );
    expect(fails({ timeout: Duration.millis(500) })).toThrow(
      /timeout must be between 1 second and 28 seconds/,
    );
  });
  test('fails when parameters is not an object schema, or not a valid schema', () => {
    expect(fails({ parameters: [] as unknown as Record<string, unknown> })).toThrow(
      /parameters must be a JSON Schema object \(given \[\]\)/,
    );
    expect(fails({ parameters: { type: 'string' } })).toThrow(
      /parameters must describe an object \(type "object"\).*given type "string"/,
    );
    expect(fails({ parameters: { type: 'object', properties: { a: { type: 'nope' } } } })).toThrow(
      /parameters: schema is not a valid JSON Schema/,
    );
  });
  test('fails when the method is not one Happ has', () => {
    expect(fails({ method: { value: 'HEAD' } as unknown as HappToolMethod })).toThrow(
      /method must be one of GET, POST, PUT, DELETE, PATCH \(given HEAD\)/,
    );
  });
  test('fails when the description is empty, the path is chat, or the idempotency window is out of range', () => {
    expect(fails({ description: ' ' })).toThrow(/description must say what the tool does/);
    expect(fails({ path: 'chat' })).toThrow(
      /path must be a URL path .* other than chat and call \(given "chat"\)/,
    );
    expect(fails({ idempotencyWindow: Duration.days(2) })).toThrow(
      /idempotencyWindow must be between 1 minute and 1 day \(given 2 days\)/,
    );
    expect(fails({ memorySizeMb: 64 })).toThrow(
      /memorySizeMb must be an integer between 128 and 10240 \(given 64\)/,
    );
  });
});

describe('HappTool with the monitoring in a nested stack', () => {
  test('synthesizes: the alarms in the tool construct notify the nested stack topic; the row is on its dashboard', () => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new Stack(app, 'Test');
    const receiver = new HappWebhookReceiver(stack, 'Happ', {
      monitoringInNestedStack: true,
      dashboard: true,
    });
    const tool = receiver.addTool('lookup', { entry: ENTRY, description: 'Looks up an order' });
    const template = Template.fromStack(stack);
    expect(tool.listAlarms()).toHaveLength(4);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      String(a.Properties.AlarmDescription).includes('(tool lookup)'),
    );
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('Outputs.');
    const nested = Template.fromStack(Stack.of(receiver.dashboard!));
    expect(JSON.stringify(nested.findResources('AWS::CloudWatch::Dashboard'))).toContain(
      'Tool lookup: calls by outcome',
    );
  });
});
