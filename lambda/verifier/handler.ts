/**
 * The verifier: `createHandler(config, deps?)` builds a Lambda handler for API Gateway REST proxy
 * events on `POST /chat` and `POST /call`. Per request: route → method → size → signature →
 * event type and idempotency key → claim the key (Powertools idempotency on DynamoDB) → publish
 * (SNS, S3 claim check when too large) → 202. Duplicates answer 200 and publish nothing.
 *
 * Everything that lives across requests (AWS clients, the secret cache, the idempotency store,
 * Logger, Metrics) is created once per handler, i.e. once per container. No state of one request
 * is kept on shared objects, so a handler may also serve concurrent requests (the CLI's `dev`).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type { HappSource } from '../shared/envelope';
import { METRICS_NAMESPACE, SOURCE_DIMENSION, VerifierMetric } from '../shared/metrics';
import { matchSignature, type SignatureScheme } from '../shared/signature';
import { resolveVerifierConfig, type ResolvedVerifierConfig, type VerifierConfig } from './config';
import {
  claimCheckedEnvelope,
  claimCheckKey,
  decodeBody,
  deriveIdempotencyKey,
  extractEventType,
  inlineEnvelope,
  messageAttributes,
  sha256Hex,
  snsMessageBytes,
  type EnvelopeHeader,
} from './delivery';
import {
  DeliveryInProgressError,
  Dependency,
  DependencyError,
  describeCause,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  SignatureInvalidError,
  VerifierError,
} from './errors';
import { isPost, readHeader, readRawBody, resolveSource, type VerifierEvent } from './request';
import { accepted, duplicate, errorResponse } from './responses';
import { SourceSecrets } from './secrets';

/** Idempotency records of the verifier are `happ-verifier#<hash>`: stable across function renames. */
export const IDEMPOTENCY_KEY_PREFIX = 'happ-verifier';
/**
 * Lease of an in-progress claim when no Lambda context is given (local use): a crashed holder's
 * claim is taken over after this long. In Lambda the lease is the invocation's remaining time.
 */
export const DEFAULT_LEASE_MS = 30_000;
/** Per-request socket timeouts of the AWS clients: keep well inside Happ's 5-second budget. */
export const CLIENT_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000 } as const;

/** Everything a handler uses from outside; each is created once per handler when not given. */
export interface VerifierDependencies {
  readonly sns?: SNSClient;
  readonly s3?: S3Client;
  readonly dynamodb?: DynamoDBClient;
  readonly secretsManager?: SecretsManagerClient;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Clock. @default Date.now */
  readonly now?: () => number;
  /** Envelope ids. @default crypto.randomUUID */
  readonly newId?: () => string;
}

