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
export {
  happTool,
  isHappToolHandler,
  toolEntryHandler,
  constructSettings,
  timeSinceReceived,
  createToolMetrics,
  TOOL_IDEMPOTENCY_KEY_PREFIX,
  TOOL_ANSWER_MARGIN_MS,
  MAX_TOOL_ANSWER_BYTES,
} from './tool';
export type {
  HappToolContext,
  HappToolFunction,
  HappToolHandler,
  HappToolIdempotencyOptions,
  HappToolOptions,
} from './tool';
export { HappToolError, InvalidToolOptionError, DEFAULT_TOOL_ERROR_STATUS } from './tool-errors';
export type { HappToolErrorOptions } from './tool-errors';
export type { HappToolRequest, ToolEvent, ToolEventV1, ToolEventV2 } from './tool-request';
export type { ToolSchemaViolation } from './tool-schema';
export { canonicalQuery, signToolRequest, toolSignedBytes } from '../shared/tool-signature';
export { ToolMetric } from '../shared/metrics';
