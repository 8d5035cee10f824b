// `events` and `replay` on an archive written exactly as Firehose writes it, from the envelopes of a
// real run: signed POSTs → the BUILT verifier (dist/lambda/verifier) → SNS (fauxqs) → the subscriber
// queues the construct defines, AND per source a queue subscribed the way the archive subscribes
// Firehose (raw delivery, filter on `source`). Raw delivery hands Firehose the message body only
// ("Amazon SNS raw message delivery": https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html),
// so those bodies are the records. They are then written as Firehose writes them:
//   - key `<prefix>events/source=<s>/year=…/month=…/day=…/hour=…/<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz`
//     ("Configure Amazon S3 object name format": https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html;
//     the hour is that of the object's oldest record: https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html),
//   - GZIP-compressed whole objects (CompressionFormat GZIP),
//   - each record followed by `\n` (the AppendDelimiterToRecord processor: "If you want to add a new
//     line delimiter between records in objects that are delivered to Amazon S3, choose
//     AppendDelimiterToRecord", https://docs.aws.amazon.com/firehose/latest/APIReference/API_Processor.html;
//     SNS's own example of archived messages shows line breaks between them:
//     https://docs.aws.amazon.com/sns/latest/dg/firehose-archived-message-format-S3.html),
//   - one object without the processor (records back to back) and one record repeated in a second
//     object (Firehose delivers at least once).
// Then the CLI runs against fauxqs's S3 and SQS; CloudFormation (no emulator) is mocked.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { happHandler, type HappEvent } from 'cdk-happ-webhooks/runtime';
import { HappEvents, HappSource } from 'cdk-happ-webhooks';
import { LocalSecretsManagerServer } from '../../bin/local/secrets-manager-server';
import { archiveObjectKey, type ArchiveFraming } from '../../lambda/shared/archive';
import type { HappEnvelope } from '../../lambda/shared/envelope';
import { signBody } from '../../lambda/shared/signature';
import { LocalGateway } from '../e2e/support/gateway';
import { drain, EventSourceMappingPoller, queueDepth } from '../e2e/support/poller';
import { createLocalPipeline, synthesizePipeline, type LocalPipeline } from '../e2e/support/topology';
import { FaultProxy } from '../support/fault-proxy';
import { runCli } from './support/run-cli';

const root = join(__dirname, '..', '..');
const VERIFIER_BUNDLE = join(root, 'dist', 'lambda', 'verifier', 'index.js');
const CHAT_INBOX = 'ChatInbox';
const CALL_ANALYTICS = 'CallAnalytics';
const STACK = 'HappArchiveE2E';
const SECRETS = { chat: `chat-${randomUUID()}`, call: `call-${randomUUID()}` };

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const CALLS = 23; // three SQS batches of ten and a partial one
const BIG = { event: 'call.completed', callId: 'call_big', transcript: 'x'.repeat(300_000) };
const DELIVERIES: { source: HappSource; body: Buffer }[] = [
  ...Array.from({ length: 4 }, (_, i) => ({
    source: HappSource.CHAT,
    body: json({ event: HappEvents.CHAT_MESSAGE_RECEIVED, conversationId: 'conv_1', messageId: `m_${i}` }),
  })),
  ...Array.from({ length: CALLS - 1 }, (_, i) => ({
    source: HappSource.CALL,
    body: json({ event: i % 2 ? 'call.completed' : 'call.started', callId: `call_${i}`, duration: i * 10 }),
  })),
  { source: HappSource.CALL, body: json(BIG) }, // over SNS's 256 KiB: claim-checked
];

const cfn = mockClient(CloudFormationClient);
afterAll(() => cfn.restore());

