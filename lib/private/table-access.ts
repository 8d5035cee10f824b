import { Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The item operations Powertools idempotency uses: claim, read, complete, release. */
export const IDEMPOTENCY_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** Prefix of the verifier's records: `happ-verifier#<hash>` (lambda/verifier/handler.ts). */
export const VERIFIER_KEY_PREFIX = 'happ-verifier';
/** Prefix of a subscriber's records: `happ-subscriber#<name>#<hash>` (lambda/runtime/handler.ts). */
export const SUBSCRIBER_KEY_PREFIX = 'happ-subscriber';

/** The `dynamodb:LeadingKeys` pattern a subscriber's role is limited to. */
export function subscriberKeyPattern(subscriberName: string): string {
  return `${SUBSCRIBER_KEY_PREFIX}#${subscriberName}#*`;
}

/** Prefix of a tool's records: `happ-tool#<name>#<hash>` (lambda/runtime/tool-idempotency.ts). */
export const TOOL_KEY_PREFIX = 'happ-tool';

/** The `dynamodb:LeadingKeys` pattern a tool's role is limited to. */
export function toolKeyPattern(toolName: string): string {
  return `${TOOL_KEY_PREFIX}#${toolName}#*`;
}

/** The `dynamodb:LeadingKeys` pattern the verifier's role is limited to. */
export const VERIFIER_KEY_PATTERN = `${VERIFIER_KEY_PREFIX}#*`;

/**
 * Grants the idempotency item operations on `table`, limited to items whose partition key matches
 * `keyPattern` (`dynamodb:LeadingKeys`, IAM wildcards): one role cannot read, overwrite or delete
 * another's records — a subscriber that deletes a verifier claim would make Happ's next retry reach
 * every subscriber again. Every granted action names one item by its key, so the condition always
 * has a value to test (ForAllValues over no value would pass). With a customer-managed table key,
 * the key use is granted too.
 */
export function grantIdempotencyItems(
  table: dynamodb.ITable,
  grantee: iam.IGrantable,
  keyPattern: string,
): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: [...IDEMPOTENCY_ITEM_ACTIONS],
    resourceArns: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [keyPattern] } },
  });
  // What the CDK's own table grants give for a customer key.
  table.encryptionKey?.grant(
    grantee,
    'kms:Decrypt',
    'kms:DescribeKey',
    'kms:Encrypt',
    'kms:ReEncrypt*',
    'kms:GenerateDataKey*',
  );
  return grant;
}

/**
 * A subscriber name becomes an IAM pattern and a key segment: refuse what would let one subscriber's
 * pattern cover another's records (`*`, `?`), split the key (`#`), or cannot be checked (a token).
 */
export function validateSubscriberName(subscriberName: string): void {
  if (Token.isUnresolved(subscriberName)) {
    throw new Error(
      `subscriberName must be a literal string, not a token (given ${subscriberName}): it scopes the subscriber's table access at synth`,
    );
  }
  // Printable ASCII (IAM policies take Latin-1 at most), minus IAM wildcards, policy variables (`${…}`),
  // the key separator and whitespace.
  if (
    subscriberName.length === 0 ||
    subscriberName.length > 128 ||
    !/^[!-~]+$/.test(subscriberName) ||
    /[*?#$]/.test(subscriberName)
  ) {
    throw new Error(
      `subscriberName must be 1 to 128 printable ASCII characters without '*', '?', '#', '$' or whitespace (given '${subscriberName}'): it is an IAM key pattern and a segment of the subscriber's idempotency keys`,
    );
  }
}
