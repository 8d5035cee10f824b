/**
 * `npm run bench`: runs every benchmark, prints one table per benchmark and writes
 * bench/results.json (date, machine, every figure). Flags: --only a,b (sections), --quick (fewer
 * rounds, for trying the harness; do not publish its numbers).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { describeMachine, machineInfo, type MachineInfo } from './machine';
import { table } from './report';
import { benchSignature, type SignatureResults } from './signature.bench';
import { parseArgs } from './args';
import { benchColdStart, type ColdStartResults } from './coldstart.bench';
import { benchHandler, type HandlerResults } from './handler.bench';
import { benchSubscriberBundle, type SubscriberBundleResults } from './subscriber-bundle.bench';
import { benchSynth, type SynthResults } from './synth.bench';
import { benchCost, printCost, type CostResults, type MeasuredForCost } from './cost.bench';
import { benchTool, type ToolBenchResults } from './tool.bench';

/** Every section records when it was measured and how busy the machine was (a partial run keeps older sections). */
export interface Dated {
  measuredAt: string;
  /** 1-minute load average when the section started (2 cores here: above 2 means waiting for CPU). */
  loadAverage1m: number;
  /** Measured with --quick (fewer samples; not for publishing). */
  quick: boolean;
}

export interface BenchResults {
  date: string;
  machine: MachineInfo;
  quick: boolean;
  durationSeconds: number;
  signature?: SignatureResults & Dated;
  handler?: (HandlerResults | { skipped: string }) & Dated;
  coldstart?: ColdStartResults & Dated;
  subscriber?: SubscriberBundleResults & Dated;
  synth?: (SynthResults | { skipped: string }) & Dated;
  cost?: CostResults & Dated;
  tool?: ToolBenchResults & Dated;
  [section: string]: unknown;
}

