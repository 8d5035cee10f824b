/**
 * The `happ-webhooks` command line: commander for parsing and help, one module per command,
 * each required only when its command runs (the AWS SDK never loads for `sign`, `send`, `--help`).
 * `run` never exits the process: it returns the exit code, so tests drive it in-process.
 */
import type { Command as CommandType } from 'commander';
import { CliError } from './errors';
import type { Io } from './io';
import { packageInfo } from './package-info';

type Action = (io: Io) => Promise<number>;

const INT_RANGE = (name: string, min: number, max: number) => (value: string) => {
  const { InvalidArgumentError } = require('commander') as typeof import('commander');
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
    throw new InvalidArgumentError(
      `${name} must be a whole number between ${min} and ${max} (given "${value}").`,
    );
  }
  return n;
};

const SECRET_HELP = 'the webhook secret (or set HAPP_WEBHOOK_SECRET, which keeps it out of shell history)';

function addSigningOptions(cmd: CommandType): CommandType {
  const { Option } = require('commander') as typeof import('commander');
  return cmd
    .addOption(new Option('--secret <secret>', SECRET_HELP).conflicts('secretArn'))
    .option(
      '--secret-arn <arn>',
      'read the secret from Secrets Manager (a {"current","previous"} value signs with current)',
    )
    .option('--header <name>', 'signature header', 'x-happ-signature')
    .addOption(
      new Option('--encoding <encoding>', 'signature encoding').choices(['hex', 'base64']).default('hex'),
    )
    .option('--prefix <text>', 'text before the signature, e.g. "sha256="', '')
    .option('--region <region>', 'AWS region for --secret-arn (default: from the ARN)')
    .option('--profile <name>', 'AWS profile for --secret-arn');
}

function addAwsOptions(cmd: CommandType): CommandType {
  return cmd
    .option('--region <region>', 'AWS region (default: from the ARN or queue URL, else AWS_REGION / profile)')
    .option('--profile <name>', 'AWS named profile');
}

function addSelectionOptions(cmd: CommandType): CommandType {
  return cmd
    .option('--since <time>', 'accepted at or after: a duration ago (3d, 12h, 30m) or an ISO-8601 time')
    .option('--until <time>', 'accepted before (same forms; default: now)')
    .option('--source <source>', 'chat or call (default: both)')
    .option('--type <glob>', "event type, * and ? allowed (e.g. 'call.*')")
    .option(
      '--grep <text>',
      'payload contains this text, or field=value (a dotted path into the JSON payload)',
    )
    .option('--ids <ids>', 'only these event ids (comma or space separated)')
    .option('--bucket <name>', "the archive bucket (default: the stack's ArchiveBucketName output)");
}

/** `events` and `replay` (issue 15: the archive). */
function addArchiveCommands(program: CommandType, setAction: (action: Action) => void): void {
  addAwsOptions(
    addSelectionOptions(
      program
        .command('events')
        .description(
          "list archived events (the receiver's archive prop) by time, source, type and payload text",
        )
        .argument('[stack]', 'the CloudFormation stack with the archive (or give --bucket)'),
    )
      .option('--ndjson', 'print one archived envelope per line (JSON), for jq or replay --ids')
      .option('--limit <n>', 'print at most this many (oldest first)', INT_RANGE('--limit', 1, 10_000_000)),
  )
    .addHelpText(
      'after',
      `
Reads the archive bucket directly (no query service); without --since or --ids, the last day.

Examples:
  $ happ-webhooks events MyStack --since 3d --type 'call.*' --grep callId=call_123
  $ happ-webhooks events --bucket my-archive --since 2026-06-01T00:00:00Z --until 2026-06-02T00:00:00Z --ndjson`,
    )
    .action((stack: string | undefined, opts) =>
      setAction(async (io) => (await import('./events')).events(stack, opts, io)),
    );

  addAwsOptions(
    addSelectionOptions(
      program
        .command('replay')
        .description(
          "send archived events again to ONE subscriber's queue (to recover from a bug or backfill)",
        )
        .argument('[stack]', 'the CloudFormation stack with the archive and the subscriber'),
    )
      .option('--subscriber <name>', 'with a stack: the subscriber (addSubscriber id) to replay to')
      .option('--to <queue>', 'the destination queue (URL, ARN or name) instead of --subscriber')
      .option('--rate <n>', 'at most this many messages per second', INT_RANGE('--rate', 1, 3000), 50)
      .option('--dry-run', 'show what would be sent, send nothing')
      .option('--replay-id <id>', 'name the replay (default: a hash of the queue and the filters as typed)')
      .option('--checkpoint-dir <dir>', 'where progress is kept (default: ~/.happ-webhooks/replays)')
      .option('--json', 'print one JSON document'),
  )
    .addHelpText(
      'after',
      `
Each event runs once per replay id per subscriber; running the same command again is the same
replay (it resumes an interrupted one and sends nothing once it completed).

Examples:
  $ happ-webhooks replay MyStack --subscriber Crm --since 3d --type 'call.*' --dry-run
  $ happ-webhooks replay MyStack --subscriber Analytics --since 30d --rate 20`,
    )
    .action((stack: string | undefined, opts) =>
      setAction(async (io) => (await import('./replay')).replay(stack, opts, io)),
    );
}

