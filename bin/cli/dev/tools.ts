/**
 * `happ-webhooks dev --tool name=./file.ts`: serves tools on the dev gateway next to /chat and /call.
 * Each tool module is loaded like `--handler` (TypeScript compiled in memory) and wrapped exactly as
 * the construct wraps it (`toolEntryHandler`: the signature is verified before its code runs), with its
 * own generated secret in the local Secrets Manager, at `/tools/<name>`. Every call is printed:
 * method, parameters, status, answer and time.
 */
import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import { CliError } from '../errors';
import type { GatewayExchange, ProxyHandler } from './gateway';
import { loadHandler } from './handler-loader';

const NAME_RE = /^[a-zA-Z0-9_-]{1,64}$/;

export interface DevToolSpec {
  readonly name: string;
  readonly file: string;
}

export interface DevTool extends DevToolSpec {
  readonly path: string;
  readonly secret: string;
  readonly secretArn: string;
  readonly handler: ProxyHandler;
}

/** `name=./file.ts` → { name, file }; the name as Happ's tool names (1–64 of a-z A-Z 0-9 _ -). */
export function parseToolSpec(spec: string): DevToolSpec {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq) : '';
  const file = eq > 0 ? spec.slice(eq + 1) : '';
  if (!NAME_RE.test(name) || !file) {
    throw new CliError(
      `--tool must be name=./file.ts with a name of 1–64 of a-z A-Z 0-9 _ - (given "${spec}")`,
    );
  }
  return { name, file };
}

type Runtime = typeof import('../../../lambda/runtime');

export interface DevTools {
  readonly tools: readonly DevTool[];
  /** The gateway handler: /tools/<name> to its tool, everything else to `fallback`. */
  route(fallback: ProxyHandler): ProxyHandler;
  /** The printed line and JSON fields of an exchange with a tool, or undefined for other paths. */
  describe(exchange: GatewayExchange): { fields: Record<string, unknown>; human: string } | undefined;
}

export async function loadDevTools(
  specs: readonly string[],
  deps: { runtime: Runtime; setSecret: (name: string, value: string) => string; secret?: string },
): Promise<DevTools> {
  const tools: DevTool[] = [];
  for (const spec of specs.map(parseToolSpec)) {
    if (tools.some((t) => t.name === spec.name)) throw new CliError(`--tool ${spec.name} is given twice`);
    const loaded = await loadHandler(spec.file).catch((error: Error) => {
      throw new CliError(error.message.replace(/--handler/g, '--tool'));
    });
    const secret = deps.secret ?? randomBytes(24).toString('base64url');
    const secretArn = deps.setSecret(`happ-dev/tool/${spec.name}`, secret);
    const handler = deps.runtime.toolEntryHandler(
      { handler: loaded.lambdaHandler ?? loaded.eventFunction },
      {},
      { name: spec.name, secretArn },
    ) as unknown as ProxyHandler;
    tools.push({
      ...spec,
      file: relative(process.cwd(), loaded.file) || loaded.file,
      path: `/tools/${spec.name}`,
      secret,
      secretArn,
      handler,
    });
  }
  const params = new Map<string, unknown>();
  const byPath = new Map(tools.map((t) => [t.path, t]));
  return {
    tools,
    route: (fallback) => async (event, context) => {
      // REST (1.0) events carry `path`, HTTP API (2.0) events `rawPath`.
      const tool = byPath.get(String(event.path ?? event.rawPath).replace(/\/+$/, ''));
      if (!tool) return fallback(event, context);
      params.set(String((event.requestContext as { requestId?: string })?.requestId), paramsOf(event));
      return tool.handler(event, context);
    },
    describe: (x) => {
      const tool = byPath.get(x.path.replace(/\/+$/, ''));
      if (!tool) return undefined;
      const p = params.get(x.requestId);
      params.delete(x.requestId);
      let answer: unknown = x.body;
      try {
        answer = JSON.parse(x.body);
      } catch {
        // printed as text
      }
      const fields = {
        tool: tool.name,
        method: x.method,
        path: x.path,
        params: p,
        status: x.status,
        answer,
        ms: x.ms,
      };
      const human = `${x.method} ${x.path}  ${JSON.stringify(p)} → ${x.status} ${typeof answer === 'string' ? answer : JSON.stringify(answer)}  ${x.ms} ms`;
      return { fields, human };
    },
  };
}

/** The parameters as the tool helper reads them: the JSON body, or the query of a body-less GET. */
function paramsOf(event: Record<string, unknown>): unknown {
  const body = event.body as string | null;
  if (!body) return (event.queryStringParameters as Record<string, string> | null) ?? {};
  const text = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
