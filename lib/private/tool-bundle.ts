/**
 * How a tool's function is bundled: the package's wrapper entry (lambda/runtime/tool-entry) with the
 * user's module aliased in, so the deployed handler always verifies before user code runs. One set of
 * esbuild options for the construct (NodejsFunction), the benchmarks and `happ-webhooks dev`.
 */
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

/** The module name the wrapper imports the user's entry under (tool-user-entry.d.ts). */
export const TOOL_USER_ENTRY_ALIAS = 'cdk-happ-webhooks-tool-user-entry';
/** The constant the wrapper reads the construct's parameters schema from (JSON text). */
export const TOOL_PARAMETERS_DEFINE = '__HAPP_TOOL_PARAMETERS__';

/**
 * The wrapper entry file: the TypeScript source next to lib/ (ts-node, ts-jest), or the compiled
 * dist/lambda/runtime/tool-entry.js when running from dist (installed package).
 */
export function toolWrapperEntry(): string {
  const ext = extname(__filename) === '.ts' ? '.ts' : '.js';
  const entry = join(__dirname, '..', '..', 'lambda', 'runtime', `tool-entry${ext}`);
  if (!existsSync(entry)) {
    throw new Error(`the tool wrapper entry is missing (${entry}): run npm run build in cdk-happ-webhooks`);
  }
  return entry;
}

/** esbuild `define` and `alias` for one tool (absolute path to the user's entry). */
export function toolBundleWiring(
  userEntry: string,
  parameters: Record<string, unknown> | undefined,
): { define: Record<string, string>; alias: Record<string, string> } {
  return {
    define: { [TOOL_PARAMETERS_DEFINE]: JSON.stringify(parameters ? JSON.stringify(parameters) : '') },
    alias: { [TOOL_USER_ENTRY_ALIAS]: resolve(userEntry) },
  };
}

/**
 * The esbuild options of a tool bundle (NodejsFunction's bundling props in lib/tool.ts say the same;
 * the benchmarks build with these): one minified CommonJS file for Node 24, the SDK and Powertools
 * bundled from their ESM builds (tree-shaken), no source map.
 */
export const TOOL_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  legalComments: 'none',
} as const;
