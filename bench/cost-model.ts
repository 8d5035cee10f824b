/**
 * Cost model: what one million Happ webhooks cost in us-east-1 with the default configuration,
 * against the same flow on an HTTP API, and against hosted webhook gateways.
 *
 * Pure functions plus a dated price table. Every price names where it was read and when; prices
 * marked `verified: false` could not be confirmed from a stored copy of the provider's own page.
 * Free tiers are ignored (they are per account, and the comparison is at volume).
 */

export interface Price {
  readonly usd: number;
  /** What one `usd` buys. */
  readonly per: string;
  readonly source: string;
  /** When the source was published or read (YYYY-MM or YYYY-MM-DD). */
  readonly asOf: string;
  /** Confirmed on a stored copy of AWS's (or the vendor's) own page or an AWS document. */
  readonly verified: boolean;
  readonly note?: string;
}

/** Prices in USD, us-east-1, on-demand, first volume tier. Table compiled 2026-11-28. */
export const PRICES = {
  restApiPerMillion: {
    usd: 3.5,
    per: '1M REST API calls (first 333M/month)',
    source:
      'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    asOf: '2026-11-28',
    verified: true,
  },
  httpApiPerMillion: {
    usd: 1.0,
    per: '1M HTTP API calls (first 300M/month), metered in 512 KB increments',
    source:
      'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    asOf: '2026-11-28',
    verified: true,
  },
  lambdaRequestsPerMillion: {
    usd: 0.2,
    per: '1M Lambda invocations',
    source: 'https://aws.amazon.com/lambda/pricing/ (transcribed by cloudchipr.com/blog/aws-lambda-pricing)',
    asOf: '2026-05',
    verified: false,
    note: "AWS's page renders its rate table client-side; the stored copy shows no numbers",
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second, arm64 (first 7.5B GB-s/month)',
    source: 'https://aws.amazon.com/lambda/pricing/ (transcribed by cloudchipr.com/blog/aws-lambda-pricing)',
    asOf: '2026-05',
    verified: false,
    note: "AWS's page renders its rate table client-side; the stored copy shows no numbers",
  },
  dynamoWritePerMillion: {
    usd: 0.625,
    per: '1M on-demand write request units (1 WRU = a standard write of an item up to 1 KB)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (after the Nov 2024 50% cut)',
    asOf: '2025-07-21',
    verified: false,
  },
  dynamoReadPerMillion: {
    usd: 0.125,
    per: '1M on-demand read request units (strongly consistent read up to 4 KB)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (after the Nov 2024 50% cut)',
    asOf: '2025-07-21',
    verified: false,
  },
  snsPublishPerMillion: {
    usd: 0.5,
    per: '1M SNS publish requests; each 64 KB chunk of a message is one request',
    source: 'https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/',
    asOf: '2026-06-13',
    verified: false,
  },
  snsToSqsDeliveryPerMillion: {
    usd: 0,
    per: '1M SNS deliveries to SQS queues',
    source: 'https://aws.amazon.com/sns/pricing/ (not in the stored corpus)',
    asOf: '2026-11-28',
    verified: false,
    note: 'AWS lists SQS (and Lambda) deliveries as free; no stored copy confirmed it here',
  },
  sqsPerMillion: {
    usd: 0.4,
    per: '1M SQS standard requests; each 64 KB chunk of a payload is one request',
    source: 'https://cloudburn.io/blog/amazon-sqs-pricing',
    asOf: '2026-03-14',
    verified: false,
  },
  s3PutPerThousand: {
    usd: 0.005,
    per: '1,000 S3 Standard PUT requests',
    source: 'https://c3x.dev/blog/s3-request-fees-explained',
    asOf: '2026-11-28',
    verified: false,
  },
  s3GetPerThousand: {
    usd: 0.0004,
    per: '1,000 S3 Standard GET requests',
    source: 'https://c3x.dev/blog/s3-request-fees-explained',
    asOf: '2026-11-28',
    verified: false,
  },
  logsIngestionPerGb: {
    usd: 0.5,
    per: 'GB of CloudWatch Logs (Standard class) ingested',
    source: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization',
    asOf: '2026-06',
    verified: false,
  },
  secretsManagerPerSecretMonth: {
    usd: 0.4,
    per: 'secret per month (plus $0.05 per 10,000 API calls)',
    source: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms',
    asOf: '2026-11-28',
    verified: false,
  },
  hookdeckTeamMonthly: {
    usd: 39,
    per: 'month, Hookdeck Event Gateway Team plan (10,000 events included)',
    source:
      'https://hookdeck.com/pricing (transcribed in api-evangelist/hookdeck plans/hookdeck-plans-pricing.yml)',
    asOf: '2026-09-20',
    verified: false,
  },
  hookdeckPerMillionEvents: {
    usd: 10,
    per: '1M events ($1.00 per additional 100k; "as low as $0.33 per 100k" at volume)',
    source:
      'https://hookdeck.com/pricing (transcribed in api-evangelist/hookdeck plans/hookdeck-plans-pricing.yml)',
    asOf: '2026-09-20',
    verified: false,
  },
  svixProfessionalMonthly: {
    usd: 490,
    per: 'month, Svix Professional plan (50,000 messages included)',
    source: 'https://www.svix.com/pricing/ (transcribed in api-evangelist/svix plans/svix-plans-pricing.yml)',
    asOf: '2026-09-20',
    verified: false,
  },
  svixPerMillionMessages: {
    usd: 100,
    per: '1M messages ($0.0001 per message); Svix prices sending, not receiving',
    source: 'https://www.svix.com/pricing/ (transcribed in api-evangelist/svix plans/svix-plans-pricing.yml)',
    asOf: '2026-09-20',
    verified: false,
  },
} as const satisfies Record<string, Price>;

