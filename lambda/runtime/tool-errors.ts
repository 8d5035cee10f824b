/**
 * Errors of the tool helper. `HappToolError` is the one a tool's function throws on purpose: its
 * message is answered as JSON for the assistant to read and relay. Everything else a function throws
 * is answered with a generic 500 (the details go to the log only).
 */
import { HappRuntimeError } from './errors';

/**
 * The status a `HappToolError` is answered with unless it says otherwise: 200. Happ does not document
 * whether the assistant sees the body of a non-2xx answer; it certainly sees a 200's, so the message
 * ("order 123 does not exist") reaches the conversation. Give `status` (400–599) when a client reads it.
 */
export const DEFAULT_TOOL_ERROR_STATUS = 200;

export interface HappToolErrorOptions {
  /** HTTP status of the answer: 200, or 400–599. @default 200 (DEFAULT_TOOL_ERROR_STATUS) */
  readonly status?: number;
  /** Machine-readable code in the answer's `error` field. @default 'tool_error' */
  readonly code?: string;
  /** Extra JSON fields answered with the message (never put secrets here). @default - none */
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
}

/** Thrown by a tool's function: answered as `{ "error": code, "message": message, ...details }`. */
export class HappToolError extends Error {
  public override readonly name = 'HappToolError';
  public readonly status: number;
  public readonly code: string;
  public readonly details?: Record<string, unknown>;

  constructor(message: string, options: HappToolErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    const status = options.status ?? DEFAULT_TOOL_ERROR_STATUS;
    if (!Number.isInteger(status) || !(status === 200 || (status >= 400 && status <= 599))) {
      throw new RangeError(
        `HappToolError status must be 200 or an integer between 400 and 599 (given ${status})`,
      );
    }
    this.status = status;
    this.code = options.code ?? 'tool_error';
    this.details = options.details;
  }
}

/** An option given to `happTool` is invalid (raised when the tool is created). */
export class InvalidToolOptionError extends HappRuntimeError {
  public override readonly name = 'InvalidToolOptionError';
}
