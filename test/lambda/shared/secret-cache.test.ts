import { SecretCache, SecretUnavailableError } from '../../../lambda/shared/secret-cache';
import { MalformedSecretError } from '../../../lambda/shared/secrets';

function cache(options: { ttlSeconds?: number; refreshIntervalMs?: number } = {}) {
  let now = 0;
  let value: string | Error = 'first';
  const fetches: number[] = [];
  const c = new SecretCache({
    fetch: async () => {
      fetches.push(now);
      if (value instanceof Error) throw value;
      return value;
    },
    ttlSeconds: options.ttlSeconds ?? 300,
    refreshIntervalMs: options.refreshIntervalMs ?? 10_000,
    now: () => now,
  });
  return {
    c,
    fetches,
    at: (ms: number) => (now = ms),
    set: (v: string | Error) => (value = v),
  };
}

describe('SecretCache', () => {
  it('serves a fetched value for the TTL, then fetches again', async () => {
    const { c, fetches, at, set } = cache();
    expect(await c.get('s')).toEqual({ values: ['first'], stale: false });
    set('second');
    at(299_999);
    expect((await c.get('s')).values).toEqual(['first']);
    at(300_000);
    expect((await c.get('s')).values).toEqual(['second']);
    expect(fetches).toHaveLength(2);
  });

  it('stale-while-error: the last value keeps verifying past its TTL while Secrets Manager fails', async () => {
    const { c, at, set } = cache({ ttlSeconds: 1 });
    await c.get('s');
    set(new Error('ServiceUnavailable'));
    at(60_000);
    const lookup = await c.get('s');
    expect(lookup).toMatchObject({ values: ['first'], stale: true });
    expect((lookup.error as Error).message).toBe('ServiceUnavailable');
  });

  it('with a value in hand, a failed fetch is retried at most once per interval, however many lookups', async () => {
    const { c, fetches, at, set } = cache({ ttlSeconds: 0, refreshIntervalMs: 10_000 });
    await c.get('s');
    set(new Error('down'));
    for (let ms = 1; ms <= 35_000; ms += 35) {
      at(ms);
      await c.get('s');
      await c.refresh('s');
    }
    // 1 success + one attempt per 10 s interval over 35 s (at most 4), never one per request (1,000).
    expect(fetches.length).toBeLessThanOrEqual(5);
    set('back');
    at(50_000);
    expect(await c.get('s')).toEqual({ values: ['back'], stale: false });
  });

  it('refresh after a mismatch is rate-limited whether or not it succeeds', async () => {
    const { c, fetches, at, set } = cache();
    await c.get('s');
    at(5_000);
    expect(await c.refresh('s')).toBeUndefined(); // fetched 5 s ago: not again
    at(10_000);
    set('rotated');
    expect(await c.refresh('s')).toEqual({ values: ['rotated'], stale: false });
    at(12_000);
    expect(await c.refresh('s')).toBeUndefined();
    set(new Error('down'));
    at(25_000);
    expect(await c.refresh('s')).toBeUndefined(); // tried and failed
    at(30_000);
    expect(await c.refresh('s')).toBeUndefined(); // failed 5 s ago: not again
    expect(fetches).toEqual([0, 10_000, 25_000]);
  });

  it('a container that never fetched the secret has nothing to verify with', async () => {
    const { c, set } = cache();
    set(new Error('down'));
    await expect(c.get('s')).rejects.toThrow(SecretUnavailableError);
    await expect(c.get('s')).rejects.toThrow(/could not be read and none was fetched before/);
  });

  it('an unusable value is not cached and fails loudly', async () => {
    const { c, set } = cache();
    set('{"current": ""}');
    await expect(c.get('s')).rejects.toThrow(MalformedSecretError);
  });
});
