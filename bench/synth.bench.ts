/**
 * Benchmark 4 — synth cost. In a fresh `node` process per run: load aws-cdk-lib and the built
 * construct (dist/lib), build a stack with one HappWebhookReceiver and N subscribers (each its own
 * small Lambda), and `app.synth()` with the App's defaults (so aws-cdk-lib's built-in template
 * validation runs, as it does for users). Reports the time to load, to build + synth, the whole
 * process, the template's bytes as written to cdk.out, and its resource count (CloudFormation
 * allows 500 resources and 1 MB per template).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, round } from './stats';

export interface SynthRun {
  readonly loadMs: number;
  readonly synthMs: number;
  readonly processMs: number;
  readonly templateBytes: number;
  readonly resources: number;
  readonly resourcesByType: Record<string, number>;
}

export interface SynthCountResult {
  readonly subscribers: number;
  readonly runs: number;
  readonly loadMsP50: number;
  readonly synthMsP50: number;
  readonly processMsP50: number;
  readonly templateBytes: number;
  readonly resources: number;
  readonly resourcesByType: Record<string, number>;
}

export interface SynthResults {
  readonly counts: SynthCountResult[];
  /** Marginal cost of one more subscriber (between the smallest and largest count). */
  readonly perSubscriber: { resources: number; templateBytes: number; synthMs: number };
  /** The same by resource type (includes the bench's own handler Lambda: function, role, policy). */
  readonly perSubscriberByType: Record<string, number>;
  /** Subscribers that fit under 500 resources at that marginal rate. */
  readonly maxSubscribersUnder500Resources: number;
  /** Subscribers that fit under the 1 MB template limit at that marginal rate. */
  readonly maxSubscribersUnder1MB: number;
}

const SCRIPT = `
// Synthesizes one stack with a receiver and N subscribers; prints timings as JSON (fresh process).
const t0 = performance.now();
const { App, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const { HappWebhookReceiver } = require(process.env.BENCH_LIB);
const fs = require('node:fs');
const path = require('node:path');
const t1 = performance.now();
const n = Number(process.argv[2]);
const app = new App({ outdir: process.argv[3] });
const stack = new Stack(app, 'HappBench');
const receiver = new HappWebhookReceiver(stack, 'Happ');
for (let i = 0; i < n; i++) {
  const fn = new lambda.Function(stack, 'Handler' + i, {
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
  });
  receiver.addSubscriber('Subscriber' + i, fn, i % 2 ? { sources: ['call'] } : { events: ['chat.message.received'] });
}
const assembly = app.synth();
const t2 = performance.now();
const artifact = assembly.getStackByName('HappBench');
const file = path.join(assembly.directory, artifact.templateFile);
const template = JSON.parse(fs.readFileSync(file, 'utf8'));
const byType = {};
for (const r of Object.values(template.Resources || {})) byType[r.Type] = (byType[r.Type] || 0) + 1;
process.stdout.write(JSON.stringify({
  loadMs: t1 - t0,
  synthMs: t2 - t1,
  templateBytes: fs.statSync(file).size,
  resources: Object.keys(template.Resources || {}).length,
  resourcesByType: byType,
}));
`;

export async function benchSynth(
  root: string,
  tmpDir: string,
  options: { quick?: boolean } = {},
): Promise<SynthResults | { skipped: string }> {
  const lib = join(root, 'dist', 'lib', 'index.js');
  if (!existsSync(lib)) return { skipped: `${lib} does not exist (run npm run build)` };
  const dir = join(tmpDir, 'synth');
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'synth.cjs');
  writeFileSync(script, SCRIPT);
  const counts = [1, 10, 20];
  const runs = options.quick ? 1 : 3;
  const samples: Record<number, SynthRun[]> = {};
  for (let r = 0; r < runs; r++) {
    for (const n of counts) {
      const out = join(dir, `cdk.out-${n}`);
      rmSync(out, { recursive: true, force: true });
      (samples[n] ??= []).push(await synthOnce(root, script, lib, n, out));
      rmSync(out, { recursive: true, force: true });
    }
  }
  const results: SynthCountResult[] = counts.map((n) => ({
    subscribers: n,
    runs,
    loadMsP50: round(median(samples[n].map((s) => s.loadMs))),
    synthMsP50: round(median(samples[n].map((s) => s.synthMs))),
    processMsP50: round(median(samples[n].map((s) => s.processMs))),
    templateBytes: samples[n][0].templateBytes,
    resources: samples[n][0].resources,
    resourcesByType: samples[n][0].resourcesByType,
  }));
  const first = results[0];
  const last = results[results.length - 1];
  const span = last.subscribers - first.subscribers;
  const perSubscriber = {
    resources: round((last.resources - first.resources) / span, 3),
    templateBytes: Math.round((last.templateBytes - first.templateBytes) / span),
    synthMs: round((last.synthMsP50 - first.synthMsP50) / span, 3),
  };
  const perSubscriberByType: Record<string, number> = {};
  for (const [type, count] of Object.entries(last.resourcesByType)) {
    const delta = (count - (first.resourcesByType[type] ?? 0)) / span;
    if (delta !== 0) perSubscriberByType[type] = round(delta, 3);
  }
  const base = {
    resources: first.resources - perSubscriber.resources,
    bytes: first.templateBytes - perSubscriber.templateBytes,
  };
  return {
    counts: results,
    perSubscriber,
    perSubscriberByType,
    maxSubscribersUnder500Resources: Math.floor((500 - base.resources) / perSubscriber.resources),
    maxSubscribersUnder1MB: Math.floor((1_000_000 - base.bytes) / perSubscriber.templateBytes),
  };
}

function synthOnce(root: string, script: string, lib: string, n: number, outdir: string): Promise<SynthRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [script, String(n), outdir], {
      cwd: root,
      env: { ...process.env, BENCH_LIB: lib, CDK_DISABLE_VERSION_CHECK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - t0;
      if (code !== 0) {
        reject(new Error(`synth of ${n} subscribers exited ${code}: ${err.trim().slice(0, 800)}`));
        return;
      }
      resolve({ ...JSON.parse(out), processMs });
    });
  });
}
