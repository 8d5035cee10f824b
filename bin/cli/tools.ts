/**
 * `happ-webhooks tools <stack>`: prints the tool definitions of a deployed stack (its outputs ending
 * with `HappToolDefinition`, or a `cdk deploy --outputs-file` file), and with `--register --assistant ID`
 * creates or updates them in Happ through its public API (`HAPP_ACCESS_TOKEN`): find by assistant and
 * name (`GET /api/assistant-tools?assistantId=&name=`), then `PATCH /api/assistant-tools/{id}`, else
 * `POST /api/assistant-tools`. `webhookSecret` is read from the tool's secret (Secrets Manager).
 * `--dry-run` prints the requests (token and secret masked) and sends only the look-ups.
 */
import { readFile } from 'node:fs/promises';
import { readStackOutputs, regionFromArn, type AwsOptions } from './aws';
import { CliError } from './errors';
import { printJson, type Io } from './io';
import { readSecretValues } from './secret';

export const TOOL_DEFINITION_OUTPUT_SUFFIX = 'HappToolDefinition';
export const TOOL_SECRET_OUTPUT_SUFFIX = 'HappToolSecretArn';
export const HAPP_API_URL = 'https://api.happ.tools';
export const ACCESS_TOKEN_ENV = 'HAPP_ACCESS_TOKEN';
export const API_URL_ENV = 'HAPP_API_URL';

export interface ToolsOptions extends AwsOptions {
  readonly outputsFile?: string;
  readonly register?: boolean;
  readonly assistant?: string;
  readonly dryRun?: boolean;
  readonly apiUrl?: string;
  readonly json?: boolean;
  /** Register a tool with no HappToolSecretArn output anyway (Happ then sends unsigned calls: all 401). */
  readonly withoutSecret?: boolean;
}

export interface StackTool {
  readonly outputKey: string;
  readonly definition: Record<string, unknown> & { name: string };
  readonly secretArn?: string;
}

/** One request made (or, in a dry run, that would be made) to Happ's API. */
export interface ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: Record<string, unknown>;
  readonly sent: boolean;
  readonly status?: number;
}

/** The tools found in a set of stack outputs (key → value). */
export function toolsFromOutputs(outputs: Record<string, string>, where: string): StackTool[] {
  const tools: StackTool[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    if (!key.endsWith(TOOL_DEFINITION_OUTPUT_SUFFIX)) continue;
    let definition: StackTool['definition'];
    try {
      definition = JSON.parse(value) as StackTool['definition'];
    } catch {
      throw new CliError(`output ${key} of ${where} is not JSON: was it written by cdk-happ-webhooks?`);
    }
    const prefix = key.slice(0, -TOOL_DEFINITION_OUTPUT_SUFFIX.length);
    tools.push({ outputKey: key, definition, secretArn: outputs[`${prefix}${TOOL_SECRET_OUTPUT_SUFFIX}`] });
  }
  return tools;
}

async function stackOutputs(
  stack: string | undefined,
  options: ToolsOptions,
  io: Io,
): Promise<Record<string, string>> {
  if (options.outputsFile) {
    let parsed: Record<string, Record<string, string>>;
    try {
      parsed = JSON.parse(await readFile(options.outputsFile, 'utf8')) as typeof parsed;
    } catch (error) {
      throw new CliError(
        `cannot read ${options.outputsFile} (cdk deploy --outputs-file): ${(error as Error).message}`,
      );
    }
    const stacks = stack ? [stack] : Object.keys(parsed);
    const merged: Record<string, string> = {};
    for (const name of stacks) {
      if (!parsed[name])
        throw new CliError(
          `${options.outputsFile} has no stack named "${name}" (it has ${Object.keys(parsed).join(', ') || 'none'})`,
        );
      Object.assign(merged, parsed[name]);
    }
    return merged;
  }
  if (!stack) throw new CliError('name the stack (happ-webhooks tools MyStack) or pass --outputs-file FILE');
  return readStackOutputs(stack, options, io.env);
}

