import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Messages can wait this long in a dead-letter queue (its retention). */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Where the receiver keeps state: the idempotency table and the claim-check bucket. */
export interface ReceiverStore {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
}

export interface ReceiverStoreProps {
  readonly removalPolicy: RemovalPolicy;
  /** @default Duration.days(30) */
  readonly claimCheckExpiration?: Duration;
  readonly claimCheckAccessLogsBucket?: s3.IBucket;
  /** @default - the AWS-owned key */
  readonly tableEncryptionKey?: kms.IKey;
}

/**
 * The store part of the receiver (construct ids `IdempotencyTable` and `ClaimCheckBucket` in `scope`):
 * the table both the verifier and the subscribers' runtime helper use (Powertools' defaults: partition
 * key `id`, TTL `expiration`), and the bucket for bodies too large for one SNS message.
 */
export function createStore(scope: Construct, props: ReceiverStoreProps): ReceiverStore {
  const claimCheckExpiration = props.claimCheckExpiration ?? Duration.days(30);
  if (
    !claimCheckExpiration.isUnresolved() &&
    claimCheckExpiration.toDays() < DEAD_LETTER_RETENTION.toDays()
  ) {
    Annotations.of(scope).addWarningV2(
      'cdk-happ-webhooks:claimCheckExpiration',
      `claimCheckExpiration (${claimCheckExpiration.toHumanString()}) is shorter than the dead-letter queues' retention (14 days): a message redriven late may point to a deleted payload`,
    );
  }

  const table = new dynamodb.Table(scope, 'IdempotencyTable', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: 'expiration',
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // AWS-owned by default: encrypted at rest with no KMS request charge (the AWS-managed key costs a
    // KMS request per uncached access and gives no control the AWS-owned key does not).
    ...(props.tableEncryptionKey
      ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.tableEncryptionKey }
      : { encryption: dynamodb.TableEncryption.DEFAULT }),
    // Retained tables are also protected from a delete in the console or API (and from replacement).
    deletionProtection: props.removalPolicy !== RemovalPolicy.DESTROY,
    removalPolicy: props.removalPolicy,
  });

  const bucket = new s3.Bucket(scope, 'ClaimCheckBucket', {
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
    removalPolicy: props.removalPolicy,
  });
  if (!props.claimCheckAccessLogsBucket) {
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Claim-check objects are written only by the verifier role and read only by subscriber roles (IAM, TLS-only bucket policy, public access blocked); a log bucket would itself be unlogged. Set claimCheckAccessLogsBucket to enable server access logs.',
    });
  }
  return { table, bucket };
}
