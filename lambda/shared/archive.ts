/**
 * The archive's layout contract: where Amazon Data Firehose writes the envelopes it receives from
 * the topic, how records are framed inside an object, and the marker a replayed envelope carries.
 * The construct (synth) builds its Firehose prefixes from these functions and the CLI (`events`,
 * `replay`) lists and parses objects with them, so the two cannot drift apart.
 *
 * Path: SNS topic → subscription of protocol `firehose`, raw message delivery → one Firehose
 * stream per source → S3, GZIP. Facts this layout relies on (AWS documentation):
 *
 * - Raw delivery to Firehose sends the message body only; message attributes are not sent
 *   (SNS Developer Guide, "Amazon SNS raw message delivery"). So `source` and `type` must be read
 *   from the envelope itself, and the source is also known from the object's prefix because each
 *   source has its own stream, fed by a subscription filtered on `{"source": [...]}`.
 * - Firehose concatenates the records of an object with no delimiter (Firehose Developer Guide,
 *   "Data Delivery Format"). The construct adds the `AppendDelimiterToRecord` processor, which
 *   appends `\n` to every record and works without dynamic partitioning (Firehose API reference,
 *   "Processor"; aws-cdk-lib `AppendDelimiterToRecordProcessor`). Readers accept both framings:
 *   an archive written before the processor was added, or by hand, is still readable.
 * - Object keys are `<evaluated prefix><stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid><ext>`;
 *   with GZIP compression and no `FileExtension` the extension is `.gz` (Firehose Developer Guide,
 *   "Configure Amazon S3 object name format"; aws-cdk-lib `S3BucketProps.fileExtension`).
 * - `!{timestamp:...}` evaluates to the approximate arrival time of the OLDEST record in the object,
 *   in UTC (Firehose Developer Guide, "Custom prefixes for Amazon S3 objects"). An event therefore
 *   sits under the hour its object's first record reached Firehose: up to one buffer interval
 *   (at most 900 s) before its own arrival, and its arrival may lag the verifier's `receivedAt`
 *   while SNS retries a delivery. Readers list one extra hour on each side of a time range
 *   (`ARCHIVE_LISTING_SLACK_MS`) and then filter on `receivedAt` itself.
 * - A prefix with expressions requires an `ErrorOutputPrefix` containing
 *   `!{firehose:error-output-type}` (same page, "Semantic rules"). Failed records land there, not
 *   under `events/`; readers never look there.
 * - Firehose delivers at least once: an object may repeat records of another after a retried
 *   delivery (Firehose Developer Guide, "Duplicated Records"). Readers drop repeated envelope ids.
 */
import { HAPP_SOURCES, type HappSource } from './envelope';

/** Every delivered archive object lives under this prefix. */
export const ARCHIVE_EVENTS_PREFIX = 'events/';
/** Records Firehose could not deliver or process go under this prefix (never read as events). */
export const ARCHIVE_ERRORS_PREFIX = 'errors/';

/** Appended to every record by the `AppendDelimiterToRecord` processor the construct configures. */
export const ARCHIVE_RECORD_DELIMITER = '\n';
/** The extension Firehose gives GZIP-compressed objects when no `FileExtension` is configured. */
export const ARCHIVE_GZIP_EXTENSION = '.gz';

/** How records are laid out inside one archive object. */
export const ArchiveFraming = {
  /** Each record followed by `\n` (the construct's configuration: `AppendDelimiterToRecord`). */
  NEWLINE: 'newline',
  /** Records back to back with nothing between them (Firehose without the processor). */
  CONCATENATED: 'concatenated',
} as const;
export type ArchiveFraming = (typeof ArchiveFraming)[keyof typeof ArchiveFraming];

/**
 * The largest buffer interval Firehose allows for S3 (900 s): the longest a record normally waits
 * for the oldest record of its object.
 */
export const FIREHOSE_MAX_BUFFER_INTERVAL_SECONDS = 900;

/**
 * Readers list this much before `since` and after `until`: one buffer interval (≤ 15 min) plus
 * room for deliveries SNS retried or Firehose delivered late, rounded up to whole hours.
 */
export const ARCHIVE_LISTING_SLACK_MS = 60 * 60 * 1000;

/**
 * A stack output whose key contains this string names the archive bucket (its value is the bucket
 * name). The construct adds one; the CLI finds it with `happ-webhooks events <stack>`.
 */
export const ARCHIVE_BUCKET_OUTPUT_KEY = 'ArchiveBucketName';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function checkSource(source: string): HappSource {
  if (!(HAPP_SOURCES as readonly string[]).includes(source)) {
    throw new Error(`source must be one of ${HAPP_SOURCES.join(', ')} (given "${source}")`);
  }
  return source as HappSource;
}

/** `events/source=<source>/`: everything archived for one source. */
export function archiveSourcePrefix(source: HappSource): string {
  return `${ARCHIVE_EVENTS_PREFIX}source=${checkSource(source)}/`;
}

/**
 * The Firehose `Prefix` of one source's stream (Hive-style partitions, so Athena or a Glue
 * crawler reads `source`, `year`, `month`, `day` and `hour` as columns):
 * `events/source=call/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`.
 */
export function archiveFirehosePrefix(source: HappSource): string {
  return (
    `${archiveSourcePrefix(source)}year=!{timestamp:yyyy}/month=!{timestamp:MM}/` +
    'day=!{timestamp:dd}/hour=!{timestamp:HH}/'
  );
}

