/**
 * `happ-webhooks send`: signs a body exactly as Happ does (HMAC-SHA256 over the raw bytes, in the
 * signature header) and POSTs those same bytes; prints status, answer and timing per delivery.
 * `--repeat N` sends the identical delivery N times, the way Happ's retries do.
 */
import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseSource, loadBody, type BodyOptions } from './body';
import { CliError, networkErrorCode } from './errors';
import { printJson, startProgress, type Io } from './io';
import { resolveSigningSecret, type SecretOptions } from './secret';
import { signWith, type SigningOptions } from './signing';

export interface SendOptions extends SecretOptions, BodyOptions, SigningOptions {
  readonly repeat?: number;
  readonly timeout?: number;
  readonly json?: boolean;
}

/** Happ counts an answer slower than this as a failed delivery and retries. */
export const HAPP_ANSWER_DEADLINE_MS = 5000;

export interface DeliveryResult {
  readonly attempt: number;
  readonly status: number;
  readonly statusText: string;
  readonly ms: number;
  readonly body: string;
  readonly json?: unknown;
}

export function parseTargetUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      `"${value}" is not a valid URL: give the full endpoint, e.g. https://abc.execute-api.eu-west-1.amazonaws.com/prod/call`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`URL must be http:// or https:// (given "${value}")`);
  }
  return url;
}

export async function send(target: string, options: SendOptions, io: Io): Promise<number> {
  const url = parseTargetUrl(target);
  const repeat = options.repeat ?? 1;
  const timeout = options.timeout ?? 10_000;
  const lastSegment = url.pathname.replace(/\/+$/, '').split('/').pop();
  const urlSource = lastSegment === 'chat' || lastSegment === 'call' ? lastSegment : undefined;
  // The sample's source: --source, else the event's own, else the endpoint's (…/chat or …/call).
  const source = parseSource(options.source) ?? (options.event ? undefined : urlSource);
  const body = await loadBody({ ...options, source }, io, { allowSample: true });
  const secret = await resolveSigningSecret(options, io, options.json);
  const signature = signWith(body.bytes, secret.value, options);

  const bodySource = body.sample?.source ?? source;
  if (bodySource && urlSource && urlSource !== bodySource) {
    io.err(
      io.colors.yellow(
        `warning: sending a ${bodySource} event to ${url.pathname}, the ${urlSource} endpoint\n`,
      ),
    );
  }

  if (!options.json) {
    io.out(
      `${io.colors.bold('POST')} ${url.href}  ${body.origin}, ${body.bytes.length} bytes, ${signature.header} (${signature.encoding})\n`,
    );
    if (body.sample) {
      const label = body.sample.published
        ? io.colors.green(body.sample.note)
        : io.colors.yellow(body.sample.note);
      io.out(`  ${label}\n`);
    }
  }

  const results: DeliveryResult[] = [];
  for (let attempt = 1; attempt <= repeat; attempt++) {
    const progress = startProgress(io, `POST ${url.href} (${attempt}/${repeat})`, options);
    let result: DeliveryResult;
    try {
      result = await deliver(url, body.bytes, signature.header, signature.value, timeout, attempt);
    } finally {
      progress.stop();
    }
    results.push(result);
    if (!options.json) io.out(formatResult(result, io));
  }

  const failed = results.filter((r) => r.status < 200 || r.status > 299).length;
  const slow = results.filter((r) => r.ms > HAPP_ANSWER_DEADLINE_MS).length;
  if (options.json) {
    printJson(io, {
      url: url.href,
      body: body.origin,
      event: body.sample?.type,
      sample: body.sample ? { published: body.sample.published, note: body.sample.note } : undefined,
      bytes: body.bytes.length,
      header: signature.header,
      signature: signature.value,
      secret: secret.from,
      responses: results,
      ok: failed === 0,
    });
  } else {
    if (slow > 0) {
      io.err(
        io.colors.yellow(
          `warning: ${slow} answer(s) took longer than ${HAPP_ANSWER_DEADLINE_MS / 1000} s; Happ counts those as failed and retries\n`,
        ),
      );
    }
    if (failed > 0) io.err(io.colors.red(`${failed} of ${results.length} deliveries got a non-2xx answer\n`));
  }
  return failed === 0 ? 0 : 1;
}

async function deliver(
  url: URL,
  bytes: Buffer,
  header: string,
  signature: string,
  timeoutMs: number,
  attempt: number,
): Promise<DeliveryResult> {
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: signature, 'user-agent': 'happ-webhooks-cli' },
      body: bytes,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new CliError(`no answer from ${url.href} within ${timeoutMs} ms (--timeout)`);
    }
    const code = networkErrorCode(error);
    throw new CliError(`could not reach ${url.href}: ${code ?? (error as Error).message}`, 1, {
      cause: error,
    });
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return {
    attempt,
    status: response.status,
    statusText: response.statusText || STATUS_CODES[response.status] || '',
    ms,
    body: text,
    ...(json !== undefined ? { json } : {}),
  };
}

function formatResult(r: DeliveryResult, io: Io): string {
  const ok = r.status >= 200 && r.status <= 299;
  const status = `${r.status} ${r.statusText}`;
  const colour = ok ? io.colors.green : r.status >= 500 ? io.colors.red : io.colors.yellow;
  const body = r.body.length > 2000 ? `${r.body.slice(0, 2000)}… (${r.body.length} chars)` : r.body;
  return `#${r.attempt}  ${colour(status)}  ${r.ms} ms  ${body}\n`;
}
