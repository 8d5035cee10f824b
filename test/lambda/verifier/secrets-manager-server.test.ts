// bin/local/secrets-manager-server.ts: the local Secrets Manager the tests and the CLI's `dev` use,
// driven through the real AWS SDK client.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { request } from 'node:http';
import { LocalSecretsManagerServer } from '../../../bin/local/secrets-manager-server';

let server: LocalSecretsManagerServer;
let client: SecretsManagerClient;

beforeEach(async () => {
  server = new LocalSecretsManagerServer();
  client = new SecretsManagerClient({ endpoint: await server.start() });
});
afterEach(async () => {
  client.destroy();
  await server.stop();
});

describe('LocalSecretsManagerServer', () => {
  it('listens on a free loopback port', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves GetSecretValue by name, ARN and partial ARN', async () => {
    const arn = server.setSecret('happ/chat', 'v1');
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:happ\/chat-[A-Za-z0-9]{6}$/);
    for (const id of ['happ/chat', arn, arn.slice(0, -7)]) {
      const got = await client.send(new GetSecretValueCommand({ SecretId: id }));
      expect(got).toMatchObject({
        ARN: arn,
        Name: 'happ/chat',
        SecretString: 'v1',
        VersionStages: ['AWSCURRENT'],
      });
    }
  });

  it('creates secrets, puts new versions and keeps the previous one as AWSPREVIOUS', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: 'app/x', SecretString: 'one' }));
    const put = await client.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'two' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'app/x' }))).SecretString).toBe('two');
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'app/x', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('one');
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'app/x' }));
    expect(described).toMatchObject({ ARN: created.ARN, Name: 'app/x' });
    expect(described.VersionIdsToStages).toEqual({
      [created.VersionId as string]: ['AWSPREVIOUS'],
      [put.VersionId as string]: ['AWSCURRENT'],
    });
    expect(server.getSecretString('app/x')).toBe('two');
  });

  it('stores binary secrets', async () => {
    await client.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: Buffer.from([0, 1, 255]) }));
    const got = await client.send(new GetSecretValueCommand({ SecretId: 'bin' }));
    expect(Buffer.from(got.SecretBinary as Uint8Array)).toEqual(Buffer.from([0, 1, 255]));
  });

  it.each([
    ['an unknown secret', new GetSecretValueCommand({ SecretId: 'nope' }), 'ResourceNotFoundException'],
    [
      'an existing name',
      new CreateSecretCommand({ Name: 'dup', SecretString: 'x' }),
      'ResourceExistsException',
    ],
    [
      'an invalid name',
      new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' }),
      'InvalidParameterException',
    ],
    [
      'two values',
      new PutSecretValueCommand({ SecretId: 'dup', SecretString: 'a', SecretBinary: Buffer.from('b') }),
      'InvalidParameterException',
    ],
  ])('answers AWS errors: %s', async (_name, command, errorName) => {
    server.setSecret('dup', 'x');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await expect(client.send(command as any)).rejects.toMatchObject({ name: errorName });
  });

  it('rejects operations it does not serve, naming the ones it does', async () => {
    const status = await new Promise<{ code?: number; body: string }>((resolve, reject) => {
      const url = new URL(server.endpoint);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          headers: { 'x-amz-target': 'secretsmanager.ListSecrets' },
        },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ code: res.statusCode, body }));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status.code).toBe(400);
    expect(JSON.parse(status.body)).toMatchObject({
      __type: 'UnknownOperationException',
      message: expect.stringContaining('GetSecretValue, PutSecretValue, DescribeSecret, CreateSecret'),
    });
  });

  it('fails the next n requests on purpose, then recovers (the SDK retries 5xx)', async () => {
    server.setSecret('s', 'v');
    server.failNext(2);
    // Two failures, then the SDK's third attempt succeeds.
    expect((await client.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('v');
    expect(server.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(() => server.failNext(-1)).toThrow(/non-negative integer \(given -1\)/);
  });

  it('fails everything while down', async () => {
    server.setSecret('s', 'v');
    server.down = true;
    await expect(client.send(new GetSecretValueCommand({ SecretId: 's' }))).rejects.toMatchObject({
      name: 'InternalServiceError',
      $metadata: { httpStatusCode: 500, attempts: 3 },
    });
    server.down = false;
    expect((await client.send(new GetSecretValueCommand({ SecretId: 's' }))).SecretString).toBe('v');
    expect(server.requestCount('GetSecretValue')).toBe(4);
  });

  it('deletes secrets and forgets requests', async () => {
    server.setSecret('gone', 'v');
    expect(server.describe('gone')).toMatchObject({ name: 'gone' });
    expect(server.deleteSecret('gone')).toBe(true);
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'gone' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    server.clearRequests();
    expect(server.requestCount()).toBe(0);
  });

  it('stops with keep-alive connections open, and can be stopped twice', async () => {
    server.setSecret('s', 'v');
    await client.send(new GetSecretValueCommand({ SecretId: 's' }));
    await server.stop();
    await server.stop();
    expect(() => server.endpoint).toThrow(/not started/);
  });
});
