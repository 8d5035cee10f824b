/**
 * The verifier: `createHandler(config, deps?)` builds a Lambda handler for API Gateway REST proxy
 * events on `POST /chat` and `POST /call`. Per request: route → method → size → signature → event type,
 * idempotency key and freshness → claim the key (Powertools idempotency on DynamoDB) → publish (SNS, S3
 * claim check when too large) → 202. Duplicates answer 200 and publish nothing.
 *
 * Every request is answered by this function within its response budget (default 4 s, Happ waits 5 s),
 * whatever a dependency does: all AWS calls run inside the budget (lambda/shared/budget.ts), the claim's
 * in-progress lease is the budget, and when the budget runs out the answer is 503 + Retry-After (202
 * if the delivery was already published), with the claim released from the budget's reserve.
 *
 * Everything that lives across requests (AWS clients, the secret cache, the idempotency store, Logger,
 * Metrics) is created once per handler, i.e. once per container. No state of one request is kept on
 * shared objects, so a handler may also serve concurrent requests (the CLI's `dev`).
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
import {
  Budget,
  budgetedClientConfig,
  isBudgetExhausted,
  withBudget,
  type BudgetedRequest,
} from '../shared/budget';
import { ENVELOPE_VERSION, type HappSource } from '../shared/envelope';
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
  BudgetExhaustedError,
  DeliveryInProgressError,
  Dependency,
  DependencyError,
  describeCause,
  FutureEventError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  SignatureInvalidError,
  StaleEventError,
  VerifierError,
} from './errors';
import { checkFreshness, readEventTime } from './freshness';
import { readRequest } from '../shared/request';
import { resolveSource, type VerifierEvent } from './request';
import { accepted, duplicate, errorResponse } from './responses';
import { SourceSecrets } from './secrets';

/** Idempotency records of the verifier are `happ-verifier#<hash>`: stable across function renames. */
export const IDEMPOTENCY_KEY_PREFIX = 'happ-verifier';
/**
 * Upper bound of the in-progress lease when no Lambda context is given (local use). The lease is the
 * response budget (4 s by default), so this only matters for budgets above it.
 */
export const DEFAULT_LEASE_MS = 30_000;
/**
 * Per-attempt limits of the AWS clients. Each is further capped by the budget left when a call starts;
 * the SDK's 3 attempts fit a 4-second budget for a dependency that answers slowly once.
 */
export const CLIENT_TIMEOUTS = { connectionTimeoutMs: 1_000, attemptTimeoutMs: 1_500 } as const;
/**
 * With a secret already in hand, a refetch may take at most this long: when Secrets Manager hangs, the
 * request still has time to verify with the last secret fetched and store the delivery.
 */
export const STALE_FETCH_TIMEOUT_MS = 1_000;
/** The part of the budget kept for releasing a claim after a failure. */
export const RELEASE_RESERVE_MS = 500;
/** The answer must leave before Lambda stops the function: keep this much of its remaining time. */
const LAMBDA_MARGIN_MS = 250;

