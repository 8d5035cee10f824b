import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambda/shared/metrics';

/**
 * What API Gateway answered itself, counted from the access log: requests it throttled (429) or
 * refused as too large (413) never reach the verifier, and the front door's own 4XX metric mixes
 * them with every 401 and 404. Each access-log line carries `apiId` and `errorResponseType`
 * (`$context.error.responseType`, e.g. `THROTTLED`), and a metric filter turns the lines of one
 * response type into a count in the `HappWebhooks` namespace, dimension `ApiId`.
 */
export const GATEWAY_RESPONSE_METRICS = {
  /** `THROTTLED`: over the stage's rate or burst (429). */
  throttled: { responseType: 'THROTTLED', metricName: 'GatewayThrottled' },
  /** `REQUEST_TOO_LARGE`: a body over API Gateway's 10 MB (413). */
  requestTooLarge: { responseType: 'REQUEST_TOO_LARGE', metricName: 'GatewayRequestTooLarge' },
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
  ) {}

  public metric(name: GatewayResponseMetricName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    const { responseType, metricName } = GATEWAY_RESPONSE_METRICS[name];
    if (!this.filters.has(name)) {
      this.filters.set(
        name,
        new logs.MetricFilter(this.scope, `${metricName}Filter`, {
          logGroup: this.logGroup,
          filterPattern: logs.FilterPattern.stringValue('$.errorResponseType', '=', responseType),
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
