import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { GatewayResponseMetrics } from './access-log-metrics';
import { HappIngressKind, type HappIngressBindProps, type HappRoute, type IHappIngress } from './types';

/** Stage name of the HTTP API: `$default`, served at the root of the API's URL (no stage in the path). */
export const HTTP_API_STAGE_NAME = '$default';

/** Options only the HTTP API has. */
export interface HttpApiIngressOptions {
  /**
   * Per-route metrics (`AWS/ApiGateway` with dimensions `ApiId`, `Stage`, `Method`, `Resource`): each
   * route's metrics are CloudWatch custom metrics, billed per metric per month. The receiver's alarms
   * use the stage's metrics and do not need them.
   *
   * @default false
   */
  readonly detailedMetrics?: boolean;
}

/** Everything the HTTP API ingress is built from. */
export interface HttpApiIngressProps extends HappIngressBindProps, HttpApiIngressOptions {}

/** What `HappIngress.httpApi()` refuses, with the reason and the way out. */
const REST_ONLY: Record<string, string> = {
  webAclArn:
    'HTTP APIs cannot be associated with AWS WAF; put CloudFront with a web ACL in front of the HTTP API, or use HappIngress.restApi()',
  createApiGatewayCloudWatchRole:
    'HTTP APIs write access logs without the account-level API Gateway CloudWatch role (there is nothing to create or skip); remove it, or use HappIngress.restApi()',
};

/** Fails at synth when a REST-only option reaches the HTTP API (on the receiver or in the options). */
export function refuseRestOnlyOptions(props: object, where: string): void {
  for (const [name, reason] of Object.entries(REST_ONLY)) {
    const value = (props as Record<string, unknown>)[name];
    if (value !== undefined) {
      throw new Error(
        `${name} is a REST API option (given ${JSON.stringify(value)} ${where}) and this receiver uses HappIngress.httpApi(): ${reason}`,
      );
    }
  }
}

/**
 * The HTTP API front door (API Gateway v2, payload format 2.0), built in the receiver's scope
 * (construct ids `AccessLogs`, `HttpApi`, `HttpStage`, `CustomDomain`, `ApiMapping`: they are a
 * contract). One `$default` stage, deployed automatically on every change, throttled, with JSON access
 * logs. Every route is a Lambda proxy integration without authorizer: Happ cannot send IAM, JWT or
 * token credentials, so every request is authenticated by its HMAC signature in the function.
 *
 * What it does not have, compared with the REST API: AWS WAF, request validation, per-method
 * settings, execution logs. The receiver uses none of them (the verifier validates every request).
 */
export class HttpApiIngress implements IHappIngress {
  public readonly kind = HappIngressKind.HTTP_API;
  /** The HTTP API. */
  public readonly api: apigwv2.HttpApi;
  /** Its `$default` stage (auto-deployed, throttled, access-logged). */
  public readonly stage: apigwv2.HttpStage;
  /** The stage's URL (`https://{api-id}.execute-api.{region}.amazonaws.com/`), or the custom domain's. */
  public readonly url: string;
  /** Access log group: one JSON line per request; never headers or bodies. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The custom domain (TLS 1.2), when `domainName` is set; point DNS at its `regionalDomainName`. */
  public readonly domain?: apigwv2.DomainName;
  /** The mapping of the custom domain's root to the stage, when `domainName` is set. */
  public readonly apiMapping?: apigwv2.ApiMapping;

  private readonly domainName?: string;
  private readonly integrations = new Map<lambda.IFunction, HttpLambdaIntegration>();
  private readonly gatewayResponses: GatewayResponseMetrics;

