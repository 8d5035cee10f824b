/**
 * Webhook secrets cached per container, that ride out a Secrets Manager brown-out.
 *
 * - A fetched value is served for `ttlSeconds`; after that it is fetched again.
 * - **Stale-while-error:** when a fetch fails, the last value fetched keeps verifying, past its TTL,
 *   and the lookup says so (`stale: true`: log a WARN and count a metric). Only a container that has
 *   never fetched the secret has nothing to verify with (`SecretUnavailableError`).
 * - **Degrade, don't amplify:** with a value in hand, a fetch that failed is not tried again for
 *   `refreshIntervalMs` (without one, each lookup tries: no more calls than requests), and
 *   `refresh` (after a signature mismatch, to pick up a rotation at once) runs at most once per
 *   `refreshIntervalMs` per secret, whether or not it succeeds. A flood of bad signatures during an
 *   outage therefore costs at most one call per interval per secret per container.
 *
 * Values are parsed with `parseSecretValue` (plain string, or `{"current","previous"}` while rotating);
 * an unusable value throws `MalformedSecretError` and is not cached (fix the secret, it recovers).
 */
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { Budget, currentBudget, withBudget } from './budget';
import { parseSecretValue } from './secrets';

/** Secrets Manager could not be read and no value was ever fetched in this container. */
export class SecretUnavailableError extends Error {
  public override readonly name = 'SecretUnavailableError';
  constructor(
    public readonly secretId: string,
    options?: { cause?: unknown },
  ) {
    super(`secret ${secretId} could not be read and none was fetched before`, options);
  }
}

export interface SecretCacheOptions {
  /**
   * Reads the secret's current value (a string, or the bytes of a binary secret). `hasFallback` is
   * true when a value is in hand: the fetch may then be bounded tightly, since a failure costs nothing.
   */
  readonly fetch: (secretId: string, hasFallback: boolean) => Promise<string | Uint8Array | undefined>;
  /** How long a fetched value is served before it is fetched again; 0 = every lookup fetches. */
  readonly ttlSeconds: number;
  /** Least time between two fetch attempts of one secret after a failure or for `refresh`. */
  readonly refreshIntervalMs: number;
  /** Clock. @default Date.now */
  readonly now?: () => number;
}

/** What a lookup found. */
export interface SecretLookup {
  /** Every secret that verifies, `current` first. */
  readonly values: string[];
  /** True when Secrets Manager failed and these are the last values fetched. */
  readonly stale: boolean;
  /** Why the fetch failed, when `stale`. */
  readonly error?: unknown;
}

interface Entry {
  values?: string[];
  fetchedAt?: number;
  lastAttemptAt?: number;
  lastError?: unknown;
}

export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: SecretCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The secret's values: cached while fresh, else fetched; stale when Secrets Manager fails. */
  public async get(secretId: string): Promise<SecretLookup> {
    const entry = this.entry(secretId);
    const now = this.now();
    if (
      entry.values &&
      entry.fetchedAt !== undefined &&
      now - entry.fetchedAt < this.options.ttlSeconds * 1000
    ) {
      return { values: entry.values, stale: false };
    }
    // With a value in hand, a failed fetch is not retried within the interval: the last value verifies.
    // Without one there is nothing to degrade to, so every request tries (no more calls than requests).
    if (entry.values && entry.lastError !== undefined && !this.mayAttempt(entry, now)) {
      return this.fallback(secretId, entry);
    }
    return (await this.attempt(secretId, entry)) ?? this.fallback(secretId, entry);
  }

  /**
   * After a signature mismatch: fetch again (the secret may have been rotated) unless an attempt was
   * made less than `refreshIntervalMs` ago. Undefined when no attempt was made or it failed (the values
   * in hand stay in use).
   */
  public async refresh(secretId: string): Promise<SecretLookup | undefined> {
    const entry = this.entry(secretId);
    if (!this.mayAttempt(entry, this.now())) return undefined;
    return this.attempt(secretId, entry);
  }

  /** True when `refresh` would try now. */
  public mayRefresh(secretId: string): boolean {
    return this.mayAttempt(this.entry(secretId), this.now());
  }

  private entry(secretId: string): Entry {
    let entry = this.entries.get(secretId);
    if (!entry) {
      entry = {};
      this.entries.set(secretId, entry);
    }
    return entry;
  }

  private mayAttempt(entry: Entry, now: number): boolean {
    return entry.lastAttemptAt === undefined || now - entry.lastAttemptAt >= this.options.refreshIntervalMs;
  }

  /** One fetch; records the attempt whatever its outcome. Undefined when it failed. */
  private async attempt(secretId: string, entry: Entry): Promise<SecretLookup | undefined> {
    entry.lastAttemptAt = this.now();
    let raw: string | Uint8Array | undefined;
    try {
      raw = await this.options.fetch(secretId, entry.values !== undefined);
    } catch (error) {
      entry.lastError = error;
      return undefined;
    }
    const text =
      typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : '';
    const values = parseSecretValue(text); // MalformedSecretError propagates, nothing is cached
    entry.values = values;
    entry.fetchedAt = this.now();
    entry.lastError = undefined;
    return { values, stale: false };
  }

  private fallback(secretId: string, entry: Entry): SecretLookup {
    if (entry.values) return { values: entry.values, stale: true, error: entry.lastError };
    throw new SecretUnavailableError(secretId, { cause: entry.lastError });
  }
}

/**
 * The `fetch` of a SecretCache reading through a Powertools SecretsProvider (its own cache bypassed:
 * this one decides when to fetch). With a value in hand, the refetch is abandoned after
 * `staleFetchTimeoutMs` (within whatever budget the request has): the last value keeps verifying.
 */
export function providerFetch(
  provider: Pick<SecretsProvider, 'get'>,
  staleFetchTimeoutMs: number,
): SecretCacheOptions['fetch'] {
  return (secretId, hasFallback) => {
    const get = async () =>
      (await provider.get(secretId, { forceFetch: true })) as string | Uint8Array | undefined;
    if (!hasFallback) return get();
    const outer = currentBudget();
    const inner = new Budget({
      totalMs: Math.min(staleFetchTimeoutMs, outer?.callRemainingMs() ?? Infinity),
    });
    return withBudget(inner, get).finally(() => inner.dispose());
  };
}
