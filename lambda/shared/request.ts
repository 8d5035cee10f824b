/**
 * One HTTP request, whichever front door delivered it: an API Gateway REST proxy event (payload
 * format 1.0) or an HTTP API event (payload format 2.0; a function URL sends the same shape). Pure
 * functions, no AWS: the verifier reads every request through `readRequest`, and so can any function
 * behind the same ingress (tool webhooks).
 *
 * What differs between the two shapes, and how it is read here:
 *
 * | | 1.0 (REST API) | 2.0 (HTTP API) |
 * | --- | --- | --- |
 * | method | `httpMethod` | `requestContext.http.method` |
 * | route | `resource` (`/chat`) | `routeKey` (`POST /chat`) |
 * | path | `path` (may carry a base path) | `rawPath` |
 * | headers | `headers` + `multiValueHeaders`, names as sent | `headers`, names lower-case, repeats comma-joined |
 * | cookies | the `cookie` header | `cookies` array (no `cookie` header) |
 * | query | `queryStringParameters` + `multiValueQueryStringParameters` | `queryStringParameters`, repeats comma-joined |
 * | body | `body` + `isBase64Encoded` | `body` + `isBase64Encoded` |
 *
 * The body is the exact bytes that were sent: base64-decoded when the event says so, else the UTF-8
 * of the string (API Gateway passes text bodies as strings). An HMAC is over these bytes, never over
 * a re-serialised JSON.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** The part of a REST proxy event (payload format 1.0) that is read. */
export type ProxyEventV1 = Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'httpMethod'> &
  Partial<
    Pick<
      APIGatewayProxyEvent,
      | 'resource'
      | 'path'
      | 'headers'
      | 'multiValueHeaders'
      | 'queryStringParameters'
      | 'multiValueQueryStringParameters'
    >
  > & { readonly version?: '1.0' };

/** The part of an HTTP API event (payload format 2.0) that is read. */
export type ProxyEventV2 = Pick<APIGatewayProxyEventV2, 'version' | 'rawPath' | 'headers'> &
  Partial<
    Pick<APIGatewayProxyEventV2, 'routeKey' | 'cookies' | 'queryStringParameters' | 'rawQueryString'>
  > & {
    readonly body?: string | null;
    readonly isBase64Encoded: boolean;
    readonly requestContext: { readonly http: { readonly method: string } };
  };

/** Either payload format. */
export type ProxyEvent = ProxyEventV1 | ProxyEventV2;

/** A request as the function sees it, the same for both payload formats. */
export interface HttpRequest {
  /** Which payload format it came in. */
  readonly format: '1.0' | '2.0';
  /** The method, upper-case. */
  readonly method: string;
  /** The route's path as configured (`/chat`, `/tools/{name}`), when the event says. */
  readonly route?: string;
  /** The path requested (may carry a stage or base-path prefix). */
  readonly path: string;
  /**
   * Every header, names lower-case. A header sent more than once: 1.0, its values joined with `, `;
   * 2.0, as API Gateway joined them (with `,`).
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Cookies as sent (`name=value`), in order. */
  readonly cookies: readonly string[];
  /** Query string parameters; a repeated one is its values joined with `,`. */
  readonly query: Readonly<Record<string, string>>;
  /** The exact request bytes. */
  readonly body: Buffer;
}

/** True for a payload format 2.0 event (HTTP API, function URL). */
export function isV2Event(event: ProxyEvent): event is ProxyEventV2 {
  return (event as { version?: unknown }).version === '2.0';
}

/** Reads either payload format into one `HttpRequest`. */
export function readRequest(event: ProxyEvent): HttpRequest {
  return isV2Event(event) ? readV2(event) : readV1(event);
}

/** The exact request bytes: base64-decoded when the event says so, else the UTF-8 of the string. */
export function readBody(event: Pick<ProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function readV1(event: ProxyEventV1): HttpRequest {
  // multiValueHeaders carries every value of a repeated header; prefer it per name.
  const multi = collect(event.multiValueHeaders, (v) => (Array.isArray(v) ? v.filter(isString) : []));
  const single = collect(event.headers, (v) => (isString(v) ? [v] : []));
  const headers: Record<string, string> = {};
  for (const name of new Set([...single.keys(), ...multi.keys()])) {
    const values = multi.get(name)?.length ? multi.get(name)! : (single.get(name) ?? []);
    if (values.length > 0) headers[name] = values.join(', ');
  }
  const query: Record<string, string> = {};
  const multiQuery = event.multiValueQueryStringParameters ?? {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (isString(value)) query[name] = value;
  }
  for (const [name, values] of Object.entries(multiQuery)) {
    if (Array.isArray(values) && values.length > 0) query[name] = values.filter(isString).join(',');
  }
  return {
    format: '1.0',
    method: String(event.httpMethod ?? '').toUpperCase(),
    route: isString(event.resource) ? event.resource : undefined,
    path: isString(event.path) ? event.path : '',
    headers,
    cookies: splitCookieHeader(headers.cookie),
    query,
    body: readBody(event),
  };
}

function readV2(event: ProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, values] of collect(event.headers, (v) => (isString(v) ? [v] : []))) {
    headers[name] = values.join(', ');
  }
  const cookies = Array.isArray(event.cookies) ? event.cookies.filter(isString) : [];
  // HTTP API moves the cookie header into `cookies`; put it back so a header lookup finds it.
  if (cookies.length > 0 && headers.cookie === undefined) headers.cookie = cookies.join('; ');
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (isString(value)) query[name] = value;
  }
  const routeKey = isString(event.routeKey) ? event.routeKey : undefined;
  return {
    format: '2.0',
    method: String(event.requestContext?.http?.method ?? '').toUpperCase(),
    // `POST /chat` → `/chat`; `$default` has no path.
    route: routeKey && routeKey.includes(' ') ? routeKey.slice(routeKey.indexOf(' ') + 1) : undefined,
    path: isString(event.rawPath) ? event.rawPath : '',
    headers,
    cookies: cookies.length > 0 ? cookies : splitCookieHeader(headers.cookie),
    query,
    body: readBody(event),
  };
}

/** Lower-cased names → every value, in the order the object holds them. */
function collect<V>(
  source: Record<string, V> | null | undefined,
  values: (value: V) => string[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of Object.entries(source ?? {})) {
    const list = values(value);
    if (list.length === 0) continue;
    const name = key.toLowerCase();
    out.set(name, [...(out.get(name) ?? []), ...list]);
  }
  return out;
}

function splitCookieHeader(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