/** `root` is the repository root (bench/run.mjs passes it). */
export async function main(argv: readonly string[], root: string, tmpDir: string): Promise<void> {
  const { only, quick } = parseArgs(argv);
  const stamp = (): Dated => ({
    measuredAt: new Date().toISOString(),
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    quick,
  });
  quietSdkNodeVersionWarning();
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
    const at = stamp();
    const sig = await benchSignature({ quick });
    results.signature = { ...at, ...sig };
    printSignature(sig);
  }

  if (only.includes('handler')) {
    const at = stamp();
    const handler = await benchHandler(root, tmpDir, { quick });
    results.handler = { ...at, ...handler };
    printHandler(handler);
  }

  if (only.includes('coldstart')) {
    const at = stamp();
    const cold = await benchColdStart(root, tmpDir, verifierEnvironment(), { quick });
    results.coldstart = { ...at, ...cold };
    printColdStart(cold);
  }

  if (only.includes('subscriber')) {
    const at = stamp();
    const sub = await benchSubscriberBundle(root, tmpDir, verifierEnvironment(), { quick });
    results.subscriber = { ...at, ...sub };
    printSubscriberBundle(sub);
  }

  if (only.includes('synth')) {
    const at = stamp();
    const synth = await benchSynth(root, tmpDir, { quick });
    results.synth = { ...at, ...synth };
    printSynth(synth);
  }

  if (only.includes('tool')) {
    const at = stamp();
    const tool = await benchTool(root, tmpDir, { quick });
    results.tool = { ...at, ...tool };
    printTool(tool);
  }

  if (only.includes('cost')) {
    // Runs last: it prices the durations and log volumes the other sections measured.
    const at = stamp();
    const cost = benchCost(results as MeasuredForCost, root);
    results.cost = { ...at, ...cost };
    printCost(cost);
  }

  results.durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_FILE} (${results.durationSeconds} s)`);
}

function printTool(t: ToolBenchResults): void {
  const names = ['bare', 'helper', 'helperWithSchema', 'proxy'] as const;
  const label = {
    bare: 'bare handler (no verification)',
    helper: '(a) happTool: verify + parse + serialise',
    helperWithSchema: '(a) happTool + schema validation',
    proxy: '(b) verifying proxy (+ schema) + Lambda Invoke (loopback)',
  };
  console.log(
    table(
      `Tool webhooks — per call at ${t.paramsBytes} B of parameters, µs (${t.callsPerVariant} interleaved calls each)`,
      ['variant', 'p50', 'p99', 'mean'],
      names.map((n) => [label[n], t.perCall[n].p50Us, t.perCall[n].p99Us, t.perCall[n].meanUs]),
    ),
  );
  console.log(
    `   our own code (a, with schema) − bare: p50 ${t.helperOverheadUs.p50} µs, p99 ${t.helperOverheadUs.p99} µs (target p99 < 1000); (b) proxy − bare: p50 ${t.proxyOverheadUs.p50} µs, p99 ${t.proxyOverheadUs.p99} µs`,
  );
  const c = t.coldStart;
  console.log(
    table(
      `   cold start: bundle and require() time (median of ${c.runs} fresh node processes)`,
      ['bundle', 'bytes', 'gzip', 'require ms'],
      (['bare', 'wrapped', 'proxy'] as const).map((n) => [n, c[n].bytes, c[n].gzipBytes, c[n].requireMsP50]),
    ),
  );
  console.log(
    `   wrapped/bare: bytes ×${c.wrappedVsBare.bytes}, require ×${c.wrappedVsBare.requireMs}; (b) proxy + bare vs wrapped: bytes ×${c.proxyPlusBareVsWrapped.bytes}, require ×${c.proxyPlusBareVsWrapped.requireMs}`,
  );
  console.log(
    table(
      '   USD per million calls (arm64, 512 MB; model from Lambda prices)',
      ['tool work ms', '(a) one hop', '(b) proxy', 'ratio'],
      t.costPerMillion.map((r) => [r.toolMs, r.oneHop, r.proxy, r.ratio]),
    ),
  );
}

function printSignature(sig: SignatureResults): void {
  const names = Object.keys(sig.sizes[0].tasks);
  console.log(
    table(
      `1. Verification hot path — ops/s (median over ${sig.cycles} interleaved ~${sig.batchMs} ms batches); ratio = ours / other throughput`,
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
      '   time per verification, µs: median (10th percentile)',
      ['body', ...names],
      sig.sizes.map((s) => [
        `${s.bytes / 1024} KiB`,
        ...names.map((n) => `${s.tasks[n].medianMicros} (${s.tasks[n].p10Micros})`),
      ]),
    ),
  );
}

function printHandler(h: HandlerResults | { skipped: string }): void {
  if ('skipped' in h) {
    console.log(`\n2. Whole handler: skipped — ${h.skipped}`);
    return;
  }
  printBreakdown(h);
  const b = h.budgetCost;
  if (b && 'skipped' in b) console.log(`\n   response budget vs before it: skipped — ${b.skipped}`);
  else if (b) {
    console.log(
      `\n   response budget vs the handler before it (${b.baselineCommit}), new 16 KiB deliveries, same run — ratio today/before: ` +
        `p50 ${b.p50Ratio}, p99 ${b.p99Ratio}, ours p50 ${b.oursP50Ratio}, CPU/req ${b.cpuRatio}`,
    );
  }
  const e = h.eventShapes;
  if (e) {
    console.log(
      `\n   HTTP API events (payload format 2.0) vs REST events (1.0), ${e.pairs} pairs of new 16 KiB deliveries back to back, same bundle — ratio 2.0/1.0: ` +
        `p50 ${e.p50Ratio}, p99 ${e.p99Ratio}, ours p50 ${e.oursP50Ratio}, CPU/req ${e.cpuRatio}`,
    );
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

/** A valid verifier configuration (dummy resources) for processes that only load the bundle. */
function verifierEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    HAPP_TABLE_NAME: 'bench-idempotency',
    HAPP_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench-deliveries',
    HAPP_BUCKET_NAME: 'bench-claim-checks',
    HAPP_CALL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench/call',
    HAPP_CHAT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench/chat',
    POWERTOOLS_SERVICE_NAME: 'happ-verifier',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function printSubscriberBundle(c: SubscriberBundleResults): void {
  const kib = (b: number) => Math.round(b / 102.4) / 10;
  console.log(
    table(
      `3b. Subscriber bundle (NodejsFunction bundling options) — the README handler loaded in fresh node processes (${c.runsPerVariant} runs each, interleaved; empty node ${c.emptyNodeReadyMsP50} ms)`,
      [
        'variant',
        'KiB',
        'gzip KiB',
        'map KiB',
        'require p50 ms',
        'require p95',
        'bytes / defaults',
        'require p50 / defaults',
      ],
      c.variants.map((v) => [
        v.name,
        kib(v.bytes),
        kib(v.gzipBytes),
        kib(v.sourceMapBytes),
        v.requireMs.p50,
        v.requireMs.p95,
        c.vsDefaults[v.name].bytes,
        c.vsDefaults[v.name].requireMsP50,
      ]),
    ),
  );
}

function printColdStart(c: ColdStartResults): void {
  const kib = (b: number) => Math.round(b / 102.4) / 10;
  console.log(
    table(
      `3. Cold-start proxy — verifier bundle loaded in fresh node processes (${c.runsPerVariant} runs each, interleaved; empty node ${c.emptyNodeReadyMsP50} ms)`,
      [
        'variant',
        'KiB',
        'gzip KiB',
        'map KiB',
        'require p50 ms',
        'require p95',
        'require min',
        'ready p50 ms',
      ],
      c.variants.map((v) => [
        v.name,
        kib(v.bytes),
        kib(v.gzipBytes),
        kib(v.sourceMapBytes),
        v.requireMs.p50,
        v.requireMs.p95,
        v.requireMs.min,
        v.readyMs.p50,
      ]),
    ),
  );
  console.log(
    `   shipped / naive: bytes ${c.shippedVsNaive.bytes}, gzip ${c.shippedVsNaive.gzipBytes}, require p50 ${c.shippedVsNaive.requireMsP50}`,
  );
}

function printSynth(s: SynthResults | { skipped: string }): void {
  if ('skipped' in s) {
    console.log(`\n4. Synth cost: skipped — ${s.skipped}`);
    return;
  }
  console.log(
    table(
      '4. Synth cost — fresh node process per run, App defaults (built-in template validation on), median',
      ['subscribers', 'load ms', 'build+synth ms', 'process ms', 'template KiB', 'resources'],
      s.counts.map((c) => [
        c.subscribers,
        c.loadMsP50,
        c.synthMsP50,
        c.processMsP50,
        Math.round(c.templateBytes / 102.4) / 10,
        c.resources,
      ]),
    ),
  );
  console.log(
    `   per subscriber: ${s.perSubscriber.resources} resources, ${s.perSubscriber.templateBytes} B, ` +
      `${s.perSubscriber.synthMs > 0 ? `${s.perSubscriber.synthMs} ms` : 'no synth time above the noise'}; ` +
      `fits ${s.maxSubscribersUnder500Resources} subscribers under 500 resources, ${s.maxSubscribersUnder1MB} under 1 MB`,
  );
  console.log(
    `   per subscriber by type (incl. the bench's handler function + role + policy): ${Object.entries(
      s.perSubscriberByType,
    )
      .map(([t, n]) => `${t.replace('AWS::', '')} ${n}`)
      .join(', ')}`,
  );
}

function printBreakdown(h: HandlerResults): void {
  if (!h.cpuBreakdown) return;
  const entries = Object.entries(h.cpuBreakdown.microsPerRequest);
  const busy = entries.filter(([g]) => !g.startsWith('(idle')).reduce((a, [, v]) => a + v, 0);
  console.log(
    table(
      `2b. Where the CPU of a new 16 KiB delivery goes — V8 profile of an unminified build, ${h.cpuBreakdown.requests} requests`,
      ['code', 'µs per request', 'share of busy'],
      entries.map(([g, v]) => [g, v, g.startsWith('(idle') ? '' : `${Math.round((v / busy) * 100)}%`]),
    ),
  );
}

/** The AWS SDK warns once that it will soon need Node 22 (Lambda runs 22); keep the tables readable. */
function quietSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
