// `happ-webhooks call` against a happTool handler served by the local dev gateway (real HTTP).
import { Logger } from '@aws-lambda-powertools/logger';
import { startGateway, type Gateway, type GatewayExchange } from '../../bin/cli/dev/gateway';
import type { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { happTool, HappToolError } from '../../lambda/runtime';
import { startSecretsManager } from '../lambda/verifier/support';
import { runCli } from './support/run-cli';

const SECRET = 'call-secret-0123456789';
let sm: LocalSecretsManagerServer;
let gateway: Gateway;
let base: string;
const exchanges: GatewayExchange[] = [];
const seen: unknown[] = [];

beforeAll(async () => {
  sm = await startSecretsManager();
  const secretArn = sm.setSecret('happ/tool/lookup', SECRET);
  const handler = happTool(
    async (params: Record<string, unknown>) => {
      seen.push(params);
      if (params.orderId === 'missing')
        throw new HappToolError('no such order', { status: 404, code: 'not_found' });
      return { orderId: params.orderId, status: 'shipped' };
    },
    { name: 'lookup', secretArn, idempotency: false, logger: new Logger({ logLevel: 'SILENT' }) },
  );
  gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    handler: handler as never,
    onExchange: (x) => exchanges.push(x),
  });
  base = `http://127.0.0.1:${gateway.port}`;
});
afterAll(async () => {
  await gateway.close();
  await sm.stop();
});

test('POST: signs the JSON body, prints the JSON answer, exit 0', async () => {
  const r = await runCli([
    'call',
    `${base}/tools/lookup`,
    '--params',
    '{"orderId":"o-1"}',
    '--secret',
    SECRET,
  ]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ orderId: 'o-1', status: 'shipped' });
  expect(r.stderr).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/tools\/lookup → 200 \(\d+ ms\)/);
});

test('GET: the parameters become the query string, signed in canonical form', async () => {
  const r = await runCli([
    'call',
    `${base}/tools/lookup`,
    '--method',
    'GET',
    '--params',
    '{"orderId":"o 2&x","n":3}',
    '--secret',
    SECRET,
    '--json',
  ]);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { status: number; answer: unknown; url: string };
  expect(out.status).toBe(200);
  expect(out.url).toMatch(/\/tools\/lookup\?n=3&orderId=o%202%26x$/);
  expect(seen[seen.length - 1]).toEqual({ orderId: 'o 2&x', n: '3' });
});

test('a wrong secret is answered 401 (exit 1); a HappToolError with a status is printed as its JSON', async () => {
  const bad = await runCli(['call', `${base}/tools/lookup`, '--params', '{}', '--secret', 'nope']);
  expect(bad.code).toBe(1);
  expect(JSON.parse(bad.stdout)).toEqual({ error: 'unauthorized', message: 'missing or invalid signature' });
  const missing = await runCli([
    'call',
    `${base}/tools/lookup`,
    '--params',
    '{"orderId":"missing"}',
    '--secret',
    SECRET,
  ]);
  expect(missing.code).toBe(1);
  expect(JSON.parse(missing.stdout)).toEqual({ error: 'not_found', message: 'no such order' });
});

test('--params must be JSON', async () => {
  const r = await runCli(['call', `${base}/tools/lookup`, '--params', '{orderId', '--secret', SECRET]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/--params must be JSON/);
});
