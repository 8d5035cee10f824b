// The construct examples of the README ("Usage", "Architecture", "What you get") compile against the
// library's real types, strict as tsconfig.json, so the README cannot drift from the API. Each ```ts
// block is a complete module, type-checked as it stands (the blocks are not kept anywhere else).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');
const SECTIONS = ['## Usage', '## Architecture', '## What you get'];

function sectionExamples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return SECTIONS.flatMap((heading) => {
    const start = readme.indexOf(`\n${heading}\n`);
    if (start === -1) throw new Error(`README.md has no "${heading}" section`);
    const next = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, next === -1 ? undefined : next);
    return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  });
}

/** Type errors of each snippet, compiled as a module under test/ with the package's tsconfig paths. */
function typeErrors(snippets: string[]): string[] {
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
  const files = new Map(
    snippets.map((code, i) => [join(root, 'test', `readme-construct-example-${i}.ts`), code]),
  );
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.getSourceFile = (f, lang, ...rest) =>
    files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang, true) : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([...files.keys()], { ...config.options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.has(d.file.fileName))
    .map((d) => `${d.file!.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('README construct examples', () => {
  it('exist: the shortest app and the existing-stack example', () => {
    const examples = sectionExamples();
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples[0]).toMatch(/new HappWebhookReceiver\(stack, 'Happ'\)/);
    expect(examples.some((e) => /extends Stack/.test(e) && /addSubscriber/.test(e))).toBe(true);
  });

  it('compile, and a wrong prop would not (the check can fail)', () => {
    const broken = [
      "import { App, Stack } from 'aws-cdk-lib';",
      "import { HappWebhookReceiver } from 'cdk-happ-webhooks';",
      "new HappWebhookReceiver(new Stack(new App(), 'S'), 'Happ', { enableChats: false });",
    ].join('\n');
    const errors = typeErrors([...sectionExamples(), broken]);
    const brokenFile = `readme-construct-example-${sectionExamples().length}.ts`;
    expect(errors.filter((e) => !e.includes(brokenFile))).toEqual([]);
    expect(errors.some((e) => e.includes(brokenFile) && e.includes("'enableChats' does not exist"))).toBe(
      true,
    );
  });
});
