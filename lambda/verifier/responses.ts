/**
 * The verifier's HTTP responses: JSON bodies with a short `status` or `message`. They never echo a
 * secret, a signature or a payload.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { VerifierError } from './errors';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

function json(statusCode: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** 202: verified, stored and published. */
export function accepted(id: string): APIGatewayProxyResult {
  return json(202, { status: 'accepted', id });
}

/** 200: this delivery was accepted before; nothing was published this time. */
export function duplicate(id: string | undefined): APIGatewayProxyResult {
  return json(200, id ? { status: 'duplicate', id } : { status: 'duplicate' });
}

/** 4xx/5xx for a domain error: its status and its public message only. */
export function errorResponse(error: VerifierError): APIGatewayProxyResult {
  const headers: Record<string, string> = {};
  if (error.statusCode === 405) headers.allow = 'POST';
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  else if (error.statusCode === 503) headers['retry-after'] = '5';
  return json(error.statusCode, { message: error.publicMessage }, headers);
}
