import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from './support/run-cli';
import {
  arnOf,
  createQueue,
  createQueuePair,
  deadLetter,
  drain,
  envelope,
  sendEnvelope,
  visibleCount,
  type QueuePair,
} from './support/queues';
import { startSqsMoveStub, type SqsMoveStub } from './support/sqs-move-stub';

// fauxqs has no StartMessageMoveTask / ListMessageMoveTasks / ListDeadLetterSourceQueues: the CLI
// talks to a proxy that serves those three (moving messages between fauxqs queues for real) and
// forwards every other SQS call to fauxqs. See support/sqs-move-stub.ts.
const cfn = mockClient(CloudFormationClient);
let stub: SqsMoveStub;
let env: Record<string, string>;
beforeAll(async () => {
  stub = await startSqsMoveStub(process.env.AWS_ENDPOINT_URL_SQS!);
  env = { AWS_ENDPOINT_URL_SQS: stub.endpoint };
});
afterAll(async () => {
  cfn.restore();
  await stub.close();
});

const FAST = ['--poll-interval', '20'];

describe('happ-webhooks redrive', () => {
  let pair: QueuePair;
  beforeEach(async () => {
    cfn.reset();
    pair = await createQueuePair('redrive');
  });

  it("moves every message back to the subscriber's queue, passing it explicitly as the destination", async () => {
    const dead = [envelope('call.completed'), envelope('call.started')];
    for (const e of dead) await deadLetter(pair, e);
    const fromSns = envelope('chat.message.received'); // a failed SNS delivery: never in a queue
    await sendEnvelope(pair.dlqUrl, fromSns);

    const result = await runCli(['redrive', pair.dlqUrl, ...FAST], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Moving ~3 messages from redrive-\w+-DeadLetterQueue to redrive-\w+-Queue, as fast as SQS allows/,
    );
    expect(result.stdout).toMatch(/✔ moved 3 messages to redrive-\w+-Queue/);

    const task = stub.tasks.find((t) => t.sourceArn === pair.dlqArn)!;
    expect(task).toMatchObject({ destinationArn: pair.queueArn, status: 'COMPLETED', moved: 3 });
    expect(await visibleCount(pair.dlqUrl)).toBe(0);
    const bodies = (await drain(pair.queueUrl)).map((b) => JSON.parse(b).id).sort();
    expect(bodies).toEqual([...dead, fromSns].map((e) => e.id).sort());
  });

  it('finds the destination with ListDeadLetterSourceQueues and follows progress with ListMessageMoveTasks', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    stub.actions.length = 0;
    await runCli(['redrive', pair.dlqUrl, ...FAST], { env });
    expect(stub.actions).toContain('ListDeadLetterSourceQueues');
    expect(stub.actions.filter((a) => a === 'StartMessageMoveTask')).toHaveLength(1);
    expect(stub.actions.filter((a) => a === 'ListMessageMoveTasks').length).toBeGreaterThanOrEqual(2);
  });

  it('passes --rate as MaxNumberOfMessagesPerSecond', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    const result = await runCli(['redrive', pair.dlqUrl, '--rate', '50', ...FAST], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/at most 50\/s/);
    expect(stub.tasks.find((t) => t.sourceArn === pair.dlqArn)!.rate).toBe(50);
  });

  it('--dry-run shows the plan and moves nothing', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    await sendEnvelope(pair.dlqUrl, envelope());
    const result = await runCli(['redrive', pair.dlqUrl, '--dry-run'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Would move ~2 messages from .*DeadLetterQueue to .*-Queue/);
    expect(result.stdout).toContain(`to   ${pair.queueArn}`);
    expect(result.stdout).toMatch(/Dry run: nothing was moved/);
    expect(stub.tasks.some((t) => t.sourceArn === pair.dlqArn)).toBe(false);
    expect(await visibleCount(pair.dlqUrl)).toBe(2);
  });

  it('--to sends the messages to another queue', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    const other = await createQueue(`redrive-${pair.suffix}-Replay`);
    const result = await runCli(['redrive', pair.dlqUrl, '--to', `redrive-${pair.suffix}-Replay`, ...FAST], {
      env,
    });
    expect(result.code).toBe(0);
    expect(stub.tasks.find((t) => t.sourceArn === pair.dlqArn)!.destinationArn).toBe(await arnOf(other));
    expect(await visibleCount(other)).toBe(1);
  });

  it('does nothing for an empty DLQ', async () => {
    const result = await runCli(['redrive', pair.dlqUrl], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/is empty: nothing to redrive/);
    expect(stub.tasks.some((t) => t.sourceArn === pair.dlqArn)).toBe(false);
  });

  it('prints JSON with --json', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    const result = await runCli(['redrive', pair.dlqUrl, '--json', ...FAST], { env });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({
      source: { url: pair.dlqUrl, arn: pair.dlqArn },
      destination: { url: pair.queueUrl, arn: pair.queueArn },
      approximateMessages: 1,
      status: 'COMPLETED',
      moved: 1,
    });
  });

  it('--no-wait starts the task and returns its handle', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    const result = await runCli(['redrive', pair.dlqUrl, '--no-wait', '--json'], { env });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.status).toBe('RUNNING');
    expect(doc.taskHandle).toBe(stub.tasks.find((t) => t.sourceArn === pair.dlqArn)!.handle);
  });

  it('exits 1 with the reason when the move task fails', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    stub.failNextTask('AWS.SimpleQueueService.KmsAccessDenied: the destination key denies sqs');
    const result = await runCli(['redrive', pair.dlqUrl, ...FAST], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /move task FAILED after 0 message\(s\): AWS.SimpleQueueService.KmsAccessDenied/,
    );
  });

  it('refuses to start while a move task is already running, and says how to cancel it', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    stub.tasks.push({
      handle: 'running-handle',
      sourceArn: pair.dlqArn,
      status: 'RUNNING',
      moved: 5,
      toMove: 9,
      startedAt: Date.now(),
    });
    const result = await runCli(['redrive', pair.dlqUrl], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /a move task is already running .* \(5\/9 moved\).*cancel-message-move-task --task-handle running-handle/,
    );
    stub.tasks.pop();
  });

  it('asks for --to when no queue uses the DLQ', async () => {
    const orphan = await createQueue(`redrive-${pair.suffix}-Orphan`);
    await sendEnvelope(orphan, envelope());
    const result = await runCli(['redrive', orphan], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no queue uses redrive-\w+-Orphan as its dead-letter queue; name the destination with --to QUEUE/,
    );
  });

  it('asks for --to when no queue names the DLQ (plain fauxqs: found by scanning redrive policies)', async () => {
    const orphan = await createQueue(`redrive-orphan-${pair.suffix}-DeadLetterQueue`);
    await sendEnvelope(orphan, envelope());
    const result = await runCli(['redrive', orphan]); // straight to fauxqs, no stub
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /no queue uses redrive-orphan-\w+-DeadLetterQueue as its dead-letter queue; name the destination with --to QUEUE/,
    );
    expect(await visibleCount(orphan)).toBe(1);
  });

  it('needs --subscriber when a stack has several DLQs', async () => {
    const other = await createQueuePair('redrive');
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'HappStack',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'SlackDlqUrl', OutputValue: pair.dlqUrl },
            { OutputKey: 'CrmDlqUrl', OutputValue: other.dlqUrl },
          ],
        },
      ],
    });
    const result = await runCli(['redrive', 'HappStack'], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /HappStack has 2 dead-letter queues \(SlackDlqUrl, CrmDlqUrl\): pick one with --subscriber NAME/,
    );

    await sendEnvelope(other.dlqUrl, envelope());
    const picked = await runCli(['redrive', 'HappStack', '--subscriber', 'Crm', '--dry-run'], { env });
    expect(picked.code).toBe(0);
    expect(picked.stdout).toContain(`to   ${other.queueArn}`);
  });

  it.each([
    [['--rate', '0'], /--rate must be a whole number between 1 and 500/],
    [['--rate', '501'], /--rate must be a whole number between 1 and 500/],
  ])('fails on bad input %j', async (args, message) => {
    const result = await runCli(['redrive', pair.dlqUrl, ...args], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});
