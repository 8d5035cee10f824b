/**
 * `happ-webhooks call URL --params '{…}'`: calls a tool webhook the way Happ does — the parameters as
 * the JSON body (or, for GET, as the query string, signed in its canonical form) with the HMAC
 * signature header — and prints the status, the time and the JSON answer.
 */
import { performance } from 'node:perf_hooks';
import { canonicalQuery, toolSignedBytes } from '../../lambda/shared/tool-signature';
import { CliError, networkErrorCode } from './errors';
import { printJson, type Io } from './io';
import { resolveSigningSecret, type SecretOptions } from './secret';
import { parseTargetUrl } from './send';
import { signWith, type SigningOptions } from './signing';

export interface CallOptions extends SecretOptions, SigningOptions {
  readonly params?: string;
  readonly method?: string;
  readonly timeout?: number;
  readonly json?: boolean;
}

export const TOOL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

/** A tool request ready to send: the URL (with the query of a GET), the body bytes, the signed bytes. */
export interface ToolRequest {
  readonly url: URL;
  readonly method: string;
  readonly body: Buffer;
  readonly signed: Buffer;
}

/** Builds the request Happ would send for these parameters (see lambda/shared/tool-signature.ts). */
export function buildToolRequest(
  target: string,
  method: string,
  paramsText: string | undefined,
): ToolRequest {
  const url = parseTargetUrl(target);
  const upper = method.toUpperCase();
  if (!(TOOL_METHODS as readonly string[]).includes(upper)) {
    throw new CliError(`--method must be one of ${TOOL_METHODS.join(', ')} (given "${method}")`);
  }
  const text = paramsText ?? '{}';
  let params: unknown;
  try {
    params = JSON.parse(text);
  } catch {
    throw new CliError(
      `--params must be JSON, e.g. '{"orderId":"o-1"}' (given ${JSON.stringify(text.slice(0, 60))})`,
    );
  }
  if (upper !== 'GET') {
    const body = Buffer.from(text, 'utf8');
    return { url, method: upper, body, signed: body };
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new CliError('--params of a GET must be a JSON object: its fields become the query string');
  }
  const query: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    const values = Array.isArray(v) ? v : [v];
    query[k] = values.map((one) => (typeof one === 'string' ? one : JSON.stringify(one)));
  }
  const canonical = canonicalQuery(query);
  url.search = canonical;
  return { url, method: upper, body: Buffer.alloc(0), signed: toolSignedBytes(Buffer.alloc(0), query) };
}

export async function call(target: string, options: CallOptions, io: Io): Promise<number> {
  const request = buildToolRequest(target, options.method ?? 'POST', options.params);
  const secret = await resolveSigningSecret(options, io, options.json);
  const signature = signWith(request.signed, secret.value, options);
  const timeout = options.timeout ?? 30_000;
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        [signature.header]: signature.value,
        ...(request.body.length > 0 ? { 'content-type': 'application/json' } : {}),
      },
      body: request.body.length > 0 ? request.body : undefined,
      signal: AbortSignal.timeout(timeout),
    });
  } catch (error) {
    if ((error as Error)?.name === 'TimeoutError') {
      throw new CliError(`${request.method} ${request.url.href}: no answer within ${timeout} ms (--timeout)`);
    }
    const code = networkErrorCode(error);
    throw new CliError(`${request.method} ${request.url.href} failed: ${code ?? (error as Error).message}`);
  }
  const text = await response.text();
  const ms = Math.round(performance.now() - started);
  let answer: unknown = text;
  try {
    answer = JSON.parse(text);
  } catch {
    // not JSON: printed as text
  }
  const ok = response.status >= 200 && response.status < 300;
  if (options.json) {
    printJson(io, { url: request.url.href, method: request.method, status: response.status, ms, answer, ok });
  } else {
    const pc = io.colors;
    const status = ok ? pc.green(String(response.status)) : pc.red(String(response.status));
    io.err(`${pc.bold(request.method)} ${request.url.href} → ${status} (${ms} ms)\n`);
    io.out(`${typeof answer === 'string' ? answer : JSON.stringify(answer, null, 2)}\n`);
  }
  return ok ? 0 : 1;
}
