#!/usr/bin/env node
// The example CDK app that cdk.json runs: a receiver and one subscriber that logs every event.
// `npx cdk synth` works offline, with no AWS credentials (the stack is environment-agnostic).
import { App, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { HappWebhookReceiver } from '../lib';
import { bundledCode } from '../lib/private/assets';

export class HappWebhooksExampleStack extends Stack {
  public readonly receiver: HappWebhookReceiver;
  public readonly exampleHandler: lambda.Function;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.receiver = new HappWebhookReceiver(this, 'Happ');

    const logGroup = new logs.LogGroup(this, 'ExampleHandlerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    const role = new iam.Role(this, 'ExampleHandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resourceArns: [logGroup.logGroupArn],
    });
    this.exampleHandler = new lambda.Function(this, 'ExampleHandler', {
      description: 'Example Happ webhook subscriber: logs each event',
      code: bundledCode('example'),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(30),
      logGroup,
      role,
    });
    this.receiver.addSubscriber('Logger', this.exampleHandler);

    new CfnOutput(this, 'ChatWebhookUrl', {
      description: 'Paste into Happ > Integrations > Chat Webhook',
      value: this.receiver.chatUrl!,
    });
    new CfnOutput(this, 'CallWebhookUrl', {
      description: 'Paste into Happ > Integrations > Call Webhook',
      value: this.receiver.callUrl!,
    });
    new CfnOutput(this, 'ChatSecretArn', {
      description:
        'aws secretsmanager get-secret-value --query SecretString --output text --secret-id <this>',
      value: this.receiver.chatSecret!.secretArn,
    });
    new CfnOutput(this, 'CallSecretArn', {
      description:
        'aws secretsmanager get-secret-value --query SecretString --output text --secret-id <this>',
      value: this.receiver.callSecret!.secretArn,
    });
    new CfnOutput(this, 'TopicArn', {
      description: 'Every accepted Happ delivery is published here',
      value: this.receiver.topic.topicArn,
    });
  }
}

if (require.main === module) {
  const app = new App();
  new HappWebhooksExampleStack(app, 'HappWebhooksExample', {
    description: 'cdk-happ-webhooks example: receives Happ chat and call webhooks',
  });
  app.synth();
}
