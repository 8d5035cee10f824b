// Starts test/e2e/support/api-gateway.cjs (the built verifier behind a local HTTP server) as a child
// process, and POSTs to it. The child is stopped by `stop()`; its output is kept for diagnostics.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';

export interface GatewayResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class LocalGateway {
  private child: ChildProcess | undefined;
  private port = 0;
  private readonly output: string[] = [];

  /** Starts the gateway in front of `verifierBundle` with exactly `env` (plus PATH). */
  public async start(verifierBundle: string, env: Record<string, string>): Promise<void> {
    const child = spawn(process.execPath, [join(__dirname, 'api-gateway.cjs'), verifierBundle], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.output.length > 500) this.output.splice(0, this.output.length - 500);
    };
    child.stderr!.on('data', keep);
    this.port = await new Promise<number>((resolve, reject) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        keep(chunk);
        buffered += chunk.toString('utf8');
        const match = /listening (\d+)/.exec(buffered);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) =>
        reject(new Error(`the gateway exited with ${code} before listening:\n${this.output.join('\n')}`)),
      );
    });
  }

  public async post(
    path: string,
    body: Buffer | string,
    headers: Record<string, string>,
  ): Promise<GatewayResponse> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method: 'POST',
          agent: false,
          headers: { 'content-length': bytes.length, ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          });
        },
      );
      req.on('error', reject);
      req.end(bytes);
    });
  }

  /** The gateway's and verifier's recent output lines (JSON log lines). */
  public get logs(): readonly string[] {
    return this.output;
  }

  public async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
