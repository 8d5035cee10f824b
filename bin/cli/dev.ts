/**
 * `happ-webhooks dev`: the whole receiver on this machine, in one process. dynalite (DynamoDB) and
 * fauxqs (SNS, SQS, S3) hold the table, topic, bucket, queue and DLQ the construct creates; the
 * local Secrets Manager holds a generated secret per source; POST /chat and /call go through the
 * SAME built verifier bundle that is deployed (dist/lambda/verifier); the subscriber queue is fed to
 * the user's handler through the runtime helper the way Lambda's event source mapping does. Every
 * step is printed as it happens: accepted, duplicate, rejected and why, handled, failed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { HappSource } from '../../lambda/shared/envelope';
import { parseSecretValue } from '../../lambda/shared/secrets';
import { CliError } from './errors';
import { startProgress, type Io } from './io';
import { packageInfo } from './package-info';
import { payloadText } from './dev/preview';
import { devCommands, SECRET_NAMES } from './dev/commands';
import { DEV_CREDENTIALS } from './pasteable';

export { DEV_REGION, SECRET_NAMES } from './dev/commands';

export interface DevOptions {
  readonly port?: number;
  readonly host?: string;
  readonly handler?: string;
  /** Tools to serve at /tools/<name>: `name=./file.ts` (bin/cli/dev/tools.ts). */
  readonly tool?: readonly string[];
  readonly secret?: string;
  readonly maxReceiveCount?: number;
  readonly retryDelay?: number;
  readonly json?: boolean;
  /** The API Gateway to play: `rest-api` (payload format 1.0) or `http-api` (2.0). @default 'rest-api' */
  readonly ingress?: string;
  /** Print whole payloads (default: a preview of PREVIEW_LINES lines / PREVIEW_CHARS characters). */
  readonly full?: boolean;
}

/** Names of the local resources, as the construct would create them. */
export const DEV_RESOURCES = {
  table: 'happ-dev-idempotency',
  topic: 'happ-dev-events',
  bucket: 'happ-dev-payloads',
  queue: 'happ-dev-subscriber',
  deadLetterQueue: 'happ-dev-subscriber-dlq',
  subscriber: 'dev',
} as const;

/** Failed events come back after this long by default (in AWS: after the queue's visibility timeout). */
export const RETRY_DELAY_SECONDS = 5;
const HANDLER_TIMEOUT_MS = 30_000;
/** Longest a handler's line waits for the request line of the same event. */
const ORDER_WAIT_MS = 1_000;

interface VerifierLogFacts {
  outcome?: string;
  status?: number;
  source?: string;
  type?: string;
  id?: string;
  reason?: string;
  secret?: string;
  claimChecked?: boolean;
  dependency?: string;
  error?: string;
  requestId?: string;
}

