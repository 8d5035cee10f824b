/**
 * `happTool`: turns your function into the Lambda handler of a Happ tool webhook.
 *
 * Per request, in this order: read the request (REST or HTTP API event) → verify the HMAC signature
 * with the tool's secret (the shared tolerant scheme; 401 before any of your code runs) → parameters
 * from the JSON body, or from the query string for a GET → validate them against the JSON Schema
 * (400 with the violations) → your function, inside the tool's time budget (idempotent actions: a
 * retried request gets the stored answer of the first) → its result answered as JSON (200).
 * A `HappToolError` is answered as a JSON error the assistant can relay; anything else is a 500 with a
 * generic message and a full log line; a function still running near the deadline is answered with a
 * timeout error (504) by the helper itself, before API Gateway would cut the connection.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { Budget, budgetedClientConfig, withBudget } from '../shared/budget';
import { DEFAULTS, ENV, parseList, requireEnv } from '../shared/env';
import { providerFetch, SecretCache, SecretUnavailableError } from '../shared/secret-cache';
import { MalformedSecretError } from '../shared/secrets';
import { matchSignature, type SignatureEncoding, type SignatureScheme } from '../shared/signature';
import { HappToolError, InvalidToolOptionError } from './tool-errors';
import {
  Answer,
  errorAnswer,
  failed,
  invalidParameters,
  JSON_HEADERS,
  keyedLogger,
  OUTCOME_METRIC,
  unauthorized,
  createToolMetrics,
  type KeyedLogger,
} from './tool-answers';
import { idempotencyKey, idempotencyRunner, TOOL_CLIENT_TIMEOUTS, type ToolOnce } from './tool-idempotency';
import { readToolRequest, signedBytes, type HappToolRequest, type ToolEvent } from './tool-request';
import { compileToolSchema, type ToolSchemaValidator } from './tool-schema';

/** The answer leaves this long before the tool's timeout (serialising and the network need time too). */
export const TOOL_ANSWER_MARGIN_MS = 100;
/** The answer must leave before Lambda stops the function: keep this much of its remaining time. */
export const TOOL_LAMBDA_MARGIN_MS = 250;
/** Lambda's synchronous response limit is 6 MB; answers above this are refused with a 500 and logged. */
export const MAX_TOOL_ANSWER_BYTES = 6 * 1024 * 1024 - 64 * 1024;
/** Least time between two Secrets Manager reads of the secret after a mismatch or a failure. */
export const TOOL_SECRET_REFRESH_INTERVAL_MS = 10_000;
/** With a secret in hand, a refetch is abandoned after this long (the last secret keeps verifying). */
const STALE_FETCH_TIMEOUT_MS = 1_000;

const TOOL_BRAND = Symbol.for('cdk-happ-webhooks.happTool');
const TIMEOUT: unique symbol = Symbol('timeout');

/** What your function gets besides the parameters. */
export interface HappToolContext {
  /** The tool's name. */
  readonly toolName: string;
  /** The request as received (method, path, headers, query, exact body bytes). */
  readonly rawRequest: HappToolRequest;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Query parameters. Signed only for a request without a body (a GET): for other methods the
   * signature covers the body, so do not trust the query of a POST.
   */
  readonly query: Readonly<Record<string, string>>;
  /** The Lambda context (a stand-in with the budget's deadline outside Lambda). */
  readonly lambdaContext: Context;
  /** Ms left before the helper answers a timeout error in your place. */
  remainingMs(): number;
  /** Aborts when the budget runs out: pass it to fetch() and SDK calls you make. */
  readonly signal: AbortSignal;
  /** Powertools Logger with the tool's name and the request id as keys. */
  readonly logger: Logger;
}

/** Your function: typed parameters in, any JSON-serialisable result out. */
export type HappToolFunction<Params = Record<string, unknown>, Result = unknown> = (
  params: Params,
  context: HappToolContext,
) => Promise<Result> | Result;

