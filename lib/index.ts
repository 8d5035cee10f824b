export { HappEvents, KNOWN_EVENT_TYPES, CHAT_EVENT_TYPES, CALL_EVENT_TYPES } from '../lambda/shared/events';
export type { KnownHappEventType } from '../lambda/shared/events';
export { HappSource } from '../lambda/shared/envelope';
export type { HappEnvelope, PayloadLocation } from '../lambda/shared/envelope';
export { VerifierMetric, METRICS_NAMESPACE } from '../lambda/shared/metrics';
export { HappWebhookReceiver, SignatureEncoding } from './receiver';
export type { HappWebhookReceiverProps, HappEndpoints } from './receiver';
export { HappArchive, DEFAULT_ARCHIVE_RETENTION } from './archive';
export type { HappArchiveOptions, HappArchiveProps, HappArchiveAlarms } from './archive';
export { HappIngress } from './ingress/ingress';
export { HttpApiIngress, HTTP_API_STAGE_NAME, httpApiAccessLogFormat } from './ingress/http-api';
export type { HttpApiIngressOptions, HttpApiIngressProps } from './ingress/http-api';
export { RestApiIngress, REST_API_STAGE_NAME } from './ingress/rest-api';
export type { RestApiIngressOptions, RestApiIngressProps } from './ingress/rest-api';
export { HappIngressKind } from './ingress/types';
export type { HappIngressBindProps, HappRoute, IHappIngress, IHappIngressMetrics } from './ingress/types';
export { HappSubscriber } from './subscriber';
export type { HappSubscriberOptions, HappSubscriberProps, IHappWebhookReceiver } from './subscriber';
export { happFilterPolicy, MAX_FILTER_POLICY_COMBINATIONS } from './filter-policy';
export type { HappFilterOptions, HappFilterPolicy, HappFilterCondition } from './filter-policy';
export {
  ReceiverMonitoring,
  SubscriberMonitoring,
  AlarmSeverity,
  severityOf,
  HAPP_RESPONSE_BUDGET,
} from './monitoring';
export type {
  MonitoringOptions,
  ReceiverMonitoringProps,
  ReceiverAlarmOptions,
  ReceiverAlarms,
  SubscriberAlarmOptions,
  SubscriberAlarms,
  SubscriberResources,
  SubscriberMonitoringOptions,
  SubscriberMonitoringProps,
  AlarmTimingOptions,
  CountAlarmOptions,
  DurationAlarmOptions,
} from './monitoring';
export {
  HappTool,
  HappToolType,
  HappToolExecutionMode,
  HappToolMethod,
  DEFAULT_TOOL_TIMEOUT,
  MAX_TOOL_TIMEOUT,
  DEFAULT_TOOL_IDEMPOTENCY_WINDOW,
  TOOL_NAME_PATTERN,
} from './tool';
export type { HappToolDefinition, HappToolOptions, HappToolProps, IHappToolReceiver } from './tool';
export type { HappToolAlarms } from './private/tool-monitoring';
export { ToolMetric } from '../lambda/shared/metrics';
