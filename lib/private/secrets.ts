import { Annotations, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { HappSource } from '../../lambda/shared/envelope';

/** The signing secret of each enabled route (undefined when the route is disabled). */
export interface WebhookSecrets {
  readonly chat?: secretsmanager.ISecret;
  readonly call?: secretsmanager.ISecret;
}

export interface WebhookSecretsProps {
  readonly enableChat: boolean;
  readonly enableCall: boolean;
  readonly chatSecret?: secretsmanager.ISecret;
  readonly callSecret?: secretsmanager.ISecret;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The secrets part of the receiver: a given `ISecret` is used as is, otherwise a new secret with a
 * generated value (construct ids `ChatSecret` / `CallSecret` in `scope`).
 */
export function createWebhookSecrets(scope: Construct, props: WebhookSecretsProps): WebhookSecrets {
  if (!props.enableChat && props.chatSecret) {
    Annotations.of(scope).addWarningV2(
      'cdk-happ-webhooks:chatSecretIgnored',
      'chatSecret is ignored because enableChat is false',
    );
  }
  if (!props.enableCall && props.callSecret) {
    Annotations.of(scope).addWarningV2(
      'cdk-happ-webhooks:callSecretIgnored',
      'callSecret is ignored because enableCall is false',
    );
  }
  return {
    chat: props.enableChat
      ? (props.chatSecret ?? generatedSecret(scope, 'ChatSecret', HappSource.CHAT, props.removalPolicy))
      : undefined,
    call: props.enableCall
      ? (props.callSecret ?? generatedSecret(scope, 'CallSecret', HappSource.CALL, props.removalPolicy))
      : undefined,
  };
}

function generatedSecret(
  scope: Construct,
  id: string,
  source: HappSource,
  removalPolicy: RemovalPolicy,
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description: `Signs Happ ${source} webhooks: paste the value into Happ > Integrations > ${
      source === HappSource.CHAT ? 'Chat' : 'Call'
    } Webhook. Rotate with {"current": "<new>", "previous": ["<old>"]}.`,
    generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
    removalPolicy,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The value is shared with Happ, which has no API to receive a rotated secret: rotation is manual and without downtime ({"current","previous"} both verify, see README).',
  });
  return secret;
}
