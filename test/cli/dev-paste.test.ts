// Every command `dev` prints, pasted into "a second terminal": each printed line is run as it
// stands with `sh -c`, in an environment with no AWS variables at all (no credentials, no region,
// no endpoints), from the directory dev was started in. The hints those commands print (dlq's
// redrive line, rotate-secret's --finish line) are run the same way. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliInvocation, commandLine, shellQuote } from '../../bin/cli/pasteable';
import { bareEnv, HumanDev } from './support/human-dev';
import { BUILT_CLI } from './support/run-cli';

const ROOT = join(__dirname, '..', '..');
jest.setTimeout(180_000);

function sh(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (process.env.H14_DEBUG) process.stderr.write(`${new Date().toISOString()} sh ${line}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { cwd: ROOT, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the commands dev prints', () => {
  let dev: HumanDev;
  let calls: string;
  afterAll(async () => {
    await dev?.stop();
  });

  it('each run as printed: send, dlq (and its redrive hint), redrive, rotate-secret (and its --finish hint)', async () => {
    calls = join(mkdtempSync(join(tmpdir(), 'happ-paste-')), 'calls.txt');
    dev = new HumanDev(
      ROOT,
      [
        '--handler',
        'test/cli/fixtures/recording-handler.ts',
        '--max-receive-count',
        '1',
        '--retry-delay',
        '0',
      ],
      { DEV_TEST_CALLS_FILE: calls },
    );
    await dev.waitFor(/Ctrl-C to stop\./, 'its banner');
    const printed = (label: string) => {
      const m = dev.text.match(new RegExp(`^  ${label}:\\s+(.+)$`, 'm'));
      if (!m) throw new Error(`no "${label}:" line in:\n${dev.text}`);
      return m[1]!;
    };
    const lines = {
      send: printed('Try'),
      dlq: printed('DLQ'),
      redrive: printed('redrive'),
      rotate: printed('rotate'),
    };
    // The CLI as it was started here, credentials for the emulators, the region and the endpoints.
    for (const line of Object.values(lines)) expect(line).toMatch(/node dist\/bin\/cli\.js /);
    for (const line of [lines.dlq, lines.redrive, lines.rotate]) {
      expect(line).toMatch(
        /^AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_ENDPOINT_URL_\w+=http:\/\/127\.0\.0\.1:\d+ /,
      );
      expect(line).toMatch(/ --region us-east-1$/);
    }
    // The secrets' names and ARNs are printed, and the rotate line points at the call secret's ARN.
    const callArn = dev.text.match(
      /^\s+happ-dev\/call (arn:aws:secretsmanager:us-east-1:\d{12}:secret:happ-dev\/call-\w+)$/m,
    )?.[1];
    expect(callArn).toBeDefined();
    expect(lines.rotate).toContain(callArn);

    // Try: a signed call.completed, accepted and handled.
    const sent = await sh(lines.send);
    expect(sent.stdout).toMatch(/#1 {2}202 Accepted/);
    expect(sent.code).toBe(0);
    await dev.waitFor(/handled {5}call\.completed/, 'the handled line');

    // A failing event (max-receive-count 1) ends in the DLQ; the DLQ line shows it.
    const callUrl = dev.text.match(/POST (http:\/\/127\.0\.0\.1:\d+\/call)/)![1]!;
    const callSecret = dev.text.match(/POST http:\/\/127\.0\.0\.1:\d+\/call {3}secret (\S+)/)![1]!;
    const failing = await sh(
      commandLine(
        ['send', callUrl, '--data', '{"event":"call.completed","fail":true}', '--secret', callSecret],
        {
          cli: `node ${BUILT_CLI}`,
        },
      ),
    );
    expect(failing.code).toBe(0);
    await dev.waitFor(/→ dead-letter queue happ-dev-subscriber-dlq/, 'the dead-letter line');
    let peek = await sh(lines.dlq);
    for (let i = 0; i < 40 && !/^ {2}1 message waiting/m.test(peek.stdout); i++) {
      // SQS moves the message on the receive after its last attempt; dev keeps polling.
      await new Promise((r) => setTimeout(r, 250));
      peek = await sh(lines.dlq);
    }
    expect(peek.stderr).toBe('');
    expect(peek.code).toBe(0);
    expect(peek.stdout).toMatch(/^ {2}1 message waiting/m);
    // With --max-receive-count 1: 1 attempt + the receive on which SQS moved it + this peek, explained.
    expect(peek.stdout).toMatch(/ received 3× /);
    expect(peek.stdout).toMatch(
      /Receive counts include the subscriber queue's: .*the receive that moved it.*each peek adds one/,
    );

    // dlq's own hint, pasted: the message goes back, fails again (once more to the DLQ).
    const hint = peek.stdout.match(/Move them back to the subscriber's queue: (.+)$/m)![1]!;
    const before = dev.text.length;
    const hinted = await sh(hint);
    expect(hinted.stdout).toMatch(/✔ moved 1 message to happ-dev-subscriber/);
    expect(hinted.code).toBe(0);
    await dev.waitFor(/→ dead-letter queue happ-dev-subscriber-dlq/, 'the second dead-letter line', before);

    // dev's redrive line, pasted (waits for SQS to have moved it to the DLQ first).
    let redriven = await sh(lines.redrive);
    for (let i = 0; i < 40 && !/✔ moved 1 message/.test(redriven.stdout); i++) {
      await new Promise((r) => setTimeout(r, 250));
      redriven = await sh(lines.redrive);
    }
    expect(redriven.stdout).toMatch(/✔ moved 1 message to happ-dev-subscriber/);
    expect(redriven.code).toBe(0);

    // rotate: a new current secret on stdout, then its --finish hint, pasted.
    const rotated = await sh(lines.rotate);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const finish = rotated.stderr.match(/^ {2}(.*rotate-secret .* --finish.*)$/m)![1]!;
    expect(finish).toMatch(/ --region us-east-1/);
    const finished = await sh(finish);
    expect(finished.stderr).toMatch(
      /✔ finished: only the current secret verifies now \(1 previous removed\)/,
    );
    expect(finished.code).toBe(0);

    // The start-up secret no longer verifies, and dev says so instead of pointing "above".
    const at = dev.text.length;
    const stale = await sh(
      commandLine(['send', callUrl, '--event', 'call.completed', '--secret', callSecret], {
        cli: `node ${BUILT_CLI}`,
      }),
    );
    expect(stale.code).toBe(1);
    const rejected = await dev.waitFor(/401 rejected {3}(.*)$/m, 'the rejection', at);
    expect(rejected[1]).toContain(`rotated since start: current ${fresh}`);
    expect(rejected[1]).not.toMatch(/shown above/);
    const ok = await sh(
      commandLine(['send', callUrl, '--event', 'call.completed', '--secret', fresh], {
        cli: `node ${BUILT_CLI}`,
      }),
    );
    expect(ok.code).toBe(0);
    expect(existsSync(calls) && readFileSync(calls, 'utf8').length).toBeTruthy();
    await dev.stop();
  });
});

describe('cliInvocation and commandLine', () => {
  it('prints npx happ-webhooks under npx / npm exec and from an installed package, node <path> from a clone', () => {
    expect(
      cliInvocation({ npm_command: 'exec' }, '/work/app/node_modules/.bin/happ-webhooks', '/work/app'),
    ).toBe('npx happ-webhooks');
    expect(cliInvocation({}, '/work/app/node_modules/cdk-happ-webhooks/dist/bin/cli.js', '/work/app')).toBe(
      'npx happ-webhooks',
    );
    expect(cliInvocation({}, '/usr/lib/node_modules/cdk-happ-webhooks/dist/bin/cli.js', '/work/app')).toBe(
      'npx happ-webhooks',
    );
    expect(cliInvocation({}, '/work/repo/dist/bin/cli.js', '/work/repo')).toBe('node dist/bin/cli.js');
  });

  it('quotes only the words a POSIX shell needs quoted', () => {
    expect(shellQuote('http://127.0.0.1:1/call')).toBe('http://127.0.0.1:1/call');
    expect(shellQuote('{"event":"x"}')).toBe(`'{"event":"x"}'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(commandLine(['dlq', 'q'], { env: { A: 'b c', B: undefined }, cli: 'npx happ-webhooks' })).toBe(
      "A='b c' npx happ-webhooks dlq q",
    );
  });
});
