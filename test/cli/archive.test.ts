// The archive reader's pieces: record framing, time and glob parsing, payload matching, and which
// hour partitions a time range lists (on fauxqs S3, with objects at the edges of the range).
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  decodeObject,
  globToRegExp,
  listArchiveKeys,
  parseTime,
  payloadMatches,
  scanArchive,
  selectionFrom,
  splitRecords,
} from '../../bin/cli/archive';
import { CliError } from '../../bin/cli/errors';
import { archiveObjectKey } from '../../lambda/shared/archive';
import { envelope } from './support/queues';

const NOW = new Date('2026-06-10T12:30:00.000Z');

describe('splitRecords', () => {
  const a = { id: 'a', text: 'braces } { and "quotes" \\" inside\nand a newline escape' };
  const b = { id: 'b', nested: { list: [1, { x: '}' }] } };

  it('reads records one per line (AppendDelimiterToRecord)', () => {
    expect(splitRecords(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`)).toEqual([a, b]);
  });

  it('reads records back to back (no delimiter processor)', () => {
    expect(splitRecords(`${JSON.stringify(a)}${JSON.stringify(b)}`)).toEqual([a, b]);
  });

  it('marks a broken record and reads on from the next line', () => {
    expect(splitRecords(`{"id":"x",\n${JSON.stringify(b)}\nnot json\n`)).toEqual([undefined, b, undefined]);
  });

  it('decodes GZIP by its magic bytes, and plain bytes as they are', () => {
    const text = `${JSON.stringify(a)}\n`;
    expect(decodeObject(gzipSync(text))).toBe(text);
    expect(decodeObject(Buffer.from(text))).toBe(text);
  });
});

describe('selection flags', () => {
  it('reads durations ago and ISO times', () => {
    expect(parseTime('--since', '3d', NOW).toISOString()).toBe('2026-06-07T12:30:00.000Z');
    expect(parseTime('--since', '90m', NOW).toISOString()).toBe('2026-06-10T11:00:00.000Z');
    expect(parseTime('--since', '2w', NOW).toISOString()).toBe('2026-05-27T12:30:00.000Z');
    expect(parseTime('--until', '2026-06-01', NOW).toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(parseTime('--until', '2026-06-01T10:00:00+02:00', NOW).toISOString()).toBe(
      '2026-06-01T08:00:00.000Z',
    );
  });

  it.each(['yesterday', '3 days', '-1d', '2026-13-45'])('fails when a time is "%s"', (value) => {
    expect(() => parseTime('--since', value, NOW)).toThrow(CliError);
    expect(() => parseTime('--since', value, NOW)).toThrow(/--since must be a duration ago .* \(given/);
  });

  it('defaults --since unless --ids is given, and checks the rest', () => {
    expect(selectionFrom({}, NOW, '1d').since?.toISOString()).toBe('2026-06-09T12:30:00.000Z');
    expect(selectionFrom({ ids: 'a, b c' }, NOW, '1d')).toMatchObject({
      since: undefined,
      ids: new Set(['a', 'b', 'c']),
    });
    expect(() => selectionFrom({ since: '1h', until: '2h' }, NOW, undefined)).toThrow(
      /--since must be before --until/,
    );
    expect(() => selectionFrom({ source: 'sms' }, NOW, '1d')).toThrow(
      /--source must be one of chat, call \(given "sms"\)/,
    );
    expect(() => selectionFrom({ ids: ' , ' }, NOW, '1d')).toThrow(/--ids must name at least one/);
  });

  it('matches types with globs', () => {
    const re = globToRegExp('call.*');
    expect(['call.completed', 'call.recording.available'].every((t) => re.test(t))).toBe(true);
    expect(re.test('chat.message.received')).toBe(false);
    expect(re.test('callXcompleted')).toBe(false); // the dot is literal
    expect(globToRegExp('chat.?i_control.toggled').test('chat.ai_control.toggled')).toBe(true);
  });

  it('matches payload text and field=value', () => {
    const payload = { callId: 'call_1', caller: { phone: '+15550100' }, duration: 252 };
    expect(payloadMatches(payload, '+1555')).toBe(true);
    expect(payloadMatches(payload, 'callId=call_1')).toBe(true);
    expect(payloadMatches(payload, 'callId=call_')).toBe(false); // a field matches whole
    expect(payloadMatches(payload, 'caller.phone=+15550100')).toBe(true);
    expect(payloadMatches(payload, 'duration=252')).toBe(true);
    expect(payloadMatches(payload, 'missing=x')).toBe(false);
    expect(payloadMatches('ping from happ', 'ping')).toBe(true);
  });
});

describe('listing the archive', () => {
  const s3 = new S3Client({});
  let bucket: string;
  const put = async (oldestArrival: string, source: 'chat' | 'call', records: object[]) => {
    const key = archiveObjectKey({
      source,
      oldestArrival: new Date(oldestArrival),
      streamName: `Stack-Happ-${source}-Stream`,
      uuid: randomUUID(),
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: gzipSync(records.map((r) => `${JSON.stringify(r)}\n`).join('')),
      }),
    );
    return key;
  };
  const at = (receivedAt: string, type = 'call.completed') => envelope(type, { receivedAt });
  let keys: Record<string, string>;
  beforeAll(async () => {
    bucket = `happ-archive-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // An object's hour is its OLDEST record's arrival; an event accepted at 11:59:50 can sit in an
    // object of 11:00 that also holds events of 12:05.
    keys = {
      early: await put('2026-06-10T08:10:00Z', 'call', [at('2026-06-10T08:10:00Z')]),
      edge: await put('2026-06-10T09:59:00Z', 'call', [
        at('2026-06-10T09:59:00Z'),
        at('2026-06-10T10:04:00Z'),
      ]),
      inside: await put('2026-06-10T10:30:00Z', 'call', [at('2026-06-10T10:30:00Z')]),
      previousDay: await put('2026-06-09T23:58:00Z', 'call', [at('2026-06-10T00:01:00Z')]),
      chat: await put('2026-06-10T10:31:00Z', 'chat', [at('2026-06-10T10:31:00Z', 'chat.message.received')]),
      late: await put('2026-06-10T13:00:00Z', 'call', [at('2026-06-10T13:00:00Z')]),
    };
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'errors/source=call/x', Body: 'no' }));
  });
  afterAll(() => s3.destroy());

  it('lists the hours of the range plus an hour of slack on each side, per source', async () => {
    const listed = await listArchiveKeys(s3, bucket, {
      since: new Date('2026-06-10T10:00:00Z'),
      until: new Date('2026-06-10T11:00:00Z'),
      sources: ['call'],
    });
    expect(listed.sort()).toEqual([keys.edge, keys.inside].sort());
  });

  it('crosses day boundaries, and lists everything retained without --since', async () => {
    const overnight = await listArchiveKeys(s3, bucket, {
      since: new Date('2026-06-10T00:00:00Z'),
      until: new Date('2026-06-10T01:00:00Z'),
      sources: ['call'],
    });
    expect(overnight).toEqual([keys.previousDay]);
    const all = await listArchiveKeys(s3, bucket, {
      until: new Date('2026-06-11T00:00:00Z'),
      sources: ['call', 'chat'],
    });
    expect(all.sort()).toEqual(Object.values(keys).sort());
  });

  it('keeps the events accepted inside the range, even when their object is filed under the hour before', async () => {
    const { events, stats } = await scanArchive(s3, bucket, {
      since: new Date('2026-06-10T10:00:00Z'),
      until: new Date('2026-06-10T11:00:00Z'),
      sources: ['call', 'chat'],
    });
    expect(events.map((e) => e.envelope.receivedAt)).toEqual([
      '2026-06-10T10:04:00Z',
      '2026-06-10T10:30:00Z',
      '2026-06-10T10:31:00Z',
    ]);
    expect(stats).toMatchObject({ objects: 3, read: 3, records: 4, matched: 3, unreadable: 0, repeats: 0 });
  });
});
