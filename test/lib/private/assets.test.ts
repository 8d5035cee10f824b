import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleDirectory, packageRoot } from '../../../lib/private/assets';

const repoRoot = resolve(__dirname, '..', '..', '..');

describe('Lambda bundle location', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'happ-assets-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds the package root from lib/ (ts-jest, ts-node) and from dist/lib/ (installed)', () => {
    expect(packageRoot(join(repoRoot, 'lib', 'private'))).toBe(repoRoot);
    expect(packageRoot(join(repoRoot, 'dist', 'lib', 'private'))).toBe(repoRoot);
  });

  it('walks past package.json files of other packages', () => {
    writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: 'cdk-happ-webhooks' }));
    const nested = join(tmp, 'node_modules', 'other', 'lib');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(tmp, 'node_modules', 'other', 'package.json'), JSON.stringify({ name: 'other' }));
    expect(packageRoot(nested)).toBe(tmp);
  });

  it('fails naming the start directory when no cdk-happ-webhooks package is above it', () => {
    expect(() => packageRoot(tmp)).toThrow(
      /cannot find the cdk-happ-webhooks package root above .*happ-assets-/,
    );
  });

  it('fails telling the user to run npm run build when a bundle is missing', () => {
    expect(() => bundleDirectory('verifier', tmp)).toThrow(
      /the verifier Lambda bundle is missing \(.*dist\/lambda\/verifier\/index\.js\): run npm run build/,
    );
  });

  it('returns dist/lambda/<name> when its index.js exists', () => {
    mkdirSync(join(tmp, 'dist', 'lambda', 'example'), { recursive: true });
    writeFileSync(join(tmp, 'dist', 'lambda', 'example', 'index.js'), 'exports.handler = async () => {};');
    expect(bundleDirectory('example', tmp)).toBe(join(tmp, 'dist', 'lambda', 'example'));
  });
});
