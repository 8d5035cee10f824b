import { Duration, Token } from 'aws-cdk-lib';

/** The timing of one alarm after defaults are applied. */
export interface ResolvedTiming {
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** What a caller may set for one alarm (threshold type varies). */
export interface TimingInput {
  readonly period?: Duration;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

const ONE_HOUR_S = 3600;
const ONE_DAY_S = 86_400;
const SEVEN_DAYS_S = 7 * ONE_DAY_S;

/**
 * Applies defaults and checks the limits CloudWatch enforces at deploy time (PutMetricAlarm): a period
 * that is a whole number of minutes; period × evaluationPeriods at most 1 day when the period is under
 * an hour, at most 7 days otherwise; 1 ≤ datapointsToAlarm ≤ evaluationPeriods.
 */
export function resolveTiming(
  name: string,
  input: TimingInput | undefined,
  defaults: ResolvedTiming,
): ResolvedTiming {
  const period = input?.period ?? defaults.period;
  const evaluationPeriods = input?.evaluationPeriods ?? defaults.evaluationPeriods;
  // When only evaluationPeriods is given, alarm on all of them (N of N), like CloudWatch does.
  const datapointsToAlarm =
    input?.datapointsToAlarm ??
    (input?.evaluationPeriods !== undefined ? evaluationPeriods : defaults.datapointsToAlarm);

  if (!period.isUnresolved()) {
    const seconds = period.toSeconds({ integral: false });
    if (seconds < 60 || seconds % 60 !== 0) {
      throw new Error(
        `${name}.period must be a whole number of minutes, at least 1 minute (given ${period.toHumanString()})`,
      );
    }
    if (seconds > ONE_DAY_S) {
      throw new Error(`${name}.period must be at most 1 day (given ${period.toHumanString()})`);
    }
  }
  if (!Token.isUnresolved(evaluationPeriods)) {
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      throw new Error(
        `${name}.evaluationPeriods must be a whole number of at least 1 (given ${evaluationPeriods})`,
      );
    }
    if (!period.isUnresolved()) {
      const seconds = period.toSeconds();
      const limit = seconds < ONE_HOUR_S ? ONE_DAY_S : SEVEN_DAYS_S;
      if (seconds * evaluationPeriods > limit) {
        throw new Error(
          `${name}: period × evaluationPeriods must be at most ${limit === ONE_DAY_S ? '1 day for periods under an hour' : '7 days'} ` +
            `(given ${period.toHumanString()} × ${evaluationPeriods})`,
        );
      }
    }
  }
  if (!Token.isUnresolved(datapointsToAlarm) && !Token.isUnresolved(evaluationPeriods)) {
    if (
      !Number.isInteger(datapointsToAlarm) ||
      datapointsToAlarm < 1 ||
      datapointsToAlarm > evaluationPeriods
    ) {
      throw new Error(
        `${name}.datapointsToAlarm must be a whole number between 1 and evaluationPeriods (${evaluationPeriods}) (given ${datapointsToAlarm})`,
      );
    }
  }
  return { period, evaluationPeriods, datapointsToAlarm };
}

/** A count threshold: a positive number (an alarm at ≥ 0 would always fire). */
export function resolveCountThreshold(name: string, given: number | undefined, fallback: number): number {
  const threshold = given ?? fallback;
  if (!Token.isUnresolved(threshold) && !(Number.isFinite(threshold) && threshold > 0)) {
    throw new Error(`${name}.threshold must be a number greater than 0 (given ${threshold})`);
  }
  return threshold;
}

/** A time threshold: a positive Duration, optionally capped (the latency alarm must stay under Happ's budget). */
export function resolveDurationThreshold(
  name: string,
  given: Duration | undefined,
  fallback: Duration,
  max?: Duration,
): Duration {
  const threshold = given ?? fallback;
  if (!threshold.isUnresolved()) {
    const ms = threshold.toMilliseconds();
    if (ms <= 0) {
      throw new Error(`${name}.threshold must be greater than 0 (given ${threshold.toHumanString()})`);
    }
    if (max && ms >= max.toMilliseconds()) {
      throw new Error(
        `${name}.threshold must be below ${max.toHumanString()} (given ${threshold.toHumanString()})`,
      );
    }
  }
  return threshold;
}

/** The no-traffic window: whole minutes up to 1 hour (one period), or whole hours up to 7 days (hourly periods). */
export function resolveNoTrafficWindow(name: string, window: Duration): ResolvedTiming {
  if (window.isUnresolved()) {
    throw new Error(`${name} must be a concrete Duration, not a token`);
  }
  const seconds = window.toSeconds({ integral: false });
  if (seconds >= 300 && seconds <= ONE_HOUR_S && seconds % 60 === 0) {
    return { period: window, evaluationPeriods: 1, datapointsToAlarm: 1 };
  }
  if (seconds > ONE_HOUR_S && seconds <= SEVEN_DAYS_S && seconds % ONE_HOUR_S === 0) {
    const hours = seconds / ONE_HOUR_S;
    return { period: Duration.hours(1), evaluationPeriods: hours, datapointsToAlarm: hours };
  }
  throw new Error(
    `${name} must be whole minutes between 5 minutes and 1 hour, or whole hours up to 7 days (given ${window.toHumanString()})`,
  );
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Checks e-mail addresses (tokens are skipped). */
export function validateEmails(name: string, emails: readonly string[] | undefined): readonly string[] {
  for (const email of emails ?? []) {
    if (!Token.isUnresolved(email) && !EMAIL.test(email)) {
      throw new Error(`${name} must contain e-mail addresses like oncall@example.com (given "${email}")`);
    }
  }
  return emails ?? [];
}
