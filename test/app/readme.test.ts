// Every ```ts example in the README compiles against the library's real types (strict, as
// tsconfig.json, with the package's `cdk-happ-webhooks` and `cdk-happ-webhooks/runtime` paths), so
// the README cannot drift from the API. Each block is a complete module, type-checked as it stands
// (the blocks are not kept anywhere else). All blocks and a deliberately broken module go through
// ONE TypeScript program: loading aws-cdk-lib's types once is most of the cost.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README.md has no "${heading}" section`);
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next === -1 ? undefined : next);
}

function tsBlocks(text: string): string[] {
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * Type errors per file, for modules compiled under test/ with the package's tsconfig. In a child
 * process (support/typecheck.cjs says why).
 */
function typeErrors(files: Map<string, string>): Map<string, string[]> {
  const run = spawnSync(process.execPath, [join(__dirname, 'support', 'typecheck.cjs')], {
    input: JSON.stringify({ files: Object.fromEntries(files) }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the type-check failed to run:\n${run.stderr}`);
  return new Map(Object.entries(JSON.parse(run.stdout) as Record<string, string[]>));
}

describe('README examples', () => {
  it('exist where a reader looks for them', () => {
    const usage = tsBlocks(section('## Usage'));
    expect(usage[0]).toMatch(/new HappWebhookReceiver\(stack, 'Happ'\)/);
    expect(usage.some((e) => /extends Stack/.test(e) && /addSubscriber/.test(e))).toBe(true);
    expect(tsBlocks(section('## Writing a handler')).length).toBeGreaterThanOrEqual(2);
    expect(tsBlocks(section('## Writing a handler')).join('\n')).toMatch(/from 'cdk-happ-webhooks\/runtime'/);
    expect(tsBlocks(section('## Alarms')).join('\n')).toMatch(/alarmEmail:/);
  });

  it('all compile, and wrong ones would not (the check can fail)', () => {
    const examples = tsBlocks(readme);
    const files = new Map(examples.map((code, i) => [join(root, 'test', `readme-example-${i}.ts`), code]));
    const brokenConstruct = join(root, 'test', 'readme-broken-construct.ts');
    files.set(
      brokenConstruct,
      [
        "import { App, Stack } from 'aws-cdk-lib';",
        "import { HappWebhookReceiver } from 'cdk-happ-webhooks';",
        "new HappWebhookReceiver(new Stack(new App(), 'S'), 'Happ', { enableChats: false });",
      ].join('\n'),
    );
    const brokenHandler = join(root, 'test', 'readme-broken-handler.ts');
    files.set(
      brokenHandler,
      [
        "import { happHandler } from 'cdk-happ-webhooks/runtime';",
        'export const handler = happHandler(async (event) => event.payloadd);',
      ].join('\n'),
    );

    const errors = typeErrors(files);
    const exampleErrors = [...errors].filter(([f]) => f !== brokenConstruct && f !== brokenHandler);
    expect(exampleErrors.filter(([, e]) => e.length > 0)).toEqual([]);
    expect(exampleErrors.length).toBeGreaterThanOrEqual(5);
    expect(errors.get(brokenConstruct)!.join('\n')).toMatch(/'enableChats' does not exist/);
    expect(errors.get(brokenHandler)!.join('\n')).toMatch(/'payloadd' does not exist/);
  });
});
