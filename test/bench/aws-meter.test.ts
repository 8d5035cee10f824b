import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsMeter } from '../../bench/aws-meter';

describe('AwsMeter', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('ok'), 20));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('body');
    });

  it('counts requests per host:port and measures overlapping ones once', async () => {
    const meter = new AwsMeter();
    meter.start();
    try {
      const t0 = performance.now();
      await Promise.all([get(), get()]);
      const elapsed = performance.now() - t0;
      expect(meter.counts()).toEqual({ [`127.0.0.1:${port}`]: 2 });
      const wait = meter.waitMs();
      expect(wait).toBeGreaterThan(0);
      // Two concurrent requests: their union can never exceed the wall time they took together.
      expect(wait).toBeLessThanOrEqual(elapsed);
    } finally {
      meter.stop();
    }
  });

  it('forgets on reset and sees nothing after stop', async () => {
    const meter = new AwsMeter();
    meter.start();
    await get();
    meter.reset();
    expect(meter.counts()).toEqual({});
    expect(meter.waitMs()).toBe(0);
    meter.stop();
    await get();
    expect(meter.counts()).toEqual({});
  });
});
