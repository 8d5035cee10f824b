import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  ARCHIVE_PRICES,
  archiveCost,
  DEFAULT_ARCHIVE_INPUTS,
  firehoseBilledBytes,
} from '../../bench/archive-cost';

/** An envelope as the verifier writes it, around Happ's published call.completed sample. */
function sampleEnvelope(i: number): string {
  const id = randomUUID();
  return JSON.stringify({
    version: 1,
    id,
    source: 'call',
    type: 'call.completed',
    receivedAt: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString(),
    idempotencyKey: `call#${createHash('sha256').update(id).digest('hex')}`,
    payload: {
      event: 'call.completed',
      callId: `call_${randomUUID().slice(0, 12)}`,
      caller: `+1555${String(1_000_000 + i)}`,
      direction: 'inbound',
      duration: i % 600,
      endedAt: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString(),
      provider: 'ringostat',
    },
  });
}

describe('archive cost', () => {
  it('dates and sources every price', () => {
    for (const [name, price] of Object.entries(ARCHIVE_PRICES)) {
      expect({ name, source: price.source }).toEqual({ name, source: expect.stringMatching(/^https:\/\//) });
      expect(price.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
      expect(price.usd).toBeGreaterThan(0);
    }
  });

  it('rounds every Firehose record up to a multiple of 5 KB', () => {
    expect(firehoseBilledBytes(1)).toBe(5120);
    expect(firehoseBilledBytes(421)).toBe(5120);
    expect(firehoseBilledBytes(5120)).toBe(5120);
    expect(firehoseBilledBytes(5121)).toBe(10240);
    expect(firehoseBilledBytes(3 * 1024)).toBe(5120); // AWS's example: a 3 KB record bills as 5 KB
    expect(firehoseBilledBytes(12 * 1024)).toBe(15 * 1024); // and a 12 KB one as 15 KB
  });

  it('has defaults that match a measured envelope and its GZIP ratio', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => sampleEnvelope(i));
    const text = lines.map((l) => `${l}\n`).join('');
    const averageBytes = Buffer.byteLength(text) / lines.length - 1;
    const ratio = Buffer.byteLength(text) / gzipSync(text).length;
    expect(Math.abs(averageBytes - DEFAULT_ARCHIVE_INPUTS.envelopeBytes)).toBeLessThan(15);
    // The default is at most the measured ratio (the estimate errs towards more storage).
    expect(ratio).toBeGreaterThanOrEqual(DEFAULT_ARCHIVE_INPUTS.compressionRatio);
    expect(ratio).toBeLessThan(DEFAULT_ARCHIVE_INPUTS.compressionRatio + 1.5); // 4.5 ≤ measured < 6;
  });

  it('prices a million events: SNS delivery + 5 KB-rounded ingestion + S3 PUTs; storage per GB-month', () => {
    const cost = archiveCost({ eventsPerMonth: 1_000_000 });
    const sns = 0.19;
    const firehose = ((1e6 * 5120) / 1024 ** 3) * 0.029;
    const objects = (2 * 30 * 24 * 3600) / 300; // one object per stream per 5-minute interval
    const puts = (objects / 1000) * 0.005;
    expect(cost.objectsPerMonth).toBe(objects);
    expect(cost.perMillionEvents).toBeCloseTo(sns + firehose + puts, 10);
    expect(cost.perMillionEvents).toBeCloseTo(0.415, 3);
    const gb = (1e6 * 422) / 4.5 / 1024 ** 3;
    expect(cost.gbPerMillionEvents).toBeCloseTo(gb, 10);
    expect(cost.perGbMonth).toBe(0.023);
    expect(cost.steadyStorageMonthly).toBeCloseTo(gb * 3 * 0.023, 10); // 90 days kept = 3 months of traffic
  });

  it('writes an object per 5 MiB when traffic fills the buffer before the interval ends', () => {
    const cost = archiveCost({ eventsPerMonth: 1e10 });
    const bySize = (1e10 * 422) / 4.5 / (5 * 1024 * 1024);
    expect(cost.objectsPerMonth).toBeCloseTo(bySize, 6);
    // At volume the PUT share per million falls and ingestion dominates.
    expect(cost.perMillionEvents).toBeLessThan(archiveCost({ eventsPerMonth: 1e6 }).perMillionEvents);
  });

  it('never counts more objects than events', () => {
    expect(archiveCost({ eventsPerMonth: 100 }).objectsPerMonth).toBe(100);
  });

  it.each([
    ['envelopeBytes', { envelopeBytes: 0 }],
    ['compressionRatio', { compressionRatio: 0.5 }],
    ['eventsPerMonth', { eventsPerMonth: Number.NaN }],
  ])('fails when %s is out of range', (name, inputs) => {
    expect(() => archiveCost(inputs)).toThrow(new RegExp(`${name} must be a number >=`));
  });
});
