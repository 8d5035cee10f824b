// Runs in every Jest worker before the tests. fauxqs names queues and buckets under `*.localhost`,
// which this machine's resolver does not answer; resolve every `*.localhost` name to loopback
// (what fauxqs' own interceptLocalhostDns does, which is ESM-only and so not loadable here).
import dns from 'node:dns';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: unknown, family?: number) => void;

const originalLookup = dns.lookup;
const patched = function lookup(hostname: string, options: unknown, callback?: unknown): void {
  const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
  const opts = (typeof options === 'function' ? {} : (options ?? {})) as { all?: boolean } | number;
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (typeof opts === 'object' && opts.all) {
      process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
    } else {
      process.nextTick(cb, null, '127.0.0.1', 4);
    }
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (originalLookup as any).call(dns, hostname, options, callback);
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
(dns as any).lookup = patched;
