/**
 * Webhook secret values as stored in Secrets Manager: either the plain secret string, or JSON
 * `{"current": "...", "previous": ["..."]}` during a rotation, when every listed secret verifies.
 */
export interface RotatingSecretValue {
  readonly current: string;
  readonly previous?: readonly string[];
}

/** The stored value is not a usable secret (bad JSON, no `current`, empty). Never includes the value. */
export class MalformedSecretError extends Error {
  public override readonly name = 'MalformedSecretError';
}

/**
 * Every secret that currently verifies, `current` first. Throws MalformedSecretError.
 * A plain value stored with surrounding white space (`--secret-string file://secret.txt` keeps the
 * file's trailing newline) verifies both trimmed (first: what was pasted into Happ) and as stored.
 */
export function parseSecretValue(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') {
    throw new MalformedSecretError('the secret value is empty');
  }
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return trimmed === value ? [value] : [trimmed, value];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new MalformedSecretError(
      'the secret value starts with "{" but is not valid JSON; expected a plain string or {"current": "...", "previous": ["..."]}',
    );
  }
  const obj = parsed as Partial<Record<string, unknown>>;
  if (typeof obj.current !== 'string' || obj.current === '') {
    throw new MalformedSecretError('the secret JSON has no non-empty string "current"');
  }
  const previous = obj.previous ?? [];
  if (!Array.isArray(previous) || previous.some((p) => typeof p !== 'string' || p === '')) {
    throw new MalformedSecretError('the secret JSON "previous" must be an array of non-empty strings');
  }
  return [obj.current, ...(previous as string[])];
}

/** Serialises a rotation state. */
export function formatSecretValue(value: RotatingSecretValue): string {
  return JSON.stringify({ current: value.current, previous: value.previous ?? [] });
}
