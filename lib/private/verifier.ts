import { CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DEFAULTS, ENV } from '../../lambda/shared/env';
import { METRICS_NAMESPACE } from '../../lambda/shared/metrics';
import { type HappWebhookReceiverProps, responseBudgetMs } from '../receiver-props';
import { bundledCode } from './assets';
import { grantIdempotencyItems, VERIFIER_KEY_PATTERN } from './table-access';
import type { WebhookSecrets } from './secrets';

/** What the verifier works with. */
export interface VerifierResources {
  readonly secrets: WebhookSecrets;
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  /** The topic's customer-managed key, when there is one. */
  readonly topicEncryptionKey?: kms.IKey;
  readonly bucket: s3.IBucket;
}

/** The verifier part of the receiver: the function, its role and its log group. */
export interface VerifierFunction {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * The verifier Lambda (construct ids `VerifierLogs`, `VerifierRole`, `Verifier` in `scope`), from the
 * pre-built bundle, with a role that may do exactly what the verifier does and nothing more.
 */
export function createVerifier(
  scope: Construct,
  resources: VerifierResources,
  props: HappWebhookReceiverProps,
  logRetention: logs.RetentionDays,
): VerifierFunction {
  const logGroup = new logs.LogGroup(scope, 'VerifierLogs', { retention: logRetention });
  const role = new iam.Role(scope, 'VerifierRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description:
      'Happ webhook verifier: read its signing secrets, claim idempotency keys, publish, claim-check',
  });
  // Logs: only its own log group (no AWSLambdaBasicExecutionRole, which allows every log group).
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resourceArns: [logGroup.logGroupArn],
  });

  const fn = new lambda.Function(scope, 'Verifier', {
    description: 'Verifies Happ webhook signatures and publishes accepted deliveries',
    code: bundledCode('verifier'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.verifierMemorySizeMb ?? 512,
    timeout: props.verifierTimeout ?? Duration.seconds(10),
    reservedConcurrentExecutions: props.verifierReservedConcurrency,
    ...(props.verifierSystemLogLevel !== undefined
      ? {
          // Level filtering needs the JSON format; the verifier's lines are JSON already (Powertools).
          loggingFormat: lambda.LoggingFormat.JSON,
          systemLogLevelV2: props.verifierSystemLogLevel,
          applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
        }
      : {}),
    logGroup,
    role,
    environment: verifierEnvironment(resources, props),
  });
  grantVerifier(scope, role, resources);
  return { function: fn, role, logGroup };
}

function verifierEnvironment(
  resources: VerifierResources,
  props: HappWebhookReceiverProps,
): Record<string, string> {
  const env: Record<string, string> = {
    [ENV.TABLE_NAME]: resources.table.tableName,
    [ENV.TOPIC_ARN]: resources.topic.topicArn,
    [ENV.BUCKET_NAME]: resources.bucket.bucketName,
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
    [ENV.RESPONSE_BUDGET_MS]: String(responseBudgetMs(props)),
    [ENV.EVENT_TIME_FIELDS]: (props.eventTimeFields ?? [...DEFAULTS.eventTimeFields]).join(','),
    [ENV.MAX_CLOCK_SKEW_SECONDS]: String(props.maxClockSkew?.toSeconds() ?? DEFAULTS.maxClockSkewSeconds),
    POWERTOOLS_SERVICE_NAME: 'happ-webhooks-verifier',
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  };
  if (resources.secrets.chat) env[ENV.CHAT_SECRET_ARN] = resources.secrets.chat.secretArn;
  if (resources.secrets.call) env[ENV.CALL_SECRET_ARN] = resources.secrets.call.secretArn;
  if (props.maxEventAge !== undefined) env[ENV.MAX_EVENT_AGE_SECONDS] = String(props.maxEventAge.toSeconds());
  if (props.maxBodySizeBytes !== undefined) env[ENV.MAX_BODY_SIZE_BYTES] = String(props.maxBodySizeBytes);
  return env;
}

/** Exactly what the verifier does, nothing more (asserted by a template test). */
function grantVerifier(scope: Construct, role: iam.IRole, resources: VerifierResources): void {
  for (const secret of [resources.secrets.chat, resources.secrets.call]) {
    if (!secret) continue;
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
    });
    secret.encryptionKey?.grantDecrypt(
      new kms.ViaServicePrincipal(`secretsmanager.${Stack.of(scope).region}.amazonaws.com`, role),
    );
  }
  // Its own records only: happ-verifier#<hash>.
  grantIdempotencyItems(resources.table, role, VERIFIER_KEY_PATTERN);
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['sns:Publish'],
    resourceArns: [resources.topic.topicArn],
  });
  // A customer-managed topic key: what SNS needs from a publisher, named exactly (no GenerateDataKey*).
  // The AWS-managed alias/aws/sns needs no grant: its key policy admits the account's principals via SNS.
  resources.topicEncryptionKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['s3:PutObject'],
    resourceArns: [resources.bucket.arnForObjects('*')],
  });
  const policy = role.node.tryFindChild('DefaultPolicy');
  const bucket = resources.bucket.node.defaultChild;
  if (policy && bucket instanceof CfnElement) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(bucket)}.Arn>/*]`,
      reason:
        'The verifier writes one claim-check object per large delivery under a key it generates, so s3:PutObject (only) covers the objects of this one bucket.',
    });
  }
}