/** Everything a handler uses from outside; each is created once per handler when not given. */
export interface VerifierDependencies {
  readonly sns?: SNSClient;
  readonly s3?: S3Client;
  readonly dynamodb?: DynamoDBClient;
  readonly secretsManager?: SecretsManagerClient;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Clock (receivedAt, freshness, secret cache). @default Date.now */
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
  | 'stale'
  | 'future'
  | 'dependency-failure'
  | 'budget-exhausted'
  | 'misconfigured'
  | 'error';

/** Per-request facts, logged once at the end (never the secret, the signature, the payload or the key). */
interface RequestLog {
  source?: HappSource;
  type?: string;
  /** SHA-256 of the idempotency key, first 16 hex digits (the key itself may be payload data). */
  keyHash?: string;
  keyFrom?: string;
  id?: string;
  bytes?: number;
  secret?: 'current' | 'previous';
  secretStale?: boolean;
  claimChecked?: boolean;
  eventTimeField?: string;
  untimed?: boolean;
}

/** Invocation-local state shared with the idempotent function. */
interface RunState {
  executed: boolean;
  published: boolean;
  id?: string;
  /** The dependency a call is waiting for right now. */
  pending?: Dependency;
  /** The first dependency failure, kept when releasing the claim fails too. */
  failure?: DependencyError;
}

interface AcceptResult {
  readonly id: string;
  readonly type: string;
  readonly claimChecked: boolean;
}

interface Delivery {
  readonly source: HappSource;
  readonly type: string;
  readonly key: string;
  readonly raw: Buffer;
  readonly body: ReturnType<typeof decodeBody>;
}

const TIMED_OUT = 'timed-out' as const;

/** The release of a claim (DynamoDB DeleteItem) may use the budget's reserve. */
function isRelease(request: BudgetedRequest): boolean {
  const target = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
  return typeof target === 'string' && target.endsWith('.DeleteItem');
}

/** Builds a handler. Validates `config` now (throws InvalidConfigurationError naming the field). */
export function createHandler(config: VerifierConfig, deps: VerifierDependencies = {}): VerifierHandler {
  const cfg: ResolvedVerifierConfig = resolveVerifierConfig(config);
  // cacheMiddleware: the middleware stack is resolved once per command class instead of per request
  // (measured by `npm run bench`: ~12% less CPU per new delivery). Safe because nothing adds
  // middleware after construction: Powertools adds its user-agent middleware below, before any call.
  const clientConfig = () => ({ ...budgetedClientConfig(CLIENT_TIMEOUTS), cacheMiddleware: true });
  const sns = deps.sns ?? new SNSClient(clientConfig());
  const s3 = deps.s3 ?? new S3Client(clientConfig());
  const dynamodb = deps.dynamodb ?? new DynamoDBClient(clientConfig());
  const secretsManager = deps.secretsManager ?? new SecretsManagerClient(clientConfig());
  const logger = deps.logger ?? createLogger();
  const metrics = deps.metrics ?? createMetrics();
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const reserveMs = Math.min(RELEASE_RESERVE_MS, Math.floor(cfg.responseBudgetMs / 4));
  const retryAfterSeconds = Math.max(1, Math.ceil(cfg.responseBudgetMs / 1000));

  const secrets = new SourceSecrets({
    provider: new SecretsProvider({ awsSdkV3Client: secretsManager }),
    staleFetchTimeoutMs: Math.min(STALE_FETCH_TIMEOUT_MS, Math.floor(cfg.responseBudgetMs / 4)),
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

  /** Runs one AWS call, recording what is pending and turning its failure into a DependencyError. */
  async function call<T>(run: RunState, dependency: Dependency, operation: string, fn: () => Promise<T>) {
    run.pending = dependency;
    try {
      return await fn();
    } catch (error) {
      const failure =
        error instanceof VerifierError ? error : new DependencyError(dependency, operation, { cause: error });
      if (failure instanceof DependencyError) run.failure ??= failure;
      throw failure;
    } finally {
      run.pending = undefined;
    }
  }

  /** Publishes one delivery: S3 first when too large, then SNS. Runs at most once per key. */
  async function publish(_claim: { key: string }, run: RunState, delivery: Delivery): Promise<AcceptResult> {
    run.executed = true;
    const receivedAt = new Date(now());
    const header: EnvelopeHeader = {
      version: ENVELOPE_VERSION,
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
      await call(run, Dependency.S3, 'PutObject', () =>
        s3.send(
          new PutObjectCommand({
            Bucket: cfg.bucketName,
            Key: key,
            Body: delivery.raw,
            ContentLength: delivery.raw.length,
            ServerSideEncryption: 'AES256',
            Metadata: { source: delivery.source, 'envelope-id': header.id },
          }),
        ),
      );
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
    await call(run, Dependency.SNS, 'Publish', () =>
      sns.send(
        new PublishCommand({ TopicArn: cfg.topicArn, Message: message, MessageAttributes: attributes }),
      ),
    );
    run.published = true;
    run.id = header.id;
    run.pending = Dependency.DYNAMODB; // Powertools marks the claim completed next
    return { id: header.id, type: delivery.type, claimChecked };
  }

  /** One claim per request: the in-progress lease is this request's budget. */
  function claimFor(budget: Budget) {
    const idempotencyConfig = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      expiresAfterSeconds: cfg.dedupeWindowSeconds,
      hashFunction: 'sha256',
      throwOnNoIdempotencyKey: true,
    });
    idempotencyConfig.registerLambdaContext({
      getRemainingTimeInMillis: () => Math.min(budget.remainingMs(), DEFAULT_LEASE_MS),
    } as Context);
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

  /** Everything up to the answer; runs inside the budget. */
  async function process(
    event: VerifierEvent,
    facts: RequestLog,
    run: RunState,
    budget: Budget,
  ): Promise<{ outcome: 'accepted' | 'duplicate'; result: AcceptResult }> {
    // Either payload format (REST API 1.0, HTTP API 2.0), read once: route, method, headers, exact bytes.
    const request = readRequest(event);
    const source = resolveSource(request);
    facts.source = source;
    const secretId = source ? cfg.secretArns[source] : undefined;
    if (!source || !secretId) {
      facts.source = undefined; // no metrics for a route that does not exist
      throw new RouteNotFoundError(`no enabled route for ${safePath(request.route ?? request.path)}`);
    }
    if (request.method !== 'POST') throw new MethodNotAllowedError(`method ${request.method.slice(0, 16)}`);
    const raw = request.body;
    facts.bytes = raw.length;
    if (cfg.maxBodySizeBytes !== undefined && raw.length > cfg.maxBodySizeBytes) {
      throw new PayloadTooLargeError(raw.length, cfg.maxBodySizeBytes);
    }

    const signature = request.headers[cfg.signatureHeader.toLowerCase()];
    if (signature === undefined || signature.trim() === '') throw new SignatureInvalidError('missing');
    let lookup = await call(run, Dependency.SECRETS_MANAGER, 'GetSecretValue', () => secrets.get(secretId));
    let matched = matchSignature(raw, signature, lookup.values, scheme);
    if (matched < 0) {
      // Maybe the secret was rotated since it was fetched: look once more (at most once per interval).
      const fresh = await call(run, Dependency.SECRETS_MANAGER, 'GetSecretValue', () =>
        secrets.refresh(secretId),
      );
      if (fresh) {
        lookup = fresh;
        matched = matchSignature(raw, signature, fresh.values, scheme);
      }
    }
    facts.secretStale = lookup.stale || undefined;
    if (matched < 0) throw new SignatureInvalidError('mismatch');
    facts.secret = matched === 0 ? 'current' : 'previous';

    const body = decodeBody(raw);
    const type = extractEventType(body, cfg.typeFields);
    const { key, from } = deriveIdempotencyKey(source, raw, body, cfg.idempotencyKeyFields);
    Object.assign(facts, { type, keyHash: sha256Hex(key).slice(0, 16), keyFrom: from });
    if (cfg.maxEventAgeSeconds !== undefined) {
      const time = readEventTime(body, cfg.eventTimeFields);
      const freshness = checkFreshness(time, now(), cfg.maxEventAgeSeconds, cfg.maxClockSkewSeconds);
      facts.eventTimeField = time?.field;
      if (freshness.kind === 'stale') {
        throw new StaleEventError(freshness.ageSeconds, cfg.maxEventAgeSeconds, time!.field);
      }
      if (freshness.kind === 'future') {
        throw new FutureEventError(freshness.aheadSeconds, cfg.maxClockSkewSeconds, time!.field);
      }
      if (freshness.kind === 'untimed') facts.untimed = true;
    }

    run.pending = Dependency.DYNAMODB;
    const result = await claimFor(budget)({ key }, run, { source, type, key, raw, body });
    run.pending = undefined;
    return { outcome: run.executed ? 'accepted' : 'duplicate', result };
  }

  return async function handler(event: VerifierEvent, context?: Context): Promise<APIGatewayProxyResult> {
    const facts: RequestLog = {};
    const requestId = context?.awsRequestId;
    const lambdaLeft =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? context.getRemainingTimeInMillis() - LAMBDA_MARGIN_MS
        : Number.POSITIVE_INFINITY;
    const budgetMs = Math.max(0, Math.min(cfg.responseBudgetMs, lambdaLeft));
    const budget = new Budget({ totalMs: budgetMs, reserveMs, reserveFor: isRelease });
    const finish = (
      outcome: Outcome,
      response: APIGatewayProxyResult,
      metricNames: VerifierMetric[],
      level: 'info' | 'warn' | 'error' = 'info',
      extra: Record<string, unknown> = {},
    ): APIGatewayProxyResult => {
      if (facts.secretStale) metricNames.push(VerifierMetric.SECRET_STALE);
      if (facts.untimed && (outcome === 'accepted' || outcome === 'duplicate')) {
        metricNames.push(VerifierMetric.NO_EVENT_TIME);
      }
      emit(facts.source, metricNames);
      const logLevel = facts.secretStale && level === 'info' ? 'warn' : level;
      logger[logLevel](`delivery ${outcome}`, {
        outcome,
        status: response.statusCode,
        ...facts,
        ...(facts.secretStale
          ? { note: 'Secrets Manager failed; verified with the last secret fetched' }
          : {}),
        ...(requestId ? { requestId } : {}),
        ...extra,
      });
      return response;
    };

    const run: RunState = { executed: false, published: false };
    const work = withBudget(budget, () => process(event, facts, run, budget));
    // The race below may leave `work` behind (its calls are aborted by the budget); never unhandled.
    work.catch(() => undefined);
    try {
      const done = await Promise.race([work, budget.whenExpired().then(() => TIMED_OUT)]);
      if (done === TIMED_OUT) return finishTimedOut(run, facts, budgetMs, finish);
      facts.id = done.result.id;
      if (done.outcome === 'duplicate')
        return finish('duplicate', duplicate(done.result.id), [VerifierMetric.DUPLICATE]);
      facts.claimChecked = done.result.claimChecked || undefined;
      return finish('accepted', accepted(done.result.id), acceptedMetrics(done.result));
    } catch (caught) {
      const classified = classify(caught, run, budgetMs, retryAfterSeconds);
      if (classified.kind === 'published') return finishPublishedButUnmarked(run, facts, caught, finish);
      return finishError(classified.error, finish, classified.releaseError);
    } finally {
      budget.dispose();
    }
  };
}

function acceptedMetrics(result: AcceptResult): VerifierMetric[] {
  const names: VerifierMetric[] = [VerifierMetric.ACCEPTED];
  if (result.type === 'unknown') names.push(VerifierMetric.UNKNOWN_TYPE);
  if (result.claimChecked) names.push(VerifierMetric.CLAIM_CHECKED);
  return names;
}

type Classified = { kind: 'published' } | { kind: 'error'; error: VerifierError; releaseError?: string };

/** Infrastructure errors → domain errors, at this one boundary. */
function classify(caught: unknown, run: RunState, budgetMs: number, retryAfterSeconds: number): Classified {
  const name = (caught as { name?: unknown })?.name;
  if (name === 'IdempotencyAlreadyInProgressError') {
    return { kind: 'error', error: new DeliveryInProgressError(retryAfterSeconds, { cause: caught }) };
  }
  const persistence =
    caught instanceof IdempotencyPersistenceLayerError || name === 'IdempotencyPersistenceLayerError';
  if (persistence && run.published) return { kind: 'published' };
  // Releasing the claim failed after an earlier failure: report the first failure, the release beside it.
  if (persistence && run.failure && caught !== run.failure) {
    return {
      kind: 'error',
      error: budgetOrDependency(run.failure, run.failure.dependency, budgetMs),
      releaseError: describeCause((caught as Error).cause ?? caught),
    };
  }
  if (caught instanceof DependencyError) {
    return { kind: 'error', error: budgetOrDependency(caught, caught.dependency, budgetMs) };
  }
  if (caught instanceof VerifierError) return { kind: 'error', error: caught };
  if (persistence || (typeof name === 'string' && name.startsWith('Idempotency'))) {
    // The claim itself failed, or state was inconsistent after Powertools' own retries.
    const cause = (caught as Error).cause ?? caught;
    const error = new DependencyError(Dependency.DYNAMODB, 'idempotency claim', { cause });
    return { kind: 'error', error: budgetOrDependency(error, Dependency.DYNAMODB, budgetMs) };
  }
  return { kind: 'error', error: new UnexpectedError(caught) };
}

/** A dependency failure caused by the budget running out is reported as such. */
function budgetOrDependency(error: DependencyError, dependency: Dependency, budgetMs: number): VerifierError {
  return isBudgetExhausted(error.cause)
    ? new BudgetExhaustedError(dependency, budgetMs, { cause: error })
    : error;
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

/**
 * Published, but the claim could not be marked completed: the delivery IS stored, so acknowledge it
 * (a 5xx would make Happ retry and, once the lease expires, publish again).
 */
function finishPublishedButUnmarked(
  run: RunState,
  facts: RequestLog,
  caught: unknown,
  finish: Finish,
): APIGatewayProxyResult {
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

/** The budget ran out: 202 if the delivery was already published, else 503 (the claim is released or expires). */
function finishTimedOut(
  run: RunState,
  facts: RequestLog,
  budgetMs: number,
  finish: Finish,
): APIGatewayProxyResult {
  if (run.published) {
    facts.id = run.id;
    return finish(
      'accepted',
      accepted(run.id as string),
      [VerifierMetric.ACCEPTED, VerifierMetric.DEPENDENCY_FAILURE],
      'warn',
      {
        dependency: Dependency.DYNAMODB,
        note: 'published; the response budget ran out while marking the idempotency record completed',
      },
    );
  }
  return finishError(new BudgetExhaustedError(run.failure?.dependency ?? run.pending, budgetMs), finish);
}

/** Domain error → status, metric, log level: in one place. */
function finishError(error: VerifierError, finish: Finish, releaseError?: string): APIGatewayProxyResult {
  const response = errorResponse(error);
  const release = releaseError ? { releaseError } : {};
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
    case 'StaleEventError':
      return finish('stale', response, [VerifierMetric.STALE_EVENT], 'warn', { reason: error.message });
    case 'FutureEventError':
      return finish('future', response, [VerifierMetric.FUTURE_EVENT], 'warn', { reason: error.message });
    case 'DeliveryInProgressError':
      return finish('in-progress', response, [], 'info');
    case 'BudgetExhaustedError': {
      const budget = error as BudgetExhaustedError;
      return finish(
        'budget-exhausted',
        response,
        [VerifierMetric.BUDGET_EXHAUSTED, VerifierMetric.DEPENDENCY_FAILURE],
        'error',
        {
          ...(budget.dependency ? { dependency: budget.dependency } : {}),
          error: budget.message,
          ...release,
        },
      );
    }
    case 'DependencyError': {
      const dep = error as DependencyError;
      return finish('dependency-failure', response, [VerifierMetric.DEPENDENCY_FAILURE], 'error', {
        dependency: dep.dependency,
        error: dep.message,
        ...release,
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
function safePath(path: string): string {
  return JSON.stringify(path.slice(0, 100));
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
