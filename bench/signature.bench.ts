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
 * Tasks run in interleaved rounds; ratios are medians of per-round ratios (robust to neighbours
 * using the CPU).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { Bench } from 'tinybench';
import { matchSignature, signBody } from '../lambda/shared/signature';
import { median, round } from './stats';

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
  readonly opsPerSec: number;
  readonly meanMicros: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
}

export interface SignatureSizeResult {
  readonly bytes: number;
  readonly tasks: Record<string, SignatureTaskResult>;
  /** ours / bare throughput, median of per-round ratios. */
  readonly oursVsBare: number;
  readonly oursVsStandardwebhooks: number;
  readonly oursVsSvix: number;
}

export interface SignatureResults {
  readonly rounds: number;
  readonly timePerTaskMs: number;
  readonly sizes: SignatureSizeResult[];
}

const SECRET = 'happ_whsec_9f2c7b1e4d8a6f03c5b2e7d9a1f4c8e6';
// standardwebhooks wants a base64 secret; the same 32 bytes keyed both ways keeps the work equal.
const SW_SECRET = `whsec_${Buffer.from(SECRET).toString('base64')}`;
const TASKS = ['bare', 'ours', 'standardwebhooks', 'svix', 'bare (id.ts.body)'] as const;

export async function benchSignature(options: { quick?: boolean } = {}): Promise<SignatureResults> {
  const rounds = options.quick ? 1 : 5;
  const time = options.quick ? 100 : 250;
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

    const perRound: Record<string, { hz: number; mean: number; p50: number; p99: number }[]> = {};
    for (let r = 0; r < rounds; r++) {
      const bench = new Bench({ time, warmupTime: 50, throws: true });
      // Alternate the order between rounds so no task always runs first (or last).
      const order = r % 2 === 0 ? TASKS : [...TASKS].reverse();
      for (const name of order) bench.add(name, fns[name]);
      await bench.run();
      for (const task of bench.tasks) {
        const res = task.result;
        if (res.state !== 'completed') throw new Error(`task ${task.name} did not complete (${res.state})`);
        (perRound[task.name] ??= []).push({
          hz: 1000 / res.latency.mean, // ops/s from mean latency (ms)
          mean: res.latency.mean,
          p50: res.latency.p50,
          p99: res.latency.p99,
        });
      }
    }
    const ratio = (a: string, b: string) =>
      round(median(perRound[a].map((x, i) => x.hz / perRound[b][i].hz)), 3);
    const tasks: Record<string, SignatureTaskResult> = {};
    for (const name of TASKS) {
      const rs = perRound[name];
      tasks[name] = {
        opsPerSec: round(median(rs.map((x) => x.hz))),
        meanMicros: round(median(rs.map((x) => x.mean)) * 1000),
        p50Micros: round(median(rs.map((x) => x.p50)) * 1000),
        p99Micros: round(median(rs.map((x) => x.p99)) * 1000),
      };
    }
    sizes.push({
      bytes,
      tasks,
      oursVsBare: ratio('ours', 'bare'),
      oursVsStandardwebhooks: ratio('ours', 'standardwebhooks'),
      oursVsSvix: ratio('ours', 'svix'),
    });
  }
  return { rounds, timePerTaskMs: time, sizes };
}
