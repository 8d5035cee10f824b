// Type-checks in-memory modules with the repository's tsconfig.json and prints each file's errors
// as JSON: `{ "files": { "<path>": "<code>" } }` on stdin, `{ "<path>": ["message", ...] }` on stdout.
// It runs in its own process (test/app/readme.test.ts spawns it): the TypeScript program holds
// aws-cdk-lib's types (~700 MB of heap), and a Jest worker holding that much could not exit within
// Jest's 500 ms grace at the end of a run ("A worker process has failed to exit gracefully").
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const ts = require('typescript');

const root = join(__dirname, '..', '..', '..');
const files = new Map(Object.entries(JSON.parse(readFileSync(0, 'utf8')).files));
const config = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const host = ts.createCompilerHost(config.options);
const readFile = host.readFile.bind(host);
const getSourceFile = host.getSourceFile.bind(host);
host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
host.readFile = (f) => files.get(f) ?? readFile(f);
host.getSourceFile = (f, lang, ...rest) =>
  files.has(f) ? ts.createSourceFile(f, files.get(f), lang, true) : getSourceFile(f, lang, ...rest);
const program = ts.createProgram([...files.keys()], { ...config.options, noEmit: true }, host);
const errors = Object.fromEntries([...files.keys()].map((f) => [f, []]));
for (const d of ts.getPreEmitDiagnostics(program)) {
  if (d.file && errors[d.file.fileName]) {
    errors[d.file.fileName].push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
}
process.stdout.write(JSON.stringify(errors));
