/**
 * Benchmark 2 — the whole verifier, warm: the bundled handler (dist/lambda/verifier/index.js, the
 * artifact the construct deploys) configured from the environment exactly as in Lambda, against
 * dynalite + fauxqs + the Secrets Manager stub running in a child process. Requests run one at a
 * time (one Lambda container serves one request at a time). For each request:
 *   total      wall time of `await handler(event, context)`
 *   AWS wait   time with at least one HTTP request to an emulator in flight (bench/aws-meter.ts)
 *   ours       total − AWS wait: our code, Powertools, and the SDK's own work (serialise, sign, parse)
 *   CPU        process CPU time (user + system) of this process — the emulators run elsewhere
 * plus AWS calls per request by service, and log bytes written per request (what CloudWatch Logs
 * would ingest from the function, before Lambda's own START/END/REPORT lines).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { AwsMeter } from './aws-meter';
import { BASELINE_COMMIT, baselineVerifierBundle } from './baseline';
import { LAMBDA_PLATFORM_LOG_BYTES, type CostInputs } from './cost-model';
import { startEmulators, type EmulatorInfo } from './emulators';
import { attribute, profile } from './profile';
import { makeBody } from './signature.bench';
import { round, summarize, type Summary } from './stats';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

export interface ScenarioResult {
  readonly name: string;
  readonly bodyBytes: number;
  readonly requests: number;
  readonly expectedStatus: number;
  readonly totalMs: Summary;
  readonly awsWaitMs: Summary;
  readonly oursMs: Summary;
  readonly cpuMsPerRequest: number;
  readonly requestsPerSecond: number;
  /** Share of the mean total spent outside AWS calls (0..1). */
  readonly oursShare: number;
  readonly awsCallsPerRequest: Record<string, number>;
  readonly logBytesPerRequest: number;
}

export interface CpuBreakdown {
  /** Requests profiled (new deliveries, 16 KiB). */
  readonly requests: number;
  /** CPU µs per request by where the code comes from (self time; profiler overhead included). */
  readonly microsPerRequest: Record<string, number>;
}

export interface HandlerResults {
  readonly bundle: string;
  /** Where the CPU time of a new 16 KiB delivery goes (unminified build of the same bundle). */
  readonly cpuBreakdown?: CpuBreakdown;
  readonly firstRequestMs: number;
  readonly firstRequestAwsCalls: Record<string, number>;
  readonly scenarios: ScenarioResult[];
  /** What the cost model takes from these measurements. */
  readonly costInputs: Partial<CostInputs>;
  /**
   * Today's handler against the one before the response budget (same bodies, same process,
   * interleaved rounds): ratio > 1 = today's is slower. New deliveries of 16 KiB.
   */
  readonly budgetCost?: BudgetCost | { skipped: string };
  /** The same new 16 KiB deliveries as HTTP API (2.0) events against REST (1.0) events: 2.0 / 1.0. */
  readonly eventShapes?: EventShapeRatio;
}

export interface EventShapeRatio {
  /** Pairs measured (one 1.0 and one 2.0 event each). */
  readonly pairs: number;
  readonly p50Ratio: number;
  readonly p99Ratio: number;
  readonly oursP50Ratio: number;
  readonly cpuRatio: number;
}

export interface BudgetCost {
  readonly baselineCommit: string;
  readonly p50Ratio: number;
  readonly p99Ratio: number;
  readonly oursP50Ratio: number;
  readonly cpuRatio: number;
}

interface Scenario {
  readonly name: string;
  readonly bodyBytes: number;
  readonly requests: number;
  readonly expectedStatus: number;
  readonly event: (n: number) => unknown;
  /** Another handler than the bundle under test (the baseline). */
  readonly handler?: Handler;
}

