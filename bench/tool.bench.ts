/**
 * Benchmark — tool webhooks (issue 13). The assistant waits on every tool call, so this path is
 * user-facing. Everything is measured in this process (or in fresh node processes for cold starts),
 * interleaved, against a baseline in the same run:
 *
 *  1. Per call, at 4 KiB of parameters: a bare handler answering the same JSON (no verification) vs
 *     design (a) `happTool` (verify + parse + serialise; with and without schema validation) vs
 *     design (b) a verifying (and validating) proxy that invokes the user's function through the Lambda Invoke API
 *     (the real SDK client against a local Invoke endpoint running the bare handler: the hop's own
 *     cost on loopback, a lower bound of what a second Lambda costs in AWS). Secrets are cached (the
 *     steady state); stdout (Powertools' log line and EMF metrics per call) goes to a sink, so their
 *     serialisation counts and terminal I/O does not.
 *  2. Cold start: bundle bytes and `require()` time of the bare handler, the wrapped tool (a), and
 *     the proxy (b) (which in AWS runs in addition to the user's own function).
 *  3. Cost per million calls (a model from Lambda's prices): (b) bills two invocations and the proxy's
 *     duration while it waits for the user's function.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { LocalSecretsManagerServer } from '../bin/local/secrets-manager-server';
import { TOOL_ESBUILD_OPTIONS, toolBundleWiring } from '../lib/private/tool-bundle';
import { signToolRequest } from '../lambda/shared/tool-signature';
import { SCHEMA } from './fixtures/schema';
import { median, round, summarize } from './stats';

export interface ToolCallStats {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

export interface ToolBundleStats {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly requireMsP50: number;
}

export interface ToolBenchResults {
  readonly paramsBytes: number;
  readonly callsPerVariant: number;
  readonly perCall: Record<'bare' | 'helper' | 'helperWithSchema' | 'proxy', ToolCallStats>;
  /** Our own code per call (design a, with schema) minus the bare handler, µs. Target: p99 < 1000. */
  readonly helperOverheadUs: { p50: number; p99: number };
  /** Design (b)'s proxy per call minus the bare handler, µs (loopback Invoke: a lower bound). */
  readonly proxyOverheadUs: { p50: number; p99: number };
  readonly coldStart: Record<'bare' | 'wrapped' | 'proxy', ToolBundleStats> & {
    readonly runs: number;
    /** wrapped / bare. */
    readonly wrappedVsBare: { bytes: number; requireMs: number };
    /** (proxy + bare) / wrapped: design (b) starts two functions on a cold path. */
    readonly proxyPlusBareVsWrapped: { bytes: number; requireMs: number };
  };
  /** USD per million calls, arm64 at 512 MB, for a tool whose own work takes `toolMs`. */
  readonly costPerMillion: { toolMs: number; oneHop: number; proxy: number; ratio: number }[];
}

/** Lambda arm64 prices (us-east-1, checked 2026-12): per GB-second and per request. */
const PRICE_GB_SECOND_ARM = 0.0000133334;
const PRICE_PER_REQUEST = 0.2 / 1e6;

function params4k(): Record<string, unknown> {
  const notes = 'x'.repeat(4096 - 60);
  return { orderId: 'o-123456', customer: 'c-42', notes };
}

