/**
 * `happ-webhooks replay [stack] --subscriber NAME`: sends a selection of archived events to ONE
 * subscriber's queue (never the topic, so the other subscribers are untouched), each marked
 * `replay: { id, at }`, at a bounded rate, with a dry run, progress and a summary.
 *
 * Guarantees, and what gives them:
 * - The runtime helper keys a replayed envelope by `<idempotencyKey>#replay#<replay id>`
 *   (lambda/runtime/replay.ts): it runs although the original was handled, and once per replay id
 *   per subscriber, however often it is sent under that id.
 * - The replay id defaults to a hash of the target queue and the selection flags as typed, so the
 *   same command run twice is the same replay: its second run is refused by the local checkpoint,
 *   and from another machine (no checkpoint) every event it sends is skipped by the helper.
 * - A checkpoint file per replay id (`~/.happ-webhooks/replays/<id>.json`) records the resolved
 *   selection and every event id SQS accepted, written after each batch. An interrupted replay
 *   (Ctrl-C, a crash, a network failure) resumes where it stopped when run again; a batch SQS took
 *   but whose answer was lost is sent again and skipped by the helper.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { REPLAY_ID_PATTERN, type ReplayMarker } from '../../lambda/shared/archive';
import { MESSAGE_ATTRIBUTES, type HappEnvelope, type HappSource } from '../../lambda/shared/envelope';
import { cloudFormationClient, s3Client, type AwsOptions } from './aws';
import {
  resolveArchiveBucket,
  scanArchive,
  selectionFrom,
  type ArchiveSelection,
  type SelectionFlags,
} from './archive';
import { CliError, describeAwsError } from './errors';
import { describeScan } from './events';
import { printJson, startProgress, type Io } from './io';
import { describeQueue, resolveQueues, sqsClientFor, type QueueInfo } from './queues';

export interface ReplayOptions extends AwsOptions, SelectionFlags {
  readonly subscriber?: string;
  readonly to?: string;
  readonly bucket?: string;
  readonly rate?: number;
  readonly dryRun?: boolean;
  readonly replayId?: string;
  readonly checkpointDir?: string;
  readonly json?: boolean;
}

/** Messages per second when --rate is not given. */
export const DEFAULT_REPLAY_RATE = 50;
/** SQS's limit for one SendMessageBatch request (entries and total bytes). */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 256 * 1024;

/** What the checkpoint file of a replay holds. */
export interface ReplayCheckpoint {
  readonly version: 1;
  readonly replayId: string;
  readonly queue: { readonly url: string; readonly arn: string };
  readonly bucket: string;
  /** The selection as resolved on the first run (a resumed run reuses it, not the clock). */
  readonly selection: {
    readonly since?: string;
    readonly until: string;
    readonly sources: readonly HappSource[];
    readonly type?: string;
    readonly grep?: string;
    readonly ids?: readonly string[];
  };
  readonly startedAt: string;
  /** Envelope ids SQS accepted, in order. */
  sent: string[];
  completedAt?: string;
}

export function defaultCheckpointDir(env: NodeJS.ProcessEnv): string {
  return env.HAPP_WEBHOOKS_REPLAY_DIR || join(homedir(), '.happ-webhooks', 'replays');
}

/** The replay id of a command: a hash of the target queue and the selection flags as typed. */
export function defaultReplayId(queueArn: string, flags: SelectionFlags): string {
  const material = JSON.stringify([
    queueArn,
    flags.since ?? null,
    flags.until ?? null,
    flags.source ?? null,
    flags.type ?? null,
    flags.grep ?? null,
    flags.ids ?? null,
  ]);
  return `replay-${createHash('sha256').update(material).digest('hex').slice(0, 16)}`;
}

function readCheckpoint(path: string): ReplayCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the replay checkpoint ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as ReplayCheckpoint;
    if (parsed.version !== 1 || !Array.isArray(parsed.sent)) throw new Error('unknown format');
    return parsed;
  } catch (error) {
    throw new CliError(
      `the replay checkpoint ${path} is damaged (${(error as Error).message}): move it away to start over`,
    );
  }
}

function writeCheckpoint(path: string, checkpoint: ReplayCheckpoint): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(tmp, path); // atomic: an interruption leaves the old or the new file, never half of one
}

