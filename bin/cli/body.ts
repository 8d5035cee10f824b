/** Where a request body comes from: a file's exact bytes, stdin, a literal string, or a sample. */
import { readFile } from 'node:fs/promises';
import { HAPP_SOURCES, type HappSource } from '../../lambda/shared/envelope';
import { KNOWN_EVENT_TYPES } from '../../lambda/shared/events';
import { CliError } from './errors';
import type { Io } from './io';
import { defaultSample, findSample, type EventSample } from './samples';

export interface BodyOptions {
  readonly file?: string;
  readonly data?: string;
  readonly event?: string;
  readonly source?: string;
}

export interface Body {
  readonly bytes: Buffer;
  /** What the body is, for humans: `file body.json`, `sample call.completed`, ... */
  readonly origin: string;
  /** Set when the body is a built-in sample. */
  readonly sample?: EventSample;
}

export function parseSource(value: string | undefined, option = '--source'): HappSource | undefined {
  if (value === undefined) return undefined;
  if (!(HAPP_SOURCES as readonly string[]).includes(value)) {
    throw new CliError(`${option} must be one of ${HAPP_SOURCES.join(', ')} (given "${value}")`);
  }
  return value as HappSource;
}

/** The built-in sample for `event` (checked against `source`), or the source's default sample. */
export function sampleFor(event: string | undefined, source: HappSource | undefined): EventSample {
  if (event === undefined) {
    if (!source) throw new CliError('give --source chat|call or --event TYPE (or --file with your own body)');
    return defaultSample(source);
  }
  const sample = findSample(event);
  if (!sample) {
    throw new CliError(
      `unknown event "${event}": built-in samples exist for ${KNOWN_EVENT_TYPES.join(', ')}. ` +
        'To send another event name, put the body in a file and use --file',
    );
  }
  if (source && sample.source !== source) {
    throw new CliError(`event "${event}" is a ${sample.source} event, not ${source} (check --source)`);
  }
  return sample;
}

/** Reads the body: --file (exact bytes; `-` = stdin), --data, else a sample built now. */
export async function loadBody(
  options: BodyOptions,
  io: Io,
  { allowSample }: { allowSample: boolean },
): Promise<Body> {
  if (options.file !== undefined) {
    if (options.file === '-') return { bytes: await io.readStdin(), origin: 'stdin' };
    try {
      return { bytes: await readFile(options.file), origin: `file ${options.file}` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        `cannot read --file ${options.file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`,
      );
    }
  }
  if (options.data !== undefined) return { bytes: Buffer.from(options.data, 'utf8'), origin: '--data' };
  if (!allowSample) {
    throw new CliError('give the body to sign: --file body.json, --file - (stdin), or --data STRING');
  }
  const sample = sampleFor(options.event, parseSource(options.source));
  return {
    bytes: Buffer.from(JSON.stringify(sample.build(new Date())), 'utf8'),
    origin: `sample ${sample.type}`,
    sample,
  };
}