describe('events and replay on a Firehose-format archive of a real run', () => {
  const clients = {
    dynamodb: new DynamoDBClient({}),
    sns: new SNSClient({}),
    sqs: new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS }),
    s3: new S3Client({}),
  };
  const secretsManager = new LocalSecretsManagerServer();
  const gateway = new LocalGateway();
  let pipeline: LocalPipeline;
  let archiveBucket: string;
  let archived: HappEnvelope[];
  let checkpoints: string;
  const calls = new Map<string, HappEvent[]>([
    [CHAT_INBOX, []],
    [CALL_ANALYTICS, []],
  ]);
  const pollers = new Map<string, EventSourceMappingPoller>();
  const queueOf = (name: string) => pipeline.subscribers.find((s) => s.definition.subscriberName === name)!;

  beforeAll(async () => {
    if (!existsSync(VERIFIER_BUNDLE)) throw new Error(`${VERIFIER_BUNDLE} is missing: run \`npm run build\``);
    checkpoints = mkdtempSync(join(tmpdir(), 'happ-replay-'));
    const definition = synthesizePipeline({
      [CHAT_INBOX]: { sources: [HappSource.CHAT] },
      [CALL_ANALYTICS]: { events: ['call.*'] },
    });
    const secretsEndpoint = await secretsManager.start();
    pipeline = await createLocalPipeline(definition, clients, secretsManager, SECRETS, 1);

    // What the archive subscribes: per source, raw delivery filtered on the `source` attribute.
    const capture: Record<string, string> = {};
    for (const source of [HappSource.CHAT, HappSource.CALL]) {
      const { QueueUrl } = await clients.sqs.send(
        new CreateQueueCommand({ QueueName: `archive-capture-${source}-${randomUUID().slice(0, 8)}` }),
      );
      capture[source] = QueueUrl!;
      const arn = (
        await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))
      ).Attributes!.QueueArn!;
      await clients.sns.send(
        new SubscribeCommand({
          TopicArn: pipeline.topicArn,
          Protocol: 'sqs',
          Endpoint: arn,
          Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ source: [source] }) },
        }),
      );
    }

    const emulator = `http://127.0.0.1:${process.env.HAPP_TEST_FAUXQS_PORT}`;
    await gateway.start(VERIFIER_BUNDLE, {
      AWS_REGION: process.env.AWS_REGION!,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
      AWS_ENDPOINT_URL_SNS: emulator,
      AWS_ENDPOINT_URL_S3: emulator,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      E2E_BINARY_MEDIA_TYPES: JSON.stringify(definition.binaryMediaTypes),
      ...pipeline.verifierEnvironment,
    });
    for (const d of DELIVERIES) {
      const r = await gateway.post(`/${d.source}`, d.body, {
        'content-type': 'application/json',
        'x-happ-signature': signBody(d.body, SECRETS[d.source], { encoding: 'hex', prefix: '' }),
      });
      if (r.status !== 202) throw new Error(`delivery answered ${r.status}:\n${gateway.logs.join('\n')}`);
    }

    // The subscribers handle the originals, as they did in production.
    for (const s of pipeline.subscribers) {
      const name = s.definition.subscriberName;
      pollers.set(
        name,
        new EventSourceMappingPoller({
          sqs: clients.sqs,
          queueUrl: s.queueUrl,
          queueArn: s.queueArn,
          batchSize: 10,
          handler: happHandler(
            async (event) => {
              calls.get(name)!.push(event);
            },
            { idempotency: { tableName: pipeline.tableName, subscriberName: name } },
          ),
        }),
      );
    }
    await drain([...pollers.values()]);

    // The archive: what SNS handed "Firehose", written in Firehose's format.
    archiveBucket = `happ-archive-${randomUUID().slice(0, 8)}`;
    await clients.s3.send(new CreateBucketCommand({ Bucket: archiveBucket }));
    archived = [];
    const arrival = new Date(Date.now() - 10 * 60_000);
    for (const [source, url] of Object.entries(capture) as [HappSource, string][]) {
      const bodies: string[] = [];
      for (;;) {
        const out = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!out.Messages?.length) break;
        bodies.push(...out.Messages.map((m) => m.Body!));
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
      archived.push(...bodies.map((b) => JSON.parse(b) as HappEnvelope));
      const half = Math.ceil(bodies.length / 2);
      const objects: [string[], ArchiveFraming][] = [
        [bodies.slice(0, half), 'newline'],
        // The second object repeats the first object's last record (a retried Firehose delivery);
        // for chat it is written without the delimiter processor (records back to back).
        [[bodies[half - 1]!, ...bodies.slice(half)], source === 'chat' ? 'concatenated' : 'newline'],
      ];
      for (const [i, [records, framing]] of objects.entries()) {
        const text = framing === 'newline' ? records.map((r) => `${r}\n`).join('') : records.join('');
        const key = archiveObjectKey({
          source,
          oldestArrival: new Date(arrival.getTime() + i * 60_000),
          streamName: `${STACK}-HappArchive${source === 'chat' ? 'Chat' : 'Call'}Stream-AbC123`,
          uuid: randomUUID(),
        });
        await clients.s3.send(
          new PutObjectCommand({ Bucket: archiveBucket, Key: key, Body: gzipSync(text) }),
        );
      }
    }

    cfn.on(DescribeStacksCommand, { StackName: STACK }).resolves({
      Stacks: [
        {
          StackName: STACK,
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'HappArchiveArchiveBucketName6A1B2C3D', OutputValue: archiveBucket }],
        },
      ],
    });
    cfn.on(ListStackResourcesCommand, { StackName: STACK }).resolves({
      StackResourceSummaries: pipeline.subscribers.flatMap((s) => [
        {
          LogicalResourceId: `Happ${s.definition.subscriberName}Queue1A2B3C4D`,
          PhysicalResourceId: s.queueUrl,
          ResourceType: 'AWS::SQS::Queue',
          LastUpdatedTimestamp: new Date(),
          ResourceStatus: 'CREATE_COMPLETE',
        },
        {
          LogicalResourceId: `Happ${s.definition.subscriberName}DeadLetterQueue5E6F7A8B`,
          PhysicalResourceId: s.dlqUrl,
          ResourceType: 'AWS::SQS::Queue',
          LastUpdatedTimestamp: new Date(),
          ResourceStatus: 'CREATE_COMPLETE',
        },
      ]),
    });
  }, 120_000);

  afterAll(async () => {
    await gateway.stop();
    await secretsManager.stop();
    for (const client of Object.values(clients)) client.destroy();
    rmSync(checkpoints, { recursive: true, force: true });
  });

  it('archived every accepted event; the subscribers handled their originals once', () => {
    expect(archived).toHaveLength(DELIVERIES.length);
    expect(archived.filter((e) => 'payloadLocation' in e)).toHaveLength(1);
    expect(calls.get(CHAT_INBOX)).toHaveLength(4);
    expect(calls.get(CALL_ANALYTICS)).toHaveLength(CALLS);
  });

  it('events lists every archived event once, oldest first, as NDJSON', async () => {
    const result = await runCli(['events', STACK, '--since', '1h', '--ndjson']);
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HappEnvelope);
    expect(lines.map((e) => e.id).sort()).toEqual(archived.map((e) => e.id).sort());
    const times = lines.map((e) => Date.parse(e.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Four objects read; the repeated record of each source dropped.
    expect(result.stderr).toMatch(
      new RegExp(
        `${DELIVERIES.length} events matched of ${DELIVERIES.length + 2} in 4 objects .*2 repeated records dropped`,
      ),
    );
  });

  it('events filters by source, type glob, payload text and field, and ids', async () => {
    const ndjson = async (...args: string[]) => {
      const r = await runCli(['events', STACK, '--since', '1h', '--ndjson', ...args]);
      expect(r.code).toBe(0);
      return r.stdout.trim()
        ? r.stdout
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as HappEnvelope)
        : [];
    };
    expect((await ndjson('--source', 'chat')).map((e) => e.source)).toEqual(Array(4).fill('chat'));
    expect(new Set((await ndjson('--type', 'call.start*')).map((e) => e.type))).toEqual(
      new Set(['call.started']),
    );
    expect(await ndjson('--type', 'call.started', '--source', 'chat')).toEqual([]);
    const byField = await ndjson('--grep', 'callId=call_7');
    expect(byField.map((e) => (e as { payload: { callId: string } }).payload.callId)).toEqual(['call_7']);
    expect(await ndjson('--grep', 'callId=call_9999')).toEqual([]);
    expect((await ndjson('--grep', '"messageId":"m_2"')).map((e) => e.type)).toEqual([
      HappEvents.CHAT_MESSAGE_RECEIVED,
    ]);
    // --grep reads a claim-checked body from the claim-check bucket.
    const big = await ndjson('--grep', 'callId=call_big');
    expect(big).toHaveLength(1);
    expect('payloadLocation' in big[0]!).toBe(true);
    const two = archived.slice(0, 2).map((e) => e.id);
    expect((await ndjson('--ids', two.join(','))).map((e) => e.id).sort()).toEqual([...two].sort());
    // Outside the time range: nothing.
    expect(await ndjson('--until', new Date(Date.now() - 3_600_000).toISOString(), '--since', '3h')).toEqual(
      [],
    );
  });

  it('events prints a table', async () => {
    const result = await runCli(['events', STACK, '--since', '1h', '--source', 'call', '--limit', '3']);
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ACCEPTED\s+SOURCE\s+TYPE\s+ID\s+PAYLOAD$/);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\S+\s+call\s+call\.\w+\s+[0-9a-f-]{36}\s+\{"event"/);
    expect(result.stderr).toMatch(/first 3 shown: raise --limit/);
  });

  it('replay: a dry run sends nothing', async () => {
    const result = await runCli([
      'replay',
      STACK,
      '--subscriber',
      CALL_ANALYTICS,
      '--since',
      '1h',
      '--type',
      'call.*',
      '--dry-run',
      '--checkpoint-dir',
      checkpoints,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`Would replay ${CALLS} events to .*CallAnalytics.* as replay replay-[0-9a-f]{16}`),
    );
    expect(result.stdout).toMatch(/Dry run: nothing was sent/);
    expect(await queueDepth(clients.sqs, queueOf(CALL_ANALYTICS).queueUrl)).toBe(0);
  });

  it('replay: only the chosen subscriber gets the events, each runs once; an interrupted replay resumes; a repeat is caught', async () => {
    const proxy = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_SQS!);
    const env = { AWS_ENDPOINT_URL_SQS: proxy.url };
    const args = [
      'replay',
      STACK,
      '--subscriber',
      CALL_ANALYTICS,
      '--since',
      '1h',
      '--type',
      'call.*',
      '--rate',
      '20',
      '--checkpoint-dir',
      checkpoints,
    ];
    try {
      // 1. Interrupted: after two batches SQS applies every send but the answers never arrive (the
      //    SDK's three attempts of batch 3 all land in the queue), and the command gives up.
      const watch = setInterval(() => {
        if (proxy.count('SendMessageBatch') >= 2) proxy.inject('SendMessageBatch', { fault: 'drop-answer' });
      }, 2);
      const first = await runCli([...args, '--json'], { env }).finally(() => clearInterval(watch));
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(/stopped after 20 event\(s\) this run .*run the same command to resume/);
      const checkpointFile = readdir(checkpoints);
      const checkpoint = JSON.parse(readFileSync(checkpointFile, 'utf8'));
      expect(checkpoint.sent).toHaveLength(20);
      expect(checkpoint.completedAt).toBeUndefined();

      // 2. Resumed: the same command sends what is left (batch 3 again, and the rest).
      proxy.clear();
      const second = await runCli([...args, '--json'], { env });
      expect(second.code).toBe(0);
      const summary = JSON.parse(second.stdout);
      expect(summary).toMatchObject({
        status: 'COMPLETED',
        previouslySent: 20,
        sent: CALLS - 20,
        totalSent: CALLS,
      });
      const replayId: string = summary.replayId;

      // Only CallAnalytics' queue received anything; ChatInbox's is untouched.
      expect(await queueDepth(clients.sqs, queueOf(CHAT_INBOX).queueUrl)).toBe(0);
      const received = await queueDepth(clients.sqs, queueOf(CALL_ANALYTICS).queueUrl);
      expect(received).toBeGreaterThan(CALLS); // the lost answers' copies are in the queue too

      // 3. The helper runs every replayed event once, although the originals were handled.
      const before = calls.get(CALL_ANALYTICS)!.length;
      await drain([...pollers.values()]);
      const replayed = calls.get(CALL_ANALYTICS)!.slice(before);
      expect(replayed).toHaveLength(CALLS);
      expect(new Set(replayed.map((e) => e.id)).size).toBe(CALLS);
      expect(replayed.every((e) => e.replay?.id === replayId)).toBe(true);
      expect(calls.get(CHAT_INBOX)).toHaveLength(4);
      const big = replayed.find((e) => e.claimChecked)!;
      expect(big.payload).toEqual(BIG); // the claim-checked body replays with its payload

      // 4. The same command again: refused by the checkpoint, nothing sent.
      const third = await runCli(args, { env });
      expect(third.code).toBe(0);
      expect(third.stderr).toMatch(new RegExp(`replay ${replayId} already completed .*nothing sent`));
      expect(await queueDepth(clients.sqs, queueOf(CALL_ANALYTICS).queueUrl)).toBe(0);

      // 5. From another machine (no checkpoint): sent again under the same id, skipped by the helper.
      const elsewhere = mkdtempSync(join(tmpdir(), 'happ-replay-'));
      try {
        const fourth = await runCli([...args.slice(0, -1), elsewhere, '--json'], { env });
        expect(JSON.parse(fourth.stdout)).toMatchObject({ replayId, status: 'COMPLETED', sent: CALLS });
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
      const beforeRepeat = calls.get(CALL_ANALYTICS)!.length;
      await drain([...pollers.values()]);
      expect(calls.get(CALL_ANALYTICS)).toHaveLength(beforeRepeat);

      // 6. A new replay id is a new replay: every event runs once more.
      const fifth = await runCli([...args, '--replay-id', 'second-pass', '--json'], { env });
      expect(JSON.parse(fifth.stdout)).toMatchObject({ replayId: 'second-pass', sent: CALLS });
      await drain([...pollers.values()]);
      const again = calls.get(CALL_ANALYTICS)!.slice(beforeRepeat);
      expect(again).toHaveLength(CALLS);
      expect(again.every((e) => e.replay?.id === 'second-pass')).toBe(true);
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it('replay refuses an unclear command', async () => {
    const noSelection = await runCli(['replay', STACK, '--subscriber', CALL_ANALYTICS]);
    expect(noSelection.code).toBe(1);
    expect(noSelection.stderr).toMatch(/say what to replay: --since .* --ids/);
    const noTarget = await runCli(['replay', STACK, '--since', '1h']);
    expect(noTarget.stderr).toMatch(/name the subscriber to replay to/);
    const unknown = await runCli(['replay', STACK, '--subscriber', 'Nobody', '--since', '1h']);
    expect(unknown.stderr).toMatch(/has no subscriber queue for "Nobody"; its queues: .*ChatInbox/);
    const badId = await runCli([
      'replay',
      STACK,
      '--subscriber',
      CALL_ANALYTICS,
      '--since',
      '1h',
      '--replay-id',
      'a/b',
    ]);
    expect(badId.stderr).toMatch(/--replay-id must be 1-64 letters/);
  });
});

/** The one checkpoint file in `dir`. */
function readdir(dir: string): string {
  const { readdirSync } = require('node:fs') as typeof import('node:fs');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length !== 1) throw new Error(`expected one checkpoint in ${dir}, found ${files.join(', ')}`);
  return join(dir, files[0]!);
}
