import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_CLI, spawnBuiltCli, testEnv } from './support/run-cli';

// The built executable, as `npx happ-webhooks` runs it (npm test builds before jest).
describe('dist/bin/cli.js', () => {
  it('keeps the node shebang so npm can link it as the happ-webhooks bin', () => {
    expect(readFileSync(BUILT_CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(pkg.bin['happ-webhooks']).toBe('dist/bin/cli.js');
  });

  it('prints help listing every command and exits 0', async () => {
    const result = await spawnBuiltCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['send', 'sign', 'samples', 'dlq', 'redrive', 'rotate-secret', 'dev']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const result = await spawnBuiltCli(['--version']);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('exits non-zero with a hint on an unknown command', async () => {
    const result = await spawnBuiltCli(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('says how to fix missing AWS credentials (the real SDK credential chain, nothing mocked)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'happ-nohome-'));
    const env = testEnv({
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: home,
    });
    const result = await spawnBuiltCli(
      ['sign', '--data', 'x', '--secret-arn', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x'],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no AWS credentials found\. Set AWS_PROFILE/);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|at .*\.js:\d+/);
  });

  it('keeps startup light: --help and sign load no AWS SDK module', () => {
    const script = `
      const { run } = require(${JSON.stringify(join(BUILT_CLI, '..', 'cli', 'program.js'))});
      const io = { out() {}, err() {}, colors: require('picocolors').createColors(false), interactive: false,
        env: { HAPP_WEBHOOK_SECRET: 's' }, readStdin: async () => Buffer.alloc(0) };
      (async () => {
        await run(['--help'], io);
        await run(['sign', '--data', 'x'], io);
        console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('@aws-sdk'))));
      })();`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual([]);
  });
});
