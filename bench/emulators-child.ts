/**
 * Runs the local AWS stand-ins in their own process (so their CPU time never lands in the timings
 * of the code under test): dynalite (DynamoDB), fauxqs (SNS, SQS, S3) and the package's local
 * Secrets Manager stub. Creates the resources the verifier needs, prints one JSON line describing
 * them, and stops everything when stdin closes or on SIGTERM. Started by bench/emulators.ts.
 */
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startFauxqs } from 'fauxqs';
import { LocalSecretsManagerServer } from '../bin/local/secrets-manager-server';

export interface EmulatorInfo {
  readonly dynamodbEndpoint: string;
  readonly fauxqsEndpoint: string;
  readonly secretsManagerEndpoint: string;
  readonly tableName: string;
  readonly topicArn: string;
  readonly bucketName: string;
  readonly queueUrl: string;
  readonly secretArns: { chat: string; call: string };
  readonly secret: string;
}

// Resolve CommonJS packages (dynalite) from this script's location (node_modules/.cache/happ-bench → node_modules).
const require = createRequire(process.argv[1]);

async function main(): Promise<void> {
  const dynalite = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynalite.once('error', reject);
    dynalite.listen(0, '127.0.0.1', () => resolve());
  });
  const dynamodbEndpoint = `http://127.0.0.1:${dynalite.address().port}`;
  const fauxqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  const secrets = new LocalSecretsManagerServer();
  const secretsManagerEndpoint = await secrets.start();

  const tableName = 'bench-idempotency';
  await new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  }).send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  const { topicArn } = fauxqs.createTopic('bench-deliveries');
  const { queueUrl } = fauxqs.createQueue('bench-subscriber');
  fauxqs.subscribe({
    topic: 'bench-deliveries',
    queue: 'bench-subscriber',
    attributes: { RawMessageDelivery: 'true' },
  });
  const { bucketName } = fauxqs.createBucket('bench-claim-checks');
  const secret = 'happ_bench_secret_7d1f0c9a2b4e6f8a';
  const secretArns = {
    chat: secrets.setSecret('bench/chat', secret),
    call: secrets.setSecret('bench/call', secret),
  };

  const info: EmulatorInfo = {
    dynamodbEndpoint,
    fauxqsEndpoint: fauxqs.address,
    secretsManagerEndpoint,
    tableName,
    topicArn,
    bucketName,
    queueUrl,
    secretArns,
    secret,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);

  // "purge" on stdin empties queues and buckets (keeps memory flat across thousands of requests).
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    if (chunk.includes('purge')) {
      fauxqs.reset();
      process.stdout.write('purged\n');
    }
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([
      fauxqs.stop(),
      secrets.stop(),
      new Promise<void>((resolve) => dynalite.close(() => resolve())),
    ]);
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(
    `emulators failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
