/**
 * A local stand-in for the receiver's API Gateway, in front of the verifier (Lambda proxy
 * integration). Two shapes, as the two ingresses deliver them:
 *
 * - `rest-api` (the default; `HappIngress.restApi()`, binaryMediaTypes `*\/*` as the construct sets
 *   it): each request becomes the REST proxy event (payload format 1.0), body base64-encoded.
 * - `http-api` (`HappIngress.httpApi()`): the HTTP API event (payload format 2.0): header names
 *   lower-case, repeated headers comma-joined, cookies in `cookies`, the route in `routeKey`, the
 *   method in `requestContext.http`; a text body (JSON, text, XML, form) that is valid UTF-8 as a
 *   string, anything else base64-encoded.
 *
 * The function's answer becomes the response as that API Gateway reads it (`fromLambdaResponse`).
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
) => Promise<unknown>;

/** Which API Gateway the local gateway plays: the shape of the events and how answers are read. */
export type GatewayIngress = 'rest-api' | 'http-api';

export const GATEWAY_INGRESSES: readonly GatewayIngress[] = ['rest-api', 'http-api'];

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

/** Content types HTTP API passes as text (when the bytes are valid UTF-8); others are base64. */
const TEXT_TYPES =
  /^(text\/.*|application\/(.*\+)?(json|xml)|application\/(javascript|x-www-form-urlencoded))$/;

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export interface HttpApiEventOptions {
  /**
   * The routes the API has (`POST /chat`); the route key is the one whose method and path match,
   * else `$default`. @default POST and any method on the request's path
   */
  readonly routes?: readonly string[];
}

/** The HTTP API (payload format 2.0) Lambda-proxy event API Gateway would build for this request. */
export function toHttpApiEvent(
  req: IncomingMessage,
  raw: Buffer,
  requestId: string,
  options: HttpApiEventOptions = {},
): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      // HTTP API moves cookies out of the headers into `cookies`.
      (cookies ??= []).push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const routeKey =
    options.routes === undefined
      ? `${method} ${url.pathname}`
      : (options.routes.find((r) => r === `${method} ${url.pathname}` || r === `ANY ${url.pathname}`) ??
        '$default');
  const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const text = raw.length > 0 && TEXT_TYPES.test(contentType) && isUtf8(raw);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(raw.length > 0 ? { body: raw.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: raw.length > 0 && !text,
  };
}

/**
 * The HTTP response API Gateway makes of what the function returned. REST API (1.0): the result must
 * be `{ statusCode, headers?, body?, isBase64Encoded? }`, anything else is a 502. HTTP API (2.0): the
 * same object is used as is when it has `statusCode`; any other value that is valid JSON (an object
 * without `statusCode`, a string, a number) is answered 200 with that JSON as the body and
 * `content-type: application/json`; `cookies` become `set-cookie` headers.
 */
export function fromLambdaResponse(result: unknown, ingress: GatewayIngress = 'rest-api'): ProxyResult {
  const isObject = typeof result === 'object' && result !== null && !Array.isArray(result);
  const r = result as Partial<ProxyResult> & { cookies?: string[]; multiValueHeaders?: unknown };
  if (isObject && typeof r.statusCode === 'number') {
    const headers: Record<string, string | number | boolean> = { ...(r.headers ?? {}) };
    if (ingress === 'http-api' && Array.isArray(r.cookies) && r.cookies.length > 0) {
      headers['set-cookie'] = r.cookies.join(', ');
    }
    return {
      statusCode: r.statusCode,
      headers,
      body: typeof r.body === 'string' ? r.body : '',
      isBase64Encoded: r.isBase64Encoded === true,
    };
  }
  if (ingress === 'http-api' && result !== undefined) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: typeof result === 'string' ? result : JSON.stringify(result),
    };
  }
  // What API Gateway answers when the integration's answer is malformed.
  return { statusCode: 502, body: JSON.stringify({ message: 'Internal server error' }) };
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
  /** The API Gateway to play. @default 'rest-api' */
  ingress?: GatewayIngress;
  /** With `http-api`: the routes the API has (`POST /chat`). @default - every path is a route */
  routes?: readonly string[];
}): Promise<Gateway> {
  const ingress = options.ingress ?? 'rest-api';
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
            const raw = Buffer.concat(chunks);
            const event =
              ingress === 'http-api'
                ? toHttpApiEvent(req, raw, requestId, { routes: options.routes })
                : toProxyEvent(req, raw, requestId);
            // An HTTP API answers a request that matches no route itself, without invoking anything.
            result =
              event.routeKey === '$default' && !options.routes?.includes('$default')
                ? { statusCode: 404, body: JSON.stringify({ message: 'Not Found' }) }
                : fromLambdaResponse(
                    await options.handler(event, lambdaContext(requestId, options.timeoutMs ?? 29_000)),
                    ingress,
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
