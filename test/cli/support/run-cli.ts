/**
 * Runs the CLI in-process (bin/cli/program.ts `run`) with captured stdout/stderr and an injected
 * environment, so command tests are fast and need no build. `spawnBuiltCli` runs the real
 * dist/bin/cli.js in a child process for what only a process can show (shebang, exit codes).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createColors } from 'picocolors';
import type { Io } from '../../../bin/cli/io';
import { run } from '../../../bin/cli/program';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Added to (or, when undefined, removed from) a copy of process.env. */
  readonly env?: Record<string, string | undefined>;
  readonly stdin?: Buffer | string;
}

export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.HAPP_WEBHOOK_SECRET;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    colors: createColors(false),
    interactive: false,
    env: testEnv(options.env),
    readStdin: async () => Buffer.from(options.stdin ?? ''),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

export const BUILT_CLI = join(__dirname, '..', '..', '..', 'dist', 'bin', 'cli.js');

/** Runs `node dist/bin/cli.js ...args` and collects its output. */
export function spawnBuiltCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string; cli?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.cli ?? BUILT_CLI, ...args], {
      env: options.env ?? testEnv(),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
