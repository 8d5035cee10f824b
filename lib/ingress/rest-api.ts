import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { GatewayResponseMetrics } from './access-log-metrics';
import { HappIngressKind, type HappIngressBindProps, type HappRoute, type IHappIngress } from './types';

/** Stage name of the REST API; part of the URLs. */
export const REST_API_STAGE_NAME = 'prod';

/** Options only the REST API has. */
export interface RestApiIngressOptions {
  /**
   * Create the account-level IAM role API Gateway needs to write logs, and register it in the
   * account's API Gateway settings (`AWS::ApiGateway::Account`, retained on delete). Set `false`
   * when the account (region) already has one: there is one such setting per account and region.
   * (Also accepted as the receiver's top-level prop.)
   *
   * @default true
   */
  readonly createApiGatewayCloudWatchRole?: boolean;

  /**
   * ARN of a WAFv2 web ACL (scope REGIONAL) to associate with the API stage. (WAFv2 has no L2
   * construct with an interface to take instead.) (Also accepted as the receiver's top-level prop.)
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;
}

/** Everything the REST API ingress is built from. */
export interface RestApiIngressProps extends HappIngressBindProps, RestApiIngressOptions {}

/**
 * The REST API front door, built in the receiver's scope (construct ids `AccessLogs`, `Api`,
 * `ExecutionLogs`, `CustomDomain`, `WebAclAssociation`: they are a contract, renaming replaces them).
 * Every route is a Lambda proxy integration without authorizer: Happ cannot send IAM or token
 * credentials, so every request is authenticated by its HMAC signature in the function.
 */
export class RestApiIngress implements IHappIngress {
  public readonly kind = HappIngressKind.REST_API;
  /** The REST API (regional). */
  public readonly api: apigw.RestApi;
  /** Its deployment stage (`prod`). */
  public readonly stage: apigw.Stage;
  /** Access log group: one JSON line per request; never headers or bodies. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The stage's execution log group (errors only), pre-created to set its retention. */
  public readonly executionLogGroup: logs.LogGroup;
  /** The custom domain, when `domainName` is set. */
  public readonly domain?: apigw.DomainName;
  /** The web ACL association, when `webAclArn` is set. */
  public readonly webAclAssociation?: wafv2.CfnWebACLAssociation;

  private readonly domainName?: string;
  private readonly gatewayResponses: GatewayResponseMetrics;
  private readonly integrations = new Map<lambda.IFunction, apigw.LambdaIntegration>();

  constructor(scope: Construct, props: RestApiIngressProps) {
    this.domainName = props.domainName;
    this.accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', { retention: props.logRetention });
    const createCloudWatchRole = props.createApiGatewayCloudWatchRole ?? true;
    this.api = new apigw.RestApi(scope, 'Api', {
      restApiName: props.apiName,
      description: props.description,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Every body reaches the function base64-encoded, byte for byte: the HMAC is over raw bytes.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: createCloudWatchRole,
      // One setting per account and region: keep it when this stack goes, other APIs rely on it.
      cloudWatchRoleRemovalPolicy: createCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: REST_API_STAGE_NAME,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Data trace would log full requests: signatures and payloads. Never.
        dataTraceEnabled: false,
        metricsEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
      },
    });
    this.stage = this.api.deploymentStage;
    // API Gateway creates this log group on first error, with no retention; own it instead.
    this.executionLogGroup = new logs.LogGroup(scope, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${REST_API_STAGE_NAME}`,
      retention: props.logRetention,
    });
    this.stage.node.addDependency(this.executionLogGroup);
    // RestApi adds a stack output named Endpoint (the stage URL); the receiver exposes route URLs instead.
    this.api.node.tryRemoveChild('Endpoint');
    this.acknowledgeFindings(props, createCloudWatchRole);
    announceAccountRole(scope, createCloudWatchRole);
    this.addGatewayResponses();
    this.gatewayResponses = new GatewayResponseMetrics(
      scope,
      this.accessLogGroup,
      this.api.restApiId,
      'string',
    );

    if (props.domainName && props.certificate) {
      this.domain = this.api.addDomainName('CustomDomain', {
        domainName: props.domainName,
        certificate: props.certificate,
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
    }
    if (props.webAclArn) {
      this.webAclAssociation = new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
        resourceArn: this.stage.stageArn,
        webAclArn: props.webAclArn,
      });
      // stageArn is a formatted string, not a reference: order the association after the stage.
      this.webAclAssociation.node.addDependency(this.stage);
    }
  }

  public urlForPath(path: string): string {
    const relative = path.replace(/^\/+/, '');
    return this.domainName ? `https://${this.domainName}/${relative}` : this.api.urlForPath(`/${relative}`);
  }

  public addRoute(route: HappRoute): void {
    let integration = this.integrations.get(route.handler);
    if (!integration) {
      integration = new apigw.LambdaIntegration(route.handler, { proxy: true, allowTestInvoke: false });
      this.integrations.set(route.handler, integration);
    }
    this.api.root
      .resourceForPath(route.path.replace(/^\/+/, ''))
      .addMethod(route.method, integration, { authorizationType: apigw.AuthorizationType.NONE });
  }

