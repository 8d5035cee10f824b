// Bundles every Lambda handler with esbuild at build time, so consumers of the construct never
// bundle at synth (no esbuild, no Docker) and tests load the same artifact that is deployed.
// Output: dist/lambda/<name>/index.js exporting `handler`.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda functions this package deploys (name -> entry). */
export const LAMBDAS = {
  verifier: 'lambda/verifier/index.ts',
  example: 'lambda/example/index.ts',
};

/** esbuild options shared by every bundle (and by the benchmarks' variants). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  // The AWS SDK v3 and Powertools ship ESM builds; preferring them lets esbuild tree-shake.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
};

export async function bundleAll({ outRoot = join(root, 'dist', 'lambda'), only } = {}) {
  const results = {};
  for (const [name, entry] of Object.entries(LAMBDAS)) {
    if (only && !only.includes(name)) continue;
    const entryPath = join(root, entry);
    if (!existsSync(entryPath)) continue; // not written yet
    const outfile = join(outRoot, name, 'index.js');
    const res = await build({ ...BUNDLE_OPTIONS, entryPoints: [entryPath], outfile, metafile: true });
    results[name] = {
      outfile,
      bytes:
        res.metafile.outputs[Object.keys(res.metafile.outputs).find((k) => k.endsWith('index.js'))].bytes,
    };
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `node scripts/bundle.mjs [--outdir DIR] [name ...]`. Sizes go to stderr: this runs in `prepare`,
  // so anything on stdout would corrupt `npm pack --json`.
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  const outRoot = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const results = await bundleAll({ outRoot, only: args.length ? args : undefined });
  for (const [name, r] of Object.entries(results)) {
    process.stderr.write(`bundled ${name}: ${(r.bytes / 1024).toFixed(0)} KiB\n`);
  }
}
