/**
 * Runs `node dist/bin/cli.js dev --json ...` as a child process and reads its NDJSON events.
 * `stop()` sends SIGINT and waits for the process to exit; `kill()` is the teardown of last resort.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BUILT_CLI, testEnv } from './run-cli';

export interface DevEvent {
  readonly kind: string;
  readonly [field: string]: unknown;
}

export class DevProcess {
  public readonly events: DevEvent[] = [];
  /** Every stdout/stderr line, for failure messages. */
  public readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<() => void> = [];

  constructor(
    args: readonly string[],
    env: Record<string, string | undefined> = {},
    cwd?: string,
    cli = BUILT_CLI,
  ) {
    this.child = spawn(process.execPath, [cli, 'dev', '--json', '--port', '0', ...args], {
      env: testEnv(env),
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        this.lines.push(line);
        try {
          const parsed = JSON.parse(line) as DevEvent;
          if (typeof parsed.kind === 'string') this.events.push(parsed);
        } catch {
          // the handler's own log lines, or plain text
        }
        for (const w of this.waiters) w();
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      for (const w of this.waiters) w();
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    void this.exited.then(() => {
      for (const w of this.waiters) w();
    });
  }

  public get pid(): number {
    return this.child.pid!;
  }

  /** Waits until an event matches (guarded by a generous limit so a broken run fails, not hangs). */
  public async waitFor(
    predicate: (e: DevEvent) => boolean,
    what: string,
    limitMs = 30_000,
  ): Promise<DevEvent> {
    const started = Date.now();
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() - started > limitMs) {
        throw new Error(`dev never printed ${what}; output:\n${this.lines.join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  public ready(): Promise<DevEvent> {
    return this.waitFor((e) => e.kind === 'ready', 'ready');
  }

  /** SIGINT, then the exit status. */
  public async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exited;
  }

  /** Waits for the process to exit by itself (e.g. after an error). */
  public exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  public kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