/** `call` and `tools` (issue 13: tool webhooks). */
function addToolCommands(program: CommandType, setAction: (action: Action) => void): void {
  const { Option } = require('commander') as typeof import('commander');
  addSigningOptions(
    program
      .command('call')
      .description('call a tool webhook as Happ does (signed parameters) and print its JSON answer')
      .argument(
        '<url>',
        'the tool URL, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/prod/tools/lookup-order',
      )
      .option('--params <json>', 'the parameters, a JSON object (the body; the query string for GET)', '{}')
      .addOption(
        new Option('--method <method>', 'HTTP method')
          .choices(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])
          .default('POST'),
      )
      .option('--timeout <ms>', 'give up waiting after this long', INT_RANGE('--timeout', 1, 600_000), 30_000)
      .option('--json', 'print one JSON document'),
  )
    .addHelpText(
      'after',
      `
A GET sends the parameters as the query string and signs its canonical form (encodeURIComponent
name=value pairs sorted by encoded name, then value, joined by &); other methods sign the JSON body.

Example:
  $ happ-webhooks call "$URL/tools/lookup-order" --params '{"orderId":"o-1"}' --secret-arn arn:aws:secretsmanager:...`,
    )
    .action((url: string, opts) => setAction(async (io) => (await import('./call')).call(url, opts, io)));

  addAwsOptions(
    program
      .command('tools')
      .description("print a stack's tool definitions; --register creates or updates them in Happ")
      .argument('[stack]', 'the CloudFormation stack with the receiver')
      .option(
        '--outputs-file <file>',
        'read the outputs from `cdk deploy --outputs-file` instead of CloudFormation',
      )
      .option('--register', 'create or update each tool in Happ (needs --assistant and HAPP_ACCESS_TOKEN)')
      .option('--assistant <id>', 'the Happ assistant the tools belong to')
      .option('--dry-run', 'print the requests (token and secret masked); send only the look-ups')
      .option('--api-url <url>', "Happ's API (default: HAPP_API_URL, else https://api.happ.tools)")
      .option(
        '--without-secret',
        'register a tool whose HappToolSecretArn output is missing (unsigned calls fail)',
      )
      .option('--json', 'print JSON'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ happ-webhooks tools MyStack
  $ HAPP_ACCESS_TOKEN=happ_... happ-webhooks tools MyStack --register --assistant asst_123 --dry-run`,
    )
    .action((stack: string | undefined, opts) =>
      setAction(async (io) => (await import('./tools')).tools(stack, opts, io)),
    );
}

/** Builds the program; `setAction` receives the command to run once parsing succeeded. */
export function buildProgram(io: Io, setAction: (action: Action) => void): CommandType {
  const { Command, Option } = require('commander') as typeof import('commander');
  const pc = io.colors;
  const program = new Command('happ-webhooks')
    .description('Test, operate and develop Happ webhook receivers built with cdk-happ-webhooks.')
    .version(packageInfo().version, '-v, --version')
    .option('--no-color', 'disable colours (also NO_COLOR=1)')
    .showHelpAfterError(pc.dim('(add --help for usage)'))
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(pc.red(s)),
    });

  addSigningOptions(
    program
      .command('send')
      .description('sign a body exactly as Happ does and POST it; print status, answer and timing')
      .argument('<url>', 'the endpoint, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/prod/call')
      .addOption(
        new Option('--source <source>', 'chat or call (picks the sample; default: from --event)').choices([
          'chat',
          'call',
        ]),
      )
      .addOption(
        new Option('--event <type>', 'built-in sample to send (see `happ-webhooks samples`)').conflicts([
          'file',
          'data',
        ]),
      )
      .option('--file <path>', "send this file's bytes unchanged (- = stdin)")
      .addOption(new Option('--data <string>', 'send this string as the body').conflicts('file'))
      .option(
        '--repeat <n>',
        'deliveries in total, all the same bytes and signature (a Happ retry)',
        INT_RANGE('--repeat', 1, 1000),
        1,
      )
      .option(
        '--timeout <ms>',
        'give up waiting for an answer after this long',
        INT_RANGE('--timeout', 1, 600_000),
        10_000,
      )
      .option('--json', 'print one JSON document'),
  )
    .addHelpText(
      'after',
      `
Each run builds a new sample (fresh ids); --repeat sends the same delivery again, to see dedupe.
Exit code 0 when every answer was 2xx.

Examples:
  $ happ-webhooks send http://127.0.0.1:8787/call --event call.completed --secret s3cret
  $ happ-webhooks send "$URL/chat" --source chat --secret-arn arn:aws:secretsmanager:...:secret:happ-chat --repeat 2
  $ happ-webhooks send "$URL/call" --file body.json --secret s3cret --json`,
    )
    .action((url: string, opts) => setAction(async (io) => (await import('./send')).send(url, opts, io)));

  addSigningOptions(
    program
      .command('sign')
      .description('print the signature header Happ would send with a body (for curl)')
      .option('--file <path>', 'the body file, signed byte for byte (- = stdin)')
      .addOption(new Option('--data <string>', 'the body as a string').conflicts('file'))
      .option('--json', 'print one JSON document'),
  )
    .addHelpText(
      'after',
      `
Example:
  $ curl -H "$(happ-webhooks sign --file body.json --secret s3cret)" -H 'content-type: application/json' \\
      --data-binary @body.json "$URL/call"`,
    )
    .action((opts) => setAction(async (io) => (await import('./sign')).sign(opts, io)));

  addAwsOptions(
    program
      .command('dlq')
      .description(
        "count and peek at the messages in a subscriber's dead-letter queue, without consuming them",
      )
      .argument('<queue>', 'queue URL, queue ARN, queue name, or the CloudFormation stack holding the DLQs')
      .option(
        '--subscriber <name>',
        'with a stack: the subscriber whose DLQ to show (default: a count for each)',
      )
      .option('--max <n>', 'peek at up to this many messages', INT_RANGE('--max', 0, 1000), 10)
      .option('--force', 'peek even at a queue that has its own DLQ (peeks count as receives)')
      .option('--json', 'print one JSON document'),
  )
    .addHelpText(
      'after',
      `
Messages are received with a 30 s visibility timeout and made visible again at once; each peek
adds one to a message's receive count, as any receive does.

Examples:
  $ happ-webhooks dlq https://sqs.eu-west-1.amazonaws.com/123456789012/MyStack-CrmDeadLetterQueue-AbC
  $ happ-webhooks dlq MyStack --subscriber Crm --max 3 --json`,
    )
    .action((queue: string, opts) => setAction(async (io) => (await import('./dlq')).dlq(queue, opts, io)));

  addAwsOptions(
    program
      .command('redrive')
      .description(
        "move a dead-letter queue's messages back to the subscriber's queue (SQS message move task)",
      )
      .argument('<dlq>', 'DLQ URL, ARN, name, or the CloudFormation stack holding it (with --subscriber)')
      .option('--subscriber <name>', 'with a stack: the subscriber whose DLQ to redrive')
      .option('--to <queue>', 'destination queue (default: the queue whose redrive policy targets the DLQ)')
      .option('--rate <n>', 'at most this many messages per second', INT_RANGE('--rate', 1, 500))
      .option('--dry-run', 'show what would move, move nothing')
      .option('--no-wait', 'start the move and return without following it')
      .option(
        '--manual',
        'move the messages from this process (receive, send, delete) instead of an SQS move task; automatic where SQS has none',
      )
      .addOption(
        new Option('--poll-interval <ms>').argParser(INT_RANGE('--poll-interval', 10, 60_000)).hideHelp(),
      )
      .option('--json', 'print one JSON document'),
  )
    .addHelpText(
      'after',
      `
Exit code 0 when the move task completed (or there was nothing to move).

Examples:
  $ happ-webhooks redrive MyStack --subscriber Crm --dry-run
  $ happ-webhooks redrive https://sqs.eu-west-1.amazonaws.com/123456789012/MyStack-CrmDeadLetterQueue-AbC --rate 10`,
    )
    .action((queue: string, opts) =>
      setAction(async (io) => (await import('./redrive')).redrive(queue, opts, io)),
    );

  addArchiveCommands(program, setAction);

  addAwsOptions(
    program
      .command('rotate-secret')
      .description(
        'rotate a webhook secret with no failed deliveries: old and new both verify until --finish',
      )
      .argument('<secret-arn>', "the receiver's chat or call secret (Secrets Manager ARN or name)")
      .addOption(
        new Option('--source <source>', 'which Happ webhook the secret signs (tool: a tool secret)')
          .choices(['chat', 'call', 'tool'])
          .makeOptionMandatory(),
      )
      .option('--finish', 'remove the previous secret(s), once Happ signs with the new one')
      .option('--json', 'print one JSON document (it contains the new secret)'),
  )
    .addHelpText(
      'after',
      `
The new secret is printed on stdout only; instructions go to stderr.

Examples:
  $ happ-webhooks rotate-secret --source call arn:aws:secretsmanager:eu-west-1:123456789012:secret:HappCallSecret-AbCdEf
  $ happ-webhooks rotate-secret --source call arn:aws:secretsmanager:eu-west-1:123456789012:secret:HappCallSecret-AbCdEf --finish`,
    )
    .action((arn: string, opts) =>
      setAction(async (io) => (await import('./rotate-secret')).rotateSecret(arn, opts, io)),
    );

  addToolCommands(program, setAction);

  program
    .command('dev')
    .description(
      'run the receiver locally: emulators, the built verifier and your handler, printing every event',
    )
    .option(
      '--port <port>',
      'port for POST /chat and /call (0 = any free port)',
      INT_RANGE('--port', 0, 65535),
      8787,
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--handler <file>',
      'your subscriber: a module exporting `handler` (happHandler(...)) or a default per-event function; .ts works',
    )
    .option(
      '--tool <name=file>',
      'serve a tool at /tools/<name>: a module exporting `handler` (happTool(...)) or a function; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--secret <secret>',
      'use this secret for both sources (default: HAPP_WEBHOOK_SECRET, else generated)',
    )
    .option(
      '--max-receive-count <n>',
      'attempts before a failing event goes to the DLQ',
      INT_RANGE('--max-receive-count', 1, 1000),
      5,
    )
    .option(
      '--retry-delay <seconds>',
      'a failed event comes back after this long',
      INT_RANGE('--retry-delay', 0, 900),
      5,
    )
    .option('--full', 'without --handler: print whole payloads (default: a preview of 20 lines)')
    .option(
      '--json',
      'print one JSON object per line (ready, request, event, handled, skipped, failed, stopped)',
    )
    .addOption(
      new Option(
        '--ingress <kind>',
        'the API Gateway to play: rest-api (payload format 1.0 events) or http-api (2.0, HappIngress.httpApi())',
      )
        .choices(['rest-api', 'http-api'])
        .default('rest-api'),
    )
    .addHelpText(
      'after',
      `
Needs the optional packages dynalite and fauxqs:  npm i -D dynalite fauxqs@1.9.2

Examples:
  $ happ-webhooks dev
  $ happ-webhooks dev --handler lambda/crm.ts --port 3000
  $ happ-webhooks dev --ingress http-api
  $ happ-webhooks send http://127.0.0.1:8787/call --secret <the call secret dev printed>`,
    )
    .action((opts) => setAction(async (io) => (await import('./dev')).dev(opts, io)));

  program
    .command('samples')
    .description('list the built-in sample events, or print one sample body')
    .argument('[event]', 'event type to print')
    .option('--json', 'print JSON')
    .action((event: string | undefined, opts) =>
      setAction(async (io) => (await import('./samples-command')).samples(event, opts, io)),
    );

  return program;
}

/** Parses argv (without `node cli.js`), runs the command, returns the exit code. Never throws. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const { CommanderError } = require('commander') as typeof import('commander');
  let action: Action | undefined;
  const program = buildProgram(io, (a) => {
    action = a;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return action ? await action(io) : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      io.err(`${io.colors.red('error:')} ${error.message}\n`);
      return error.exitCode;
    }
    io.err(`${io.colors.red('unexpected error:')} ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}