function selectionFromCheckpoint(c: ReplayCheckpoint): ArchiveSelection {
  return {
    since: c.selection.since ? new Date(c.selection.since) : undefined,
    until: new Date(c.selection.until),
    sources: c.selection.sources,
    type: c.selection.type,
    grep: c.selection.grep,
    ids: c.selection.ids ? new Set(c.selection.ids) : undefined,
  };
}

/** The queue the replay goes to: `--to`, or the queue of `--subscriber` in the stack. */
async function targetQueue(stack: string | undefined, options: ReplayOptions, io: Io): Promise<QueueInfo> {
  if (options.to) {
    const sqs = sqsClientFor(options.to, options, io);
    try {
      const found = await resolveQueues(options.to, { ...options, subscriber: undefined }, io, sqs);
      if (found.length !== 1) throw new CliError(`--to ${options.to} must name one queue`);
      return found[0]!;
    } finally {
      sqs.destroy();
    }
  }
  if (!stack || !options.subscriber) {
    throw new CliError(
      'name the subscriber to replay to: happ-webhooks replay MyStack --subscriber NAME (or --to QUEUE)',
    );
  }
  return subscriberQueue(stack, options.subscriber, options, io);
}

const DLQ_RE = /dlq|dead.?letter/i;
const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A subscriber's queue in a stack: the AWS::SQS::Queue (not a DLQ) whose logical id names it. */
export async function subscriberQueue(
  stack: string,
  subscriber: string,
  options: AwsOptions,
  io: Io,
): Promise<QueueInfo> {
  const cfn = cloudFormationClient(options, io.env);
  const { paginateListStackResources } =
    require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  const queues: { label: string; url: string }[] = [];
  try {
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: stack })) {
      for (const r of page.StackResourceSummaries ?? []) {
        if (
          r.ResourceType === 'AWS::SQS::Queue' &&
          r.PhysicalResourceId &&
          !DLQ_RE.test(r.LogicalResourceId ?? '')
        ) {
          queues.push({ label: r.LogicalResourceId ?? r.PhysicalResourceId, url: r.PhysicalResourceId });
        }
      }
    }
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? '')) {
      throw new CliError(`no CloudFormation stack named "${stack}" (check the name and --region)`);
    }
    throw describeAwsError(error, `listing the resources of stack ${stack}`);
  } finally {
    cfn.destroy();
  }
  const wanted = normalise(subscriber);
  let matches = queues.filter((q) => normalise(q.label).includes(wanted));
  // `Crm` also matches `CrmSyncQueue…`: prefer the queue whose id has `<name>Queue` exactly.
  if (matches.length > 1) {
    const exact = matches.filter((q) => normalise(q.label).includes(`${wanted}queue`));
    if (exact.length === 1) matches = exact;
  }
  if (matches.length !== 1) {
    throw new CliError(
      `stack ${stack} has ${matches.length === 0 ? 'no subscriber queue' : `${matches.length} subscriber queues`} for "${subscriber}"; its queues: ${queues.map((q) => q.label).join(', ') || 'none'} (or name one with --to QUEUE)`,
    );
  }
  const sqs = sqsClientFor(matches[0]!.url, options, io);
  try {
    return await describeQueue(sqs, matches[0]!.url, matches[0]!.label);
  } finally {
    sqs.destroy();
  }
}

