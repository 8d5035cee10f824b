/**
 * Where the verifier's CPU time goes: a V8 CPU profile (node:inspector, in-process) of an
 * unminified build of the same bundle, with each sample's self time attributed to the module it
 * came from. esbuild's unminified output marks every module with a `// path/to/file` comment line,
 * so a line number maps back to its package.
 */
import { Session } from 'node:inspector';

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Start lines of each module in an unminified esbuild bundle, in order. */
export function moduleMarks(bundleText: string): { line: number; path: string }[] {
  const marks: { line: number; path: string }[] = [];
  bundleText.split('\n').forEach((text, line) => {
    const m = /^\/\/ ((?:node_modules|lambda|bin|lib)\/\S+\.(?:m?js|cjs|ts|json))$/.exec(text);
    if (m) marks.push({ line, path: m[1] });
  });
  return marks;
}

/** The group a bundled module belongs to: our own code, Powertools, the AWS SDK, or a package. */
export function groupOf(modulePath: string): string {
  if (modulePath.startsWith('lambda/shared/')) return 'ours: lambda/shared';
  if (modulePath.startsWith('lambda/')) return 'ours: lambda/verifier';
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(modulePath);
  if (!m) return modulePath;
  const pkg = m[1];
  if (/^@(aws-sdk|smithy|aws-crypto)\//.test(pkg)) return 'AWS SDK';
  if (pkg.startsWith('@aws-lambda-powertools/')) return 'Powertools';
  return `other: ${pkg}`;
}

/** Self time (ms) per group for the frames of `bundleUrlPart`; node internals and GC apart. */
export function attribute(
  profile: CpuProfile,
  bundleText: string,
  bundleUrlPart: string,
): Record<string, number> {
  const marks = moduleMarks(bundleText);
  const moduleAt = (line: number): string => {
    let lo = 0;
    let hi = marks.length - 1;
    let found = '(bundle prelude)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid].line <= line) {
        found = marks[mid].path;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    let group: string;
    if (frame.url.includes(bundleUrlPart)) group = groupOf(moduleAt(frame.lineNumber));
    else if (frame.url.startsWith('node:')) group = 'Node.js core (http, crypto, streams, ...)';
    else if (frame.functionName === '(idle)') group = '(idle: waiting on I/O)';
    else if (frame.functionName === '(garbage collector)') group = 'garbage collector';
    else if (/^write/.test(frame.functionName)) group = 'socket writes (native)';
    else if (frame.url === '') group = 'V8 / native (microtasks, crypto, JSON, ...)';
    else group = 'bench harness / other';
    out[group] = (out[group] ?? 0) + ms;
  });
  return out;
}

/** Runs `work` under the V8 sampling profiler of this process. */
export async function profile<T>(
  work: () => Promise<T>,
  intervalMicros = 100,
): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  const post = <R>(method: string, params?: object) =>
    new Promise<R>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as R))),
    );
  try {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: intervalMicros });
    await post('Profiler.start');
    const result = await work();
    const { profile: p } = await post<{ profile: CpuProfile }>('Profiler.stop');
    return { result, profile: p };
  } finally {
    session.disconnect();
  }
}
