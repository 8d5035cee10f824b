import {
  Annotations,
  CfnElement,
  Duration,
  NestedStack,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { DEFAULTS, ENV } from '../lambda/shared/env';
import { HappSource } from '../lambda/shared/envelope';
import { METRICS_NAMESPACE } from '../lambda/shared/metrics';
import { MonitoringOptions, ReceiverAlarms, ReceiverMonitoring } from './monitoring';
import { bundledCode } from './private/assets';
import {
  validateDuration,
  validateFieldList,
  validateInteger,
  validatePositive,
  validateWhole,
} from './private/validate';
import { HappSubscriber, HappSubscriberOptions, IHappWebhookReceiver } from './subscriber';

/** How the signature digest is written in the header. */
export class SignatureEncoding {
  /** Lower- or upper-case hexadecimal (64 characters). */
  public static readonly HEX = new SignatureEncoding('hex');
  /** Standard or URL-safe base64, padded or not (43–44 characters). */
  public static readonly BASE64 = new SignatureEncoding('base64');

  private constructor(
    /** The value the verifier reads from `HAPP_SIGNATURE_ENCODINGS`. */
    public readonly value: string,
  ) {}
}

/** The URLs to paste into Happ (Integrations > Chat Webhook / Call Webhook). */
export interface HappEndpoints {
  /** `https://…/chat`, or undefined when the chat route is disabled. */
  readonly chat?: string;
  /** `https://…/call`, or undefined when the call route is disabled. */
  readonly call?: string;
}

export interface HappWebhookReceiverProps extends MonitoringOptions {
  // ---------------------------------------------------------------- routes and secrets
  /**
   * Create `POST /chat` for Happ's chat webhooks.
   *
   * @default true
   */
  readonly enableChat?: boolean;

  /**
   * Create `POST /call` for Happ's call webhooks.
   *
   * @default true
   */
  readonly enableCall?: boolean;

  /**
   * The secret that signs chat deliveries: a plain string, or `{"current": "...", "previous": ["..."]}`
   * while rotating.
   *
   * @default - a new secret with a generated 40-character alphanumeric value
   */
  readonly chatSecret?: secretsmanager.ISecret;

  /**
   * The secret that signs call deliveries (same format as `chatSecret`).
   *
   * @default - a new secret with a generated 40-character alphanumeric value
   */
  readonly callSecret?: secretsmanager.ISecret;

  // ---------------------------------------------------------------- signature and idempotency
  /**
   * Request header carrying the signature (matched case-insensitively).
   *
   * @default 'x-happ-signature'
   */
  readonly signatureHeader?: string;

  /**
   * Signature encodings accepted.
   *
   * @default [SignatureEncoding.HEX, SignatureEncoding.BASE64]
   */
  readonly signatureEncodings?: SignatureEncoding[];

  /**
   * Optional prefix before the signature, matched case-insensitively (`''` for none). A signature
   * without the prefix is accepted too.
   *
   * @default 'sha256='
   */
  readonly signaturePrefix?: string;

  /**
   * JSON fields naming the event type, first present wins.
   *
   * @default ['event', 'type']
   */
  readonly eventTypeFields?: string[];

  /**
   * JSON fields (dot paths) whose values form the idempotency key. Empty: the SHA-256 of the raw
   * body, which is what a retry of the same delivery repeats.
   *
   * @default [] (the SHA-256 of the raw body)
   */
  readonly idempotencyKeyFields?: string[];

  /**
   * How long an accepted delivery is remembered, so a duplicate answers 200 without being
   * published again. Between 1 minute and 365 days.
   *
   * @default Duration.days(7)
   */
  readonly dedupeWindow?: Duration;

  /**
   * Bodies larger than this are answered 413. At most 10 MiB (API Gateway's limit).
   *
   * @default - no limit below API Gateway's 10 MiB
   */
  readonly maxBodySizeBytes?: number;

  /**
   * Envelopes larger than this are stored in the claim-check bucket and the SNS message carries a
   * pointer. Between 0 (every body through S3) and 262144 (an SNS message, body and attributes).
   *
   * @default 240000
   */
  readonly claimCheckThresholdBytes?: number;

  /**
   * How long the verifier caches a fetched secret. A rotated secret is used at the latest after
   * this long (a signature mismatch also refetches it). Between 0 (no cache) and 24 hours.
   *
   * @default Duration.minutes(5)
   */
  readonly secretsCacheTtl?: Duration;

  // ---------------------------------------------------------------- API Gateway
  /**
   * Steady-state requests per second the stage accepts; more are answered 429 (Happ retries).
   *
   * @default 50
   */
  readonly throttlingRateLimit?: number;

  /**
   * Burst of requests the stage accepts above the rate.
   *
   * @default 100
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Create the account-level IAM role API Gateway needs to write logs, and register it in the
   * account's API Gateway settings (`AWS::ApiGateway::Account`, retained on delete). Set `false`
   * when the account (region) already has one: there is one such setting per account and region.
   *
   * @default true
   */
  readonly createApiGatewayCloudWatchRole?: boolean;

  /**
   * A custom domain name for the API (e.g. `hooks.example.com`). Requires `certificate`. You create
   * the DNS record pointing at `receiver.api.domainName.domainNameAliasDomainName`.
   *
   * @default - the execute-api URL only
   */
  readonly domainName?: string;

  /**
   * ACM certificate for `domainName`, in the stack's region (regional endpoint).
   *
   * @default - none; required with `domainName`
   */
  readonly certificate?: ICertificate;

  /**
   * ARN of a WAFv2 web ACL (scope REGIONAL) to associate with the API stage. (WAFv2 has no L2
   * construct with an interface to take instead.)
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  // ---------------------------------------------------------------- verifier Lambda
  /**
   * Memory of the verifier Lambda, in MB (more memory is more CPU). Between 128 and 10240.
   *
   * @default 512
   */
  readonly verifierMemorySizeMb?: number;

  /**
   * Timeout of the verifier Lambda. Happ waits 5 s, but a slow delivery that finishes is stored
   * and its retry is answered as a duplicate; between 1 and 29 seconds (API Gateway's limit).
   *
   * @default Duration.seconds(10)
   */
  readonly verifierTimeout?: Duration;

  /**
   * Reserved concurrency for the verifier. Reserving fails the deploy in accounts whose
   * concurrency quota is low (new accounts: 10).
   *
   * @default - no reserved concurrency (the account's unreserved pool)
   */
  readonly verifierReservedConcurrency?: number;

  /**
   * Retention of the verifier's log group and the API's access and execution log groups.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  // ---------------------------------------------------------------- storage
  /**
   * What happens to the idempotency table, the claim-check bucket and the generated secrets when
   * they leave the stack. A bucket is only deleted when empty.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long claim-checked payloads are kept. Keep it longer than a message can wait in a dead-letter
   * queue (14 days) so a redriven message still finds its payload. Whole days, at least 1.
   *
   * @default Duration.days(30)
   */
  readonly claimCheckExpiration?: Duration;

  /**
   * Bucket receiving the claim-check bucket's S3 server access logs.
   *
   * @default - no server access logs (requests are authorised by IAM only; use CloudTrail data events to audit)
   */
  readonly claimCheckAccessLogsBucket?: s3.IBucket;

  /**
   * Customer-managed KMS key for the SNS topic. The verifier is granted its use; anything else you
   * subscribe to the topic that needs the key must be allowed by its key policy.
   *
   * @default - the AWS-managed key `alias/aws/sns`
   */
  readonly topicEncryptionKey?: kms.IKey;

  // ---------------------------------------------------------------- monitoring
  // (alarmTopic, alarmEmail, pageTopic, receiverAlarms, subscriberAlarms, dashboardName: MonitoringOptions)
  /**
   * Create the alarms, the alarm topic and the dashboard (README "Alarms"). `false` creates none of them.
   *
   * @default true
   */
  readonly monitoring?: boolean;

  /**
   * Put the alarms, the alarm topic and the dashboard in a nested stack, so they do not count against
   * this stack's 500 resources (4 alarms per subscriber): for receivers with more than about 30
   * subscribers in one stack.
   *
   * @default false
   */
  readonly monitoringInNestedStack?: boolean;
}

/** Stage name of the API; part of the URLs. */
const STAGE_NAME = 'prod';
/** API Gateway's maximum payload. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** One SNS message, body and attributes. */
const SNS_MAX_MESSAGE_BYTES = 262_144;
/** Messages can wait this long in a dead-letter queue (its retention). */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Receives Happ chat and call webhooks: API Gateway → verifier Lambda (HMAC, idempotency, claim
 * check) → SNS topic, and one SQS queue + DLQ + Lambda per `addSubscriber`.
 */
export class HappWebhookReceiver extends Construct implements IHappWebhookReceiver {
  /** The REST API (regional) with `POST /chat` and `POST /call`. */
  public readonly api: apigw.RestApi;
  /** The verifier Lambda behind both routes. */
  public readonly verifier: lambda.Function;
  /** The verifier's log group. */
  public readonly verifierLogGroup: logs.LogGroup;
  /** The API's access log group (one JSON line per request; never headers or bodies). */
  public readonly accessLogGroup: logs.LogGroup;
  /** The API stage's execution log group (errors only), pre-created to set its retention. */
  public readonly executionLogGroup: logs.LogGroup;
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
  /** The custom domain, when `domainName` is set. */
  public readonly domain?: apigw.DomainName;
  /** The web ACL association, when `webAclArn` is set. */
  public readonly webAclAssociation?: wafv2.CfnWebACLAssociation;
  /** Alarms, alarm topic and dashboard; undefined when `monitoring` is false. */
  public readonly monitoring?: ReceiverMonitoring;
  /** The receiver's alarms (each subscriber has its own `alarms`); undefined when `monitoring` is false. */
  public readonly alarms?: ReceiverAlarms;
  /** The topic every alarm notifies (ALARM and OK); undefined when `monitoring` is false. */
  public readonly alarmTopic?: sns.ITopic;
  /** The CloudWatch dashboard; undefined when `monitoring` is false. */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly topicEncryptionKey?: kms.IKey;
  private readonly _subscribers: HappSubscriber[] = [];
  private subscribersScope?: Construct;

  constructor(scope: Construct, id: string, props: HappWebhookReceiverProps = {}) {
    super(scope, id);
    validateProps(props);

    const enableChat = props.enableChat ?? true;
    const enableCall = props.enableCall ?? true;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    if (!enableChat && props.chatSecret) {
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:chatSecretIgnored',
        'chatSecret is ignored because enableChat is false',
      );
    }
    if (!enableCall && props.callSecret) {
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:callSecretIgnored',
        'callSecret is ignored because enableCall is false',
      );
    }
    const claimCheckExpiration = props.claimCheckExpiration ?? Duration.days(30);
    if (
      !claimCheckExpiration.isUnresolved() &&
      claimCheckExpiration.toDays() < DEAD_LETTER_RETENTION.toDays()
    ) {
      Annotations.of(this).addWarningV2(
        'cdk-happ-webhooks:claimCheckExpiration',
        `claimCheckExpiration (${claimCheckExpiration.toHumanString()}) is shorter than the dead-letter queues' retention (14 days): a message redriven late may point to a deleted payload`,
      );
    }

    // ---------------------------------------------------------------- secrets
    this.chatSecret = enableChat
      ? (props.chatSecret ?? this.generatedSecret('ChatSecret', 'chat', removalPolicy))
      : undefined;
    this.callSecret = enableCall
      ? (props.callSecret ?? this.generatedSecret('CallSecret', 'call', removalPolicy))
      : undefined;

    // ---------------------------------------------------------------- storage
    this.table = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });

    this.bucket = new s3.Bucket(this, 'ClaimCheckBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'ExpireClaimChecks',
          expiration: claimCheckExpiration,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      serverAccessLogsBucket: props.claimCheckAccessLogsBucket,
      removalPolicy,
    });
    if (!props.claimCheckAccessLogsBucket) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Claim-check objects are written only by the verifier role and read only by subscriber roles (IAM, TLS-only bucket policy, public access blocked); a log bucket would itself be unlogged. Set claimCheckAccessLogsBucket to enable server access logs.',
      });
    }

    this.topicEncryptionKey = props.topicEncryptionKey;
    this.topic = new sns.Topic(this, 'Topic', {
      // alias/aws/sns: SNS encrypts at rest, our Lambda may publish (the key policy admits any
      // principal of the account through SNS), and SNS can deliver to SQS-managed-encrypted queues.
      masterKey:
        props.topicEncryptionKey ?? kms.Alias.fromAliasName(this, 'AwsManagedSnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    // ---------------------------------------------------------------- verifier
    this.verifierLogGroup = new logs.LogGroup(this, 'VerifierLogs', { retention: logRetention });
    const verifierRole = new iam.Role(this, 'VerifierRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Happ webhook verifier: read its signing secrets, claim idempotency keys, publish, claim-check',
    });
    // Logs: only its own log group (no AWSLambdaBasicExecutionRole, which allows every log group).
    iam.Grant.addToPrincipal({
      grantee: verifierRole,
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resourceArns: [this.verifierLogGroup.logGroupArn],
    });

    this.verifier = new lambda.Function(this, 'Verifier', {
      description: 'Verifies Happ webhook signatures and publishes accepted deliveries',
      code: bundledCode('verifier'),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.verifierMemorySizeMb ?? 512,
      timeout: props.verifierTimeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.verifierReservedConcurrency,
      logGroup: this.verifierLogGroup,
      role: verifierRole,
      environment: this.verifierEnvironment(props),
    });
    Validations.of(this.verifier).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The verifier is bundled for and tested on Node.js 22 (esbuild target node22), a supported Lambda runtime until 2027; a newer runtime is adopted by a release of this library, not silently.',
    });
    this.grantVerifier(verifierRole);

    // ---------------------------------------------------------------- API
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    const createCloudWatchRole = props.createApiGatewayCloudWatchRole ?? true;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-${this.node.id}`,
      description: 'Receives Happ chat and call webhooks',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Every body reaches the verifier base64-encoded, byte for byte: the HMAC is over raw bytes.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: createCloudWatchRole,
      // One setting per account and region: keep it when this stack goes, other APIs rely on it.
      cloudWatchRoleRemovalPolicy: createCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: STAGE_NAME,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Data trace would log full requests: signatures and payloads. Never.
        dataTraceEnabled: false,
        metricsEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
      },
    });
    // API Gateway creates this log group on first error, with no retention; own it instead.
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: logRetention,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);
    // RestApi adds a stack output named Endpoint (the stage URL); the URLs to paste are chatUrl and callUrl.
    this.api.node.tryRemoveChild('Endpoint');

    const integration = new apigw.LambdaIntegration(this.verifier, { proxy: true, allowTestInvoke: false });
    const routes: { source: HappSource; enabled: boolean }[] = [
      { source: HappSource.CHAT, enabled: enableChat },
      { source: HappSource.CALL, enabled: enableCall },
    ];
    for (const route of routes) {
      if (!route.enabled) continue;
      this.api.root
        .addResource(route.source)
        .addMethod('POST', integration, { authorizationType: apigw.AuthorizationType.NONE });
    }
    this.acknowledgeApiFindings(props);

    if (props.domainName && props.certificate) {
      this.domain = this.api.addDomainName('CustomDomain', {
        domainName: props.domainName,
        certificate: props.certificate,
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
    }
    if (props.webAclArn) {
      this.webAclAssociation = new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
      // stageArn is a formatted string, not a reference: order the association after the stage.
      this.webAclAssociation.node.addDependency(this.api.deploymentStage);
    }

    const url = (path: string) =>
      props.domainName ? `https://${props.domainName}/${path}` : this.api.urlForPath(`/${path}`);
    this.chatUrl = enableChat ? url(HappSource.CHAT) : undefined;
    this.callUrl = enableCall ? url(HappSource.CALL) : undefined;
    this.endpoints = { chat: this.chatUrl, call: this.callUrl };

    // ---------------------------------------------------------------- monitoring
    if (props.monitoring ?? true) {
      const scope = props.monitoringInNestedStack
        ? new NestedStack(this, 'MonitoringStack', {
            description: 'Happ webhook receiver alarms and dashboard',
          })
        : this;
      this.monitoring = new ReceiverMonitoring(scope, 'Monitoring', {
        api: this.api,
        stageName: STAGE_NAME,
        verifier: this.verifier,
        topic: this.topic,
        alarmTopic: props.alarmTopic,
        alarmEmail: props.alarmEmail,
        pageTopic: props.pageTopic,
        receiverAlarms: props.receiverAlarms,
        subscriberAlarms: props.subscriberAlarms,
        dashboardName: props.dashboardName,
      });
      this.alarms = this.monitoring.alarms;
      this.alarmTopic = this.monitoring.alarmTopic;
      this.dashboard = this.monitoring.dashboard;
    } else {
      const ignored = (
        [
          'alarmTopic',
          'alarmEmail',
          'pageTopic',
          'receiverAlarms',
          'subscriberAlarms',
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
    }
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

  private generatedSecret(
    id: string,
    source: HappSource,
    removalPolicy: RemovalPolicy,
  ): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, {
      description: `Signs Happ ${source} webhooks: paste the value into Happ > Integrations > ${
        source === HappSource.CHAT ? 'Chat' : 'Call'
      } Webhook. Rotate with {"current": "<new>", "previous": ["<old>"]}.`,
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is shared with Happ, which has no API to receive a rotated secret: rotation is manual and without downtime ({"current","previous"} both verify, see README).',
    });
    return secret;
  }

  private verifierEnvironment(props: HappWebhookReceiverProps): Record<string, string> {
    const env: Record<string, string> = {
      [ENV.TABLE_NAME]: this.table.tableName,
      [ENV.TOPIC_ARN]: this.topic.topicArn,
      [ENV.BUCKET_NAME]: this.bucket.bucketName,
      [ENV.SIGNATURE_HEADER]: props.signatureHeader ?? DEFAULTS.signatureHeader,
      [ENV.SIGNATURE_ENCODINGS]: (
        props.signatureEncodings?.map((e) => e.value) ?? [...DEFAULTS.signatureEncodings]
      ).join(','),
      [ENV.SIGNATURE_PREFIX]: props.signaturePrefix ?? DEFAULTS.signaturePrefix,
      [ENV.TYPE_FIELDS]: (props.eventTypeFields ?? [...DEFAULTS.typeFields]).join(','),
      [ENV.IDEMPOTENCY_KEY_FIELDS]: (props.idempotencyKeyFields ?? []).join(','),
      [ENV.DEDUPE_WINDOW_SECONDS]: String(props.dedupeWindow?.toSeconds() ?? DEFAULTS.dedupeWindowSeconds),
      [ENV.CLAIM_CHECK_THRESHOLD_BYTES]: String(
        props.claimCheckThresholdBytes ?? DEFAULTS.claimCheckThresholdBytes,
      ),
      [ENV.SECRETS_CACHE_TTL_SECONDS]: String(
        props.secretsCacheTtl?.toSeconds() ?? DEFAULTS.secretsCacheTtlSeconds,
      ),
      POWERTOOLS_SERVICE_NAME: 'happ-webhooks-verifier',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    if (this.chatSecret) env[ENV.CHAT_SECRET_ARN] = this.chatSecret.secretArn;
    if (this.callSecret) env[ENV.CALL_SECRET_ARN] = this.callSecret.secretArn;
    if (props.maxBodySizeBytes !== undefined) env[ENV.MAX_BODY_SIZE_BYTES] = String(props.maxBodySizeBytes);
    return env;
  }

  /** Exactly what the verifier does, nothing more (asserted by a template test). */
  private grantVerifier(role: iam.IRole): void {
    for (const secret of [this.chatSecret, this.callSecret]) {
      if (!secret) continue;
      iam.Grant.addToPrincipal({
        grantee: role,
        actions: ['secretsmanager:GetSecretValue'],
        resourceArns: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
      });
      secret.encryptionKey?.grantDecrypt(
        new kms.ViaServicePrincipal(`secretsmanager.${Stack.of(this).region}.amazonaws.com`, role),
      );
    }
    this.table.grant(
      role,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['sns:Publish'],
      resourceArns: [this.topic.topicArn],
    });
    // A customer-managed topic key: what SNS needs from a publisher, named exactly (no GenerateDataKey*).
    // The AWS-managed alias/aws/sns needs no grant: its key policy admits the account's principals via SNS.
    this.topicEncryptionKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects('*')],
    });
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
        reason:
          'The verifier writes one claim-check object per large delivery under a key it generates, so s3:PutObject (only) covers the objects of this one bucket.',
      });
    }
  }

  private acknowledgeApiFindings(props: HappWebhookReceiverProps): void {
    const api = Validations.of(this.api);
    api.acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'The body must reach the verifier byte for byte for the HMAC check; the verifier validates the request itself (signature → 401, size → 413) and API Gateway request validation would answer 400 before it counts as a signature failure.',
    });
    api.acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Happ cannot sign requests with IAM, Cognito or a custom authorizer token; every request is authenticated by its HMAC-SHA256 signature in the verifier, which answers 401 otherwise.',
    });
    api.acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Happ, a third-party sender, cannot obtain Cognito tokens; requests are authenticated by HMAC signature.',
    });
    if (!props.webAclArn) {
      api.acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          "A web ACL costs per month and per request and its rules are the owner's choice; unsigned requests are rejected by the verifier and the stage is throttled. Set webAclArn to associate one.",
      });
    }
    if (props.createApiGatewayCloudWatchRole ?? true) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The account-level API Gateway logging role uses AmazonAPIGatewayPushToCloudWatchLogs, the AWS-documented policy for it; API Gateway writes every API's logs in the account with it.",
      });
    }
  }
}

