import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/run-cli';

const SECRET = 'whsec-test-0123456789';
const hmac = (body: Buffer | string, encoding: 'hex' | 'base64' = 'hex') =>
  createHmac('sha256', SECRET).update(body).digest(encoding);

describe('happ-webhooks sign', () => {
  it('prints the header line curl needs, HMAC-SHA256 hex of the exact bytes', async () => {
    const result = await runCli(['sign', '--data', '{"event":"call.completed"}', '--secret', SECRET]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`x-happ-signature: ${hmac('{"event":"call.completed"}')}\n`);
  });

  it('signs a file byte for byte (no re-serialisation of whitespace or unicode)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'happ-sign-'));
    const bytes = Buffer.from('{ "event" : "chat.message.received",\n  "text": "Привіт 👋" }\r\n', 'utf8');
    writeFileSync(join(dir, 'body.json'), bytes);
    const result = await runCli(['sign', '--file', join(dir, 'body.json'), '--secret', SECRET]);
    expect(result.stdout).toBe(`x-happ-signature: ${hmac(bytes)}\n`);
  });

  it('honours --header, --encoding base64 and --prefix', async () => {
    const result = await runCli([
      'sign',
      '--data',
      'x',
      '--secret',
      SECRET,
      '--header',
      'X-Signature',
      '--encoding',
      'base64',
      '--prefix',
      'sha256=',
    ]);
    expect(result.stdout).toBe(`X-Signature: sha256=${hmac('x', 'base64')}\n`);
  });

  it('reads the body from stdin with --file - and the secret from HAPP_WEBHOOK_SECRET', async () => {
    const result = await runCli(['sign', '--file', '-'], {
      stdin: 'from stdin',
      env: { HAPP_WEBHOOK_SECRET: SECRET },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`x-happ-signature: ${hmac('from stdin')}\n`);
  });

  it('prints JSON with --json', async () => {
    const result = await runCli(['sign', '--data', 'abc', '--secret', SECRET, '--json']);
    expect(JSON.parse(result.stdout)).toEqual({
      header: 'x-happ-signature',
      signature: hmac('abc'),
      encoding: 'hex',
      bytes: 3,
      body: '--data',
      secret: '--secret',
    });
    expect(result.stderr).toBe('');
  });

  it('fails when no secret is given, naming every way to give one', async () => {
    const result = await runCli(['sign', '--data', 'x']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--secret S, set HAPP_WEBHOOK_SECRET, or pass --secret-arn ARN/);
  });

  it('fails when no body is given', async () => {
    const result = await runCli(['sign', '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--file body.json, --file - \(stdin\), or --data STRING/);
  });

  it('fails on a missing file', async () => {
    const result = await runCli(['sign', '--file', '/nonexistent/body.json', '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot read --file \/nonexistent\/body.json: no such file/);
  });

  it('rejects an unknown encoding with the allowed choices', async () => {
    const result = await runCli(['sign', '--data', 'x', '--secret', SECRET, '--encoding', 'b32']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Allowed choices are hex, base64/);
  });

  it('rejects --secret together with --secret-arn', async () => {
    const result = await runCli(['sign', '--data', 'x', '--secret', 's', '--secret-arn', 'arn:aws:x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot be used with option '--secret-arn/);
  });
});
