import {
  billedDurationMs,
  COST_TARGETS,
  costLevers,
  costPerMillion,
  DEFAULT_INPUTS,
  FULL_VCPU_MB,
  hostedQuotes,
  LAMBDA_PLATFORM_LOG_BYTES,
  monthlyCost,
  PRICES,
} from '../../bench/cost-model';

const line = (b: ReturnType<typeof costPerMillion>, item: RegExp) => {
  const found = b.lines.find((l) => item.test(l.item));
  if (!found) throw new Error(`no line ${item}`);
  return found.usd;
};

describe('cost model', () => {
  it('dates and sources every price', () => {
    for (const [name, price] of Object.entries(PRICES)) {
      expect({ name, source: price.source }).toEqual({ name, source: expect.stringMatching(/^https:\/\//) });
      expect(price.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
      expect(price.usd).toBeGreaterThanOrEqual(0);
    }
  });

  it('scales CPU time by the vCPU share below 1,769 MB and bills whole milliseconds', () => {
    expect(billedDurationMs(FULL_VCPU_MB, 1, 10)).toBe(11);
    expect(billedDurationMs(3538, 1, 10)).toBe(11); // never faster than one full core
    expect(billedDurationMs(FULL_VCPU_MB / 2, 1, 10)).toBe(12);
    expect(billedDurationMs(128, 0.1, 0)).toBe(2); // 1.38 ms → 2 ms
  });

  it('fails when memory is outside what Lambda allows', () => {
    expect(() => billedDurationMs(64, 1, 1)).toThrow(/memoryMb must be between 128 and 10240 \(given 64\)/);
  });

  it('sums its lines into the total', () => {
    const b = costPerMillion('rest');
    const sum = b.lines.reduce((s, l) => s + l.usd, 0);
    expect(b.total).toBeCloseTo(sum, 3);
    expect(b.inputs).toEqual(DEFAULT_INPUTS);
  });

  it('charges REST $3.50 and HTTP API $1.00 per million, everything else equal', () => {
    const rest = costPerMillion('rest');
    const http = costPerMillion('http');
    expect(line(rest, /REST API/)).toBe(3.5);
    expect(line(http, /HTTP API/)).toBe(1);
    expect(rest.total - http.total).toBeCloseTo(2.5, 3);
  });

  it('meters HTTP API calls in 512 KB steps', () => {
    expect(line(costPerMillion('http', { bodyBytes: 600 * 1024 }), /HTTP API/)).toBe(2);
  });

  it('computes Lambda duration cost from memory and billed milliseconds', () => {
    // 1024 MB for 10 ms = 0.01 GB-s per request → 10,000 GB-s per million.
    const b = costPerMillion('rest', { verifierMemoryMb: 1024, verifierCpuMs: 0, verifierAwsWaitMs: 10 });
    expect(line(b, /duration/)).toBeCloseTo(10_000 * PRICES.lambdaArmGbSecond.usd, 4);
  });

  it('counts two verifier writes per new delivery and one (failed conditional put) per duplicate', () => {
    expect(line(costPerMillion('rest'), /DynamoDB writes \(verifier\)/)).toBeCloseTo(2 * 0.625, 4);
    expect(line(costPerMillion('rest', { duplicateRate: 1 }), /DynamoDB writes \(verifier\)/)).toBeCloseTo(
      0.625,
      4,
    );
  });

  it('grows per subscriber, and nothing is published for duplicates', () => {
    const one = costPerMillion('rest', { subscribers: 1 });
    const three = costPerMillion('rest', { subscribers: 3 });
    expect(line(three, /Subscriber/)).toBeCloseTo(3 * line(one, /Subscriber/), 4);
    expect(line(three, /SQS/)).toBeCloseTo(3 * line(one, /SQS/), 4);
    expect(line(costPerMillion('rest', { duplicateRate: 1 }), /SNS/)).toBe(0);
  });

  it('bills SNS per 64 KB chunk and claim-checks envelopes over the threshold through S3', () => {
    expect(line(costPerMillion('rest', { bodyBytes: 100 * 1024 }), /SNS/)).toBe(2 * 0.5);
    const big = costPerMillion('rest', { bodyBytes: 300 * 1024, subscribers: 2 });
    expect(line(big, /SNS/)).toBe(0.5); // only the pointer travels
    expect(line(big, /S3/)).toBeCloseTo(5 + 2 * 0.4, 4);
    expect(line(costPerMillion('rest'), /S3/)).toBe(0);
  });

  it('fails on inputs outside their range, naming them', () => {
    expect(() => costPerMillion('rest', { duplicateRate: 1.5 })).toThrow(
      /duplicateRate must be between 0 and 1 \(given 1.5\)/,
    );
    expect(() => costPerMillion('rest', { subscribers: 1.5 })).toThrow(/subscribers must be an integer >= 0/);
    expect(() => costPerMillion('rest', { subscriberBatchSize: 0 })).toThrow(/subscriberBatchSize/);
  });

  it('quotes hosted gateways as a plan fee plus a metered price', () => {
    const quotes = hostedQuotes();
    expect(quotes.map((q) => q.vendor)).toEqual([
      expect.stringMatching(/Hookdeck/),
      expect.stringMatching(/Svix/),
    ]);
    expect(monthlyCost(10, 5, 39)).toBe(89);
  });
});

describe('cost levers against the targets (one subscriber)', () => {
  const find = (name: RegExp) => costLevers().find((l) => name.test(l.lever))!;

  it('misses both targets as configured: REST $9.04 > $8.50, HTTP API $6.54 > $6.00', () => {
    const now = find(/as configured/);
    expect(now).toMatchObject({ rest: 9.0433, http: 6.5433, meetsTargets: { rest: false, http: false } });
    expect(COST_TARGETS).toEqual({ rest: 8.5, http: 6 });
  });

  it('WARN system logs save the platform lines ($0.165); batches of 2 save $0.50 (SQS + invocations)', () => {
    const now = find(/as configured/).rest;
    expect(now - find(/^verifier system logs/).rest).toBeCloseTo(
      (LAMBDA_PLATFORM_LOG_BYTES / 1e9) * 1e6 * 0.5,
      3,
    );
    expect(now - find(/batches of 2 \(/).rest).toBeCloseTo(0.4 + 0.1, 3);
    expect(now - find(/batches of 10/).rest).toBeCloseTo(0.72 + 0.18, 3);
  });

  it('prices each lever as the README table states', () => {
    const rounded = costLevers().map((l) => [
      l.lever,
      Math.round(l.rest * 100) / 100,
      Math.round(l.http * 100) / 100,
    ]);
    expect(rounded).toEqual([
      ['as configured', 9.04, 6.54],
      ['verifier system logs at WARN (JSON log format)', 8.88, 6.38],
      ['subscriber batches of 2 (maxBatchingWindow)', 8.54, 6.04],
      ['subscriber batches of 10 (maxBatchingWindow)', 8.14, 5.64],
      ['WARN system logs + batches of 2', 8.38, 5.88],
    ]);
  });

  it('meets both targets with WARN system logs and batches of 2', () => {
    expect(find(/\+ batches of 2/)).toMatchObject({ meetsTargets: { rest: true, http: true } });
    expect(find(/\+ batches of 2/).http).toBeLessThanOrEqual(6);
  });

  it('the HTTP API alone meets neither target: the subscriber side costs as much as the front door saves', () => {
    expect(find(/as configured/).http).toBeGreaterThan(COST_TARGETS.http);
  });
});
