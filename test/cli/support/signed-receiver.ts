/**
 * A local webhook receiver for CLI tests that checks signatures INDEPENDENTLY of our signature
 * module: node:crypto HMAC-SHA256 over the raw bytes it received, compared with the header.
 * Answers like the verifier: 202 new, 200 duplicate (same body hash), 401 bad signature.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly signatureValid: boolean;
}

export interface SignedReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  readonly secret: string;
  readonly header?: string;
  readonly encoding?: 'hex' | 'base64';
  readonly prefix?: string;
  /** Never answer (to test client timeouts). */
  readonly hang?: boolean;
}

export async function startSignedReceiver(options: ReceiverOptions): Promise<SignedReceiver> {
  const requests: ReceivedRequest[] = [];
  const seen = new Set<string>();
  const header = (options.header ?? 'x-happ-signature').toLowerCase();
  const hanging: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const expected =
        (options.prefix ?? '') +
        createHmac('sha256', options.secret)
          .update(body)
          .digest(options.encoding ?? 'hex');
      const signatureValid = req.headers[header] === expected;
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body, signatureValid });
      if (options.hang) {
        hanging.push(() => res.destroy());
        return;
      }
      res.setHeader('content-type', 'application/json');
      if (!signatureValid) {
        res.writeHead(401).end(JSON.stringify({ message: 'invalid signature' }));
        return;
      }
      const key = createHash('sha256').update(body).digest('hex');
      if (seen.has(key)) {
        res.writeHead(200).end(JSON.stringify({ status: 'duplicate' }));
      } else {
        seen.add(key);
        res.writeHead(202).end(JSON.stringify({ status: 'accepted' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const h of hanging) h();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
