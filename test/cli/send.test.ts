import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KNOWN_EVENT_TYPES, HappEvents } from '../../lambda/shared/events';
import { runCli } from './support/run-cli';
import { startSignedReceiver, type SignedReceiver } from './support/signed-receiver';

const SECRET = 'whsec-send-test';

describe('happ-webhooks send', () => {
  let receiver: SignedReceiver;
  beforeEach(async () => {
    receiver = await startSignedReceiver({ secret: SECRET });
  });
  afterEach(() => receiver.close());

  it.each(KNOWN_EVENT_TYPES)('sends a verifiable sample of %s to its endpoint', async (type) => {
    const source = type.split('.')[0]!;
    const result = await runCli(['send', `${receiver.url}/${source}`, '--event', type, '--secret', SECRET]);
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.signatureValid).toBe(true);
    expect(request!.path).toBe(`/${source}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body.toString()).event).toBe(type);
    expect(result.stdout).toMatch(/#1 {2}202 Accepted {2}[\d.]+ ms {2}\{"status":"accepted"\}/);
  });

  it("labels call.completed as Happ's published sample and every other sample as illustrative", async () => {
    const published = await runCli([
      'send',
      `${receiver.url}/call`,
      '--event',
      'call.completed',
      '--secret',
      SECRET,
    ]);
    expect(published.stdout).toMatch(/Happ's published sample body/);
    const illustrative = await runCli([
      'send',
      `${receiver.url}/chat`,
      '--event',
      'chat.message.sent',
      '--secret',
      SECRET,
    ]);
    expect(illustrative.stdout).toMatch(/illustrative: Happ documents this event but publishes no schema/);
  });

  it('sends the published call.completed shape, field for field', async () => {
    await runCli(['send', `${receiver.url}/call`, '--event', HappEvents.CALL_COMPLETED, '--secret', SECRET]);
    const body = JSON.parse(receiver.requests[0]!.body.toString());
    expect(Object.keys(body)).toEqual([
      'event',
      'callId',
      'caller',
      'direction',
      'duration',
      'endedAt',
      'provider',
    ]);
    expect(body).toMatchObject({ direction: 'inbound', duration: 252, provider: 'ringostat' });
    expect(body.callId).toMatch(/^call_/);
  });

  it('picks the sample from the endpoint path when neither --source nor --event is given', async () => {
    await runCli(['send', `${receiver.url}/chat/`, '--secret', SECRET]);
    expect(JSON.parse(receiver.requests[0]!.body.toString()).event).toBe('chat.message.received');
  });

  it('sends a file byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'happ-send-'));
    const bytes = Buffer.from('{"event":"custom.thing",  "n": 1.50, "t":"ü"}\n', 'utf8');
    writeFileSync(join(dir, 'body.json'), bytes);
    const result = await runCli([
      'send',
      `${receiver.url}/call`,
      '--file',
      join(dir, 'body.json'),
      '--secret',
      SECRET,
    ]);
    expect(result.code).toBe(0);
    expect(receiver.requests[0]!.body.equals(bytes)).toBe(true);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
  });

  it('--repeat sends the identical delivery again, like a Happ retry', async () => {
    const result = await runCli(['send', `${receiver.url}/call`, '--secret', SECRET, '--repeat', '3']);
    expect(result.code).toBe(0);
    expect(receiver.requests).toHaveLength(3);
    const [a, b, c] = receiver.requests;
    expect(b!.body.equals(a!.body) && c!.body.equals(a!.body)).toBe(true);
    expect(new Set(receiver.requests.map((r) => r.headers['x-happ-signature'])).size).toBe(1);
    expect(result.stdout).toMatch(/#1 {2}202 Accepted.*\n#2 {2}200 OK.*duplicate.*\n#3 {2}200 OK/);
  });

  it('builds a new delivery on each run (fresh ids)', async () => {
    await runCli(['send', `${receiver.url}/call`, '--secret', SECRET]);
    await runCli(['send', `${receiver.url}/call`, '--secret', SECRET]);
    expect(receiver.requests[0]!.body.equals(receiver.requests[1]!.body)).toBe(false);
  });

  it('honours --header, --encoding and --prefix', async () => {
    const custom = await startSignedReceiver({
      secret: SECRET,
      header: 'x-sig',
      encoding: 'base64',
      prefix: 'sha256=',
    });
    try {
      const result = await runCli([
        'send',
        `${custom.url}/call`,
        '--secret',
        SECRET,
        '--header',
        'X-Sig',
        '--encoding',
        'base64',
        '--prefix',
        'sha256=',
      ]);
      expect(result.code).toBe(0);
      expect(custom.requests[0]!.signatureValid).toBe(true);
    } finally {
      await custom.close();
    }
  });

  it('prints one JSON document with --json', async () => {
    const result = await runCli([
      'send',
      `${receiver.url}/call`,
      '--secret',
      SECRET,
      '--repeat',
      '2',
      '--json',
    ]);
    const doc = JSON.parse(result.stdout);
    const body = receiver.requests[0]!.body;
    expect(doc).toMatchObject({
      url: `${receiver.url}/call`,
      event: 'call.completed',
      sample: { published: true },
      bytes: body.length,
      header: 'x-happ-signature',
      signature: createHmac('sha256', SECRET).update(body).digest('hex'),
      secret: '--secret',
      ok: true,
      responses: [
        { attempt: 1, status: 202, json: { status: 'accepted' } },
        { attempt: 2, status: 200, json: { status: 'duplicate' } },
      ],
    });
    expect(result.stderr).toBe('');
  });

  it('exits 1 when the endpoint answers non-2xx (wrong secret → 401)', async () => {
    const result = await runCli(['send', `${receiver.url}/call`, '--secret', 'not-the-secret']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/#1 {2}401 Unauthorized/);
    expect(result.stderr).toMatch(/1 of 1 deliveries got a non-2xx answer/);
  });

  it('fails clearly when the endpoint is unreachable', async () => {
    const port = await closedPort();
    const result = await runCli(['send', `http://127.0.0.1:${port}/call`, '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`could not reach http://127.0.0.1:${port}/call: ECONNREFUSED`));
  });

  it('gives up after --timeout when the endpoint never answers', async () => {
    const hanging = await startSignedReceiver({ secret: SECRET, hang: true });
    try {
      const result = await runCli(['send', `${hanging.url}/call`, '--secret', SECRET, '--timeout', '300']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no answer from .* within 300 ms \(--timeout\)/);
    } finally {
      await hanging.close();
    }
  });

  it('warns when a sample goes to the other endpoint', async () => {
    const result = await runCli([
      'send',
      `${receiver.url}/chat`,
      '--event',
      'call.started',
      '--secret',
      SECRET,
    ]);
    expect(result.stderr).toMatch(/warning: sending a call event to \/chat, the chat endpoint/);
  });

  it.each([
    [['not a url'], /"not a url" is not a valid URL/],
    [['ftp://example.com/call'], /URL must be http:\/\/ or https:\/\//],
    [
      ['http://127.0.0.1:1/call', '--event', 'call.exploded'],
      /unknown event "call.exploded": built-in samples exist for chat.message.received, .*call.recording.available/,
    ],
    [
      ['http://127.0.0.1:1/call', '--source', 'chat', '--event', 'call.started'],
      /event "call.started" is a call event, not chat/,
    ],
    [['http://127.0.0.1:1/x', '--source', 'sms'], /Allowed choices are chat, call/],
    [['http://127.0.0.1:1/x'], /give --source chat\|call or --event TYPE/],
    [
      ['http://127.0.0.1:1/call', '--repeat', 'two'],
      /--repeat must be a whole number between 1 and 1000 \(given "two"\)/,
    ],
    [
      ['http://127.0.0.1:1/call', '--event', 'call.started', '--file', 'b.json'],
      /cannot be used with option '--file/,
    ],
  ])('fails on bad input %j', async (args, message) => {
    const result = await runCli(['send', ...args, '--secret', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('fails when no secret is given', async () => {
    const result = await runCli(['send', `${receiver.url}/call`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a signing secret is required/);
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('happ-webhooks send --secret-arn', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:happ-call-AbCdEf';
  const sm = mockClient(SecretsManagerClient);
  let receiver: SignedReceiver;
  beforeEach(async () => {
    sm.reset();
    receiver = await startSignedReceiver({ secret: 'new-secret' });
  });
  afterEach(() => receiver.close());
  afterAll(() => sm.restore());

  it('signs with "current" of a rotating {"current","previous"} value, in the ARN\'s region', async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({
      SecretString: JSON.stringify({ current: 'new-secret', previous: ['old-secret'] }),
    });
    const result = await runCli(['send', `${receiver.url}/call`, '--secret-arn', ARN]);
    expect(result.code).toBe(0);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
    const client = sm.call(0).thisValue as SecretsManagerClient;
    expect(await client.config.region()).toBe('eu-west-1');
  });

  it('signs with a plain-string secret value', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'new-secret' });
    const result = await runCli(['send', `${receiver.url}/call`, '--secret-arn', ARN]);
    expect(result.code).toBe(0);
    expect(receiver.requests[0]!.signatureValid).toBe(true);
  });

  it('explains a missing secret', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }),
    );
    const result = await runCli(['send', `${receiver.url}/call`, '--secret-arn', ARN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/secret arn:.*happ-call-AbCdEf was not found/);
  });

  it('explains missing AWS credentials and how to fix them', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const result = await runCli(['send', `${receiver.url}/call`, '--secret-arn', ARN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no AWS credentials found\. Set AWS_PROFILE .* AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a malformed stored value without echoing it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"previous":["leaky-value"]}' });
    const result = await runCli(['send', `${receiver.url}/call`, '--secret-arn', ARN]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no non-empty string "current"/);
    expect(result.stderr).not.toMatch(/leaky-value/);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
