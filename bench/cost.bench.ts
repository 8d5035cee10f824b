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
}

/** What the other sections measured that the cost model uses (all optional). */
export interface MeasuredForCost {
  handler?: { costInputs?: Partial<CostInputs> };
}

export function benchCost(measuredResults: MeasuredForCost): CostResults {
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
