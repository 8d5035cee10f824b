/**
 * What each archive alarm means and what to do first (the alarm description CloudWatch sends; the
 * README's alarm table mirrors it). Archive alarms are tickets: the events are still on the topic and in
 * every subscriber's queue; only the archive copy is late or parked.
 */
import { describeAlarm, type AlarmEntry } from './monitoring-catalog';

export const ARCHIVE_ALARMS = {
  deliveryFailures: {
    severity: 'ticket',
    title: 'Happ archive: Firehose failed to write to S3',
    meaning:
      'Firehose could not put archive objects into the bucket (bucket policy, deleted bucket, KMS); it retries for 24 hours, then writes the records under errors/.',
    runbook:
      "Read the delivery stream's error log (Firehose console > the stream > Destination error logs); check the archive bucket exists and its policy; records that gave up are under errors/ in the bucket.",
  },
  dataFreshness: {
    severity: 'ticket',
    title: 'Happ archive: events wait in Firehose longer than expected',
    meaning:
      'The oldest record in the delivery stream is older than the buffering interval plus 15 minutes: deliveries to S3 are failing or throttled.',
    runbook: "Look at the delivery-failure alarm of the same stream and the stream's error log.",
  },
  subscriptionDeadLetters: {
    severity: 'ticket',
    title: 'Happ archive: SNS could not deliver events to Firehose',
    meaning:
      'Envelopes SNS failed to hand to a delivery stream (subscription role, deleted stream) wait in the archive subscription DLQ for 14 days; they are missing from the archive.',
    runbook:
      'Check the subscription role may firehose:PutRecord* on the streams; then move the DLQ messages into the archive (happ-webhooks dlq <stack> shows them).',
  },
} as const satisfies Record<string, AlarmEntry>;

/** The notification text of an archive alarm (for one source when given). */
export function describeArchiveAlarm(entry: AlarmEntry, source?: string): string {
  return describeAlarm(entry, source ? `${source} stream` : undefined);
}
