// A newcomer's CDK app, from the packed tarball: `npm install <tarball> aws-cdk-lib constructs`
// (esbuild, typescript and @types/node as a CDK app has them) into a scratch directory, the README's
// first Usage example as the app with the two handlers from "Writing a handler" as its
// `NodejsFunction` entries, type-checked under moduleResolution node (classic CommonJS CDK apps),
// node16 and bundler, then synthesized: esbuild bundles each handler with the runtime helper.
// Needs `npm run build` (the tarball ships dist/). Packages come from npm's cache when present.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "${heading}" section`);
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next === -1 ? undefined : next);
}
const tsBlocks = (text: string) => [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** The version of a dev dependency this repository has installed (what the scratch app gets too). */
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

jest.setTimeout(240_000);

const RESOLUTIONS: Record<string, Record<string, string>> = {
  node: { module: 'commonjs', moduleResolution: 'node' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
};

const HANDLERS = ['handlers/slack.ts', 'handlers/crm.ts'];

function runNode(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
    let output = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, stderr }));
  });
}

describe('a consumer app built from the packed tarball', () => {
  let dir: string;
  let install: { stdout: string; stderr: string };
  const checks = new Map<string, { code: number | null; output: string }>();
  let synth: { code: number | null; output: string; stderr: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'happ-consumer-'));
    const packed = execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tarball = join(dir, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
    const app = join(dir, 'app');
    mkdirSync(join(app, 'handlers'), { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'scratch-happ-app',
        private: true,
        version: '1.0.0',
        // esbuild's postinstall fetches its binary. `prepare` is listed by npm 11.16+ only because
        // this install is from a local file: from the registry it is not an install script.
        allowScripts: { esbuild: true, [`file:${tarball}`]: false },
      }),
    );
    const run = spawnSync(
      npm,
      [
        'install',
        tarball,
        `aws-cdk-lib@${installed('aws-cdk-lib')}`,
        `constructs@${installed('constructs')}`,
        `esbuild@${installed('esbuild')}`,
        `typescript@${installed('typescript')}`,
        `@types/node@${installed('@types/node')}`,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
      ],
      { cwd: app, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`npm install failed:\n${run.stderr}`);
    install = { stdout: run.stdout, stderr: run.stderr };
    dir = app;
    const [usage] = tsBlocks(section('## Usage'));
    const [perEvent, eventMap] = tsBlocks(section('## Writing a handler'));
    writeFileSync(join(dir, 'app.ts'), usage!);
    writeFileSync(join(dir, 'handlers', 'slack.ts'), eventMap!);
    writeFileSync(join(dir, 'handlers', 'crm.ts'), perEvent!);
    writeFileSync(
      join(dir, 'imports.ts'),
      [
        "import { HappWebhookReceiver, HappEvents } from 'cdk-happ-webhooks';",
        "import { happHandler } from 'cdk-happ-webhooks/runtime';",
        'export const used: unknown[] = [HappWebhookReceiver, HappEvents.CALL_COMPLETED, happHandler];',
        '',
      ].join('\n'),
    );

    // The three type-checks and the synth run side by side. The synth runs app.ts transpiled the
    // way `cdk synth` runs a `cdk init` app through ts-node (CommonJS), with path and asset
    // metadata on, as the CLI asks.
    const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
    const ts = require(join(dir, 'node_modules', 'typescript')) as typeof import('typescript');
    mkdirSync(join(dir, 'js'));
    writeFileSync(
      join(dir, 'js', 'app.js'),
      ts.transpileModule(usage!, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      }).outputText,
    );
    const synthesis = runNode([join(dir, 'js', 'app.js')], dir, {
      CDK_OUTDIR: join(dir, 'cdk.out'),
      CDK_CONTEXT_JSON: JSON.stringify({
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
      }),
    });
    await Promise.all(
      Object.entries(RESOLUTIONS).map(async ([name, options]) => {
        const tsconfig = join(dir, `tsconfig.${name}.json`);
        writeFileSync(
          tsconfig,
          JSON.stringify({
            compilerOptions: {
              target: 'ES2022',
              lib: ['ES2022'],
              strict: true,
              types: ['node'],
              skipLibCheck: true,
              noEmit: true,
              ...options,
            },
            // `node` checks the whole app; the other two check what resolution changes: both
            // entry points of the package (aws-cdk-lib's root types are the slow part).
            files: name === 'node' ? ['app.ts', ...HANDLERS] : ['imports.ts', ...HANDLERS],
          }),
        );
        checks.set(name, await runNode([tsc, '-p', tsconfig], dir));
      }),
    );
    synth = await synthesis;
  });

  afterAll(() => {
    if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('installs without a warning (no peer dependency, engine or install-script notice)', () => {
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/npm warn/i);
  });

  it.each(Object.keys(RESOLUTIONS))('type-checks under moduleResolution %s', (name) => {
    expect(checks.get(name)).toMatchObject({ code: 0, output: '' });
  });

  it('synthesizes, with each NodejsFunction bundled at synth with the runtime helper inside', () => {
    expect(synth.stderr).not.toMatch(/Error/);
    expect(synth.code).toBe(0);
    const out = join(dir, 'cdk.out');
    const template = JSON.parse(readFileSync(join(out, 'HappWebhooks.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
      >;
    };
    const functions = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        /SlackNotifier|CrmSync/.test(r.Metadata?.['aws:cdk:path'] ?? ''),
    );
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
      const assetDir = join(out, fn.Metadata!['aws:asset:path']!);
      expect(readdirSync(assetDir)).toEqual(['index.js']);
      const code = readFileSync(join(assetDir, 'index.js'), 'utf8');
      // The helper itself (its idempotency key prefix and envelope checks) is in the bundle, not a require().
      expect(code).toContain('happ-subscriber');
      expect(code).toContain('MalformedEnvelopeError');
      expect(code).not.toMatch(/require\(["']cdk-happ-webhooks/);
    }
  });
});
