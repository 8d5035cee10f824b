import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HappWebhookReceiver, HappWebhookReceiverProps } from '../../lib';

/** A fresh stack in a fresh app, with the built-in CloudFormation validator off (speed). */
export function newStack(): Stack {
  const app = new App({ builtinCloudFormationValidation: false });
  return new Stack(app, 'Test');
}

/** A stack holding one receiver, and its template. */
export function receiverStack(props?: HappWebhookReceiverProps): {
  stack: Stack;
  receiver: HappWebhookReceiver;
  template: Template;
} {
  const stack = newStack();
  const receiver = new HappWebhookReceiver(stack, 'Happ', props);
  return { stack, receiver, template: Template.fromStack(stack) };
}

/** A small inline handler (tests never load a real bundle for subscribers). */
export function handlerFn(
  stack: Stack,
  id: string,
  props: Partial<lambda.FunctionProps> = {},
): lambda.Function {
  return new lambda.Function(stack, id, {
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    ...props,
  });
}

/** Warning messages (strings) the construct tree carries. */
export function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findWarning('*', Match.anyValue())
    .map((w) => String(w.entry.data));
}