/** Idempotency of an action tool (retried requests get the stored answer of the first). */
export interface HappToolIdempotencyOptions {
  /** How long an answer is kept for a retry. @default - HAPP_TOOL_IDEMPOTENCY_SECONDS, else 300 */
  readonly expiresAfterSeconds?: number;
  /** The idempotency table. @default - HAPP_TABLE_NAME (set by addTool) */
  readonly tableName?: string;
  /** DynamoDB client of the table. @default - one per container, bounded by the budget */
  readonly dynamoDbClient?: DynamoDBClient;
}

export interface HappToolOptions {
  /**
   * JSON Schema the parameters must match before your function runs (draft 2020-12 / 07 keywords,
   * ajv). For a GET, query values are strings and are coerced to the schema's types.
   * `false`: no validation.
   * @default - the `parameters` schema given to addTool (bundled in by the construct), else none
   */
  readonly schema?: Record<string, unknown> | false;
  /**
   * Retried requests (same signature and signed bytes) get the stored answer of the first, from the
   * receiver's table. `true`/`false` force it; the default follows the construct (HAPP_TOOL_IDEMPOTENT),
   * which turns it on for POST and PATCH actions and post-call tools, off otherwise.
   * @default - HAPP_TOOL_IDEMPOTENT === 'true'
   */
  readonly idempotency?: boolean | HappToolIdempotencyOptions;
  /** The tool's name. @default - HAPP_TOOL_NAME */
  readonly name?: string;
  /** Time from the start of an invocation within which the tool answers. @default - HAPP_TOOL_TIMEOUT_MS, else 10000 */
  readonly timeoutMs?: number;
  /** ARN of the signing secret. @default - HAPP_TOOL_SECRET_ARN */
  readonly secretArn?: string;
  /** @default - a Powertools Logger, service `happ-tool` unless POWERTOOLS_SERVICE_NAME is set */
  readonly logger?: Logger;
  /** @default - Powertools Metrics, namespace HappWebhooks, dimension Tool only */
  readonly metrics?: Metrics;
  /** @default - one per container, bounded by the budget */
  readonly secretsManagerClient?: SecretsManagerClient;
  /**
   * Least time between two reads of the secret after a signature mismatch (to pick up a rotation) or
   * a failure; a flood of bad signatures costs at most one read per interval.
   * @default 10000 (TOOL_SECRET_REFRESH_INTERVAL_MS)
   */
  readonly secretRefreshIntervalMs?: number;
}

/** The Lambda handler `happTool` returns. */
export type HappToolHandler = ((event: ToolEvent, context?: Context) => Promise<APIGatewayProxyResult>) & {
  readonly [TOOL_BRAND]: { readonly fn: HappToolFunction<never, unknown>; readonly options: HappToolOptions };
};

/** Builds the Lambda handler of a tool (see the file comment for what happens per request). */
export function happTool<Params = Record<string, unknown>, Result = unknown>(
  fn: HappToolFunction<Params, Result>,
  options: HappToolOptions = {},
): HappToolHandler {
  if (typeof fn !== 'function') {
    throw new InvalidToolOptionError(
      `happTool expects a function (given ${fn === null ? 'null' : typeof fn})`,
    );
  }
  // An invalid schema fails here, when the tool is created; the compiled validator is kept.
  const validator = validateOptions(options);
  const run = createToolRunner(fn as HappToolFunction<unknown, unknown>, options, validator);
  const handler = ((event: ToolEvent, context?: Context) => run(event, context)) as HappToolHandler;
  Object.defineProperty(handler, TOOL_BRAND, { value: { fn, options }, enumerable: false });
  return handler;
}

/** True for a handler built by `happTool`. */
export function isHappToolHandler(value: unknown): value is HappToolHandler {
  return typeof value === 'function' && TOOL_BRAND in value;
}

/**
 * The handler the construct deploys around the user's module (lambda/runtime/tool-entry.ts): its
 * `handler` (or default) export built with `happTool` is rebuilt with the construct's schema as the
 * default (`overrides` win over the module's options: `happ-webhooks dev` names each tool); a plain
 * function is wrapped with `happTool`. Either way the request is verified before
 * any user code runs. A module exporting neither answers 500 to every request (and logs why).
 */
