/**
 * Happ event names. Happ documents the event *kinds* (new customer message, assistant message,
 * conversation started, AI control toggled; call started, call ended, recording available) but
 * publishes only one concrete name: `call.completed`. The other names below are our best reading
 * and are only constants for convenience: any name Happ sends is delivered, known or not.
 */
export const HappEvents = {
  /** A customer wrote a new message. */
  CHAT_MESSAGE_RECEIVED: 'chat.message.received',
  /** The assistant sent a message. */
  CHAT_MESSAGE_SENT: 'chat.message.sent',
  /** A conversation started. */
  CHAT_CONVERSATION_STARTED: 'chat.conversation.started',
  /** AI control was switched on or off for a conversation. */
  CHAT_AI_CONTROL_TOGGLED: 'chat.ai_control.toggled',
  /** A phone call started. */
  CALL_STARTED: 'call.started',
  /** A phone call ended (duration, metadata). The one name Happ's docs publish. */
  CALL_COMPLETED: 'call.completed',
  /** A call recording is available. */
  CALL_RECORDING_AVAILABLE: 'call.recording.available',
} as const;

export type KnownHappEventType = (typeof HappEvents)[keyof typeof HappEvents];

export const CHAT_EVENT_TYPES: readonly KnownHappEventType[] = [
  HappEvents.CHAT_MESSAGE_RECEIVED,
  HappEvents.CHAT_MESSAGE_SENT,
  HappEvents.CHAT_CONVERSATION_STARTED,
  HappEvents.CHAT_AI_CONTROL_TOGGLED,
];

export const CALL_EVENT_TYPES: readonly KnownHappEventType[] = [
  HappEvents.CALL_STARTED,
  HappEvents.CALL_COMPLETED,
  HappEvents.CALL_RECORDING_AVAILABLE,
];

export const KNOWN_EVENT_TYPES: readonly KnownHappEventType[] = [...CHAT_EVENT_TYPES, ...CALL_EVENT_TYPES];
