/**
 * Sample bodies for every known Happ event type, for `send`, `samples` and `dev`.
 *
 * Happ publishes exactly one body (for `call.completed`, reproduced field for field with the
 * elided values filled in). For every other event Happ documents only that it exists, so those
 * bodies are ILLUSTRATIVE: plausible shapes to exercise a pipeline, not Happ's schema. Each run
 * makes fresh ids and timestamps, so two runs are two distinct deliveries (use `send --repeat`
 * for a duplicate of the same delivery).
 */
import { randomBytes } from 'node:crypto';
import type { HappSource } from '../../lambda/shared/envelope';
import { HappEvents, type KnownHappEventType } from '../../lambda/shared/events';

export interface EventSample {
  readonly type: KnownHappEventType;
  readonly source: HappSource;
  /** True only for the body Happ itself publishes. */
  readonly published: boolean;
  /** Where the shape comes from, shown next to the sample. */
  readonly note: string;
  build(now: Date): Record<string, unknown>;
}

const ILLUSTRATIVE = 'illustrative: Happ documents this event but publishes no schema for it';

function id(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function minutesBefore(now: Date, minutes: number): string {
  return new Date(now.getTime() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function iso(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const SAMPLES: readonly EventSample[] = [
  {
    type: HappEvents.CHAT_MESSAGE_RECEIVED,
    source: 'chat',
    published: false,
    note: ILLUSTRATIVE,
    build: (now) => ({
      event: HappEvents.CHAT_MESSAGE_RECEIVED,
      conversationId: id('conv'),
      messageId: id('msg'),
      channel: 'telegram',
      customer: { id: id('cust'), name: 'Olena' },
      text: 'Hi! Do you deliver on Saturdays?',
      sentAt: iso(now),
    }),
  },
  {
    type: HappEvents.CHAT_MESSAGE_SENT,
    source: 'chat',
    published: false,
    note: ILLUSTRATIVE,
    build: (now) => ({
      event: HappEvents.CHAT_MESSAGE_SENT,
      conversationId: id('conv'),
      messageId: id('msg'),
      channel: 'telegram',
      author: 'assistant',
      text: 'Yes, on Saturdays we deliver from 10:00 to 16:00.',
      sentAt: iso(now),
    }),
  },
  {
    type: HappEvents.CHAT_CONVERSATION_STARTED,
    source: 'chat',
    published: false,
    note: ILLUSTRATIVE,
    build: (now) => ({
      event: HappEvents.CHAT_CONVERSATION_STARTED,
      conversationId: id('conv'),
      channel: 'instagram',
      customer: { id: id('cust'), name: 'Marco' },
      startedAt: iso(now),
    }),
  },
  {
    type: HappEvents.CHAT_AI_CONTROL_TOGGLED,
    source: 'chat',
    published: false,
    note: ILLUSTRATIVE,
    build: (now) => ({
      event: HappEvents.CHAT_AI_CONTROL_TOGGLED,
      conversationId: id('conv'),
      aiEnabled: false,
      changedBy: 'operator',
      changedAt: iso(now),
    }),
  },
  {
    type: HappEvents.CALL_STARTED,
    source: 'call',
    published: false,
    note: ILLUSTRATIVE,
    build: (now) => ({
      event: HappEvents.CALL_STARTED,
      callId: id('call'),
      caller: '+15555550123',
      direction: 'inbound',
      startedAt: iso(now),
      provider: 'ringostat',
    }),
  },
  {
    type: HappEvents.CALL_COMPLETED,
    source: 'call',
    published: true,
    note: "Happ's published sample body (ids, caller and time filled in)",
    // Field order exactly as Happ's published sample.
    build: (now) => ({
      event: HappEvents.CALL_COMPLETED,
      callId: id('call'),
      caller: '+15555550123',
      direction: 'inbound',
      duration: 252,
      endedAt: iso(now),
      provider: 'ringostat',
    }),
  },
  {
    type: HappEvents.CALL_RECORDING_AVAILABLE,
    source: 'call',
    published: false,
    note: ILLUSTRATIVE,
    build: (now) => {
      const callId = id('call');
      return {
        event: HappEvents.CALL_RECORDING_AVAILABLE,
        callId,
        recordingUrl: `https://recordings.example.com/${callId}.mp3`,
        duration: 252,
        endedAt: minutesBefore(now, 1),
        provider: 'ringostat',
      };
    },
  },
];

/** The sample for an event type, or undefined when the type is not a known Happ event. */
export function findSample(type: string): EventSample | undefined {
  return SAMPLES.find((s) => s.type === type);
}

/** The event a source's sample defaults to: the published one for calls, a new message for chat. */
export function defaultSample(source: HappSource): EventSample {
  const type = source === 'call' ? HappEvents.CALL_COMPLETED : HappEvents.CHAT_MESSAGE_RECEIVED;
  return findSample(type)!;
}