export function toolEntryHandler(
  userModule: Record<string, unknown>,
  defaults: HappToolOptions = {},
  overrides: HappToolOptions = {},
): HappToolHandler {
  const exported = userModule.handler ?? userModule.default;
  if (isHappToolHandler(exported)) {
    const { fn, options } = exported[TOOL_BRAND];
    return happTool(fn as HappToolFunction<unknown, unknown>, {
      ...defaults,
      ...options,
      ...overrides,
      schema: overrides.schema ?? options.schema ?? defaults.schema,
    });
  }
  if (typeof exported === 'function') {
    return happTool(exported as HappToolFunction<unknown, unknown>, { ...defaults, ...overrides });
  }
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'happ-tool' });
  const problem = `the tool's entry file exports no function named handler (nor a default export); export const handler = happTool(...)`;
  logger.error(problem);
  return happTool(() => {
    throw new Error(problem);
  });
}

/**
 * The settings `receiver.addTool` gives the function (HAPP_TOOL_NAME, HAPP_TOOL_SECRET_ARN,
 * HAPP_TOOL_TIMEOUT_MS), as overrides: a `name`, `secretArn` or `timeoutMs` in the user's module must
 * not win over them (its metrics would miss the alarms, its records the table permission).
 */
export function constructSettings(env: NodeJS.ProcessEnv): HappToolOptions {
  const timeout = Number(env[ENV.TOOL_TIMEOUT_MS]);
  return {
    ...(env[ENV.TOOL_NAME] ? { name: env[ENV.TOOL_NAME] } : {}),
    ...(env[ENV.TOOL_SECRET_ARN] ? { secretArn: env[ENV.TOOL_SECRET_ARN] } : {}),
    ...(Number.isInteger(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}),
  };
}

function validateOptions(options: HappToolOptions): ToolSchemaValidator | undefined {
  const { schema, idempotency, timeoutMs } = options;
  if (
    schema !== undefined &&
    schema !== false &&
    (typeof schema !== 'object' || schema === null || Array.isArray(schema))
  ) {
    throw new InvalidToolOptionError(
      `schema must be a JSON Schema object or false (given ${JSON.stringify(schema)})`,
    );
  }
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1)) {
    throw new InvalidToolOptionError(`timeoutMs must be a whole number of ms >= 1 (given ${timeoutMs})`);
  }
  if (
    idempotency !== undefined &&
    typeof idempotency !== 'boolean' &&
    (typeof idempotency !== 'object' || idempotency === null)
  ) {
    throw new InvalidToolOptionError(
      `idempotency must be true, false or an options object (given ${idempotency})`,
    );
  }
  const seconds = typeof idempotency === 'object' ? idempotency.expiresAfterSeconds : undefined;
  if (seconds !== undefined && (!Number.isSafeInteger(seconds) || seconds < 1)) {
    throw new InvalidToolOptionError(
      `idempotency.expiresAfterSeconds must be a whole number of seconds >= 1 (given ${seconds})`,
    );
  }
  return schema ? compileToolSchema(schema) : undefined;
}

/** Configuration read once per container (on the first request). */
interface ToolRuntime {
  readonly name: string;
  readonly secretArn: string;
  readonly timeoutMs: number;
  readonly signatureHeader: string;
  readonly scheme: SignatureScheme;
  readonly secrets: SecretCache;
  readonly validator?: ToolSchemaValidator;
  readonly once?: ToolOnce;
}

let sharedSecretsManager: SecretsManagerClient | undefined;