function batches(
  envelopes: HappEnvelope[],
  marker: ReplayMarker,
): { envelope: HappEnvelope; body: string }[][] {
  const out: { envelope: HappEnvelope; body: string }[][] = [];
  let current: { envelope: HappEnvelope; body: string }[] = [];
  let bytes = 0;
  for (const envelope of envelopes) {
    const body = JSON.stringify({ ...envelope, replay: marker });
    const size = Buffer.byteLength(body) + 64; // + the two message attributes
    if (current.length === BATCH_ENTRIES || (current.length > 0 && bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ envelope, body });
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

export async function replay(stack: string | undefined, options: ReplayOptions, io: Io): Promise<number> {
  if (options.replayId !== undefined && !REPLAY_ID_PATTERN.test(options.replayId)) {
    throw new CliError(
      `--replay-id must be 1-64 letters, digits or ._:- starting with a letter or digit (given "${options.replayId}")`,
    );
  }
  if (!options.since && !options.ids) {
    throw new CliError('say what to replay: --since (e.g. 3d, or an ISO time) and/or --ids ID,ID,...');
  }
  const now = new Date();
  const freshSelection = selectionFrom(options, now, undefined);
  const progress = startProgress(io, 'finding the subscriber queue', options);
  let sqs: SQSClient | undefined;
  let stopRequested = false;
  const onSigint = () => {
    stopRequested = true;
    io.err('\nstopping after this batch (Ctrl-C again to abort at once)…\n');
    process.once('SIGINT', () => process.exit(130));
  };
  try {
    const queue = await targetQueue(stack, options, io);
    const replayId = options.replayId ?? defaultReplayId(queue.arn, options);
    const dir = options.checkpointDir ?? defaultCheckpointDir(io.env);
    const checkpointPath = join(dir, `${replayId}.json`);
    const previous = readCheckpoint(checkpointPath);
    if (previous && previous.queue.arn !== queue.arn) {
      throw new CliError(
        `replay ${replayId} was started towards ${previous.queue.arn}, not ${queue.arn}: pass another --replay-id`,
      );
    }
    if (previous?.completedAt) {
      progress.stop();
      const message = `replay ${replayId} already completed at ${previous.completedAt} (${previous.sent.length} events to ${queue.name}): nothing sent. To replay again, pass a new --replay-id.`;
      if (options.json) {
        printJson(io, {
          replayId,
          status: 'ALREADY_COMPLETED',
          queue: { url: queue.url, arn: queue.arn },
          sent: 0,
          previouslySent: previous.sent.length,
          checkpoint: checkpointPath,
        });
      } else io.err(`${io.colors.yellow(message)}\n`);
      return 0;
    }
    const bucket = previous?.bucket ?? (await resolveArchiveBucket(stack, options, io));
    const selection = previous ? selectionFromCheckpoint(previous) : freshSelection;

    progress.update(`listing s3://${bucket}`);
    const s3 = s3Client(options, io.env);
    let found;
    try {
      found = await scanArchive(s3, bucket, selection, {
        onProgress: (s) => progress.update(`reading ${s.read}/${s.objects} objects · ${s.matched} matched`),
      });
    } finally {
      s3.destroy();
    }
    const alreadySent = new Set(previous?.sent ?? []);
    const todo = found.events.map((e) => e.envelope).filter((e) => !alreadySent.has(e.id));
    const rate = options.rate ?? DEFAULT_REPLAY_RATE;
    const plan = {
      replayId,
      queue: { url: queue.url, arn: queue.arn, name: queue.name, label: queue.label },
      bucket,
      selection: {
        since: selection.since?.toISOString(),
        until: selection.until.toISOString(),
        sources: selection.sources,
        type: selection.type,
        grep: selection.grep,
        ids: selection.ids ? [...selection.ids] : undefined,
      },
      matched: found.events.length,
      previouslySent: alreadySent.size,
      toSend: todo.length,
      rate,
      checkpoint: checkpointPath,
    };
    progress.stop();
    io.err(`${io.colors.dim(describeScan(found.stats))}\n`);

    if (options.dryRun) {
      const byType = new Map<string, number>();
      for (const e of todo) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      if (options.json) {
        printJson(io, { ...plan, dryRun: true, status: 'DRY_RUN', byType: Object.fromEntries(byType) });
      } else {
        io.out(
          `Would replay ${todo.length} event${todo.length === 1 ? '' : 's'} to ${queue.name} as replay ${replayId}, at most ${rate}/s` +
            (alreadySent.size ? ` (${alreadySent.size} already sent before the interruption)` : '') +
            '.\n',
        );
        for (const [type, n] of [...byType].sort()) io.out(`  ${String(n).padStart(6)}  ${type}\n`);
        if (todo.length) {
          io.out(
            `  first ${todo[0]!.receivedAt} ${todo[0]!.id}\n  last  ${todo[todo.length - 1]!.receivedAt} ${todo[todo.length - 1]!.id}\n`,
          );
        }
        io.out(`${io.colors.dim('Dry run: nothing was sent.')}\n`);
      }
      return 0;
    }

    mkdirSync(dir, { recursive: true });
    const checkpoint: ReplayCheckpoint = previous ?? {
      version: 1,
      replayId,
      queue: { url: queue.url, arn: queue.arn },
      bucket,
      selection: plan.selection,
      startedAt: now.toISOString(),
      sent: [],
    };
    writeCheckpoint(checkpointPath, checkpoint);
    if (!options.json) {
      io.err(
        io.colors.dim(
          `${previous ? 'Resuming' : 'Starting'} replay ${replayId}: ${todo.length} event(s) to ${queue.name}, at most ${rate}/s. Ctrl-C stops after the current batch; run the same command to resume.\n`,
        ),
      );
    }

    const marker: ReplayMarker = { id: replayId, at: new Date().toISOString() };
    sqs = sqsClientFor(queue.url, options, io);
    const { SendMessageBatchCommand } =
      require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    const sending = startProgress(io, 'replaying…', options);
    process.on('SIGINT', onSigint);
    const started = Date.now();
    let sent = 0;
    const failed: { id: string; reason: string }[] = [];
    let interrupted = false;
    for (const batch of batches(todo, marker)) {
      if (stopRequested) {
        interrupted = true;
        break;
      }
      const entries: SendMessageBatchRequestEntry[] = batch.map((b, i) => ({
        Id: String(i),
        MessageBody: b.body,
        MessageAttributes: {
          [MESSAGE_ATTRIBUTES.SOURCE]: { DataType: 'String', StringValue: b.envelope.source },
          [MESSAGE_ATTRIBUTES.TYPE]: { DataType: 'String', StringValue: b.envelope.type },
        },
      }));
      let result;
      try {
        result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
      } catch (error) {
        sending.stop();
        writeCheckpoint(checkpointPath, checkpoint);
        const e = describeAwsError(error, `sending to ${queue.name}`);
        throw new CliError(
          `${e.message}. Replay ${replayId} stopped after ${sent} event(s) this run (${checkpoint.sent.length} in all); run the same command to resume`,
          1,
          { cause: error },
        );
      }
      for (const ok of result.Successful ?? []) checkpoint.sent.push(batch[Number(ok.Id)]!.envelope.id);
      sent += result.Successful?.length ?? 0;
      for (const f of result.Failed ?? []) {
        failed.push({ id: batch[Number(f.Id)]!.envelope.id, reason: `${f.Code}: ${f.Message ?? ''}` });
      }
      writeCheckpoint(checkpointPath, checkpoint);
      sending.update(`replayed ${sent}/${todo.length}`);
      // Pace to at most `rate` messages per second since the start.
      const due = started + (sent / rate) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    sending.stop();
    const complete = !interrupted && failed.length === 0;
    if (complete) {
      checkpoint.completedAt = new Date().toISOString();
      writeCheckpoint(checkpointPath, checkpoint);
    }
    const seconds = (Date.now() - started) / 1000;
    const status = interrupted ? 'INTERRUPTED' : failed.length ? 'INCOMPLETE' : 'COMPLETED';
    if (options.json) {
      printJson(io, {
        ...plan,
        status,
        sent,
        failed,
        seconds: Number(seconds.toFixed(3)),
        totalSent: checkpoint.sent.length,
      });
    } else {
      const pc = io.colors;
      const head = `${complete ? pc.green('✔') : pc.yellow('!')} replayed ${sent} event${sent === 1 ? '' : 's'} to ${queue.name} as replay ${replayId} in ${seconds.toFixed(1)} s`;
      io.out(`${head}${alreadySent.size ? ` (${alreadySent.size} sent before the interruption)` : ''}\n`);
      for (const f of failed.slice(0, 10)) io.err(`${pc.red('failed')} ${f.id}: ${f.reason}\n`);
      if (!complete)
        io.err(
          `${pc.yellow(`Replay ${replayId} is ${status.toLowerCase()}: run the same command to resume.`)}\n`,
        );
    }
    return interrupted ? 130 : failed.length ? 1 : 0;
  } catch (error) {
    progress.stop();
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
    sqs?.destroy();
  }
}
