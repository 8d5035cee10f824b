/**
 * Where the CLI writes. Data (results, JSON, secrets a user asked for) goes to stdout; progress,
 * hints and errors go to stderr, so `--json` output and `$(happ-webhooks sign ...)` stay clean.
 * Tests pass their own Io to capture both streams without touching the process.
 */
import type { Colors } from 'picocolors/types';

export interface Io {
  /** stdout: results and data. */
  out(text: string): void;
  /** stderr: progress, hints, warnings, errors. */
  err(text: string): void;
  readonly colors: Colors;
  /** stderr is an interactive terminal: spinners are shown. */
  readonly interactive: boolean;
  /** Environment the command reads (process.env in the real CLI). */
  readonly env: NodeJS.ProcessEnv;
  /** Reads all of stdin (for `--file -`). */
  readStdin(): Promise<Buffer>;
}

/** The real process streams. Colours follow picocolors' detection (NO_COLOR, FORCE_COLOR, --no-color). */
export function processIo(): Io {
  const pc: Colors = require('picocolors');
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    colors: pc,
    interactive: Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb' && !process.env.CI,
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

/** A progress indicator for anything slow: a spinner on an interactive stderr, silent otherwise. */
export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  /** Removes the spinner without a final line. */
  stop(): void;
}

const SILENT: Progress = { update() {}, succeed() {}, fail() {}, stop() {} };

/**
 * Starts a spinner on stderr (nanospinner) when stderr is a terminal and the output is for humans;
 * with `--json`, in pipes and in CI it prints nothing, so scripts see only the data.
 */
export function startProgress(io: Io, text: string, options: { json?: boolean } = {}): Progress {
  if (!io.interactive || options.json) return SILENT;
  const { createSpinner } = require('nanospinner') as typeof import('nanospinner');
  const spinner = createSpinner(text, { stream: process.stderr }).start();
  return {
    update: (t) => void spinner.update({ text: t }),
    succeed: (t) => void spinner.success(t === undefined ? undefined : { text: t }),
    fail: (t) => void spinner.error(t === undefined ? undefined : { text: t }),
    stop: () => void spinner.clear().stop(),
  };
}

/** Writes one value as JSON on stdout (the `--json` contract: one document per command run). */
export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
