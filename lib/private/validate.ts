import { RemovalPolicy, Duration, Token } from 'aws-cdk-lib';

/**
 * Synth-time validation helpers. Every message names the prop, the value given and the allowed
 * range, e.g. `maxReceiveCount must be an integer between 1 and 1000 (given 0)`. Unresolved tokens
 * are never validated (their value is only known at deploy time).
 */

/** Throws unless `value` is an integer in [min, max]. Skips undefined and tokens. */
export function validateInteger(name: string, value: number | undefined, min: number, max?: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const ok = Number.isInteger(value) && value >= min && (max === undefined || value <= max);
  if (!ok) {
    const range =
      max === undefined ? `an integer of at least ${min}` : `an integer between ${min} and ${max}`;
    throw new Error(`${name} must be ${range} (given ${value})`);
  }
}

/** Throws unless `value` is a finite number greater than zero. Skips undefined and tokens. */
export function validatePositive(name: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a number greater than 0 (given ${value})`);
  }
}

/** Throws unless min <= value <= max. Skips undefined and unresolved durations. */
export function validateDuration(
  name: string,
  value: Duration | undefined,
  min: Duration,
  max: Duration,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
    throw new Error(
      `${name} must be between ${min.toHumanString()} and ${max.toHumanString()} (given ${value.toHumanString()})`,
    );
  }
}

/** Throws unless the duration is a whole number of `unit`s (CloudFormation takes integers). */
export function validateWhole(name: string, value: Duration | undefined, unit: 'seconds' | 'days'): void {
  if (value === undefined || value.isUnresolved()) return;
  const n = unit === 'seconds' ? value.toSeconds({ integral: false }) : value.toDays({ integral: false });
  if (!Number.isInteger(n)) {
    throw new Error(`${name} must be a whole number of ${unit} (given ${n} ${unit})`);
  }
}

/** A JSON field as the verifier reads it: a dot path (`a.b.c`) with no whitespace, empty segment or comma. */
const FIELD_PATH_RE = /^[^.\s,]+(\.[^.\s,]+)*$/;

/** Throws unless a field list is non-empty (when required) and every entry is a dot path. */
export function validateFieldList(
  name: string,
  values: readonly string[] | undefined,
  allowEmpty: boolean,
): void {
  if (values === undefined) return;
  if (!allowEmpty && values.length === 0) {
    throw new Error(`${name} must list at least one field (given [])`);
  }
  for (const v of values) {
    if (Token.isUnresolved(v)) continue;
    if (!FIELD_PATH_RE.test(v)) {
      throw new Error(
        `${name} entries must be JSON field dot paths like "call.id", with no spaces or commas (given ${JSON.stringify(v)})`,
      );
    }
  }
}

/**
 * The removal policies every resource it applies to accepts: SNAPSHOT is refused by CloudFormation
 * for queues, secrets and buckets ("DeletionPolicy must be one of Delete, Retain, …").
 */
export function validateRemovalPolicy(prop: string, policy: RemovalPolicy | undefined): void {
  if (policy === undefined) return;
  const allowed = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE];
  if (!allowed.includes(policy)) {
    throw new Error(
      `${prop} must be RemovalPolicy.RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE (given ${String(policy).toUpperCase()}): it applies to queues, secrets and a bucket, which have no snapshots`,
    );
  }
}
