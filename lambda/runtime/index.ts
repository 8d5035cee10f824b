/**
 * `cdk-happ-webhooks/runtime`: write a subscriber's handler Lambda in one call.
 *
 * ```ts
 * import { happHandler, HappEvents } from 'cdk-happ-webhooks/runtime';
 * export const handler = happHandler(async (event, { logger }) => {
 *   if (event.type === HappEvents.CALL_COMPLETED) logger.info('call ended', { id: event.id });
 * });
 * ```
 */
export {
  happHandler,
  DEFAULT_EXPIRES_AFTER_SECONDS,
  DEFAULT_LEASE_MS,
  IDEMPOTENCY_KEY_PREFIX,
} from './handler';
export type { HappSqsHandler } from './handler';
export type {
  HappContext,
  HappEvent,
  HappEventFunction,
  HappEventHandlers,
  HappEventType,
  HappHandlerOptions,
  HappIdempotencyOptions,
} from './types';
export type { PayloadFormat } from './payload';
export { parseEnvelope } from './envelope';
export {
  HappRuntimeError,
  InvalidHandlerOptionError,
  MalformedEnvelopeError,
  MissingConfigurationError,
  PayloadFetchError,
  PayloadIntegrityError,
  UnsupportedEnvelopeVersionError,
} from './errors';
export { HappEvents, KNOWN_EVENT_TYPES, CHAT_EVENT_TYPES, CALL_EVENT_TYPES } from '../shared/events';
export type { KnownHappEventType } from '../shared/events';
export { HappSource, HAPP_SOURCES, UNKNOWN_EVENT_TYPE } from '../shared/envelope';
export type { HappEnvelope, PayloadLocation } from '../shared/envelope';
export type { ReplayMarker } from '../shared/archive';
export { handlerIdempotencyKey, REPLAY_KEY_SEPARATOR } from './replay';
