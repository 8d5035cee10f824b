// What `npm pack` ships: the file list a consumer installs, its size, and that `npm pack --json`
// prints JSON (the bundler runs in `prepare` and must keep stdout clean). No build needed beyond
// the dist/ that `npm run build` leaves; the bundler check writes to a temporary directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackResult {
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: Array<{ path: string; size: number }>;
}

/** Unpacked-size budget for the tarball (the bundles' source maps alone were 5.4 MB). */
const MAX_UNPACKED_BYTES = 2.5 * 1024 * 1024;

describe('the packed tarball', () => {
  let pack: PackResult;
  let paths: string[];

  beforeAll(() => {
    // --ignore-scripts: `prepare` would rebuild dist/ under the other suites' feet (its output is
    // checked on its own below).
    const stdout = execFileSync(npm, ['pack', '--json', '--dry-run', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pack = (JSON.parse(stdout) as PackResult[])[0]!;
    paths = pack.files.map((f) => f.path).sort();
  });

  it('ships what a consumer needs: the library, the runtime helper, the verifier bundle, the CLI, the licence', () => {
    for (const file of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/lambda/runtime/index.js',
      'dist/lambda/runtime/index.d.ts',
      'dist/lambda/verifier/index.js',
      'dist/bin/cli.js',
      'dist/bin/local/secrets-manager-server.js',
    ]) {
      expect(paths).toContain(file);
    }
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(
      /Apache License\s+Version 2\.0, January 2004/,
    );
  });

  it('ships no source maps, no example app and no example bundle', () => {
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('dist/lambda/example/'))).toEqual([]);
    expect(paths.filter((p) => /^dist\/bin\/app\./.test(p))).toEqual([]);
    // Nothing outside dist/ but the three files npm always adds.
    expect(paths.filter((p) => !p.startsWith('dist/'))).toEqual(['LICENSE', 'README.md', 'package.json']);
  });

  it(`is under ${MAX_UNPACKED_BYTES / 1024 / 1024} MB unpacked`, () => {
    expect(pack.unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
  });

  it('maps cdk-happ-webhooks/runtime for moduleResolution node (typesVersions) as well as exports', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string }>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(manifest.typesVersions['*']!.runtime).toEqual([manifest.exports['./runtime']!.types]);
    expect(paths).toContain(manifest.exports['./runtime']!.types.replace(/^\.\//, ''));
  });

  it("keeps the bundler's output off stdout, so `npm pack --json` (which runs it in prepare) prints JSON", () => {
    const out = mkdtempSync(join(tmpdir(), 'happ-bundle-'));
    try {
      const run = spawnSync(
        process.execPath,
        [join(root, 'scripts', 'bundle.mjs'), '--outdir', out, 'verifier'],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^bundled verifier: \d+ KiB$/m);
      expect(readFileSync(join(out, 'verifier', 'index.js'), 'utf8')).toMatch(/createHandler/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
