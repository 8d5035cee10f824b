/**
 * Loads the user's subscriber code for `dev --handler FILE`:
 *   - `export const handler = happHandler(...)` (the Lambda handler they deploy) runs as is;
 *   - a default export (a per-event function or a map of them) is wrapped with happHandler.
 * TypeScript is compiled in memory with esbuild (from the user's project or ours), local imports
 * bundled and packages left to Node's resolution from the handler's own folder; ts-node is the
 * fallback. ESM files (.mjs, or "type": "module") are loaded with import().
 */
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from '../errors';

const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

export interface LoadedHandler {
  readonly file: string;
  /** `handler` export: an SQS Lambda handler. */
  readonly lambdaHandler?: (event: unknown, context: unknown) => Promise<unknown>;
  /** Default export: a per-event function or a map of them, for happHandler. */
  readonly eventFunction?: unknown;
}

const TS = new Set(['.ts', '.mts', '.cts', '.tsx']);

function requireFrom(name: string, dir: string): unknown {
  for (const paths of [[dir, process.cwd()], [__dirname]]) {
    try {
      return require(require.resolve(name, { paths }));
    } catch {
      // next
    }
  }
  return undefined;
}

/** Compiles a TypeScript entry with esbuild into a CommonJS module evaluated as if it were `file`. */
async function loadTypeScript(file: string): Promise<Record<string, unknown>> {
  const esbuild = requireFrom('esbuild', dirname(file)) as typeof import('esbuild') | undefined;
  if (esbuild) {
    let code: string;
    try {
      const out = await esbuild.build({
        entryPoints: [file],
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'cjs',
        target: `node${process.versions.node.split('.')[0]}`,
        write: false,
        // Only names the output, so the source map's paths are relative to the handler's folder.
        outfile: join(dirname(file), `${basename(file, extname(file))}.happ-dev.js`),
        sourcemap: 'inline',
        logLevel: 'silent',
      });
      code = out.outputFiles[0]!.text;
    } catch (error) {
      throw new CliError(`could not compile --handler ${file}:\n${(error as Error).message}`, 1, {
        cause: error,
      });
    }
    const mod = new Module(file, module);
    mod.filename = file;
    mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
      dirname(file),
    );
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(code, file);
    return mod.exports as Record<string, unknown>;
  }
  const tsNode = requireFrom('ts-node', dirname(file)) as { register(o: object): void } | undefined;
  if (tsNode) {
    tsNode.register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
    return require(file) as Record<string, unknown>;
  }
  throw new CliError(`a TypeScript --handler needs esbuild or ts-node in your project: npm i -D esbuild`);
}

export async function loadHandler(path: string): Promise<LoadedHandler> {
  const file = resolve(path);
  if (!existsSync(file)) throw new CliError(`--handler ${path}: no such file (resolved to ${file})`);
  let exports: Record<string, unknown>;
  try {
    if (TS.has(extname(file))) {
      exports = await loadTypeScript(file);
    } else if (extname(file) === '.mjs') {
      exports = (await importEsm(pathToFileURL(file).href)) as Record<string, unknown>;
    } else {
      try {
        exports = require(file) as Record<string, unknown>;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
        exports = (await importEsm(pathToFileURL(file).href)) as Record<string, unknown>;
      }
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--handler ${path} failed to load: ${(error as Error).stack ?? String(error)}`, 1, {
      cause: error,
    });
  }
  if (typeof exports.handler === 'function') {
    return { file, lambdaHandler: exports.handler as LoadedHandler['lambdaHandler'] };
  }
  const def = exports.default as unknown;
  // A CommonJS `module.exports = { handler }` loaded through import() arrives as `default`.
  const defHandler = def && typeof def === 'object' ? (def as { handler?: unknown }).handler : undefined;
  if (typeof defHandler === 'function')
    return { file, lambdaHandler: defHandler as LoadedHandler['lambdaHandler'] };
  if (typeof def === 'function' || (def && typeof def === 'object')) return { file, eventFunction: def };
  throw new CliError(
    `--handler ${path} must export \`handler\` (your Lambda handler, e.g. happHandler(...)) ` +
      'or a default per-event function (event, context) => ... or a map of event type to function',
  );
}
