import { attribute, groupOf, moduleMarks, type CpuProfile } from '../../bench/profile';

const bundle = [
  '"use strict";',
  '// node_modules/@smithy/core/dist-es/index.js',
  'function smithy() {}',
  '// node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js',
  'function logger() {}',
  '// lambda/shared/signature.ts',
  'function sig() {}',
  '// lambda/verifier/handler.ts',
  'function handler() {}',
].join('\n');

describe('CPU profile attribution', () => {
  it('finds the module comments esbuild writes into an unminified bundle', () => {
    expect(moduleMarks(bundle).map((m) => m.line)).toEqual([1, 3, 5, 7]);
  });

  it('groups modules into ours, Powertools, the AWS SDK and other packages', () => {
    expect(groupOf('lambda/verifier/handler.ts')).toBe('ours: lambda/verifier');
    expect(groupOf('lambda/shared/signature.ts')).toBe('ours: lambda/shared');
    expect(groupOf('node_modules/@aws-sdk/client-sns/dist-es/index.js')).toBe('AWS SDK');
    expect(groupOf('node_modules/@smithy/core/dist-es/index.js')).toBe('AWS SDK');
    expect(groupOf('node_modules/@aws-lambda-powertools/metrics/lib/esm/Metrics.js')).toBe('Powertools');
    expect(groupOf('node_modules/mnemonist/lru-cache.js')).toBe('other: mnemonist');
  });

  it('attributes each sample to the module its line falls in', () => {
    const frame = (id: number, functionName: string, url: string, lineNumber: number) => ({
      id,
      callFrame: { functionName, url, lineNumber },
    });
    const profile: CpuProfile = {
      nodes: [
        frame(1, 'smithy', 'file:///x/verifier/index.js', 2),
        frame(2, 'handler', 'file:///x/verifier/index.js', 8),
        frame(3, 'emit', 'node:events', 10),
        frame(4, '(idle)', '', -1),
        frame(5, '(garbage collector)', '', -1),
      ],
      samples: [1, 1, 2, 3, 4, 5],
      timeDeltas: [1000, 1000, 500, 250, 4000, 100],
    };
    expect(attribute(profile, bundle, 'verifier/index.js')).toEqual({
      'AWS SDK': 2,
      'ours: lambda/verifier': 0.5,
      'Node.js core (http, crypto, streams, ...)': 0.25,
      '(idle: waiting on I/O)': 4,
      'garbage collector': 0.1,
    });
  });
});
