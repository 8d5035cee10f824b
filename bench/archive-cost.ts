/**
 * What the archive (`archive` prop: SNS → Data Firehose → S3) costs: per million archived events, and
 * per GB-month kept. Pure functions plus a dated price table (us-east-1, on-demand, first tier, free
 * tiers ignored), in the same shape as bench/cost-model.ts. README "Archive and replay" quotes it.
 *
 * Per event, the archive pays for: one SNS delivery to Firehose; Firehose ingestion of the record,
 * metered per record in 5 KB increments (a 421-byte envelope bills as 5 KB); and its share of the S3
 * PUTs Firehose makes (one object per stream per buffer interval, or per 5 MiB of compressed data when
 * traffic is heavy). Storage is the GZIP-compressed objects for the retention period.
 */
import type { Price } from './cost-model';

/** Prices in USD, us-east-1. Compiled 2026-12-02. */
export const ARCHIVE_PRICES = {
  snsToFirehosePerMillion: {
    usd: 0.19,
    per: '1M SNS notification deliveries to Amazon Data Firehose',
    source: 'https://aws.amazon.com/sns/pricing/',
    asOf: '2026-12-02',
    verified: false,
    note: 'not in the stored corpus; the data-transfer part of this row is not modelled (same region)',
  },
  firehoseIngestionPerGb: {
    usd: 0.029,
    per: 'GB ingested, Direct PUT (first 500 TB/month), each record rounded up to a multiple of 5 KB',
    source: 'https://aws.amazon.com/kinesis/data-firehose/pricing/',
    asOf: '2026-12-02',
    verified: false,
    note: "the 5 KB rounding is on AWS's own page (stored German copy: '5-KB-Schritten', a 3 KB record bills as 5 KB); the rate is not in the stored copy",
  },
  s3PutPerThousand: {
    usd: 0.005,
    per: '1,000 S3 Standard PUT requests',
    source: 'https://aws.amazon.com/s3/pricing/',
    asOf: '2026-12-02',
    verified: false,
  },
  s3StoragePerGbMonth: {
    usd: 0.023,
    per: 'GB-month, S3 Standard (first 50 TB)',
    source: 'https://aws.amazon.com/s3/pricing/',
    asOf: '2026-12-02',
    verified: false,
  },
  s3GetPerThousand: {
    usd: 0.0004,
    per: '1,000 S3 Standard GET requests (what `happ-webhooks events` / `replay` read)',
    source: 'https://aws.amazon.com/s3/pricing/',
    asOf: '2026-12-02',
    verified: false,
  },
} as const satisfies Record<string, Price>;

/** Firehose meters each record in 5 KB (5,120-byte) increments. */
export const FIREHOSE_BILLING_INCREMENT_BYTES = 5 * 1024;
/** Firehose's S3 buffer size as the construct configures it. */
export const ARCHIVE_BUFFER_BYTES = 5 * 1024 * 1024;
const GB = 1024 ** 3;
const MONTH_SECONDS = 30 * 24 * 3600;

export interface ArchiveCostInputs {
  /** Archived events per month (every accepted delivery). */
  readonly eventsPerMonth: number;
  /** Bytes of one envelope as SNS hands it to Firehose (raw delivery: the message body). */
  readonly envelopeBytes: number;
  /** Uncompressed ÷ GZIP-compressed size of the objects. */
  readonly compressionRatio: number;
  /** The archive's `bufferingInterval` in seconds. */
  readonly bufferIntervalSeconds: number;
  /** Delivery streams (one per archived source). */
  readonly streams: number;
  /** The archive's `retention` in days. */
  readonly retentionDays: number;
}

/**
 * Defaults: Happ's published `call.completed` sample in an envelope is 421 bytes; GZIP shrank 2,000
 * such envelopes 5.0–5.3× (measured here; `test/bench/archive-cost.test.ts` re-measures it), and the
 * model uses 4.5 to err towards more storage; 5-minute
 * buffer, two sources, 90 days — the construct's defaults.
 */
