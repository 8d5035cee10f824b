// What `dev` prints for each event, read as a person reads it (human mode, no colours): payload
// previews, `--full`, binary bodies, API Gateway's own 413, and causal order. Needs `npm run build`.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { payloadText, PREVIEW_CHARS, PREVIEW_LINES } from '../../bin/cli/dev/preview';
import { HumanDev } from './support/human-dev';
import { spawnBuiltCli } from './support/run-cli';

const ROOT = join(__dirname, '..', '..');
const SECRET = 'dev-output-secret';
jest.setTimeout(120_000);

describe('payloadText', () => {
  it('shows small payloads whole', () => {
    expect(payloadText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(payloadText('plain text')).toBe('plain text');
  });

  it(`cuts a long payload to ${PREVIEW_LINES} lines and says how much was left out; full shows everything`, () => {
    const payload = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const preview = payloadText(payload);
    expect(preview.split('\n')).toHaveLength(PREVIEW_LINES + 1);
    expect(preview).toMatch(/… 82 more lines, \d+ bytes in all \(--full prints everything\)$/);
    expect(payloadText(payload, true)).toBe(JSON.stringify(payload, null, 2));
  });

  it(`cuts a 300 KB single line to ${PREVIEW_CHARS} characters`, () => {
    const text = 'x'.repeat(300_000);
    const preview = payloadText(text);
    expect(preview.length).toBeLessThan(PREVIEW_CHARS + 100);
    expect(preview).toMatch(/… 298000 more characters, 300000 bytes in all \(--full prints everything\)$/);
  });

  it('shows a binary payload as its size and SHA-256 (and base64 with full), never byte by byte', () => {
    const bytes = randomBytes(5000);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(payloadText(bytes)).toBe(`<binary payload: 5000 bytes, sha256 ${sha}>`);
    expect(payloadText(bytes, true)).toBe(
      `<binary payload: 5000 bytes, sha256 ${sha}>\nbase64 ${bytes.toString('base64')}`,
    );
  });
});

describe('dev output', () => {
  const started: HumanDev[] = [];
  afterEach(async () => {
    for (const d of started.splice(0)) await d.stop();
  });
  const startDev = async (args: string[]) => {
    const dev = new HumanDev(ROOT, ['--secret', SECRET, ...args]);
    started.push(dev);
    await dev.waitFor(/Ctrl-C to stop\./, 'its banner');
    const url = dev.text.match(/POST (http:\/\/127\.0\.0\.1:\d+)\/call/)![1]!;
    return { dev, url };
  };
  const dir = mkdtempSync(join(tmpdir(), 'happ-dev-output-'));
  const send = (url: string, args: string[]) => spawnBuiltCli(['send', url, '--secret', SECRET, ...args]);

  it('previews a 300 KB payload, shows a binary one as size and hash, and prints the 202 before the event', async () => {
    const { dev, url } = await startDev([]);
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ event: 'call.completed', transcript: 'word '.repeat(60_000) }));
    expect((await send(`${url}/call`, ['--file', big])).code).toBe(0);
    const shown = await dev.waitFor(
      /event {7}call\.completed \(call\) {2}id (\S+)\n([\s\S]*?--full prints everything\))/,
      'the big event',
    );
    expect(shown[2]!.length).toBeLessThan(PREVIEW_CHARS + 200);

    const bin = join(dir, 'body.bin');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), randomBytes(3000)]);
    writeFileSync(bin, bytes);
    const at = dev.text.length;
    expect((await send(`${url}/call`, ['--file', bin])).code).toBe(0);
    const sha = createHash('sha256').update(bytes).digest('hex');
    await dev.waitFor(
      new RegExp(`<binary payload: ${bytes.length} bytes, sha256 ${sha}>`),
      'the binary summary',
      at,
    );

    // Causal order: for every event, its request line comes before its event line.
    const ids = [...dev.text.matchAll(/event {7}\S+ \(\w+\) {2}id (\S+)/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const request = dev.text.search(new RegExp(`202 accepted .* id ${id}`));
      expect(request).toBeGreaterThanOrEqual(0);
      expect(request).toBeLessThan(dev.text.search(new RegExp(`event {7}\\S+ \\(\\w+\\) {2}id ${id}`)));
    }
  });

  it('--full prints the whole payload', async () => {
    const { dev, url } = await startDev(['--full']);
    const big = join(dir, 'full.json');
    const transcript = 'word '.repeat(10_000);
    writeFileSync(big, JSON.stringify({ event: 'call.completed', transcript }));
    expect((await send(`${url}/call`, ['--file', big])).code).toBe(0);
    await dev.waitFor(/"transcript": "(word ){9999}word "/, 'the whole transcript');
    expect(dev.text).not.toMatch(/--full prints everything/);
  });

  it("prints a skipped event after its 202, and API Gateway's 413 as a readable line", async () => {
    const { dev, url } = await startDev(['--handler', 'test/cli/fixtures/event-map.mjs']);
    const sent = await send(`${url}/call`, ['--event', 'call.started', '--json']);
    const id = (JSON.parse(sent.stdout) as { responses: Array<{ json: { id: string } }> }).responses[0]!.json
      .id;
    await dev.waitFor(new RegExp(`skipped {5}call\\.started {2}id ${id}`), 'the skipped line');
    expect(dev.text.search(new RegExp(`202 accepted .*id ${id}`))).toBeLessThan(
      dev.text.search(new RegExp(`skipped {5}call\\.started {2}id ${id}`)),
    );

    const huge = join(dir, 'huge.bin');
    writeFileSync(huge, Buffer.alloc(10 * 1024 * 1024 + 1, 0x61));
    const answer = await send(`${url}/call`, ['--file', huge]);
    expect(answer.code).toBe(1);
    const line = await dev.waitFor(/POST \/call {2}(413 .*)$/m, 'the 413 line');
    expect(line[1]).toMatch(
      /^413 too large {2}10485761 bytes: over API Gateway's 10 MB request limit \(the verifier never ran\)/,
    );
    expect(line[1]).not.toMatch(/413 413|Request Too Long/);
  });
});
