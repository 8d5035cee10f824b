import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, TOOL_DIMENSION, ToolMetric } from '../../lambda/shared/metrics';
import { describeToolAlarm, TOOL_ALARMS } from './tool-catalog';

/** One tool's alarms. */
export interface HappToolAlarms {
  /** 500/503/504 answers (function threw, timed out, dependency failed) or Lambda errors: ≥ 1 in 5 minutes. Page. */
  readonly errors: cloudwatch.Alarm;
  /** p99 duration ≥ 80% of the tool's timeout, 3 periods of 5 minutes in a row. Ticket. */
  readonly latency: cloudwatch.Alarm;
  /** 401 answers: ≥ 5 in 5 minutes. Page. */
  readonly signatureFailures: cloudwatch.Alarm;
  /** Lambda throttles: ≥ 1 in 5 minutes, twice in a row. Page. */
  readonly throttles: cloudwatch.Alarm;
}

export interface ToolMonitoringProps {
  readonly toolName: string;
  readonly function: lambda.IFunction;
  readonly timeout: Duration;
  readonly alarmActions: readonly cloudwatch.IAlarmAction[];
  readonly dashboard?: cloudwatch.Dashboard;
}

/** Share of the tool's timeout above which the p99 duration alarms. */
export const TOOL_LATENCY_ALARM_RATIO = 0.8;
const FIVE_MINUTES = Duration.minutes(5);

/** A tool metric (namespace HappWebhooks, dimension Tool only, as happTool emits it). */
export function toolMetric(toolName: string, metricName: ToolMetric, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [TOOL_DIMENSION]: toolName },
    statistic,
    period: FIVE_MINUTES,
  });
}

/** The alarms (notifying `alarmActions`, ALARM and OK) and a dashboard row of one tool. */
export function createToolMonitoring(scope: Construct, props: ToolMonitoringProps): HappToolAlarms {
  const name = props.toolName;
  const fn = props.function;
  const monitoring = new Construct(scope, 'Monitoring');
  const alarm = (
    id: string,
    entry: (typeof TOOL_ALARMS)[keyof typeof TOOL_ALARMS],
    metric: cloudwatch.IMetric,
    threshold: number,
    evaluationPeriods: number,
  ) => {
    const a = new cloudwatch.Alarm(monitoring, id, {
      metric,
      threshold,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeToolAlarm(entry, name),
    });
    for (const action of props.alarmActions) {
      a.addAlarmAction(action);
      a.addOkAction(action);
    }
    return a;
  };
  const errorsExpression = new cloudwatch.MathExpression({
    expression: 'FILL(failures, 0) + FILL(timeouts, 0) + FILL(lambdaErrors, 0)',
    usingMetrics: {
      failures: toolMetric(name, ToolMetric.FAILURE),
      timeouts: toolMetric(name, ToolMetric.TIMEOUT),
      lambdaErrors: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
    },
    period: FIVE_MINUTES,
    label: 'Errors (500/503/504 + Lambda errors)',
  });
  const latencyThresholdMs = Math.round(props.timeout.toMilliseconds() * TOOL_LATENCY_ALARM_RATIO);
  const alarms: HappToolAlarms = {
    errors: alarm('Errors', TOOL_ALARMS.errors, errorsExpression, 1, 1),
    latency: alarm(
      'Latency',
      TOOL_ALARMS.latency,
      fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
      latencyThresholdMs,
      3,
    ),
    signatureFailures: alarm(
      'SignatureFailures',
      TOOL_ALARMS.signatureFailures,
      toolMetric(name, ToolMetric.SIGNATURE_INVALID),
      5,
      1,
    ),
    throttles: alarm(
      'Throttles',
      TOOL_ALARMS.throttles,
      fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      1,
      2,
    ),
  };
  props.dashboard?.addWidgets(
    new cloudwatch.GraphWidget({
      title: `Tool ${name}: calls by outcome`,
      width: 12,
      left: [
        [ToolMetric.ANSWERED, 'Answered (200)'],
        [ToolMetric.REPLAYED, 'Replayed (stored answer)'],
        [ToolMetric.TOOL_ERROR, 'HappToolError'],
        [ToolMetric.INVALID_PARAMETERS, 'Invalid parameters (400)'],
        [ToolMetric.SIGNATURE_INVALID, 'Signature invalid (401)'],
        [ToolMetric.FAILURE, 'Failure (500/503)'],
        [ToolMetric.TIMEOUT, 'Timeout (504)'],
      ].map(([metric, label]) => toolMetric(name, metric as ToolMetric).with({ label })),
    }),
    new cloudwatch.GraphWidget({
      title: `Tool ${name}: duration p99 against its timeout`,
      width: 12,
      left: [fn.metricDuration({ statistic: 'p99', period: FIVE_MINUTES })],
      leftAnnotations: [
        { value: props.timeout.toMilliseconds(), label: 'timeout' },
        { value: latencyThresholdMs, label: 'alarm' },
      ],
    }),
  );
  return alarms;
}
