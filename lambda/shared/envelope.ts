/**
 * The contract between the verifier (producer) and subscribers (consumers): the raw JSON message
 * body on the SNS topic and therefore on every subscriber queue (raw message delivery).
 */

import type { ReplayMarker } from './archive';

/** Where a delivery came from: the API route it was POSTed to. */
export const HappSource = {
  CHAT: 'chat',
  CALL: 'call',
} as const;
export type HappSource = (typeof HappSource)[keyof typeof HappSource];
export const HAPP_SOURCES: readonly HappSource[] = [HappSource.CHAT, HappSource.CALL];

/** Type given to a verified delivery that is not JSON or names no event type. */
export const UNKNOWN_EVENT_TYPE = 'unknown';

/** SNS message attribute names (String) carrying the same values as the envelope, for filter policies. */
export const MESSAGE_ATTRIBUTES = {
  SOURCE: 'source',
  TYPE: 'type',
} as const;

/** Where a claim-checked payload was stored. */
export interface PayloadLocation {
  readonly bucket: string;
  readonly key: string;
  /** Bytes of the stored object (the raw body Happ sent). */
  readonly size: number;
  /** Hex SHA-256 of the stored bytes. */
  readonly sha256: string;
}

/** The envelope format the verifier writes. A subscriber that reads an unknown version fails the message. */
export const ENVELOPE_VERSION = 1;

interface EnvelopeBase {
  /**
   * Format version of the envelope (`ENVELOPE_VERSION`). Envelopes written before the field existed
   * carry none and are version 1.
   */
  readonly version?: number;
  /** Unique id of this accepted delivery (UUID), assigned by the verifier. */
  readonly id: string;
  readonly source: HappSource;
  /** Happ's event name (e.g. `call.completed`), or `unknown`. */
  readonly type: string;
  /** ISO-8601 time the verifier accepted the delivery. */
  readonly receivedAt: string;
  /** The key duplicates share, namespaced by source (e.g. `call#<sha256 of body>`). */
  readonly idempotencyKey: string;
  /**
   * Present only on an envelope `happ-webhooks replay` sent to one subscriber's queue (never on one the
   * verifier published): the runtime helper runs it again, once per replay id.
   */
  readonly replay?: ReplayMarker;
}

/**
 * The payload inline: the parsed JSON body, or — when the body is not JSON — the raw text
 * (`payloadEncoding: 'text'`), or base64 when it is not valid UTF-8 (`payloadEncoding: 'base64'`).
 */
export interface InlineEnvelope extends EnvelopeBase {
  readonly payload: unknown;
  readonly payloadEncoding?: 'json' | 'text' | 'base64';
}

/** The payload was too large for one SNS message and lives in S3 (claim check). */
export interface ClaimCheckedEnvelope extends EnvelopeBase {
  readonly payloadLocation: PayloadLocation;
}

export type HappEnvelope = InlineEnvelope | ClaimCheckedEnvelope;

export function isClaimChecked(envelope: HappEnvelope): envelope is ClaimCheckedEnvelope {
  return (envelope as ClaimCheckedEnvelope).payloadLocation !== undefined;
}
