/**
 * Benchmark 5 — the cost model evaluated at the measured figures (bench/cost-model.ts holds the
 * formula and the dated price table). Inputs the benchmarks measure replace the defaults; the rest
 * are stated assumptions.
 */
import {
  billedDurationMs,
  costPerMillion,
  DEFAULT_INPUTS,
  FULL_VCPU_MB,
  hostedQuotes,
  monthlyCost,
  PRICES,
  type CostBreakdown,
  type CostInputs,
  type HostedQuote,
} from './cost-model';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { HappWebhookReceiverProps } from '../lib';
import { costLevers, COST_TARGETS, type CostLever } from './cost-model';
import { IDLE_PRICES, idleCostPerMonth, type IdleCost } from './idle-cost';
import { table } from './report';

export interface CostResults {
  readonly inputs: CostInputs;
  /** Which inputs came from this machine's measurements (the rest are assumptions). */
  readonly measured: string[];
  readonly rest: CostBreakdown;
  readonly http: CostBreakdown;
  readonly perSubscriberCount: { subscribers: number; rest: number; http: number }[];
  readonly memorySweep: {
    memoryMb: number;
    billedMs: number;
    lambdaUsdPerMillion: number;
    totalUsdPerMillion: number;
  }[];
  readonly hosted: (HostedQuote & { at1M: number; at10M: number })[];
  readonly ours: { at1M: number; at10M: number };
  readonly prices: typeof PRICES;
  /** Per-million totals with each lever the numbers point at, against the targets. */
  readonly levers: CostLever[];
  readonly targets: typeof COST_TARGETS;
  /** Monthly cost at zero traffic of synthesized stacks (a receiver and one subscriber). */
  readonly idle: { variant: string; rest: IdleCost; http: IdleCost }[];
  readonly idlePrices: typeof IDLE_PRICES;
}

/** The built construct library (dist/lib): it finds its Lambda bundles from its own location. */
function builtLibrary(root: string): typeof import('../lib') {
  return createRequire(join(root, 'package.json'))(join(root, 'dist', 'lib', 'index.js'));
}

/** The idle monthly cost of a receiver with one subscriber, synthesized with these props. */
export function idleCostOf(root: string, props: HappWebhookReceiverProps = {}): IdleCost {
  const { HappWebhookReceiver } = builtLibrary(root);
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Idle');
  const receiver = new HappWebhookReceiver(stack, 'Happ', props);
  const fn = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
  });
  receiver.addSubscriber('Subscriber', fn);
  return idleCostPerMonth(Template.fromStack(stack).toJSON());
}

const IDLE_VARIANTS: Array<[string, HappWebhookReceiverProps]> = [
  ['default (monitoring on)', {}],
  ['dashboard: true', { dashboard: true }],
  ['enableChat: false (one secret)', { enableChat: false }],
  ['monitoring: false', { monitoring: false }],
];

/** What the other sections measured that the cost model uses (all optional). */
export interface MeasuredForCost {
  handler?: { costInputs?: Partial<CostInputs> };
}

