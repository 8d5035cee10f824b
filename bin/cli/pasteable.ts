/**
 * Command lines the CLI prints for the user to run next (`dev`'s Try/DLQ/rotate lines, `dlq`'s
 * redrive hint, `rotate-secret`'s `--finish` hint). Each must work when pasted into a second
 * terminal as printed: the CLI is called the way the user called it, and whatever that terminal
 * lacks (local endpoints, the `dev` emulators' dummy credentials, the region) is on the line.
 */
import { isAbsolute, relative } from 'node:path';

/** The dummy credentials `dev` uses for its emulators (never real ones: those are never printed). */
export const DEV_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } as const;

/**
 * How to call this CLI again: `npx happ-webhooks` when run through npx / `npm exec` or installed
 * (resolves the project's node_modules/.bin, or fetches the package), `node <path>` when run by
 * its path from inside the current directory (`node dist/bin/cli.js` in a clone).
 */
export function cliInvocation(
  env: NodeJS.ProcessEnv = process.env,
  script: string | undefined = process.argv[1],
  cwd: string = process.cwd(),
): string {
  if (env.npm_command === 'exec' || !script) return 'npx happ-webhooks';
  const rel = relative(cwd, script);
  if (rel && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(/[\\/]/).includes('node_modules')) {
    return `node ${shellQuote(rel)}`;
  }
  return 'npx happ-webhooks';
}

/** POSIX-shell quoting, only where a word needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `VAR=value ... <cli> args...`, every word quoted as the shell needs. */
export function commandLine(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string | undefined>>; cli?: string } = {},
): string {
  const assignments = Object.entries(options.env ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...assignments, options.cli ?? cliInvocation(), ...args.map(shellQuote)].join(' ');
}

/**
 * The part of this process's environment a follow-up command needs in a fresh terminal: the
 * endpoint override in `endpointVariable` when set (a local emulator), and `dev`'s dummy
 * credentials when those are the ones in use. Real credentials are never repeated.
 */
export function followUpEnv(
  env: NodeJS.ProcessEnv,
  endpointVariable: string,
): Record<string, string | undefined> {
  const endpoint = env[endpointVariable];
  if (!endpoint) return {};
  const dummy =
    env.AWS_ACCESS_KEY_ID === DEV_CREDENTIALS.AWS_ACCESS_KEY_ID &&
    env.AWS_SECRET_ACCESS_KEY === DEV_CREDENTIALS.AWS_SECRET_ACCESS_KEY;
  return { ...(dummy ? DEV_CREDENTIALS : {}), [endpointVariable]: endpoint };
}

/** `--region R` / `--profile P` as given to this command, for its follow-up. */
export function awsFlags(options: { region?: string; profile?: string }): string[] {
  return [
    ...(options.region ? ['--region', options.region] : []),
    ...(options.profile ? ['--profile', options.profile] : []),
  ];
}
