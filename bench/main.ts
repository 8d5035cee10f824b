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
  cost?: CostResults & Dated;
  [section: string]: unknown;
}

/** `root` is the repository root (bench/run.mjs passes it). */
export async function main(argv: readonly string[], root: string): Promise<void> {
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