export async function benchHandler(
  root: string,
  tmpDir: string,
  options: { quick?: boolean } = {},
): Promise<HandlerResults | { skipped: string }> {
  // BENCH_VERIFIER_BUNDLE points at another build of the verifier (e.g. an unminified one to profile).
  const bundle = resolve(
    process.env.BENCH_VERIFIER_BUNDLE ?? join(root, 'dist', 'lambda', 'verifier', 'index.js'),
  );
  if (!existsSync(bundle)) return { skipped: `${bundle} does not exist (run npm run build)` };

  const emulators = await startEmulators(tmpDir);
  const restoreEnv = { ...process.env };
  const meter = new AwsMeter();
  try {
    const info = emulators.info;
    configureEnvironment(info);
    const handler = loadHandler(bundle);
    const baseline = process.env.BENCH_VERIFIER_BUNDLE
      ? { skipped: 'BENCH_VERIFIER_BUNDLE is set' }
      : await baselineVerifierBundle(root, tmpDir);
    const baselineHandler = 'bundle' in baseline ? loadHandler(baseline.bundle) : undefined;
    const context = (n: number) => ({
      awsRequestId: `bench-${n}`,
      functionName: 'bench-verifier',
      getRemainingTimeInMillis: () => 10_000,
    });
    const scale = options.quick ? 0.1 : 1;
    const count = (n: number) => Math.max(20, Math.round(n * scale));

    // Pre-built bodies and signatures: nothing of the sender's work is timed.
    const bodies = (bytes: number, n: number) =>
      Array.from({ length: n }, (_, i) => uniqueBody(bytes, i)).map((body) => ({
        body,
        signature: `sha256=${createHmac('sha256', info.secret).update(body).digest('hex')}`,
      }));
    const scenarios: Scenario[] = [];
    let firstEvent: unknown;
    for (const bytes of [1024, 16 * 1024]) {
      const fresh = bodies(bytes, count(1500) + 1);
      scenarios.push({
        name: `new delivery ${bytes / 1024} KiB`,
        bodyBytes: bytes,
        requests: fresh.length - 1,
        expectedStatus: 202,
        event: (n) => apiGatewayEvent('/call', fresh[n + 1]),
      });
      if (bytes === 16 * 1024) {
        scenarios.push({
          name: `duplicate ${bytes / 1024} KiB`,
          bodyBytes: bytes,
          requests: count(500),
          expectedStatus: 200,
          event: () => apiGatewayEvent('/call', fresh[0]), // accepted once before the loop
        });
        scenarios.push({
          name: `bad signature ${bytes / 1024} KiB`,
          bodyBytes: bytes,
          requests: count(500),
          expectedStatus: 401,
          event: () =>
            apiGatewayEvent('/call', { body: fresh[0].body, signature: `sha256=${'0'.repeat(64)}` }),
        });
        // The duplicate scenario replays fresh[0]: accept it first (as the container's first request).
        firstEvent = apiGatewayEvent('/call', fresh[0]);
        if (baselineHandler) {
          const other = bodies(bytes, count(1500));
          scenarios.push({
            name: BASELINE_SCENARIO,
            bodyBytes: bytes,
            requests: other.length,
            expectedStatus: 202,
            event: (n) => apiGatewayEvent('/call', other[n]),
            handler: baselineHandler,
          });
        }
      }
    }

    const capture = captureStdout();
    meter.start();
    let firstRequestMs: number;
    let firstRequestAwsCalls: Record<string, number>;
    try {
      // First request of the container: fetches the secret, opens connections.
      meter.reset();
      const t0 = performance.now();
      const first = await handler(firstEvent, context(0));
      firstRequestMs = performance.now() - t0;
      firstRequestAwsCalls = named(meter.counts(), info);
      if (first.statusCode !== 202)
        throw new Error(`first request answered ${first.statusCode}: ${first.body}`);
    } finally {
      capture.restore();
    }

    // Warm-up outside the measurement (JIT), with bodies of its own (new deliveries).
    const warmCapture = captureStdout();
    try {
      const warm = [...bodies(1024, 150), ...bodies(16 * 1024, 150)];
      for (let i = 0; i < warm.length; i++) await handler(apiGatewayEvent('/call', warm[i]), context(i));
      if (baselineHandler) {
        const warmBaseline = [...bodies(1024, 150), ...bodies(16 * 1024, 150)];
        for (let i = 0; i < warmBaseline.length; i++) {
          await baselineHandler(apiGatewayEvent('/call', warmBaseline[i]), context(i));
        }
      }
    } finally {
      await new Promise((resolve) => setImmediate(resolve));
      warmCapture.restore();
    }
    // Scenarios run in interleaved rounds, so warm-up and drift (other work on the machine)
    // spread evenly over them instead of favouring the last one.
    const rounds = 3;
    const parts: Record<string, PartialRun[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const scenario of scenarios) {
        await emulators.purge();
        const from = Math.floor((scenario.requests * r) / rounds);
        const to = Math.floor((scenario.requests * (r + 1)) / rounds);
        (parts[scenario.name] ??= []).push(
          await runPart(scenario.handler ?? handler, scenario, from, to, meter, context, info),
        );
      }
    }
    const all = scenarios.map((scenario) => combine(scenario, parts[scenario.name]));
    const results = all.filter((r) => r.name !== BASELINE_SCENARIO);
    const baselineResult = all.find((r) => r.name === BASELINE_SCENARIO);
    meter.stop();

    const main = results.find((r) => r.name === 'new delivery 16 KiB') as ScenarioResult;
    // Payload format 2.0 against 1.0: new 16 KiB deliveries in pairs, one of each shape back to back
    // (order alternating), so load on the machine falls on both alike. > 1 = 2.0 is slower.
    await emulators.purge();
    const eventShapes = await pairedEventShapes(
      handler,
      bodies(16 * 1024, count(1000)).map((d, i) =>
        i % 2 === 0 ? apiGatewayEvent('/call', d) : httpApiEvent('/call', d),
      ),
      meter,
      context,
    );
    const calls = main.awsCallsPerRequest;
    const budgetCost: BudgetCost | { skipped: string } = baselineResult
      ? {
          baselineCommit: BASELINE_COMMIT,
          p50Ratio: round(main.totalMs.p50 / baselineResult.totalMs.p50, 3),
          p99Ratio: round(main.totalMs.p99 / baselineResult.totalMs.p99, 3),
          oursP50Ratio: round(main.oursMs.p50 / baselineResult.oursMs.p50, 3),
          cpuRatio: round(main.cpuMsPerRequest / baselineResult.cpuMsPerRequest, 3),
        }
      : { skipped: 'skipped' in baseline ? baseline.skipped : 'no baseline' };
    const cpuBreakdown = await profileNewDeliveries(
      root,
      tmpDir,
      scale,
      (n) => bodies(16 * 1024, n),
      context,
    );
    return {
      bundle,
      cpuBreakdown,
      firstRequestMs: round(firstRequestMs),
      firstRequestAwsCalls,
      scenarios: results,
      budgetCost,
      eventShapes,
      costInputs: {
        verifierCpuMs: round(main.cpuMsPerRequest, 3),
        verifierAwsWaitMs: assumedAwsWaitMs(calls),
        verifierWritesPerDelivery: calls.DynamoDB ?? 0,
        logBytesPerRequest: Math.round(
          main.logBytesPerRequest + LAMBDA_PLATFORM_LOG_BYTES + ACCESS_LOG_BYTES,
        ),
      },
    };
  } finally {
    meter.stop();
    await emulators.stop();
    for (const key of Object.keys(process.env)) if (!(key in restoreEnv)) delete process.env[key];
    Object.assign(process.env, restoreEnv);
  }
}

