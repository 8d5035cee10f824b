/**
 * The webhook secrets of each source, from Secrets Manager through Powertools Parameters (cached in
 * the container for `ttlSeconds`), parsed with lambda/shared/secrets.ts (plain string, or
 * `{"current","previous"}` during a rotation).
 */
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { MalformedSecretError, parseSecretValue } from '../shared/secrets';
import { Dependency, DependencyError, SecretMisconfiguredError } from './errors';

export interface SourceSecretsOptions {
  readonly provider: SecretsProvider;
  /** Powertools cache lifetime (`maxAge`); 0 fetches on every request. */
  readonly ttlSeconds: number;
  /** Minimum age of the cached value before a signature mismatch may force a fresh fetch. */
  readonly refreshIntervalMs: number;
  readonly now: () => number;
}

export class SourceSecrets {
  /** When each secret was last fetched from Secrets Manager (as far as this container knows). */
  private readonly fetchedAt = new Map<string, number>();

  constructor(private readonly options: SourceSecretsOptions) {}

  /**
   * Every secret that currently verifies for `secretId`, `current` first. Throws DependencyError
   * when Secrets Manager fails and SecretMisconfiguredError when the value is unusable.
   */
  public async get(secretId: string, options: { forceFetch?: boolean } = {}): Promise<string[]> {
    const now = this.options.now();
    const last = this.fetchedAt.get(secretId);
    const fetches =
      options.forceFetch === true || last === undefined || now - last >= this.options.ttlSeconds * 1000;
    let value: unknown;
    try {
      value = await this.options.provider.get(secretId, {
        maxAge: this.options.ttlSeconds,
        forceFetch: options.forceFetch === true,
      });
    } catch (error) {
      throw new DependencyError(Dependency.SECRETS_MANAGER, 'GetSecretValue', {
        cause: (error as { cause?: unknown }).cause ?? error,
      });
    }
    if (fetches) this.fetchedAt.set(secretId, now);
    const text =
      typeof value === 'string'
        ? value
        : value instanceof Uint8Array
          ? Buffer.from(value).toString('utf8')
          : '';
    try {
      return parseSecretValue(text);
    } catch (error) {
      if (error instanceof MalformedSecretError) {
        throw new SecretMisconfiguredError(secretId, error.message, { cause: error });
      }
      throw error;
    }
  }

  /**
   * True when a signature mismatch may re-fetch the secret: the copy in hand is at least
   * `refreshIntervalMs` old. Lets a rotation take effect at once without letting bad requests
   * hammer Secrets Manager (at most one extra fetch per interval per container).
   */
  public mayRefresh(secretId: string): boolean {
    const last = this.fetchedAt.get(secretId);
    return last === undefined || this.options.now() - last >= this.options.refreshIntervalMs;
  }
}