export type PriceTable = { readonly [K in keyof typeof PRICES]: Price };

/** Lambda gives a function a full vCPU at 1,769 MB and a proportional share below it (AWS docs). */
export const FULL_VCPU_MB = 1769;
const KB = 1024;
const CHUNK_BYTES = 64 * KB;

export interface CostInputs {
  /** Verifier memory (MB). */
  readonly verifierMemoryMb: number;
  /** CPU time of our code per request on one full core (ms), as measured by the benchmark. */
  readonly verifierCpuMs: number;
  /** Wall time spent waiting on AWS per new delivery (ms), in AWS, not on local emulators. */
  readonly verifierAwsWaitMs: number;
  /** Request body size (bytes). */
  readonly bodyBytes: number;
  /** Subscribers each delivery reaches (after filter policies). */
  readonly subscribers: number;
  /** Fraction of deliveries that are duplicates answered 200 from the idempotency table (0..1). */
  readonly duplicateRate: number;
  /** DynamoDB writes the verifier makes for a new delivery (claim + complete). */
  readonly verifierWritesPerDelivery: number;
  /** DynamoDB writes each subscriber's idempotency makes per message (Powertools: 2). */
  readonly subscriberWritesPerMessage: number;
  /** SQS messages per subscriber Lambda invocation (event source mapping batch actually filled). */
  readonly subscriberBatchSize: number;
  /** Bytes of CloudWatch Logs per request: Lambda START/END/REPORT + our log lines + EMF + access log. */
  readonly logBytesPerRequest: number;
  /** Envelopes larger than this go through S3 (claim check). */
  readonly claimCheckThresholdBytes: number;
}

export const DEFAULT_INPUTS: CostInputs = {
  // The construct's default (HappWebhookReceiverProps.verifierMemorySizeMb).
  verifierMemoryMb: 512,
  verifierCpuMs: 1,
  verifierAwsWaitMs: 25,
  bodyBytes: 2 * KB,
  subscribers: 1,
  duplicateRate: 0,
  verifierWritesPerDelivery: 2,
  subscriberWritesPerMessage: 2,
  subscriberBatchSize: 1,
  logBytesPerRequest: 1500,
  claimCheckThresholdBytes: 240_000,
};

/** Billed duration (ms, rounded up to 1 ms as Lambda bills) at a memory size. */
export function billedDurationMs(memoryMb: number, cpuMs: number, awsWaitMs: number): number {
  if (!(memoryMb >= 128 && memoryMb <= 10240)) {
    throw new RangeError(`memoryMb must be between 128 and 10240 (given ${memoryMb})`);
  }
  const cpuSlowdown = Math.max(1, FULL_VCPU_MB / memoryMb);
  return Math.ceil(cpuMs * cpuSlowdown + awsWaitMs);
}

export type ApiKind = 'rest' | 'http';

export interface CostLine {
  readonly item: string;
  /** USD per million webhooks. */
  readonly usd: number;
  readonly how: string;
}

export interface CostBreakdown {
  readonly api: ApiKind;
  readonly inputs: CostInputs;
  readonly lines: CostLine[];
  /** USD per million webhooks. */
  readonly total: number;
}

function validate(i: CostInputs): void {
  const check = (name: keyof CostInputs, ok: boolean, range: string) => {
    if (!ok) throw new RangeError(`${name} must be ${range} (given ${i[name]})`);
  };
  check('verifierCpuMs', i.verifierCpuMs >= 0, '>= 0');
  check('verifierAwsWaitMs', i.verifierAwsWaitMs >= 0, '>= 0');
  check('bodyBytes', i.bodyBytes >= 0, '>= 0');
  check('subscribers', Number.isInteger(i.subscribers) && i.subscribers >= 0, 'an integer >= 0');
  check('duplicateRate', i.duplicateRate >= 0 && i.duplicateRate <= 1, 'between 0 and 1');
  check(
    'subscriberBatchSize',
    i.subscriberBatchSize >= 1 && i.subscriberBatchSize <= 10_000,
    'between 1 and 10000',
  );
  check('logBytesPerRequest', i.logBytesPerRequest >= 0, '>= 0');
}

