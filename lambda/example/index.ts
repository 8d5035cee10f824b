// Example subscriber for the example app. Placeholder until the runtime helper exists: logs the
// SQS batch it receives (message ids and attributes only, never payloads).
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  for (const record of event.Records) {
    console.log(JSON.stringify({ messageId: record.messageId, attributes: record.messageAttributes }));
  }
  return { batchItemFailures: [] };
};
