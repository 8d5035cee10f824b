/**
 * `node dist/bin/cli.js dev` in human mode (no --json), as a person runs it: its output as a
 * growing text, waited on with regular expressions. `stop()` sends SIGINT and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BUILT_CLI } from './run-cli';

/** process.env without any AWS_* variable (and no npm_* ones): what a fresh terminal has. */
export function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && k !== 'HAPP_WEBHOOK_SECRET' && !k.startsWith('npm_')) env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

export class HumanDev {
  public text = '';
  private readonly child: ChildProcess;

  constructor(cwd: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BUILT_CLI, 'dev', '--port', '0', ...args], {
      cwd,
      env: bareEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.text += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.text += d.toString()));
  }

  /** Waits (at most 30 s, so a broken run fails rather than hangs) until `re` matches after `from`. */
  public async waitFor(re: RegExp, what: string, from = 0): Promise<RegExpMatchArray> {
    for (let i = 0; i < 120; i++) {
      const m = this.text.slice(from).match(re);
      if (m) return m;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`dev never printed ${what}; output:\n${this.text}`);
  }

  /** A `Label: value` line of the banner (e.g. `Try`). */
  public printed(label: string): string {
    const m = this.text.match(new RegExp(`^  ${label}:\\s+(.+)$`, 'm'));
    if (!m) throw new Error(`no "${label}:" line in:\n${this.text}`);
    return m[1]!;
  }

  public stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGINT');
    });
  }
}