function eventFor(body: string, secret: string): APIGatewayProxyEvent {
  return {
    resource: '/tools/lookup',
    path: '/tools/lookup',
    httpMethod: 'POST',
    headers: { 'x-happ-signature': signToolRequest(body, {}, secret) },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

/** A local Lambda Invoke endpoint (`POST /2015-03-31/functions/{name}/invocations`) running `handler`. */
async function startInvokeEndpoint(
  handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handler(JSON.parse(Buffer.concat(chunks).toString('utf8')) as APIGatewayProxyEvent).then((out) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        res.end(JSON.stringify(out));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function buildBundles(
  root: string,
  tmpDir: string,
): Promise<Record<'bare' | 'wrapped' | 'proxy', string>> {
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const out = join(tmpDir, 'tool-bundles');
  mkdirSync(out, { recursive: true });
  const fixtures = join(root, 'bench', 'fixtures');
  const files = {
    bare: join(out, 'bare.js'),
    wrapped: join(out, 'wrapped.js'),
    proxy: join(out, 'proxy.js'),
  };
  const wiring = toolBundleWiring(join(fixtures, 'user-tool.ts'), SCHEMA);
  await esbuild.build({
    ...TOOL_ESBUILD_OPTIONS,
    mainFields: [...TOOL_ESBUILD_OPTIONS.mainFields],
    entryPoints: [join(fixtures, 'bare-tool.ts')],
    outfile: files.bare,
    logLevel: 'warning',
  });
  await esbuild.build({
    ...TOOL_ESBUILD_OPTIONS,
    mainFields: [...TOOL_ESBUILD_OPTIONS.mainFields],
    entryPoints: [join(root, 'lambda', 'runtime', 'tool-entry.ts')],
    outfile: files.wrapped,
    define: wiring.define,
    alias: wiring.alias,
    logLevel: 'warning',
  });
  await esbuild.build({
    ...TOOL_ESBUILD_OPTIONS,
    mainFields: [...TOOL_ESBUILD_OPTIONS.mainFields],
    entryPoints: [join(fixtures, 'proxy-tool.ts')],
    outfile: files.proxy,
    logLevel: 'warning',
  });
  return files;
}

function requireTime(file: string): Promise<number> {
  const script = `const t0=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t0));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, AWS_REGION: 'us-east-1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(text)) : reject(new Error(`require ${file} exited ${code}`)),
    );
  });
}

function stats(samples: number[]): ToolCallStats {
  const s = summarize(samples);
  return { p50Us: round(s.p50 * 1000), p99Us: round(s.p99 * 1000), meanUs: round(s.mean * 1000) };
}

export async function benchTool(
  root: string,
  tmpDir: string,
  options: { quick: boolean },
): Promise<ToolBenchResults> {
  const calls = options.quick ? 400 : 5000;
  const secret = 'bench-tool-secret-0123456789';
  const sm = new LocalSecretsManagerServer();
  const previousEndpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await sm.start();
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  const secretArn = sm.setSecret('bench/tool', secret);

  const { happTool } = await import('../lambda/runtime/tool');
  const { handler: bare } = await import('./fixtures/bare-tool');
  const { lookup } = await import('./fixtures/lookup');
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const invoke = await startInvokeEndpoint(bare);
  const lambdaClient = new LambdaClient({ endpoint: invoke.url, region: 'us-east-1' });

  const base = { name: 'lookup', secretArn, idempotency: false as const };
  const helper = happTool((p: { orderId: string }) => lookup(p), base);
  const helperWithSchema = happTool((p: { orderId: string }) => lookup(p), { ...base, schema: SCHEMA });
  const proxy = happTool(
    async (_p, ctx) => {
      const out = await lambdaClient.send(
        new InvokeCommand({
          FunctionName: 'user-tool',
          Payload: Buffer.from(
            JSON.stringify({ body: ctx.rawRequest.body.toString('base64'), isBase64Encoded: true }),
          ),
        }),
      );
      const result = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as APIGatewayProxyResult;
      return JSON.parse(result.body) as unknown;
    },
    { ...base, schema: SCHEMA },
  );

  const body = JSON.stringify(params4k());
  const event = eventFor(body, secret);
  type Call = (e: never, c: never) => Promise<APIGatewayProxyResult>;
  const variants: Record<'bare' | 'helper' | 'helperWithSchema' | 'proxy', Call> = {
    bare: bare as Call,
    helper: helper as Call,
    helperWithSchema: helperWithSchema as Call,
    proxy: proxy as Call,
  };
  const samples: Record<keyof typeof variants, number[]> = {
    bare: [],
    helper: [],
    helperWithSchema: [],
    proxy: [],
  };
  const write = process.stdout.write.bind(process.stdout);
  let sunk = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    sunk += chunk.length;
    return true;
  }) as typeof process.stdout.write;
  try {
    // Warm up: secrets fetched and cached, schemas compiled, JIT warm.
    for (let i = 0; i < 200; i++)
      for (const fn of Object.values(variants)) await fn(event as never, undefined as never);
    for (let i = 0; i < calls; i++) {
      for (const [name, fn] of Object.entries(variants) as [
        keyof typeof variants,
        (e: never, c: never) => Promise<APIGatewayProxyResult>,
      ][]) {
        const t0 = performance.now();
        const res = await fn(event as never, undefined as never);
        samples[name].push(performance.now() - t0);
        if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode}: ${res.body}`);
      }
    }
  } finally {
    process.stdout.write = write;
    invoke.server.close();
    lambdaClient.destroy();
    await sm.stop();
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previousEndpoint;
  }
  void sunk;
  const perCall = {
    bare: stats(samples.bare),
    helper: stats(samples.helper),
    helperWithSchema: stats(samples.helperWithSchema),
    proxy: stats(samples.proxy),
  };

  // Cold start: fresh node processes, interleaved.
  const files = await buildBundles(root, tmpDir);
  const runs = options.quick ? 5 : 21;
  const times: Record<keyof typeof files, number[]> = { bare: [], wrapped: [], proxy: [] };
  for (let i = 0; i < runs; i++) {
    for (const name of Object.keys(files) as (keyof typeof files)[])
      times[name].push(await requireTime(files[name]));
  }
  const bundle = (name: keyof typeof files): ToolBundleStats => {
    const bytes = statSync(files[name]).size;
    return {
      bytes,
      gzipBytes: gzipSync(readFileSync(files[name])).length,
      requireMsP50: round(median(times[name])),
    };
  };
  const cold = { bare: bundle('bare'), wrapped: bundle('wrapped'), proxy: bundle('proxy') };

  // Cost model: (a) one invocation lasting the tool's work + our overhead; (b) two invocations, the
  // proxy billed while it waits (its own overhead + the hop + the user's whole duration).
  const gb = 0.5;
  const msOverheadA = perCall.helperWithSchema.p50Us / 1000 - perCall.bare.p50Us / 1000;
  const msOverheadB = perCall.proxy.p50Us / 1000 - perCall.bare.p50Us / 1000;
  const cost = [10, 100, 1000].map((toolMs) => {
    const oneHop = 1e6 * (PRICE_PER_REQUEST + gb * ((toolMs + msOverheadA) / 1000) * PRICE_GB_SECOND_ARM);
    const proxyCost =
      1e6 * (2 * PRICE_PER_REQUEST + gb * ((toolMs + (toolMs + msOverheadB)) / 1000) * PRICE_GB_SECOND_ARM);
    return {
      toolMs,
      oneHop: round(oneHop, 3),
      proxy: round(proxyCost, 3),
      ratio: round(proxyCost / oneHop, 3),
    };
  });

  return {
    paramsBytes: Buffer.byteLength(body),
    callsPerVariant: calls,
    perCall,
    helperOverheadUs: {
      p50: round(perCall.helperWithSchema.p50Us - perCall.bare.p50Us),
      p99: round(perCall.helperWithSchema.p99Us - perCall.bare.p99Us),
    },
    proxyOverheadUs: {
      p50: round(perCall.proxy.p50Us - perCall.bare.p50Us),
      p99: round(perCall.proxy.p99Us - perCall.bare.p99Us),
    },
    coldStart: {
      ...cold,
      runs,
      wrappedVsBare: {
        bytes: round(cold.wrapped.bytes / cold.bare.bytes, 3),
        requireMs: round(cold.wrapped.requireMsP50 / cold.bare.requireMsP50, 3),
      },
      proxyPlusBareVsWrapped: {
        bytes: round((cold.proxy.bytes + cold.bare.bytes) / cold.wrapped.bytes, 3),
        requireMs: round((cold.proxy.requireMsP50 + cold.bare.requireMsP50) / cold.wrapped.requireMsP50, 3),
      },
    },
    costPerMillion: cost,
  };
}
