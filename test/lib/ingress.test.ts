import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  HappIngress,
  HappIngressKind,
  HappWebhookReceiver,
  RestApiIngress,
  type HappIngressBindProps,
  type HappRoute,
  type IHappIngress,
} from '../../lib';
import { handlerFn, newStack, receiverStack } from './support';

const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/happ/abc';

describe('HappIngress: the front door seam', () => {
  it('defaults to the REST API, exposed as receiver.ingress and receiver.api', () => {
    const { receiver } = receiverStack();
    expect(receiver.ingress.kind).toBe(HappIngressKind.REST_API);
    expect(receiver.ingress).toBeInstanceOf(RestApiIngress);
    expect(receiver.api).toBe((receiver.ingress as RestApiIngress).api);
    expect(receiver.accessLogGroup).toBe(receiver.ingress.accessLogGroup);
  });

  it('HappIngress.restApi() given explicitly builds exactly the default template', () => {
    const implicit = receiverStack().template.toJSON();
    const explicit = receiverStack({ ingress: HappIngress.restApi() }).template.toJSON();
    expect(explicit).toEqual(implicit);
  });

  it('takes the REST-only options on the ingress or, as before, on the receiver', () => {
    const onIngress = receiverStack({
      ingress: HappIngress.restApi({ webAclArn: WEB_ACL, createApiGatewayCloudWatchRole: false }),
    }).template.toJSON();
    const onReceiver = receiverStack({
      webAclArn: WEB_ACL,
      createApiGatewayCloudWatchRole: false,
    }).template.toJSON();
    expect(onIngress).toEqual(onReceiver);
    expect(JSON.stringify(onIngress)).toContain(WEB_ACL);
  });

  it('fails when a REST-only option is given on both with different values', () => {
    expect(() =>
      receiverStack({
        webAclArn: WEB_ACL,
        ingress: HappIngress.restApi({ webAclArn: `${WEB_ACL}-other` }),
      }),
    ).toThrow(/webAclArn is given both on the receiver .* and in HappIngress.restApi\(\) .*: give it once/);
  });

  it('adds routes below the root, nested paths included, one integration permission per method', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ');
    const tool = handlerFn(stack, 'ToolFn');
    receiver.ingress.addRoute({ path: 'tools/lookup-order', method: 'POST', handler: tool });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'tools' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'lookup-order' });
    template.resourceCountIs('AWS::ApiGateway::Method', 3);
    template.resourceCountIs('AWS::Lambda::Permission', 3);
    const url = stack.resolve(receiver.ingress.urlForPath('tools/lookup-order'));
    expect(JSON.stringify(url)).toContain('/tools/lookup-order');
  });

  it('builds URLs on the custom domain when there is one', () => {
    const stack = newStack();
    const receiver = new HappWebhookReceiver(stack, 'Happ', {
      domainName: 'hooks.example.com',
      certificate: acm.Certificate.fromCertificateArn(
        stack,
        'Cert',
        'arn:aws:acm:us-east-1:123456789012:certificate/x',
      ),
    });
    expect(receiver.ingress.urlForPath('call')).toBe('https://hooks.example.com/call');
    expect(receiver.callUrl).toBe('https://hooks.example.com/call');
  });

  describe('another kind of ingress plugs into the same seam', () => {
    class RecordingIngress extends HappIngress {
      public readonly kind = HappIngressKind.HTTP_API;
      public bound?: HappIngressBindProps;
      public readonly routes: HappRoute[] = [];
      public bind(scope: Construct, props: HappIngressBindProps): IHappIngress {
        this.bound = props;
        const routes = this.routes;
        const metric = (metricName: string) => new cloudwatch.Metric({ namespace: 'Test', metricName });
        return {
          kind: this.kind,
          accessLogGroup: new logs.LogGroup(scope, 'TestAccessLogs'),
          urlForPath: (path) => `https://test.example/${path}`,
          addRoute: (route) => routes.push(route),
          metricServerErrors: () => metric('5xx'),
          metricLatency: () => metric('Latency'),
          metricIntegrationLatency: () => metric('IntegrationLatency'),
        };
      }
    }

    it('gets the receiver settings and the two routes to the verifier, and feeds the alarms', () => {
      const ingress = new RecordingIngress();
      const stack = newStack();
      const receiver = new HappWebhookReceiver(stack, 'Happ', { ingress, throttlingRateLimit: 7 });
      expect(ingress.bound).toMatchObject({ apiName: 'Test-Happ', throttlingRateLimit: 7 });
      expect(ingress.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST chat', 'POST call']);
      expect(ingress.routes.every((r) => r.handler === receiver.verifier)).toBe(true);
      expect(receiver.chatUrl).toBe('https://test.example/chat');
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Test',
        MetricName: '5xx',
      });
    });

    it('fails with the way out when a REST-only field is read', () => {
      const stack: Stack = newStack();
      const receiver = new HappWebhookReceiver(stack, 'Happ', { ingress: new RecordingIngress() });
      expect(() => receiver.api).toThrow(
        /receiver.api exists only with the REST API ingress; this receiver uses http-api: use receiver.ingress/,
      );
      expect(() => receiver.domain).toThrow(/receiver.domain exists only with the REST API ingress/);
    });
  });
});
