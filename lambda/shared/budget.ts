/**
 * One time budget per request, and AWS SDK calls that stay inside it.
 *
 * A `Budget` is fixed when a request starts (the verifier: 4 s, well inside Happ's 5 s; a subscriber
 * record: the Lambda invocation's remaining time minus a margin). Code runs inside it with
 * `withBudget(budget, fn)`, which carries it through `AsyncLocalStorage`, so every AWS SDK call made
 * inside — also the ones Powertools makes for us (idempotency's DynamoDB calls, Parameters'
 * GetSecretValue) — is bounded without passing signals by hand: clients built with
 * `budgetedClientConfig()` use `BudgetedHttpHandler`, which gives each attempt
 *
 * - the budget's abort signal: when the budget's call time is up, the attempt is aborted with an
 *   `AbortError`, which the SDK never retries (`@smithy/core` `isTransientError` excludes it);
 * - a per-attempt timeout, `min(attemptTimeoutMs, call time left)`, that really throws
 *   (`throwOnRequestTimeout: true`; on `@smithy/node-http-handler` 4.x `requestTimeout` alone only
 *   logs a warning), so a hung attempt is retried while there is time for another.
 *
 * A reserve at the end of the budget is kept for the calls that release what a failed request
 * claimed (`reserveFor` picks them, e.g. DynamoDB DeleteItem): they may run until the deadline
 * itself, the others only until `deadline - reserveMs`. Outside `withBudget` the handler behaves like
 * a plain `NodeHttpHandler` with the same timeouts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';

/** A request as the SDK's HTTP handler sees it (only what `reserveFor` may look at). */
export interface BudgetedRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

export interface BudgetOptions {
  /** Total time from now, in ms. */
  readonly totalMs: number;
  /**
   * The last part of the budget that only `reserveFor` calls may use.
   * @default 0
   */
  readonly reserveMs?: number;
  /**
   * Calls that may use the reserve (typically: releasing a claim).
   * @default - none
   */
  readonly reserveFor?: (request: BudgetedRequest) => boolean;
  /** Clock. @default Date.now */
  readonly now?: () => number;
}

/** The time one request may take, fixed when it starts. */
export class Budget {
  /** Epoch ms at which the request must have been answered. */
  public readonly deadline: number;
  /** Epoch ms after which only reserve calls may start or continue. */
  public readonly callDeadline: number;
  private readonly now: () => number;
  private readonly reserveFor?: (request: BudgetedRequest) => boolean;
  private readonly callController = new AbortController();
  private readonly finalController = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(options: BudgetOptions) {
    if (!Number.isFinite(options.totalMs))
      throw new RangeError(`totalMs must be finite (given ${options.totalMs})`);
    this.now = options.now ?? Date.now;
    const total = Math.max(0, options.totalMs);
    const reserve = Math.min(Math.max(0, options.reserveMs ?? 0), total);
    const start = this.now();
    this.deadline = start + total;
    this.callDeadline = this.deadline - reserve;
    this.reserveFor = options.reserveFor;
    this.arm(this.callController, this.callDeadline - start);
    this.arm(this.finalController, total);
  }

  /** Ms until the deadline (0 when passed). */
  public remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /** Ms until ordinary calls must be done (0 when passed). */
  public callRemainingMs(): number {
    return Math.max(0, this.callDeadline - this.now());
  }

  /** True once the deadline has passed. */
  public get expired(): boolean {
    return this.finalController.signal.aborted || this.now() >= this.deadline;
  }

  /** Aborts at `callDeadline`. */
  public get callSignal(): AbortSignal {
    return this.callController.signal;
  }

  /** Aborts at `deadline`. */
  public get signal(): AbortSignal {
    return this.finalController.signal;
  }

  /** Resolves (never rejects) at the deadline, or at once when it has passed. */
  public whenExpired(): Promise<void> {
    const signal = this.finalController.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** The signal and time left for one call. */
  public forRequest(request: BudgetedRequest): { signal: AbortSignal; remainingMs: number } {
    if (this.reserveFor?.(request)) return { signal: this.signal, remainingMs: this.remainingMs() };
    return { signal: this.callSignal, remainingMs: this.callRemainingMs() };
  }

  /** Stops the timers (call when the request is answered; aborts nothing). */
  public dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  private arm(controller: AbortController, inMs: number): void {
    const reason = () => budgetExhaustedError();
    if (inMs <= 0) {
      controller.abort(reason());
      return;
    }
    const timer = setTimeout(() => controller.abort(reason()), inMs);
    timer.unref();
    this.timers.push(timer);
  }
}

/** What a call aborted by the budget fails with: an `AbortError`, which the SDK does not retry. */
export function budgetExhaustedError(): Error {
  const error = new Error('the request budget is spent; the call was abandoned');
  error.name = 'AbortError';
  return error;
}

/** True for an error caused by the budget running out (directly or as a cause). */
export function isBudgetExhausted(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { name?: unknown; message?: unknown; cause?: unknown };
  if (e.name === 'AbortError') return true;
  return isBudgetExhausted(e.cause, depth + 1);
}

const current = new AsyncLocalStorage<Budget>();

/** Runs `fn` with `budget` as the current budget of every budgeted SDK call made inside it. */
export function withBudget<T>(budget: Budget, fn: () => Promise<T>): Promise<T> {
  return current.run(budget, fn);
}

/** The budget of the code running now, if any. */
export function currentBudget(): Budget | undefined {
  return current.getStore();
}

/** Timeouts of a budgeted client; each is capped by the budget left when a call starts. */
export interface BudgetedHandlerOptions {
  /** TCP (and TLS) connect timeout. @default 1000 */
  readonly connectionTimeoutMs?: number;
  /** Longest one attempt may take, answer included. @default 2000 */
  readonly attemptTimeoutMs?: number;
}

/**
 * `NodeHttpHandler` bounded by the current budget (see the file comment). Keep-alive sockets are
 * reused as usual; an aborted attempt's socket is destroyed.
 */
export class BudgetedHttpHandler extends NodeHttpHandler {
  private readonly attemptTimeoutMs: number;

  constructor(options: BudgetedHandlerOptions = {}) {
    const attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
    const handlerOptions: NodeHttpHandlerOptions = {
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
      requestTimeout: attemptTimeoutMs,
      throwOnRequestTimeout: true,
    };
    super(handlerOptions);
    this.attemptTimeoutMs = attemptTimeoutMs;
  }

  public override async handle(
    request: Parameters<NodeHttpHandler['handle']>[0],
    options: HttpHandlerOptions = {},
  ): ReturnType<NodeHttpHandler['handle']> {
    const budget = currentBudget();
    if (!budget) return super.handle(request, options);
    const { signal, remainingMs } = budget.forRequest(request);
    if (signal.aborted || remainingMs <= 0) throw budgetExhaustedError();
    const abortSignal = options.abortSignal
      ? AbortSignal.any([signal, options.abortSignal as AbortSignal])
      : signal;
    return super.handle(request, {
      ...options,
      abortSignal,
      requestTimeout: Math.max(1, Math.min(this.attemptTimeoutMs, remainingMs)),
    });
  }
}

/**
 * SDK client configuration for budgeted calls: the handler above, and retries that fit a budget
 * (3 attempts, as the SDK's default; each attempt capped by the budget, an aborted one not retried).
 */
export function budgetedClientConfig(options: BudgetedHandlerOptions & { maxAttempts?: number } = {}): {
  requestHandler: BudgetedHttpHandler;
  maxAttempts: number;
} {
  return { requestHandler: new BudgetedHttpHandler(options), maxAttempts: options.maxAttempts ?? 3 };
}
