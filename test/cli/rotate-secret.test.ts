import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createHmac } from 'node:crypto';
import { parseSecretValue } from '../../lambda/shared/secrets';
import { verifySignature } from '../../lambda/shared/signature';
import { runCli } from './support/run-cli';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:HappCallSecret-AbCdEf';
const BODY = Buffer.from('{"event":"call.completed","callId":"call_1"}');
const signedWith = (secret: string) => createHmac('sha256', secret).update(BODY).digest('hex');

/** A stateful fake of the one secret: GetSecretValue returns what PutSecretValue stored. */
const sm = mockClient(SecretsManagerClient);
let stored: string;
beforeEach(() => {
  sm.reset();
  stored = 'old-secret-value';
  sm.on(GetSecretValueCommand, { SecretId: ARN }).callsFake(async () => ({
    ARN,
    SecretString: stored,
    VersionId: 'v-old',
  }));
  sm.on(PutSecretValueCommand, { SecretId: ARN }).callsFake(async (input: { SecretString: string }) => {
    stored = input.SecretString;
    return { ARN, VersionId: 'v-new' };
  });
});
afterAll(() => sm.restore());

/** Does the receiver (verifySignature over parseSecretValue, as the verifier does) accept this secret? */
const verifies = (secret: string) => verifySignature(BODY, signedWith(secret), parseSecretValue(stored));

describe('happ-webhooks rotate-secret', () => {
  it('keeps the old secret verifying next to the new one, then --finish leaves only the new one', async () => {
    const rotated = await runCli(['rotate-secret', '--source', 'call', ARN]);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(JSON.parse(stored)).toEqual({ current: fresh, previous: ['old-secret-value'] });

    // In between: Happ may sign with either.
    expect(verifies('old-secret-value')).toBe(true);
    expect(verifies(fresh)).toBe(true);
    expect(verifies('some-other-secret')).toBe(false);

    const finished = await runCli(['rotate-secret', '--source', 'call', ARN, '--finish']);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toBe('');
    expect(finished.stderr).toMatch(/finished: only the current secret verifies now \(1 previous removed\)/);
    expect(JSON.parse(stored)).toEqual({ current: fresh, previous: [] });
    expect(verifies(fresh)).toBe(true);
    expect(verifies('old-secret-value')).toBe(false);
  });

  it('prints the new secret on stdout only, and where to paste it on stderr', async () => {
    const result = await runCli(['rotate-secret', '--source', 'call', ARN]);
    const fresh = JSON.parse(stored).current as string;
    expect(result.stdout).toBe(`${fresh}\n`);
    expect(result.stderr).not.toContain(fresh);
    expect(result.stderr).not.toContain('old-secret-value');
    expect(result.stderr).toMatch(/Paste the new secret .* into Happ: Integrations › Call Webhook › Secret/);
    expect(result.stderr).toContain(`happ-webhooks rotate-secret --source call ${ARN} --finish`);
    const chat = await runCli(['rotate-secret', '--source', 'chat', ARN]);
    expect(chat.stderr).toMatch(/Integrations › Chat Webhook/);
  });

  it('generates strong, URL-safe, distinct secrets (256 random bits)', async () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { stdout } = await runCli(['rotate-secret', '--source', 'call', ARN]);
      expect(stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
      secrets.add(stdout.trim());
    }
    expect(secrets.size).toBe(20);
  });

  it('keeps every earlier secret when rotating again before --finish', async () => {
    const first = (await runCli(['rotate-secret', '--source', 'call', ARN])).stdout.trim();
    const second = await runCli(['rotate-secret', '--source', 'call', ARN]);
    expect(second.stderr).toMatch(/a rotation was already in progress/);
    expect(JSON.parse(stored)).toEqual({
      current: second.stdout.trim(),
      previous: [first, 'old-secret-value'],
    });
    for (const s of [first, second.stdout.trim(), 'old-secret-value']) expect(verifies(s)).toBe(true);
  });

  it('uses the region in the ARN', async () => {
    await runCli(['rotate-secret', '--source', 'call', ARN]);
    const client = sm.call(0).thisValue as SecretsManagerClient;
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('prints JSON with --json', async () => {
    const result = await runCli(['rotate-secret', '--source', 'call', ARN, '--json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      arn: ARN,
      source: 'call',
      secret: JSON.parse(stored).current,
      previousCount: 1,
      versionId: 'v-new',
    });
    const finished = await runCli(['rotate-secret', '--source', 'call', ARN, '--finish', '--json']);
    expect(JSON.parse(finished.stdout)).toEqual({ arn: ARN, source: 'call', finished: true, removed: 1 });
  });

  it('--finish with nothing to finish changes nothing', async () => {
    const result = await runCli(['rotate-secret', '--source', 'call', ARN, '--finish']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/nothing to finish/);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('explains a missing secret and missing credentials', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }),
    );
    const missing = await runCli(['rotate-secret', '--source', 'call', ARN]);
    expect(missing.stderr).toMatch(/secret arn:.* was not found \(check the ARN and --region\)/);

    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const noCreds = await runCli(['rotate-secret', '--source', 'call', ARN]);
    expect(noCreds.code).toBe(1);
    expect(noCreds.stderr).toMatch(/no AWS credentials found/);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('refuses to rotate a malformed stored value, without echoing it', async () => {
    stored = '{"current": ""}';
    const result = await runCli(['rotate-secret', '--source', 'call', ARN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no non-empty string "current"/);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('fails when the write is denied, leaving the secret as it was', async () => {
    sm.on(PutSecretValueCommand).rejects(
      Object.assign(new Error('User is not authorized to perform secretsmanager:PutSecretValue'), {
        name: 'AccessDeniedException',
      }),
    );
    const result = await runCli(['rotate-secret', '--source', 'call', ARN]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/writing secret .*: access denied \(User is not authorized/);
    expect(stored).toBe('old-secret-value');
  });

  it.each([
    [['rotate-secret', ARN], /required option '--source <source>' not specified/],
    [['rotate-secret', '--source', 'sms', ARN], /Allowed choices are chat, call/],
    [['rotate-secret', '--source', 'call'], /missing required argument 'secret-arn'/],
  ])('fails on bad input %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});
