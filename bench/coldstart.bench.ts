/**
 * Benchmark 3 — cold-start proxy. The verifier is bundled several ways (same entry, same esbuild)
 * and each bundle is loaded in fresh `node` processes, interleaved, many times:
 *   require ms   time to `require()` the bundle (module initialisation: parse, compile, run the
 *                top level, which builds the handler and its clients)
 *   ready ms     process start → handler ready (adds Node's own bootstrap)
 * plus bytes raw and gzipped (what Lambda downloads and unpacks). Lambda's own init (sandbox,
 * runtime bootstrap, fetching the code) cannot be measured here; this is the part our bundle
 * controls.
 *
 * Variants: `shipped` is scripts/bundle.mjs's BUNDLE_OPTIONS as they are now; `naive` is the
 * plain esbuild bundle (no minify, default main fields = the SDK's CommonJS builds); the
 * `sdk-external` ones leave `@aws-sdk/*` and `@smithy/*` to the Lambda runtime's copy (here:
 * node_modules' copy — the same CommonJS files the runtime ships).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { median, round, summarize } from './stats';

interface BundleModule {
  BUNDLE_OPTIONS: Record<string, unknown>;
}

interface EsbuildModule {
  build(options: Record<string, unknown>): Promise<{ metafile?: unknown }>;
}

export interface VariantResult {
  readonly name: string;
  readonly description: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  readonly runs: number;
  readonly requireMs: { p50: number; p95: number; min: number; mean: number };
  readonly readyMs: { p50: number; p95: number; min: number; mean: number };
  readonly nodeFlags: string[];
}

export interface ColdStartResults {
  readonly runsPerVariant: number;
  /** `node -e ''`-style baseline: process start → empty script done (Node bootstrap alone). */
  readonly emptyNodeReadyMsP50: number;
  readonly variants: VariantResult[];
  /** shipped vs naive: ratio < 1 = smaller / faster. */
  readonly shippedVsNaive: { bytes: number; gzipBytes: number; requireMsP50: number };
}

export interface Variant {
  readonly name: string;
  readonly description: string;
  readonly options: Record<string, unknown>;
  readonly nodeFlags?: string[];
  /** Load another variant's bundle (for runtime-flag variants). */
  readonly sameBundleAs?: string;
  /** Output file extension. @default 'js' */
  readonly extension?: 'js' | 'mjs';
}

const SDK_EXTERNAL = ['@aws-sdk/*', '@smithy/*'];

export function variants(shipped: Record<string, unknown>): Variant[] {
  const naive = { bundle: true, platform: 'node', target: 'node24', format: 'cjs', logLevel: 'warning' };
  return [
    {
      name: 'naive',
      description: 'bundle only: no minify, CommonJS SDK builds (default main fields)',
      options: naive,
    },
    {
      name: 'naive, SDK external',
      description: 'naive, @aws-sdk/* + @smithy/* loaded from the runtime',
      options: { ...naive, external: SDK_EXTERNAL },
    },
    { name: 'shipped', description: 'scripts/bundle.mjs BUNDLE_OPTIONS', options: shipped },
    {
      name: 'shipped, SDK external',
      description: 'BUNDLE_OPTIONS + @aws-sdk/* + @smithy/* from the runtime',
      options: { ...shipped, external: SDK_EXTERNAL },
    },
    {
      name: 'shipped, minify only',
      description: 'BUNDLE_OPTIONS without mainFields (CommonJS SDK builds, minified)',
      options: { ...shipped, mainFields: undefined },
    },
    {
      name: 'shipped, ESM output',
      description: 'BUNDLE_OPTIONS with format esm (index.mjs; require shimmed for CommonJS dependencies)',
      options: {
        ...shipped,
        format: 'esm',
        banner: {
          js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        },
      },
      extension: 'mjs',
    },
    {
      name: 'shipped + --enable-source-maps',
      description: 'the shipped bundle run with NODE_OPTIONS=--enable-source-maps',
      options: shipped,
      nodeFlags: ['--enable-source-maps'],
      sameBundleAs: 'shipped',
    },
  ];
}