export function benchCost(measuredResults: MeasuredForCost, root: string): CostResults {
  const { HappIngress } = builtLibrary(root);
  const fromBench = measuredResults.handler?.costInputs ?? {};
  const inputs: CostInputs = { ...DEFAULT_INPUTS, ...fromBench };
  const rest = costPerMillion('rest', inputs);
  const http = costPerMillion('http', inputs);
  const perSubscriberCount = [0, 1, 3, 10].map((subscribers) => ({
    subscribers,
    rest: costPerMillion('rest', { ...inputs, subscribers }).total,
    http: costPerMillion('http', { ...inputs, subscribers }).total,
  }));
  const memorySweep = [128, 256, 512, 1024, FULL_VCPU_MB].map((memoryMb) => {
    const b = costPerMillion('rest', { ...inputs, verifierMemoryMb: memoryMb });
    return {
      memoryMb,
      billedMs: billedDurationMs(memoryMb, inputs.verifierCpuMs, inputs.verifierAwsWaitMs),
      lambdaUsdPerMillion: b.lines.find((l) => /duration/.test(l.item))?.usd ?? Number.NaN,
      totalUsdPerMillion: b.total,
    };
  });
  const hosted = hostedQuotes().map((q) => ({
    ...q,
    at1M: monthlyCost(q.perMillion, 1, q.monthlyFixed),
    at10M: monthlyCost(q.perMillion, 10, q.monthlyFixed),
  }));
  // Ours has a small fixed part too: two Secrets Manager secrets.
  const fixed = 2 * PRICES.secretsManagerPerSecretMonth.usd;
  return {
    inputs,
    measured: Object.keys(fromBench),
    rest,
    http,
    perSubscriberCount,
    memorySweep,
    hosted,
    ours: { at1M: monthlyCost(rest.total, 1, fixed), at10M: monthlyCost(rest.total, 10, fixed) },
    prices: PRICES,
    levers: costLevers(inputs),
    targets: COST_TARGETS,
    idle: IDLE_VARIANTS.map(([variant, props]) => ({
      variant,
      rest: idleCostOf(root, props),
      http: idleCostOf(root, { ...props, ingress: HappIngress.httpApi() }),
    })),
    idlePrices: IDLE_PRICES,
  };
}

export function printCost(c: CostResults): void {
  const i = c.inputs;
  console.log(
    table(
      `5. Cost per million webhooks, us-east-1 (verifier ${i.verifierMemoryMb} MB arm64, ${i.verifierCpuMs} ms CPU + ${i.verifierAwsWaitMs} ms AWS wait, ${i.bodyBytes} B body, ${i.subscribers} subscriber; measured: ${c.measured.join(', ') || 'none'})`,
      ['item', 'REST API $', 'HTTP API $', 'how'],
      [
        ...c.rest.lines.map((l, n) => [l.item, l.usd, c.http.lines[n].usd, l.how]),
        ['TOTAL per 1M', c.rest.total, c.http.total, ''],
      ],
    ),
  );
  console.log(
    table(
      `   levers, total per 1M (targets: REST ≤ $${c.targets.rest}, HTTP API ≤ $${c.targets.http})`,
      ['lever', 'REST $', 'meets', 'HTTP $', 'meets', 'gives up'],
      c.levers.map((l) => [
        l.lever,
        l.rest,
        l.meetsTargets.rest ? 'yes' : 'no',
        l.http,
        l.meetsTargets.http ? 'yes' : 'no',
        l.givesUp,
      ]),
    ),
  );
  const defaults = c.idle[0];
  console.log(
    table(
      '   idle: monthly cost at zero traffic, receiver + 1 subscriber (list prices, free tiers ignored)',
      ['item', 'count', '$/month', 'how'],
      [
        ...defaults.rest.lines.map((l) => [l.item, l.count, l.usd, l.how]),
        ['TOTAL', '', defaults.rest.total, ''],
      ],
    ),
  );
  console.log(
    table(
      '   idle by props',
      ['props', 'REST $/month', 'HTTP API $/month'],
      c.idle.map((v) => [v.variant, v.rest.total, v.http.total]),
    ),
  );
  console.log(
    table(
      '   total per 1M by subscriber count',
      ['subscribers', 'REST $', 'HTTP $'],
      c.perSubscriberCount.map((r) => [r.subscribers, r.rest, r.http]),
    ),
  );
  console.log(
    table(
      '   verifier memory sweep (CPU time scales with 1769 MB / memory; AWS wait does not)',
      ['memory MB', 'billed ms', 'Lambda duration $/1M', 'total REST $/1M'],
      c.memorySweep.map((r) => [r.memoryMb, r.billedMs, r.lambdaUsdPerMillion, r.totalUsdPerMillion]),
    ),
  );
  console.log(
    table(
      '   monthly bill vs hosted gateways (list prices, included quotas ignored)',
      ['option', '1M/month $', '10M/month $', 'note'],
      [
        ['this construct (REST)', c.ours.at1M, c.ours.at10M, 'plus 2 secrets; handler compute extra'],
        ...c.hosted.map((h) => [h.vendor, h.at1M, h.at10M, h.note]),
      ],
    ),
  );
}
