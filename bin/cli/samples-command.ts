/** `happ-webhooks samples [event]`: the built-in sample events and their provenance. */
import { sampleFor } from './body';
import { printJson, type Io } from './io';
import { SAMPLES } from './samples';

export async function samples(
  event: string | undefined,
  options: { json?: boolean },
  io: Io,
): Promise<number> {
  if (event === undefined) {
    if (options.json) {
      printJson(
        io,
        SAMPLES.map((s) => ({ event: s.type, source: s.source, published: s.published, note: s.note })),
      );
      return 0;
    }
    for (const s of SAMPLES) {
      const label = s.published ? io.colors.green('published by Happ') : io.colors.yellow('illustrative');
      io.out(`${s.type.padEnd(26)} ${s.source.padEnd(5)} ${label}\n`);
    }
    return 0;
  }
  const sample = sampleFor(event, undefined);
  const body = sample.build(new Date());
  if (!options.json) io.err(`${io.colors.dim(`# ${sample.type}: ${sample.note}`)}\n`);
  io.out(`${JSON.stringify(body, null, options.json ? 2 : undefined)}\n`);
  return 0;
}
