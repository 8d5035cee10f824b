/**
 * What a verified body becomes: its payload (JSON, text or base64), its event type, its
 * idempotency key, and the SNS message (inline or claim-checked). Pure functions.
 */
import { createHash } from 'node:crypto';
import {
  MESSAGE_ATTRIBUTES,
  UNKNOWN_EVENT_TYPE,
  type ClaimCheckedEnvelope,
  type HappSource,
  type InlineEnvelope,
  type PayloadLocation,
} from '../shared/envelope';

/** Longest event type or key-field value taken from a body; longer ones are ignored (see README). */
export const MAX_FIELD_VALUE_LENGTH = 256;

/** The verified body, decoded once. */
export type DecodedBody =
  | { readonly encoding: 'json'; readonly value: unknown }
  | { readonly encoding: 'text'; readonly value: string }
  | { readonly encoding: 'base64'; readonly value: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * JSON when the bytes are UTF-8 JSON (a leading byte-order mark is tolerated), else the UTF-8 text,
 * else (not valid UTF-8) the bytes in base64. Nothing is dropped.
 */
export function decodeBody(raw: Buffer): DecodedBody {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { encoding: 'base64', value: raw.toString('base64') };
  }
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (json.trim().length > 0) {
    try {
      return { encoding: 'json', value: JSON.parse(json) as unknown };
    } catch {
      // not JSON: keep the text
    }
  }
  return { encoding: 'text', value: text };
}

/** The value at a dot path (`data.id`; array indexes allowed) of a parsed JSON value, own properties only. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      current = current[Number(segment)];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** The first of `fields` holding a non-blank string of at most MAX_FIELD_VALUE_LENGTH, else `unknown`. */
export function extractEventType(body: DecodedBody, fields: readonly string[]): string {
  if (body.encoding !== 'json') return UNKNOWN_EVENT_TYPE;
  for (const field of fields) {
    const value = getPath(body.value, field);
    if (typeof value === 'string' && value.trim() !== '' && value.length <= MAX_FIELD_VALUE_LENGTH) {
      return value;
    }
  }
  return UNKNOWN_EVENT_TYPE;
}

export interface IdempotencyKey {
  /** `<source>#<key>`: what duplicates share. */
  readonly key: string;
  /** Where the key came from. */
  readonly from: 'fields' | 'body-sha256';
}

/** Hex SHA-256. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The idempotency key, namespaced by source. From `fields` when configured and every one holds a
 * string, number or boolean: the JSON of the value (one field) or of the array of values (several), so
 * the type is part of the key (`7` and `"7"` are different events); otherwise
 * (no fields configured, body not JSON, a field missing) the SHA-256 of the raw body, which is what
 * a retry of the same delivery repeats.
 */
export function deriveIdempotencyKey(
  source: HappSource,
  raw: Buffer,
  body: DecodedBody,
  fields: readonly string[],
): IdempotencyKey {
  if (fields.length > 0 && body.encoding === 'json') {
    const values = fields.map((field) => getPath(body.value, field));
    if (values.every(isKeyScalar)) {
      const key = JSON.stringify(values.length === 1 ? values[0] : values);
      if (key.length <= MAX_FIELD_VALUE_LENGTH) return { key: `${source}#${key}`, from: 'fields' };
    }
  }
  return { key: `${source}#${sha256Hex(raw)}`, from: 'body-sha256' };
}

function isKeyScalar(value: unknown): value is string | number | boolean {
  return (
    (typeof value === 'string' && value !== '') ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  );
}

/** What every message of one delivery shares. */
export interface EnvelopeHeader {
  /** ENVELOPE_VERSION. */
  readonly version: number;
  readonly id: string;
  readonly source: HappSource;
  readonly type: string;
  readonly receivedAt: string;
  readonly idempotencyKey: string;
}

export function inlineEnvelope(header: EnvelopeHeader, body: DecodedBody): InlineEnvelope {
  return { ...header, payload: body.value, payloadEncoding: body.encoding };
}

export function claimCheckedEnvelope(
  header: EnvelopeHeader,
  location: PayloadLocation,
): ClaimCheckedEnvelope {
  return { ...header, payloadLocation: location };
}

/** SNS message attributes (String) carrying source and type, for subscription filter policies. */
export function messageAttributes(
  source: HappSource,
  type: string,
): Record<string, { DataType: 'String'; StringValue: string }> {
  return {
    [MESSAGE_ATTRIBUTES.SOURCE]: { DataType: 'String', StringValue: source },
    [MESSAGE_ATTRIBUTES.TYPE]: { DataType: 'String', StringValue: type },
  };
}

/**
 * Bytes SNS counts against its 256 KiB limit: the message body plus, for each attribute, its
 * name, data type and value.
 */
export function snsMessageBytes(
  message: string,
  attributes: Record<string, { DataType: string; StringValue: string }>,
): number {
  let bytes = Buffer.byteLength(message, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    bytes +=
      Buffer.byteLength(name, 'utf8') +
      Buffer.byteLength(attribute.DataType, 'utf8') +
      Buffer.byteLength(attribute.StringValue, 'utf8');
  }
  return bytes;
}

/** S3 key of a claim-checked body: `<source>/<yyyy>/<mm>/<dd>/<id>` (UTC date of receipt). */
export function claimCheckKey(source: HappSource, id: string, receivedAt: Date): string {
  const yyyy = String(receivedAt.getUTCFullYear()).padStart(4, '0');
  const mm = String(receivedAt.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(receivedAt.getUTCDate()).padStart(2, '0');
  return `${source}/${yyyy}/${mm}/${dd}/${id}`;
}
