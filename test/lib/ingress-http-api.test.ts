import { Template, Match, Capture } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import {
  HappIngress,
  HappIngressKind,
  HappWebhookReceiver,
  HttpApiIngress,
  HTTP_API_STAGE_NAME,
  RestApiIngress,
} from '../../lib';
import { handlerFn, newStack, receiverStack } from './support';

const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/happ/abc';

function httpReceiver(props: Parameters<typeof receiverStack>[0] = {}) {
  const built = receiverStack({ ingress: HappIngress.httpApi(), ...props });
  return { ...built, ingress: built.receiver.ingress as HttpApiIngress };
}

describe('HappIngress.httpApi(): the HTTP API front door', () => {
  it('builds an HTTP API and no REST API, exposed as receiver.ingress with api, stage, url', () => {
    const { receiver, template, ingress } = httpReceiver();
    expect(receiver.ingress.kind).toBe(HappIngressKind.HTTP_API);
    expect(ingress).toBeInstanceOf(HttpApiIngress);
    expect(ingress.api).toBeDefined();
    expect(ingress.stage.stageName).toBe(HTTP_API_STAGE_NAME);
    expect(ingress.url).toBe(ingress.stage.url);
    expect(receiver.accessLogGroup).toBe(ingress.accessLogGroup);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      Name: 'Test-Happ',
      Description: 'Receives Happ chat and call webhooks',
    });
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.resourceCountIs('AWS::ApiGateway::Stage', 0);
  });

  it('routes POST /chat and POST /call to the verifier through one payload-2.0 proxy integration', () => {
    const { template, receiver, stack } = httpReceiver();
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /chat',
      AuthorizationType: 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /call' });
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: stack.resolve(receiver.verifier.functionArn),
    });
    // one invoke permission per route, each scoped to its route
    const sourceArn = new Capture();
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { FunctionName: stack.resolve(receiver.verifier.functionArn), SourceArn: sourceArn },
      2,
    );
    expect(JSON.stringify(sourceArn.asObject())).toMatch(/\/\*\/\*\/(chat|call)/);
  });

  it('serves only the enabled routes', () => {
    const { template, receiver } = httpReceiver({ enableChat: false });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /call' });
    expect(receiver.chatUrl).toBeUndefined();
  });

  it('adds later routes of any method and nested path (tools), one integration per function', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', { ingress: HappIngress.httpApi() });
    const tool = handlerFn(stack, 'ToolFn');
    receiver.ingress.addRoute({ path: 'tools/lookup-order', method: 'POST', handler: tool });
    receiver.ingress.addRoute({ path: '/tools/lookup-order', method: 'get', handler: tool });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /tools/lookup-order' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /tools/lookup-order' });
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 2);
    expect(JSON.stringify(stack.resolve(receiver.ingress.urlForPath('tools/lookup-order')))).toMatch(
      /\/tools\/lookup-order"/,
    );
  });

  it('fails when a route method is not an HTTP method', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', { ingress: HappIngress.httpApi() });
    expect(() =>
      receiver.ingress.addRoute({ path: 'x', method: 'FETCH', handler: handlerFn(stack, 'Fn') }),
    ).toThrow(
      /route method must be one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT \(given FETCH\)/,
    );
  });

  it('has one $default stage, auto-deployed, throttled with the receiver settings', () => {
    const { template } = httpReceiver({ throttlingRateLimit: 20, throttlingBurstLimit: 40 });
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({
        ThrottlingRateLimit: 20,
        ThrottlingBurstLimit: 40,
        DetailedMetricsEnabled: false,
      }),
    });
  });

  it('throttles at 50 per second, burst 100, by default (as the REST API)', () => {
    const { template } = httpReceiver();
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
    });
  });

  it('turns on per-route metrics only when asked', () => {
    const { template } = receiverStack({ ingress: HappIngress.httpApi({ detailedMetrics: true }) });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ DetailedMetricsEnabled: true }),
    });
  });

  it('writes JSON access logs to its own log group: no headers, no body, status a number', () => {
    const { template, stack, ingress } = httpReceiver({ logRetention: 7 });
    const format = new Capture();
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: stack.resolve(ingress.accessLogGroup.logGroupArn),
        Format: format,
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    const line = format.asString();
    for (const field of [
      'requestId',
      'requestTime',
      'ip',
      'httpMethod',
      'routeKey',
      'path',
      'protocol',
      'status',
      'responseLength',
      'responseLatency',
      'integrationLatency',
      'integrationStatus',
      'errorMessage',
      'integrationErrorMessage',
    ]) {
      expect(line).toContain(`"${field}":`);
    }
    expect(line).not.toMatch(/header|requestBody|body|querystring|signature/i);
    expect(line).toContain('"status":$context.status}');
    // what API Gateway writes for a throttled request is valid JSON with a numeric status,
    // so a metric filter { $.status = 429 } matches it
    const written = line.replace(/\$context\.status/, '429').replace(/\$context\.[a-zA-Z.]+/g, '-');
    expect(JSON.parse(written)).toMatchObject({ status: 429, requestId: '-' });
  });

  it('has no execution log group (HTTP APIs have none); the REST API access log writes status as a string', () => {
    const { template } = httpReceiver();
    template.resourceCountIs('AWS::Logs::LogGroup', 2); // access logs + verifier
    const rest = receiverStack().template;
    const format = new Capture();
    rest.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { Format: format } });
    expect(format.asString()).toContain('"status":"$context.status"');
  });

  it('exposes 5xx, Latency and IntegrationLatency of the stage (dimensions ApiId and Stage) and alarms on them', () => {
    const { template, stack, ingress } = httpReceiver();
    const apiId = stack.resolve(ingress.api.apiId);
    expect(stack.resolve(ingress.metricServerErrors().toMetricConfig().metricStat)).toMatchObject({
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      statistic: 'Sum',
      dimensions: [
        { name: 'ApiId', value: apiId },
        { name: 'Stage', value: '$default' },
      ],
    });
    expect(ingress.metricLatency().metricName).toBe('Latency');
    expect(ingress.metricIntegrationLatency().metricName).toBe('IntegrationLatency');
    expect(ingress.metricClientErrors().metricName).toBe('4xx');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: Match.arrayWith([{ Name: 'ApiId', Value: apiId }]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: Match.arrayWith([{ Name: 'Stage', Value: '$default' }]),
    });
    // no alarm watches a REST API metric name (ApiName dimension) with the HTTP API
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('"ApiName"');
    expect(json).not.toContain('5XXError');
  });

  it('serves a custom domain with TLS 1.2, mapped to the stage, and uses it in the URLs', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:us-east-1:123456789012:certificate/x',
    );
    const receiver = new HappWebhookReceiver(stack, 'Happ', {
      ingress: HappIngress.httpApi(),
      domainName: 'hooks.example.com',
      certificate,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'hooks.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x',
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      Stage: '$default',
      DomainName: Match.anyValue(),
    });
    const ingress = receiver.ingress as HttpApiIngress;
    expect(ingress.domain).toBeDefined();
    expect(ingress.apiMapping).toBeDefined();
    expect(receiver.callUrl).toBe('https://hooks.example.com/call');
    expect(ingress.url).toBe('https://hooks.example.com/');
  });

  it('URLs without a custom domain are the stage URL plus the path (no stage segment)', () => {
    const { receiver, stack } = httpReceiver();
    const url = JSON.stringify(stack.resolve(receiver.chatUrl));
    expect(url).toContain('execute-api');
    expect(url).toMatch(/\/chat"/);
    expect(url).not.toContain('$default');
  });

  describe('REST-only props are refused at synth, with the reason and the alternative', () => {
    it('fails when webAclArn is given on the receiver', () => {
      expect(() => httpReceiver({ webAclArn: WEB_ACL })).toThrow(
        /webAclArn is a REST API option \(given ".*webacl\/happ\/abc" on the receiver\) and this receiver uses HappIngress.httpApi\(\): HTTP APIs cannot be associated with AWS WAF; put CloudFront with a web ACL in front of the HTTP API, or use HappIngress.restApi\(\)/,
      );
    });

    it('fails when createApiGatewayCloudWatchRole is given explicitly (true or false)', () => {
      for (const value of [true, false]) {
        expect(() => httpReceiver({ createApiGatewayCloudWatchRole: value })).toThrow(
          new RegExp(
            `createApiGatewayCloudWatchRole is a REST API option \\(given ${value} on the receiver\\).*HTTP APIs write access logs without the account-level API Gateway CloudWatch role`,
          ),
        );
      }
    });

    it('fails when a REST-only option reaches HappIngress.httpApi() from untyped code', () => {
      const options = { webAclArn: WEB_ACL } as unknown as Parameters<typeof HappIngress.httpApi>[0];
      expect(() => receiverStack({ ingress: HappIngress.httpApi(options) })).toThrow(
        /webAclArn is a REST API option \(given .* in HappIngress.httpApi\(\)\)/,
      );
    });
  });

  describe('REST-only receiver getters', () => {
    it('fail clearly with the HTTP API, naming the way out', () => {
      const { receiver } = httpReceiver();
      expect(() => receiver.api).toThrow(
        /receiver.api exists only with the REST API ingress; this receiver uses http-api: use receiver.ingress/,
      );
      expect(() => receiver.executionLogGroup).toThrow(
        /receiver.executionLogGroup exists only with the REST API/,
      );
      expect(() => receiver.domain).toThrow(/receiver.domain exists only with the REST API/);
      expect(receiver.webAclAssociation).toBeUndefined();
    });

    it('keep working with the REST API', () => {
      const { receiver } = receiverStack();
      expect(receiver.ingress).toBeInstanceOf(RestApiIngress);
      expect(receiver.api).toBe((receiver.ingress as RestApiIngress).api);
      expect(receiver.executionLogGroup).toBeDefined();
      expect(receiver.domain).toBeUndefined();
    });
  });
});
