/**
 * Reading the event archive (`happ-webhooks events`, `happ-webhooks replay`) straight from S3, with
 * no query service: list the hour partitions a time range covers (the layout in
 * lambda/shared/archive.ts), read each object (GZIP; records one per line, or back to back),
 * keep the envelopes that match the filters, drop the repeats Firehose's at-least-once delivery
 * may have written, and return them in the order the verifier accepted them.
 */
import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  archiveDayPrefix,
  archiveSourcePrefix,
  ARCHIVE_BUCKET_OUTPUT_KEY,
  ARCHIVE_LISTING_SLACK_MS,
  parseArchiveKey,
} from '../../lambda/shared/archive';
import { HAPP_SOURCES, type HappEnvelope, type HappSource } from '../../lambda/shared/envelope';
import { readStackOutputs, type AwsOptions } from './aws';
import { CliError, describeAwsError } from './errors';
import type { Io } from './io';

/** What to select from the archive. */
export interface ArchiveSelection {
  /** Accepted at or after (verifier's `receivedAt`). undefined = everything retained. */
  readonly since?: Date;
  /** Accepted before. */
  readonly until: Date;
  readonly sources: readonly HappSource[];
  /** Glob on the event type (`*` any run of characters, `?` one), e.g. `call.*`. */
  readonly type?: string;
  /** Text the payload must contain, or `field=value` (a dotted path into the JSON payload). */
  readonly grep?: string;
  /** Only these envelope ids. */
  readonly ids?: ReadonlySet<string>;
}

/** The filter flags `events` and `replay` share, as commander gives them. */
export interface SelectionFlags {
  readonly since?: string;
  readonly until?: string;
  readonly source?: string;
  readonly type?: string;
  readonly grep?: string;
  readonly ids?: string;
}

export interface ScanStats {
  /** Objects listed in the covered partitions. */
  objects: number;
  /** Objects read so far. */
  read: number;
  /** Records found in them. */
  records: number;
  /** Records that were not a Happ envelope (or not JSON). */
  unreadable: number;
  /** Records dropped because an earlier one had the same envelope id (Firehose retried a delivery). */
  repeats: number;
  /** Envelopes that matched. */
  matched: number;
  /** Bytes read from S3 (compressed). */
  bytes: number;
}

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$/i;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `3d`, `12h`, `30m`, `90s`, `2w` (that long before `now`), or an ISO-8601 date or time. */
export function parseTime(flag: string, value: string, now: Date): Date {
  const m = DURATION_RE.exec(value.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * UNIT_MS[m[2].toLowerCase()]!);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new CliError(
    `${flag} must be a duration ago (e.g. 3d, 12h, 30m) or an ISO-8601 time such as 2026-06-01T10:00:00Z (given "${value}")`,
  );
}

/** Turns the shared flags into a selection; `defaultSince` applies when neither --since nor --ids is given. */
export function selectionFrom(
  flags: SelectionFlags,
  now: Date,
  defaultSince: string | undefined,
): ArchiveSelection {
  const ids = flags.ids
    ? new Set(
        flags.ids
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      )
    : undefined;
  if (ids && ids.size === 0) throw new CliError('--ids must name at least one event id');
  const sinceText = flags.since ?? (ids ? undefined : defaultSince);
  const since = sinceText ? parseTime('--since', sinceText, now) : undefined;
  const until = flags.until ? parseTime('--until', flags.until, now) : now;
  if (since && since.getTime() >= until.getTime()) {
    throw new CliError(
      `--since must be before --until (given ${since.toISOString()} and ${until.toISOString()})`,
    );
  }
  let sources: HappSource[] = [...HAPP_SOURCES];
  if (flags.source) {
    if (!(HAPP_SOURCES as readonly string[]).includes(flags.source)) {
      throw new CliError(`--source must be one of ${HAPP_SOURCES.join(', ')} (given "${flags.source}")`);
    }
    sources = [flags.source as HappSource];
  }
  if (flags.grep === '') throw new CliError('--grep must not be empty');
  return { since, until, sources, type: flags.type, grep: flags.grep, ids };
}

/** A glob (`*`, `?`) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * Splits an object's text into its records. Handles both framings Firehose produces: one record per
 * line (`AppendDelimiterToRecord`) and records back to back with nothing between (no processor),
 * by reading one JSON value after another. A record that does not parse is returned as `undefined`
 * and reading resumes at the next line.
 */
