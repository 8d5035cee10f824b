/**
 * A tool request as `happTool` reads it, from whichever API Gateway event carried it: REST API
 * (payload 1.0) or HTTP API (payload 2.0). `readToolRequest` reads it through the verifier's
 * normaliser (lambda/shared/request.ts) and adds every value of the query parameters; everything
 * after it works on `HappToolRequest`. Pure functions.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { isV2Event, type ProxyEvent, readRequest } from '../shared/request';
import { toolSignedBytes } from '../shared/tool-signature';

/** The event subset read from a REST API (payload 1.0) proxy event. */
export type ToolEventV1 = Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'httpMethod'> &
  Partial<
    Pick<
      APIGatewayProxyEvent,
      'path' | 'headers' | 'multiValueHeaders' | 'queryStringParameters' | 'multiValueQueryStringParameters'
    >
  >;

/** The event subset read from an HTTP API (payload 2.0) event. */
export type ToolEventV2 = Pick<
  APIGatewayProxyEventV2,
  'version' | 'rawPath' | 'headers' | 'isBase64Encoded'
> &
  Partial<Pick<APIGatewayProxyEventV2, 'body' | 'rawQueryString' | 'queryStringParameters'>> & {
    readonly requestContext: { readonly http: { readonly method: string } };
  };

export type ToolEvent = ToolEventV1 | ToolEventV2;

/** A tool request, whatever carried it. */
export interface HappToolRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Request path as API Gateway saw it. */
  readonly path: string;
  /** Headers with lower-case names; a header sent twice is joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters; a parameter given twice keeps its last value (all values: `queryValues`). */
  readonly query: Readonly<Record<string, string>>;
  /** Every value of every query parameter, in the order sent. */
  readonly queryValues: Readonly<Record<string, readonly string[]>>;
  /** The exact body bytes (empty when there was none). */
  readonly body: Buffer;
}

/** Reads any supported event into a `HappToolRequest`. */
export function readToolRequest(event: ToolEvent): HappToolRequest {
  // Method, path, lower-cased headers and the exact body bytes: the verifier's normaliser.
  const request = readRequest(event as ProxyEvent);
  // Every value of a repeated query parameter (the GET signature covers them all).
  let queryValues: Record<string, string[]>;
  if (isV2Event(event as ProxyEvent)) {
    queryValues = parseRawQuery((event as ToolEventV2).rawQueryString ?? '');
  } else {
    const v1 = event as ToolEventV1;
    queryValues = {};
    for (const [k, list] of Object.entries(v1.multiValueQueryStringParameters ?? {})) {
      if (Array.isArray(list)) queryValues[k] = list.filter(isString);
    }
    for (const [k, v] of Object.entries(v1.queryStringParameters ?? {})) {
      if (isString(v) && queryValues[k] === undefined) queryValues[k] = [v];
    }
  }
  return {
    method: request.method,
    path: request.path,
    headers: { ...request.headers },
    query: lastValues(queryValues),
    queryValues,
    body: request.body,
  };
}

/** `a=1&b=2&a=3` → `{ a: ['1', '3'], b: ['2'] }` (`+` is a space, as in forms). */
export function parseRawQuery(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) (out[k] ??= []).push(v);
  return out;
}

function lastValues(values: Record<string, readonly string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, list] of Object.entries(values)) if (list.length > 0) out[k] = list[list.length - 1];
  return out;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** What the signature of this request covers (lambda/shared/tool-signature.ts). */
export function signedBytes(request: Pick<HappToolRequest, 'body' | 'queryValues'>): Buffer {
  return toolSignedBytes(request.body, request.queryValues);
}
