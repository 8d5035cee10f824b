import { App, AppProps } from 'aws-cdk-lib';
import { HappWebhooksExampleStack } from '../../bin/app';

/** The example app's stack (bin/app.ts), in a fresh app. */
export function exampleStack(props: AppProps = { builtinCloudFormationValidation: false }): {
  app: App;
  stack: HappWebhooksExampleStack;
} {
  const app = new App(props);
  const stack = new HappWebhooksExampleStack(app, 'HappWebhooksExample');
  return { app, stack };
}
