// Faults on the tool path, over real sockets (test/support/fault-proxy.ts) in front of the local
// Secrets Manager and dynalite, on the BUILT tool artifact (wrapper + user module, bundled with the
// construct's esbuild options) run in a child process: the answer always leaves before the tool's
// timeout, nothing unverified runs, and a stored-answer failure does not hide an answer that exists.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { TOOL_ESBUILD_OPTIONS, toolBundleWiring } from '../../lib/private/tool-bundle';
import { BundleContainer } from '../lambda/verifier/bundle-container';
import { startSecretsManager } from '../lambda/verifier/support';
import { createIdempotencyTable, unique } from '../lambda/runtime/factories';
import { bodyOf, toolEvent } from '../lambda/runtime/tool/support';
import { FaultProxy } from '../support/fault-proxy';

const TIMEOUT_MS = 2_000;
const SECRET = 'fault-secret-0123456789';
let dir: string;
let bundle: string;
let sm: LocalSecretsManagerServer;
let smProxy: FaultProxy;
let ddbProxy: FaultProxy;
let table: string;
const containers: BundleContainer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'happ-tool-fault-'));
  bundle = join(dir, 'index.js');
  const wiring = toolBundleWiring(join(__dirname, '..', 'lib', 'fixtures', 'artifact-tool.ts'), undefined);
  await build({
    ...TOOL_ESBUILD_OPTIONS,
    mainFields: [...TOOL_ESBUILD_OPTIONS.mainFields],
    entryPoints: [join(__dirname, '..', '..', 'lambda', 'runtime', 'tool-entry.ts')],
    outfile: bundle,
    define: wiring.define,
    alias: wiring.alias,
    logLevel: 'warning',
  });
  sm = await startSecretsManager();
  smProxy = await FaultProxy.start(sm.endpoint);
  ddbProxy = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_DYNAMODB!);
  table = await createIdempotencyTable();
}, 60_000);

afterEach(async () => {
  smProxy.clear().releaseHung();
  ddbProxy.clear().releaseHung();
  for (const c of containers.splice(0)) await c.kill();
});

afterAll(async () => {
  await smProxy.stop();
  await ddbProxy.stop();
  await sm.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function container(env: Record<string, string> = {}): Promise<BundleContainer> {
  const c = await BundleContainer.start({
    HAPP_BUNDLE_PATH: bundle,
    HAPP_TOOL_NAME: 'lookup',
    HAPP_TOOL_SECRET_ARN: sm.setSecret(unique('tool'), SECRET),
    HAPP_TOOL_TIMEOUT_MS: String(TIMEOUT_MS),
    HAPP_TOOL_IDEMPOTENT: 'true',
    HAPP_TABLE_NAME: table,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: smProxy.url,
    AWS_ENDPOINT_URL_DYNAMODB: ddbProxy.url,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...env,
  });
  containers.push(c);
  return c;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

test('Secrets Manager hangs before any secret was read: 503 + retry-after before the tool timeout; the function never ran', async () => {
  const c = await container();
  smProxy.inject('GetSecretValue', { fault: 'hang' });
  const { value, ms } = await timed(() =>
    c.handler(toolEvent({ orderId: 'o-1' }, { secret: SECRET }), 30_000),
  );
  expect(value.statusCode).toBe(503);
  expect(value.headers).toMatchObject({ 'retry-after': '1' });
  expect(ms).toBeLessThan(TIMEOUT_MS + 200); // the IPC hop is the margin
  smProxy.clear();
  const after = await c.handler(toolEvent({ orderId: 'o-1' }, { secret: SECRET }), 30_000);
  expect(bodyOf(after)).toMatchObject({ orderId: 'o-1', calls: 1 }); // the first run is this one
});

test('Secrets Manager down after a secret was read: the last secret keeps verifying (stale-while-error)', async () => {
  const c = await container({ HAPP_SECRETS_CACHE_TTL_SECONDS: '0' });
  expect((await c.handler(toolEvent({ orderId: 'a' }, { secret: SECRET }))).statusCode).toBe(200);
  smProxy.inject('GetSecretValue', { fault: 'hang' });
  const { value, ms } = await timed(() => c.handler(toolEvent({ orderId: 'b' }, { secret: SECRET })));
  expect(value.statusCode).toBe(200);
  expect(ms).toBeLessThan(TIMEOUT_MS);
  expect((await c.handler(toolEvent({ orderId: 'c' }, { secret: 'wrong' }))).statusCode).toBe(401);
});

test('DynamoDB hangs on the claim of an idempotent action: 503 before the tool timeout, the function did not run', async () => {
  const c = await container();
  ddbProxy.inject('PutItem', { fault: 'hang' });
  const event = toolEvent({ orderId: 'o-9' }, { secret: SECRET });
  const { value, ms } = await timed(() => c.handler(event, 30_000));
  expect(value.statusCode).toBe(503);
  expect(value.headers).toMatchObject({ 'retry-after': '1' });
  expect(ms).toBeLessThan(TIMEOUT_MS + 200); // the IPC hop is the margin
  ddbProxy.clear().releaseHung();
  const retry = await c.handler(event, 30_000);
  expect(bodyOf(retry)).toMatchObject({ orderId: 'o-9', calls: 1 });
});

test('DynamoDB fails to store the answer after the function ran: the answer is still given', async () => {
  const c = await container();
  ddbProxy.inject('UpdateItem', { fault: 'error' });
  const res = await c.handler(toolEvent({ orderId: 'o-10' }, { secret: SECRET }), 30_000);
  expect(res.statusCode).toBe(200);
  expect(bodyOf(res)).toMatchObject({ orderId: 'o-10', status: 'shipped', calls: 1 });
  expect(ddbProxy.count('UpdateItem')).toBeGreaterThan(0);
  expect(c.text()).toContain('the answer could not be stored for retries; answered anyway');
});
