/**
 * `npm run bench`: runs every benchmark, prints one table per benchmark and writes
 * bench/results.json (date, machine, every figure). Flags: --only a,b (sections), --quick (fewer
 * rounds, for trying the harness; do not publish its numbers).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, machineInfo, type MachineInfo } from './machine';
import { table } from './report';
import { benchSignature, type SignatureResults } from './signature.bench';
import { parseArgs } from './args';
import { benchHandler, type HandlerResults } from './handler.bench';
import { benchCost, printCost, type CostResults, type MeasuredForCost } from './cost.bench';

/** Every section records when it was measured (a partial run keeps older sections). */
export interface Dated {
  measuredAt: string;
}

export interface BenchResults {
  date: string;
  machine: MachineInfo;
  quick: boolean;
  durationSeconds: number;
  signature?: SignatureResults & Dated;
  handler?: (HandlerResults | { skipped: string }) & Dated;
  cost?: CostResults & Dated;
  [section: string]: unknown;
}

/** `root` is the repository root (bench/run.mjs passes it). */
export async function main(argv: readonly string[], root: string, tmpDir: string): Promise<void> {
  const { only, quick } = parseArgs(argv);
  const RESULTS_FILE = join(root, 'bench', 'results.json');
  const started = performance.now();
  const machine = machineInfo();
  // Sections not run this time keep their previous figures (with their own date).
  const previous: Partial<BenchResults> = existsSync(RESULTS_FILE)
    ? JSON.parse(readFileSync(RESULTS_FILE, 'utf8'))
    : {};
  const results: BenchResults = {
    ...previous,
    date: new Date().toISOString(),
    machine,
    quick,
    durationSeconds: 0,
  };
  console.log(
    `cdk-happ-webhooks benchmarks — ${results.date}\n${describeMachine(machine)}${quick ? ' — QUICK' : ''}`,
  );

  if (only.includes('signature')) {
    const sig = await benchSignature({ quick });
    results.signature = { measuredAt: new Date().toISOString(), ...sig };
    printSignature(sig);
  }

  if (only.includes('handler')) {
    const handler = await benchHandler(root, tmpDir, { quick });
    results.handler = { measuredAt: new Date().toISOString(), ...handler };
    printHandler(handler);
  }

  if (only.includes('cost')) {
    // Runs last: it prices the durations and log volumes the other sections measured.
    const cost = benchCost(results as MeasuredForCost);
    results.cost = { measuredAt: new Date().toISOString(), ...cost };
    printCost(cost);
  }

  results.durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_FILE} (${results.durationSeconds} s)`);
}

function printSignature(sig: SignatureResults): void {
  const names = Object.keys(sig.sizes[0].tasks);
  console.log(
    table(
      `1. Verification hot path — ops/s (median of ${sig.rounds} rounds); ratio = ours / other`,
      ['body', ...names, 'ours/bare', 'ours/standardwebhooks', 'ours/svix'],
      sig.sizes.map((s) => [
        `${s.bytes / 1024} KiB`,
        ...names.map((n) => s.tasks[n].opsPerSec),
        s.oursVsBare,
        s.oursVsStandardwebhooks,
        s.oursVsSvix,
      ]),
    ),
  );
  console.log(
    table(
      '   mean latency per verification (µs)',
      ['body', ...names],
      sig.sizes.map((s) => [`${s.bytes / 1024} KiB`, ...names.map((n) => s.tasks[n].meanMicros)]),
    ),
  );
}

function printHandler(h: HandlerResults | { skipped: string }): void {
  if ('skipped' in h) {
    console.log(`\n2. Whole handler: skipped — ${h.skipped}`);
    return;
  }
  console.log(
    table(
      `2. Whole handler, warm (bundled verifier, emulators in a child process; first request ${h.firstRequestMs} ms) — ms`,
      [
        'scenario',
        'n',
        'p50',
        'p95',
        'p99',
        'req/s',
        'AWS wait p50',
        'ours p50',
        'ours p95',
        'ours p99',
        'ours share',
        'CPU ms/req',
        'AWS calls',
        'log B/req',
      ],
      h.scenarios.map((s) => [
        s.name,
        s.requests,
        s.totalMs.p50,
        s.totalMs.p95,
        s.totalMs.p99,
        s.requestsPerSecond,
        s.awsWaitMs.p50,
        s.oursMs.p50,
        s.oursMs.p95,
        s.oursMs.p99,
        `${Math.round(s.oursShare * 100)}%`,
        s.cpuMsPerRequest,
        Object.entries(s.awsCallsPerRequest)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        s.logBytesPerRequest,
      ]),
    ),
  );
}