  constructor(scope: Construct, props: HttpApiIngressProps) {
    refuseRestOnlyOptions(props, 'to the ingress');
    this.domainName = props.domainName;
    this.accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', { retention: props.logRetention });
    this.api = new apigwv2.HttpApi(scope, 'HttpApi', {
      apiName: props.apiName,
      description: props.description,
      // The stage below carries throttling and access logs, which the default stage cannot.
      createDefaultStage: false,
    });
    this.stage = new apigwv2.HttpStage(scope, 'HttpStage', {
      httpApi: this.api,
      stageName: HTTP_API_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit, burstLimit: props.throttlingBurstLimit },
      detailedMetricsEnabled: props.detailedMetrics ?? false,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: httpApiAccessLogFormat(),
      },
    });
    this.gatewayResponses = new GatewayResponseMetrics(scope, this.accessLogGroup, this.api.apiId, 'number');

    if (props.domainName && props.certificate) {
      this.domain = new apigwv2.DomainName(scope, 'CustomDomain', {
        domainName: props.domainName,
        certificate: props.certificate,
        endpointType: apigwv2.EndpointType.REGIONAL,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      this.apiMapping = new apigwv2.ApiMapping(scope, 'ApiMapping', {
        api: this.api,
        domainName: this.domain,
        stage: this.stage,
      });
      this.apiMapping.node.addDependency(this.stage);
    }
    this.url = this.domainName ? `https://${this.domainName}/` : this.stage.url;
    this.acknowledgeFindings();
  }

  public urlForPath(path: string): string {
    const relative = path.replace(/^\/+/, '');
    // stage.url ends with a slash ($default is served at the root).
    return this.domainName ? `https://${this.domainName}/${relative}` : `${this.stage.url}${relative}`;
  }

  public addRoute(route: HappRoute): void {
    const method = route.method.toUpperCase();
    if (!(Object.values(apigwv2.HttpMethod) as string[]).includes(method)) {
      throw new Error(
        `route method must be one of ${Object.values(apigwv2.HttpMethod).join(', ')} (given ${route.method})`,
      );
    }
    let integration = this.integrations.get(route.handler);
    if (!integration) {
      integration = new HttpLambdaIntegration(`Integration${this.integrations.size}`, route.handler, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      });
      this.integrations.set(route.handler, integration);
    }
    this.api.addRoutes({
      path: `/${route.path.replace(/^\/+/, '')}`,
      methods: [method as apigwv2.HttpMethod],
      integration,
    });
  }

  public metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('5xx', { statistic: 'Sum', ...props });
  }

  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Latency', { statistic: 'p99', ...props });
  }

  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('IntegrationLatency', { statistic: 'p99', ...props });
  }

  /** Requests answered 4xx by the stage (throttled 429s included; statistic Sum, 5 minutes unless given). */
  public metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('4xx', { statistic: 'Sum', ...props });
  }

  /** A metric of this API's stage (`AWS/ApiGateway`, dimensions `ApiId` and `Stage`; 5 minutes unless given). */
  public metricThrottled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gatewayResponses.metric('throttled', props);
  }

  public metricRequestTooLarge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gatewayResponses.metric('requestTooLarge', props);
  }

  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiId: this.api.apiId, Stage: HTTP_API_STAGE_NAME },
      ...props,
      period: props.period ?? Duration.minutes(5),
    });
  }

  private acknowledgeFindings(): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Happ cannot sign requests with IAM, a JWT or a Lambda authorizer token; every request is authenticated by its HMAC-SHA256 signature in the verifier, which answers 401 otherwise.',
    });
  }
}

/**
 * One JSON line per request. No headers, no bodies, no query string: the signature header must never
 * reach a log. `status` is a JSON number (a metric filter `{ $.status = 429 }` matches it); the other
 * values are strings, because API Gateway writes `-` for a value it does not have (no integration).
 */
export function httpApiAccessLogFormat(): apigw.AccessLogFormat {
  const fields: Record<string, string> = {
    requestId: '$context.requestId',
    apiId: '$context.apiId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    errorMessage: '$context.error.message',
    integrationErrorMessage: '$context.integrationErrorMessage',
    // THROTTLED, REQUEST_TOO_LARGE, …: when API Gateway answered itself (for the reader of the log).
    errorResponseType: '$context.error.responseType',
  };
  const body = Object.entries(fields)
    .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join(',');
  return apigw.AccessLogFormat.custom(`{${body},"status":$context.status}`);
}