export async function tools(stack: string | undefined, options: ToolsOptions, io: Io): Promise<number> {
  const found = toolsFromOutputs(await stackOutputs(stack, options, io), stack ?? options.outputsFile ?? '');
  if (found.length === 0) {
    throw new CliError(
      `${stack ?? options.outputsFile} has no tools (no output ending with ${TOOL_DEFINITION_OUTPUT_SUFFIX}): add one with receiver.addTool`,
    );
  }
  if (!options.register) {
    if (options.json)
      printJson(
        io,
        found.map((t) => t.definition),
      );
    else for (const t of found) io.out(`${JSON.stringify(t.definition, null, 2)}\n`);
    return 0;
  }
  if (!options.assistant)
    throw new CliError('--register needs --assistant ID (the Happ assistant the tools belong to)');
  const token = io.env[ACCESS_TOKEN_ENV];
  if (!token)
    throw new CliError(
      `--register needs ${ACCESS_TOKEN_ENV}: an access token (happ_…) from Happ's dashboard`,
    );
  const base = (options.apiUrl ?? io.env[API_URL_ENV] ?? HAPP_API_URL).replace(/\/+$/, '');
  const requests: ApiRequest[] = [];
  for (const tool of found) {
    const webhookSecret = tool.secretArn
      ? (
          await readSecretValues(
            tool.secretArn,
            { ...options, region: options.region ?? regionFromArn(tool.secretArn) },
            io,
            options.json,
          )
        ).current
      : undefined;
    if (!webhookSecret) {
      // A tool in Happ without its secret sends unsigned calls, every one answered 401.
      if (!options.withoutSecret) {
        throw new CliError(
          `no ${TOOL_SECRET_OUTPUT_SUFFIX} output for ${tool.definition.name}, so its webhookSecret is unknown: Happ would send unsigned calls, each answered 401. Deploy the stack with the construct's outputs, or pass --without-secret to register it anyway (an existing tool keeps its secret)`,
        );
      }
      io.err(
        io.colors.yellow(
          `warning: ${tool.definition.name} registered without webhookSecret (--without-secret)\n`,
        ),
      );
    }
    const body: Record<string, unknown> = {
      ...tool.definition,
      assistantId: options.assistant,
      ...(webhookSecret ? { webhookSecret } : {}),
    };
    const existing = await findTool(base, token, options.assistant, tool.definition.name, requests);
    const write: ApiRequest = existing
      ? {
          method: 'PATCH',
          url: `${base}/api/assistant-tools/${encodeURIComponent(existing)}`,
          headers: headers(token),
          body,
          sent: false,
        }
      : { method: 'POST', url: `${base}/api/assistant-tools`, headers: headers(token), body, sent: false };
    if (options.dryRun) {
      requests.push(write);
      continue;
    }
    const res = await happFetch(write.method, write.url, token, body);
    requests.push({ ...write, sent: true, status: res.status });
    if (!options.json)
      io.err(`${existing ? 'updated' : 'created'} ${tool.definition.name} (${write.method} ${res.status})\n`);
  }
  const shown = requests.map((r) => mask(r, token));
  if (options.json) printJson(io, { dryRun: Boolean(options.dryRun), requests: shown });
  else if (options.dryRun) {
    for (const r of shown) {
      io.out(
        `${r.sent ? '' : '(not sent) '}${r.method} ${r.url}\n  X-Access-Token: ${r.headers['X-Access-Token']}\n`,
      );
      if (r.body) io.out(`${JSON.stringify(r.body, null, 2).replace(/^/gm, '  ')}\n`);
    }
  }
  return 0;
}

/** What a JSON value looks like, for an error message: its type, or an object's keys. */
function describeShape(value: unknown): string {
  if (value === null || value === undefined) return 'no JSON body';
  if (typeof value !== 'object') return typeof value;
  return `an object with keys ${Object.keys(value).slice(0, 8).join(', ') || '(none)'}`;
}

/** An error body may echo what was sent: never print a webhookSecret or an access token back. */
function redact(text: string): string {
  return text
    .replace(/("webhookSecret"\s*:\s*")[^"]*"/g, '$1****"')
    .replace(/happ_[A-Za-z0-9_-]+/g, 'happ_****');
}

function headers(token: string): Record<string, string> {
  return { 'X-Access-Token': token, 'content-type': 'application/json' };
}

/** The id of the assistant's tool with this name, or undefined. */
async function findTool(
  base: string,
  token: string,
  assistantId: string,
  name: string,
  log: ApiRequest[],
): Promise<string | undefined> {
  const url = `${base}/api/assistant-tools?${new URLSearchParams({ assistantId, name })}`;
  const res = await happFetch('GET', url, token);
  log.push({ method: 'GET', url, headers: headers(token), sent: true, status: res.status });
  // Happ does not document the list's shape: an array, or one wrapped in data / items / tools.
  const body = res.json as unknown;
  const list = Array.isArray(body)
    ? body
    : ((body as Record<string, unknown> | null)?.data ??
      (body as Record<string, unknown> | null)?.items ??
      (body as Record<string, unknown> | null)?.tools);
  // An unknown shape must not read as "not found": that would create a duplicate on every run.
  if (!Array.isArray(list)) {
    throw new CliError(
      `Happ's tool list (GET ${new URL(url).pathname}) came back in a shape this CLI does not know (${describeShape(body)}): expected an array, or one under data, items or tools. Nothing was created or updated`,
    );
  }
  const match = list.find((t) => (t as { name?: unknown })?.name === name) as
    { id?: unknown; _id?: unknown } | undefined;
  const id = match?.id ?? match?._id;
  return id === undefined ? undefined : String(id);
}

async function happFetch(
  method: string,
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: headers(token),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliError(
      `${method} ${new URL(url).pathname} failed: ${(error as Error).message} (is ${new URL(url).origin} reachable? --api-url)`,
    );
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    throw new CliError(
      `Happ refused the access token (${res.status} on ${method} ${new URL(url).pathname}): check ${ACCESS_TOKEN_ENV} (a happ_… token with access to this assistant)`,
    );
  }
  if (res.status < 200 || res.status > 299) {
    throw new CliError(
      `Happ answered ${res.status} to ${method} ${new URL(url).pathname}: ${redact(text).slice(0, 300)}`,
    );
  }
  try {
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: res.status, json: undefined };
  }
}

/** The request as printed: token and secret masked. */
function mask(request: ApiRequest, token: string): ApiRequest {
  const masked = `${token.slice(0, Math.min(5, Math.floor(token.length / 3)))}…${'*'.repeat(4)}`;
  return {
    ...request,
    headers: { ...request.headers, 'X-Access-Token': masked },
    ...(request.body
      ? { body: { ...request.body, ...(request.body.webhookSecret ? { webhookSecret: '****' } : {}) } }
      : {}),
  };
}