/** The Firehose `ErrorOutputPrefix` of one source's stream (required with an expression prefix). */
export function archiveErrorOutputPrefix(source: HappSource): string {
  return (
    `${ARCHIVE_ERRORS_PREFIX}source=${checkSource(source)}/!{firehose:error-output-type}/` +
    'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/'
  );
}

/** The prefix Firehose evaluates for objects whose oldest record arrived in `time`'s UTC day. */
export function archiveDayPrefix(source: HappSource, time: Date): string {
  return (
    `${archiveSourcePrefix(source)}year=${pad(time.getUTCFullYear(), 4)}/` +
    `month=${pad(time.getUTCMonth() + 1)}/day=${pad(time.getUTCDate())}/`
  );
}

/** The prefix Firehose evaluates for objects whose oldest record arrived in `time`'s UTC hour. */
export function archiveHourPrefix(source: HappSource, time: Date): string {
  return `${archiveDayPrefix(source, time)}hour=${pad(time.getUTCHours())}/`;
}

/** What an archive object's key says. */
export interface ArchiveObjectKey {
  readonly source: HappSource;
  /** Start of the UTC hour in the prefix: when the object's oldest record reached Firehose. */
  readonly hour: Date;
  /** Parsed from Firehose's file name when it has the documented shape. */
  readonly file?: {
    readonly streamName: string;
    readonly streamVersion: number;
    /** The time in the file name (UTC, to the second). */
    readonly time: Date;
    readonly uuid: string;
    /** `.gz`, or `''` when the object has no extension. */
    readonly extension: string;
  };
}

const KEY_RE = /^events\/source=([a-z]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/([^/]+)$/;
// <stream>-<version>-<yyyy>-<MM>-<dd>-<HH>-<mm>-<ss>-<uuid><ext>; a stream name may contain '-'.
const FILE_RE =
  /^(.+)-(\d+)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(\.[^/]*)?$/;

function utc(year: string, month: string, day: string, hour: string, minute = '0', second = '0'): Date {
  const date = new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)),
  );
  // Reject 2026-02-31 and hour=24: Date.UTC would roll them over silently.
  if (
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day) ||
    date.getUTCHours() !== Number(hour)
  ) {
    return new Date(NaN);
  }
  return date;
}

/**
 * Parses an object key of the archive layout, or returns undefined for anything else (error
 * output, other prefixes, an unknown source, an impossible date). The file name is parsed when it
 * has Firehose's documented shape; any other name under an hour prefix is still archive data.
 */
export function parseArchiveKey(key: string): ArchiveObjectKey | undefined {
  const m = KEY_RE.exec(key);
  if (!m) return undefined;
  const [, source, year, month, day, hour, name] = m as unknown as string[];
  if (!(HAPP_SOURCES as readonly string[]).includes(source)) return undefined;
  const start = utc(year, month, day, hour);
  if (Number.isNaN(start.getTime())) return undefined;
  const f = FILE_RE.exec(name);
  const fileTime = f ? utc(f[3], f[4], f[5], f[6], f[7], f[8]) : undefined;
  return {
    source: source as HappSource,
    hour: start,
    ...(f && fileTime && !Number.isNaN(fileTime.getTime())
      ? {
          file: {
            streamName: f[1],
            streamVersion: Number(f[2]),
            time: fileTime,
            uuid: f[9].toLowerCase(),
            extension: f[10] ?? '',
          },
        }
      : {}),
  };
}

/** The parts of a key as Firehose names an object (see `archiveObjectKey`). */
export interface ArchiveObjectKeyParts {
  readonly source: HappSource;
  /** Arrival time of the object's oldest record: decides the hour prefix. */
  readonly oldestArrival: Date;
  readonly streamName: string;
  /** @default 1 */
  readonly streamVersion?: number;
  /** The time in the file name. @default oldestArrival */
  readonly fileTime?: Date;
  readonly uuid: string;
  /** @default '.gz' */
  readonly extension?: string;
}

/** The key Firehose gives an object: `<hour prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>`. */
export function archiveObjectKey(parts: ArchiveObjectKeyParts): string {
  const t = parts.fileTime ?? parts.oldestArrival;
  const stamp =
    `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}-` +
    `${pad(t.getUTCHours())}-${pad(t.getUTCMinutes())}-${pad(t.getUTCSeconds())}`;
  return (
    `${archiveHourPrefix(parts.source, parts.oldestArrival)}${parts.streamName}-` +
    `${parts.streamVersion ?? 1}-${stamp}-${parts.uuid}${parts.extension ?? ARCHIVE_GZIP_EXTENSION}`
  );
}

/**
 * Carried by an envelope that `happ-webhooks replay` sent to a subscriber's queue (never by one the
 * verifier published). The runtime helper keys such an envelope by its `idempotencyKey` plus `id`,
 * so it runs again even though the original was handled, and once per replay id.
 */
export interface ReplayMarker {
  /** Names the replay: every event sent under one id runs at most once per subscriber. */
  readonly id: string;
  /** ISO-8601 time the replay sent this envelope. */
  readonly at: string;
}

/** A replay id: 1–64 characters, letters, digits and `._:-`, starting with a letter or digit. */
export const REPLAY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
