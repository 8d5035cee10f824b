// Every ```ts example in the README compiles against the library's real types (strict, as
// tsconfig.json, with the package's `cdk-happ-webhooks` and `cdk-happ-webhooks/runtime` paths), so
// the README cannot drift from the API. Each block is a complete module, type-checked as it stands
// (the blocks are not kept anywhere else). All blocks and a deliberately broken module go through
// ONE TypeScript program: loading aws-cdk-lib's types once is most of the cost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

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

/** Type errors per file, for modules compiled under test/ with the package's tsconfig. */
function typeErrors(files: Map<string, string>): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.getSourceFile = (f, lang, ...rest) =>
    files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang, true) : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([...files.keys()], { ...config.options, noEmit: true }, host);
  const errors = new Map<string, string[]>([...files.keys()].map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.file && errors.has(d.file.fileName)) {
      errors.get(d.file.fileName)!.push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    }
  }
  return errors;
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