function createToolRunner(
  fn: HappToolFunction<unknown, unknown>,
  options: HappToolOptions,
  validator: ToolSchemaValidator | undefined,
): (event: ToolEvent, context?: Context) => Promise<APIGatewayProxyResult> {
  const logger =
    options.logger ?? new Logger(process.env.POWERTOOLS_SERVICE_NAME ? {} : { serviceName: 'happ-tool' });
  let metrics = options.metrics;
  let runtime: ToolRuntime | undefined;
  let misconfigured: string | undefined;

  const resolve = (): ToolRuntime => {
    const env = process.env;
    const hint = 'set by receiver.addTool, or pass it in the happTool options';
    const name = options.name ?? requireEnv(ENV.TOOL_NAME, hint);
    const secretArn = options.secretArn ?? requireEnv(ENV.TOOL_SECRET_ARN, hint);
    const timeoutMs = options.timeoutMs ?? Number(env[ENV.TOOL_TIMEOUT_MS] || DEFAULTS.toolTimeoutMs);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new InvalidToolOptionError(
        `${ENV.TOOL_TIMEOUT_MS} must be a whole number of ms >= 1 (given ${env[ENV.TOOL_TIMEOUT_MS]})`,
      );
    }
    const encodings = parseList(env[ENV.SIGNATURE_ENCODINGS]) as SignatureEncoding[];
    const scheme: SignatureScheme = {
      encodings: encodings.length > 0 ? encodings : undefined,
      prefix: env[ENV.SIGNATURE_PREFIX] ?? DEFAULTS.signaturePrefix,
    };
    const ttlSeconds = Number(env[ENV.SECRETS_CACHE_TTL_SECONDS] || DEFAULTS.secretsCacheTtlSeconds);
    const secretsManager =
      options.secretsManagerClient ??
      (sharedSecretsManager ??= new SecretsManagerClient(budgetedClientConfig(TOOL_CLIENT_TIMEOUTS)));
    const provider = new SecretsProvider({ awsSdkV3Client: secretsManager });
    const secrets = new SecretCache({
      // Our cache decides when to fetch (stale-while-error, rate-limited refresh); Powertools' is bypassed.
      fetch: providerFetch(provider, STALE_FETCH_TIMEOUT_MS),
      ttlSeconds,
      refreshIntervalMs: options.secretRefreshIntervalMs ?? TOOL_SECRET_REFRESH_INTERVAL_MS,
    });
    return {
      name,
      secretArn,
      timeoutMs,
      signatureHeader: (env[ENV.SIGNATURE_HEADER] || DEFAULTS.signatureHeader).toLowerCase(),
      scheme,
      secrets,
      validator,
      once: idempotencyRunner(name, options.idempotency),
    };
  };

  return async (event, givenContext) => {
    const startedAt = Date.now();
    if (!runtime && misconfigured === undefined) {
      try {
        runtime = resolve();
      } catch (error) {
        misconfigured = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    if (!runtime) {
      logger.error('tool configuration is invalid; answering 500', {
        error: misconfigured,
        outcome: 'misconfigured',
      });
      return errorAnswer('misconfigured', 500, 'internal_error', 'the tool is misconfigured').result;
    }
    const rt = runtime;
    metrics ??= createToolMetrics(rt.name);
    const lambdaRemaining =
      typeof givenContext?.getRemainingTimeInMillis === 'function'
        ? givenContext.getRemainingTimeInMillis() - TOOL_LAMBDA_MARGIN_MS
        : Infinity;
    // The tool's timeout counts from when API Gateway received the request (a cold start's init and
    // the gateway's own time are inside it), not from when this handler was entered.
    const alreadySpent = timeSinceReceived(event, startedAt, rt.timeoutMs);
    const budget = new Budget({
      totalMs: Math.max(0, Math.min(rt.timeoutMs - TOOL_ANSWER_MARGIN_MS - alreadySpent, lambdaRemaining)),
    });
    const lambdaContext = withDeadline(givenContext, budget);
    const requestLogger = keyedLogger(logger, {
      tool: rt.name,
      ...(givenContext?.awsRequestId ? { requestId: givenContext.awsRequestId } : {}),
    });
    const facts: Record<string, unknown> = {};
    let answer: Answer;
    try {
      // Whatever runs (the signature check's Secrets Manager call, the idempotency claim, the
      // function), the answer leaves at the deadline: the function's own race answers 504 first; a
      // request still being verified or claimed then is answered 503 (nothing ran; a retry can work).
      const handled = withBudget(budget, () =>
        handle(rt, event, budget, lambdaContext, requestLogger, facts),
      );
      handled.catch(() => undefined);
      answer = await Promise.race([
        handled,
        budget
          .whenExpired()
          .then(() => new Promise((resolve) => setImmediate(resolve)))
          .then(() => {
            requestLogger.error(
              'the request was not verified or claimed before the deadline; asked to retry',
              {
                phase: facts.phase,
              },
            );
            return errorAnswer(
              'dependency-failure',
              503,
              'unavailable',
              'the tool is unavailable; try again',
              {},
              {
                'retry-after': '1',
              },
            );
          }),
      ]);
    } catch (error) {
      requestLogger.error('the tool helper failed', { error: error as Error });
      answer = errorAnswer('failure', 500, 'internal_error', 'the tool failed; try again later');
    } finally {
      budget.dispose();
    }
    const status = answer.result.statusCode;
    const log = { outcome: answer.outcome, status, durationMs: Date.now() - startedAt, ...facts };
    if (status >= 500) requestLogger.error('tool request answered', log);
    else if (status >= 400) requestLogger.warn('tool request answered', log);
    else requestLogger.info('tool request answered', log);
    const metric = OUTCOME_METRIC[answer.outcome];
    if (metric) {
      metrics.addMetric(metric, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    }
    return answer.result;
  };

  async function handle(
    rt: ToolRuntime,
    event: ToolEvent,
    budget: Budget,
    lambdaContext: Context,
    requestLogger: KeyedLogger,
    facts: Record<string, unknown>,
  ): Promise<Answer> {
    const request = readToolRequest(event);
    facts.phase = 'verify';
    facts.method = request.method;
    facts.bytes = request.body.length;

    // 1. The signature, before anything else.
    const signature = request.headers[rt.signatureHeader];
    const signed = signedBytes(request);
    if (!signature || signature.trim() === '') {
      facts.signature = 'missing';
      return unauthorized();
    }
    let matched: number;
    try {
      let lookup = await rt.secrets.get(rt.secretArn);
      matched = matchSignature(signed, signature, lookup.values, rt.scheme);
      if (matched < 0) {
        const fresh = await rt.secrets.refresh(rt.secretArn);
        if (fresh) {
          lookup = fresh;
          matched = matchSignature(signed, signature, fresh.values, rt.scheme);
        }
      }
      if (lookup.stale) facts.secretStale = true;
    } catch (error) {
      if (error instanceof MalformedSecretError) {
        requestLogger.error('the tool secret value is unusable', { error: error.message });
        return errorAnswer('misconfigured', 500, 'internal_error', 'the tool is misconfigured');
      }
      if (error instanceof SecretUnavailableError) {
        requestLogger.error('the tool secret could not be read', { error: error.cause as Error });
        return errorAnswer(
          'dependency-failure',
          503,
          'unavailable',
          'the tool is unavailable; try again',
          {},
          { 'retry-after': '1' },
        );
      }
      throw error;
    }
    if (matched < 0) {
      facts.signature = 'mismatch';
      return unauthorized();
    }
    facts.secret = matched === 0 ? 'current' : 'previous';

    // 2. Parameters: the query of a GET (what its signature covers), else the JSON body.
    let params: unknown;
    // A request without a body (a GET, or a DELETE/PUT/PATCH sent without one) carries its parameters
    // in the query string, which is then what the signature covers.
    const fromQuery = request.body.length === 0;
    if (fromQuery) {
      params = queryParams(request);
    } else if (request.body.length === 0) {
      params = {};
    } else {
      try {
        params = JSON.parse(request.body.toString('utf8'));
      } catch {
        return errorAnswer('invalid-parameters', 400, 'invalid_parameters', 'the request body is not JSON');
      }
    }
    if (rt.validator) {
      const violations = rt.validator.validate(params, fromQuery);
      if (violations.length > 0) {
        facts.violations = violations.length;
        return invalidParameters(violations);
      }
    }

    // 3. The tool's function, raced against the deadline.
    facts.phase = 'function';
    const context: HappToolContext = {
      toolName: rt.name,
      rawRequest: request,
      headers: request.headers,
      query: request.query,
      lambdaContext,
      remainingMs: () => budget.remainingMs(),
      signal: budget.signal,
      get logger() {
        return requestLogger.child();
      },
    };
    let ran = false;
    let ranBody: string | undefined;
    const work = async (): Promise<string> => {
      ran = true;
      const result = await fn(params, context);
      const body = JSON.stringify(result === undefined ? null : result);
      ranBody = body;
      return body;
    };
    const key = rt.once ? idempotencyKey(request.method, signature, signed) : undefined;
    // The claim lives as long as the function can (Lambda's timeout), not only until the answer's
    // deadline: a retry after a 504, while the first run goes on, is answered 503 in progress.
    const attempt = rt.once && key ? rt.once(key, work, functionContext(lambdaContext)) : work();
    let outcome: string | typeof TIMEOUT;
    try {
      outcome = await Promise.race([attempt, budget.whenExpired().then((): typeof TIMEOUT => TIMEOUT)]);
    } catch (error) {
      return failed(error, requestLogger, ran, ranBody);
    }
    if (outcome === TIMEOUT) {
      attempt.catch(() => undefined); // it may still settle; nothing waits for it
      if (!ran) {
        // Still claiming the idempotency key: the function has not started, a retry can succeed.
        requestLogger.error('the idempotency claim did not finish before the deadline; asked to retry');
        return errorAnswer(
          'dependency-failure',
          503,
          'unavailable',
          'the tool is unavailable; try again',
          {},
          {
            'retry-after': '1',
          },
        );
      }
      requestLogger.error('the tool function did not answer before the deadline; answered a timeout error', {
        timeoutMs: rt.timeoutMs,
      });
      return errorAnswer('timeout', 504, 'timeout', 'the tool did not answer in time');
    }
    if (Buffer.byteLength(outcome) > MAX_TOOL_ANSWER_BYTES) {
      requestLogger.error('the tool answer is larger than Lambda can return', {
        bytes: Buffer.byteLength(outcome),
      });
      return errorAnswer('failure', 500, 'internal_error', 'the tool answer is too large');
    }
    const replayed = rt.once !== undefined && !ran;
    return new Answer(replayed ? 'replayed' : 'answered', {
      statusCode: 200,
      headers: { ...JSON_HEADERS, ...(replayed ? { 'x-happ-tool-replayed': 'true' } : {}) },
      body: outcome,
    });
  }
}

function queryParams(request: HappToolRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, values] of Object.entries(request.queryValues)) {
    out[k] = values.length === 1 ? values[0] : [...values];
  }
  return out;
}

