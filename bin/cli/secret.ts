/**
 * The secret that signs test deliveries: `--secret`, the HAPP_WEBHOOK_SECRET variable (keeps it
 * out of shell history and `ps`), or `--secret-arn` read from Secrets Manager. A rotating value
 * `{"current", "previous"}` signs with `current`, exactly as Happ would after the switch.
 */
import { MalformedSecretError, parseSecretValue } from '../../lambda/shared/secrets';
import { regionFromArn, secretsManagerClient, type AwsOptions } from './aws';
import { CliError, describeAwsError } from './errors';
import { startProgress, type Io } from './io';

export const SECRET_ENV = 'HAPP_WEBHOOK_SECRET';

export interface SecretOptions extends AwsOptions {
  readonly secret?: string;
  readonly secretArn?: string;
}

export interface SigningSecret {
  readonly value: string;
  readonly from: string;
}

export async function resolveSigningSecret(
  options: SecretOptions,
  io: Io,
  json = false,
): Promise<SigningSecret> {
  if (options.secret !== undefined && options.secretArn !== undefined) {
    throw new CliError('give either --secret or --secret-arn, not both');
  }
  if (options.secretArn !== undefined) {
    const values = await readSecretValues(options.secretArn, options, io, json);
    return { value: values.current, from: `secret ${options.secretArn}` };
  }
  const value = options.secret ?? io.env[SECRET_ENV];
  if (value === undefined) {
    throw new CliError(
      `a signing secret is required: pass --secret S, set ${SECRET_ENV}, or pass --secret-arn ARN (Secrets Manager)`,
    );
  }
  if (value === '') throw new CliError('the signing secret is empty');
  return { value, from: options.secret !== undefined ? '--secret' : SECRET_ENV };
}

export interface StoredSecret {
  readonly current: string;
  readonly previous: string[];
  readonly versionId?: string;
}

/** Reads and parses a webhook secret from Secrets Manager. */
export async function readSecretValues(
  secretId: string,
  options: AwsOptions,
  io: Io,
  json = false,
): Promise<StoredSecret> {
  const { GetSecretValueCommand } =
    require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
  const client = secretsManagerClient(options, io.env, regionFromArn(secretId));
  const progress = startProgress(io, `reading secret ${secretId}`, { json });
  try {
    const res = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    progress.stop();
    if (res.SecretString === undefined) {
      throw new CliError(`secret ${secretId} has no string value (binary secrets are not supported)`);
    }
    const [current, ...previous] = parseSecretValue(res.SecretString);
    return { current: current!, previous, versionId: res.VersionId };
  } catch (error) {
    progress.stop();
    if (error instanceof MalformedSecretError) throw new CliError(`secret ${secretId}: ${error.message}`);
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new CliError(`secret ${secretId} was not found (check the ARN and --region)`);
    }
    throw describeAwsError(error, `reading secret ${secretId}`);
  } finally {
    client.destroy();
  }
}
