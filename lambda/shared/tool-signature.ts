/**
 * What a tool request's signature covers, shared by the tool helper, the CLI (`happ-webhooks call`)
 * and the tests. Pure functions.
 */
import { signBody, type SignatureEncoding } from './signature';

/**
 * What the signature of a request covers (our reading; Happ documents HMAC over the raw body only):
 * the body bytes when there is a body; for a request without one (a GET), the canonical query
 * string — each name and value `encodeURIComponent`-encoded, the `name=value` pairs sorted by encoded
 * name then encoded value, joined with `&` (no parameters: the empty string). The canonical form does not depend on how a
 * gateway re-encodes or reorders the query, and it is what `happ-webhooks call` signs.
 */
export function toolSignedBytes(
  body: Buffer | Uint8Array,
  queryValues: Readonly<Record<string, readonly string[] | string>>,
): Buffer {
  if (body.length > 0) return Buffer.from(body);
  return Buffer.from(canonicalQuery(queryValues), 'utf8');
}

/** The canonical query string of a set of parameters (see `signedBytes`). */
export function canonicalQuery(values: Readonly<Record<string, readonly string[] | string>>): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(values)) {
    for (const one of Array.isArray(v) ? v : [v as string]) {
      pairs.push([encodeURIComponent(k), encodeURIComponent(one)]);
    }
  }
  // Sorted by the encoded name, then the encoded value (ASCII order: the same in any language).
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** The signature header value for a tool request (hex, `sha256=` prefix unless told otherwise). */
export function signToolRequest(
  body: Buffer | Uint8Array | string,
  queryValues: Readonly<Record<string, readonly string[] | string>>,
  secret: string,
  options: { encoding?: SignatureEncoding; prefix?: string } = {},
): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return signBody(toolSignedBytes(bytes, queryValues), secret, { prefix: 'sha256=', ...options });
}