interface Envelope {
  id?: string;
  source?: string;
  type?: string;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function envelopeOf(body: string): Envelope {
  try {
    return JSON.parse(body) as Envelope;
  } catch {
    return {};
  }
}

function errorText(error: unknown): string {
  // Powertools' batch processor throws this when every record failed: show the first record's error.
  const inner = (error as { name?: string; recordErrors?: unknown[] } | undefined)?.recordErrors?.[0];
  if ((error as Error)?.name === 'FullBatchFailureError' && inner !== undefined) return errorText(inner);
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export async function dev(options: DevOptions, io: Io): Promise<number> {
  const pc = io.colors;
  const json = Boolean(options.json);
  const emit = (kind: string, fields: Record<string, unknown>, human: string) => {
    if (json) io.out(`${JSON.stringify({ kind, time: new Date().toISOString(), ...fields })}\n`);
    else io.out(`${pc.dim(clock())}  ${human}\n`);
  };
  const emitLine = emit;
  // Event ids whose request line is printed, and lines waiting for theirs (see onOutcome).
  const announced = new Set<string>();
  const waiting = new Map<string, Array<() => void>>();
  const release = (id: string) => {
    const lines = waiting.get(id);
    waiting.delete(id);
    for (const line of lines ?? []) line();
  };
  const inOrder = (id: string | undefined, line: () => void) => {
    if (!id || announced.has(id)) return line();
    if (!waiting.has(id)) {
      waiting.set(id, []);
      // A message no POST announced (a replay, a message sent to the queue by hand) waits at most this long.
      setTimeout(() => release(id), ORDER_WAIT_MS).unref();
    }
    waiting.get(id)!.push(line);
  };
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const retryDelay = options.retryDelay ?? RETRY_DELAY_SECONDS;
  const host = options.host ?? '127.0.0.1';
  const ingress = options.ingress ?? 'rest-api';
  if (ingress !== 'rest-api' && ingress !== 'http-api') {
    throw new CliError(`--ingress must be rest-api or http-api (given ${ingress})`);
  }

  const root = packageInfo().root;
  const verifierBundle = join(root, 'dist', 'lambda', 'verifier', 'index.js');
  const runtimeModule = join(root, 'dist', 'lambda', 'runtime', 'index.js');
  for (const file of [verifierBundle, runtimeModule]) {
    if (!existsSync(file))
      throw new CliError(
        `${relative(process.cwd(), file)} is missing: build the package first (npm run build)`,
      );
  }

  const progress = startProgress(io, 'starting local emulators', { json });
  const { startEmulators } = require('./dev/emulators') as typeof import('./dev/emulators');
  let emulators: Awaited<ReturnType<typeof startEmulators>>;
  try {
    emulators = await startEmulators();
  } catch (error) {
    progress.stop();
    throw error;
  }
  const cleanups: Array<() => Promise<void>> = [() => emulators.stop()];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };

  try {
    // Everything in this process (the verifier, the runtime helper, the user's handler) talks to
    // the emulators through the standard SDK variables, exactly as in the tests.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SNS: emulators.fauxqsEndpoint,
      AWS_ENDPOINT_URL_SQS: emulators.fauxqsEndpoint,
      // An IP endpoint: the SDK addresses buckets by path, no *.localhost DNS needed.
      AWS_ENDPOINT_URL_S3: emulators.fauxqsEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: emulators.secretsManagerEndpoint,
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    if (!process.env.AWS_ACCESS_KEY_ID) Object.assign(process.env, DEV_CREDENTIALS);

    progress.update('creating the table, topic, bucket, queue and DLQ');
    const resources = await createResources(emulators, maxReceiveCount);

    const secretValue = options.secret ?? io.env.HAPP_WEBHOOK_SECRET;
    if (secretValue === '') throw new CliError('--secret is empty');
    const secrets: Record<HappSource, { arn: string; value: string }> = {
      chat: { arn: '', value: secretValue ?? randomBytes(24).toString('base64url') },
      call: { arn: '', value: secretValue ?? randomBytes(24).toString('base64url') },
    };
    for (const source of ['chat', 'call'] as const) {
      secrets[source].arn = emulators.secrets.setSecret(SECRET_NAMES[source], secrets[source].value);
    }
    Object.assign(process.env, {
      HAPP_CHAT_SECRET_ARN: secrets.chat.arn,
      HAPP_CALL_SECRET_ARN: secrets.call.arn,
      HAPP_TABLE_NAME: DEV_RESOURCES.table,
      HAPP_TOPIC_ARN: resources.topicArn,
      HAPP_BUCKET_NAME: DEV_RESOURCES.bucket,
      HAPP_SUBSCRIBER_NAME: DEV_RESOURCES.subscriber,
    });

    // The verifier: the deployed bundle, with a logger that hands us each request's outcome.
    progress.update('loading the verifier');
    const facts = new Map<string, VerifierLogFacts>();
    const capture = (_message: string, attributes?: VerifierLogFacts) => {
      if (attributes?.requestId) facts.set(attributes.requestId, attributes);
    };
    const verifierModule = require(verifierBundle) as {
      createHandler(config: object, deps: object): import('./dev/gateway').ProxyHandler;
    };
    const verifier = verifierModule.createHandler(
      {
        secretArns: { chat: secrets.chat.arn, call: secrets.call.arn },
        tableName: DEV_RESOURCES.table,
        topicArn: resources.topicArn,
        bucketName: DEV_RESOURCES.bucket,
        // Read the secrets on every request: a `rotate-secret` against dev shows on the next POST
        // (deployed verifiers cache them for HAPP_SECRETS_CACHE_TTL_SECONDS, 300 by default).
        secretsCacheTtlSeconds: 0,
      },
      { logger: { debug: capture, info: capture, warn: capture, error: capture } },
    );

    // The subscriber: the user's handler, or one that prints each event.
    progress.update('loading the handler');
    // Stack traces from the handler point at its TypeScript lines (esbuild inlines a source map).
    process.setSourceMapsEnabled(true);
    const runtime = require(runtimeModule) as typeof import('../../lambda/runtime');
    const tracking = new Map<string, { ran: boolean; error?: unknown }>();
    let routedTypes: Set<string> | undefined;
    const track =
      (fn: (event: { id: string }, context: unknown) => unknown) =>
      async (event: { id: string }, context: unknown) => {
        const entry = { ran: true } as { ran: boolean; error?: unknown };
        tracking.set(event.id, entry);
        try {
          await fn(event, context);
        } catch (error) {
          entry.error = error;
          throw error;
        }
      };
    let sqsHandler: import('./dev/poller').SqsHandler;
    let handlerLabel: string;
    // True when our wrapper sees each call of the user's function (so a skip is visible).
    let wrapped = true;
    if (options.handler) {
      const { loadHandler } = require('./dev/handler-loader') as typeof import('./dev/handler-loader');
      const loaded = await loadHandler(options.handler);
      handlerLabel = relative(process.cwd(), loaded.file) || basename(loaded.file);
      if (loaded.lambdaHandler) {
        wrapped = false;
        sqsHandler = loaded.lambdaHandler as import('./dev/poller').SqsHandler;
      } else if (typeof loaded.eventFunction === 'function') {
        sqsHandler = runtime.happHandler(track(loaded.eventFunction as never) as never) as never;
      } else {
        const map = loaded.eventFunction as Record<string, (e: { id: string }, c: unknown) => unknown>;
        routedTypes = new Set(Object.keys(map));
        sqsHandler = runtime.happHandler(
          Object.fromEntries(Object.entries(map).map(([type, fn]) => [type, track(fn)])) as never,
        ) as never;
      }
    } else {
      handlerLabel = 'none: each event is printed';
      sqsHandler = runtime.happHandler(
        track(async (event) => {
          const e = event as unknown as {
            id: string;
            type: string;
            source: string;
            payload: unknown;
            payloadFormat: string;
          };
          const payload = payloadText(e.payload, Boolean(options.full));
          inOrder(e.id, () =>
            emit(
              'event',
              { event: Buffer.isBuffer(e.payload) ? { ...e, payload: e.payload.toString('base64') } : e },
              `${pc.cyan('event')}       ${e.type} (${e.source})  id ${e.id}\n${payload
                .split('\n')
                .map((l) => `            ${l}`)
                .join('\n')}`,
            ),
          );
        }) as never,
      ) as never;
    }

    // Tools (--tool name=./file.ts) at /tools/<name>, next to /chat and /call.
    const devTools = options.tool?.length
      ? await (require('./dev/tools') as typeof import('./dev/tools')).loadDevTools(options.tool, {
          runtime,
          setSecret: (name, value) => emulators.secrets.setSecret(name, value),
          secret: secretValue,
        })
      : undefined;
    // What a signature mismatch means, from what the local Secrets Manager holds NOW: after a
    // `rotate-secret` the secret shown at start-up is no longer the (only) one that verifies.
    const mismatchText = (source: string | undefined): string => {
      if (source !== 'chat' && source !== 'call') return 'signature mismatch';
      const stored = emulators.secrets.getSecretString(secrets[source].arn);
      if (stored === secrets[source].value) {
        return `signature mismatch: not signed with the ${source} secret shown above`;
      }
      let valid: string[] = [];
      try {
        valid = parseSecretValue(stored);
      } catch {
        return `signature mismatch: ${SECRET_NAMES[source]} holds no usable secret since it was changed`;
      }
      const others = valid.length - 1;
      return (
        `signature mismatch: not signed with the current ${source} secret of ${SECRET_NAMES[source]} ` +
        `(rotated since start: current ${valid[0]}` +
        (others > 0 ? `, ${others} previous still accepted` : '') +
        ')'
      );
    };

    // The gateway in front of the verifier.
    const { startGateway } = require('./dev/gateway') as typeof import('./dev/gateway');
    const gateway = await startGateway({
      host,
      port: options.port ?? 8787,
      handler: devTools ? devTools.route(verifier) : verifier,
      ingress,
      routes:
        ingress === 'http-api'
          ? ['POST /chat', 'POST /call', ...(devTools?.tools ?? []).map((t) => `ANY ${t.path}`)]
          : undefined,
      onExchange: (x) => {
        const toolCall = devTools?.describe(x);
        if (toolCall) return emit('tool', toolCall.fields, toolCall.human);
        const f = facts.get(x.requestId) ?? {};
        facts.delete(x.requestId);
        const outcome = f.outcome ?? (x.status === 502 ? 'integration-error' : String(x.status));
        const what = [f.type, f.id ? `id ${f.id}` : undefined].filter(Boolean).join('  ');
        let human = `${x.method} ${x.path}  `;
        switch (outcome) {
          case 'accepted':
            human += `${pc.green(`${x.status} accepted`)}   ${what}${f.claimChecked ? '  (claim-checked to S3)' : ''}`;
            break;
          case 'duplicate':
            human += `${pc.yellow(`${x.status} duplicate`)}  ${what}: already accepted, not published again`;
            break;
          case 'signature-invalid':
            human += `${pc.red(`${x.status} rejected`)}   ${
              f.reason === 'missing' ? 'no signature header (x-happ-signature)' : mismatchText(f.source)
            }`;
            break;
          case '413':
            // API Gateway's own answer: the body is over its 10 MB limit, the verifier never ran.
            human += `${pc.red('413 too large')}  ${x.bytes} bytes: over API Gateway's 10 MB request limit (the verifier never ran)`;
            break;
          case 'route-not-found':
            human += `${pc.red(`${x.status} rejected`)}   no such route: POST /chat or /call`;
            break;
          default:
            human += `${pc.red(`${x.status} ${outcome}`)}   ${f.reason ?? f.error ?? x.body}`;
        }
        emit(
          'request',
          {
            method: x.method,
            path: x.path,
            status: x.status,
            outcome,
            reason: f.reason,
            type: f.type,
            id: f.id,
            secret: f.secret,
            bytes: x.bytes,
            ms: x.ms,
          },
          `${human}  ${pc.dim(`${x.ms} ms`)}`,
        );
        if (f.id) {
          announced.add(f.id);
          release(f.id);
        }
      },
    });
    cleanups.push(() => gateway.close());

    // The poller, like Lambda's event source mapping.
    const { SQSClient } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    const sqs = new SQSClient({ endpoint: emulators.fauxqsEndpoint, region: 'us-east-1' });
    const { poll } = require('./dev/poller') as typeof import('./dev/poller');
    const abort = new AbortController();
    const polling = poll(
      {
        sqs,
        queueUrl: resources.queueUrl,
        queueArn: resources.queueArn,
        handler: sqsHandler,
        retryDelaySeconds: retryDelay,
        timeoutMs: HANDLER_TIMEOUT_MS,
        onError: (error) =>
          emit('error', { error: errorText(error) }, pc.red(`poller error: ${errorText(error)}`)),
        onOutcome: (o) => {
          const env = envelopeOf(o.record.body);
          const t = env.id ? tracking.get(env.id) : undefined;
          if (env.id) tracking.delete(env.id);
          // Causal order: an event can be handled before its POST's answer is printed (the verifier
          // publishes, then answers); hold its line until the request line is out.
          const emit = (kind: string, fields: Record<string, unknown>, human: string) =>
            inOrder(env.id, () => emitLine(kind, fields, human));
          const what = `${env.type ?? '?'}  id ${env.id ?? o.record.messageId}`;
          const base = {
            type: env.type,
            source: env.source,
            id: env.id,
            messageId: o.record.messageId,
            attempt: o.receiveCount,
            ms: o.ms,
          };
          if (o.ok) {
            if (routedTypes && env.type && !routedTypes.has(env.type)) {
              emit(
                'skipped',
                { ...base, reason: 'no-function' },
                `${pc.dim('skipped')}     ${what}: no function for this type in the handler map`,
              );
            } else if (wrapped && !t) {
              emit(
                'skipped',
                { ...base, reason: 'duplicate' },
                `${pc.yellow('skipped')}     ${what}: already handled (duplicate delivery)`,
              );
            } else {
              emit('handled', base, `${pc.green('handled')}     ${what}  ${pc.dim(`${o.ms} ms`)}`);
            }
            return;
          }
          const reason = t?.error ?? o.invocationError;
          const last = o.receiveCount >= maxReceiveCount;
          const next = last
            ? `→ dead-letter queue ${DEV_RESOURCES.deadLetterQueue}`
            : `→ retry in ${retryDelay} s`;
          emit(
            'failed',
            { ...base, error: reason !== undefined ? errorText(reason) : undefined, deadLettered: last },
            `${pc.red('failed')}      ${what}  attempt ${o.receiveCount}/${maxReceiveCount}: ${
              reason !== undefined ? errorText(reason) : "see the handler's log above"
            }  ${next}`,
          );
        },
      },
      abort.signal,
    );
    cleanups.push(async () => {
      abort.abort();
      await polling;
      sqs.destroy();
    });
    progress.stop();

    const base = `http://${host.includes(':') ? `[${host}]` : host}:${gateway.port}`;
    const urls = { chat: `${base}/chat`, call: `${base}/call` };
    const commands = devCommands({
      urls,
      secrets,
      dlqUrl: resources.dlqUrl,
      sqsEndpoint: emulators.fauxqsEndpoint,
      secretsManagerEndpoint: emulators.secretsManagerEndpoint,
    });
    if (json) {
      emit(
        'ready',
        {
          chat: {
            url: urls.chat,
            secret: secrets.chat.value,
            secretName: SECRET_NAMES.chat,
            secretArn: secrets.chat.arn,
          },
          call: {
            url: urls.call,
            secret: secrets.call.value,
            secretName: SECRET_NAMES.call,
            secretArn: secrets.call.arn,
          },
          handler: options.handler ?? null,
          ingress,
          tools: (devTools?.tools ?? []).map((t) => ({
            name: t.name,
            url: `${base}${t.path}`,
            secret: t.secret,
            file: t.file,
          })),
          resources: {
            ...DEV_RESOURCES,
            topicArn: resources.topicArn,
            queueUrl: resources.queueUrl,
            deadLetterQueueUrl: resources.dlqUrl,
          },
          endpoints: {
            dynamodb: emulators.dynamodbEndpoint,
            sqs: emulators.fauxqsEndpoint,
            sns: emulators.fauxqsEndpoint,
            s3: emulators.fauxqsEndpoint,
            secretsManager: emulators.secretsManagerEndpoint,
          },
          commands,
        },
        '',
      );
    } else {
      io.out(
        [
          `${pc.bold('happ-webhooks dev')}: a local Happ receiver (the built verifier + your handler, on local emulators)`,
          `  POST ${pc.cyan(urls.chat)}   secret ${pc.bold(secrets.chat.value)}`,
          `  POST ${pc.cyan(urls.call)}   secret ${pc.bold(secrets.call.value)}`,
          `  secrets   ${SECRET_NAMES.chat} ${pc.dim(secrets.chat.arn)}`,
          `            ${SECRET_NAMES.call} ${pc.dim(secrets.call.arn)}`,
          `  handler   ${handlerLabel}   (subscriber "${DEV_RESOURCES.subscriber}", failed events retry after ${retryDelay} s, DLQ after ${maxReceiveCount} attempts)`,
          ...(devTools?.tools ?? []).map(
            (t) => `  tool ${pc.cyan(`${base}${t.path}`)}   secret ${pc.bold(t.secret)}   (${t.file})`,
          ),
          `  emulators DynamoDB ${emulators.dynamodbEndpoint} · SNS/SQS/S3 ${emulators.fauxqsEndpoint} · Secrets Manager ${emulators.secretsManagerEndpoint}`,
          '',
          `In a second terminal (each line runs as printed):`,
          `  Try:     ${commands.send}`,
          `  DLQ:     ${commands.dlq}`,
          `  redrive: ${commands.redrive}`,
          `  rotate:  ${commands.rotateCall}`,
          pc.dim('Ctrl-C to stop.'),
          '',
        ].join('\n'),
      );
    }

    await waitForSignal();
    if (!json) io.out(`\n${pc.dim('stopping…')}\n`);
    await cleanup();
    for (const id of [...waiting.keys()]) release(id);
    emit('stopped', {}, 'stopped');
    // Whatever the user's handler left running (timers, sockets) must not keep dev alive.
    setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
    return 0;
  } catch (error) {
    progress.stop();
    await cleanup();
    throw error;
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const again = () => process.exit(signal === 'SIGINT' ? 130 : 143);
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

interface DevResources {
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** Creates what the construct creates, on the emulators. */
async function createResources(
  emulators: { dynamodbEndpoint: string; fauxqsEndpoint: string },
  maxReceiveCount: number,
): Promise<DevResources> {
  const { DynamoDBClient, CreateTableCommand } =
    require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const { SNSClient, CreateTopicCommand, SubscribeCommand } =
    require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
  const { SQSClient, CreateQueueCommand, GetQueueAttributesCommand } =
    require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  const { S3Client, CreateBucketCommand } =
    require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const region = 'us-east-1';
  const ddb = new DynamoDBClient({ endpoint: emulators.dynamodbEndpoint, region });
  const sns = new SNSClient({ endpoint: emulators.fauxqsEndpoint, region });
  const sqs = new SQSClient({ endpoint: emulators.fauxqsEndpoint, region });
  const s3 = new S3Client({ endpoint: emulators.fauxqsEndpoint, region, forcePathStyle: true });
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: DEV_RESOURCES.table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: DEV_RESOURCES.bucket }));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: DEV_RESOURCES.topic }))).TopicArn!;
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: DEV_RESOURCES.deadLetterQueue })))
      .QueueUrl!;
    const arnOf = async (url: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
        .Attributes!.QueueArn!;
    const dlqArn = await arnOf(dlqUrl);
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: DEV_RESOURCES.queue,
          Attributes: {
            VisibilityTimeout: String(HANDLER_TIMEOUT_MS / 1000),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
          },
        }),
      )
    ).QueueUrl!;
    const queueArn = await arnOf(queueUrl);
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: {
          RawMessageDelivery: 'true',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn }),
        },
      }),
    );
    return { topicArn, queueUrl, queueArn, dlqUrl, dlqArn };
  } catch (error) {
    throw new CliError(`could not create the local resources: ${errorText(error)}`, 1, { cause: error });
  } finally {
    for (const c of [ddb, sns, sqs, s3]) c.destroy();
  }
}