const BASELINE_SCENARIO = `new delivery 16 KiB, baseline ${BASELINE_COMMIT}`;

// Lambda's START, END and REPORT lines per invocation (approximate bytes; not measurable here).
export { LAMBDA_PLATFORM_LOG_BYTES };
/** One API Gateway access-log line in a JSON format like the construct's (approximate). */
export const ACCESS_LOG_BYTES = 350;
/**
 * Typical in-region latencies of one call (ms) — assumptions, not measured here: the emulators
 * answer in well under a millisecond, AWS does not.
 */
export const ASSUMED_AWS_CALL_MS: Record<string, number> = {
  DynamoDB: 6,
  SNS: 15,
  S3: 20,
  SecretsManager: 15,
};

function assumedAwsWaitMs(calls: Record<string, number>): number {
  let total = 0;
  for (const [service, n] of Object.entries(calls)) total += n * (ASSUMED_AWS_CALL_MS[service] ?? 10);
  return round(total, 3);
}

interface PartialRun {
  total: number[];
  wait: number[];
  ours: number[];
  calls: Record<string, number>;
  cpuMicros: number;
  wallMs: number;
  logBytes: number;
}

async function runPart(
  handler: Handler,
  scenario: Scenario,
  from: number,
  to: number,
  meter: AwsMeter,
  context: (n: number) => unknown,
  info: EmulatorInfo,
): Promise<PartialRun> {
  const part: PartialRun = { total: [], wait: [], ours: [], calls: {}, cpuMicros: 0, wallMs: 0, logBytes: 0 };
  const capture = captureStdout();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  try {
    for (let n = from; n < to; n++) {
      const event = scenario.event(n);
      meter.reset();
      const t0 = performance.now();
      const response = await handler(event, context(n + 1));
      const t1 = performance.now();
      if (response.statusCode !== scenario.expectedStatus) {
        throw new Error(`${scenario.name}: request ${n} answered ${response.statusCode}: ${response.body}`);
      }
      const w = meter.waitMs(t1);
      part.total.push(t1 - t0);
      part.wait.push(w);
      part.ours.push(t1 - t0 - w);
      for (const [k, v] of Object.entries(named(meter.counts(), info)))
        part.calls[k] = (part.calls[k] ?? 0) + v;
    }
  } finally {
    part.wallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    part.cpuMicros = cpu.user + cpu.system;
    await new Promise((resolve) => setImmediate(resolve)); // let pending log writes land
    capture.restore();
    part.logBytes = capture.bytes;
  }
  return part;
}

