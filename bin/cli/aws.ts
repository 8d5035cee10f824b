/**
 * AWS SDK clients for the commands that talk to AWS, required lazily so `sign`, `send` and
 * `--help` never load the SDK. Region comes from `--region`, else from the ARN or queue URL the
 * user gave, else the SDK's usual chain (AWS_REGION, profile). Credentials follow the SDK's
 * default chain, optionally with `--profile`.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CliError, describeAwsError } from './errors';

export interface AwsOptions {
  readonly region?: string;
  readonly profile?: string;
}

/** The region part of an ARN (`arn:aws:service:REGION:account:...`), if any. */
export function regionFromArn(arn: string | undefined): string | undefined {
  if (!arn?.startsWith('arn:')) return undefined;
  const region = arn.split(':')[3];
  return region ? region : undefined;
}

/** The region named by an SQS queue URL (`https://sqs.REGION.amazonaws.com/...`), if any. */
export function regionFromQueueUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const host = new URL(url).hostname;
    // sqs.REGION.amazonaws.com, legacy REGION.queue.amazonaws.com, emulators' sqs.REGION.localhost.
    const m =
      /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(host) ??
      /^([a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com$/.exec(host);
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** The endpoint override in `variable`, checked: a bad value would otherwise surface as "Invalid URL". */
function endpointFrom(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = env[variable];
  if (!value) return undefined;
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new CliError(
      `${variable} is not a valid URL (given "${value}"): expected http://host:port or https://...`,
    );
  }
  return value;
}

function baseConfig(options: AwsOptions, hintRegion?: string): { region?: string; profile?: string } {
  const config: { region?: string; profile?: string } = {};
  const region = options.region ?? hintRegion;
  if (region) config.region = region;
  if (options.profile) config.profile = options.profile;
  return config;
}

export function secretsManagerClient(
  options: AwsOptions,
  env: NodeJS.ProcessEnv,
  hintRegion?: string,
): SecretsManagerClient {
  const { SecretsManagerClient: Client } =
    require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
  return new Client({
    ...baseConfig(options, hintRegion),
    endpoint: endpointFrom(env, 'AWS_ENDPOINT_URL_SECRETS_MANAGER'),
  });
}

/**
 * SQS client. The endpoint is passed explicitly from AWS_ENDPOINT_URL_SQS (undefined against AWS):
 * with it, local emulators whose queue URLs use unresolvable `*.localhost` hosts still work.
 */
export function sqsClient(options: AwsOptions, env: NodeJS.ProcessEnv, hintRegion?: string): SQSClient {
  const { SQSClient: Client } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  return new Client({
    ...baseConfig(options, hintRegion),
    endpoint: endpointFrom(env, 'AWS_ENDPOINT_URL_SQS'),
  });
}

export function cloudFormationClient(options: AwsOptions, env: NodeJS.ProcessEnv): CloudFormationClient {
  const { CloudFormationClient: Client } =
    require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  return new Client({
    ...baseConfig(options),
    endpoint: endpointFrom(env, 'AWS_ENDPOINT_URL_CLOUDFORMATION'),
  });
}

/**
 * A stack's outputs, key → value (DescribeStacks), with the errors a user can act on: no such stack
 * (check the name and --region), or the AWS error described.
 */
export async function readStackOutputs(
  stackName: string,
  options: AwsOptions,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, string>> {
  const cfn = cloudFormationClient(options, env);
  const { DescribeStacksCommand } =
    require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  try {
    const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]
      ?.Outputs;
    return Object.fromEntries(
      (outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]),
    );
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? '')) {
      throw new CliError(`no CloudFormation stack named "${stackName}" (check the name and --region)`);
    }
    throw describeAwsError(error, `reading stack ${stackName}`);
  } finally {
    cfn.destroy();
  }
}

/** S3 client (the archive commands). The endpoint comes from AWS_ENDPOINT_URL_S3 (undefined against AWS). */
export function s3Client(
  options: AwsOptions,
  env: NodeJS.ProcessEnv,
  hintRegion?: string,
): import('@aws-sdk/client-s3').S3Client {
  const { S3Client: Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  return new Client({
    ...baseConfig(options, hintRegion),
    endpoint: endpointFrom(env, 'AWS_ENDPOINT_URL_S3'),
  });
}