export async function benchColdStart(
  root: string,
  tmpDir: string,
  env: Record<string, string>,
  options: { quick?: boolean; runs?: number } = {},
): Promise<ColdStartResults> {
  const entry = join(root, 'lambda', 'verifier', 'index.ts');
  const { BUNDLE_OPTIONS } = (await import(
    pathToFileURL(join(root, 'scripts', 'bundle.mjs')).href
  )) as BundleModule;
  const runs = options.runs ?? (options.quick ? 5 : 25);
  const measured = await measureBundles(
    entry,
    variants(BUNDLE_OPTIONS),
    join(tmpDir, 'coldstart'),
    env,
    runs,
  );
  const results = measured.variants;
  const shipped = results.find((r) => r.name === 'shipped') as VariantResult;
  const naive = results.find((r) => r.name === 'naive') as VariantResult;
  return {
    runsPerVariant: runs,
    emptyNodeReadyMsP50: measured.emptyNodeReadyMsP50,
    variants: results,
    shippedVsNaive: {
      bytes: round(shipped.bytes / naive.bytes, 3),
      gzipBytes: round(shipped.gzipBytes / naive.gzipBytes, 3),
      requireMsP50: round(shipped.requireMs.p50 / naive.requireMs.p50, 3),
    },
  };
}

/**
 * Bundles `entry` once per variant (esbuild, `common` options added to each) and loads every
 * bundle `runs` times in fresh node processes, variants interleaved in each round.
 */
export async function measureBundles(
  entry: string,
  list: readonly Variant[],
  outRoot: string,
  env: Record<string, string>,
  runs: number,
  common: Record<string, unknown> = {},
): Promise<{ emptyNodeReadyMsP50: number; variants: VariantResult[] }> {
  const esbuild = (await import('esbuild')) as unknown as EsbuildModule;
  const files: Record<string, string> = {};
  for (const v of list) {
    if (v.sameBundleAs) {
      files[v.name] = files[v.sameBundleAs];
      continue;
    }
    const outfile = join(outRoot, slug(v.name), `index.${v.extension ?? 'js'}`);
    mkdirSync(join(outRoot, slug(v.name)), { recursive: true });
    const opts = Object.fromEntries(
      Object.entries({ ...common, ...v.options }).filter(([, value]) => value !== undefined),
    );
    await esbuild.build({ ...opts, entryPoints: [entry], outfile, sourcemap: opts.sourcemap ?? false });
    files[v.name] = outfile;
  }

  const loader = join(outRoot, 'load.cjs');
  writeFileSync(
    loader,
    [
      '// Loads one bundle and reports how long it took (fresh process per run).',
      'const t0 = performance.now();',
      'const file = process.argv[2];',
      "const loaded = file.endsWith('.mjs') ? import(require('node:url').pathToFileURL(file).href) : Promise.resolve(require(file));",
      'loaded.then((mod) => {',
      "  if (typeof mod.handler !== 'function') throw new Error('no handler export');",
      '  const t1 = performance.now();',
      '  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, readyMs: t1 }));',
      '});',
      '',
    ].join('\n'),
  );
  const empty = join(outRoot, 'empty.cjs');
  writeFileSync(
    empty,
    'process.stdout.write(JSON.stringify({ requireMs: 0, readyMs: performance.now() }));\n',
  );

  const samples: Record<string, { requireMs: number; readyMs: number }[]> = {};
  const emptySamples: number[] = [];
  for (let r = 0; r < runs; r++) {
    // Interleave variants so drift (other work on the machine) spreads evenly.
    emptySamples.push((await runNode([empty], env)).readyMs);
    for (const v of list) {
      (samples[v.name] ??= []).push(await runNode([...(v.nodeFlags ?? []), loader, files[v.name]], env));
    }
  }

  const results: VariantResult[] = list.map((v) => {
    const code = readFileSync(files[v.name]);
    let sourceMapBytes = 0;
    try {
      sourceMapBytes = statSync(`${files[v.name]}.map`).size;
    } catch {
      sourceMapBytes = 0;
    }
    const req = summarize(samples[v.name].map((s) => s.requireMs));
    const ready = summarize(samples[v.name].map((s) => s.readyMs));
    return {
      name: v.name,
      description: v.description,
      bytes: code.length,
      gzipBytes: gzipSync(code).length,
      sourceMapBytes,
      runs,
      requireMs: { p50: round(req.p50), p95: round(req.p95), min: round(req.min), mean: round(req.mean) },
      readyMs: {
        p50: round(ready.p50),
        p95: round(ready.p95),
        min: round(ready.min),
        mean: round(ready.mean),
      },
      nodeFlags: v.nodeFlags ?? [],
    };
  });
  return { emptyNodeReadyMsP50: round(median(emptySamples)), variants: results };
}

function slug(name: string): string {
  return name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

function runNode(
  args: string[],
  env: Record<string, string>,
): Promise<{ requireMs: number; readyMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim().slice(0, 500)}`));
        return;
      }
      resolve(JSON.parse(last));
    });
  });
}
