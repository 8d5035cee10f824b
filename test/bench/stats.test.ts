import { parseArgs, SECTIONS } from '../../bench/args';
import { median, percentile, round, summarize } from '../../bench/stats';

describe('bench statistics', () => {
  it('interpolates percentiles linearly between sorted samples', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile(samples, 100)).toBe(5);
    expect(median(samples)).toBe(3);
    expect(percentile([1, 2], 50)).toBe(1.5);
    expect(
      percentile(
        Array.from({ length: 101 }, (_, i) => i),
        99,
      ),
    ).toBe(99);
  });

  it('gives NaN for no samples and fails on a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(/percentile must be between 0 and 100 \(given 101\)/);
  });

  it('summarizes samples without reordering the input', () => {
    const samples = [3, 1, 2];
    expect(summarize(samples)).toEqual({ n: 3, mean: 2, p50: 2, p95: 2.9, p99: 2.98, min: 1, max: 3 });
    expect(samples).toEqual([3, 1, 2]);
  });

  it('rounds to significant digits', () => {
    expect(round(123456, 3)).toBe(123000);
    expect(round(0.00123456, 2)).toBe(0.0012);
    expect(round(0)).toBe(0);
  });
});

describe('bench arguments', () => {
  it('runs every section by default', () => {
    expect(parseArgs([])).toEqual({ only: [...SECTIONS], quick: false });
  });

  it('accepts --only in both spellings and --quick', () => {
    expect(parseArgs(['--only', 'signature,cost', '--quick'])).toEqual({
      only: ['signature', 'cost'],
      quick: true,
    });
    expect(parseArgs(['--only=synth']).only).toEqual(['synth']);
  });

  it('fails when --only names an unknown section', () => {
    expect(() => parseArgs(['--only', 'signature,speed'])).toThrow(
      /--only takes a comma-separated subset of signature,handler,coldstart,subscriber,synth,tool,cost \(given signature,speed\)/,
    );
  });

  it('fails on an unknown argument', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument --fast/);
  });
});
