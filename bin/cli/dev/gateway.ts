/**
 * A local stand-in for the receiver's API Gateway (REST API, Lambda proxy integration,
 * binaryMediaTypes `*\/*` as the construct sets it): each request becomes the proxy event the
 * verifier gets in AWS, body base64-encoded, and the verifier's result becomes the response.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** API Gateway's hard limit on a request payload. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface ProxyResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string | number | boolean>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

export type ProxyHandler = (
  event: Record<string, unknown>,
  context: Record<string, unknown>,
) => Promise<ProxyResult>;

export interface GatewayExchange {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly bytes: number;
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

export interface ProxyEventOptions {
  /**
   * Whether API Gateway passes this body base64-encoded (its Content-Type matches the RestApi's
   * binaryMediaTypes) or as UTF-8 text. The construct sets `*\/*`, so always binary.
   * @default true
   */
  readonly binary?: boolean;
  /** @default 'local' */
  readonly stage?: string;
}

/** The REST API Lambda-proxy event API Gateway would build for this request. */
export function toProxyEvent(
  req: IncomingMessage,
  raw: Buffer,
  requestId: string,
  options: ProxyEventOptions = {},
): Record<string, unknown> {
  const binary = options.binary ?? true;
  const stage = options.stage ?? 'local';
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return {
    resource: url.pathname,
    path: url.pathname,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    // As API Gateway does: decoded values, the last one per name, and every one (a tool's GET query).
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : null,
    multiValueQueryStringParameters: url.search ? multiValueQuery(url.searchParams) : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      stage,
      httpMethod: req.method,
      path: `/${stage}${url.pathname}`,
      resourcePath: url.pathname,
      requestId,
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: req.socket.remoteAddress },
    },
    body: raw.length === 0 ? null : raw.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: raw.length > 0 && binary,
  };
}

function multiValueQuery(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of params) (out[k] ??= []).push(v);
  return out;
}

function lambdaContext(requestId: string, timeoutMs: number): Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'happ-dev-verifier',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:happ-dev-verifier',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/happ-dev-verifier',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

export interface Gateway {
  readonly port: number;
  close(): Promise<void>;
}

export async function startGateway(options: {
  host: string;
  port: number;
  handler: ProxyHandler;
  onExchange: (exchange: GatewayExchange) => void;
  timeoutMs?: number;
}): Promise<Gateway> {
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        let result: ProxyResult;
        if (size > MAX_PAYLOAD_BYTES) {
          result = { statusCode: 413, body: JSON.stringify({ message: 'Request Too Long' }) };
        } else {
          try {
            result = await options.handler(
              toProxyEvent(req, Buffer.concat(chunks), requestId),
              lambdaContext(requestId, options.timeoutMs ?? 29_000),
            );
          } catch {
            // What API Gateway answers when the integration fails.
            result = { statusCode: 502, body: JSON.stringify({ message: 'Internal server error' }) };
          }
        }
        const body = result.isBase64Encoded
          ? Buffer.from(result.body, 'base64')
          : Buffer.from(result.body ?? '');
        res.writeHead(result.statusCode, {
          'content-type': 'application/json',
          ...Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
          'content-length': body.length,
        });
        res.end(body);
        options.onExchange({
          requestId,
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://localhost').pathname,
          bytes: size,
          status: result.statusCode,
          body: body.toString('utf8'),
          ms: Math.round((performance.now() - started) * 10) / 10,
        });
      })();
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(
            `port ${options.port} on ${options.host} is already in use: pass --port (0 = any free port)`,
          ),
        );
      } else reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
