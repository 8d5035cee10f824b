import { regionFromArn, regionFromQueueUrl } from '../../bin/cli/aws';

describe('region inference for AWS commands', () => {
  it.each([
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf', 'eu-west-1'],
    ['arn:aws:sqs:ap-southeast-2:123456789012:q', 'ap-southeast-2'],
    ['arn:aws:s3:::bucket', undefined],
    ['not-an-arn', undefined],
  ])('reads the region of %s', (arn, region) => {
    expect(regionFromArn(arn)).toBe(region);
  });

  it.each([
    ['https://sqs.eu-central-1.amazonaws.com/123456789012/q', 'eu-central-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q', 'cn-north-1'],
    ['https://us-west-2.queue.amazonaws.com/123456789012/q', 'us-west-2'],
    ['http://sqs.us-east-1.localhost:4566/000000000000/q', 'us-east-1'],
    ['http://127.0.0.1:4566/000000000000/q', undefined],
    ['not a url', undefined],
  ])('reads the region of queue URL %s', (url, region) => {
    expect(regionFromQueueUrl(url)).toBe(region);
  });
});

describe('endpoint overrides', () => {
  it('rejects a malformed AWS_ENDPOINT_URL_SQS by name', async () => {
    const { runCli } = await import('./support/run-cli');
    const result = await runCli(['dlq', 'some-queue'], { env: { AWS_ENDPOINT_URL_SQS: 'localhost:4566' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AWS_ENDPOINT_URL_SQS is not a valid URL \(given "localhost:4566"\)/);
  });
});
