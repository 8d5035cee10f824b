import { HappEvents, HappSource, happFilterPolicy } from '../../lib';

describe('happFilterPolicy', () => {
  it('is undefined when neither sources nor events is set (everything is delivered)', () => {
    expect(happFilterPolicy()).toBeUndefined();
    expect(happFilterPolicy({})).toBeUndefined();
  });

  it('filters the source attribute on sources', () => {
    expect(happFilterPolicy({ sources: [HappSource.CALL] })).toEqual({ source: ['call'] });
  });

  it('filters the type attribute on events', () => {
    expect(happFilterPolicy({ events: [HappEvents.CALL_COMPLETED, 'unknown'] })).toEqual({
      type: ['call.completed', 'unknown'],
    });
  });

  it('combines sources and events (both must match)', () => {
    expect(
      happFilterPolicy({ sources: [HappSource.CHAT], events: [HappEvents.CHAT_MESSAGE_RECEIVED] }),
    ).toEqual({
      source: ['chat'],
      type: ['chat.message.received'],
    });
  });

  it('turns a trailing * into a prefix match', () => {
    expect(happFilterPolicy({ events: ['call.*', 'chat.message.received'] })).toEqual({
      type: [{ prefix: 'call.' }, 'chat.message.received'],
    });
  });

  it('drops duplicates', () => {
    expect(happFilterPolicy({ sources: ['chat', 'chat'], events: ['a', 'a', 'b*', 'b*'] })).toEqual({
      source: ['chat'],
      type: ['a', { prefix: 'b' }],
    });
  });

  it('fails when events is empty', () => {
    expect(() => happFilterPolicy({ events: [] })).toThrow(
      /events must list at least one event type \(given \[\]\); omit events to receive every event type/,
    );
  });

  it('fails when sources is empty', () => {
    expect(() => happFilterPolicy({ sources: [] })).toThrow(
      /sources must list at least one source \(given \[\]\)/,
    );
  });

  it('fails when a source is neither chat nor call', () => {
    expect(() => happFilterPolicy({ sources: ['sms' as HappSource] })).toThrow(
      /sources entries must be one of 'chat', 'call' \(given 'sms'\)/,
    );
  });

  it('fails when an event is empty or padded', () => {
    expect(() => happFilterPolicy({ events: [''] })).toThrow(
      /events entries must be non-empty .*\(given ""\)/,
    );
    expect(() => happFilterPolicy({ events: [' call.completed'] })).toThrow(/\(given " call.completed"\)/);
  });

  it('fails when * is not a single trailing wildcard after a prefix', () => {
    expect(() => happFilterPolicy({ events: ['*'] })).toThrow(
      /events entries may end with one '\*' after a prefix.*\(given '\*'\)/,
    );
    expect(() => happFilterPolicy({ events: ['call.*.x'] })).toThrow(/\(given 'call\.\*\.x'\)/);
  });

  it('fails when sources × events exceed the 150 combinations SNS allows', () => {
    const events = Array.from({ length: 76 }, (_, i) => `e${i}`);
    expect(() => happFilterPolicy({ sources: ['chat', 'call'], events })).toThrow(
      /sources × events must allow at most 150 combinations, the SNS filter policy limit \(given 2 × 76 = 152\)/,
    );
    expect(happFilterPolicy({ sources: ['chat', 'call'], events: events.slice(0, 75) })?.type).toHaveLength(
      75,
    );
  });
});
