export { HappEvents, KNOWN_EVENT_TYPES, CHAT_EVENT_TYPES, CALL_EVENT_TYPES } from '../lambda/shared/events';
export type { KnownHappEventType } from '../lambda/shared/events';
export { HappSource } from '../lambda/shared/envelope';
export type { HappEnvelope, PayloadLocation } from '../lambda/shared/envelope';
export { VerifierMetric, METRICS_NAMESPACE } from '../lambda/shared/metrics';