/**
 * Cost per million webhooks received. Per request:
 *   API        = apiPrice (REST or HTTP; HTTP meters in 512 KB steps)
 *   Lambda     = $0.20/M + GB-s price × memoryGB × billedDuration(memory, cpu, awsWait)/1000
 *   DynamoDB   = (1 - dup) × writes × WRU price + dup × 1 write (the failed conditional put is billed)
 *   SNS        = (1 - dup) × ceil(envelope / 64 KB) × publish price; SNS→SQS delivery free
 *   S3         = (1 - dup) × [envelope > threshold] × (PUT + subscribers × GET)
 *   SQS        = (1 - dup) × subscribers × chunks × (1 send + 2 / batch) × SQS price
 *   Subscriber = (1 - dup) × subscribers × (writes × WRU + Lambda request fee / batch)
 *   Logs       = logBytesPerRequest / 1 GB × ingestion price
 * Secrets Manager (a fixed $0.40/secret/month; reads are cached) and the subscriber handlers' own
 * compute are outside the per-webhook figure and reported separately.
 */
export function costPerMillion(
  api: ApiKind,
  partial: Partial<CostInputs> = {},
  prices: PriceTable = PRICES,
): CostBreakdown {
  const i: CostInputs = { ...DEFAULT_INPUTS, ...partial };
  validate(i);
  const M = 1_000_000;
  const fresh = 1 - i.duplicateRate;
  // The envelope carries the payload plus ~400 bytes of metadata; claim-checked ones a pointer.
  const envelopeBytes = i.bodyBytes + 400;
  const claimChecked = envelopeBytes > i.claimCheckThresholdBytes;
  const messageBytes = claimChecked ? 600 : envelopeBytes;
  const chunks = Math.max(1, Math.ceil(messageBytes / CHUNK_BYTES));
  const durationMs = billedDurationMs(i.verifierMemoryMb, i.verifierCpuMs, i.verifierAwsWaitMs);
  const gbSeconds = (i.verifierMemoryMb / 1024) * (durationMs / 1000);

  const apiSteps = api === 'http' ? Math.max(1, Math.ceil(i.bodyBytes / (512 * KB))) : 1;
  const apiPrice = api === 'http' ? prices.httpApiPerMillion.usd : prices.restApiPerMillion.usd;
  // Per message and subscriber: the send SNS makes into the queue (counted, to be conservative —
  // AWS may not bill it), then Lambda's poller: one ReceiveMessage and one DeleteMessageBatch per batch.
  const sqsRequestsPerMessage = chunks * (1 + 2 / i.subscriberBatchSize);

  const lines: CostLine[] = [
    {
      item: api === 'http' ? 'API Gateway HTTP API' : 'API Gateway REST API',
      usd: apiSteps * apiPrice,
      how: `${apiSteps} × $${apiPrice}/M`,
    },
    {
      item: 'Verifier Lambda requests',
      usd: prices.lambdaRequestsPerMillion.usd,
      how: `$${prices.lambdaRequestsPerMillion.usd}/M`,
    },
    {
      item: 'Verifier Lambda duration (arm64)',
      usd: gbSeconds * M * prices.lambdaArmGbSecond.usd,
      how: `${i.verifierMemoryMb} MB × ${durationMs} ms billed = ${round(gbSeconds, 6)} GB-s`,
    },
    {
      item: 'DynamoDB writes (verifier)',
      usd: (fresh * i.verifierWritesPerDelivery + i.duplicateRate * 1) * prices.dynamoWritePerMillion.usd,
      how: `${i.verifierWritesPerDelivery} WRU per new delivery, 1 per duplicate`,
    },
    {
      item: 'SNS publish',
      usd: fresh * chunks * prices.snsPublishPerMillion.usd,
      how: `${chunks} × 64 KB chunk; deliveries to SQS free`,
    },
    {
      item: 'S3 claim check',
      usd: claimChecked
        ? fresh * ((prices.s3PutPerThousand.usd + i.subscribers * prices.s3GetPerThousand.usd) / 1000) * M
        : 0,
      how: claimChecked ? `PUT + ${i.subscribers} GET` : `none (envelope ${envelopeBytes} B ≤ threshold)`,
    },
    {
      item: 'SQS (send + receive + delete)',
      usd: fresh * i.subscribers * sqsRequestsPerMessage * prices.sqsPerMillion.usd,
      how: `${i.subscribers} subscriber(s) × ${round(sqsRequestsPerMessage, 3)} requests/message`,
    },
    {
      item: 'Subscriber idempotency + invocations',
      usd:
        fresh *
        i.subscribers *
        (i.subscriberWritesPerMessage * prices.dynamoWritePerMillion.usd +
          prices.lambdaRequestsPerMillion.usd / i.subscriberBatchSize),
      how: `${i.subscribers} × (${i.subscriberWritesPerMessage} WRU + 1/${i.subscriberBatchSize} invocation); handler compute not included`,
    },
    {
      item: 'CloudWatch Logs ingestion',
      usd: (i.logBytesPerRequest / 1e9) * M * prices.logsIngestionPerGb.usd,
      how: `${i.logBytesPerRequest} B/request`,
    },
  ];
  const total = lines.reduce((sum, l) => sum + l.usd, 0);
  return {
    api,
    inputs: i,
    lines: lines.map((l) => ({ ...l, usd: round(l.usd, 4) })),
    total: round(total, 4),
  };
}

