// A tool's secret rotates like a webhook secret (`rotate-secret --source tool`): old and new both
// verify at the built tool helper until --finish.
import { Logger } from '@aws-lambda-powertools/logger';
import { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { happTool } from '../../lambda/runtime';
import { parseSecretValue } from '../../lambda/shared/secrets';
import { toolEvent } from '../lambda/runtime/tool/support';
import { runCli } from './support/run-cli';

const server = new LocalSecretsManagerServer();
let env: Record<string, string>;
beforeAll(async () => {
  env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: await server.start() };
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
});
afterAll(() => server.stop());

test('rotate, both verify, the instructions name the tool webhookSecret; --finish leaves only the new one', async () => {
  const arn = server.setSecret(`happ/tool-${Date.now()}`, 'initial-tool-secret');
  const rotated = await runCli(['rotate-secret', '--source', 'tool', arn], { env });
  expect(rotated.code).toBe(0);
  expect(rotated.stderr).toMatch(
    /into Happ: the tool's webhookSecret \(or run happ-webhooks tools <stack> --register\)/,
  );
  const fresh = rotated.stdout.trim();
  expect(parseSecretValue(server.getSecretString(arn))).toEqual([fresh, 'initial-tool-secret']);

  const handler = happTool(async () => ({ ok: true }), {
    name: 'rotating',
    secretArn: arn,
    idempotency: false,
    secretRefreshIntervalMs: 0,
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  expect((await handler(toolEvent({}, { secret: 'initial-tool-secret' }))).statusCode).toBe(200);
  expect((await handler(toolEvent({}, { secret: fresh }))).statusCode).toBe(200);

  const finished = await runCli(['rotate-secret', '--source', 'tool', arn, '--finish'], { env });
  expect(finished.code).toBe(0);
  expect(parseSecretValue(server.getSecretString(arn))).toEqual([fresh]);
});
