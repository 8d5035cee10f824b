/**
 * `happHandler`: turns your per-event function into an SQS Lambda handler with typed events,
 * per-subscriber idempotency, claim-check fetching, partial batch failures and structured logs.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Budget, type BudgetedRequest, budgetedClientConfig, withBudget } from '../shared/budget';
import { DEFAULTS, ENV, requireEnv } from '../shared/env';
import type { HappEnvelope } from '../shared/envelope';
import { parseEnvelope } from './envelope';
import { InvalidHandlerOptionError } from './errors';
import { resolvePayload } from './payload';
import { handlerIdempotencyKey, replayFields } from './replay';
import type {
  HappContext,
  HappEvent,
  HappEventFunction,
  HappEventHandlers,
  HappHandlerOptions,
  HappIdempotencyOptions,
} from './types';

/** Prefix of this helper's keys in the shared idempotency table: `happ-subscriber#<name>#<hash>`. */
export const IDEMPOTENCY_KEY_PREFIX = 'happ-subscriber';
/** Default window in which a duplicate is recognised: the verifier's dedupe window (7 days). */
export const DEFAULT_EXPIRES_AFTER_SECONDS = DEFAULTS.dedupeWindowSeconds;

/**
 * How long an in-progress claim holds when the handler is called without a Lambda context (unit
 * tests, local runs). In Lambda the claim lasts until the invocation would time out.
 */
export const DEFAULT_LEASE_MS = 60_000;

