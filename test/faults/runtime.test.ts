// The subscriber helper under hung dependencies, as the BUNDLED example subscriber in a child process
// that is killed at the function timeout (as Lambda would): its own calls (claim-check GetObject, the
// idempotency table) are bounded by the invocation's remaining time, so a hung dependency fails the
// record it belongs to and the batch answers before the timeout.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { FaultProxy } from '../support/fault-proxy';
import {
  claimChecked,
  createBucket,
  createIdempotencyTable,
  envelope,
  scanTable,
  sqsEvent,
  sqsRecord,
} from '../lambda/runtime/factories';

jest.setTimeout(60_000);

const EXAMPLE_BUNDLE = join(__dirname, '..', '..', 'dist', 'lambda', 'example', 'index.js');
const RUN_BUNDLE = join(__dirname, '..', 'lambda', 'runtime', 'run-bundle.cjs');
/** The invocation's remaining time, and when the container is killed. */
const TIMEOUT_MS = 8_000;

interface Run {
  /** The handler's result, or undefined when the process was killed at the timeout. */
  readonly result?: {
    ok: boolean;
    value?: { batchItemFailures: { itemIdentifier: string }[] };
    error?: string;
  };
  readonly elapsedMs: number;
  readonly logs: Record<string, unknown>[];
}

async function invoke(event: SQSEvent, env: Record<string, string>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'happ-runtime-faults-'));
  const file = join(dir, 'events.json');
  writeFileSync(file, JSON.stringify([event]));
  const started = Date.now();
  const child = spawn(process.execPath, [RUN_BUNDLE, EXAMPLE_BUNDLE, file], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', HAPP_TEST_REMAINING_MS: String(TIMEOUT_MS), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const elapsedMs = Date.now() - started;
  const lines = stdout.split('\n');
  const resultLine = lines.find((l) => l.startsWith('@@result '));
  const logs = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result: resultLine ? JSON.parse(resultLine.slice(9)) : undefined, elapsedMs, logs };
}

let table: string;
let bucket: string;
let s3Proxy: FaultProxy;
let ddbProxy: FaultProxy;
beforeAll(async () => {
  table = await createIdempotencyTable();
  bucket = await createBucket();
  s3Proxy = await FaultProxy.start(`http://127.0.0.1:${process.env.HAPP_TEST_FAUXQS_PORT}`);
  ddbProxy = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_DYNAMODB as string);
});
afterAll(async () => {
  await s3Proxy.stop();
  await ddbProxy.stop();
});
afterEach(() => {
  s3Proxy.clear().releaseHung();
  ddbProxy.clear().releaseHung();
});

const env = (subscriber: string) => ({
  AWS_ENDPOINT_URL_S3: s3Proxy.url,
  AWS_ENDPOINT_URL_DYNAMODB: ddbProxy.url,
  HAPP_TABLE_NAME: table,
  HAPP_SUBSCRIBER_NAME: subscriber,
});

describe('the bundled subscriber helper with a hung dependency', () => {
  it('a hung claim-check fetch fails that record only, answered before the timeout; its claim is released and the retry runs it', async () => {
    const large = await claimChecked(
      bucket,
      Buffer.from(JSON.stringify({ event: 'call.completed', big: 'x'.repeat(1000) })),
    );
    const records = [sqsRecord(envelope()), sqsRecord(large), sqsRecord(envelope())];
    s3Proxy.inject('GetObject', { fault: 'hang' });
    const run = await invoke(sqsEvent(...records), env('hung-s3'));
    expect(run.result).toEqual({
      ok: true,
      value: { batchItemFailures: [{ itemIdentifier: records[1].messageId }] },
    });
    expect(run.elapsedMs).toBeLessThan(TIMEOUT_MS);
    expect(run.logs.find((l) => l.message === 'batch processed')).toMatchObject({ handled: 2, failed: 1 });
    // Released from the reserve: no claim is left in progress for the failed record.
    const items = await scanTable(table);
    const mine = items.filter((i) => String(i.id).startsWith('happ-subscriber#hung-s3#'));
    expect(mine.map((i) => i.status).sort()).toEqual(['COMPLETED', 'COMPLETED']);

    s3Proxy.clear().releaseHung();
    const retry = await invoke(sqsEvent(records[1]), env('hung-s3'));
    expect(retry.result).toEqual({ ok: true, value: { batchItemFailures: [] } });
    expect(retry.logs.find((l) => l.message === 'batch processed')).toMatchObject({ handled: 1 });
  });

  it('a hung idempotency table fails the batch before the timeout (every message stays queued)', async () => {
    ddbProxy.inject('*', { fault: 'hang' });
    const run = await invoke(sqsEvent(sqsRecord(envelope()), sqsRecord(envelope())), env('hung-ddb'));
    expect(run.result?.ok).toBe(false);
    expect(run.result?.error).toMatch(/All records failed processing/);
    expect(run.elapsedMs).toBeLessThan(TIMEOUT_MS);
  });

  it('one hung DynamoDB attempt is abandoned after its attempt timeout and retried: every record handled', async () => {
    const before = ddbProxy.count('PutItem');
    ddbProxy.inject('PutItem', { fault: 'hang', times: 1 });
    const records = [sqsRecord(envelope()), sqsRecord(envelope())];
    const run = await invoke(sqsEvent(...records), env('one-hang'));
    expect(run.result).toEqual({ ok: true, value: { batchItemFailures: [] } });
    expect(run.logs.find((l) => l.message === 'batch processed')).toMatchObject({ handled: 2, failed: 0 });
    // Two claims, one of them tried twice: the hung attempt and its retry.
    expect(ddbProxy.count('PutItem') - before).toBe(3);
  });
});
