// Runs a bundled Lambda handler in a plain Node process, as Lambda would. (The bundles keep
// `await import('node:http')` from the AWS SDK, which Jest's VM cannot run without a flag.)
//   node run-bundle.cjs <bundle.js> <events.json>
// Invokes `handler` once per event in the JSON array, in one warm "container", and prints each
// outcome as a line `@@result {"ok":true,"value":...}` or `@@result {"ok":false,"error":"..."}`.
const { readFileSync } = require('node:fs');
const { randomUUID } = require('node:crypto');

async function main() {
  const [bundle, eventsFile] = process.argv.slice(2);
  const { handler } = require(bundle);
  const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
  for (const event of events) {
    const deadline = Date.now() + Number(process.env.HAPP_TEST_REMAINING_MS || 30_000);
    const context = {
      functionName: 'bundle-under-test',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bundle-under-test',
      memoryLimitInMB: '256',
      awsRequestId: randomUUID(),
      logGroupName: '/aws/lambda/bundle-under-test',
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    try {
      const value = await handler(event, context);
      process.stdout.write(`@@result ${JSON.stringify({ ok: true, value })}\n`);
    } catch (error) {
      process.stdout.write(`@@result ${JSON.stringify({ ok: false, error: String(error) })}\n`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
