// Runs the bundled verifier in a child Node process (bundle-runner.cjs), like a Lambda container:
// its own environment, its own copy of the AWS SDK, its stdout/stderr captured as CloudWatch would.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { VerifierConfig } from '../../../lambda/verifier/config';
import type { VerifierEvent } from '../../../lambda/verifier/request';
import { BUNDLE_PATH } from './support';

type Reply = { seq: number; result?: unknown; error?: { name: string; message: string } };

export type Invoke = (event: VerifierEvent, remainingMs?: number) => Promise<APIGatewayProxyResult>;

export class BundleContainer {
  /** Starts a container; `env` is added to this process's environment (the emulator endpoints). */
  public static async start(env: Record<string, string | undefined> = {}): Promise<BundleContainer> {
    if (!existsSync(BUNDLE_PATH)) {
      throw new Error(`${BUNDLE_PATH} is missing: run "node scripts/bundle.mjs" (npm test builds it first)`);
    }
    const fauxqsPort = process.env.HAPP_TEST_FAUXQS_PORT;
    const child = fork(join(__dirname, 'bundle-runner.cjs'), [], {
      env: {
        ...process.env,
        // No *.localhost resolution in the child: address fauxqs S3 by IP (the verifier uses path style).
        ...(fauxqsPort ? { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${fauxqsPort}` } : {}),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        HAPP_BUNDLE_PATH: BUNDLE_PATH,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const container = new BundleContainer(child);
    await container.ready;
    return container;
  }

  /** The names the bundle exports. */
  public exports: string[] = [];
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private readonly output: string[] = [];
  private seq = 0;
  private handlers = 0;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    this.ready = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        const error = new Error(`bundle container exited (${code}): ${this.text()}`);
        reject(error);
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
      });
      child.on('message', (message: Reply & { ready?: boolean; exports?: string[] }) => {
        if (message.ready) {
          this.exports = message.exports ?? [];
          resolve();
          return;
        }
        const waiter = this.pending.get(message.seq);
        if (!waiter) return;
        this.pending.delete(message.seq);
        if (message.error) waiter.reject(Object.assign(new Error(message.error.message), message.error));
        else waiter.resolve(message.result);
      });
    });
  }

  private call(message: Record<string, unknown>): Promise<unknown> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.child.send({ ...message, seq });
    });
  }

  /** `createHandler(config)` inside the container; returns a function invoking it. */
  public async createHandler(config: VerifierConfig): Promise<Invoke> {
    const id = `h${++this.handlers}`;
    await this.call({ op: 'create', id, config });
    return (event, remainingMs = 10_000) =>
      this.call({ op: 'invoke', handler: id, event, remainingMs }) as Promise<APIGatewayProxyResult>;
  }

  /** The exported `handler` (configured from the container's environment). */
  public readonly handler: Invoke = (event, remainingMs = 10_000) =>
    this.call({ op: 'invoke', handler: 'env', event, remainingMs }) as Promise<APIGatewayProxyResult>;

  /** Everything the container printed so far. */
  public text(): string {
    return this.output.join('');
  }

  public clearOutput(): void {
    this.output.length = 0;
  }

  /** Kills the container at once (SIGKILL), as Lambda does at the function timeout; pending invokes reject. */
  public async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill();
    });
  }
}
