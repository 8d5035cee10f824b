import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * The fan-out part of the receiver (construct id `Topic` in `scope`): the topic every accepted delivery
 * is published to, with message attributes `source` and `type` for the subscriptions' filter policies.
 */
export function createTopic(scope: Construct, encryptionKey?: kms.IKey): sns.Topic {
  return new sns.Topic(scope, 'Topic', {
    // alias/aws/sns: SNS encrypts at rest, our Lambda may publish (the key policy admits any
    // principal of the account through SNS), and SNS can deliver to SQS-managed-encrypted queues.
    masterKey: encryptionKey ?? kms.Alias.fromAliasName(scope, 'AwsManagedSnsKey', 'alias/aws/sns'),
    enforceSSL: true,
  });
}
