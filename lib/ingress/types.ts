import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';

/** Which kind of front door an ingress is. */
export enum HappIngressKind {
  /** API Gateway REST API (regional). */
  REST_API = 'rest-api',
  /** API Gateway HTTP API. */
  HTTP_API = 'http-api',
}

/** One route of the front door: `method path` → a Lambda function (proxy integration). */
export interface HappRoute {
  /** Path below the root, without a leading slash, e.g. `chat` or `tools/lookup-order`. */
  readonly path: string;
  /** HTTP method, upper-case (`POST`, `GET`, ...). */
  readonly method: string;
  /** The function that answers it (the verifier, or a tool's function). */
  readonly handler: lambda.IFunction;
}

/** What the receiver hands its ingress when it builds it. */
export interface HappIngressBindProps {
  /** Name of the API (readable in the console; `ApiName` dimension of REST API metrics). */
  readonly apiName: string;
  /** Description of the API. */
  readonly description: string;
  /** Steady-state requests per second of the stage. */
  readonly throttlingRateLimit: number;
  /** Burst of requests above the rate. */
  readonly throttlingBurstLimit: number;
  /** Retention of the log groups the ingress creates. */
  readonly logRetention: logs.RetentionDays;
  /** Custom domain name (with `certificate`). @default - the default endpoint only */
  readonly domainName?: string;
  /** Certificate of `domainName`. @default - none */
  readonly certificate?: ICertificate;
  /**
   * The receiver's top-level `createApiGatewayCloudWatchRole` (REST API only).
   * @default - the ingress's own default
   */
  readonly createApiGatewayCloudWatchRole?: boolean;
  /** The receiver's top-level `webAclArn` (REST API only). @default - no web ACL */
  readonly webAclArn?: string;
}

/** The front door's metrics the receiver's alarms and dashboard use. */
export interface IHappIngressMetrics {
  /** Requests answered 5xx by the front door (statistic Sum, 5 minutes unless given). */
  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time from request to answer as the client sees it (statistic p99, 5 minutes unless given). */
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time spent in the integration, i.e. the function (statistic p99, 5 minutes unless given). */
  metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /**
   * Requests the front door throttled (429) before they reached the function (statistic Sum, 5
   * minutes unless given). Undefined when the front door cannot count them (a bare REST API handed to
   * `ReceiverMonitoring` without its access log).
   */
  metricThrottled?(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests the front door refused as too large (413) before they reached the function (Sum). */
  metricRequestTooLarge?(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** The front door once built: its URLs, its routes, its logs and the metrics the alarms watch. */
export interface IHappIngress extends IHappIngressMetrics {
  /** Which kind of front door this is. */
  readonly kind: HappIngressKind;
  /** Access log group: one JSON line per request, never headers or bodies. */
  readonly accessLogGroup: logs.LogGroup;
  /** The `https://` URL of a route path (`chat` → `https://…/chat`). */
  urlForPath(path: string): string;
  /** Adds a route (the receiver adds `POST /chat` and `POST /call`; tools add theirs). */
  addRoute(route: HappRoute): void;
}