export type VerifierHandler = (event: VerifierEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** The outcome logged for every request. */
type Outcome =
  | 'accepted'
  | 'duplicate'
  | 'in-progress'
  | 'signature-invalid'
  | 'route-not-found'
  | 'method-not-allowed'
  | 'too-large'
  | 'dependency-failure'
  | 'misconfigured'
  | 'error';

/** Per-request facts, logged once at the end (never the secret, the signature or the payload). */
interface RequestLog {
  source?: HappSource;
  type?: string;
  key?: string;
  keyFrom?: string;
  id?: string;
  bytes?: number;
  secret?: 'current' | 'previous';
  claimChecked?: boolean;
}

/** Invocation-local state shared with the idempotent function: was it run, did it publish? */
interface RunState {
  executed: boolean;
  published: boolean;
  id?: string;
}

interface AcceptResult {
  readonly id: string;
  readonly type: string;
  readonly claimChecked: boolean;
}

/** Builds a handler. Validates `config` now (throws InvalidConfigurationError naming the field). */
export function createHandler(config: VerifierConfig, deps: VerifierDependencies = {}): VerifierHandler {
  const cfg: ResolvedVerifierConfig = resolveVerifierConfig(config);
  // cacheMiddleware: the middleware stack is resolved once per command class instead of per request
  // (measured by `npm run bench`: ~12% less CPU per new delivery). Safe because nothing adds
  // middleware after construction: Powertools adds its user-agent middleware below, before any call.
  const clientConfig = { requestHandler: CLIENT_TIMEOUTS, cacheMiddleware: true };
  const sns = deps.sns ?? new SNSClient(clientConfig);
  const s3 = deps.s3 ?? new S3Client(clientConfig);
  const dynamodb = deps.dynamodb ?? new DynamoDBClient(clientConfig);
  const secretsManager = deps.secretsManager ?? new SecretsManagerClient(clientConfig);
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;

  const secrets = new SourceSecrets({
    provider: new SecretsProvider({ awsSdkV3Client: secretsManager }),
    ttlSeconds: cfg.secretsCacheTtlSeconds,
    refreshIntervalMs: cfg.secretRefreshIntervalMs,
    now,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: cfg.tableName,
    keyAttr: 'id',
    expiryAttr: 'expiration',
    awsSdkV3Client: dynamodb,
  });
  const scheme: SignatureScheme = { encodings: cfg.signatureEncodings, prefix: cfg.signaturePrefix };

  /** Publishes one delivery: S3 first when too large, then SNS. Runs at most once per key. */
  async function publish(
    _claim: { key: string },
    run: RunState,
    delivery: {
      source: HappSource;
      type: string;
      key: string;
      raw: Buffer;
      body: ReturnType<typeof decodeBody>;
    },
  ): Promise<AcceptResult> {
    run.executed = true;
    const receivedAt = new Date(now());
    const header: EnvelopeHeader = {
      id: newId(),
      source: delivery.source,
      type: delivery.type,
      receivedAt: receivedAt.toISOString(),
      idempotencyKey: delivery.key,
    };
    const attributes = messageAttributes(delivery.source, delivery.type);
    let message = JSON.stringify(inlineEnvelope(header, delivery.body));
    let claimChecked = false;
    if (snsMessageBytes(message, attributes) > cfg.claimCheckThresholdBytes) {
      const key = claimCheckKey(delivery.source, header.id, receivedAt);
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: cfg.bucketName,
            Key: key,
            Body: delivery.raw,
            ContentLength: delivery.raw.length,
            ServerSideEncryption: 'AES256',
            Metadata: { source: delivery.source, 'envelope-id': header.id },
          }),
        );
      } catch (error) {
        throw new DependencyError(Dependency.S3, 'PutObject', { cause: error });
      }
      message = JSON.stringify(
        claimCheckedEnvelope(header, {
          bucket: cfg.bucketName,
          key,
          size: delivery.raw.length,
          sha256: sha256Hex(delivery.raw),
        }),
      );
      claimChecked = true;
    }
    try {
      await sns.send(
        new PublishCommand({ TopicArn: cfg.topicArn, Message: message, MessageAttributes: attributes }),
      );
    } catch (error) {
      throw new DependencyError(Dependency.SNS, 'Publish', { cause: error });
    }
    run.published = true;
    run.id = header.id;
    return { id: header.id, type: delivery.type, claimChecked };
  }

  /** One claim per request: the lease follows this invocation's remaining time. */
  function claimFor(context: Context | undefined) {
    const idempotencyConfig = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      expiresAfterSeconds: cfg.dedupeWindowSeconds,
      hashFunction: 'sha256',
      throwOnNoIdempotencyKey: true,
    });
    idempotencyConfig.registerLambdaContext(context ?? localContext());
    return makeIdempotent(publish, {
      persistenceStore,
      config: idempotencyConfig,
      keyPrefix: IDEMPOTENCY_KEY_PREFIX,
      dataIndexArgument: 0,
    });
  }

  function emit(source: HappSource | undefined, names: VerifierMetric[]): void {
    if (!source || names.length === 0) return;
    // Synchronous from here to the flush, so concurrent requests cannot mix their dimensions.
    metrics.addDimension(SOURCE_DIMENSION, source);
    for (const name of names) metrics.addMetric(name, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }

  return async function handler(event: VerifierEvent, context?: Context): Promise<APIGatewayProxyResult> {
    const facts: RequestLog = {};
    const requestId = context?.awsRequestId;
    const finish = (
      outcome: Outcome,
      response: APIGatewayProxyResult,
      metricNames: VerifierMetric[],
      level: 'info' | 'warn' | 'error' = 'info',
      extra: Record<string, unknown> = {},
    ): APIGatewayProxyResult => {
      emit(facts.source, metricNames);
      logger[level](`delivery ${outcome}`, {
        outcome,
        status: response.statusCode,
        ...facts,
        ...(requestId ? { requestId } : {}),
        ...extra,
      });
      return response;
    };

    const run: RunState = { executed: false, published: false };
    try {
      const source = resolveSource(event);
      facts.source = source;
      const secretId = source ? cfg.secretArns[source] : undefined;
      if (!source || !secretId) {
        facts.source = undefined; // no metrics for a route that does not exist
        throw new RouteNotFoundError(`no enabled route for ${safePath(event)}`);
      }
      if (!isPost(event)) throw new MethodNotAllowedError(`method ${String(event.httpMethod).slice(0, 16)}`);
      const raw = readRawBody(event);
      facts.bytes = raw.length;
      if (cfg.maxBodySizeBytes !== undefined && raw.length > cfg.maxBodySizeBytes) {
        throw new PayloadTooLargeError(raw.length, cfg.maxBodySizeBytes);
      }

      const signature = readHeader(event, cfg.signatureHeader);
      if (signature === undefined || signature.trim() === '') throw new SignatureInvalidError('missing');
      let active = await secrets.get(secretId);
      let matched = matchSignature(raw, signature, active, scheme);
      if (matched < 0 && secrets.mayRefresh(secretId)) {
        // Maybe the secret was rotated since it was cached: look once more, bypassing the cache.
        active = await secrets.get(secretId, { forceFetch: true });
        matched = matchSignature(raw, signature, active, scheme);
      }
      if (matched < 0) throw new SignatureInvalidError('mismatch');
      facts.secret = matched === 0 ? 'current' : 'previous';

      const body = decodeBody(raw);
      const type = extractEventType(body, cfg.typeFields);
      const { key, from } = deriveIdempotencyKey(source, raw, body, cfg.idempotencyKeyFields);
      Object.assign(facts, { type, key, keyFrom: from });

      const result = await claimFor(context)({ key }, run, { source, type, key, raw, body });
      facts.id = result.id;
      if (!run.executed) {
        return finish('duplicate', duplicate(result.id), [VerifierMetric.DUPLICATE]);
      }
      facts.claimChecked = result.claimChecked;
      return finish('accepted', accepted(result.id), acceptedMetrics(result));
    } catch (caught) {
      const error = classify(caught, run);
      if (error === 'published') {
        // Published, but the claim could not be marked completed: the delivery IS stored, so
        // acknowledge it (a 5xx would make Happ retry and, once the lease expires, publish again).
        facts.id = run.id;
        return finish(
          'accepted',
          accepted(run.id as string),
          [VerifierMetric.ACCEPTED, VerifierMetric.DEPENDENCY_FAILURE],
          'warn',
          {
            dependency: Dependency.DYNAMODB,
            error: describeCause((caught as Error).cause ?? caught),
            note: 'published, but the idempotency record could not be marked completed',
          },
        );
      }
      return finishError(error, finish);
    }
  };
}

