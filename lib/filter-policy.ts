import { HAPP_SOURCES, HappSource, MESSAGE_ATTRIBUTES } from '../lambda/shared/envelope';

/** What a subscriber receives. Both unset = every delivery. */
export interface HappFilterOptions {
  /**
   * Receive only deliveries POSTed to these routes.
   *
   * @default - every source (chat and call)
   */
  readonly sources?: HappSource[];

  /**
   * Receive only these event types (the envelope's `type`, e.g. `call.completed`). An entry ending
   * in `*` matches by prefix (`call.*` matches every type starting with `call.`). `unknown` matches
   * verified deliveries that named no event type.
   *
   * @default - every event type
   */
  readonly events?: string[];
}

/** A condition in an SNS filter policy: an exact string or a `{ prefix }` match. */
export type HappFilterCondition = string | { readonly prefix: string };

/**
 * An SNS subscription filter policy on the message attributes the verifier sets (`source`,
 * `type`), exactly as it appears in the CloudFormation template (`FilterPolicy`).
 */
export interface HappFilterPolicy {
  readonly [attribute: string]: HappFilterCondition[];
}

/** SNS: the product of the value counts of every attribute of a filter policy must not exceed 150. */
export const MAX_FILTER_POLICY_COMBINATIONS = 150;

/**
 * Builds the SNS filter policy for a subscriber from `sources` and `events`, or `undefined` when
 * neither is set (the subscriber receives everything). Pure: the end-to-end tests apply the same
 * policy to a local SNS. Throws with a message naming the option on an invalid filter.
 */
export function happFilterPolicy(options: HappFilterOptions = {}): HappFilterPolicy | undefined {
  const policy: { [attribute: string]: HappFilterCondition[] } = {};

  if (options.sources !== undefined) {
    if (options.sources.length === 0) {
      throw new Error(
        'sources must list at least one source (given []); omit sources to receive every source',
      );
    }
    for (const s of options.sources) {
      if (!HAPP_SOURCES.includes(s)) {
        throw new Error(
          `sources entries must be one of ${HAPP_SOURCES.map((x) => `'${x}'`).join(', ')} (given '${s}')`,
        );
      }
    }
    policy[MESSAGE_ATTRIBUTES.SOURCE] = unique(options.sources);
  }

  if (options.events !== undefined) {
    if (options.events.length === 0) {
      throw new Error(
        'events must list at least one event type (given []); omit events to receive every event type',
      );
    }
    const conditions: HappFilterCondition[] = [];
    const seen = new Set<string>();
    for (const e of options.events) {
      if (typeof e !== 'string' || e.trim() === '' || e !== e.trim()) {
        throw new Error(
          `events entries must be non-empty with no surrounding spaces (given ${JSON.stringify(e)})`,
        );
      }
      const star = e.indexOf('*');
      if (star !== -1 && (star !== e.length - 1 || e.length === 1)) {
        throw new Error(
          `events entries may end with one '*' after a prefix, like 'call.*' (given '${e}'); omit events to receive every event type`,
        );
      }
      if (seen.has(e)) continue;
      seen.add(e);
      conditions.push(star === -1 ? e : { prefix: e.slice(0, -1) });
    }
    policy[MESSAGE_ATTRIBUTES.TYPE] = conditions;
  }

  const keys = Object.keys(policy);
  if (keys.length === 0) return undefined;
  const combinations = keys.reduce((n, k) => n * policy[k].length, 1);
  if (combinations > MAX_FILTER_POLICY_COMBINATIONS) {
    throw new Error(
      `sources × events must allow at most ${MAX_FILTER_POLICY_COMBINATIONS} combinations, the SNS filter policy limit (given ${keys
        .map((k) => policy[k].length)
        .join(' × ')} = ${combinations})`,
    );
  }
  return policy;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
