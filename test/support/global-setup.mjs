// Starts the local AWS-compatible servers once per Jest run (random ports, loopback only) and
// exports their endpoints through the standard AWS SDK environment variables, which the Jest
// workers inherit. Lambda code under test therefore runs unchanged against them.
import { createRequire } from 'node:module';
import { startFauxqs } from 'fauxqs';

const require = createRequire(import.meta.url);

export default async function globalSetup() {
  const dynalite = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => {
    dynalite.once('error', reject);
    dynalite.listen(0, '127.0.0.1', resolve);
  });
  const fauxqs = await startFauxqs({ port: 0, logger: false });

  const dynamoEndpoint = `http://127.0.0.1:${dynalite.address().port}`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SNS: fauxqs.address,
    AWS_ENDPOINT_URL_SQS: fauxqs.address,
    // Virtual-host style S3 (bucket.s3.localhost) resolves through test/support/setup-env.ts.
    AWS_ENDPOINT_URL_S3: `http://s3.localhost:${fauxqs.port}`,
    HAPP_TEST_FAUXQS_PORT: String(fauxqs.port),
    POWERTOOLS_DEV: 'false',
    // Node 20 here; Lambda runs Node 22. The SDK's one-off support notice is noise in test output.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
  });
  // Never leak credentials from the machine into tests.
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;

  globalThis.__HAPP_EMULATORS__ = { dynalite, fauxqs };
}
