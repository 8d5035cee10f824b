// Entry of `npm run bench` (after `npm run build`). The benchmarks are TypeScript (type-checked with
// the rest of the repo); this file compiles them with esbuild to bench/.tmp/ and runs them.
// Usage: node bench/run.mjs [--only signature,handler,coldstart,synth,cost] [--quick]
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, '.tmp', 'main.mjs');

await build({
  entryPoints: [join(here, 'main.ts')],
  outfile,
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
await main(process.argv.slice(2), join(here, '..'));
