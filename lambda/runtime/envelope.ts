/**
 * Parses an SQS message body into a HappEnvelope (DESIGN.md, Contracts), checking every field.
 * Pure: no AWS calls. Errors name the field and never quote the payload.
 */
import {
  ENVELOPE_VERSION,
  HAPP_SOURCES,
  type ClaimCheckedEnvelope,
  type HappEnvelope,
  type HappSource,
  type InlineEnvelope,
  type PayloadLocation,
} from '../shared/envelope';
import { MalformedEnvelopeError, UnsupportedEnvelopeVersionError } from './errors';
import { parseReplayMarker } from './replay';

const INLINE_ENCODINGS = ['json', 'text', 'base64'] as const;
const SHA256_HEX = /^[0-9a-f]{64}$/i;
/** Canonical padded base64 (what the verifier writes with `Buffer#toString('base64')`). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Json, field: string, where = 'envelope'): string {
  const value = obj[field];
  if (typeof value !== 'string' || value === '') {
    throw new MalformedEnvelopeError(
      `${where} field "${field}" must be a non-empty string (got ${describe(value)})`,
    );
  }
  return value;
}

/** A short description of a value's type, never its content. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === '') return 'an empty string';
  return `a ${typeof value}`;
}

function parseLocation(value: unknown): PayloadLocation {
  if (!isObject(value)) {
    throw new MalformedEnvelopeError(
      `envelope field "payloadLocation" must be an object (got ${describe(value)})`,
    );
  }
  const bucket = requireString(value, 'bucket', 'payloadLocation');
  const key = requireString(value, 'key', 'payloadLocation');
  const { size, sha256 } = value;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new MalformedEnvelopeError(
      `payloadLocation field "size" must be a non-negative integer (got ${describe(size)}${typeof size === 'number' ? ` ${size}` : ''})`,
    );
  }
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    throw new MalformedEnvelopeError(
      `payloadLocation field "sha256" must be 64 hex characters (got ${describe(sha256)})`,
    );
  }
  return { bucket, key, size, sha256: sha256.toLowerCase() };
}

/**
 * Parses and validates one message body. Throws MalformedEnvelopeError when the record has no body,
 * the body is not JSON, not an object, lacks a field, has an unknown `source`, carries neither (or
 * both) of `payload` and `payloadLocation`, or a `base64` payload that is not base64; and
 * UnsupportedEnvelopeVersionError (a MalformedEnvelopeError) for a `version` other than
 * ENVELOPE_VERSION. Either way the record fails: it is retried and then parked in the DLQ, never dropped.
 */
export function parseEnvelope(body: string | undefined | null): HappEnvelope {
  if (typeof body !== 'string' || body === '') {
    throw new MalformedEnvelopeError(
      `the SQS record has no message body (got ${describe(body)}); a Happ envelope is a JSON object`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedEnvelopeError(`message body is not JSON (${body.length} characters)`);
  }
  if (!isObject(parsed)) {
    throw new MalformedEnvelopeError(`message body must be a JSON object (got ${describe(parsed)})`);
  }
  if (parsed.version !== undefined && parsed.version !== ENVELOPE_VERSION) {
    throw new UnsupportedEnvelopeVersionError(parsed.version);
  }
  const id = requireString(parsed, 'id');
  const source = requireString(parsed, 'source');
  if (!(HAPP_SOURCES as readonly string[]).includes(source)) {
    throw new MalformedEnvelopeError(
      `envelope field "source" must be one of ${HAPP_SOURCES.join(', ')} (got "${source.slice(0, 40)}")`,
    );
  }
  const type = requireString(parsed, 'type');
  const receivedAt = requireString(parsed, 'receivedAt');
  const idempotencyKey = requireString(parsed, 'idempotencyKey');
  const replay = parseReplayMarker(parsed.replay);
  const base = {
    id,
    source: source as HappSource,
    type,
    receivedAt,
    idempotencyKey,
    ...(replay ? { replay } : {}),
  };

  const hasPayload = 'payload' in parsed;
  const hasLocation = 'payloadLocation' in parsed && parsed.payloadLocation !== undefined;
  if (hasPayload && hasLocation) {
    throw new MalformedEnvelopeError('envelope carries both "payload" and "payloadLocation"; expected one');
  }
  if (hasLocation) {
    const envelope: ClaimCheckedEnvelope = {
      ...base,
      payloadLocation: parseLocation(parsed.payloadLocation),
    };
    return envelope;
  }
  if (!hasPayload) {
    throw new MalformedEnvelopeError('envelope carries neither "payload" nor "payloadLocation"');
  }
  const encoding = parsed.payloadEncoding ?? 'json';
  if (!(INLINE_ENCODINGS as readonly unknown[]).includes(encoding)) {
    throw new MalformedEnvelopeError(
      `envelope field "payloadEncoding" must be one of ${INLINE_ENCODINGS.join(', ')} (got ${describe(encoding)})`,
    );
  }
  if (encoding !== 'json' && typeof parsed.payload !== 'string') {
    throw new MalformedEnvelopeError(
      `envelope field "payload" must be a string when payloadEncoding is ${String(encoding)} (got ${describe(parsed.payload)})`,
    );
  }
  if (encoding === 'base64' && (parsed.payload === '' || !BASE64.test(parsed.payload as string))) {
    throw new MalformedEnvelopeError(
      `envelope field "payload" is not base64 although payloadEncoding is base64 (${(parsed.payload as string).length} characters)`,
    );
  }
  const envelope: InlineEnvelope = {
    ...base,
    payload: parsed.payload,
    payloadEncoding: encoding as InlineEnvelope['payloadEncoding'],
  };
  return envelope;
}
