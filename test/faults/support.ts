// The fault matrix harness: one Happ delivery through the BUNDLED verifier (a fresh child process per
// case, killed at the function timeout as Lambda would), with one dependency misbehaving behind a
// fault-injecting proxy on a real socket; then Happ's retries after recovery; then the copies that
// reached the topic handed, one SQS batch each, to a `happHandler` subscriber (the bundled example
// subscriber, in its own child process) to count how often the user's function runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyResult, SQSEvent } from 'aws-lambda';
import type { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { FaultProxy, type FaultRule } from '../support/fault-proxy';
import { BundleContainer } from '../lambda/verifier/bundle-container';
import * as t from '../lambda/verifier/support';

/** The response budget of the matrix run (the default is 4 s; the outcomes do not depend on it). */
export const BUDGET_MS = 2_000;
/** The function timeout at which a container that has not answered is killed. */
export const TIMEOUT_MS = 5_000;

export const DEPENDENCIES = ['Secrets Manager', 'DynamoDB', 'S3', 'SNS'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];
export const FAULTS = ['hang', 'slow', 'reset', '5xx', 'answer lost', 'killed'] as const;
export type FaultName = (typeof FAULTS)[number];

/** The operation of each dependency that the faults "answer lost" and "killed" hit. */
const WRITE: Record<Dependency, string> = {
  'Secrets Manager': 'GetSecretValue',
  DynamoDB: 'PutItem',
  S3: 'PutObject',
  SNS: 'Publish',
};

const SLOW_MS = BUDGET_MS + 500;

export interface Outcome {
  readonly dependency: Dependency;
  readonly fault: FaultName;
  /** What Happ got for the faulted request: a status, or `killed` when the container died first. */
  readonly status: number | 'killed';
  readonly retryAfter?: string;
  /** Ms from the request to its answer. */
  readonly elapsedMs: number;
  /** The verifier's idempotency record after the faulted request: `none`, `INPROGRESS`, `COMPLETED`. */
  readonly stored: string;
  /** Statuses of Happ's retries after recovery, until one is 2xx. */
  readonly retries: number[];
  /** Envelopes that reached the topic, in all. */
  readonly copies: number;
  /** Times the subscriber's function ran for this delivery. */
  readonly runs: number;
}

function ruleFor(fault: FaultName): { op: 'all' | 'write'; rule: FaultRule } {
  switch (fault) {
    case 'hang':
      return { op: 'all', rule: { fault: 'hang' } };
    case 'slow':
      return { op: 'all', rule: { fault: 'slow', delayMs: SLOW_MS } };
    case 'reset':
      return { op: 'all', rule: { fault: 'reset' } };
    case '5xx':
      return { op: 'all', rule: { fault: 'error' } };
    case 'answer lost':
      return { op: 'write', rule: { fault: 'drop-answer', times: 1 } };
    case 'killed':
      return { op: 'write', rule: { fault: 'apply-hold', times: 1 } };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(10);
  }
  return check();
}

/** The endpoints of the emulators, as the Jest global setup exported them. */
function targets(sm: LocalSecretsManagerServer): Record<Dependency, string> {
  const fauxqs = `http://127.0.0.1:${process.env.HAPP_TEST_FAUXQS_PORT}`;
  return {
    'Secrets Manager': sm.endpoint,
    DynamoDB: process.env.AWS_ENDPOINT_URL_DYNAMODB as string,
    S3: fauxqs,
    SNS: fauxqs,
  };
}

const ENDPOINT_VARIABLE: Record<Dependency, string> = {
  'Secrets Manager': 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  DynamoDB: 'AWS_ENDPOINT_URL_DYNAMODB',
  S3: 'AWS_ENDPOINT_URL_S3',
  SNS: 'AWS_ENDPOINT_URL_SNS',
};

const EXAMPLE_BUNDLE = join(__dirname, '..', '..', 'dist', 'lambda', 'example', 'index.js');
const RUN_BUNDLE = join(__dirname, '..', 'lambda', 'runtime', 'run-bundle.cjs');

/** Runs the bundled subscriber once per batch; returns how many events its function handled. */
export async function runSubscriber(table: string, batches: SQSEvent[]): Promise<number> {
  if (batches.length === 0) return 0;
  const dir = mkdtempSync(join(tmpdir(), 'happ-matrix-'));
  const file = join(dir, 'events.json');
  writeFileSync(file, JSON.stringify(batches));
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [RUN_BUNDLE, EXAMPLE_BUNDLE, file],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${process.env.HAPP_TEST_FAUXQS_PORT}`,
          HAPP_TABLE_NAME: table,
          HAPP_SUBSCRIBER_NAME: 'matrix',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
        timeout: 30_000,
      },
      (error, out) => (error ? reject(error) : resolve(out)),
    );
  });
  let handled = 0;
  for (const line of stdout.split('\n')) {
    if (!line.includes('"batch processed"')) continue;
    handled += (JSON.parse(line) as { handled: number }).handled;
  }
  return handled;
}

/** Each copy as its own SQS batch, as separate receives of the queue would hand them over. */
export function asBatches(copies: t.Published[]): SQSEvent[] {
  return copies.map((copy, i) => ({
    Records: [
      {
        messageId: `copy-${i}`,
        receiptHandle: `rh-${i}`,
        body: JSON.stringify(copy.envelope),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'matrix',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:matrix',
        awsRegion: 'us-east-1',
      },
    ],
  }));
}

async function recordState(table: string): Promise<string> {
  const records = await t.records(table);
  if (records.length === 0) return 'none';
  return records.map((r) => String(r.status)).join(',');
}

/** One cell of the matrix, end to end. */
export async function runCase(
  sm: LocalSecretsManagerServer,
  dependency: Dependency,
  fault: FaultName,
): Promise<Outcome> {
  const stack = await t.createStack(sm);
  const endpoints = targets(sm);
  const proxies = {} as Record<Dependency, FaultProxy>;
  for (const dep of DEPENDENCIES) proxies[dep] = await FaultProxy.start(endpoints[dep]);
  const env: Record<string, string> = { POWERTOOLS_LOG_LEVEL: 'SILENT' };
  for (const dep of DEPENDENCIES) env[ENDPOINT_VARIABLE[dep]] = proxies[dep].url;
  const config = {
    ...t.stackConfig(stack),
    responseBudgetMs: BUDGET_MS,
    // S3 is on the path only for claim-checked bodies: make every body one in the S3 rows.
    ...(dependency === 'S3' ? { claimCheckThresholdBytes: 0 } : {}),
  };
  const body = JSON.stringify({
    event: 'call.completed',
    callId: `call-${t.suffix()}`,
    timestamp: new Date().toISOString(),
  });
  const delivery = () => t.signedEvent('call', body, 'call-secret');
  const copies: t.Published[] = [];
  let container = await BundleContainer.start(env);
  try {
    let invoke = await container.createHandler(config);
    const { op, rule } = ruleFor(fault);
    proxies[dependency].inject(op === 'all' ? '*' : WRITE[dependency], rule);

    const started = Date.now();
    let status: number | 'killed';
    let retryAfter: string | undefined;
    const answer = invoke(delivery(), TIMEOUT_MS).then(
      (r: APIGatewayProxyResult) => r,
      () => undefined,
    );
    if (fault === 'killed') {
      // The process dies while the call is in flight (the call itself was applied).
      await until(() => proxies[dependency].count(WRITE[dependency]) > 0, TIMEOUT_MS);
      await until(() => proxies[dependency].seen.some((s) => s.fault === 'apply-hold'), 1_000);
      await sleep(50);
      await container.kill();
    } else {
      const timer = setTimeout(() => void container.kill(), TIMEOUT_MS);
      await answer.finally(() => clearTimeout(timer));
    }
    const result = await answer;
    const elapsedMs = Date.now() - started;
    if (result) {
      status = result.statusCode;
      retryAfter = result.headers?.['retry-after'] as string | undefined;
    } else {
      status = 'killed';
    }
    // What a slow call does late has landed before we look (it was sent by then).
    if (fault === 'slow') await sleep(Math.max(0, started + BUDGET_MS + SLOW_MS + 300 - Date.now()));
    const stored = await recordState(stack.table);
    copies.push(...(await t.drain(stack.queueUrl)));

    // Recovery; Happ retries after the Retry-After / its backoff — at least the claim's lease (= budget).
    for (const dep of DEPENDENCIES) {
      proxies[dep].clear();
      proxies[dep].releaseHung();
    }
    if (status === 'killed') {
      container = await BundleContainer.start(env);
      invoke = await container.createHandler(config);
    }
    const retries: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      await sleep(Math.max(0, started + BUDGET_MS + 200 - Date.now()));
      const retry = await invoke(delivery(), TIMEOUT_MS);
      retries.push(retry.statusCode);
      if (retry.statusCode < 300) break;
      await sleep(500);
    }
    copies.push(...(await t.drain(stack.queueUrl)));
    const runs = await runSubscriber(stack.table, asBatches(copies));
    return {
      dependency,
      fault,
      status,
      retryAfter,
      elapsedMs,
      stored,
      retries,
      copies: copies.length,
      runs,
    };
  } finally {
    await container.stop().catch(() => undefined);
    for (const dep of DEPENDENCIES) await proxies[dep].stop();
  }
}

/** Runs `work` over `items` with at most `limit` at a time, results in order. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  });
  await Promise.all(lanes);
  return results;
}

const FAULT_TEXT: Record<FaultName, string> = {
  hang: 'hangs (never answers)',
  slow: `slow: does the work ${SLOW_MS / 1000} s late`,
  reset: 'resets the connection',
  '5xx': 'answers 500',
  'answer lost': 'applies the call, answer lost',
  killed: 'process killed mid-call (call applied)',
};

function when(outcome: Outcome): string {
  if (outcome.status === 'killed') return '—';
  return outcome.elapsedMs < BUDGET_MS / 2 ? 'at once' : 'at the budget';
}

function happGets(outcome: Outcome): string {
  if (outcome.status === 'killed') return 'no answer (API Gateway 502)';
  return outcome.retryAfter ? `${outcome.status}, Retry-After ${outcome.retryAfter}` : String(outcome.status);
}

function storedText(stored: string): string {
  if (stored === 'none') return 'nothing';
  if (stored === 'INPROGRESS') return 'claim in progress until its lease (= budget) ends';
  if (stored === 'COMPLETED') return 'completed';
  return stored;
}

/** The README's "Delivery guarantees" table, from the outcomes. */
export function renderMatrix(outcomes: Outcome[]): string {
  const lines = [
    "| dependency | fault | Happ gets | answered | stored after it | Happ's retry | copies on the topic | user function runs |",
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const o of outcomes) {
    lines.push(
      `| ${o.dependency} | ${FAULT_TEXT[o.fault]} | ${happGets(o)} | ${when(o)} | ${storedText(o.stored)} | ${o.retries.join(', ')} | ${o.copies} | ${o.runs} |`,
    );
  }
  return lines.join('\n');
}
