import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambda/shared/metrics';

/**
 * Requests refused before any work, counted from the access log: the front door's own 4XX metric
 * mixes them with every 401 and 404. Each access-log line carries `apiId` and `status`; a metric
 * filter turns the lines of one status into a count in the `HappWebhooks` namespace, dimension
 * `ApiId`. By status rather than `errorResponseType`: the verifier never answers 429, so every 429 is
 * API Gateway's throttle; and a 413 is a body too large wherever it was refused — API Gateway's
 * limits (10 MB, or a body too big for Lambda's 6 MB invoke once base64-encoded), or the verifier's
 * `maxBodySizeBytes` — which a retry can never fix.
 */
export const GATEWAY_RESPONSE_METRICS = {
  /** 429: over the stage's rate or burst. */
  throttled: { status: 429, metricName: 'GatewayThrottled' },
  /** 413: a body too large, refused by API Gateway or the verifier. */
  requestTooLarge: { status: 413, metricName: 'GatewayRequestTooLarge' },
} as const;

export type GatewayResponseMetricName = keyof typeof GATEWAY_RESPONSE_METRICS;

/**
 * Counts access-log lines of one gateway response type, on first use (one filter per log group and
 * type), and returns the metric (statistic Sum, 5 minutes unless given).
 */
export class GatewayResponseMetrics {
  private readonly filters = new Map<GatewayResponseMetricName, logs.MetricFilter>();

  constructor(
    private readonly scope: Construct,
    private readonly logGroup: logs.ILogGroup,
    private readonly apiId: string,
    /** How the access log writes `status`: a JSON string (REST API) or a bare number (HTTP API). */
    private readonly statusIs: 'string' | 'number',
  ) {}

  public metric(name: GatewayResponseMetricName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    const { status, metricName } = GATEWAY_RESPONSE_METRICS[name];
    if (!this.filters.has(name)) {
      this.filters.set(
        name,
        new logs.MetricFilter(this.scope, `${metricName}Filter`, {
          logGroup: this.logGroup,
          filterPattern:
            this.statusIs === 'number'
              ? logs.FilterPattern.numberValue('$.status', '=', status)
              : logs.FilterPattern.stringValue('$.status', '=', String(status)),
          metricNamespace: METRICS_NAMESPACE,
          metricName,
          metricValue: '1',
          dimensions: { ApiId: '$.apiId' },
          unit: cloudwatch.Unit.COUNT,
        }),
      );
    }
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { ApiId: this.apiId },
      statistic: 'Sum',
      ...props,
      period: props.period ?? Duration.minutes(5),
    });
  }
}
