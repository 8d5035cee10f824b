/**
 * What each tool alarm means and what to do first (the alarm description CloudWatch sends; the README's
 * "Tool webhooks" alarm table mirrors it). The assistant waits on every tool call, so a failing tool is
 * felt in conversations at once: errors and signature failures page, latency and throttles are tickets
 * unless they persist (throttles refuse calls outright, so they page too).
 */
import { describeAlarm, type AlarmEntry } from './monitoring-catalog';

export const TOOL_ALARMS = {
  errors: {
    severity: 'page',
    title: 'Happ tool errors',
    meaning:
      'The tool answered 500/503/504 (its function threw, timed out, or a dependency failed) or its Lambda crashed; the assistant gets an error instead of an answer.',
    runbook:
      "Read the tool's log group for the failing request (outcome failure/timeout, with the error and stack); check recent deploys, the tool's downstream services and its timeout.",
  },
  latency: {
    severity: 'ticket',
    title: 'Happ tool answers near its timeout',
    meaning:
      "The p99 duration of the tool's function is above 80% of the tool's timeout: some calls are about to be answered with a timeout error, and the assistant waits long on every one.",
    runbook:
      "Find the slow part in the tool's log (durationMs per request); make the downstream call faster, cache it, or raise the tool's timeout (at most 28 s).",
  },
  signatureFailures: {
    severity: 'page',
    title: 'Happ tool signature failures',
    meaning:
      "Tool calls are answered 401: the tool's secret in Happ and in Secrets Manager differ, Happ signs differently (a GET's query?), or someone is probing the URL.",
    runbook:
      'Compare the webhookSecret of the tool in Happ with its Secrets Manager secret (happ-webhooks rotate-secret; happ-webhooks tools --register sets it again); read the tool log (signature missing or mismatch).',
  },
  throttles: {
    severity: 'page',
    title: 'Happ tool Lambda throttled',
    meaning: "Lambda refused to run the tool's function (concurrency exhausted): the call fails outright.",
    runbook: 'Check the account concurrency quota and the functions using it; raise the quota.',
  },
} as const satisfies Record<string, AlarmEntry>;

/** The notification text of a tool alarm. */
export function describeToolAlarm(entry: AlarmEntry, toolName: string): string {
  return describeAlarm(entry, `tool ${toolName}`);
}
