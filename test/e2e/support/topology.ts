// The pipeline exactly as the construct defines it: synthesize a stack with HappWebhookReceiver and
// two addSubscriber calls, read the resources from the CloudFormation template (table key schema,
// verifier environment, queues with their redrive policies, subscriptions with their filter
// policies and raw delivery, event source mappings, the API's binary media types), then create the
// same resources on the local emulators (dynalite, fauxqs).
import { randomUUID } from 'node:crypto';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CreateTableCommand, DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HappIngress, HappWebhookReceiver, type HappSubscriberOptions } from 'cdk-happ-webhooks';
import type { LocalSecretsManagerServer } from '../../../bin/local/secrets-manager-server';

type Json = Record<string, unknown>;
interface CfnResource {
  readonly Type: string;
  readonly Properties?: Json;
}

/** One subscriber as the template defines it. */
export interface SubscriberDefinition {
  /** The id given to addSubscriber. */
  readonly id: string;
  /** HAPP_SUBSCRIBER_NAME on its handler. */
  readonly subscriberName: string;
  /** The subscription's FilterPolicy (undefined = everything). */
  readonly filterPolicy?: Json;
  readonly filterPolicyScope?: string;
  readonly rawMessageDelivery: boolean;
  /** The queue's redrive policy to its DLQ. */
  readonly maxReceiveCount: number;
  /** The queue's visibility timeout in the template (seconds). */
  readonly visibilityTimeoutSeconds: number;
  /** The event source mapping's batch size and response types. */
  readonly batchSize: number;
  readonly functionResponseTypes: string[];
  /** HAPP_TABLE_NAME on its handler resolves to the receiver's table. */
  readonly tableEnvIsReceiverTable: boolean;
}

export interface PipelineDefinition {
  readonly table: {
    readonly keySchema: KeySchemaElement[];
    readonly attributeDefinitions: { AttributeName: string; AttributeType: string }[];
    readonly ttlAttribute?: string;
  };
  /** The verifier's environment; values that reference a resource are named by that resource's role. */
  readonly verifierEnvironment: Record<
    string,
    string | { ref: 'table' | 'topic' | 'bucket' | 'chatSecret' | 'callSecret' }
  >;
  /** The front door: the REST API's binary media types, or the HTTP API's routes and payload format. */
  readonly ingress: 'rest-api' | 'http-api';
  readonly binaryMediaTypes: string[];
  /** HTTP API: the route keys (`POST /chat`) and the integration's payload format version. */
  readonly routes: string[];
  readonly payloadFormatVersion?: string;
  readonly subscribers: SubscriberDefinition[];
}

const logicalIdOf = (value: unknown): string | undefined => {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
};

/** Synthesizes the receiver with the given subscribers and reads the pipeline from the template. */
export function synthesizePipeline(
  subscribers: Record<string, HappSubscriberOptions>,
  ingress: 'rest-api' | 'http-api' = 'rest-api',
): PipelineDefinition {
  // The template's own validation runs in the construct's tests; here only its content matters.
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'HappE2E');
  const receiver = new HappWebhookReceiver(stack, 'Happ', {
    ingress: ingress === 'http-api' ? HappIngress.httpApi() : HappIngress.restApi(),
  });
  for (const [id, options] of Object.entries(subscribers)) {
    const fn = new lambda.Function(stack, `${id}Handler`, {
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      timeout: Duration.seconds(10),
    });
    receiver.addSubscriber(id, fn, options);
  }
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnResource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const one = (type: string, predicate: (r: CfnResource) => boolean = () => true) => {
    const found = ofType(type).filter(([, r]) => predicate(r));
    if (found.length !== 1) throw new Error(`expected one ${type} in the template, found ${found.length}`);
    return found[0];
  };

  const env = (id: string) =>
    ((resources[id].Properties?.Environment as Json | undefined)?.Variables ?? {}) as Json;
  const [verifierId] = one('AWS::Lambda::Function', (r) =>
    Object.hasOwn(
      ((r.Properties?.Environment as Json | undefined)?.Variables ?? {}) as Json,
      'HAPP_TOPIC_ARN',
    ),
  );
  // The verifier's environment names the receiver's table, topic and bucket.
  const referenced = (variable: string): string => {
    const id = logicalIdOf(env(verifierId)[variable]);
    if (!id || !resources[id])
      throw new Error(`the verifier's ${variable} references no resource of the template`);
    return id;
  };
  const tableId = referenced('HAPP_TABLE_NAME');
  const table = resources[tableId];
  const roles: Record<string, 'table' | 'topic' | 'bucket'> = {
    [tableId]: 'table',
    [referenced('HAPP_TOPIC_ARN')]: 'topic',
    [referenced('HAPP_BUCKET_NAME')]: 'bucket',
  };
  const verifierEnvironment: PipelineDefinition['verifierEnvironment'] = {};
  for (const [name, value] of Object.entries(env(verifierId))) {
    if (typeof value === 'string') {
      verifierEnvironment[name] = value;
      continue;
    }
    const target = logicalIdOf(value);
    if (target && roles[target]) verifierEnvironment[name] = { ref: roles[target] };
    else if (name === 'HAPP_CHAT_SECRET_ARN') verifierEnvironment[name] = { ref: 'chatSecret' };
    else if (name === 'HAPP_CALL_SECRET_ARN') verifierEnvironment[name] = { ref: 'callSecret' };
    else
      throw new Error(
        `verifier environment ${name} references ${JSON.stringify(value)}, which the e2e cannot map`,
      );
  }

  const api = ingress === 'rest-api' ? one('AWS::ApiGateway::RestApi')[1] : undefined;
  const integration = ingress === 'http-api' ? one('AWS::ApiGatewayV2::Integration')[1] : undefined;
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => String(r.Properties?.RouteKey));
  const subscriberDefs: SubscriberDefinition[] = [];
  for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
    const queueId = logicalIdOf(mapping.Properties?.EventSourceArn);
    const functionId = logicalIdOf(mapping.Properties?.FunctionName);
    if (!queueId || !functionId)
      throw new Error('event source mapping without a queue or function reference');
    const queue = resources[queueId].Properties ?? {};
    const redrive = queue.RedrivePolicy as { maxReceiveCount: number; deadLetterTargetArn: unknown };
    const [, subscription] = one(
      'AWS::SNS::Subscription',
      (r) => r.Properties?.Protocol === 'sqs' && logicalIdOf(r.Properties?.Endpoint) === queueId,
    );
    const handlerEnv = env(functionId);
    const subscriberName = handlerEnv.HAPP_SUBSCRIBER_NAME as string;
    subscriberDefs.push({
      id: subscriberName,
      subscriberName,
      filterPolicy: subscription.Properties?.FilterPolicy as Json | undefined,
      filterPolicyScope: subscription.Properties?.FilterPolicyScope as string | undefined,
      rawMessageDelivery: subscription.Properties?.RawMessageDelivery === true,
      maxReceiveCount: redrive.maxReceiveCount,
      visibilityTimeoutSeconds: Number(queue.VisibilityTimeout ?? 30),
      batchSize: Number(mapping.Properties?.BatchSize ?? 10),
      functionResponseTypes: (mapping.Properties?.FunctionResponseTypes as string[]) ?? [],
      tableEnvIsReceiverTable: logicalIdOf(handlerEnv.HAPP_TABLE_NAME) === tableId,
    });
  }

  return {
    table: {
      keySchema: table.Properties?.KeySchema as KeySchemaElement[],
      attributeDefinitions: table.Properties
        ?.AttributeDefinitions as PipelineDefinition['table']['attributeDefinitions'],
      ttlAttribute: (table.Properties?.TimeToLiveSpecification as { AttributeName?: string } | undefined)
        ?.AttributeName,
    },
    verifierEnvironment,
    ingress,
    binaryMediaTypes: (api?.Properties?.BinaryMediaTypes as string[]) ?? [],
    routes,
    payloadFormatVersion: integration?.Properties?.PayloadFormatVersion as string | undefined,
    subscribers: subscriberDefs,
  };
}

