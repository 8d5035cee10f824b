/**
 * Happ webhook signatures as pure functions, shared by the verifier, the CLI and the tests.
 *
 * Happ documents: HMAC-SHA256 over the raw request body, keyed with the webhook secret, in a
 * request header. It does not document the encoding or a prefix, so verification is tolerant:
 * hex (any case) or base64 (standard or URL-safe, padded or not), an optional prefix such as
 * `sha256=`, and several signatures in one header (comma- or whitespace-separated), any of which
 * may match any active secret. Comparison is constant-time over fixed-length digests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_ALGORITHM = 'sha256';
const DIGEST_BYTES = 32;

export const SignatureEncoding = {
  HEX: 'hex',
  BASE64: 'base64',
} as const;
export type SignatureEncoding = (typeof SignatureEncoding)[keyof typeof SignatureEncoding];
export const SIGNATURE_ENCODINGS: readonly SignatureEncoding[] = [
  SignatureEncoding.HEX,
  SignatureEncoding.BASE64,
];

export interface SignatureScheme {
  /** Encodings accepted when verifying. Default both. */
  readonly encodings?: readonly SignatureEncoding[];
  /** Prefix accepted (optional, any case) before each signature. Default `sha256=`; '' for none. */
  readonly prefix?: string;
}

/** HMAC-SHA256 of the raw body bytes keyed with the secret (UTF-8). */
export function computeDigest(body: Buffer | Uint8Array, secret: string): Buffer {
  return createHmac(SIGNATURE_ALGORITHM, secret).update(body).digest();
}

/** The header value a Happ-style sender would put on this body. */
export function signBody(
  body: Buffer | Uint8Array | string,
  secret: string,
  options: { encoding?: SignatureEncoding; prefix?: string } = {},
): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const digest = computeDigest(bytes, secret);
  return `${options.prefix ?? ''}${digest.toString(options.encoding ?? SignatureEncoding.HEX)}`;
}

const HEX_RE = /^[0-9a-fA-F]{64}$/;
// 32 bytes = 43 base64 characters + one '=' of padding; standard or URL-safe alphabet.
const BASE64_RE = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Splits a signature header into the 32-byte digests it carries. Tokens that are not a well-formed
 * digest in an accepted encoding are ignored (never partially decoded: `Buffer.from(s, 'hex')`
 * stops silently at the first bad character, so lengths and alphabets are checked first).
 */
export function parseSignatureHeader(value: string | undefined, scheme: SignatureScheme = {}): Buffer[] {
  if (!value) return [];
  const encodings = scheme.encodings ?? SIGNATURE_ENCODINGS;
  const prefix = (scheme.prefix ?? 'sha256=').toLowerCase();
  const digests: Buffer[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    let token = raw.trim();
    if (!token) continue;
    if (prefix && token.toLowerCase().startsWith(prefix)) token = token.slice(prefix.length);
    if (encodings.includes(SignatureEncoding.HEX) && HEX_RE.test(token)) {
      digests.push(Buffer.from(token, 'hex'));
    } else if (encodings.includes(SignatureEncoding.BASE64) && BASE64_RE.test(token)) {
      const decoded = decodeBase64Digest(token);
      if (decoded) digests.push(decoded);
    }
  }
  return digests;
}

/**
 * Decodes a 43/44-character base64 digest, or undefined when it is not the canonical encoding of
 * 32 bytes: mixed standard/URL-safe alphabets, or non-zero padding bits in the last character
 * (`Buffer.from` ignores those bits, so without this check four different strings would decode to
 * the same digest and a changed signature character could still verify).
 */
function decodeBase64Digest(token: string): Buffer | undefined {
  if (/[+/]/.test(token) && /[-_]/.test(token)) return undefined;
  const standard = token.replace(/-/g, '+').replace(/_/g, '/').replace(/=$/, '');
  const decoded = Buffer.from(standard, 'base64');
  if (decoded.length !== DIGEST_BYTES) return undefined;
  if (decoded.toString('base64').replace(/=$/, '') !== standard) return undefined;
  return decoded;
}

/**
 * True when any signature in the header is the HMAC of `body` under any of `secrets`.
 * Every comparison runs (no early exit) and compares equal-length buffers, so it neither throws
 * on length mismatch nor leaks which secret or position matched through timing.
 */
export function verifySignature(
  body: Buffer | Uint8Array,
  headerValue: string | undefined,
  secrets: readonly string[],
  scheme: SignatureScheme = {},
): boolean {
  return matchSignature(body, headerValue, secrets, scheme) >= 0;
}

/**
 * Like verifySignature, but tells which secret verified: the index into `secrets` of the first
 * one that any signature in the header matches (0 = `current` for a rotating secret value), or -1.
 * Every comparison still runs, so the timing does not depend on which secret matched.
 */
export function matchSignature(
  body: Buffer | Uint8Array,
  headerValue: string | undefined,
  secrets: readonly string[],
  scheme: SignatureScheme = {},
): number {
  const provided = parseSignatureHeader(headerValue, scheme);
  if (provided.length === 0 || secrets.length === 0) return -1;
  let matchedIndex = -1;
  secrets.forEach((secret, index) => {
    const expected = computeDigest(body, secret);
    for (const candidate of provided) {
      // Always compare (no short circuit); keep the first matching secret's index.
      const equal = timingSafeEqual(expected, candidate);
      if (equal && matchedIndex < 0) matchedIndex = index;
    }
  });
  return matchedIndex;
}

/** Case-insensitive header lookup (API Gateway passes headers in the case the client sent). */
export function getHeader(
  headers: Record<string, string | undefined> | null | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
