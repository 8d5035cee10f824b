/**
 * The webhook secrets of each source: read from Secrets Manager through Powertools Parameters, kept in
 * the shared stale-while-error cache (lambda/shared/secret-cache.ts), failures turned into the
 * verifier's domain errors here, at one boundary.
 */
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  providerFetch,
  SecretCache,
  SecretUnavailableError,
  type SecretLookup,
} from '../shared/secret-cache';
import { MalformedSecretError } from '../shared/secrets';
import { Dependency, DependencyError, SecretMisconfiguredError } from './errors';

export interface SourceSecretsOptions {
  readonly provider: SecretsProvider;
  /** How long a fetched secret is served before it is fetched again; 0 = every request fetches. */
  readonly ttlSeconds: number;
  /** Least time between two fetch attempts of one secret after a failure or a signature mismatch. */
  readonly refreshIntervalMs: number;
  /** With a secret in hand, a refetch is abandoned after this long (the last secret keeps verifying). */
  readonly staleFetchTimeoutMs: number;
  readonly now: () => number;
}

export class SourceSecrets {
  private readonly cache: SecretCache;

  constructor(options: SourceSecretsOptions) {
    this.cache = new SecretCache({
      fetch: providerFetch(options.provider, options.staleFetchTimeoutMs),
      ttlSeconds: options.ttlSeconds,
      refreshIntervalMs: options.refreshIntervalMs,
      now: options.now,
    });
  }

  /**
   * Every secret that verifies for `secretId`, `current` first (stale when Secrets Manager fails and an
   * earlier value is in hand). Throws DependencyError when it was never fetched and cannot be now, and
   * SecretMisconfiguredError when the value is unusable.
   */
  public async get(secretId: string): Promise<SecretLookup> {
    try {
      return await this.cache.get(secretId);
    } catch (error) {
      throw domainError(secretId, error);
    }
  }

  /** After a mismatch: the values fetched again, or undefined (rate-limited, or the fetch failed). */
  public async refresh(secretId: string): Promise<SecretLookup | undefined> {
    try {
      return await this.cache.refresh(secretId);
    } catch (error) {
      throw domainError(secretId, error);
    }
  }
}

function domainError(secretId: string, error: unknown): Error {
  if (error instanceof MalformedSecretError) {
    return new SecretMisconfiguredError(secretId, error.message, { cause: error });
  }
  if (error instanceof SecretUnavailableError) {
    const cause = (error.cause as { cause?: unknown } | undefined)?.cause ?? error.cause;
    return new DependencyError(Dependency.SECRETS_MANAGER, 'GetSecretValue', { cause });
  }
  return error as Error;
}
