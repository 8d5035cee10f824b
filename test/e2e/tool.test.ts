// End to end: `happ-webhooks dev --tool` (the built CLI, a child process) serves a tool on the local
// gateway; `happ-webhooks call` signs and sends the parameters; dev prints each call.
import { join } from 'node:path';
import { DevProcess } from '../cli/support/dev-process';
import { runCli } from '../cli/support/run-cli';

const TOOL = join(__dirname, '..', 'lib', 'fixtures', 'lookup-tool.ts');
let dev: DevProcess;
let tool: { name: string; url: string; secret: string };

beforeAll(async () => {
  dev = new DevProcess(['--tool', `lookup-order=${TOOL}`]);
  const ready = await dev.ready();
  tool = (ready.tools as (typeof tool)[])[0]!;
}, 60_000);
afterAll(async () => {
  await dev?.stop();
});

test('dev serves the tool at /tools/<name> with its own secret', () => {
  expect(tool.name).toBe('lookup-order');
  expect(tool.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tools\/lookup-order$/);
  expect(tool.secret.length).toBeGreaterThan(20);
});

test('a signed call through the gateway gets the JSON answer; dev prints method, params, status, answer, time', async () => {
  const r = await runCli(['call', tool.url, '--params', '{"orderId":"o-7"}', '--secret', tool.secret]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ orderId: 'o-7', status: 'shipped' });
  const printed = await dev.waitFor(
    (e) => e.kind === 'tool' && (e.params as { orderId?: string })?.orderId === 'o-7',
    'the tool call',
  );
  expect(printed).toMatchObject({
    tool: 'lookup-order',
    method: 'POST',
    path: '/tools/lookup-order',
    params: { orderId: 'o-7' },
    status: 200,
    answer: { orderId: 'o-7', status: 'shipped' },
  });
  expect(typeof printed.ms).toBe('number');
});

test('an unsigned call is answered 401; a HappToolError reaches the caller as JSON', async () => {
  const unsigned = await fetch(tool.url, { method: 'POST', body: '{"orderId":"o-8"}' });
  expect(unsigned.status).toBe(401);
  await dev.waitFor((e) => e.kind === 'tool' && e.status === 401, 'the 401');
  const missing = await runCli([
    'call',
    tool.url,
    '--params',
    '{"orderId":"missing"}',
    '--secret',
    tool.secret,
  ]);
  expect(JSON.parse(missing.stdout)).toEqual({
    error: 'tool_error',
    message: 'order missing does not exist',
  });
});