function acceptedMetrics(result: AcceptResult): VerifierMetric[] {
  const names: VerifierMetric[] = [VerifierMetric.ACCEPTED];
  if (result.type === 'unknown') names.push(VerifierMetric.UNKNOWN_TYPE);
  if (result.claimChecked) names.push(VerifierMetric.CLAIM_CHECKED);
  return names;
}

/** Infrastructure errors → domain errors, at this one boundary. */
function classify(caught: unknown, run: RunState): VerifierError | 'published' {
  if (caught instanceof VerifierError) return caught;
  const name = (caught as { name?: unknown })?.name;
  if (name === 'IdempotencyAlreadyInProgressError') return new DeliveryInProgressError({ cause: caught });
  if (caught instanceof IdempotencyPersistenceLayerError || name === 'IdempotencyPersistenceLayerError') {
    if (run.published) return 'published';
    return new DependencyError(Dependency.DYNAMODB, 'idempotency record', {
      cause: (caught as Error).cause ?? caught,
    });
  }
  if (typeof name === 'string' && name.startsWith('Idempotency')) {
    // Inconsistent state after Powertools' own retries, or a record that vanished mid-flight.
    return new DependencyError(Dependency.DYNAMODB, 'idempotency claim', { cause: caught });
  }
  return new UnexpectedError(caught);
}

class UnexpectedError extends VerifierError {
  public override readonly name = 'UnexpectedError';
  public readonly statusCode = 500;
  public readonly publicMessage = 'internal error';
  constructor(cause: unknown) {
    super(describeCause(cause), { cause });
  }
}

type Finish = (
  outcome: Outcome,
  response: APIGatewayProxyResult,
  metricNames: VerifierMetric[],
  level?: 'info' | 'warn' | 'error',
  extra?: Record<string, unknown>,
) => APIGatewayProxyResult;

/** Domain error → status, metric, log level: in one place. */
function finishError(error: VerifierError, finish: Finish): APIGatewayProxyResult {
  const response = errorResponse(error);
  switch (error.name) {
    case 'RouteNotFoundError':
      return finish('route-not-found', response, [], 'info', { reason: error.message });
    case 'MethodNotAllowedError':
      return finish('method-not-allowed', response, [], 'info', { reason: error.message });
    case 'PayloadTooLargeError':
      return finish('too-large', response, [], 'warn', { reason: error.message });
    case 'SignatureInvalidError':
      return finish('signature-invalid', response, [VerifierMetric.SIGNATURE_INVALID], 'warn', {
        reason: (error as SignatureInvalidError).reason,
      });
    case 'DeliveryInProgressError':
      return finish('in-progress', response, [], 'info');
    case 'DependencyError': {
      const dep = error as DependencyError;
      return finish('dependency-failure', response, [VerifierMetric.DEPENDENCY_FAILURE], 'error', {
        dependency: dep.dependency,
        error: dep.message,
      });
    }
    case 'SecretMisconfiguredError':
      return finish('misconfigured', response, [VerifierMetric.DEPENDENCY_FAILURE], 'error', {
        dependency: Dependency.SECRETS_MANAGER,
        error: error.message,
      });
    default:
      return finish('error', response, [], 'error', { error: `${error.name}: ${error.message}` });
  }
}

/** The path for a log line, bounded (it is client input). */
function safePath(event: VerifierEvent): string {
  return JSON.stringify(String(event.resource ?? event.path ?? '').slice(0, 100));
}

/** A Lambda-like context for local use: the lease is DEFAULT_LEASE_MS. */
function localContext(): Context {
  return { getRemainingTimeInMillis: () => DEFAULT_LEASE_MS } as Context;
}

export function createLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'happ-verifier' });
}

/** Metrics in namespace HappWebhooks whose only dimension is Source (no default `service`). */
export function createMetrics(): Metrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  return metrics;
}
