// Helpers for the tool helper's tests: signed tool requests as API Gateway (REST, payload 1.0) delivers them.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signToolRequest } from '../../../../lambda/shared/tool-signature';
import type { SignatureEncoding } from '../../../../lambda/shared/signature';

export interface ToolEventOptions {
  readonly method?: string;
  readonly path?: string;
  /** Query parameters as sent (several values per name allowed). */
  readonly query?: Record<string, string | string[]>;
  readonly headers?: Record<string, string>;
  /** Sign with this secret (header X-HAPP-Signature); omit for an unsigned request. */
  readonly secret?: string;
  readonly encoding?: SignatureEncoding;
  readonly prefix?: string;
  /** Override the signed query (to simulate a query changed after signing). */
  readonly signedQuery?: Record<string, string | string[]>;
}

/** A REST proxy event for a tool request: body base64-encoded as the receiver's API delivers it. */
export function toolEvent(body: unknown, options: ToolEventOptions = {}): APIGatewayProxyEvent {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const query = options.query ?? {};
  const multi: Record<string, string[]> = {};
  const single: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    multi[k] = Array.isArray(v) ? v : [v];
    single[k] = multi[k][multi[k].length - 1];
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...options.headers };
  if (options.secret !== undefined) {
    headers['X-HAPP-Signature'] = signToolRequest(text, options.signedQuery ?? query, options.secret, {
      encoding: options.encoding,
      prefix: options.prefix,
    });
  }
  return {
    resource: options.path ?? '/tools/lookup',
    path: options.path ?? '/tools/lookup',
    httpMethod: options.method ?? 'POST',
    headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(single).length ? single : null,
    multiValueQueryStringParameters: Object.keys(multi).length ? multi : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: text === '' ? null : Buffer.from(text, 'utf8').toString('base64'),
    isBase64Encoded: text !== '',
  };
}

export function bodyOf(response: { body: string }): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}