export function splitRecords(text: string): unknown[] {
  const records: unknown[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    const end = endOfJsonValue(text, i);
    if (end === undefined) {
      records.push(undefined);
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
      continue;
    }
    try {
      records.push(JSON.parse(text.slice(i, end)));
    } catch {
      records.push(undefined);
    }
    i = end;
  }
  return records;
}

/** Index just past the JSON object or array starting at `start` (undefined when it never closes). */
function endOfJsonValue(text: string, start: number): number | undefined {
  const open = text[start];
  if (open !== '{' && open !== '[') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

/** The record as a Happ envelope when it is one (the fields every consumer needs are present). */
export function asEnvelope(record: unknown): HappEnvelope | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const r = record as Record<string, unknown>;
  for (const field of ['id', 'source', 'type', 'receivedAt', 'idempotencyKey']) {
    if (typeof r[field] !== 'string' || r[field] === '') return undefined;
  }
  if (!(HAPP_SOURCES as readonly string[]).includes(r.source as string)) return undefined;
  if (!('payload' in r) && typeof r.payloadLocation !== 'object') return undefined;
  return record as HappEnvelope;
}

/** Decompresses when the bytes are GZIP (magic 1f 8b), whatever the key's extension says. */
export function decodeObject(bytes: Buffer): string {
  const data = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return data.toString('utf8');
}

const GREP_FIELD_RE = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)=(.*)$/;

/**
 * True when the payload matches `grep`: its text contains `grep`, or — for `field=value` — the JSON
 * payload's `field` (a dotted path) is `value` (compared as text).
 */
export function payloadMatches(payload: unknown, grep: string): boolean {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  if (text?.includes(grep)) return true;
  const m = GREP_FIELD_RE.exec(grep);
  if (!m || typeof payload !== 'object' || payload === null) return false;
  let value: unknown = payload;
  for (const part of m[1]!.split('.')) {
    if (typeof value !== 'object' || value === null) return false;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return false;
  return (typeof value === 'string' ? value : JSON.stringify(value)) === m[2];
}

/** The filters that need no payload: time, source, type, ids. */
export function envelopeMatches(
  envelope: HappEnvelope,
  selection: ArchiveSelection,
  typeRe?: RegExp,
): boolean {
  const t = Date.parse(envelope.receivedAt);
  if (selection.since && !(t >= selection.since.getTime())) return false;
  if (!(t < selection.until.getTime())) return false;
  if (!selection.sources.includes(envelope.source)) return false;
  if (typeRe && !typeRe.test(envelope.type)) return false;
  if (selection.ids && !selection.ids.has(envelope.id)) return false;
  return true;
}

/** The archive object keys whose partitions can hold events of the selection. */
export async function listArchiveKeys(
  s3: S3Client,
  bucket: string,
  selection: ArchiveSelection,
): Promise<string[]> {
  const { paginateListObjectsV2 } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const from = selection.since ? selection.since.getTime() - ARCHIVE_LISTING_SLACK_MS : undefined;
  const to = selection.until.getTime() + ARCHIVE_LISTING_SLACK_MS;
  const keys: string[] = [];
  for (const source of selection.sources) {
    const prefixes: string[] = [];
    if (from === undefined) {
      prefixes.push(archiveSourcePrefix(source));
    } else {
      const day = 86_400_000;
      for (let t = Math.floor(from / day) * day; t <= to; t += day) {
        prefixes.push(archiveDayPrefix(source, new Date(t)));
      }
    }
    for (const prefix of prefixes) {
      try {
        for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
          for (const object of page.Contents ?? []) {
            const parsed = object.Key ? parseArchiveKey(object.Key) : undefined;
            if (!parsed) continue;
            const hour = parsed.hour.getTime();
            // The partition is the hour the object's OLDEST record arrived: keep hours that overlap
            // [from, to] (an hour partition covers [hour, hour + 1 h)).
            if (from !== undefined && hour + 3_600_000 <= from) continue;
            if (hour > to) continue;
            keys.push(object.Key!);
          }
        }
      } catch (error) {
        throw describeAwsError(error, `listing s3://${bucket}/${prefix}`);
      }
    }
  }
  return keys;
}

async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const { GetObjectCommand } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

/** An archived envelope that matched, with where it was found. */
export interface ArchivedEvent {
  readonly envelope: HappEnvelope;
  /** The archive object it was read from. */
  readonly key: string;
}

export interface ScanOptions {
  /** Called after every object read (for a progress line). */
  readonly onProgress?: (stats: Readonly<ScanStats>) => void;
  /** Objects read at once. @default 8 */
  readonly concurrency?: number;
}

/**
 * Reads every archive object the selection covers and returns the matching envelopes, each once,
 * oldest first. Claim-checked payloads are fetched from their bucket only when `--grep` needs them.
 */
