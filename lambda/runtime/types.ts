import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSRecord } from 'aws-lambda';
import type { ReplayMarker } from '../shared/archive';
import type { HappSource } from '../shared/envelope';
import type { KnownHappEventType } from '../shared/events';
import type { PayloadFormat } from './payload';

/**
 * A Happ event name: one of the known names (autocompleted), or any other string Happ sends —
 * unknown names are delivered too (and `unknown` when the body named none).
 */
export type HappEventType = KnownHappEventType | (string & {});

/** One Happ delivery, as your function receives it. */
export interface HappEvent<TPayload = unknown> {
  /** Unique id of the accepted delivery (assigned by the verifier). */
  readonly id: string;
  /** The route it was POSTed to: `chat` or `call`. */
  readonly source: HappSource;
  /** Happ's event name, e.g. `call.completed`; `unknown` when the body named none. */
  readonly type: HappEventType;
  /** ISO-8601 time the verifier accepted the delivery. */
  readonly receivedAt: string;
  /** The key Happ's duplicate deliveries share (namespaced by source). */
  readonly idempotencyKey: string;
  /** The body Happ sent: parsed JSON, or text, or bytes — see `payloadFormat`. */
  readonly payload: TPayload;
  /** `json` (parsed object), `text` (string: the body was not JSON) or `binary` (Buffer: not UTF-8). */
  readonly payloadFormat: PayloadFormat;
  /** True when the body was too large for SNS and was read from S3. */
  readonly claimChecked: boolean;
  /**
   * Set when `happ-webhooks replay` sent this event again (`id` names the replay, `at` when it was
   * sent); absent for a delivery from Happ. A replayed event runs once per replay id.
   */
  readonly replay?: ReplayMarker;
}

/** What your function gets besides the event. */
export interface HappContext {
  /** The Lambda context of the invocation. */
  readonly lambdaContext: Context;
  /** The SQS record that carried the event. */
  readonly record: SQSRecord;
  /** How many times SQS has delivered this message (1 on the first attempt). */
  readonly receiveCount: number;
  /** A Powertools logger whose lines carry the message id, event id, source and type. */
  readonly logger: Logger;
  /** The subscriber name (HAPP_SUBSCRIBER_NAME), when known. */
  readonly subscriberName?: string;
}

/** Your code for one event. Throw (or reject) to fail this event alone; it is retried. */
export type HappEventFunction<TPayload = unknown> = (
  event: HappEvent<TPayload>,
  context: HappContext,
) => unknown | Promise<unknown>;

/**
 * One function per event type. Events whose type has no entry are acknowledged without running
 * anything (logged at INFO), so pair the map with a subscriber filter that selects those types.
 */
export type HappEventHandlers = {
  readonly [T in KnownHappEventType]?: HappEventFunction;
} & {
  readonly [type: string]: HappEventFunction | undefined;
};

export interface HappIdempotencyOptions {
  /**
   * How long a handled event is remembered, in seconds: a duplicate within this window is skipped.
   * @default 604800 (7 days, the verifier's dedupe window)
   */
  readonly expiresAfterSeconds?: number;
  /**
   * DynamoDB table (partition key `id`, TTL attribute `expiration`).
   * @default - the HAPP_TABLE_NAME environment variable (set by addSubscriber)
   */
  readonly tableName?: string;
  /**
   * Namespace of this subscriber's keys in the shared table. It must be the subscriber's name
   * (`HAPP_SUBSCRIBER_NAME`): the role `addSubscriber` grants may only touch keys
   * `happ-subscriber#<that name>#…`, so any other value fails every record with AccessDenied.
   * @default - the HAPP_SUBSCRIBER_NAME environment variable (set by addSubscriber)
   */
  readonly subscriberName?: string;
  /**
   * DynamoDB client to use.
   * @default - one client per container, from the standard SDK configuration
   */
  readonly dynamoDbClient?: DynamoDBClient;
}

export interface HappHandlerOptions {
  /**
   * Run your function at most once per event and subscriber (Powertools idempotency on the
   * receiver's table). `false` turns it off: no table needed, and a redelivered message runs again.
   * @default true
   */
  readonly idempotency?: boolean | HappIdempotencyOptions;
  /**
   * Process the records of a batch concurrently (`Promise.all`) or one after another.
   * @default true
   */
  readonly processInParallel?: boolean;
  /**
   * Logger for the helper's lines and the parent of `context.logger`.
   * @default - a Powertools Logger (service name from POWERTOOLS_SERVICE_NAME, else `happ-subscriber`)
   */
  readonly logger?: Logger;
  /**
   * S3 client used to read claim-checked payloads.
   * @default - one client per container, from the standard SDK configuration (honours AWS_ENDPOINT_URL_S3)
   */
  readonly s3Client?: S3Client;
}
