/**
 * Replay protection: the event time a signed body carries, and whether it is fresh. Pure functions.
 *
 * Time fields hold ISO-8601 text (`2026-05-26T14:02:11Z`; a date without a zone is read as UTC), or a
 * Unix epoch number (or numeric string) in seconds or milliseconds: values of 10^11 and more are
 * milliseconds (10^11 s is the year 5138; 10^11 ms is 1973, before any Happ event).
 */
import { getPath, type DecodedBody } from './delivery';

/** An event time found in a body. */
export interface EventTime {
  /** Epoch milliseconds. */
  readonly ms: number;
  /** The field it came from. */
  readonly field: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const NUMERIC = /^\d{1,16}(\.\d+)?$/;
const MS_THRESHOLD = 1e11;

function fromEpoch(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  return value >= MS_THRESHOLD ? value : value * 1000;
}

/** Reads one field's value as a time, or undefined when it is not one. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (NUMERIC.test(text)) return fromEpoch(Number(text));
  if (!ISO_DATE.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const ms = Date.parse(hasZone || text.length <= 10 ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The first of `fields` holding a time, or undefined (not JSON, no such field, not a time). */
export function readEventTime(body: DecodedBody, fields: readonly string[]): EventTime | undefined {
  if (body.encoding !== 'json') return undefined;
  for (const field of fields) {
    const ms = parseEventTime(getPath(body.value, field));
    if (ms !== undefined) return { ms, field };
  }
  return undefined;
}

export type Freshness =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'untimed' }
  | { readonly kind: 'stale'; readonly ageSeconds: number }
  | { readonly kind: 'future'; readonly aheadSeconds: number };

/** Fresh when now − maxAge ≤ event time ≤ now + skew. */
export function checkFreshness(
  time: EventTime | undefined,
  nowMs: number,
  maxAgeSeconds: number,
  skewSeconds: number,
): Freshness {
  if (!time) return { kind: 'untimed' };
  const ageMs = nowMs - time.ms;
  if (ageMs > maxAgeSeconds * 1000) return { kind: 'stale', ageSeconds: Math.floor(ageMs / 1000) };
  if (-ageMs > skewSeconds * 1000) return { kind: 'future', aheadSeconds: Math.ceil(-ageMs / 1000) };
  return { kind: 'fresh' };
}
