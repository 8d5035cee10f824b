import { readFileSync } from 'fs';
import { join } from 'path';
import { Annotations as CdkAnnotations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { HappIngress, HappWebhookReceiver, HttpApiIngress } from '../../lib';
import { newStack, receiverStack, warnings } from './support';

describe('REST API: what API Gateway answers itself is JSON in the verifier shape', () => {
  const responses = () =>
    Object.values(receiverStack().template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (r) => r.Properties as Record<string, unknown>,
    );
  const byType = (type: string) => responses().find((r) => r.ResponseType === type);

  it('an unknown path or method is 404 {"message":"not found"} (not 403 "Missing Authentication Token")', () => {
    expect(byType('MISSING_AUTHENTICATION_TOKEN')).toMatchObject({
      StatusCode: '404',
      ResponseTemplates: { 'application/json': '{"message":"not found"}' },
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/json'" },
    });
  });

  it('a body over 10 MB is 413, throttled requests are 429 with Retry-After', () => {
    expect(byType('REQUEST_TOO_LARGE')).toMatchObject({
      StatusCode: '413',
      ResponseTemplates: { 'application/json': '{"message":"request body too large"}' },
    });
    expect(byType('THROTTLED')).toMatchObject({
      StatusCode: '429',
      ResponseTemplates: { 'application/json': '{"message":"too many requests"}' },
      ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
    });
  });

  it("every other 4xx and 5xx keeps API Gateway's status and message, as JSON", () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      const response = byType(type)!;
      expect(response.StatusCode).toBeUndefined();
      expect(response.ResponseTemplates).toEqual({
        'application/json': '{"message":$context.error.messageString}',
      });
    }
    // $context.error.messageString is a quoted JSON string: the template is JSON once substituted.
    expect(
      JSON.parse(
        '{"message":$context.error.messageString}'.replace(
          '$context.error.messageString',
          '"Internal server error"',
        ),
      ),
    ).toEqual({
      message: 'Internal server error',
    });
  });

  it('exactly these five gateway responses', () => {
    expect(
      responses()
        .map((r) => r.ResponseType)
        .sort(),
    ).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
      'REQUEST_TOO_LARGE',
      'THROTTLED',
    ]);
  });
});

describe('REST API: throttled (429) and too-large (413) requests are counted and alarmed', () => {
  const setUp = () => {
    const { stack, receiver, template } = receiverStack();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a template is untyped JSON
    const resources = template.toJSON().Resources as Record<string, any>;
    const filters = Object.values(resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter');
    const alarm = (a: unknown) =>
      resources[stack.getLogicalId((a as { node: { defaultChild: never } }).node.defaultChild)].Properties;
    return { stack, receiver, resources, filters, alarm };
  };

  it('the access log carries apiId and errorResponseType', () => {
    const { resources } = setUp();
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Stage');
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      apiId: '$context.apiId',
      errorResponseType: '$context.error.responseType',
    });
    expect(format.status).toBe('$context.status');
  });

  it('one metric filter per status (429, 413), on the access log, counting into HappWebhooks by ApiId', () => {
    const { filters, stack, receiver } = setUp();
    const logGroup = { Ref: stack.getLogicalId(receiver.accessLogGroup.node.defaultChild as never) };
    expect(filters.map((f) => f.Properties.FilterPattern).sort()).toEqual([
      '{ $.status = "413" }',
      '{ $.status = "429" }',
    ]);
    for (const filter of filters) {
      expect(filter.Properties.LogGroupName).toEqual(logGroup);
      expect(filter.Properties.MetricTransformations).toEqual([
        expect.objectContaining({
          MetricNamespace: 'HappWebhooks',
          MetricValue: '1',
          Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
        }),
      ]);
    }
  });

  it('apiThrottled pages (in the composite), apiRequestTooLarge is a ticket; both on the filtered metric of this API', () => {
    const { receiver, alarm, stack } = setUp();
    const alarms = receiver.alarms!;
    const apiId = { Ref: stack.getLogicalId(receiver.api.node.defaultChild as never) };
    expect(alarm(alarms.apiThrottled)).toMatchObject({
      Namespace: 'HappWebhooks',
      MetricName: 'GatewayThrottled',
      Dimensions: [{ Name: 'ApiId', Value: apiId }],
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm(alarms.apiThrottled).AlarmDescription).toMatch(/^\[PAGE\] .*429/);
    expect(alarm(alarms.apiRequestTooLarge)).toMatchObject({
      MetricName: 'GatewayRequestTooLarge',
      Dimensions: [{ Name: 'ApiId', Value: apiId }],
    });
    expect(alarm(alarms.apiRequestTooLarge).AlarmDescription).toMatch(/^\[TICKET\] .*413/);
    const rule = JSON.stringify(alarm(alarms.page).AlarmRule);
    expect(rule).toContain(stack.getLogicalId(alarms.apiThrottled!.node.defaultChild as never));
    expect(rule).not.toContain(stack.getLogicalId(alarms.apiRequestTooLarge!.node.defaultChild as never));
  });

  it('the filter patterns select exactly the 429 and 413 access-log lines, whichever layer answered', () => {
    const { filters } = setUp();
    const pattern = (status: string) =>
      filters.find((f) => f.Properties.FilterPattern.includes(status))!.Properties.FilterPattern as string;
    // `{ $.field = "value" }` on one JSON line: the only pattern shape used for the REST API.
    const matches = (p: string, line: Record<string, string>) => {
      const m = /^\{ \$\.(\w+) = "([^"]+)" \}$/.exec(p);
      if (!m) throw new Error(`unexpected pattern ${p}`);
      return line[m[1]] === m[2];
    };
    const throttled = { status: '429', errorResponseType: 'THROTTLED', apiId: 'a1' };
    const verifier413 = { status: '413', errorResponseType: '-', apiId: 'a1' };
    const gateway413 = { status: '413', errorResponseType: 'REQUEST_TOO_LARGE', apiId: 'a1' };
    const accepted = { status: '202', errorResponseType: '-', apiId: 'a1' };
    expect(matches(pattern('429'), throttled)).toBe(true);
    expect(matches(pattern('429'), gateway413)).toBe(false);
    expect(matches(pattern('429'), accepted)).toBe(false);
    expect(matches(pattern('413'), gateway413)).toBe(true);
    // The verifier's own 413 (maxBodySizeBytes) is a body too large too: a retry cannot fix it either.
    expect(matches(pattern('413'), verifier413)).toBe(true);
    expect(matches(pattern('413'), accepted)).toBe(false);
  });
});

