/**
 * Reading the API Gateway REST proxy event: which source the route names, the method, the exact
 * bytes Happ sent, and the signature header. Pure functions.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HAPP_SOURCES, type HappSource } from '../shared/envelope';

/** The subset of the REST proxy event the verifier reads (so tests and the CLI can build one easily). */
export type VerifierEvent = Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'httpMethod'> &
  Partial<Pick<APIGatewayProxyEvent, 'resource' | 'path' | 'headers' | 'multiValueHeaders'>>;

/**
 * The source named by the route: the last segment of `resource` (e.g. `/chat`), else of `path`
 * (which may carry a stage or base-path prefix, e.g. `/prod/chat`). Case and a trailing slash are
 * tolerated. Undefined when neither names a known source.
 */
export function resolveSource(event: Pick<VerifierEvent, 'resource' | 'path'>): HappSource | undefined {
  for (const candidate of [event.resource, event.path]) {
    if (typeof candidate !== 'string') continue;
    const segments = candidate.split('/').filter((s) => s.length > 0);
    const last = segments[segments.length - 1]?.toLowerCase();
    if (last && (HAPP_SOURCES as readonly string[]).includes(last)) return last as HappSource;
  }
  return undefined;
}

/** True for POST in any case (API Gateway sends it upper-case). */
export function isPost(event: Pick<VerifierEvent, 'httpMethod'>): boolean {
  return typeof event.httpMethod === 'string' && event.httpMethod.toUpperCase() === 'POST';
}

/** The exact request bytes: base64-decoded when API Gateway says so, else the UTF-8 of the string. */
export function readRawBody(event: Pick<VerifierEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * Every value of a header, matched in any case: from `multiValueHeaders` when present (a header
 * sent twice keeps both values), else from `headers`. Joined with ", " as HTTP does.
 */
export function readHeader(
  event: Pick<VerifierEvent, 'headers' | 'multiValueHeaders'>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && Array.isArray(list)) values.push(...list.filter(isString));
  }
  if (values.length > 0) return values.join(', ');
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && isString(value)) values.push(value);
  }
  return values.length > 0 ? values.join(', ') : undefined;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