/** Local resources, named uniquely per run. */
export interface LocalSubscriber {
  readonly definition: SubscriberDefinition;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly subscriptionArn: string;
}

export interface LocalPipeline {
  readonly tableName: string;
  readonly topicArn: string;
  readonly bucketName: string;
  readonly secretArns: { readonly chat: string; readonly call: string };
  readonly subscribers: LocalSubscriber[];
  /** The verifier's environment with every reference resolved to the local resources. */
  readonly verifierEnvironment: Record<string, string>;
}

export interface LocalClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
}

/**
 * Creates the defined pipeline on the emulators. `visibilityTimeoutSeconds` replaces the template's
 * (which is ≥ 6 × the handler timeout — minutes a test cannot wait), so failed messages return fast.
 */
export async function createLocalPipeline(
  definition: PipelineDefinition,
  clients: LocalClients,
  secrets: LocalSecretsManagerServer,
  secretValues: { chat: string; call: string },
  visibilityTimeoutSeconds: number,
): Promise<LocalPipeline> {
  const suffix = randomUUID().slice(0, 8);
  const tableName = `happ-e2e-${suffix}`;
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: definition.table.keySchema,
      AttributeDefinitions: definition.table.attributeDefinitions as never,
    }),
  );
  const { TopicArn: topicArn } = await clients.sns.send(
    new CreateTopicCommand({ Name: `happ-e2e-${suffix}` }),
  );
  const bucketName = `happ-e2e-claims-${suffix}`;
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  const secretArns = {
    chat: secrets.setSecret(`happ-e2e/${suffix}/chat`, secretValues.chat),
    call: secrets.setSecret(`happ-e2e/${suffix}/call`, secretValues.call),
  };

  const queueArn = async (url: string) =>
    (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;

  const subscribers: LocalSubscriber[] = [];
  for (const def of definition.subscribers) {
    const base = `happ-e2e-${suffix}-${def.subscriberName}`;
    const { QueueUrl: dlqUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${base}-dlq` }));
    const dlqArn = await queueArn(dlqUrl!);
    const { QueueUrl: queueUrl } = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: base,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        },
      }),
    );
    const arn = await queueArn(queueUrl!);
    const attributes: Record<string, string> = { RawMessageDelivery: String(def.rawMessageDelivery) };
    if (def.filterPolicy) attributes.FilterPolicy = JSON.stringify(def.filterPolicy);
    if (def.filterPolicyScope) attributes.FilterPolicyScope = def.filterPolicyScope;
    const { SubscriptionArn } = await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: attributes,
        ReturnSubscriptionArn: true,
      }),
    );
    subscribers.push({
      definition: def,
      queueUrl: queueUrl!,
      queueArn: arn,
      dlqUrl: dlqUrl!,
      subscriptionArn: SubscriptionArn!,
    });
  }

  const refs = {
    table: tableName,
    topic: topicArn!,
    bucket: bucketName,
    chatSecret: secretArns.chat,
    callSecret: secretArns.call,
  };
  const verifierEnvironment = Object.fromEntries(
    Object.entries(definition.verifierEnvironment).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : refs[v.ref],
    ]),
  );
  return { tableName, topicArn: topicArn!, bucketName, secretArns, subscribers, verifierEnvironment };
}
