/**
 * Benchmark — how to bundle a subscriber with `NodejsFunction`. The README's handler
 * (bench/fixtures/subscriber.ts, importing the BUILT `cdk-happ-webhooks/runtime`, as in a consumer's
 * app) is bundled with the esbuild options each `NodejsFunction` `bundling` setting produces, and
 * each bundle is loaded in fresh node processes, interleaved (see coldstart.bench.ts). Ratios are
 * against NodejsFunction's defaults, measured in the same run.
 *
 *   NodejsFunction defaults   (Node.js 18+: `externalModules: ['@aws-sdk/*']`, no minify, no source map)
 *   minify                    `bundling: { minify: true }`
 *   minify, SDK bundled       `bundling: { minify: true, externalModules: [] }`
 *   minify, SDK bundled, ESM  + `mainFields: ['module', 'main']` (the SDK's and Powertools' ESM builds)
 *   ... + sourceMap           + `sourceMap: true` (NodejsFunction then sets NODE_OPTIONS=--enable-source-maps)
 *
 * SDK-external variants load `@aws-sdk/*` from node_modules here, as Lambda's runtime provides its copy.
 */
import { join } from 'node:path';
import { measureBundles, type Variant, type VariantResult } from './coldstart.bench';
import { round } from './stats';

export interface SubscriberBundleResults {
  readonly runsPerVariant: number;
  readonly emptyNodeReadyMsP50: number;
  readonly variants: VariantResult[];
  /** Each variant / NodejsFunction defaults: < 1 = smaller or faster. */
  readonly vsDefaults: Record<string, { bytes: number; requireMsP50: number }>;
}

const DEFAULTS = 'NodejsFunction defaults';

export function subscriberVariants(): Variant[] {
  // What NodejsFunction passes esbuild for NODEJS_24_X, CommonJS output.
  const base = { bundle: true, platform: 'node', target: 'node24', format: 'cjs', logLevel: 'warning' };
  const sdkExternal = { external: ['@aws-sdk/*'] };
  return [
    {
      name: DEFAULTS,
      description: "externalModules ['@aws-sdk/*'], no minify",
      options: { ...base, ...sdkExternal },
    },
    { name: 'minify', description: 'minify: true', options: { ...base, ...sdkExternal, minify: true } },
    {
      name: 'minify, SDK bundled',
      description: 'minify: true, externalModules: []',
      options: { ...base, minify: true },
    },
    {
      name: 'minify, SDK bundled, ESM',
      description: "minify, externalModules: [], mainFields: ['module', 'main']",
      options: { ...base, minify: true, mainFields: ['module', 'main'] },
    },
    {
      name: 'minify, SDK bundled, ESM + sourceMap',
      description: 'the same with sourceMap: true (run with --enable-source-maps, as NodejsFunction sets)',
      options: { ...base, minify: true, mainFields: ['module', 'main'], sourcemap: true },
      nodeFlags: ['--enable-source-maps'],
    },
  ];
}

export async function benchSubscriberBundle(
  root: string,
  tmpDir: string,
  env: Record<string, string>,
  options: { quick?: boolean; runs?: number } = {},
): Promise<SubscriberBundleResults> {
  const runs = options.runs ?? (options.quick ? 5 : 25);
  const measured = await measureBundles(
    join(root, 'bench', 'fixtures', 'subscriber.ts'),
    subscriberVariants(),
    join(tmpDir, 'subscriber-bundle'),
    env,
    runs,
    { alias: { 'cdk-happ-webhooks/runtime': join(root, 'dist', 'lambda', 'runtime', 'index.js') } },
  );
  const base = measured.variants.find((v) => v.name === DEFAULTS)!;
  return {
    runsPerVariant: runs,
    emptyNodeReadyMsP50: measured.emptyNodeReadyMsP50,
    variants: measured.variants,
    vsDefaults: Object.fromEntries(
      measured.variants.map((v) => [
        v.name,
        {
          bytes: round(v.bytes / base.bytes, 3),
          requireMsP50: round(v.requireMs.p50 / base.requireMs.p50, 3),
        },
      ]),
    ),
  };
}
