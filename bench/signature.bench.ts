/**
 * Benchmark 1 — the verification hot path. For 1 KiB, 16 KiB and 256 KiB bodies, in one process:
 *   bare        node:crypto createHmac + timingSafeEqual on the body bytes against a pre-decoded
 *               digest (the floor: nothing but the primitive)
 *   ours        matchSignature(body, 'sha256=<hex>', [secret]) (what the verifier calls; verifySignature
 *               wraps it) — header parsing, hex decoding,
 *               length checks, constant-time compare, exactly as the verifier calls it
 *   standardwebhooks / svix
 *               their verify() on the same body; their scheme signs `${id}.${timestamp}.${body}`
 *               (≈40 bytes more), so the primitive is comparable, the header format is not.
 *               standardwebhooks runs with jsonParse:false; svix's verify always JSON.parses.
 *   bare (id.ts.body)
 *               node:crypto HMAC over the standardwebhooks signed content: shows how much of
 *               their cost is the scheme and how much their pure-JavaScript SHA-256.
 * Tasks run interleaved in short batches (about 1 ms each, task order rotating every cycle), many
 * cycles per size; per-op times are medians over batches, and ratios are medians of the ratios
 * within each cycle, so a burst of other work on the machine hits both sides of a ratio alike.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { matchSignature, signBody } from '../lambda/shared/signature';
import { median, percentile, round } from './stats';

export const BODY_SIZES = [1024, 16 * 1024, 256 * 1024] as const;

/** A realistic Happ-like JSON body of exactly `size` bytes (the published sample plus a transcript). */
export function makeBody(size: number): Buffer {
  const head = {
    event: 'call.completed',
    callId: 'call_01HZX3K9Q7V4M2N8P6R5T1W0YB',
    caller: '+380441234567',
    direction: 'inbound',
    duration: 252,
    endedAt: '2026-05-26T14:02:11Z',
    provider: 'ringostat',
    transcript: '',
  };
  const empty = Buffer.byteLength(JSON.stringify(head));
  if (size < empty) throw new RangeError(`body size must be at least ${empty} bytes (given ${size})`);
  const words = 'hello could you tell me when my order ships thanks ';
  head.transcript = words.repeat(Math.ceil((size - empty) / words.length)).slice(0, size - empty);
  const body = Buffer.from(JSON.stringify(head));
  if (body.length !== size) throw new Error(`makeBody produced ${body.length} bytes, wanted ${size}`);
  return body;
}

export interface SignatureTaskResult {
  /** 1 / median per-op time. */
  readonly opsPerSec: number;
  /** Median per-op time over batches (µs). */
  readonly medianMicros: number;
  /** 10th percentile per-op time over batches (µs): the least disturbed batches. */
  readonly p10Micros: number;
  /** Operations per batch. */
  readonly batch: number;
}

export interface SignatureSizeResult {
  readonly bytes: number;
  readonly tasks: Record<string, SignatureTaskResult>;
  /** ours / bare throughput, median of the per-cycle ratios. */
  readonly oursVsBare: number;
  readonly oursVsStandardwebhooks: number;
  readonly oursVsSvix: number;
}

export interface SignatureResults {
  readonly cycles: number;
  readonly batchMs: number;
  readonly sizes: SignatureSizeResult[];
}

const SECRET = 'happ_whsec_9f2c7b1e4d8a6f03c5b2e7d9a1f4c8e6';
// standardwebhooks wants a base64 secret; the same 32 bytes keyed both ways keeps the work equal.
const SW_SECRET = `whsec_${Buffer.from(SECRET).toString('base64')}`;
const TASKS = ['bare', 'ours', 'standardwebhooks', 'svix', 'bare (id.ts.body)'] as const;

export async function benchSignature(options: { quick?: boolean } = {}): Promise<SignatureResults> {
  const cycles = options.quick ? 60 : 400;
  const batchMs = 1;
  const sizes: SignatureSizeResult[] = [];
  for (const bytes of BODY_SIZES) {
    const body = makeBody(bytes);
    const bodyText = body.toString('utf8');
    const header = signBody(body, SECRET, { prefix: 'sha256=' });
    const expected = createHmac('sha256', SECRET).update(body).digest();

    const sw = new StandardWebhook(SW_SECRET);
    const svix = new SvixWebhook(SW_SECRET);
    const msgId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const timestamp = Math.floor(Date.now() / 1000);
    const swSignature = sw.sign(msgId, new Date(timestamp * 1000), bodyText);
    const swHeaders = {
      'webhook-id': msgId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': swSignature,
    };
    const svixHeaders = {
      'svix-id': msgId,
      'svix-timestamp': String(timestamp),
      'svix-signature': swSignature,
    };
    const swKey = Buffer.from(SW_SECRET.slice('whsec_'.length), 'base64');
    const swExpected = Buffer.from(swSignature.split(',')[1], 'base64');

    const fns: Record<(typeof TASKS)[number], () => void> = {
      bare: () => {
        if (!timingSafeEqual(createHmac('sha256', SECRET).update(body).digest(), expected))
          throw new Error('bare');
      },
      ours: () => {
        if (matchSignature(body, header, [SECRET]) !== 0) throw new Error('ours');
      },
      standardwebhooks: () => {
        sw.verify(bodyText, swHeaders, { jsonParse: false });
      },
      svix: () => {
        svix.verify(bodyText, svixHeaders);
      },
      'bare (id.ts.body)': () => {
        const digest = createHmac('sha256', swKey).update(`${msgId}.${timestamp}.${bodyText}`).digest();
        if (!timingSafeEqual(digest, swExpected)) throw new Error('bare id.ts.body');
      },
    };
    for (const fn of Object.values(fns)) fn(); // each must verify before it is timed

    // Warm up, then size each task's batch to about `batchMs`.
    const batch: Record<string, number> = {};
    for (const name of TASKS) {
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 20) {
        fns[name]();
        n++;
      }
      batch[name] = Math.max(1, Math.round((n * batchMs) / 20));
    }
    const perOp: Record<string, number[]> = Object.fromEntries(TASKS.map((t) => [t, []]));
    for (let c = 0; c < cycles; c++) {
      for (let k = 0; k < TASKS.length; k++) {
        const name = TASKS[(c + k) % TASKS.length]; // rotate the order every cycle
        const fn = fns[name];
        const n = batch[name];
        const t0 = performance.now();
        for (let i = 0; i < n; i++) fn();
        perOp[name].push(((performance.now() - t0) * 1000) / n);
      }
    }
    // ours / other throughput = other's time / ours, paired within each cycle.
    const ratio = (other: string) => round(median(perOp[other].map((t, c) => t / perOp.ours[c])), 3);
    const tasks: Record<string, SignatureTaskResult> = {};
    for (const name of TASKS) {
      const med = median(perOp[name]);
      tasks[name] = {
        opsPerSec: round(1e6 / med),
        medianMicros: round(med),
        p10Micros: round(percentile(perOp[name], 10)),
        batch: batch[name],
      };
    }
    sizes.push({
      bytes,
      tasks,
      oursVsBare: ratio('bare'),
      oursVsStandardwebhooks: ratio('standardwebhooks'),
      oursVsSvix: ratio('svix'),
    });
  }
  return { cycles, batchMs, sizes };
}
