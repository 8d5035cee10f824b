// `redrive --manual` and the automatic fallback, on the shared fauxqs with no stub: fauxqs has no
// message move tasks and no ListDeadLetterSourceQueues, exactly like the `dev` receiver's SQS.
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createColors } from 'picocolors';
import type { Io } from '../../bin/cli/io';
import { describeQueue } from '../../bin/cli/queues';
import { moveMessages } from '../../bin/cli/redrive-manual';
import { runCli } from './support/run-cli';
import {
  createQueuePair,
  deadLetter,
  envelope,
  sendEnvelope,
  sqs,
  visibleCount,
  type QueuePair,
} from './support/queues';

const quietIo: Io = {
  out: () => undefined,
  err: () => undefined,
  colors: createColors(false),
  interactive: false,
  env: process.env,
  readStdin: async () => Buffer.alloc(0),
};

/** Every visible message of a queue with its attributes (hidden for 30 s afterwards). */
async function receiveAll(url: string): Promise<Array<{ body: string; attributes: Record<string, string> }>> {
  const out: Array<{ body: string; attributes: Record<string, string> }> = [];
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!res.Messages?.length) return out;
    for (const m of res.Messages) {
      out.push({
        body: m.Body!,
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, `${v.DataType}:${v.StringValue}`]),
        ),
      });
    }
  }
}

describe('happ-webhooks redrive on an SQS without move tasks (fauxqs, no stub)', () => {
  let pair: QueuePair;
  beforeEach(async () => {
    pair = await createQueuePair('manual');
  });

  it('falls back to moving the messages itself, says so, and keeps bodies and message attributes intact', async () => {
    const dead = [envelope('call.completed'), envelope('chat.message.received')];
    for (const e of dead) await deadLetter(pair, e);
    expect(await visibleCount(pair.dlqUrl)).toBe(2);

    const result = await runCli(['redrive', pair.dlqUrl]);
    expect(result.stderr).toMatch(
      /no message move tasks \(StartMessageMoveTask\): moving the messages from here instead/,
    );
    expect(result.code).toBe(0);
    // The destination was found without ListDeadLetterSourceQueues: the queue whose redrive policy names the DLQ.
    expect(result.stdout).toMatch(/Moving ~2 messages from manual-\w+-DeadLetterQueue to manual-\w+-Queue/);
    expect(result.stdout).toMatch(/✔ moved 2 messages to manual-\w+-Queue/);

    expect(await visibleCount(pair.dlqUrl)).toBe(0);
    const moved = await receiveAll(pair.queueUrl);
    expect(moved.map((m) => m.body).sort()).toEqual(dead.map((e) => JSON.stringify(e)).sort());
    for (const m of moved) {
      const e = JSON.parse(m.body) as { source: string; type: string };
      expect(m.attributes).toEqual({ source: `String:${e.source}`, type: `String:${e.type}` });
    }
  });

  it('--manual with --to moves to the named queue; --json reports the method', async () => {
    await sendEnvelope(pair.dlqUrl, envelope());
    const result = await runCli(['redrive', pair.dlqUrl, '--manual', '--to', pair.queueUrl, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      method: 'manual',
      status: 'COMPLETED',
      moved: 1,
      failed: [],
      destination: { arn: pair.queueArn },
    });
    expect(await visibleCount(pair.queueUrl)).toBe(1);
  });

  it('is resumable: a run stopped part-way leaves the rest in the DLQ, and the next run moves only those', async () => {
    const sent = Array.from({ length: 5 }, () => envelope());
    for (const e of sent) await sendEnvelope(pair.dlqUrl, e);
    const dlq = await describeQueue(sqs, pair.dlqUrl);
    const queue = await describeQueue(sqs, pair.queueUrl);
    const progress: number[] = [];

    const first = await moveMessages(
      sqs,
      dlq,
      queue,
      { max: 2, onProgress: (n) => progress.push(n) },
      quietIo,
    );
    expect(first).toEqual({ moved: 2, failed: [] });
    expect(progress).toEqual([2]);
    expect(await visibleCount(pair.dlqUrl)).toBe(3);

    const second = await moveMessages(sqs, await describeQueue(sqs, pair.dlqUrl), queue, {}, quietIo);
    expect(second).toEqual({ moved: 3, failed: [] });
    expect(await visibleCount(pair.dlqUrl)).toBe(0);
    const ids = (await receiveAll(pair.queueUrl)).map((m) => (JSON.parse(m.body) as { id: string }).id);
    expect(ids.sort()).toEqual(sent.map((e) => e.id).sort()); // each exactly once
  });

  it('--rate bounds the batch size and waits so the average stays at or under the rate', async () => {
    for (let i = 0; i < 5; i++) await sendEnvelope(pair.dlqUrl, envelope());
    let clock = 0;
    const sleeps: number[] = [];
    const progress: number[] = [];
    const result = await moveMessages(
      sqs,
      await describeQueue(sqs, pair.dlqUrl),
      await describeQueue(sqs, pair.queueUrl),
      {
        rate: 2,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
        onProgress: (n) => progress.push(n),
      },
      quietIo,
    );
    expect(result.moved).toBe(5);
    // Batches of at most 2 (the rate), and 5 messages at 2/s take 2.5 s of waiting on the clock.
    expect(progress).toEqual([2, 4, 5]);
    expect(sleeps).toEqual([1000, 1000, 500]);
  });
});
