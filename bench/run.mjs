// Entry of `npm run bench` (after `npm run build`). The benchmarks are TypeScript (type-checked with
// the rest of the repo); this file compiles them with esbuild to node_modules/.cache/happ-bench/ and runs them.
// Usage: node bench/run.mjs [--only signature,handler,coldstart,synth,cost] [--quick]
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled output and bench artifacts live under node_modules/.cache (ignored by git, eslint and
// prettier); from there, bare imports still resolve to the repository's node_modules.
const tmpDir = join(here, '..', 'node_modules', '.cache', 'happ-bench');
const outfile = join(tmpDir, 'main.mjs');

await build({
  // main: the benchmarks; emulators-child: the local AWS stand-ins, run in a separate process.
  entryPoints: [join(here, 'main.ts'), join(here, 'emulators-child.ts')],
  outdir: tmpDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // npm packages load from node_modules as usual; our own TypeScript (bench/, lambda/shared/) is
  // compiled in, exactly as esbuild compiles it into the Lambda bundles.
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});

const { main } = await import(pathToFileURL(outfile).href);
await main(process.argv.slice(2), join(here, '..'), tmpDir);