/** Events alternate 1.0, 2.0, 1.0, …; each pair runs in alternating order. Ratios are 2.0 / 1.0. */
async function pairedEventShapes(
  handler: Handler,
  events: unknown[],
  meter: AwsMeter,
  context: (n: number) => unknown,
): Promise<EventShapeRatio> {
  const samples = {
    v1: { total: [] as number[], ours: [] as number[], cpu: 0 },
    v2: { total: [] as number[], ours: [] as number[], cpu: 0 },
  };
  const capture = captureStdout();
  try {
    for (let pair = 0; pair + 1 < events.length; pair += 2) {
      const order: Array<[keyof typeof samples, unknown]> = [
        ['v1', events[pair]],
        ['v2', events[pair + 1]],
      ];
      if ((pair / 2) % 2 === 1) order.reverse();
      for (const [shape, event] of order) {
        meter.reset();
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const response = await handler(event, context(10_000 + pair));
        const t1 = performance.now();
        const cpu = process.cpuUsage(cpu0);
        if (response.statusCode !== 202) {
          throw new Error(`event shape ${shape}: answered ${response.statusCode}: ${response.body}`);
        }
        samples[shape].total.push(t1 - t0);
        samples[shape].ours.push(t1 - t0 - meter.waitMs(t1));
        samples[shape].cpu += cpu.user + cpu.system;
      }
    }
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    capture.restore();
  }
  const [v1, v2] = [summarize(samples.v1.total), summarize(samples.v2.total)];
  return {
    pairs: samples.v1.total.length,
    p50Ratio: round(v2.p50 / v1.p50, 3),
    p99Ratio: round(v2.p99 / v1.p99, 3),
    oursP50Ratio: round(summarize(samples.v2.ours).p50 / summarize(samples.v1.ours).p50, 3),
    cpuRatio: round(samples.v2.cpu / samples.v1.cpu, 3),
  };
}

