/**
 * Finding the queue a user means: a queue URL, a queue ARN, a queue name, or a CloudFormation
 * stack (its outputs, else its AWS::SQS::Queue resources) holding the subscribers' DLQs.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { cloudFormationClient, regionFromArn, regionFromQueueUrl, sqsClient, type AwsOptions } from './aws';
import { CliError, describeAwsError } from './errors';
import type { Io } from './io';

export interface QueueInfo {
  readonly url: string;
  readonly arn: string;
  readonly name: string;
  /** Where it came from when found in a stack: the output key or the resource's logical id. */
  readonly label?: string;
  readonly attributes: Record<string, string>;
}

export interface QueueLookupOptions extends AwsOptions {
  /** Narrow a stack's DLQs to the subscriber whose name appears in the output key / logical id. */
  readonly subscriber?: string;
}

const QUEUE_URL_RE = /^https?:\/\/[^/]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const QUEUE_NAME_RE = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const STACK_NAME_RE = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const DLQ_RE = /dlq|dead.?letter/i;

export function isQueueNotFound(error: unknown): boolean {
  const name = (error as Error)?.name ?? '';
  const code = (error as { Code?: string }).Code ?? '';
  return name === 'QueueDoesNotExist' || /NonExistentQueue/.test(name) || /NonExistentQueue/.test(code);
}

/** An SQS client whose region matches the queue reference, when the reference names one. */
export function sqsClientFor(ref: string, options: AwsOptions, io: Io): SQSClient {
  return sqsClient(options, io.env, regionFromQueueUrl(ref) ?? regionFromArn(ref));
}

/** The queue's URL from a URL, ARN or name (undefined when no such queue exists). */
async function queueUrlOf(sqs: SQSClient, ref: string): Promise<string | undefined> {
  if (/^https?:\/\//.test(ref)) return ref;
  const { GetQueueUrlCommand } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  let name = ref;
  let owner: string | undefined;
  if (ref.startsWith('arn:')) {
    const parts = ref.split(':');
    if (parts.length !== 6 || parts[2] !== 'sqs') throw new CliError(`"${ref}" is not an SQS queue ARN`);
    owner = parts[4];
    name = parts[5]!;
  }
  try {
    const res = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: owner }));
    return res.QueueUrl;
  } catch (error) {
    if (isQueueNotFound(error)) return undefined;
    throw describeAwsError(error, `looking up queue ${ref}`);
  }
}

/** Reads a queue's attributes (and so checks that it exists). */
export async function describeQueue(sqs: SQSClient, url: string, label?: string): Promise<QueueInfo> {
  const { GetQueueAttributesCommand } =
    require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  try {
    const res = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    const attributes = res.Attributes ?? {};
    const arn = attributes.QueueArn ?? '';
    return { url, arn, name: arn.split(':').pop() || url.split('/').pop()!, label, attributes };
  } catch (error) {
    if (isQueueNotFound(error)) throw new CliError(`queue ${url} does not exist`);
    throw describeAwsError(error, `reading queue ${url}`);
  }
}

/**
 * Resolves a reference to one or more queues. A URL, ARN or existing queue name gives one queue;
 * otherwise the reference is taken as a stack name and every dead-letter queue in it is returned
 * (narrowed by `subscriber`).
 */
export async function resolveQueues(
  ref: string,
  options: QueueLookupOptions,
  io: Io,
  sqs: SQSClient,
): Promise<QueueInfo[]> {
  if (/^https?:\/\//.test(ref)) {
    try {
      new URL(ref);
    } catch {
      throw new CliError(`"${ref}" is not a valid queue URL`);
    }
    return [await describeQueue(sqs, ref)];
  }
  const isStackArn = ref.startsWith('arn:') && ref.split(':')[2] === 'cloudformation';
  if (!isStackArn && !ref.startsWith('arn:') && !QUEUE_NAME_RE.test(ref) && !STACK_NAME_RE.test(ref)) {
    throw new CliError(`"${ref}" is not a queue URL, queue ARN, queue name or stack name`);
  }
  if (!isStackArn && (ref.startsWith('arn:') || QUEUE_NAME_RE.test(ref))) {
    const url = await queueUrlOf(sqs, ref);
    if (url) return [await describeQueue(sqs, url)];
    if (ref.startsWith('arn:')) throw new CliError(`queue ${ref} does not exist`);
  }

  const found = await dlqsInStack(ref, options, io);
  if (found === undefined) {
    throw new CliError(`no queue and no CloudFormation stack named "${ref}" (check the name and --region)`);
  }
  let candidates = found;
  if (options.subscriber) {
    const wanted = options.subscriber.toLowerCase().replace(/[^a-z0-9]/g, '');
    candidates = found.filter((c) =>
      c.label
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .includes(wanted),
    );
    if (candidates.length === 0) {
      throw new CliError(
        `stack ${ref} has no dead-letter queue for subscriber "${options.subscriber}"; it has: ${found.map((c) => c.label).join(', ') || 'none'}`,
      );
    }
  }
  if (candidates.length === 0)
    throw new CliError(`stack ${ref} has no dead-letter queue (no output or SQS queue named like one)`);
  const queues: QueueInfo[] = [];
  for (const c of candidates) {
    const client = sqsClientFor(c.ref, options, io);
    try {
      const url = await queueUrlOf(client, c.ref);
      if (!url) throw new CliError(`stack output ${c.label} names queue ${c.ref}, which does not exist`);
      const queue = await describeQueue(client, url, c.label);
      // A stack may output both the URL and the ARN of one queue: list it once.
      if (!queues.some((q) => q.arn === queue.arn)) queues.push(queue);
    } finally {
      client.destroy();
    }
  }
  return queues;
}

interface StackQueue {
  readonly label: string;
  /** Queue URL or ARN. */
  readonly ref: string;
}

/** Dead-letter queues of a stack: outputs first, then its queue resources. undefined = no such stack. */
async function dlqsInStack(
  stackName: string,
  options: AwsOptions,
  io: Io,
): Promise<StackQueue[] | undefined> {
  const cfn: CloudFormationClient = cloudFormationClient(options, io.env);
  const { DescribeStacksCommand, paginateListStackResources } =
    require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  try {
    let stack;
    try {
      stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    } catch (error) {
      if (/does not exist/.test((error as Error).message ?? '')) return undefined;
      throw describeAwsError(error, `reading stack ${stackName}`);
    }
    if (!stack) return undefined;
    const fromOutputs: StackQueue[] = [];
    for (const output of stack.Outputs ?? []) {
      const value = output.OutputValue ?? '';
      const isQueue = QUEUE_URL_RE.test(value) || (value.startsWith('arn:') && value.split(':')[2] === 'sqs');
      const label = output.OutputKey ?? value;
      if (isQueue && DLQ_RE.test(`${label} ${output.Description ?? ''} ${value}`))
        fromOutputs.push({ label, ref: value });
    }
    if (fromOutputs.length > 0) return fromOutputs;
    const fromResources: StackQueue[] = [];
    try {
      for await (const page of paginateListStackResources({ client: cfn }, { StackName: stackName })) {
        for (const r of page.StackResourceSummaries ?? []) {
          if (
            r.ResourceType === 'AWS::SQS::Queue' &&
            r.PhysicalResourceId &&
            DLQ_RE.test(r.LogicalResourceId ?? '')
          ) {
            fromResources.push({ label: r.LogicalResourceId!, ref: r.PhysicalResourceId });
          }
        }
      }
    } catch (error) {
      throw describeAwsError(error, `listing the resources of stack ${stackName}`);
    }
    return fromResources;
  } finally {
    cfn.destroy();
  }
}
