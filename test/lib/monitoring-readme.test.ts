// The README's "Alarms" section stays true to the code (its example compiles: test/app/readme.test.ts):
// its tables list every alarm with the severity the code gives it, and its scale table matches a synth.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HappWebhookReceiver } from '../../lib';
import { RECEIVER_ALARMS, SUBSCRIBER_ALARMS } from '../../lib/private/monitoring-catalog';

const root = join(__dirname, '..', '..');

function alarmsSection(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Alarms\n');
  if (start === -1) throw new Error('README.md has no "## Alarms" section');
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next === -1 ? undefined : next);
}

/** Rows of the markdown table whose header starts with `firstHeader`, as trimmed cells. */
function table(section: string, firstHeader: string): string[][] {
  const lines = section.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader}`));
  expect(start).toBeGreaterThan(-1);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('README "Alarms" section', () => {
  it('lists every receiver alarm, and the composite, with the severity the code gives it', () => {
    const rows = table(alarmsSection(), '`receiver.alarms.…`');
    const bySeverity = new Map(rows.map((r) => [r[0].match(/^`(\w+)`/)![1], r[3]]));
    for (const [name, entry] of Object.entries(RECEIVER_ALARMS))
      expect(bySeverity.get(name)).toBe(entry.severity);
    expect(bySeverity.get('page')).toBe('page');
    expect(bySeverity.size).toBe(Object.keys(RECEIVER_ALARMS).length + 1);
  });

  it('lists every subscriber alarm with the severity the code gives it', () => {
    const rows = table(alarmsSection(), '`subscriber.alarms.…`');
    const bySeverity = new Map(rows.map((r) => [r[0].replace(/`/g, ''), r[3]]));
    expect(Object.fromEntries(bySeverity)).toEqual(
      Object.fromEntries(Object.entries(SUBSCRIBER_ALARMS).map(([name, e]) => [name, e.severity])),
    );
  });

  describe('scale table', () => {
    const outdirs: string[] = [];
    afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

    function measure(n: number): { resources: number; kilobytes: number } {
      const outdir = mkdtempSync(join(tmpdir(), 'happ-readme-scale-'));
      outdirs.push(outdir);
      const app = new App({ outdir, builtinCloudFormationValidation: false });
      const stack = new Stack(app, 'Scale');
      const receiver = new HappWebhookReceiver(stack, 'Happ', { dashboard: true });
      for (let i = 0; i < n; i++) {
        const fn = new lambda.Function(stack, `Fn${i}`, {
          code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
          handler: 'index.handler',
          runtime: lambda.Runtime.NODEJS_24_X,
        });
        receiver.addSubscriber(`Subscriber${i}`, fn, { events: [`event.${i}`] });
      }
      const assembly = app.synth();
      const text = readFileSync(join(assembly.directory, assembly.getStackByName('Scale').templateFile));
      return {
        resources: Object.keys(JSON.parse(text.toString()).Resources).length,
        kilobytes: text.length / 1000,
      };
    }

    it('states the resources and bytes a synth produces (resources exactly, KB within 1 KB)', () => {
      const rows = table(alarmsSection(), 'subscribers');
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const [subscribers, resources, bytes] of rows) {
        const n = Number(subscribers.split(' ')[0]);
        const measured = measure(n);
        expect({ n, resources: Number(resources) }).toEqual({ n, resources: measured.resources });
        expect(Math.abs(Number(bytes.replace(' KB', '')) - measured.kilobytes)).toBeLessThanOrEqual(1);
      }
    });
  });
});
