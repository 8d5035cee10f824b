/**
 * Measures, from inside the process, how long code spends waiting on AWS: every outgoing HTTP
 * request is timed from `http.client.request.start` (node:diagnostics_channel) to the end of its
 * response, and the union of those intervals is the wait. It sees the bundled Lambda's own AWS SDK
 * copy (no client injection needed) and counts requests per endpoint, i.e. per AWS service.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

interface Interval {
  start: number;
  end?: number;
  target: string;
}

export class AwsMeter {
  private intervals: Interval[] = [];
  private readonly onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const interval: Interval = { start: performance.now(), target: `${request.host}:${portOf(request)}` };
    this.intervals.push(interval);
    const done = () => {
      interval.end ??= performance.now();
    };
    request.once('response', (response: IncomingMessage) => {
      response.once('end', done);
      response.once('close', done);
    });
    request.once('error', done);
    request.once('close', done);
  };

  start(): void {
    subscribe('http.client.request.start', this.onStart);
  }

  stop(): void {
    unsubscribe('http.client.request.start', this.onStart);
  }

  reset(): void {
    this.intervals = [];
  }

  /** Milliseconds during which at least one request was in flight (overlaps counted once). */
  waitMs(now = performance.now()): number {
    const spans = this.intervals.map((i) => [i.start, i.end ?? now] as const).sort((a, b) => a[0] - b[0]);
    let total = 0;
    let curStart = -1;
    let curEnd = -1;
    for (const [s, e] of spans) {
      if (s > curEnd) {
        if (curEnd > curStart) total += curEnd - curStart;
        curStart = s;
        curEnd = e;
      } else if (e > curEnd) {
        curEnd = e;
      }
    }
    if (curEnd > curStart) total += curEnd - curStart;
    return total;
  }

  /** Requests per `host:port` since the last reset. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const i of this.intervals) counts[i.target] = (counts[i.target] ?? 0) + 1;
    return counts;
  }
}

function portOf(request: ClientRequest): string {
  const socketPort = (request as unknown as { agent?: { defaultPort?: number } }).agent?.defaultPort;
  const header = request.getHeader('host');
  if (typeof header === 'string' && header.includes(':')) return header.split(':').pop() as string;
  return String(socketPort ?? '');
}