export interface HostedQuote {
  readonly vendor: string;
  readonly monthlyFixed: number;
  /** USD per million webhooks on top of the plan (list price). */
  readonly perMillion: number;
  readonly note: string;
}

/** List prices of hosted gateways for N million webhooks a month (delivery to your own endpoint extra). */
export function hostedQuotes(prices: PriceTable = PRICES): HostedQuote[] {
  return [
    {
      vendor: 'Hookdeck Event Gateway (Team)',
      monthlyFixed: prices.hookdeckTeamMonthly.usd,
      perMillion: prices.hookdeckPerMillionEvents.usd,
      note: 'receiving-side gateway; you still run the endpoint it delivers to',
    },
    {
      vendor: 'Svix (Professional)',
      monthlyFixed: prices.svixProfessionalMonthly.usd,
      perMillion: prices.svixPerMillionMessages.usd,
      note: 'priced for sending webhooks; shown as the reference webhook-platform price',
    },
  ];
}

/** Monthly bill for `millions` webhooks: fixed plan + metered (ignores included quotas). */
export function monthlyCost(perMillion: number, millions: number, monthlyFixed = 0): number {
  return round(monthlyFixed + perMillion * millions, 4);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The targets per million webhooks with one subscriber (issue 12). */
export const COST_TARGETS = { rest: 8.5, http: 6 } as const;

/** Lambda's START, END and REPORT lines per invocation in the text log format (approximate bytes). */
export const LAMBDA_PLATFORM_LOG_BYTES = 330;

export interface CostLever {
  readonly lever: string;
  /** What it costs in behaviour. */
  readonly givesUp: string;
  readonly rest: number;
  readonly http: number;
  readonly meetsTargets: { rest: boolean; http: boolean };
}

/**
 * What each lever the numbers point at does to the total, alone and together, from the same inputs.
 * Subscriber batches: the event source mapping's batch actually filled (the construct's batchSize is 10,
 * but without a batching window a batch holds what arrived in one poll — 1 at low volume).
 */
export function costLevers(inputs: Partial<CostInputs> = {}, prices: PriceTable = PRICES): CostLever[] {
  const base: CostInputs = { ...DEFAULT_INPUTS, ...inputs };
  const quietLogs = Math.max(0, base.logBytesPerRequest - LAMBDA_PLATFORM_LOG_BYTES);
  const variants: Array<[string, string, Partial<CostInputs>]> = [
    ['as configured', '', {}],
    [
      'verifier system logs at WARN (JSON log format)',
      "no START/END/REPORT line per invocation (Lambda's Duration and Errors metrics stay)",
      { logBytesPerRequest: quietLogs },
    ],
    [
      'subscriber batches of 2 (maxBatchingWindow)',
      'events wait up to the batching window before the handler runs',
      { subscriberBatchSize: 2 },
    ],
    [
      'subscriber batches of 10 (maxBatchingWindow)',
      'events wait up to the batching window; a failing record is retried with its batch unless reported',
      { subscriberBatchSize: 10 },
    ],
    [
      'WARN system logs + batches of 2',
      'both of the above',
      { logBytesPerRequest: quietLogs, subscriberBatchSize: 2 },
    ],
  ];
  return variants.map(([lever, givesUp, change]) => {
    const rest = costPerMillion('rest', { ...base, ...change }, prices).total;
    const http = costPerMillion('http', { ...base, ...change }, prices).total;
    return {
      lever,
      givesUp,
      rest,
      http,
      meetsTargets: { rest: rest <= COST_TARGETS.rest, http: http <= COST_TARGETS.http },
    };
  });
}
