/** Starts bench/emulators-child.ts in a child process and stops it; see that file. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EmulatorInfo } from './emulators-child';

export type { EmulatorInfo } from './emulators-child';

export interface Emulators {
  readonly info: EmulatorInfo;
  /** Empties queues and buckets in the emulators. */
  purge(): Promise<void>;
  stop(): Promise<void>;
}

/** `tmpDir` is where bench/run.mjs put the compiled child (node_modules/.cache/happ-bench). */
export async function startEmulators(tmpDir: string): Promise<Emulators> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [join(tmpDir, 'emulators-child.mjs')],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, AWS_REGION: 'us-east-1' },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout });
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`emulators exited with ${code}: ${stderr.trim()}`));
  });
  const nextLine = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  const info = JSON.parse(await nextLine()) as EmulatorInfo;
  return {
    info,
    async purge() {
      child.stdin.write('purge\n');
      await nextLine();
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
