/**
 * `happ-webhooks events [stack]`: lists archived events by time range, source, type and payload text,
 * as a table or NDJSON (one archived envelope per line, for jq or `replay --ids`). Reads the archive
 * bucket directly (bin/cli/archive.ts); progress goes to stderr.
 */
import { s3Client, type AwsOptions } from './aws';
import {
  resolveArchiveBucket,
  scanArchive,
  selectionFrom,
  type ScanStats,
  type SelectionFlags,
} from './archive';
import { startProgress, type Io } from './io';

export interface EventsOptions extends AwsOptions, SelectionFlags {
  readonly bucket?: string;
  readonly ndjson?: boolean;
  /** Print at most this many (the newest are cut). */
  readonly limit?: number;
}

/** `events` looks back this far when neither --since nor --ids is given. */
export const DEFAULT_EVENTS_SINCE = '1d';

export function describeScan(stats: ScanStats): string {
  const kb = stats.bytes < 10_240 ? `${stats.bytes} B` : `${(stats.bytes / 1_048_576).toFixed(1)} MiB`;
  const extra = [
    stats.repeats ? `${stats.repeats} repeated record${stats.repeats === 1 ? '' : 's'} dropped` : '',
    stats.unreadable ? `${stats.unreadable} unreadable record${stats.unreadable === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return (
    `${stats.matched} event${stats.matched === 1 ? '' : 's'} matched of ${stats.records} in ${stats.read} object${stats.read === 1 ? '' : 's'} (${kb})` +
    (extra.length ? ` · ${extra.join(' · ')}` : '')
  );
}

export async function events(stack: string | undefined, options: EventsOptions, io: Io): Promise<number> {
  const selection = selectionFrom(options, new Date(), DEFAULT_EVENTS_SINCE);
  const bucket = await resolveArchiveBucket(stack, options, io);
  const s3 = s3Client(options, io.env);
  const progress = startProgress(io, `listing s3://${bucket}`, { json: options.ndjson });
  try {
    const { events: found, stats } = await scanArchive(s3, bucket, selection, {
      onProgress: (s) => progress.update(`reading ${s.read}/${s.objects} objects · ${s.matched} matched`),
    });
    progress.stop();
    const shown = options.limit !== undefined ? found.slice(0, options.limit) : found;
    if (options.ndjson) {
      for (const e of shown) io.out(`${JSON.stringify(e.envelope)}\n`);
    } else {
      printTable(shown, io);
    }
    const cut = shown.length < found.length ? ` (first ${shown.length} shown: raise --limit)` : '';
    const range = `${selection.since?.toISOString() ?? 'the start of the archive'} → ${selection.until.toISOString()}`;
    io.err(`${io.colors.dim(`${describeScan(stats)}${cut}; accepted ${range}, s3://${bucket}`)}\n`);
    return 0;
  } catch (error) {
    progress.stop();
    throw error;
  } finally {
    s3.destroy();
  }
}

function preview(e: { envelope: import('../../lambda/shared/envelope').HappEnvelope }): string {
  const env = e.envelope;
  if ('payloadLocation' in env) return `(claim-checked, ${env.payloadLocation.size} bytes)`;
  const text = typeof env.payload === 'string' ? env.payload : JSON.stringify(env.payload);
  const flat = (text ?? '').replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

function printTable(
  found: { envelope: import('../../lambda/shared/envelope').HappEnvelope }[],
  io: Io,
): void {
  const pc = io.colors;
  if (found.length === 0) {
    io.out('No archived events match.\n');
    return;
  }
  const rows = found.map((e) => [
    e.envelope.receivedAt,
    e.envelope.source,
    e.envelope.type,
    e.envelope.id,
    preview(e),
  ]);
  const header = ['ACCEPTED', 'SOURCE', 'TYPE', 'ID', 'PAYLOAD'];
  const widths = header.map((h, i) => (i === 4 ? 0 : Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  io.out(`${pc.bold(line(header))}\n`);
  for (const r of rows) io.out(`${line(r)}\n`);
}
