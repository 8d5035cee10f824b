/**
 * A local stand-in for Happ's public tool API, as documented: `GET /api/assistant-tools?assistantId=&name=`
 * (list), `POST /api/assistant-tools` (create), `PATCH /api/assistant-tools/{id}` (update), header
 * `X-Access-Token`. A real HTTP server on loopback; it records every request.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly token?: string;
  readonly body?: Record<string, unknown>;
}

export class HappApiStub {
  public readonly requests: StubRequest[] = [];
  public readonly tools = new Map<string, Record<string, unknown>>();
  private server?: Server;

  /** Key the list answer is wrapped under (tests of shapes the CLI must not guess). */
  public listKey = 'data';
  /** When set, POST answers this status with the request body echoed (an error that echoes input). */
  public failPostWith?: number;

  constructor(private readonly token: string) {}

  public async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stub');
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
        const token = req.headers['x-access-token'] as string | undefined;
        this.requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          token,
          body,
        });
        const send = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (token !== this.token) return send(401, { message: 'invalid access token' });
        if (req.method === 'GET' && url.pathname === '/api/assistant-tools') {
          const assistantId = url.searchParams.get('assistantId');
          const name = url.searchParams.get('name');
          return send(200, {
            [this.listKey]: [...this.tools.values()].filter(
              (t) => t.assistantId === assistantId && (!name || t.name === name),
            ),
          });
        }
        if (req.method === 'POST' && url.pathname === '/api/assistant-tools' && this.failPostWith) {
          return send(this.failPostWith, { message: 'invalid tool', tool: body });
        }
        if (req.method === 'POST' && url.pathname === '/api/assistant-tools') {
          if (!body?.name || !body.assistantId)
            return send(400, { message: 'name and assistantId are required' });
          const tool = { ...body, id: randomUUID() };
          this.tools.set(tool.id, tool);
          return send(201, tool);
        }
        const m = /^\/api\/assistant-tools\/([^/]+)$/.exec(url.pathname);
        if (req.method === 'PATCH' && m) {
          const existing = this.tools.get(decodeURIComponent(m[1]!));
          if (!existing) return send(404, { message: 'no such tool' });
          const tool = { ...existing, ...body };
          this.tools.set(String(existing.id), tool);
          return send(200, tool);
        }
        return send(404, { message: 'not found' });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public writes(): StubRequest[] {
    return this.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH');
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
