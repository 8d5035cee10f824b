// The one test that really bundles a tool (NodejsFunction with the local esbuild), then runs the
// built artifact in a child process like a Lambda container, against the local Secrets Manager and
// dynalite: the wrapper is in the output and verifies before the user's plain function runs.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { HappWebhookReceiver } from '../../lib';
import { formatSecretValue } from '../../lambda/shared/secrets';
import { BundleContainer } from '../lambda/verifier/bundle-container';
import { startSecretsManager } from '../lambda/verifier/support';
import { createIdempotencyTable, scanTable, unique } from '../lambda/runtime/factories';
import { bodyOf, toolEvent } from '../lambda/runtime/tool/support';

const ENTRY = join(__dirname, 'fixtures', 'artifact-tool.ts');
const PARAMS = {
  type: 'object',
  properties: { orderId: { type: 'string', minLength: 2 } },
  required: ['orderId'],
};

let outdir: string;
let bundle: string;
let env: Record<string, string>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'happ-tool-bundle-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Bundled');
  const receiver = new HappWebhookReceiver(stack, 'Happ', { monitoring: false });
  receiver.addTool('lookup', {
    entry: ENTRY,
    description: 'Looks up an order',
    parameters: PARAMS,
    timeout: Duration.seconds(2),
  });
  const template = Template.fromStack(stack);
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
    (r) => r.Properties.Environment?.Variables?.HAPP_TOOL_NAME === 'lookup',
  )!;
  env = Object.fromEntries(
    Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).filter(
      ([, v]) => typeof v === 'string',
    ),
  ) as Record<string, string>;
  const key = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  bundle = join(outdir, `asset.${key}`, 'index.js');
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('the asset holds one bundle: the wrapper around the user module, the schema bundled in, no source map', () => {
  expect(existsSync(bundle)).toBe(true);
  expect(readdirSync(join(bundle, '..'))).toEqual(['index.js']);
  const code = readFileSync(bundle, 'utf8');
  expect(code).toContain('cdk-happ-webhooks:tool-wrapper');
  expect(code).toContain('the database is gone'); // the user's module
  expect(code).toContain('minLength'); // the construct's parameters schema (esbuild define)
  expect(code).not.toMatch(/require\(["']cdk-happ-webhooks-tool-user-entry["']\)/); // resolved, not left external
});

describe('the built artifact in a child process', () => {
  const SECRET = 'artifact-secret-0123456789';
  let sm: LocalSecretsManagerServer;
  let container: BundleContainer;
  let table: string;
  const ddb = new DynamoDBClient({});

  beforeAll(async () => {
    sm = await startSecretsManager();
    table = await createIdempotencyTable(ddb);
    const secretArn = sm.setSecret(
      unique('tool'),
      formatSecretValue({ current: SECRET, previous: ['old-secret-value'] }),
    );
    container = await BundleContainer.start({
      HAPP_BUNDLE_PATH: bundle,
      ...env,
      HAPP_TOOL_SECRET_ARN: secretArn,
      HAPP_TABLE_NAME: table,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  }, 60_000);
  afterAll(async () => {
    await container?.stop();
    await sm?.stop();
  });

  test('valid, missing, wrong and rotated (previous) signatures', async () => {
    const ok = await container.handler(toolEvent({ orderId: 'o-1' }, { secret: SECRET }));
    expect(ok.statusCode).toBe(200);
    expect(bodyOf(ok)).toMatchObject({ orderId: 'o-1', status: 'shipped' });
    expect((await container.handler(toolEvent({ orderId: 'o-1' }))).statusCode).toBe(401);
    expect((await container.handler(toolEvent({ orderId: 'o-1' }, { secret: 'wrong' }))).statusCode).toBe(
      401,
    );
    const rotated = await container.handler(
      toolEvent({ orderId: 'o-2' }, { secret: 'old-secret-value', encoding: 'base64' }),
    );
    expect(rotated.statusCode).toBe(200);
    expect(container.text()).not.toContain(SECRET);
  });

  test("the construct's parameters schema is enforced before the function (400 with violations)", async () => {
    const res = await container.handler(toolEvent({ orderId: 'x' }, { secret: SECRET }));
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).violations).toEqual([
      { path: '/orderId', message: 'must NOT have fewer than 2 characters' },
    ]);
  });

  test('HappToolError → 200 JSON error; other errors → generic 500 and a full log line', async () => {
    const missing = await container.handler(toolEvent({ orderId: 'missing' }, { secret: SECRET }));
    expect(missing.statusCode).toBe(200);
    expect(bodyOf(missing)).toEqual({ error: 'tool_error', message: 'order missing does not exist' });
    const boom = await container.handler(toolEvent({ orderId: 'boom' }, { secret: SECRET }));
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('database');
    expect(container.text()).toContain('the database is gone');
  });

  test('a function hanging past the deadline is answered 504 before the tool timeout (2 s)', async () => {
    const started = Date.now();
    const res = await container.handler(toolEvent({ orderId: 'hang' }, { secret: SECRET }), 4_000);
    expect(res.statusCode).toBe(504);
    expect(Date.now() - started).toBeLessThan(2_000 + 500); // the IPC hop is the margin
  });

  test('an idempotent action (POST, the default) retried gets the first answer; the function ran once', async () => {
    const event = toolEvent({ orderId: 'o-retry' }, { secret: SECRET });
    const first = await container.handler(event);
    const retry = await container.handler(event);
    expect(retry.body).toBe(first.body);
    expect(retry.headers).toMatchObject({ 'x-happ-tool-replayed': 'true' });
    const items = await scanTable(table, ddb);
    expect(items.filter((i) => String(i.id).startsWith('happ-tool#lookup#'))).not.toHaveLength(0);
  });
});
