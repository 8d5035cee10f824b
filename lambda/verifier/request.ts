/**
 * Reading the request the front door delivered, in either payload format (REST API 1.0, HTTP API 2.0):
 * which source the route names, the method, the exact bytes Happ sent, and the signature header. Pure
 * functions over `readRequest` (lambda/shared/request.ts), the one normaliser of both shapes.
 */
import { HAPP_SOURCES, type HappSource } from '../shared/envelope';
import {
  readBody,
  readRequest,
  type HttpRequest,
  type ProxyEvent,
  type ProxyEventV1,
  type ProxyEventV2,
} from '../shared/request';

/** The REST proxy event (payload format 1.0) the verifier reads. */
export type VerifierEventV1 = ProxyEventV1;
/** The HTTP API event (payload format 2.0) the verifier reads. */
export type VerifierEventV2 = ProxyEventV2;
/** What the verifier reads: either payload format (so tests and the CLI can build one easily). */
export type VerifierEvent = ProxyEvent;

/**
 * The source named by the route: the last segment of the configured route (`resource` in 1.0, the
 * path of `routeKey` in 2.0, e.g. `/chat`), else of the path requested (which may carry a stage or
 * base-path prefix, e.g. `/prod/chat`). Case and a trailing slash are tolerated. Undefined when
 * neither names a known source.
 */
export function resolveSource(
  event: Pick<ProxyEventV1, 'resource' | 'path'> | VerifierEvent | HttpRequest,
): HappSource | undefined {
  const request = toRouteAndPath(event);
  for (const candidate of [request.route, request.path]) {
    if (typeof candidate !== 'string') continue;
    const segments = candidate.split('/').filter((s) => s.length > 0);
    const last = segments[segments.length - 1]?.toLowerCase();
    if (last && (HAPP_SOURCES as readonly string[]).includes(last)) return last as HappSource;
  }
  return undefined;
}

/** True for POST in any case (API Gateway sends it upper-case). */
export function isPost(event: Pick<ProxyEventV1, 'httpMethod'> | VerifierEvent): boolean {
  const method =
    'requestContext' in event && (event as ProxyEventV2).requestContext?.http
      ? (event as ProxyEventV2).requestContext.http.method
      : (event as ProxyEventV1).httpMethod;
  return typeof method === 'string' && method.toUpperCase() === 'POST';
}

/** The exact request bytes: base64-decoded when API Gateway says so, else the UTF-8 of the string. */
export function readRawBody(event: Pick<VerifierEvent, 'body' | 'isBase64Encoded'>): Buffer {
  return readBody(event);
}

/**
 * Every value of a header, matched in any case. 1.0: from `multiValueHeaders` when present (a header
 * sent twice keeps both values), else from `headers`, joined with ", " as HTTP does. 2.0: from
 * `headers` (API Gateway has lower-cased the names and comma-joined repeats), `cookie` from `cookies`.
 */
export function readHeader(
  event: Pick<ProxyEventV1, 'headers' | 'multiValueHeaders'> | VerifierEvent,
  name: string,
): string | undefined {
  const request = readRequest({ isBase64Encoded: false, httpMethod: '', ...event, body: null } as ProxyEvent);
  return request.headers[name.toLowerCase()];
}

function toRouteAndPath(event: Pick<ProxyEventV1, 'resource' | 'path'> | VerifierEvent | HttpRequest): {
  route?: string;
  path?: string;
} {
  if ('format' in event && 'method' in event) return event;
  if ((event as { version?: unknown }).version === '2.0') {
    const request = readRequest({ ...(event as ProxyEventV2), body: null });
    return { route: request.route, path: request.path };
  }
  const v1 = event as Pick<ProxyEventV1, 'resource' | 'path'>;
  return { route: v1.resource, path: v1.path };
}
