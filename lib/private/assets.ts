import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const PACKAGE_NAME = 'cdk-happ-webhooks';

/** Lambda bundles that `npm run build` (scripts/bundle.mjs) writes to `dist/lambda/<name>/index.js`. */
export type BundledLambda = 'verifier' | 'example';

/**
 * The root of this package: the nearest directory above `from` holding a package.json named
 * `cdk-happ-webhooks`. Works from `lib/*.ts` (ts-jest, ts-node) and from `dist/lib/*.js` (installed).
 */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME)
          return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `cannot find the ${PACKAGE_NAME} package root above ${from} (no package.json named ${PACKAGE_NAME})`,
      );
    }
    dir = parent;
  }
}

/** Directory of a pre-built Lambda bundle; throws naming the missing file and the fix. */
export function bundleDirectory(name: BundledLambda, root: string = packageRoot()): string {
  const dir = join(root, 'dist', 'lambda', name);
  const entry = join(dir, 'index.js');
  if (!existsSync(entry)) {
    throw new Error(
      `the ${name} Lambda bundle is missing (${entry}): run npm run build in ${root} to bundle the Lambda code`,
    );
  }
  return dir;
}

/** `lambda.Code` for a pre-built bundle: only the JavaScript (source maps stay out of the asset). */
export function bundledCode(name: BundledLambda): lambda.Code {
  return lambda.Code.fromAsset(bundleDirectory(name), { exclude: ['*.map'] });
}