function combine(scenario: Scenario, parts: PartialRun[]): ScenarioResult {
  const total = parts.flatMap((p) => p.total);
  const wait = parts.flatMap((p) => p.wait);
  const ours = parts.flatMap((p) => p.ours);
  const n = total.length;
  const sum = (f: (p: PartialRun) => number) => parts.reduce((a, p) => a + f(p), 0);
  const calls: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.calls)) calls[k] = (calls[k] ?? 0) + v;
  const perRequest: Record<string, number> = {};
  for (const [k, v] of Object.entries(calls)) perRequest[k] = round(v / n, 3);
  return {
    name: scenario.name,
    bodyBytes: scenario.bodyBytes,
    requests: n,
    expectedStatus: scenario.expectedStatus,
    totalMs: roundSummary(summarize(total)),
    awsWaitMs: roundSummary(summarize(wait)),
    oursMs: roundSummary(summarize(ours)),
    cpuMsPerRequest: round(sum((p) => p.cpuMicros) / 1000 / n),
    requestsPerSecond: round((n / sum((p) => p.wallMs)) * 1000),
    oursShare: round(ours.reduce((a, b) => a + b, 0) / total.reduce((a, b) => a + b, 0), 3),
    awsCallsPerRequest: perRequest,
    logBytesPerRequest: round(sum((p) => p.logBytes) / n),
  };
}

/**
 * Profiles new 16 KiB deliveries through an unminified build of the verifier (same esbuild options
 * otherwise), so each sample maps to the package it came from.
 */
async function profileNewDeliveries(
  root: string,
  tmpDir: string,
  scale: number,
  makeBodies: (n: number) => { body: Buffer; signature: string }[],
  context: (n: number) => unknown,
): Promise<CpuBreakdown> {
  const { BUNDLE_OPTIONS } = (await import(pathToFileURL(join(root, 'scripts', 'bundle.mjs')).href)) as {
    BUNDLE_OPTIONS: Record<string, unknown>;
  };
  const esbuild = (await import('esbuild')) as unknown as {
    build(o: Record<string, unknown>): Promise<unknown>;
  };
  const outfile = join(tmpDir, 'profile', 'verifier', 'index.js');
  await esbuild.build({
    ...BUNDLE_OPTIONS,
    minify: false,
    sourcemap: false,
    absWorkingDir: root,
    entryPoints: [join(root, 'lambda', 'verifier', 'index.ts')],
    outfile,
  });
  const handler = loadHandler(outfile);
  const requests = Math.max(50, Math.round(600 * scale));
  const all = makeBodies(200 + requests);
  const capture = captureStdout();
  try {
    for (let i = 0; i < 200; i++) await handler(apiGatewayEvent('/call', all[i]), context(i));
    const { profile: cpu } = await profile(async () => {
      for (let i = 200; i < all.length; i++) {
        const res = await handler(apiGatewayEvent('/call', all[i]), context(i));
        if (res.statusCode !== 202)
          throw new Error(`profiled request answered ${res.statusCode}: ${res.body}`);
      }
    });
    const ms = attribute(cpu, readFileSync(outfile, 'utf8'), 'profile/verifier/index.js');
    const microsPerRequest: Record<string, number> = {};
    for (const [group, t] of Object.entries(ms).sort((a, b) => b[1] - a[1])) {
      microsPerRequest[group] = Math.round((t * 1000) / requests);
    }
    return { requests, microsPerRequest };
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    capture.restore();
  }
}

function roundSummary(s: Summary): Summary {
  return {
    n: s.n,
    mean: round(s.mean),
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    min: round(s.min),
    max: round(s.max),
  };
}

