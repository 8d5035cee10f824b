/**
 * The local AWS stand-ins `dev` runs in its own process: dynalite (DynamoDB), fauxqs (SNS, SQS,
 * S3) and the package's local Secrets Manager. dynalite and fauxqs are OPTIONAL peer dependencies
 * (users who never run `dev` never install them): they are loaded only here, and a clear message
 * names what to install when they are missing. fauxqs is ESM-only, so it is loaded with a real
 * dynamic import().
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from '../errors';

export const OPTIONAL_DEPENDENCIES_HINT = 'npm i -D dynalite fauxqs@1.9.2';

/** The parts of fauxqs' server `dev` uses. */
export interface FauxqsServer {
  readonly port: number;
  readonly address: string;
  stop(): Promise<void>;
}

interface FauxqsModule {
  startFauxqs(options: { port?: number; host?: string; logger?: boolean }): Promise<FauxqsServer>;
}

export interface Emulators {
  readonly dynamodbEndpoint: string;
  readonly fauxqsEndpoint: string;
  readonly secretsManagerEndpoint: string;
  readonly secrets: import('../../local/secrets-manager-server').LocalSecretsManagerServer;
  stop(): Promise<void>;
}

// Keeps TypeScript (module: commonjs) from turning import() into require(), which cannot load ESM.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

/** Directories whose node_modules may hold the optional packages: ours, then the user's project. */
function searchRoots(): string[] {
  const roots: string[] = [];
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (;;) {
      roots.push(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return roots;
}

/** The directory of an installed package, or undefined. (fauxqs' exports map hides package.json.) */
export function findPackage(name: string): string | undefined {
  for (const root of searchRoots()) {
    const dir = join(root, 'node_modules', name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/** Fails with the install command when an optional emulator package is missing. */
export function checkOptionalDependencies(): { dynalite: string; fauxqs: string } {
  const dynalite = findPackage('dynalite');
  const fauxqs = findPackage('fauxqs');
  const missing = [!dynalite && 'dynalite', !fauxqs && 'fauxqs'].filter(Boolean);
  if (missing.length > 0) {
    throw new CliError(
      `\`happ-webhooks dev\` runs local emulators from optional packages that are not installed (${missing.join(', ')}).\n` +
        `Install them in your project:  ${OPTIONAL_DEPENDENCIES_HINT}`,
    );
  }
  return { dynalite: dynalite!, fauxqs: fauxqs! };
}

async function loadFauxqs(dir: string): Promise<FauxqsModule> {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: { '.'?: { import?: { default?: string } | string } };
    main?: string;
  };
  const entry = pkg.exports?.['.']?.import;
  const file = (typeof entry === 'string' ? entry : entry?.default) ?? pkg.main ?? 'index.js';
  return (await importEsm(pathToFileURL(join(dir, file)).href)) as FauxqsModule;
}

/** Starts the three servers on free loopback ports. Stops whatever started if one fails. */
export async function startEmulators(): Promise<Emulators> {
  const dirs = checkOptionalDependencies();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynalite = (require(dirs.dynalite) as (o: object) => Server)({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    await new Promise<void>((resolve, reject) => {
      dynalite.once('error', reject);
      dynalite.listen(0, '127.0.0.1', () => resolve());
    });
    stops.push(() => new Promise<void>((resolve) => dynalite.close(() => resolve())));
    const dynamodbEndpoint = `http://127.0.0.1:${(dynalite.address() as AddressInfo).port}`;

    const fauxqs = await (await loadFauxqs(dirs.fauxqs)).startFauxqs({ port: 0, logger: false });
    stops.push(() => fauxqs.stop());

    const { LocalSecretsManagerServer } =
      require('../../local/secrets-manager-server') as typeof import('../../local/secrets-manager-server');
    const secrets = new LocalSecretsManagerServer({ region: 'us-east-1' });
    const secretsManagerEndpoint = await secrets.start();
    stops.push(() => secrets.stop());

    return {
      dynamodbEndpoint,
      fauxqsEndpoint: `http://127.0.0.1:${fauxqs.port}`,
      secretsManagerEndpoint,
      secrets,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    if (error instanceof CliError) throw error;
    throw new CliError(`could not start the local emulators: ${(error as Error).message}`, 1, {
      cause: error,
    });
  }
}