function accessLogFormat(): apigw.AccessLogFormat {
  // No headers, no bodies: the signature header must never reach a log.
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: apigw.AccessLogField.contextRequestId(),
      requestTime: apigw.AccessLogField.contextRequestTime(),
      ip: apigw.AccessLogField.contextIdentitySourceIp(),
      userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
      httpMethod: apigw.AccessLogField.contextHttpMethod(),
      resourcePath: apigw.AccessLogField.contextResourcePath(),
      protocol: apigw.AccessLogField.contextProtocol(),
      status: apigw.AccessLogField.contextStatus(),
      responseLength: apigw.AccessLogField.contextResponseLength(),
      responseLatency: apigw.AccessLogField.contextResponseLatency(),
      integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
      integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
      errorMessage: apigw.AccessLogField.contextErrorMessage(),
    }),
  );
}

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function validateProps(props: HappWebhookReceiverProps): void {
  if (props.enableChat === false && props.enableCall === false) {
    throw new Error('enableChat and enableCall cannot both be false: the receiver needs at least one route');
  }
  if (props.signatureHeader !== undefined && !Token.isUnresolved(props.signatureHeader)) {
    if (!HEADER_NAME_RE.test(props.signatureHeader)) {
      throw new Error(
        `signatureHeader must be an HTTP header name: letters, digits and !#$%&'*+-.^_\`|~ (given ${JSON.stringify(props.signatureHeader)})`,
      );
    }
  }
  if (props.signatureEncodings !== undefined && props.signatureEncodings.length === 0) {
    throw new Error('signatureEncodings must list at least one encoding (given [])');
  }
  if (props.signaturePrefix !== undefined && !Token.isUnresolved(props.signaturePrefix)) {
    if (/[\s,]/.test(props.signaturePrefix)) {
      throw new Error(
        `signaturePrefix must contain no whitespace or comma (given ${JSON.stringify(props.signaturePrefix)})`,
      );
    }
  }
  validateFieldList('eventTypeFields', props.eventTypeFields, false);
  validateFieldList('idempotencyKeyFields', props.idempotencyKeyFields, true);
  validateDuration('dedupeWindow', props.dedupeWindow, Duration.minutes(1), Duration.days(365));
  validateWhole('dedupeWindow', props.dedupeWindow, 'seconds');
  validateInteger('maxBodySizeBytes', props.maxBodySizeBytes, 1, API_GATEWAY_MAX_BODY_BYTES);
  validateInteger('claimCheckThresholdBytes', props.claimCheckThresholdBytes, 0, SNS_MAX_MESSAGE_BYTES);
  validateDuration('secretsCacheTtl', props.secretsCacheTtl, Duration.seconds(0), Duration.hours(24));
  validateWhole('secretsCacheTtl', props.secretsCacheTtl, 'seconds');
  validatePositive('throttlingRateLimit', props.throttlingRateLimit);
  validateInteger('throttlingBurstLimit', props.throttlingBurstLimit, 1);
  if ((props.domainName === undefined) !== (props.certificate === undefined)) {
    throw new Error(
      `domainName and certificate must be given together (given ${props.domainName === undefined ? 'certificate' : 'domainName'} only)`,
    );
  }
  validateInteger('verifierMemorySizeMb', props.verifierMemorySizeMb, 128, 10240);
  validateDuration('verifierTimeout', props.verifierTimeout, Duration.seconds(1), Duration.seconds(29));
  validateWhole('verifierTimeout', props.verifierTimeout, 'seconds');
  validateInteger('verifierReservedConcurrency', props.verifierReservedConcurrency, 1);
  validateDuration('claimCheckExpiration', props.claimCheckExpiration, Duration.days(1), Duration.days(3650));
  validateWhole('claimCheckExpiration', props.claimCheckExpiration, 'days');
}
