export const SECTIONS = ['signature', 'handler', 'coldstart', 'subscriber', 'synth', 'tool', 'cost'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchArgs {
  readonly only: Section[];
  readonly quick: boolean;
}

/** `[--only a,b] [--quick]`; throws naming the bad argument and what is allowed. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  let only: Section[] = [...SECTIONS];
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.slice('--only='.length) : argv[++i];
      const names = (value ?? '').split(',').filter(Boolean);
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length > 0) {
        throw new Error(
          `--only takes a comma-separated subset of ${SECTIONS.join(',')} (given ${value ?? ''})`,
        );
      }
      only = names as Section[];
    } else {
      throw new Error(
        `unknown argument ${arg}; usage: node bench/run.mjs [--only ${SECTIONS.join(',')}] [--quick]`,
      );
    }
  }
  return { only, quick };
}
