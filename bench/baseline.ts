/**
 * The verifier as it was before the response budget (commit BASELINE_COMMIT), bundled with the same
 * esbuild options as today's, so `npm run bench` can run both handlers in one process and report the
 * budget machinery's cost on the happy path as a ratio. Built from `git archive` of that commit's
 * `lambda/` tree into the bench's temp directory, resolving packages from this checkout's
 * node_modules. Needs the git history (a shallow clone without that commit skips the comparison).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The last commit before the response budget: the handler "as today" when the budget work began. */
export const BASELINE_COMMIT = 'db28e3f';

/** Bundles the baseline verifier; returns its path, or why it could not. */
export async function baselineVerifierBundle(
  root: string,
  tmpDir: string,
): Promise<{ bundle: string } | { skipped: string }> {
  const dir = join(tmpDir, `baseline-${BASELINE_COMMIT}`);
  const outfile = join(dir, 'dist', 'verifier', 'index.js');
  if (existsSync(outfile)) return { bundle: outfile };
  try {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['-C', root, 'archive', BASELINE_COMMIT, 'lambda'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    if (!existsSync(join(dir, 'node_modules')))
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  } catch (error) {
    return { skipped: `git archive ${BASELINE_COMMIT} failed (${(error as Error).message.split('\n')[0]})` };
  }
  // Same options as scripts/bundle.mjs's BUNDLE_OPTIONS.
  const { BUNDLE_OPTIONS } = (await import(join(root, 'scripts', 'bundle.mjs'))) as {
    BUNDLE_OPTIONS: Record<string, unknown>;
  };
  await build({
    ...BUNDLE_OPTIONS,
    sourcemap: false,
    entryPoints: [join(dir, 'lambda', 'verifier', 'index.ts')],
    outfile,
  });
  return { bundle: outfile };
}
