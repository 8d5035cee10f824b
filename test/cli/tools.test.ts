// `happ-webhooks tools` against a local Happ API stub (the three documented endpoints), stack outputs
// from a `cdk deploy --outputs-file` file or CloudFormation (mocked: no emulator), the tool secret
// from the local Secrets Manager.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { HappApiStub } from './support/happ-api-stub';
import { runCli } from './support/run-cli';

const TOKEN = 'happ_live_0123456789abcdef';
const TOOL_SECRET = 'tool-secret-value-abcdef0123';
let dir: string;
let outputsFile: string;
let api: HappApiStub;
let apiUrl: string;
let sm: LocalSecretsManagerServer;
let smUrl: string;
const definition = {
  name: 'lookup-order',
  type: 'webhook_action',
  description: 'Looks up an order',
  apiCallUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/tools/lookup-order',
  httpMethod: 'post',
  executionMode: 'immediate',
  parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'happ-tools-'));
  sm = new LocalSecretsManagerServer();
  smUrl = await sm.start();
  const secretArn = sm.setSecret('happ/tool/lookup-order', TOOL_SECRET);
  outputsFile = join(dir, 'outputs.json');
  writeFileSync(
    outputsFile,
    JSON.stringify({
      MyStack: {
        HappToolslookuporderA1B2C3D4HappToolDefinition: JSON.stringify(definition),
        HappToolslookuporderA1B2C3D4HappToolSecretArn: secretArn,
        HappChatUrl: 'https://x/prod/chat',
      },
    }),
  );
  api = new HappApiStub(TOKEN);
  apiUrl = await api.start();
});
afterAll(async () => {
  await api.stop();
  await sm.stop();
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string | undefined> = {}) => ({
  AWS_ENDPOINT_URL_SECRETS_MANAGER: smUrl,
  HAPP_ACCESS_TOKEN: TOKEN,
  ...extra,
});
const register = (...extra: string[]) => [
  'tools',
  'MyStack',
  '--outputs-file',
  outputsFile,
  '--register',
  '--assistant',
  'asst_1',
  '--api-url',
  apiUrl,
  ...extra,
];

test('prints the definitions found in the stack outputs', async () => {
  const r = await runCli(['tools', 'MyStack', '--outputs-file', outputsFile, '--json'], { env: env() });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual([definition]);
});

test('reads the outputs from CloudFormation when no file is given', async () => {
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand, { StackName: 'Deployed' }).resolves({
    Stacks: [
      {
        StackName: 'Deployed',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [{ OutputKey: 'XHappToolDefinition', OutputValue: JSON.stringify(definition) }],
      },
    ],
  });
  try {
    const r = await runCli(['tools', 'Deployed', '--json'], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([definition]);
  } finally {
    cfn.restore();
  }
});

test('--register creates the tool (POST) with assistantId and the webhookSecret from Secrets Manager, then updates it (PATCH)', async () => {
  const created = await runCli(register(), { env: env() });
  expect(created.code).toBe(0);
  expect(created.stderr).toMatch(/created lookup-order \(POST 201\)/);
  const [post] = api.writes();
  expect(post).toMatchObject({ method: 'POST', path: '/api/assistant-tools', token: TOKEN });
  expect(post!.body).toEqual({ ...definition, assistantId: 'asst_1', webhookSecret: TOOL_SECRET });
  const get = api.requests.find((r) => r.method === 'GET')!;
  expect(get.query).toEqual({ assistantId: 'asst_1', name: 'lookup-order' });

  const updated = await runCli(register(), { env: env() });
  expect(updated.code).toBe(0);
  expect(updated.stderr).toMatch(/updated lookup-order \(PATCH 200\)/);
  const writes = api.writes();
  expect(writes).toHaveLength(2);
  expect(writes[1]!.method).toBe('PATCH');
  expect(writes[1]!.path).toBe(`/api/assistant-tools/${[...api.tools.keys()][0]}`);
  expect(api.tools.size).toBe(1); // idempotent: found by name, not created twice
});

test('--dry-run prints the requests with the token and secret masked and writes nothing', async () => {
  const before = api.writes().length;
  const r = await runCli(register('--dry-run'), { env: env() });
  expect(r.code).toBe(0);
  expect(api.writes()).toHaveLength(before);
  expect(r.stdout).toMatch(/\(not sent\) (PATCH|POST) http:\/\/127\.0\.0\.1:\d+\/api\/assistant-tools/);
  expect(r.stdout).toContain('X-Access-Token: happ_…****');
  expect(r.stdout).toContain('"webhookSecret": "****"');
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
  expect(r.stdout + r.stderr).not.toContain(TOOL_SECRET);
});

test('a bad token is a clear error (exit 1) and nothing is written', async () => {
  const before = api.writes().length;
  const r = await runCli(register(), { env: env({ HAPP_ACCESS_TOKEN: 'happ_wrong' }) });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /Happ refused the access token \(401 on GET \/api\/assistant-tools\): check HAPP_ACCESS_TOKEN/,
  );
  expect(api.writes()).toHaveLength(before);
});

test('no token, or no assistant: a clear error', async () => {
  const noToken = await runCli(register(), { env: env({ HAPP_ACCESS_TOKEN: undefined }) });
  expect(noToken.code).toBe(1);
  expect(noToken.stderr).toMatch(/--register needs HAPP_ACCESS_TOKEN/);
  const noAssistant = await runCli(['tools', 'MyStack', '--outputs-file', outputsFile, '--register'], {
    env: env(),
  });
  expect(noAssistant.stderr).toMatch(/--register needs --assistant ID/);
});

test('a list answer in an unknown shape is an error, never a duplicate POST', async () => {
  const before = api.writes().length;
  api.listKey = 'results';
  try {
    const r = await runCli(register(), { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /came back in a shape this CLI does not know \(an object with keys results\).*Nothing was created/,
    );
    expect(api.writes()).toHaveLength(before);
  } finally {
    api.listKey = 'data';
  }
});

test('a tool without its HappToolSecretArn output is not registered unless --without-secret', async () => {
  const noSecret = join(dir, 'no-secret.json');
  writeFileSync(
    noSecret,
    JSON.stringify({
      MyStack: { HappToolslookuporderA1B2C3D4HappToolDefinition: JSON.stringify(definition) },
    }),
  );
  const before = api.writes().length;
  const args = [
    'tools',
    'MyStack',
    '--outputs-file',
    noSecret,
    '--register',
    '--assistant',
    'asst_2',
    '--api-url',
    apiUrl,
  ];
  const refused = await runCli(args, { env: env() });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/no HappToolSecretArn output for lookup-order.*--without-secret/);
  expect(api.writes()).toHaveLength(before);
  const forced = await runCli([...args, '--without-secret'], { env: env() });
  expect(forced.code).toBe(0);
  expect(forced.stderr).toMatch(/registered without webhookSecret \(--without-secret\)/);
  expect(api.writes().at(-1)!.body).not.toHaveProperty('webhookSecret');
});

test('an error answer that echoes the request never prints the webhookSecret back', async () => {
  api.failPostWith = 422;
  try {
    const r = await runCli(
      [
        'tools',
        'MyStack',
        '--outputs-file',
        outputsFile,
        '--register',
        '--assistant',
        'asst_3',
        '--api-url',
        apiUrl,
      ],
      { env: env() },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Happ answered 422 to POST \/api\/assistant-tools/);
    expect(r.stderr).not.toContain(TOOL_SECRET);
  } finally {
    api.failPostWith = undefined;
  }
});