/** The given Lambda context, or — outside Lambda — one whose deadline is DEFAULT_LEASE_MS away. */
function withDeadline(context: Context | undefined): Context {
  if (typeof context?.getRemainingTimeInMillis === 'function') return context;
  const deadline = Date.now() + DEFAULT_LEASE_MS;
  return {
    ...(context ?? {}),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as Context;
}

/**
 * The helper's own AWS calls (claim-check GetObject, the idempotency table's DynamoDB calls) are
 * bounded by the invocation's remaining time minus this margin, so a hung dependency fails the
 * record it belongs to (returned to the queue) and the batch still answers before Lambda's timeout.
 */
export const INVOCATION_MARGIN_MS = 1_000;
/** The last part of that budget is kept for releasing a failed record's claim (DeleteItem). */
export const RELEASE_RESERVE_MS = 500;
/**
 * Per-attempt timeouts of the helper's clients. An attempt that hangs is abandoned after
 * `attemptTimeoutMs` and retried (3 attempts), so a hung dependency fails its record in about
 * 3 × 5 s, however long the invocation may still run.
 */
export const RUNTIME_CLIENT_TIMEOUTS = { connectionTimeoutMs: 1_000, attemptTimeoutMs: 5_000 } as const;

function isRelease(request: BudgetedRequest): boolean {
  const target = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
  return typeof target === 'string' && target.endsWith('.DeleteItem');
}

/** The time the helper's own calls of one invocation may take. */
function invocationBudget(context: Context): Budget {
  const totalMs = Math.max(0, context.getRemainingTimeInMillis() - INVOCATION_MARGIN_MS);
  return new Budget({
    totalMs,
    reserveMs: Math.min(RELEASE_RESERVE_MS, Math.floor(totalMs / 4)),
    reserveFor: isRelease,
  });
}

/** The Lambda handler `happHandler` returns. */
export type HappSqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

// One S3 client per container, created on first use (only claim-checked events need it), from
// the standard SDK configuration: it honours AWS_ENDPOINT_URL_S3 (an IP endpoint such as
// http://127.0.0.1:4566 is addressed by path, a host name by virtual host, as the SDK decides).
let sharedS3: S3Client | undefined;
function defaultS3(): S3Client {
  sharedS3 ??= new S3Client(budgetedClientConfig(RUNTIME_CLIENT_TIMEOUTS));
  return sharedS3;
}
let sharedDynamoDb: DynamoDBClient | undefined;
function defaultDynamoDb(): DynamoDBClient {
  sharedDynamoDb ??= new DynamoDBClient(budgetedClientConfig(RUNTIME_CLIENT_TIMEOUTS));
  return sharedDynamoDb;
}

interface Resolved {
  readonly subscriberName?: string;
  /** Runs `work` at most once per idempotency key; resolves to true when `work` ran. */
  readonly once: (idempotencyKey: string, work: () => Promise<void>) => Promise<boolean>;
}

function validateOptions(options: HappHandlerOptions): void {
  const idem = options.idempotency;
  if (idem !== undefined && typeof idem !== 'boolean' && (typeof idem !== 'object' || idem === null)) {
    throw new InvalidHandlerOptionError(
      `idempotency must be true, false or an options object (given ${idem})`,
    );
  }
  if (typeof idem === 'object' && idem.expiresAfterSeconds !== undefined) {
    const s = idem.expiresAfterSeconds;
    if (!Number.isSafeInteger(s) || s < 1) {
      throw new InvalidHandlerOptionError(
        `idempotency.expiresAfterSeconds must be a whole number of seconds >= 1 (given ${s})`,
      );
    }
  }
  for (const name of ['tableName', 'subscriberName'] as const) {
    if (
      typeof idem === 'object' &&
      idem[name] !== undefined &&
      (typeof idem[name] !== 'string' || idem[name] === '')
    ) {
      throw new InvalidHandlerOptionError(
        `idempotency.${name} must be a non-empty string (given "${idem[name]}")`,
      );
    }
  }
}

function toRouter(handlerOrMap: HappEventFunction | HappEventHandlers): HappEventFunction | undefined {
  if (typeof handlerOrMap === 'function') return handlerOrMap;
  if (typeof handlerOrMap !== 'object' || handlerOrMap === null) {
    throw new InvalidHandlerOptionError(
      `happHandler expects a function or a map from event type to function (given ${handlerOrMap === null ? 'null' : typeof handlerOrMap})`,
    );
  }
  const entries = Object.entries(handlerOrMap);
  if (entries.length === 0) {
    throw new InvalidHandlerOptionError('happHandler was given an empty map: name at least one event type');
  }
  for (const [type, fn] of entries) {
    if (typeof fn !== 'function') {
      throw new InvalidHandlerOptionError(
        `the handler for event type "${type}" must be a function (given ${typeof fn})`,
      );
    }
  }
  return undefined;
}

/**
 * Builds the SQS handler for one subscriber.
 *
 * ```ts
 * export const handler = happHandler(async (event, { logger }) => {
 *   if (event.type === HappEvents.CALL_COMPLETED) logger.info('call ended', { id: event.id });
 * });
 * ```
 *
 * or, one function per event type:
 *
 * ```ts
 * export const handler = happHandler({
 *   [HappEvents.CALL_COMPLETED]: async (event) => { ... },
 *   [HappEvents.CHAT_MESSAGE_RECEIVED]: async (event) => { ... },
 * });
 * ```
 *
 * Per record: parse the envelope → claim the key `subscriber + idempotencyKey` (skip when already
 * handled) → read the payload (from S3 when claim-checked; size and SHA-256 checked) → your
 * function. A record that fails for any reason is reported in `batchItemFailures` and its
 * idempotency key released, so it comes back and runs again; the others are unaffected.
 *
 * Configuration (HAPP_TABLE_NAME, HAPP_SUBSCRIBER_NAME) is read on the first invocation; when it
 * is missing the invocation throws MissingConfigurationError naming the variable, so every message
 * of the batch stays in the queue (nothing is acknowledged).
 */
export function happHandler(
  handlerOrMap: HappEventFunction | HappEventHandlers,
  options: HappHandlerOptions = {},
): HappSqsHandler {
  validateOptions(options);
  const single = toRouter(handlerOrMap);
  const map = single ? undefined : (handlerOrMap as HappEventHandlers);
  const logger =
    options.logger ??
    new Logger(process.env.POWERTOOLS_SERVICE_NAME ? {} : { serviceName: 'happ-subscriber' });
  const s3 = options.s3Client ? () => options.s3Client as S3Client : defaultS3;
  const processInParallel = options.processInParallel ?? true;
  let resolved: Resolved | undefined;
  let idempotencyConfig: IdempotencyConfig | undefined;

  const resolve = (): Resolved => {
    const idem = options.idempotency ?? true;
    if (idem === false) {
      return {
        subscriberName: process.env[ENV.SUBSCRIBER_NAME] || undefined,
        once: async (_key, work) => {
          await work();
          return true;
        },
      };
    }
    const idemOptions: HappIdempotencyOptions = idem === true ? {} : idem;
    const hint = 'set by addSubscriber; or pass idempotency: { ... } to happHandler, or idempotency: false';
    const tableName = idemOptions.tableName ?? requireEnv(ENV.TABLE_NAME, hint);
    const subscriberName = idemOptions.subscriberName ?? requireEnv(ENV.SUBSCRIBER_NAME, hint);
    const config = new IdempotencyConfig({
      expiresAfterSeconds: idemOptions.expiresAfterSeconds ?? DEFAULT_EXPIRES_AFTER_SECONDS,
      hashFunction: 'sha256',
    });
    idempotencyConfig = config;
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName,
      awsSdkV3Client: idemOptions.dynamoDbClient ?? defaultDynamoDb(),
    });
    const idempotent = makeIdempotent(
      async (_key: string, work: () => Promise<void>): Promise<void> => {
        await work();
      },
      {
        persistenceStore,
        config,
        keyPrefix: `${IDEMPOTENCY_KEY_PREFIX}#${subscriberName}`,
        dataIndexArgument: 0,
      },
    );
    return {
      subscriberName,
      once: async (key, work) => {
        let ran = false;
        await idempotent(key, async () => {
          ran = true;
          await work();
        });
        return ran;
      },
    };
  };

  const functionFor = (type: string): HappEventFunction | undefined => single ?? map?.[type];

  return async (sqsEvent: SQSEvent, givenContext: Context): Promise<SQSBatchResponse> => {
    const lambdaContext = withDeadline(givenContext);
    logger.addContext(lambdaContext);
    if (!resolved) {
      try {
        resolved = resolve();
      } catch (error) {
        logger.error(
          'subscriber configuration is incomplete; failing the invocation so every message stays queued',
          {
            error: error as Error,
            records: sqsEvent.Records.length,
          },
        );
        throw error;
      }
    }
    const runtime = resolved;
    // In-progress claims expire when this invocation would time out, so a crash is retried.
    idempotencyConfig?.registerLambdaContext(lambdaContext);

    let handled = 0;
    let duplicates = 0;
    let unrouted = 0;
    let failed = 0;
    const processRecord = async (record: SQSRecord): Promise<void> => {
      const keys: Record<string, unknown> = { messageId: record.messageId };
      try {
        const envelope: HappEnvelope = parseEnvelope(record.body);
        Object.assign(keys, {
          happEventId: envelope.id,
          source: envelope.source,
          type: envelope.type,
          ...(envelope.replay ? { replayId: envelope.replay.id } : {}),
        });
        const fn = functionFor(envelope.type);
        if (!fn) {
          unrouted++;
          logger.info('no function for this event type in the handler map; acknowledged', keys);
          return;
        }
        const ctx: HappContext = {
          lambdaContext,
          record,
          receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
          logger: logger.createChild({ persistentKeys: keys }),
          subscriberName: runtime.subscriberName,
        };
        const ran = await runtime.once(handlerIdempotencyKey(envelope), async () => {
          const { payload, format } = await resolvePayload(envelope, s3);
          const event: HappEvent = {
            id: envelope.id,
            source: envelope.source,
            type: envelope.type,
            receivedAt: envelope.receivedAt,
            idempotencyKey: envelope.idempotencyKey,
            payload,
            payloadFormat: format,
            claimChecked: 'payloadLocation' in envelope,
            ...replayFields(envelope),
          };
          await fn(event, ctx);
        });
        if (ran) {
          handled++;
          logger.debug('event handled', keys);
        } else {
          duplicates++;
          logger.info('duplicate delivery skipped: this subscriber already handled the event', keys);
        }
      } catch (error) {
        failed++;
        const details = {
          ...keys,
          receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
          error: error as Error,
        };
        if ((error as Error)?.name === 'IdempotencyAlreadyInProgressError') {
          logger.warn(
            'another invocation is handling this event right now; this copy returns to the queue',
            details,
          );
        } else {
          logger.error(
            'event failed; it returns to the queue (and to the DLQ after maxReceiveCount)',
            details,
          );
        }
        throw error;
      }
    };

    const processor = new BatchProcessor(EventType.SQS);
    const budget = invocationBudget(lambdaContext);
    try {
      return await withBudget(budget, () =>
        processPartialResponse(sqsEvent, processRecord, processor, {
          context: lambdaContext,
          processInParallel,
        }),
      );
    } finally {
      budget.dispose();
      logger.info('batch processed', {
        records: sqsEvent.Records.length,
        handled,
        duplicates,
        unrouted,
        failed,
      });
    }
  };
}
