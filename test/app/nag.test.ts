import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { HappIngress, HappSource, HappWebhookReceiver } from '../../lib';
import { exampleStack } from './support';

/** Every acknowledgement in the tree: rule id → reason, with the construct path. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it('finds nothing unacknowledged in the example stack', () => {
    const { app } = exampleStack();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('passes when registered as a validation plugin, the way users run it', () => {
    const { app } = exampleStack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges only these rules, each with a written reason', () => {
    const { app } = exampleStack();
    const acks = acknowledgements(app);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);
    expect([...new Set(acks.map((a) => a.id.replace(/\[.*\]$/, '')))].sort()).toEqual([
      'AwsSolutions-APIG2',
      'AwsSolutions-APIG3',
      'AwsSolutions-APIG4',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
    ]);
    // IAM findings are acknowledged one finding at a time, never the whole rule.
    for (const ack of acks.filter((a) => a.id.startsWith('AwsSolutions-IAM'))) {
      expect(ack.id).toMatch(/\[(Resource|Policy)::.+\]$/);
    }
  });

  it('finds nothing with every option set either (domain, web ACL, log bucket, keys, imported handler)', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Full');
    const receiver = new HappWebhookReceiver(stack, 'Happ', {
      domainName: 'hooks.example.com',
      certificate: acm.Certificate.fromCertificateArn(
        stack,
        'Cert',
        'arn:aws:acm:eu-west-1:123456789012:certificate/a',
      ),
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/happ/abc',
      claimCheckAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs'),
      topicEncryptionKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }),
      createApiGatewayCloudWatchRole: false,
    });
    const imported = lambda.Function.fromFunctionArn(
      stack,
      'Fn',
      'arn:aws:lambda:eu-west-1:123456789012:function:crm',
    );
    receiver.addSubscriber('Crm', imported, {
      sources: [HappSource.CALL],
      handlerTimeout: Duration.seconds(30),
    });
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('cdk-nag with the archive on', () => {
  it('finds nothing unacknowledged', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Archived');
    new HappWebhookReceiver(stack, 'Happ', { archive: true });
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });
});

describe('cdk-nag with the HTTP API ingress', () => {
  function httpApp(props: ConstructorParameters<typeof HappWebhookReceiver>[2] = {}) {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Http');
    new HappWebhookReceiver(stack, 'Happ', { ingress: HappIngress.httpApi(), ...props });
    return { app, stack };
  }

  it('finds nothing unacknowledged, custom domain included', () => {
    const { app } = httpApp();
    const plain = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      plain.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    const withDomain = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(withDomain, 'HttpDomain');
    new HappWebhookReceiver(stack, 'Happ', {
      ingress: HappIngress.httpApi(),
      domainName: 'hooks.example.com',
      certificate: acm.Certificate.fromCertificateArn(
        stack,
        'Cert',
        'arn:aws:acm:eu-west-1:123456789012:certificate/a',
      ),
    });
    const report = new AwsSolutionsChecks(withDomain).validateScope(withDomain);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('acknowledges on the HTTP API only APIG4 (no authorizer: HMAC in the verifier), with its reason', () => {
    const { app } = httpApp();
    const onApi = acknowledgements(app).filter((a) => a.path.endsWith('/Happ/HttpApi'));
    expect(onApi.map((a) => a.id)).toEqual(['AwsSolutions-APIG4']);
    expect(onApi[0].reason).toMatch(/HMAC-SHA256 signature in the verifier/);
    // the REST-only acknowledgements (WAF, request validation, logging role) are not carried over
    const ids = acknowledgements(app).map((a) => a.id);
    expect(ids).not.toContain('AwsSolutions-APIG3');
    expect(ids).not.toContain('AwsSolutions-APIG2');
  });

  it('would report APIG4 without the acknowledgement (the rule sees HTTP API routes without authorizer)', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Bare');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    new apigwv2.HttpApi(stack, 'Api').addRoutes({
      path: '/chat',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Int', fn),
    });
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-APIG4');
  });
});