describe("the receiver's id names the API: printable ASCII only", () => {
  it('refuses an id API Gateway would change (its alarms would never match), naming the characters', () => {
    for (const [id, bad] of [
      ['Empfänger', 'ä'],
      ['Happ📞', '📞'],
      ['Happ\tTab', '\t'],
    ]) {
      expect(() => new HappWebhookReceiver(newStack(), id)).toThrow(
        new RegExp(`construct id must be printable ASCII \\(given '.*', which contains '${bad}'\\)`, 'u'),
      );
    }
  });

  it('accepts ASCII ids, and the API name is exactly <stack>-<id>', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ Receiver-1');
    expect(receiver.api.restApiName).toBe('Test-Happ Receiver-1');
  });
});

describe('the API Gateway account role: an account-wide setting, created by default and said loudly', () => {
  it('by default creates it (retained) and warns, with an id, that it replaces any role already set', () => {
    const { stack, template } = receiverStack();
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
    expect(warnings(stack)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /sets the account-wide API Gateway CloudWatch Logs role .* replacing any role already set there.*createApiGatewayCloudWatchRole: false.*\[ack: cdk-happ-webhooks:apiGatewayAccountRole\]/,
        ),
      ]),
    );
  });

  it('with createApiGatewayCloudWatchRole: false creates none, and says what the account must have', () => {
    const { stack, template } = receiverStack({ createApiGatewayCloudWatchRole: false });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::IAM::Role', 1); // the verifier's
    expect(warnings(stack).filter((w) => /account-wide/.test(w))).toHaveLength(0);
    const infos = Annotations.fromStack(stack)
      .findInfo('*', Match.anyValue())
      .map((i) => String(i.entry.data));
    expect(infos).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /must already have an API Gateway CloudWatch Logs role .*CloudWatch Logs role ARN must be set/,
        ),
      ]),
    );
  });
});

describe('README status table: the rows API Gateway answers are the gateway responses of the template', () => {
  it('404, 413 and 429 bodies (and Retry-After) as the template sets them', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const rows = readme
      .split('\n')
      .filter((l) => /^\| \d{3} /.test(l) && l.includes('| API Gateway |'))
      .map((l) => l.split('|').map((c) => c.trim()));
    const responses = Object.values(
      receiverStack().template.findResources('AWS::ApiGateway::GatewayResponse'),
    );
    // (API Gateway's 413 over 10 MB may come from its edge as plain text, whatever the gateway
    // response says; the README says so, and the row gives the body our gateway response sets.)
    for (const [status, type] of [
      ['404', 'MISSING_AUTHENTICATION_TOKEN'],
      ['413', 'REQUEST_TOO_LARGE'],
      ['429', 'THROTTLED'],
    ]) {
      const row = rows.find((r) => r[1] === status);
      expect(row).toBeDefined();
      const body = /`(\{.*?\})`/.exec(row![2])![1];
      const response = responses.find((r) => r.Properties.ResponseType === type)!.Properties;
      expect({ status, body }).toEqual({
        status: response.StatusCode,
        body: response.ResponseTemplates['application/json'],
      });
      const retryAfter = /Retry-After: (\d+)/.exec(row![2]);
      if (retryAfter) {
        expect(response.ResponseParameters['gatewayresponse.header.Retry-After']).toBe(`'${retryAfter[1]}'`);
      }
    }
  });

  it('acknowledging the account-role warning on the receiver, as the README shows, silences it', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    CdkAnnotations.of(receiver).acknowledgeWarning('cdk-happ-webhooks:apiGatewayAccountRole');
    expect(warnings(stack).filter((w) => /account-wide API Gateway/.test(w))).toEqual([]);
  });
});

describe('HTTP API: throttled and too-large requests are counted the same way', () => {
  it('its access log carries apiId and errorResponseType, and the two alarms watch its ApiId', () => {
    const { stack, receiver, template } = receiverStack({ ingress: HappIngress.httpApi() });
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format.replace('$context.status', '200')); // status is a bare number
    expect(format).toMatchObject({
      apiId: '$context.apiId',
      errorResponseType: '$context.error.responseType',
    });
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map(
      (f) => f.Properties.FilterPattern,
    );
    expect(filters.sort()).toEqual(['{ $.status = 413 }', '{ $.status = 429 }']);
    const api = (receiver.ingress as HttpApiIngress).api;
    for (const alarm of [receiver.alarms!.apiThrottled!, receiver.alarms!.apiRequestTooLarge!]) {
      const props =
        template.toJSON().Resources[stack.getLogicalId(alarm.node.defaultChild as never)].Properties;
      expect(props.Dimensions).toEqual([
        { Name: 'ApiId', Value: { Ref: stack.getLogicalId(api.node.defaultChild as never) } },
      ]);
    }
  });
});