/**
 * Milliseconds since API Gateway received the request: `requestContext.requestTimeEpoch` (REST, 1.0)
 * or `requestContext.timeEpoch` (HTTP API, 2.0). 0 when absent or implausible (in the future, or
 * older than the timeout itself: a clock that cannot be trusted must not answer every call 504).
 */
export function timeSinceReceived(event: unknown, now: number, timeoutMs: number): number {
  const context = (event as { requestContext?: { requestTimeEpoch?: unknown; timeEpoch?: unknown } })
    ?.requestContext;
  const epoch = Number(context?.requestTimeEpoch ?? context?.timeEpoch);
  if (!Number.isFinite(epoch) || epoch <= 0) return 0;
  const spent = now - epoch;
  return spent > 0 && spent < timeoutMs ? spent : 0;
}

/** The Lambda context a deadline-bounded context was made from (for the idempotency claim's expiry). */
const LAMBDA_CONTEXT = Symbol('happ-tool:lambda-context');

/** The given context with getRemainingTimeInMillis bounded by the budget (or a stand-in outside Lambda). */
function withDeadline(context: Context | undefined, budget: Budget): Context {
  return {
    ...(context ?? {}),
    getRemainingTimeInMillis: () => budget.remainingMs(),
    [LAMBDA_CONTEXT]: context,
  } as Context;
}

/** Lambda's own context when there is one (its remaining time is the function's), else the given one. */
function functionContext(context: Context): Context {
  const real = (context as unknown as { [LAMBDA_CONTEXT]?: Context })[LAMBDA_CONTEXT];
  return real && typeof real.getRemainingTimeInMillis === 'function' ? real : context;
}

export { HappToolError };
export { createToolMetrics } from './tool-answers';
export { idempotencyKey, TOOL_CLIENT_TIMEOUTS, TOOL_IDEMPOTENCY_KEY_PREFIX } from './tool-idempotency';
