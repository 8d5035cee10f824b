import { Annotations, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { DEFAULTS } from '../lambda/shared/env';
import { HappSource } from '../lambda/shared/envelope';
import {
  DEFAULT_ARCHIVE_RETENTION,
  HappArchive,
  type HappArchiveOptions,
  validateArchiveOptions,
} from './archive';
import { HappIngress } from './ingress/ingress';
import { RestApiIngress } from './ingress/rest-api';
import type { IHappIngress } from './ingress/types';
import { ReceiverAlarms, ReceiverMonitoring } from './monitoring';
import { createTopic } from './private/fan-out';
import { createWebhookSecrets } from './private/secrets';
import { createStore } from './private/store';
import { createVerifier } from './private/verifier';
import {
  HappEndpoints,
  HappWebhookReceiverProps,
  validateReceiverId,
  validateReceiverProps,
} from './receiver-props';
import { HappSubscriber, HappSubscriberOptions, IHappWebhookReceiver } from './subscriber';
import { HappTool, type HappToolOptions, type IHappToolReceiver } from './tool';

/**
 * Receives Happ chat and call webhooks: a front door (API Gateway) → verifier Lambda (HMAC,
 * idempotency, claim check) → SNS topic, and one SQS queue + DLQ + Lambda per `addSubscriber`.
 *
 * The constructor reads as the list of its parts, each built by its own file: secrets
 * (`private/secrets.ts`), store (`private/store.ts`), fan-out (`private/fan-out.ts`), verifier
 * (`private/verifier.ts`), ingress (`ingress/`), monitoring (`monitoring.ts`). Every part creates its
 * resources directly in this construct, under the construct ids they have always had: ids are a
 * contract (renaming one replaces the resource, and a table or queue with its data).
 */
export class HappWebhookReceiver extends Construct implements IHappWebhookReceiver {
  /** The verifier Lambda behind both routes. */
  public readonly verifier: lambda.Function;
  /** The verifier's log group. */
  public readonly verifierLogGroup: logs.LogGroup;
  /** The front door Happ posts to (`HappIngress.restApi()` unless `ingress` says otherwise). */
  public readonly ingress: IHappIngress;
  /** The idempotency table (partition key `id`, TTL `expiration`), shared with subscriber runtimes. */
  public readonly table: dynamodb.Table;
  /** The topic every accepted delivery is published to (message attributes `source` and `type`). */
  public readonly topic: sns.Topic;
  /** The claim-check bucket for bodies too large for one SNS message. */
  public readonly bucket: s3.Bucket;
  /** The chat signing secret, or undefined when the chat route is disabled. */
  public readonly chatSecret?: secretsmanager.ISecret;
  /** The call signing secret, or undefined when the call route is disabled. */
  public readonly callSecret?: secretsmanager.ISecret;
  /** The URL to paste into Happ's Chat Webhook settings, or undefined when disabled. */
  public readonly chatUrl?: string;
  /** The URL to paste into Happ's Call Webhook settings, or undefined when disabled. */
  public readonly callUrl?: string;
  /** Both URLs. */
  public readonly endpoints: HappEndpoints;
  /** Alarms, alarm topic and dashboard; undefined when `monitoring` is false. */
  public readonly monitoring?: ReceiverMonitoring;
  /** The receiver's alarms (each subscriber has its own `alarms`); undefined when `monitoring` is false. */
  public readonly alarms?: ReceiverAlarms;
  /** The topic every alarm notifies (ALARM and OK); undefined when `monitoring` is false. */
  public readonly alarmTopic?: sns.ITopic;
  /** The CloudWatch dashboard; undefined unless `dashboard` (or `dashboardName`) is set and monitoring is on. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The event archive (bucket, delivery streams, alarms); undefined unless `archive` is set. */
  public readonly archive?: HappArchive;
  /** What happens to the table, bucket, generated secrets and subscriber queues when they leave the stack. */
  public readonly removalPolicy: RemovalPolicy;

  private readonly _subscribers: HappSubscriber[] = [];
  private subscribersScope?: Construct;
  private readonly _tools: HappTool[] = [];
  private toolsScope?: Construct;
  private readonly toolReceiver: Omit<IHappToolReceiver, 'toolAlarmActions' | 'dashboard'>;

  constructor(scope: Construct, id: string, props: HappWebhookReceiverProps = {}) {
    super(scope, id);
    validateReceiverId(id);
    validateReceiverProps(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.removalPolicy = removalPolicy;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const routes = [
      { source: HappSource.CHAT, enabled: props.enableChat ?? true },
      { source: HappSource.CALL, enabled: props.enableCall ?? true },
    ].filter((route) => route.enabled);

    // 1. secrets: one per enabled route
    const secrets = createWebhookSecrets(this, {
      enableChat: props.enableChat ?? true,
      enableCall: props.enableCall ?? true,
      chatSecret: props.chatSecret,
      callSecret: props.callSecret,
      removalPolicy,
    });
    this.chatSecret = secrets.chat;
    this.callSecret = secrets.call;

    // 2. store: idempotency table and claim-check bucket
    const archiveOptions = props.archive === true ? {} : props.archive || undefined;
    const store = createStore(this, {
      removalPolicy,
      claimCheckExpiration: this.claimCheckExpiration(props, archiveOptions),
      claimCheckAccessLogsBucket: props.claimCheckAccessLogsBucket,
      tableEncryptionKey: props.tableEncryptionKey,
    });
    this.table = store.table;
    this.bucket = store.bucket;

    // 3. fan-out: the topic
    this.topic = createTopic(this, props.topicEncryptionKey);

    // 4. verifier
    const verifier = createVerifier(
      this,
      {
        secrets,
        table: this.table,
        topic: this.topic,
        topicEncryptionKey: props.topicEncryptionKey,
        bucket: this.bucket,
      },
      props,
      logRetention,
    );
    this.verifier = verifier.function;
    this.verifierLogGroup = verifier.logGroup;

    // 5. ingress: the front door, POST /chat and POST /call to the verifier
    this.ingress = (props.ingress ?? HappIngress.restApi()).bind(this, {
      apiName: `${Stack.of(this).stackName}-${this.node.id}`,
      description: 'Receives Happ chat and call webhooks',
      throttlingRateLimit: props.throttlingRateLimit ?? 50,
      throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
      logRetention,
      domainName: props.domainName,
      certificate: props.certificate,
      createApiGatewayCloudWatchRole: props.createApiGatewayCloudWatchRole,
      webAclArn: props.webAclArn,
    });
    for (const route of routes) {
      this.ingress.addRoute({ path: route.source, method: 'POST', handler: this.verifier });
    }
    const url = (source: HappSource) =>
      routes.some((r) => r.source === source) ? this.ingress.urlForPath(source) : undefined;
    this.chatUrl = url(HappSource.CHAT);
    this.callUrl = url(HappSource.CALL);
    this.endpoints = { chat: this.chatUrl, call: this.callUrl };

    this.toolReceiver = {
      ingress: this.ingress,
      table: this.table,
      removalPolicy,
      logRetention,
      signatureScheme: {
        header: props.signatureHeader ?? DEFAULTS.signatureHeader,
        encodings: props.signatureEncodings?.map((e) => e.value) ?? [...DEFAULTS.signatureEncodings],
        prefix: props.signaturePrefix ?? DEFAULTS.signaturePrefix,
      },
    };

    // 6. monitoring
    this.monitoring = this.createMonitoring(props);
    this.alarms = this.monitoring?.alarms;
    this.alarmTopic = this.monitoring?.alarmTopic;
    this.dashboard = this.monitoring?.dashboard;

    // 7. archive (optional): every envelope published, kept in S3 through Firehose
    if (archiveOptions) {
      this.archive = new HappArchive(this, 'Archive', {
        logRetention,
        ...archiveOptions,
        topic: this.topic,
        sources: routes.map((r) => r.source),
        alarmActions: this.monitoring?.alarmActions,
      });
    }
  }

  /** The REST API, when the ingress is `HappIngress.restApi()` (the default). */
  public get api(): apigw.RestApi {
    return this.restApiIngress('api').api;
  }

  /** The front door's access log group (one JSON line per request; never headers or bodies). */
  public get accessLogGroup(): logs.LogGroup {
    return this.ingress.accessLogGroup;
  }

  /** The REST API stage's execution log group (errors only), when the ingress is the REST API. */
  public get executionLogGroup(): logs.LogGroup {
    return this.restApiIngress('executionLogGroup').executionLogGroup;
  }

  /**
   * The REST API's custom domain, when `domainName` is set (REST API only: with another ingress this
   * throws; read `receiver.ingress.domain`, e.g. `HttpApiIngress.domain`).
   */
  public get domain(): apigw.DomainName | undefined {
    return this.restApiIngress('domain').domain;
  }

  /** The web ACL association, when `webAclArn` is set (REST API only). */
  public get webAclAssociation(): wafv2.CfnWebACLAssociation | undefined {
    return this.ingress instanceof RestApiIngress ? this.ingress.webAclAssociation : undefined;
  }

  /** Every subscriber added with `addSubscriber`, in order. */
  public get subscribers(): readonly HappSubscriber[] {
    return [...this._subscribers];
  }

  /**
   * Delivers the deliveries matching `options` (`sources`, `events`) to `handler` through its own
   * SQS queue and dead-letter queue. `id` names the subscriber: its construct id and its
   * `HAPP_SUBSCRIBER_NAME`, which namespaces its idempotency keys — keep it stable.
   */
  public addSubscriber(
    id: string,
    handler: lambda.IFunction,
    options: HappSubscriberOptions = {},
  ): HappSubscriber {
    if (this._subscribers.some((s) => s.node.id === id)) {
      throw new Error(`addSubscriber id must be unique per receiver ('${id}' is already subscribed)`);
    }
    this.subscribersScope ??= new Construct(this, 'Subscribers');
    const subscriber = new HappSubscriber(this.subscribersScope, id, { ...options, receiver: this, handler });
    this._subscribers.push(subscriber);
    return subscriber;
  }

  /** Every tool added with `addTool`, in order. */
  public get tools(): readonly HappTool[] {
    return [...this._tools];
  }

  /**
   * Adds a Happ tool webhook (lib/tool.ts): a route (`tools/<name>` unless `path` says otherwise) on
   * this receiver's front door to a function built from `options.entry` with the verifying wrapper
   * around it, its own secret, alarms on this receiver's alarm topic, and its definition as an output.
   */
  public addTool(id: string, options: HappToolOptions): HappTool {
    const name = options.name ?? id;
    if (this._tools.some((t) => t.node.id === id || t.name === name)) {
      throw new Error(
        `addTool id and name must be unique per receiver ('${id}' / '${name}' is already a tool)`,
      );
    }
    this.toolsScope ??= new Construct(this, 'Tools');
    const receiver: IHappToolReceiver = {
      ...this.toolReceiver,
      toolAlarmActions: this.monitoring?.alarmActions,
      dashboard: this.dashboard,
    };
    const tool = new HappTool(this.toolsScope, id, { ...options, receiver });
    // The receiver's alarm list and its composite "page" alarm cover tools too.
    this.monitoring?.addAlarms(tool.listAlarmEntries());
    this._tools.push(tool);
    return tool;
  }

  /**
   * With an archive, claim-checked bodies must outlive it (an archived claim-checked event replays with
   * its payload): the bucket keeps them at least as long as the archive keeps events.
   */
  private claimCheckExpiration(
    props: HappWebhookReceiverProps,
    archive: HappArchiveOptions | undefined,
  ): Duration | undefined {
    if (!archive) return props.claimCheckExpiration;
    validateArchiveOptions(archive);
    const retention = archive.retention ?? DEFAULT_ARCHIVE_RETENTION;
    const given = props.claimCheckExpiration ?? Duration.days(30);
    if (retention.isUnresolved() || given.isUnresolved() || given.toDays() >= retention.toDays())
      return given;
    if (props.claimCheckExpiration) {
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:claimCheckExpirationExtended',
        `claimCheckExpiration (${given.toHumanString()}) is shorter than archive.retention (${retention.toHumanString()}): claim-checked bodies are kept ${retention.toHumanString()} so archived events replay with their payload`,
      );
    }
    return retention;
  }

  private restApiIngress(field: string): RestApiIngress {
    if (this.ingress instanceof RestApiIngress) return this.ingress;
    throw new Error(
      `receiver.${field} exists only with the REST API ingress; this receiver uses ${this.ingress.kind}: use receiver.ingress`,
    );
  }

  /** The monitoring part: alarms, alarm topic and dashboard (in a nested stack when asked). */
  private createMonitoring(props: HappWebhookReceiverProps): ReceiverMonitoring | undefined {
    if (!(props.monitoring ?? true)) {
      const ignored = (
        [
          'alarmTopic',
          'alarmEmail',
          'pageTopic',
          'receiverAlarms',
          'subscriberAlarms',
          'dashboard',
          'dashboardName',
          'monitoringInNestedStack',
        ] as const
      ).filter((name) => props[name] !== undefined);
      if (ignored.length > 0) {
        Annotations.of(this).addWarningV2(
          'cdk-happ-webhooks:monitoringOptionsIgnored',
          `${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored because monitoring is false`,
        );
      }
      return undefined;
    }
    const scope = props.monitoringInNestedStack
      ? new NestedStack(this, 'MonitoringStack', {
          description: 'Happ webhook receiver alarms and dashboard',
        })
      : this;
    return new ReceiverMonitoring(scope, 'Monitoring', {
      ingress: this.ingress,
      verifier: this.verifier,
      topic: this.topic,
      alarmTopic: props.alarmTopic,
      alarmEmail: props.alarmEmail,
      pageTopic: props.pageTopic,
      receiverAlarms: props.receiverAlarms,
      subscriberAlarms: props.subscriberAlarms,
      dashboard: props.dashboard,
      dashboardName: props.dashboardName,
    });
  }
}

export { SignatureEncoding } from './receiver-props';
export type { HappEndpoints, HappWebhookReceiverProps } from './receiver-props';
