import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

// Proves the harness itself: the emulators started by global-setup answer real SDK v3 calls
// through the standard endpoint variables, including virtual-host S3 and *.localhost queue URLs.
describe('local AWS emulators', () => {
  it('serves DynamoDB through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const ddb = new DynamoDBClient({});
    await ddb.send(
      new CreateTableCommand({
        TableName: 'smoke',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const tables = await ddb.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain('smoke');
  });

  it('serves SQS and virtual-host S3 through the endpoint variables', async () => {
    const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'smoke' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.[0]?.Body).toBe('hello');

    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: 'smoke-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'smoke-bucket', Key: 'k', Body: 'v' }));
    const obj = await s3.send(new GetObjectCommand({ Bucket: 'smoke-bucket', Key: 'k' }));
    expect(await obj.Body?.transformToString()).toBe('v');
  });
});
