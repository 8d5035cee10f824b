// The example app's subscriber, written with the runtime helper exactly as a user would
// (`import { happHandler } from 'cdk-happ-webhooks/runtime'`). It logs what arrived — ids, types
// and a few non-sensitive fields, never whole payloads — and is where your own code would go.
import { happHandler, HappEvents } from 'cdk-happ-webhooks/runtime';

interface CallCompleted {
  readonly callId?: string;
  readonly direction?: string;
  readonly duration?: number;
  readonly provider?: string;
}

export const handler = happHandler(async (event, { logger, receiveCount }) => {
  switch (event.type) {
    case HappEvents.CALL_COMPLETED: {
      const call = (event.payloadFormat === 'json' ? event.payload : {}) as CallCompleted;
      logger.info('call completed', {
        callId: call.callId,
        direction: call.direction,
        durationSeconds: call.duration,
        provider: call.provider,
      });
      break;
    }
    case HappEvents.CHAT_MESSAGE_RECEIVED:
      logger.info('customer message received', { receiveCount });
      break;
    default:
      logger.info('Happ event received', {
        payloadFormat: event.payloadFormat,
        claimChecked: event.claimChecked,
      });
  }
});
