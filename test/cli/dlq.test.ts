import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from './support/run-cli';
import {
  createQueuePair,
  deadLetter,
  drain,
  envelope,
  sendEnvelope,
  visibleCount,
  type QueuePair,
} from './support/queues';

// Against fauxqs for real (count, receive, change visibility). Only CloudFormation, which has no
// local emulator, is mocked — and it is never reached when the argument is a queue.
const cfn = mockClient(CloudFormationClient);
beforeEach(() => {
  cfn.reset();
  cfn
    .on(DescribeStacksCommand)
    .rejects(Object.assign(new Error('Stack with id x does not exist'), { name: 'ValidationError' }));
});
afterAll(() => cfn.restore());

describe('happ-webhooks dlq', () => {
  let pair: QueuePair;
  beforeEach(async () => {
    pair = await createQueuePair();
  });

  it('counts and peeks at dead-lettered messages without consuming them', async () => {
    const first = envelope('call.completed');
    await deadLetter(pair, first);
    await sendEnvelope(pair.dlqUrl, envelope('chat.message.received')); // like a failed SNS delivery
    await sendEnvelope(pair.dlqUrl, envelope('call.started'));

    const result = await runCli(['dlq', pair.dlqUrl]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 messages waiting · 0 in flight/);
    expect(result.stdout).toMatch(new RegExp(`call.completed \\(call\\) {2}id ${first.id}`));
    expect(result.stdout).toMatch(/chat.message.received \(chat\)/);
    expect(result.stdout).toMatch(/received [2-9]×/); // dead-lettered after receives, plus the peek
    expect(result.stdout).toMatch(/attributes source=call type=call.completed/);
    expect(result.stdout).toMatch(/Peeked at 3 of ~3 without consuming them/);

    // Still there and visible right away (not hidden for the peek's 30 s visibility timeout).
    expect(await visibleCount(pair.dlqUrl)).toBe(3);
    expect(await drain(pair.dlqUrl)).toHaveLength(3);
  });

  it('finds the queue by name and by ARN', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    const name = pair.dlqUrl.split('/').pop()!;
    for (const ref of [name, pair.dlqArn]) {
      const result = await runCli(['dlq', ref]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^${name} `));
      expect(result.stdout).toMatch(/1 message waiting/);
    }
  });

  it('peeks at most --max distinct messages', async () => {
    for (let i = 0; i < 5; i++) await sendEnvelope(pair.dlqUrl, envelope());
    const result = await runCli(['dlq', pair.dlqUrl, '--max', '2', '--json']);
    const doc = JSON.parse(result.stdout);
    expect(doc.approximateMessages).toBe(5);
    expect(doc.messages).toHaveLength(2);
    expect(new Set(doc.messages.map((m: { messageId: string }) => m.messageId)).size).toBe(2);
    expect(await visibleCount(pair.dlqUrl)).toBe(5);
  });

  it('prints JSON with the envelope, receive count, attributes and body', async () => {
    const claimChecked = envelope('call.recording.available', {
      payload: undefined,
      payloadLocation: { bucket: 'b', key: 'payloads/x', size: 300000, sha256: 'ab' },
    });
    await sendEnvelope(pair.dlqUrl, claimChecked);
    const result = await runCli(['dlq', pair.dlqUrl, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      queue: { url: pair.dlqUrl, arn: pair.dlqArn },
      approximateMessages: 1,
      inFlight: 0,
      peeked: 1,
    });
    expect(doc.messages[0]).toMatchObject({
      receiveCount: 1,
      attributes: { source: 'call', type: 'call.recording.available' },
      envelope: {
        id: claimChecked.id,
        type: 'call.recording.available',
        source: 'call',
        idempotencyKey: claimChecked.idempotencyKey,
        claimCheck: { bucket: 'b', key: 'payloads/x', size: 300000 },
      },
      preview: '(claim-checked: s3://b/payloads/x, 300000 bytes)',
      body: JSON.stringify(claimChecked),
    });
    expect(Date.parse(doc.messages[0].sentAt)).not.toBeNaN();
  });

  it('shows a non-envelope body as text', async () => {
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const { sqs } = await import('./support/queues');
    await sqs.send(new SendMessageCommand({ QueueUrl: pair.dlqUrl, MessageBody: 'plain text, not JSON' }));
    const doc = JSON.parse((await runCli(['dlq', pair.dlqUrl, '--json'])).stdout);
    expect(doc.messages[0].envelope).toBeUndefined();
    expect(doc.messages[0].preview).toBe('plain text, not JSON');
  });

  it('reports an empty DLQ', async () => {
    const result = await runCli(['dlq', pair.dlqUrl]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 messages waiting/);
    expect(result.stdout).not.toMatch(/Peeked/);
  });

  it('does not peek at a queue that has its own DLQ unless --force (a peek counts as a receive)', async () => {
    await sendEnvelope(pair.queueUrl, envelope());
    const result = await runCli(['dlq', pair.queueUrl]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 message waiting/);
    expect(result.stderr).toMatch(/not peeking: .* has its own dead-letter queue \(RedrivePolicy\).*--force/);
    expect(await visibleCount(pair.dlqUrl)).toBe(0);
  });

  it('fails clearly on a queue or stack that does not exist', async () => {
    const result = await runCli(['dlq', `no-such-queue-${pair.suffix}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no queue and no CloudFormation stack named "no-such-queue-/);
  });

  it.each([
    [['not a queue!'], /"not a queue!" is not a queue URL, queue ARN, queue name or stack name/],
    [['arn:aws:sns:us-east-1:000000000000:topic'], /is not an SQS queue ARN/],
    [['q', '--max', '-1'], /--max must be a whole number between 0 and 1000/],
  ])('fails on bad input %j', async (args, message) => {
    const result = await runCli(['dlq', ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});

describe('happ-webhooks dlq <stack>', () => {
  let slack: QueuePair;
  let crm: QueuePair;
  beforeEach(async () => {
    slack = await createQueuePair('stack');
    crm = await createQueuePair('stack');
    await sendEnvelope(crm.dlqUrl, envelope());
    await sendEnvelope(crm.dlqUrl, envelope());
  });

  it("lists every DLQ in the stack's outputs with its count", async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'HappStack' }).resolves({
      Stacks: [
        {
          StackName: 'HappStack',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            {
              OutputKey: 'ChatUrl',
              OutputValue: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/chat',
            },
            { OutputKey: 'SlackQueueUrl', OutputValue: slack.queueUrl },
            { OutputKey: 'SlackDeadLetterQueueUrl', OutputValue: slack.dlqUrl },
            { OutputKey: 'CrmDlqArn', OutputValue: crm.dlqArn },
            { OutputKey: 'CrmDlqUrl', OutputValue: crm.dlqUrl },
          ],
        },
      ],
    });
    const result = await runCli(['dlq', 'HappStack', '--json']);
    expect(result.code).toBe(0);
    const labels = JSON.parse(result.stdout).queues.map(
      (q: { label: string; approximateMessages: number }) => [q.label, q.approximateMessages],
    );
    expect(labels).toEqual([
      ['SlackDeadLetterQueueUrl', 0],
      ['CrmDlqArn', 2], // the URL output names the same queue: listed once
    ]);
  });

  it("peeks at one subscriber's DLQ with --subscriber, found among the stack's queue resources", async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'HappStack' }).resolves({
      Stacks: [
        { StackName: 'HappStack', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] },
      ],
    });
    cfn.on(ListStackResourcesCommand, { StackName: 'HappStack' }).resolves({
      StackResourceSummaries: [
        resource('HappSubscribersSlackQueue1A2B3C4D', slack.queueUrl),
        resource('HappSubscribersSlackDeadLetterQueue5E6F7A8B', slack.dlqUrl),
        resource('HappSubscribersCrmQueue9C0D1E2F', crm.queueUrl),
        resource('HappSubscribersCrmDeadLetterQueue3A4B5C6D', crm.dlqUrl),
      ],
    });
    const overview = await runCli(['dlq', 'HappStack']);
    expect(overview.stdout).toMatch(/HappStack: 2 dead-letter queues/);
    expect(overview.stdout).toMatch(/HappSubscribersCrmDeadLetterQueue3A4B5C6D +2 waiting/);

    const one = await runCli(['dlq', 'HappStack', '--subscriber', 'crm', '--json']);
    const doc = JSON.parse(one.stdout);
    expect(doc.queue).toMatchObject({ url: crm.dlqUrl, label: 'HappSubscribersCrmDeadLetterQueue3A4B5C6D' });
    expect(doc.messages).toHaveLength(2);
  });

  it('names the DLQs it has when --subscriber matches none', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'HappStack',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'CrmDlqUrl', OutputValue: crm.dlqUrl }],
        },
      ],
    });
    const result = await runCli(['dlq', 'HappStack', '--subscriber', 'Billing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /stack HappStack has no dead-letter queue for subscriber "Billing"; it has: CrmDlqUrl/,
    );
  });
});

function resource(logicalId: string, url: string) {
  return {
    LogicalResourceId: logicalId,
    PhysicalResourceId: url,
    ResourceType: 'AWS::SQS::Queue',
    LastUpdatedTimestamp: new Date(),
    ResourceStatus: 'CREATE_COMPLETE' as const,
  };
}
