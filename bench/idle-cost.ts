/**
 * Idle cost: what a synthesized stack costs per month at zero traffic — everything billed by the
 * month whether or not a webhook arrives — read from the CloudFormation template itself, so it follows
 * whatever the construct creates.
 *
 * Billed at zero traffic (list prices, us-east-1, free tiers ignored — they are per account, and the
 * account may already use them):
 *   secrets            $0.40 per Secrets Manager secret
 *   KMS keys           $1.00 per customer-managed key (AWS-managed keys such as alias/aws/sns are free)
 *   alarms             $0.10 per standard-resolution alarm *metric* (a metric-math alarm reading two
 *                      metrics is billed twice); $0.30 per high-resolution one (period < 60 s)
 *   composite alarms   $0.50 each
 *   dashboards         $3.00 each
 *   SQS polling        an event source mapping long-polls its queue while idle: AWS's pollers (5 at
 *                      rest, an estimate) each make one 20 s ReceiveMessage after another
 * Not billed at zero traffic: API Gateway, Lambda, DynamoDB on demand, SNS, S3 and CloudWatch Logs
 * (requests and bytes; their storage at rest is cents), custom metrics (billed only in hours they are
 * published).
 */
import { PRICES, type Price } from './cost-model';

/** Monthly prices (USD, us-east-1). */
export const IDLE_PRICES = {
  secretsManagerPerSecretMonth: PRICES.secretsManagerPerSecretMonth,
  kmsKeyPerMonth: {
    usd: 1,
    per: 'customer-managed KMS key per month (first 20,000 requests a month free; then $0.03 per 10,000)',
    source:
      'https://aws.amazon.com/kms/pricing/ (transcribed in gist.github.com/dasgoll/b88d5be05dcc0deb052ad40446c2fb40)',
    asOf: '2026-12-03',
    verified: false,
  },
  alarmMetricMonth: {
    usd: 0.1,
    per: 'standard-resolution alarm metric per month (first 10 a month free per account)',
    source: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/',
    asOf: '2026-06-13',
    verified: false,
  },
  highResolutionAlarmMetricMonth: {
    usd: 0.3,
    per: 'high-resolution alarm metric per month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm',
    asOf: '2026-12-03',
    verified: false,
  },
  compositeAlarmMonth: {
    usd: 0.5,
    per: 'composite alarm per month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm',
    asOf: '2026-12-03',
    verified: false,
  },
  dashboardMonth: {
    usd: 3,
    per: 'CloudWatch dashboard per month (first 3 dashboards of up to 50 metrics free per account)',
    source: 'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/',
    asOf: '2026-06-13',
    verified: false,
  },
  sqsPerMillion: PRICES.sqsPerMillion,
} as const satisfies Record<string, Price>;

/** Pollers Lambda keeps on an idle SQS queue (AWS starts an SQS event source with five). An estimate. */
export const IDLE_SQS_POLLERS = 5;
/** The longest SQS long poll, which Lambda's pollers use (seconds). */
export const SQS_LONG_POLL_SECONDS = 20;
const SECONDS_PER_MONTH = 30 * 24 * 3600;

export interface IdleLine {
  readonly item: string;
  readonly count: number;
  /** USD per month. */
  readonly usd: number;
  readonly how: string;
}

export interface IdleCost {
  readonly lines: IdleLine[];
  /** USD per month at zero traffic. */
  readonly total: number;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Alarm metrics an AWS::CloudWatch::Alarm is billed for, and whether it is high-resolution. */
function alarmMetrics(properties: Record<string, unknown> = {}): {
  metrics: number;
  highResolution: boolean;
} {
  const list = properties.Metrics as Array<{ MetricStat?: { Period?: number } }> | undefined;
  if (Array.isArray(list)) {
    const stats = list.filter((m) => m.MetricStat);
    return {
      metrics: Math.max(1, stats.length),
      highResolution: stats.some((m) => (m.MetricStat?.Period ?? 60) < 60),
    };
  }
  return { metrics: 1, highResolution: Number(properties.Period ?? 60) < 60 };
}

/** The monthly cost at zero traffic of a synthesized template (`Template.fromStack(s).toJSON()`). */
export function idleCostPerMonth(
  template: { Resources?: Resources },
  prices: typeof IDLE_PRICES = IDLE_PRICES,
): IdleCost {
  const resources = Object.values(template.Resources ?? {});
  const count = (type: string) => resources.filter((r) => r.Type === type).length;
  let standard = 0;
  let high = 0;
  for (const alarm of resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm')) {
    const { metrics, highResolution } = alarmMetrics(alarm.Properties);
    if (highResolution) high += metrics;
    else standard += metrics;
  }
  const secrets = count('AWS::SecretsManager::Secret');
  const keys = count('AWS::KMS::Key');
  const composites = count('AWS::CloudWatch::CompositeAlarm');
  const dashboards = count('AWS::CloudWatch::Dashboard');
  const sqsMappings = resources.filter(
    (r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(r.Properties?.EventSourceArn ?? '').match(/Queue|sqs/i),
  ).length;
  const receivesPerMonth = (IDLE_SQS_POLLERS * SECONDS_PER_MONTH) / SQS_LONG_POLL_SECONDS;
  const perUnit = (item: string, n: number, price: { usd: number }): IdleLine => ({
    item,
    count: n,
    usd: n * price.usd,
    how: `${n} × $${price.usd}`,
  });
  const lines: IdleLine[] = [
    perUnit('Secrets Manager secrets', secrets, prices.secretsManagerPerSecretMonth),
    perUnit('KMS customer-managed keys', keys, prices.kmsKeyPerMonth),
    {
      item: 'CloudWatch alarm metrics',
      count: standard + high,
      usd: standard * prices.alarmMetricMonth.usd + high * prices.highResolutionAlarmMetricMonth.usd,
      how: `${count('AWS::CloudWatch::Alarm')} alarms reading ${standard} standard + ${high} high-resolution metrics`,
    },
    perUnit('CloudWatch composite alarms', composites, prices.compositeAlarmMonth),
    perUnit('CloudWatch dashboards', dashboards, prices.dashboardMonth),
    {
      item: 'SQS polling by Lambda (idle)',
      count: sqsMappings,
      usd: (sqsMappings * receivesPerMonth * prices.sqsPerMillion.usd) / 1e6,
      how: `${sqsMappings} queue(s) × ${IDLE_SQS_POLLERS} pollers × one ${SQS_LONG_POLL_SECONDS} s receive = ${Math.round(receivesPerMonth / 1000)}k requests/month each`,
    },
  ];
  const rounded = lines.map((l) => ({ ...l, usd: Math.round(l.usd * 100) / 100 }));
  return { lines: rounded, total: Math.round(rounded.reduce((s, l) => s + l.usd, 0) * 100) / 100 };
}
