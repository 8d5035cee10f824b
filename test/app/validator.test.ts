import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { HappWebhooksExampleStack } from '../../bin/app';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { HappIngress, HappWebhookReceiver } from '../../lib';

const STRICT = { context: { '@aws-cdk/core:validateAgainstDefaultRules': true } };

describe("the CDK's built-in CloudFormation validator", () => {
  it('finds no error in the example stack (findings are errors with validateAgainstDefaultRules)', () => {
    const app = new App(STRICT);
    new HappWebhooksExampleStack(app, 'HappWebhooksExample');
    expect(() => app.synth()).not.toThrow();
  });

  it('finds no error in a receiver with the archive on', () => {
    const app = new App(STRICT);
    new HappWebhookReceiver(new Stack(app, 'Archived'), 'Happ', { archive: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('finds no error in a receiver on the HTTP API ingress, custom domain included', () => {
    const app = new App(STRICT);
    const stack = new Stack(app, 'Http');
    new HappWebhookReceiver(stack, 'Happ', {
      ingress: HappIngress.httpApi(),
      domainName: 'hooks.example.com',
      certificate: acm.Certificate.fromCertificateArn(
        stack,
        'Cert',
        'arn:aws:acm:eu-west-1:123456789012:certificate/a',
      ),
    });
    expect(() => app.synth()).not.toThrow();
  });

  it('does fail synthesis on a template error under the same settings (the check above can fail)', () => {
    const app = new App(STRICT);
    const stack = new Stack(app, 'Broken');
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'soon' } });
    expect(() => app.synth()).toThrow(/VisibilityTimeout: 'soon' is not of type 'integer'/);
  });
});
