// A stand-in Lambda container for the bundled verifier (dist/lambda/verifier/index.js), run as a
// child process by bundle-container.ts: the bundle carries its own AWS SDK, which needs a real
// Node process (not Jest's module sandbox). Everything it prints is what CloudWatch Logs would get.
'use strict';

const bundle = require(process.env.HAPP_BUNDLE_PATH);
const handlers = new Map();
let invocations = 0;

function context(remainingMs) {
  invocations += 1;
  return {
    awsRequestId: `bundle-req-${process.pid}-${invocations}`,
    functionName: 'verifier',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:verifier',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/verifier',
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
  };
}

process.on('message', async (message) => {
  const { seq, op } = message;
  try {
    let result;
    if (op === 'create') {
      handlers.set(message.id, bundle.createHandler(message.config));
      result = { created: message.id };
    } else if (op === 'invoke') {
      const handler = message.handler === 'env' ? bundle.handler : handlers.get(message.handler);
      if (!handler) throw new Error(`no handler ${message.handler}`);
      result = await handler(message.event, context(message.remainingMs));
    } else {
      throw new Error(`unknown op ${op}`);
    }
    process.send({ seq, result });
  } catch (error) {
    process.send({ seq, error: { name: error.name, message: error.message } });
  }
});

process.send({ ready: true, exports: Object.keys(bundle).sort() });
