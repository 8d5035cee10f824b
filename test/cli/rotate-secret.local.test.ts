import { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { parseSecretValue } from '../../lambda/shared/secrets';
import { runCli } from './support/run-cli';
import { startSignedReceiver } from './support/signed-receiver';

// The same commands over real HTTP against the local Secrets Manager (AWS JSON 1.1), no mocks:
// the SDK's serialisation, endpoint override and error parsing are exercised for real.
describe('rotate-secret and send --secret-arn against the local Secrets Manager', () => {
  const server = new LocalSecretsManagerServer();
  let env: Record<string, string>;
  beforeAll(async () => {
    env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: await server.start() };
  });
  afterAll(() => server.stop());

  it('rotates, signs with the new current secret, and finishes', async () => {
    const arn = server.setSecret(`happ/call-${Date.now()}`, 'initial-secret');
    const rotated = await runCli(['rotate-secret', '--source', 'call', arn], { env });
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(parseSecretValue(server.getSecretString(arn))).toEqual([fresh, 'initial-secret']);

    const receiver = await startSignedReceiver({ secret: fresh });
    try {
      const sent = await runCli(['send', `${receiver.url}/call`, '--secret-arn', arn], { env });
      expect(sent.code).toBe(0);
      expect(receiver.requests[0]!.signatureValid).toBe(true);
    } finally {
      await receiver.close();
    }

    const finished = await runCli(['rotate-secret', '--source', 'call', arn, '--finish'], { env });
    expect(finished.code).toBe(0);
    expect(parseSecretValue(server.getSecretString(arn))).toEqual([fresh]);
  });

  it('reports a secret that does not exist', async () => {
    const result = await runCli(
      [
        'rotate-secret',
        '--source',
        'chat',
        'arn:aws:secretsmanager:us-east-1:000000000000:secret:missing-AbCdEf',
      ],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/secret arn:.*missing-AbCdEf was not found/);
  });
});
