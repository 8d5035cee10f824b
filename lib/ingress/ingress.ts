import type { Construct } from 'constructs';
import { HttpApiIngress, refuseRestOnlyOptions, type HttpApiIngressOptions } from './http-api';
import { RestApiIngress, type RestApiIngressOptions } from './rest-api';
import { HappIngressKind, type HappIngressBindProps, type IHappIngress } from './types';

/**
 * The receiver's front door, chosen with a static factory and passed as the receiver's `ingress` prop:
 *
 * ```ts
 * new HappWebhookReceiver(this, 'Happ', { ingress: HappIngress.restApi() });
 * ```
 */
export abstract class HappIngress {
  /** API Gateway REST API (regional): throttling, access and execution logs, WAF, custom domain. */
  public static restApi(options: RestApiIngressOptions = {}): HappIngress {
    return new RestApiIngressFactory(options);
  }

  /**
   * API Gateway HTTP API (payload format 2.0, `$default` stage): throttling, JSON access logs, custom
   * domain, at less than a third of the REST API's price per request. No AWS WAF, request validation
   * or execution logs (the REST-only props `webAclArn` and `createApiGatewayCloudWatchRole` are refused).
   */
  public static httpApi(options: HttpApiIngressOptions = {}): HappIngress {
    return new HttpApiIngressFactory(options);
  }

  /** Which kind of front door this builds. */
  public abstract readonly kind: HappIngressKind;

  /** Builds the front door in `scope` (the receiver calls this once). */
  public abstract bind(scope: Construct, props: HappIngressBindProps): IHappIngress;
}

class RestApiIngressFactory extends HappIngress {
  public readonly kind = HappIngressKind.REST_API;

  constructor(private readonly options: RestApiIngressOptions) {
    super();
  }

  public bind(scope: Construct, props: HappIngressBindProps): RestApiIngress {
    return new RestApiIngress(scope, {
      ...props,
      createApiGatewayCloudWatchRole: once(
        'createApiGatewayCloudWatchRole',
        props.createApiGatewayCloudWatchRole,
        this.options.createApiGatewayCloudWatchRole,
      ),
      webAclArn: once('webAclArn', props.webAclArn, this.options.webAclArn),
    });
  }
}

class HttpApiIngressFactory extends HappIngress {
  public readonly kind = HappIngressKind.HTTP_API;

  constructor(private readonly options: HttpApiIngressOptions) {
    super();
  }

  public bind(scope: Construct, props: HappIngressBindProps): HttpApiIngress {
    refuseRestOnlyOptions(props, 'on the receiver');
    refuseRestOnlyOptions(this.options, 'in HappIngress.httpApi()');
    return new HttpApiIngress(scope, { ...props, ...this.options });
  }
}

/** A REST-only option may be given on the receiver (as before ingresses existed) or on the ingress: once. */
function once<T>(name: string, onReceiver: T | undefined, onIngress: T | undefined): T | undefined {
  if (onReceiver !== undefined && onIngress !== undefined && onReceiver !== onIngress) {
    throw new Error(
      `${name} is given both on the receiver (${String(onReceiver)}) and in HappIngress.restApi() (${String(onIngress)}): give it once`,
    );
  }
  return onIngress ?? onReceiver;
}
