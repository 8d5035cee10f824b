// The example app's subscriber, as bundled by `npm run build` (dist/lambda/example/index.js), run
// in a plain Node process like Lambda: it handles a batch through the runtime helper, once per event.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { batchOf, createIdempotencyTable, envelope, unique } from './factories';

const bundle = join(__dirname, '..', '..', '..', 'dist', 'lambda', 'example', 'index.js');
const runner = join(__dirname, 'run-bundle.cjs');

async function runBundle(events: unknown[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'happ-example-'));
  try {
    const file = join(dir, 'events.json');
    writeFileSync(file, JSON.stringify(events));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [runner, bundle, file], {
      env: { ...process.env, ...env },
    });
    const lines = `${stdout}\n${stderr}`.split('\n');
    return {
      results: lines.filter((l) => l.startsWith('@@result ')).map((l) => JSON.parse(l.slice(9))),
      logs: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('example subscriber bundle', () => {
  it('is built', () => {
    expect(existsSync(bundle)).toBe(true);
  });

  it('handles a batch once per event with the environment addSubscriber sets', async () => {
    const table = await createIdempotencyTable();
    const call = envelope();
    const chat = envelope({ source: 'chat', type: 'chat.message.received', payload: { text: 'hello' } });
    const { results, logs } = await runBundle([batchOf(call, chat), batchOf(call)], {
      HAPP_TABLE_NAME: table,
      HAPP_SUBSCRIBER_NAME: unique('Example'),
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    expect(results).toEqual([
      { ok: true, value: { batchItemFailures: [] } },
      { ok: true, value: { batchItemFailures: [] } },
    ]);
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'call completed', durationSeconds: 252, happEventId: call.id }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'customer message received', happEventId: chat.id }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/duplicate delivery skipped/),
        happEventId: call.id,
      }),
    );
    expect(JSON.stringify(logs)).not.toContain('hello');
  });

  it('fails every record, naming the variable, when HAPP_TABLE_NAME is missing', async () => {
    const { results, logs } = await runBundle([batchOf(envelope())], {
      HAPP_TABLE_NAME: '',
      HAPP_SUBSCRIBER_NAME: 'Example',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    expect(results).toEqual([{ ok: false, error: expect.stringMatching(/HAPP_TABLE_NAME is not set/) }]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', records: 1 }));
  });
});
