// A fault-injecting HTTP proxy for the local AWS emulators (test support). It sits on a real socket in
// front of dynalite, fauxqs (SNS, SQS, S3) or the local Secrets Manager and, per operation, lets the
// request through or makes it fail the way production dependencies fail:
//
//   hang        accept the request, never answer (the socket stays open until the proxy stops)
//   delay       answer after `delayMs`
//   reset       destroy the socket as soon as the request has arrived
//   error       answer HTTP 500 in the protocol's error shape (the SDK retries it)
//   drop-answer forward the request (the emulator applies it), then destroy the socket instead of
//               passing the answer on: the write happened, the client never hears
//   slow        a brown-out: forward after `delayMs` even if the client has given up meanwhile (the
//               service does the work late), answer only a client still listening
//   apply-hold  forward the request (applied), then hold the socket open and never answer: what a
//               process killed mid-call leaves behind
//
// The operation is read from `X-Amz-Target` (JSON protocols: DynamoDB, Secrets Manager, SQS), from
// `Action=` in the body (SNS's query protocol) or from the method and path (S3, path-style).
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'hang' | 'delay' | 'reset' | 'error' | 'drop-answer' | 'slow' | 'apply-hold';

export interface FaultRule {
  readonly fault: Fault;
  /** For `delay` and `slow`. */
  readonly delayMs?: number;
  /** Apply to the next N matching requests only, then pass them again. @default every request */
  readonly times?: number;
}

/** What the proxy saw of one request. */
export interface SeenRequest {
  readonly operation: string;
  readonly fault?: Fault;
  readonly at: number;
}

export class FaultProxy {
  /** Starts a proxy on 127.0.0.1 (random port) in front of `target` (`http://host:port`). */
  public static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  public readonly seen: SeenRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly rules = new Map<string, FaultRule & { left: number }>();

  private constructor(private readonly target: URL) {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `http://127.0.0.1:<port>`: point the SDK (`AWS_ENDPOINT_URL_*`) here. */
  public get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Applies `rule` to `operation` (e.g. `PutItem`, `Publish`, `PutObject`, `GetSecretValue`; `*` = any). */
  public inject(operation: string, rule: FaultRule): this {
    this.rules.set(operation, { ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  /** Removes every rule (hung requests stay hung until `releaseHung` or `stop`). */
  public clear(): this {
    this.rules.clear();
    return this;
  }

  /** Destroys every socket held open by a hang. */
  public releaseHung(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** How many requests of `operation` arrived (every operation when omitted). */
  public count(operation?: string): number {
    return this.seen.filter((s) => operation === undefined || s.operation === operation).length;
  }

  public async stop(): Promise<void> {
    this.releaseHung();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private ruleFor(operation: string): FaultRule | undefined {
    for (const key of [operation, '*']) {
      const rule = this.rules.get(key);
      if (rule && rule.left > 0) {
        rule.left -= 1;
        return rule;
      }
    }
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = operationOf(req, body);
    const rule = this.ruleFor(operation);
    this.seen.push({ operation, fault: rule?.fault, at: Date.now() });
    switch (rule?.fault) {
      case 'hang':
        return; // the socket stays open; nothing is ever written
      case 'reset':
        req.socket.destroy();
        return;
      case 'error':
        return answerError(req, res, operation);
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 0));
        if (req.socket.destroyed) return;
        return this.forward(req, body, res, false);
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 0));
        return this.forward(req, body, res, false);
      case 'drop-answer':
        return this.forward(req, body, res, true);
      case 'apply-hold':
        return this.forward(req, body, res, 'hold');
      default:
        return this.forward(req, body, res, false);
    }
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    dropAnswer: boolean | 'hold',
  ): Promise<void> {
    return new Promise((resolve) => {
      const upstream = httpRequest(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': String(body.length) },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            if (dropAnswer === 'hold') {
              // applied upstream; the socket stays open, nothing is ever written
            } else if (dropAnswer) {
              req.socket.destroy(); // applied upstream; the client never hears
            } else if (!req.socket.destroyed) {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(parts));
            }
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        req.socket.destroy();
        resolve();
      });
      upstream.end(body);
    });
  }
}

/** The AWS operation a request names. */
export function operationOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) return target.slice(target.lastIndexOf('.') + 1);
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1];
  if (action) return action;
  const path = (req.url ?? '/').split('?')[0];
  const segments = path.split('/').filter(Boolean);
  if (req.method === 'PUT') return segments.length > 1 ? 'PutObject' : 'CreateBucket';
  if (req.method === 'GET') return segments.length > 1 ? 'GetObject' : 'ListObjects';
  if (req.method === 'HEAD') return 'HeadObject';
  if (req.method === 'DELETE') return segments.length > 1 ? 'DeleteObject' : 'DeleteBucket';
  return `${req.method} ${path}`;
}

function answerError(req: IncomingMessage, res: ServerResponse, operation: string): void {
  const json = typeof req.headers['x-amz-target'] === 'string';
  if (json) {
    res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: 'InternalServerError', message: `injected failure of ${operation}` }));
    return;
  }
  res.writeHead(500, { 'content-type': 'application/xml' });
  if (/Object|Bucket/.test(operation)) {
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected failure of ${operation}</Message><RequestId>fault-proxy</RequestId></Error>`,
    );
    return;
  }
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>injected failure of ${operation}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  );
}
