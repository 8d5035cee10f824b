/**
 * `happ-webhooks rotate-secret --source chat|call|tool <secret-arn> [--finish]`: rotates a webhook
 * (or tool)
 * secret without a moment of failed deliveries.
 *
 *   1. rotate:   {"current": NEW, "previous": [OLD, ...]}  both verify; paste NEW into Happ
 *   2. --finish: {"current": NEW, "previous": []}           only NEW verifies
 *
 * The new value is printed on stdout and nowhere else (progress and instructions go to stderr),
 * so `happ-webhooks rotate-secret ... | pbcopy` copies exactly the secret.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '../../lambda/shared/env';
import type { HappSource } from '../../lambda/shared/envelope';
import { formatSecretValue } from '../../lambda/shared/secrets';
import { regionFromArn, secretsManagerClient, type AwsOptions } from './aws';
import { parseSource } from './body';
import { CliError, describeAwsError } from './errors';
import { printJson, startProgress, type Io } from './io';
import { awsFlags, commandLine, followUpEnv } from './pasteable';
import { readSecretValues } from './secret';

export interface RotateOptions extends AwsOptions {
  readonly source?: string;
  readonly finish?: boolean;
  readonly json?: boolean;
}

/** Bytes of randomness in a generated secret (256 bits; 43 URL-safe base64 characters). */
export const SECRET_BYTES = 32;

/** A new webhook secret: 256 random bits, URL-safe base64 (letters, digits, `-`, `_`). */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

const DASHBOARD: Record<HappSource | 'tool', string> = {
  chat: 'Integrations › Chat Webhook › Secret',
  call: 'Integrations › Call Webhook › Secret',
  // A tool's secret is its webhookSecret: `happ-webhooks tools <stack> --register` sets it again.
  tool: "the tool's webhookSecret (or run happ-webhooks tools <stack> --register)",
};

export async function rotateSecret(secretArn: string, options: RotateOptions, io: Io): Promise<number> {
  const source = options.source === 'tool' ? 'tool' : parseSource(options.source);
  if (!source)
    throw new CliError('--source chat|call|tool is required (which Happ webhook this secret signs)');
  if (!secretArn.trim()) throw new CliError('the secret ARN is empty');
  const pc = io.colors;
  const stored = await readSecretValues(secretArn, options, io, options.json);
  const cacheMinutes = DEFAULTS.secretsCacheTtlSeconds / 60;

  if (options.finish) {
    if (stored.previous.length === 0) {
      if (options.json) printJson(io, { arn: secretArn, source, finished: true, removed: 0 });
      else io.err(`${pc.green('nothing to finish:')} ${secretArn} holds only its current secret\n`);
      return 0;
    }
    await put(secretArn, formatSecretValue({ current: stored.current, previous: [] }), options, io);
    if (options.json) {
      printJson(io, { arn: secretArn, source, finished: true, removed: stored.previous.length });
    } else {
      io.err(
        `${pc.green('✔')} finished: only the current secret verifies now (${stored.previous.length} previous removed).\n` +
          pc.dim(
            `Verifier containers may accept a removed secret for up to their cache lifetime (${cacheMinutes} min by default).\n`,
          ),
      );
    }
    return 0;
  }

  const fresh = generateSecret();
  const previous = [stored.current, ...stored.previous];
  const versionId = await put(secretArn, formatSecretValue({ current: fresh, previous }), options, io);
  if (options.json) {
    printJson(io, { arn: secretArn, source, secret: fresh, previousCount: previous.length, versionId });
    return 0;
  }
  io.out(`${fresh}\n`);
  const kept = previous.length === 1 ? 'the old one is kept' : `${previous.length} older ones are kept`;
  io.err(
    `${pc.green('✔')} ${secretArn}: new secret is current; ${kept} under "previous", so deliveries keep verifying.\n` +
      (stored.previous.length > 0
        ? pc.yellow(
            `  (a rotation was already in progress: its older secrets stay valid too until --finish)\n`,
          )
        : '') +
      `Paste the new secret (printed on stdout) into Happ: ${pc.bold(DASHBOARD[source])}.\n` +
      `When Happ signs with it, remove the old one:\n` +
      `  ${finishCommand(secretArn, source, options, io.env)}\n`,
  );
  return 0;
}

/** The `--finish` line, runnable as printed: same region, profile and (local) endpoint. */
export function finishCommand(
  secretArn: string,
  source: HappSource | 'tool',
  options: RotateOptions,
  env: NodeJS.ProcessEnv,
): string {
  // An ARN names its region; a bare name needs the one this run used.
  const region =
    options.region ?? (regionFromArn(secretArn) ? undefined : (env.AWS_REGION ?? env.AWS_DEFAULT_REGION));
  return commandLine(
    ['rotate-secret', '--source', source, secretArn, '--finish', ...awsFlags({ ...options, region })],
    { env: followUpEnv(env, 'AWS_ENDPOINT_URL_SECRETS_MANAGER') },
  );
}

async function put(
  secretArn: string,
  value: string,
  options: RotateOptions,
  io: Io,
): Promise<string | undefined> {
  const { PutSecretValueCommand } =
    require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
  const client = secretsManagerClient(options, io.env, regionFromArn(secretArn));
  const progress = startProgress(io, `writing ${secretArn}`, options);
  try {
    const res = await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: value }));
    progress.stop();
    return res.VersionId;
  } catch (error) {
    progress.stop();
    throw describeAwsError(error, `writing secret ${secretArn}`);
  } finally {
    client.destroy();
  }
}
