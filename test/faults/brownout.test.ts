// A Secrets Manager brown-out longer than several refresh intervals, on the BUNDLED verifier, with
// Secrets Manager failing behind a fault proxy on a real socket: a warm container keeps verifying with
// the last secret it fetched (valid → 202, bad → 401, never 503), refetches at most once per interval
// whatever the traffic, and picks up a rotation after recovery.
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { BundleContainer } from '../lambda/verifier/bundle-container';
import * as t from '../lambda/verifier/support';
import { FaultProxy } from '../support/fault-proxy';

jest.setTimeout(60_000);

const REFRESH_MS = 500;
const OUTAGE_MS = 3_000;

let sm: LocalSecretsManagerServer;
let proxy: FaultProxy;
let container: BundleContainer;
beforeAll(async () => {
  sm = await t.startSecretsManager();
  proxy = await FaultProxy.start(sm.endpoint);
  container = await BundleContainer.start({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
});
afterAll(async () => {
  await container?.stop();
  await proxy?.stop();
  await sm?.stop();
});

const body = (n: number) =>
  JSON.stringify({ event: 'chat.message.received', messageId: `m-${n}-${t.suffix()}` });

it('rides out the brown-out: valid deliveries accepted, bad signatures 401, fetches rate-limited, rotation picked up after', async () => {
  const stack = await t.createStack(sm);
  const invoke = await container.createHandler({
    ...t.stackConfig(stack),
    secretsCacheTtlSeconds: 1,
    secretRefreshIntervalMs: REFRESH_MS,
  });
  expect((await invoke(t.signedEvent('chat', body(0), 'chat-secret'))).statusCode).toBe(202);

  proxy.inject('GetSecretValue', { fault: 'error' });
  const before = proxy.count('GetSecretValue');
  const started = Date.now();
  const valid: APIGatewayProxyResult[] = [];
  const invalid: APIGatewayProxyResult[] = [];
  // At least OUTAGE_MS and at least 60 bad requests (a loaded machine answers fewer per second).
  for (let n = 1; Date.now() - started < OUTAGE_MS || invalid.length <= 60; n++) {
    invalid.push(await invoke(t.signedEvent('chat', body(n), 'not-the-secret')));
    if (n % 10 === 0) valid.push(await invoke(t.signedEvent('chat', body(n), 'chat-secret')));
  }
  const outageMs = Date.now() - started;
  const attempts = proxy.count('GetSecretValue') - before;

  expect(invalid.length).toBeGreaterThan(50);
  expect(new Set(invalid.map((r) => r.statusCode))).toEqual(new Set([401]));
  expect(new Set(valid.map((r) => r.statusCode))).toEqual(new Set([202]));
  // At most one fetch per refresh interval (each fetch is up to 3 SDK attempts), however many requests.
  expect(attempts).toBeLessThanOrEqual(3 * (Math.ceil(outageMs / REFRESH_MS) + 1));
  expect(attempts).toBeLessThan(invalid.length / 5);
  expect(container.text()).toContain('Secrets Manager failed; verified with the last secret fetched');
  expect(container.text()).toContain('"SecretStale"');

  // Recovery with a rotation: the new secret verifies after the next refresh, the old one still does.
  proxy.clear();
  sm.setSecret(
    stack.secretArns.chat,
    JSON.stringify({ current: 'rotated-secret', previous: ['chat-secret'] }),
  );
  await new Promise((resolve) => setTimeout(resolve, REFRESH_MS + 100));
  expect((await invoke(t.signedEvent('chat', body(10_001), 'rotated-secret'))).statusCode).toBe(202);
  expect((await invoke(t.signedEvent('chat', body(10_002), 'chat-secret'))).statusCode).toBe(202);
});
