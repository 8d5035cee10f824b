/**
 * What `dev` prints for a second terminal: the local secrets' names, and the commands that work
 * there as printed (see ../pasteable.ts): send, dlq, redrive and rotate-secret against dev's emulators.
 */
import type { HappSource } from '../../../lambda/shared/envelope';
import { commandLine, DEV_CREDENTIALS } from '../pasteable';

/** The local Secrets Manager's secret per source (what `rotate-secret` is pointed at). */
export const SECRET_NAMES: Record<HappSource, string> = { chat: 'happ-dev/chat', call: 'happ-dev/call' };

/** The region of every local resource (the emulators' ARNs and queue URLs name it). */
export const DEV_REGION = 'us-east-1';

/** The commands `dev` prints, each runnable as printed in a fresh terminal. */
export function devCommands(input: {
  urls: Record<HappSource, string>;
  secrets: Record<HappSource, { arn: string; value: string }>;
  dlqUrl: string;
  sqsEndpoint: string;
  secretsManagerEndpoint: string;
}): { send: string; dlq: string; redrive: string; rotateChat: string; rotateCall: string } {
  const sqsEnv = { ...DEV_CREDENTIALS, AWS_ENDPOINT_URL_SQS: input.sqsEndpoint };
  const smEnv = { ...DEV_CREDENTIALS, AWS_ENDPOINT_URL_SECRETS_MANAGER: input.secretsManagerEndpoint };
  const region = ['--region', DEV_REGION];
  const rotate = (source: HappSource) =>
    commandLine(['rotate-secret', '--source', source, input.secrets[source].arn, ...region], { env: smEnv });
  return {
    send: commandLine([
      'send',
      input.urls.call,
      '--event',
      'call.completed',
      '--secret',
      input.secrets.call.value,
    ]),
    dlq: commandLine(['dlq', input.dlqUrl, ...region], { env: sqsEnv }),
    redrive: commandLine(['redrive', input.dlqUrl, ...region], { env: sqsEnv }),
    rotateChat: rotate('chat'),
    rotateCall: rotate('call'),
  };
}