/** host:port → AWS service name. */
function named(counts: Record<string, number>, info: EmulatorInfo): Record<string, number> {
  const services: Record<string, string> = {
    [new URL(info.dynamodbEndpoint).port]: 'DynamoDB',
    [new URL(info.fauxqsEndpoint).port]: 'SNS/S3',
    [new URL(info.secretsManagerEndpoint).port]: 'SecretsManager',
  };
  const out: Record<string, number> = {};
  for (const [target, n] of Object.entries(counts)) {
    const name = services[target.split(':').pop() as string] ?? target;
    // SNS and S3 share one emulator; below the claim-check threshold only SNS is called.
    const service = name === 'SNS/S3' ? 'SNS' : name;
    out[service] = (out[service] ?? 0) + n;
  }
  return out;
}

function configureEnvironment(info: EmulatorInfo): void {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: info.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SNS: info.fauxqsEndpoint,
    AWS_ENDPOINT_URL_S3: info.fauxqsEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: info.secretsManagerEndpoint,
    HAPP_TABLE_NAME: info.tableName,
    HAPP_TOPIC_ARN: info.topicArn,
    HAPP_BUCKET_NAME: info.bucketName,
    HAPP_CHAT_SECRET_ARN: info.secretArns.chat,
    HAPP_CALL_SECRET_ARN: info.secretArns.call,
    POWERTOOLS_SERVICE_NAME: 'happ-verifier',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_DEV: 'false',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}

function loadHandler(bundle: string): Handler {
  const requireFrom = createRequire(bundle);
  const mod = requireFrom(bundle) as { handler?: Handler };
  if (typeof mod.handler !== 'function') throw new Error(`${bundle} does not export a handler function`);
  return mod.handler;
}

/** A REST API proxy event as API Gateway sends it for POST /call. */
/** The HTTP API event (payload format 2.0) for the same request: lower-case headers, text body. */
function httpApiEvent(path: string, d: { body: Buffer; signature: string }): unknown {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-length': String(d.body.length),
      'content-type': 'application/json',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'Happ-Webhooks/1.0',
      'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      'x-happ-signature': d.signature,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: 'Happ-Webhooks/1.0',
      },
      requestId: randomUUID(),
      routeKey: `POST ${path}`,
      stage: '$default',
      time: '03/Dec/2026:09:00:00 +0000',
      timeEpoch: Date.now(),
    },
    body: d.body.toString('utf8'),
    isBase64Encoded: false,
  };
}

function apiGatewayEvent(resource: string, d: { body: Buffer; signature: string }): unknown {
  const headers = {
    'Content-Type': 'application/json',
    Host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'User-Agent': 'Happ-Webhooks/1.0',
    'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678',
    'X-Forwarded-For': '203.0.113.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    'X-HAPP-Signature': d.signature,
  };
  return {
    resource,
    path: resource,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourcePath: resource,
      httpMethod: 'POST',
      stage: 'prod',
      requestId: randomUUID(),
      identity: { sourceIp: '203.0.113.10', userAgent: 'Happ-Webhooks/1.0' },
    },
    body: d.body.toString('utf8'),
    isBase64Encoded: false,
  };
}

/** A distinct body of exactly `bytes` bytes (so every request is a new delivery). */
function uniqueBody(bytes: number, n: number): Buffer {
  const body = makeBody(bytes);
  const id = `call_${String(n).padStart(10, '0')}_${randomUUID().slice(0, 8)}`;
  const text = body.toString('utf8').replace(/"callId":"[^"]*"/, `"callId":"${id}"`);
  const out = Buffer.from(text);
  // Keep the exact size: trim or pad the transcript tail.
  if (out.length === bytes) return out;
  const fixed = Buffer.from(
    text.replace(/"transcript":"(.*)"}$/, (_m, t: string) => {
      const delta = out.length - bytes;
      return `"transcript":"${delta > 0 ? t.slice(0, t.length - delta) : t + 'x'.repeat(-delta)}"}`;
    }),
  );
  return fixed;
}

/** Counts and swallows what the handler writes to stdout and stderr (log lines, EMF metrics). */
function captureStdout(): { bytes: number; restore: () => void } {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  const state = {
    bytes: 0,
    restore: () => {
      streams.forEach((stream, i) => {
        stream.write = originals[i];
      });
    },
  };
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      state.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof stream.write;
  }
  return state;
}