export async function scanArchive(
  s3: S3Client,
  bucket: string,
  selection: ArchiveSelection,
  options: ScanOptions = {},
): Promise<{ events: ArchivedEvent[]; stats: ScanStats }> {
  const stats: ScanStats = {
    objects: 0,
    read: 0,
    records: 0,
    unreadable: 0,
    repeats: 0,
    matched: 0,
    bytes: 0,
  };
  const keys = await listArchiveKeys(s3, bucket, selection);
  stats.objects = keys.length;
  options.onProgress?.(stats);
  const typeRe = selection.type ? globToRegExp(selection.type) : undefined;
  const seen = new Set<string>();
  const found: ArchivedEvent[] = [];
  // Objects are read in parallel but their records are examined in key order (time order), so the
  // first copy of a repeated envelope is the one kept, as in a sequential read.
  const contents: (Promise<Buffer> | undefined)[] = [];
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const fetch = (i: number) => {
    if (i < keys.length && contents[i] === undefined) {
      contents[i] = getObjectBytes(s3, bucket, keys[i]!).catch((error: unknown) => {
        throw describeAwsError(error, `reading s3://${bucket}/${keys[i]}`);
      });
      // Handled when awaited below; this stops an unhandled-rejection warning in between.
      contents[i]!.catch(() => undefined);
    }
  };
  for (let i = 0; i < Math.min(concurrency, keys.length); i++) fetch(i);
  for (let i = 0; i < keys.length; i++) {
    fetch(i);
    const bytes = await contents[i]!;
    contents[i] = Promise.resolve(Buffer.alloc(0));
    fetch(i + concurrency);
    stats.read++;
    stats.bytes += bytes.length;
    for (const record of splitRecords(decodeObject(bytes))) {
      stats.records++;
      const envelope = asEnvelope(record);
      if (!envelope) {
        stats.unreadable++;
        continue;
      }
      if (seen.has(envelope.id)) {
        stats.repeats++;
        continue;
      }
      seen.add(envelope.id);
      if (!envelopeMatches(envelope, selection, typeRe)) continue;
      if (selection.grep !== undefined && !payloadMatches(await payloadOf(s3, envelope), selection.grep)) {
        continue;
      }
      stats.matched++;
      found.push({ envelope, key: keys[i]! });
    }
    options.onProgress?.(stats);
  }
  found.sort(
    (a, b) =>
      Date.parse(a.envelope.receivedAt) - Date.parse(b.envelope.receivedAt) ||
      a.envelope.id.localeCompare(b.envelope.id),
  );
  return { events: found, stats };
}

/** The payload of an envelope: inline, or read from the claim-check bucket. */
async function payloadOf(s3: S3Client, envelope: HappEnvelope): Promise<unknown> {
  if (!('payloadLocation' in envelope)) return envelope.payload;
  const { bucket, key } = envelope.payloadLocation;
  let text: string;
  try {
    text = (await getObjectBytes(s3, bucket, key)).toString('utf8');
  } catch (error) {
    throw describeAwsError(
      error,
      `reading the claim-checked body of event ${envelope.id} (s3://${bucket}/${key})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The archive bucket of a stack: the value of its output whose key contains `ArchiveBucketName`
 * (the receiver adds one when `archive` is on).
 */
export async function findArchiveBucket(stackName: string, options: AwsOptions, io: Io): Promise<string> {
  const outputs = await readStackOutputs(stackName, options, io.env);
  const found = Object.entries(outputs).filter(([key]) => key.includes(ARCHIVE_BUCKET_OUTPUT_KEY));
  if (found.length === 0) {
    throw new CliError(
      `stack ${stackName} has no archive (no output named like ${ARCHIVE_BUCKET_OUTPUT_KEY}): turn on the receiver's archive prop, or pass --bucket NAME`,
    );
  }
  if (found.length > 1) {
    throw new CliError(
      `stack ${stackName} has ${found.length} archives (${found.map(([key, value]) => `${key}=${value}`).join(', ')}): pick one with --bucket NAME`,
    );
  }
  return found[0]![1];
}

/** `--bucket`, else the stack's archive output; one of the two is required. */
export async function resolveArchiveBucket(
  stack: string | undefined,
  options: AwsOptions & { readonly bucket?: string },
  io: Io,
): Promise<string> {
  if (options.bucket) return options.bucket;
  if (!stack)
    throw new CliError('name the stack (happ-webhooks events MyStack) or the bucket (--bucket NAME)');
  return findArchiveBucket(stack, options, io);
}