export const DEFAULT_ARCHIVE_INPUTS: ArchiveCostInputs = {
  eventsPerMonth: 1_000_000,
  envelopeBytes: 421,
  compressionRatio: 4.5,
  bufferIntervalSeconds: 300,
  streams: 2,
  retentionDays: 90,
};

export interface ArchiveCostLine {
  readonly item: string;
  readonly usd: number;
}

export interface ArchiveCost {
  /** What a month of this traffic costs to archive (excluding storage). */
  readonly ingestLines: ArchiveCostLine[];
  /** Ingestion per million events (SNS + Firehose + S3 PUTs). */
  readonly perMillionEvents: number;
  /** GB stored per million events (compressed). */
  readonly gbPerMillionEvents: number;
  /** Storage price per GB-month. */
  readonly perGbMonth: number;
  /** Storage cost per month once the archive holds `retentionDays` of traffic (steady state). */
  readonly steadyStorageMonthly: number;
  /** Objects written per month. */
  readonly objectsPerMonth: number;
  /** Ingestion + steady-state storage, per month. */
  readonly monthly: number;
}

/** Bytes Firehose bills for one record of `bytes`. */
export function firehoseBilledBytes(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / FIREHOSE_BILLING_INCREMENT_BYTES)) * FIREHOSE_BILLING_INCREMENT_BYTES;
}

function check(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number >= ${min} (given ${value})`);
}

export function archiveCost(
  inputs: Partial<ArchiveCostInputs> = {},
  prices: typeof ARCHIVE_PRICES = ARCHIVE_PRICES,
): ArchiveCost {
  const i = { ...DEFAULT_ARCHIVE_INPUTS, ...inputs };
  check('eventsPerMonth', i.eventsPerMonth, 0);
  check('envelopeBytes', i.envelopeBytes, 1);
  check('compressionRatio', i.compressionRatio, 1);
  check('bufferIntervalSeconds', i.bufferIntervalSeconds, 0);
  check('streams', i.streams, 1);
  check('retentionDays', i.retentionDays, 1);

  const events = i.eventsPerMonth;
  const sns = (events / 1e6) * prices.snsToFirehosePerMillion.usd;
  const firehose = ((events * firehoseBilledBytes(i.envelopeBytes)) / GB) * prices.firehoseIngestionPerGb.usd;
  // +1 byte per record: the newline AppendDelimiterToRecord adds (after metering).
  const compressedBytes = (events * (i.envelopeBytes + 1)) / i.compressionRatio;
  // Firehose writes an object when the buffer interval ends or 5 MiB are buffered, whichever is first,
  // and only when it holds records: never more objects than events.
  const byInterval =
    i.bufferIntervalSeconds > 0 ? (i.streams * MONTH_SECONDS) / i.bufferIntervalSeconds : events;
  const bySize = compressedBytes / ARCHIVE_BUFFER_BYTES;
  const objectsPerMonth = Math.min(events, Math.max(byInterval, bySize));
  const puts = (objectsPerMonth / 1000) * prices.s3PutPerThousand.usd;
  const ingestLines = [
    { item: 'SNS deliveries to Firehose', usd: sns },
    {
      item: `Firehose ingestion (${firehoseBilledBytes(i.envelopeBytes)} B billed per record)`,
      usd: firehose,
    },
    { item: `S3 PUTs (${Math.round(objectsPerMonth)} objects)`, usd: puts },
  ];
  const ingest = sns + firehose + puts;
  const gbPerMonth = compressedBytes / GB;
  const steadyStorageMonthly = gbPerMonth * (i.retentionDays / 30) * prices.s3StoragePerGbMonth.usd;
  return {
    ingestLines,
    perMillionEvents: events > 0 ? (ingest / events) * 1e6 : 0,
    gbPerMillionEvents: events > 0 ? (gbPerMonth / events) * 1e6 : 0,
    perGbMonth: prices.s3StoragePerGbMonth.usd,
    steadyStorageMonthly,
    objectsPerMonth,
    monthly: ingest + steadyStorageMonthly,
  };
}
