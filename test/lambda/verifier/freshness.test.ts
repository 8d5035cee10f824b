import { decodeBody } from '../../../lambda/verifier/delivery';
import { checkFreshness, parseEventTime, readEventTime } from '../../../lambda/verifier/freshness';

const body = (value: unknown) => decodeBody(Buffer.from(JSON.stringify(value)));
const T = Date.parse('2026-05-26T14:02:11Z');

describe('parseEventTime', () => {
  it.each([
    ['2026-05-26T14:02:11Z', T],
    ['2026-05-26T16:02:11+02:00', T],
    ['2026-05-26T14:02:11.000Z', T],
    ['2026-05-26T14:02:11', T], // no zone: UTC
    ['2026-05-26 14:02:11', T],
    [T / 1000, T], // epoch seconds
    [T, T], // epoch milliseconds
    [String(T / 1000), T],
    [String(T), T],
  ])('reads %p', (value, expected) => {
    expect(parseEventTime(value)).toBe(expected);
  });

  it.each([[''], ['yesterday'], ['14:02'], [-5], [0], [null], [true], [{}], ['2026-13-45T99:99:99Z']])(
    'is not a time: %p',
    (value) => {
      expect(parseEventTime(value)).toBeUndefined();
    },
  );
});

describe('readEventTime', () => {
  it('takes the first field holding a time (dot paths)', () => {
    expect(readEventTime(body({ createdAt: 'x', data: { at: T } }), ['createdAt', 'data.at'])).toEqual({
      ms: T,
      field: 'data.at',
    });
  });

  it('finds nothing in a body that is not JSON or has no such field', () => {
    expect(readEventTime(decodeBody(Buffer.from('not json')), ['timestamp'])).toBeUndefined();
    expect(readEventTime(body({ other: T }), ['timestamp'])).toBeUndefined();
  });
});

describe('checkFreshness', () => {
  const at = (ms: number) => ({ ms, field: 'timestamp' });
  it('is fresh inside [now − maxAge, now + skew]', () => {
    expect(checkFreshness(at(T - 3600_000), T, 3600, 300)).toEqual({ kind: 'fresh' });
    expect(checkFreshness(at(T + 300_000), T, 3600, 300)).toEqual({ kind: 'fresh' });
  });
  it('is stale when older than maxAge', () => {
    expect(checkFreshness(at(T - 3601_000), T, 3600, 300)).toEqual({ kind: 'stale', ageSeconds: 3601 });
    // A captured request from 2001 never passes.
    expect(checkFreshness(at(Date.parse('2001-01-01T00:00:00Z')), T, 3600, 300).kind).toBe('stale');
  });
  it('is in the future when ahead by more than the skew', () => {
    expect(checkFreshness(at(T + 301_000), T, 3600, 300)).toEqual({ kind: 'future', aheadSeconds: 301 });
  });
  it('is untimed without a time', () => {
    expect(checkFreshness(undefined, T, 3600, 300)).toEqual({ kind: 'untimed' });
  });
});
