/**
 * Replayed envelopes (`happ-webhooks replay`): what the runtime helper does differently for them.
 *
 * An envelope the verifier published is keyed by its `idempotencyKey`, so a Happ retry, an SQS
 * redelivery or a DLQ redrive of it runs the subscriber's function at most once. A replay must run
 * it again although that record says "handled", and a replay sent twice (a resumed or repeated
 * `replay` with the same id) must still run once. So a replayed envelope is keyed by
 * `<idempotencyKey>#replay#<replay id>`: a new key per replay id, the same key for every copy sent
 * under one id. Pure: no AWS calls.
 */
import { REPLAY_ID_PATTERN, type ReplayMarker } from '../shared/archive';
import type { HappEnvelope } from '../shared/envelope';
import { MalformedEnvelopeError } from './errors';

/** Separates the original key from the replay id in a replayed envelope's idempotency key. */
export const REPLAY_KEY_SEPARATOR = '#replay#';

/**
 * The `replay` field of a parsed message body: undefined when absent; a checked marker when present.
 * Throws MalformedEnvelopeError when it is present but not `{ id, at }` with a valid id and time.
 */
export function parseReplayMarker(value: unknown): ReplayMarker | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedEnvelopeError('envelope field "replay" must be an object { id, at }');
  }
  const { id, at } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !REPLAY_ID_PATTERN.test(id)) {
    throw new MalformedEnvelopeError(
      'replay field "id" must be 1-64 letters, digits or ._:- starting with a letter or digit',
    );
  }
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
    throw new MalformedEnvelopeError('replay field "at" must be an ISO-8601 time');
  }
  return { id, at };
}

/**
 * The key the helper claims for an envelope: its `idempotencyKey`, or for a replayed envelope
 * `<idempotencyKey>#replay#<replay id>` (runs again after the original; once per replay id).
 */
export function handlerIdempotencyKey(envelope: HappEnvelope): string {
  return envelope.replay
    ? `${envelope.idempotencyKey}${REPLAY_KEY_SEPARATOR}${envelope.replay.id}`
    : envelope.idempotencyKey;
}

/** `{ replay }` for a replayed envelope (spread into the event and log keys), `{}` otherwise. */
export function replayFields(envelope: HappEnvelope): { replay?: ReplayMarker } {
  return envelope.replay ? { replay: envelope.replay } : {};
}
