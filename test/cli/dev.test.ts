import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevProcess, processExists } from './support/dev-process';
import { runCli, spawnBuiltCli } from './support/run-cli';

// `happ-webhooks dev` as a user runs it: the BUILT CLI in its own process (npm test builds first),
// driven with the CLI's own `send`. Each test stops what it started; afterEach kills leftovers.
const ROOT = join(__dirname, '..', '..');
const SECRET = 'dev-test-secret';
const started: DevProcess[] = [];
afterEach(() => {
  for (const p of started.splice(0)) p.kill();
});

function startDev(args: string[], env: Record<string, string | undefined> = {}): DevProcess {
  const p = new DevProcess(args, env);
  started.push(p);
  return p;
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('happ-webhooks dev', () => {
  it('accepts a signed event, runs the handler once, answers the same delivery as a duplicate, and stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'happ-dev-'));
    const callsFile = join(dir, 'calls.txt');
    const dev = startDev(['--handler', 'test/cli/fixtures/recording-handler.ts', '--secret', SECRET], {
      DEV_TEST_CALLS_FILE: callsFile,
    });
    const ready = await dev.ready();
    const call = ready.call as { url: string; secret: string };
    expect(call).toEqual({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/call$/),
      secret: SECRET,
      secretArn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      secretName: 'happ-dev/call',
    });

    const body = join(dir, 'body.json');
    writeFileSync(body, JSON.stringify({ event: 'call.completed', callId: 'call_dev_1', duration: 252 }));
    const first = await runCli(['send', call.url, '--file', body, '--secret', SECRET, '--json']);
    expect(JSON.parse(first.stdout).responses[0].status).toBe(202);
    const id = JSON.parse(first.stdout).responses[0].json.id as string;
    await dev.waitFor((e) => e.kind === 'handled' && e.id === id, 'the first event handled');

    const again = await runCli(['send', call.url, '--file', body, '--secret', SECRET, '--json']);
    expect(JSON.parse(again.stdout).responses[0]).toMatchObject({
      status: 200,
      json: { status: 'duplicate', id },
    });
    await dev.waitFor(
      (e) => e.kind === 'request' && e.outcome === 'duplicate' && e.id === id,
      'the duplicate',
    );

    // A later, different event is handled too; the duplicate never reached the handler.
    const other = await runCli(['send', call.url, '--event', 'call.started', '--secret', SECRET, '--json']);
    const otherId = JSON.parse(other.stdout).responses[0].json.id as string;
    await dev.waitFor((e) => e.kind === 'handled' && e.id === otherId, 'the second event handled');
    expect(lines(callsFile)).toEqual([`${id} call.completed`, `${otherId} call.started`]);
    expect(dev.events.filter((e) => e.kind === 'request').map((e) => e.outcome)).toEqual([
      'accepted',
      'duplicate',
      'accepted',
    ]);

    const endpoints = ready.endpoints as Record<string, string>;
    const exit = await dev.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(dev.events.at(-1)!.kind).toBe('stopped');
    expect(processExists(dev.pid)).toBe(false);
    for (const url of [call.url, endpoints.dynamodb, endpoints.sqs, endpoints.secretsManager]) {
      expect(await portOpen(url)).toBe(false);
    }
  });

  it('--ingress http-api: the same loop on HTTP API events (payload format 2.0)', async () => {
    const dev = startDev(['--ingress', 'http-api', '--secret', SECRET]);
    const ready = await dev.ready();
    expect(ready.ingress).toBe('http-api');
    const chat = (ready.chat as { url: string }).url;
    const first = await runCli([
      'send',
      chat,
      '--event',
      'chat.message.received',
      '--secret',
      SECRET,
      '--json',
    ]);
    const response = JSON.parse(first.stdout).responses[0];
    expect(response.status).toBe(202);
    await dev.waitFor(
      (e) => e.kind === 'event' && (e.event as { id?: string }).id === response.json.id,
      'the event printed',
    );
    const wrong = await runCli(['send', chat, '--secret', 'not-the-secret']);
    expect(wrong.code).toBe(1);
    await dev.waitFor(
      (e) => e.kind === 'request' && e.status === 401 && e.reason === 'mismatch',
      'a mismatch',
    );
    // No route matches: HTTP API answers 404 itself (its body, not the verifier's "not found").
    const base = chat.replace(/\/chat$/, '');
    const nope = await fetch(`${base}/nope`, { method: 'POST', body: '{}' });
    expect(nope.status).toBe(404);
    expect(await nope.json()).toEqual({ message: 'Not Found' });
    expect((await dev.stop()).code).toBe(0);
  });

  it('refuses an --ingress it does not know', async () => {
    const result = await runCli(['dev', '--ingress', 'function-url']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--ingress.*function-url.*Allowed choices are rest-api, http-api/s);
  });

  it('says why a delivery is rejected', async () => {
    const dev = startDev(['--secret', SECRET]);
    const ready = await dev.ready();
    const chat = (ready.chat as { url: string }).url;
    const wrong = await runCli(['send', chat, '--secret', 'not-the-secret']);
    expect(wrong.code).toBe(1);
    await dev.waitFor(
      (e) => e.kind === 'request' && e.status === 401 && e.reason === 'mismatch',
      'a mismatch',
    );
    const res = await fetch(chat, { method: 'POST', body: '{"event":"chat.message.sent"}' });
    expect(res.status).toBe(401);
    await dev.waitFor(
      (e) => e.kind === 'request' && e.status === 401 && e.reason === 'missing',
      'a missing signature',
    );
    await dev.stop();
  });

  it('prints each event when no handler is given, with generated secrets', async () => {
    const dev = startDev([], { HAPP_WEBHOOK_SECRET: undefined });
    const ready = await dev.ready();
    const call = ready.call as { url: string; secret: string };
    const chat = ready.chat as { secret: string };
    expect(call.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(chat.secret).not.toBe(call.secret);
    const sent = await runCli([
      'send',
      call.url,
      '--event',
      'call.recording.available',
      '--secret',
      call.secret,
      '--json',
    ]);
    const id = JSON.parse(sent.stdout).responses[0].json.id;
    const printed = await dev.waitFor((e) => e.kind === 'event', 'the printed event');
    expect(printed.event).toMatchObject({
      id,
      type: 'call.recording.available',
      source: 'call',
      payloadFormat: 'json',
    });
    expect((printed.event as { payload: { event: string } }).payload.event).toBe('call.recording.available');
    await dev.waitFor((e) => e.kind === 'handled' && e.id === id, 'handled');
    await dev.stop();
  });

  it('reports a failing handler with its error, retries, and dead-letters it after --max-receive-count', async () => {
    const dev = startDev([
      '--handler',
      'test/cli/fixtures/per-event-function.js',
      '--secret',
      SECRET,
      '--max-receive-count',
      '1',
      '--retry-delay',
      '0',
    ]);
    const ready = await dev.ready();
    const call = (ready.call as { url: string }).url;
    const sent = await runCli([
      'send',
      call,
      '--data',
      '{"event":"call.started","fail":true}',
      '--secret',
      SECRET,
      '--json',
    ]);
    const id = JSON.parse(sent.stdout).responses[0].json.id;
    const failed = await dev.waitFor((e) => e.kind === 'failed' && e.id === id, 'the failure');
    expect(failed).toMatchObject({
      attempt: 1,
      error: 'Error: cannot handle call.started',
      deadLettered: true,
    });

    // The DLQ really holds it: the CLI's own dlq command, pointed at dev's local SQS.
    const resources = ready.resources as { deadLetterQueueUrl: string };
    const endpoints = ready.endpoints as { sqs: string };
    let peek: { approximateMessages: number; messages: { envelope?: { id: string } }[] } = {
      approximateMessages: 0,
      messages: [],
    };
    for (let i = 0; i < 40 && peek.approximateMessages === 0; i++) {
      // SQS moves the message on the receive after its last attempt; dev keeps polling.
      const r = await runCli(['dlq', resources.deadLetterQueueUrl, '--json'], {
        env: { AWS_ENDPOINT_URL_SQS: endpoints.sqs },
      });
      expect(r.stderr).toBe('');
      peek = JSON.parse(r.stdout);
      if (peek.approximateMessages === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(peek.messages.map((m) => m.envelope?.id)).toEqual([id]);
    await dev.stop();
  });

  it('runs an ES module handler map, skipping event types it has no function for', async () => {
    const dev = startDev(['--handler', 'test/cli/fixtures/event-map.mjs', '--secret', SECRET]);
    const call = ((await dev.ready()).call as { url: string }).url;
    const routed = await runCli(['send', call, '--event', 'call.completed', '--secret', SECRET, '--json']);
    const unrouted = await runCli(['send', call, '--event', 'call.started', '--secret', SECRET, '--json']);
    const [routedId, unroutedId] = [routed, unrouted].map((r) => JSON.parse(r.stdout).responses[0].json.id);
    await dev.waitFor((e) => e.kind === 'handled' && e.id === routedId, 'the routed event handled');
    await dev.waitFor(
      (e) => e.kind === 'skipped' && e.id === unroutedId && e.reason === 'no-function',
      'the unrouted event skipped',
    );
    await dev.stop();
  });

  it('fails clearly on a handler file that does not exist', async () => {
    const dev = startDev(['--handler', 'no/such/handler.ts']);
    const exit = await dev.exit();
    expect(exit.code).toBe(1);
    expect(dev.lines.join('\n')).toMatch(/--handler no\/such\/handler.ts: no such file/);
  });

  it('fails clearly when the port is taken', async () => {
    const first = startDev(['--secret', SECRET]);
    const port = new URL(((await first.ready()).call as { url: string }).url).port;
    const second = new DevProcess(['--port', port]);
    started.push(second);
    const exit = await second.exit();
    expect(exit.code).toBe(1);
    expect(second.lines.join('\n')).toMatch(
      new RegExp(`port ${port} on 127.0.0.1 is already in use: pass --port`),
    );
    await first.stop();
  });

  it('names the optional packages to install when dynalite and fauxqs are missing', async () => {
    // An install of this package without its optional peers: dist/ and package.json, and every
    // dependency except dynalite and fauxqs.
    const dir = mkdtempSync(join(tmpdir(), 'happ-noemu-'));
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    mkdirSync(join(dir, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name === 'dynalite' || name === 'fauxqs' || name === '.bin') continue;
      symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
    }
    const result = await spawnBuiltCli(['dev'], { cwd: dir, cli: join(dir, 'dist', 'bin', 'cli.js') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/optional packages that are not installed \(dynalite, fauxqs\)/);
    expect(result.stderr).toMatch(/npm i -D dynalite fauxqs@1\.9\.2/);
  });
});