  public metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('5XXError', { statistic: 'Sum', ...props });
  }

  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Latency', { statistic: 'p99', ...props });
  }

  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('IntegrationLatency', { statistic: 'p99', ...props });
  }

  public metricThrottled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gatewayResponses.metric('throttled', props);
  }

  public metricRequestTooLarge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.gatewayResponses.metric('requestTooLarge', props);
  }

  /** A metric of this API's stage (`AWS/ApiGateway`, dimensions `ApiName` and `Stage`). */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return restApiMetric(this.api.restApiName, REST_API_STAGE_NAME, metricName, props);
  }

  /**
   * What API Gateway answers itself (before or instead of the verifier), in the verifier's shape:
   * JSON `{"message": …}`. An unknown path or method is a 404 (API Gateway's own answer is a 403
   * "Missing Authentication Token", which reads like an auth problem); throttled requests get
   * `Retry-After`.
   */
  private addGatewayResponses(): void {
    const json = (message: string) => ({ 'application/json': JSON.stringify({ message }) });
    const headers = { 'Content-Type': "'application/json'" };
    for (const [id, type, statusCode, templates, extra] of [
      ['NotFound', apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, '404', json('not found'), {}],
      ['TooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, '413', json('request body too large'), {}],
      ['Throttled', apigw.ResponseType.THROTTLED, '429', json('too many requests'), { 'Retry-After': "'1'" }],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, undefined, GATEWAY_ERROR_TEMPLATE, {}],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, undefined, GATEWAY_ERROR_TEMPLATE, {}],
    ] as const) {
      this.api.addGatewayResponse(`GatewayResponse${id}`, {
        type,
        statusCode,
        templates,
        responseHeaders: { ...headers, ...extra },
      });
    }
  }

  private acknowledgeFindings(props: RestApiIngressProps, createCloudWatchRole: boolean): void {
    const api = Validations.of(this.api);
    api.acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'The body must reach the verifier byte for byte for the HMAC check; the verifier validates the request itself (signature → 401, size → 413) and API Gateway request validation would answer 400 before it counts as a signature failure.',
    });
    api.acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Happ cannot sign requests with IAM, Cognito or a custom authorizer token; every request is authenticated by its HMAC-SHA256 signature in the verifier, which answers 401 otherwise.',
    });
    api.acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Happ, a third-party sender, cannot obtain Cognito tokens; requests are authenticated by HMAC signature.',
    });
    if (!props.webAclArn) {
      api.acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          "A web ACL costs per month and per request and its rules are the owner's choice; unsigned requests are rejected by the verifier and the stage is throttled. Set webAclArn to associate one.",
      });
    }
    if (createCloudWatchRole) {
      api.acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The account-level API Gateway logging role uses AmazonAPIGatewayPushToCloudWatchLogs, the AWS-documented policy for it; API Gateway writes every API's logs in the account with it.",
      });
    }
  }
}

/**
 * The API Gateway CloudWatch role is one setting per account and region, and the stage's logs need it.
 * Creating it (the default: a first deploy works in every account) replaces whatever role is set,
 * perhaps a landing zone's; not creating it fails the deploy where none is set. Either way, say so.
 */
function announceAccountRole(scope: Construct, created: boolean): void {
  const region = Stack.of(scope).region;
  const where = Token.isUnresolved(region) ? 'the region it is deployed to' : region;
  if (created) {
    Annotations.of(scope).addWarningV2(
      'cdk-happ-webhooks:apiGatewayAccountRole',
      `this stack sets the account-wide API Gateway CloudWatch Logs role of ${where} (AWS::ApiGateway::Account, retained on delete), replacing any role already set there, e.g. by a landing zone or another team. ` +
        'If the account has one (aws apigateway get-account --query cloudwatchRoleArn), set createApiGatewayCloudWatchRole: false; otherwise acknowledge this warning',
    );
  } else {
    Annotations.of(scope).addInfo(
      `createApiGatewayCloudWatchRole is false: the account must already have an API Gateway CloudWatch Logs role set in ${where} (aws apigateway get-account --query cloudwatchRoleArn), or the stage fails to deploy with "CloudWatch Logs role ARN must be set in account settings to enable logging"`,
    );
  }
}

/** API Gateway's own error message, as JSON (`messageString` is already a quoted JSON string). */
const GATEWAY_ERROR_TEMPLATE = { 'application/json': '{"message":$context.error.messageString}' };

/** `AWS/ApiGateway` metric of a REST API stage (dimensions `ApiName`, `Stage`; 5 minutes unless given). */
export function restApiMetric(
  apiName: string,
  stageName: string,
  metricName: string,
  props: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: { ApiName: apiName, Stage: stageName },
    ...props,
    period: props.period ?? Duration.minutes(5),
  });
}

function accessLogFormat(): apigw.AccessLogFormat {
  // No headers, no bodies: the signature header must never reach a log.
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: apigw.AccessLogField.contextRequestId(),
      apiId: apigw.AccessLogField.contextApiId(),
      requestTime: apigw.AccessLogField.contextRequestTime(),
      ip: apigw.AccessLogField.contextIdentitySourceIp(),
      userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
      httpMethod: apigw.AccessLogField.contextHttpMethod(),
      resourcePath: apigw.AccessLogField.contextResourcePath(),
      protocol: apigw.AccessLogField.contextProtocol(),
      status: apigw.AccessLogField.contextStatus(),
      responseLength: apigw.AccessLogField.contextResponseLength(),
      responseLatency: apigw.AccessLogField.contextResponseLatency(),
      integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
      integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
      errorMessage: apigw.AccessLogField.contextErrorMessage(),
      // THROTTLED, REQUEST_TOO_LARGE, …: when API Gateway answered itself (for the reader of the log).
      errorResponseType: apigw.AccessLogField.contextErrorResponseType(),
    }),
  );
}
