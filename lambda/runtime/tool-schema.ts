/**
 * JSON Schema validation of a tool's parameters, with ajv (the validator Powertools' own validation
 * package uses; taken directly because @aws-lambda-powertools/validation 2.34 would bring a second
 * copy of @aws-lambda-powertools/commons). A schema is compiled once per container; a GET's query
 * values are strings, so its validator coerces them to the schema's types (`"2"` → 2).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { InvalidToolOptionError } from './tool-errors';

/** One way the parameters do not match: where (a JSON pointer, '' for the whole) and what. */
export interface ToolSchemaViolation {
  readonly path: string;
  readonly message: string;
}

export interface ToolSchemaValidator {
  /** The violations (at most MAX_VIOLATIONS), empty when `params` is valid. May coerce query values in place. */
  validate(params: unknown, fromQuery: boolean): ToolSchemaViolation[];
}

/** Violations answered (the rest are counted in the message). */
export const MAX_VIOLATIONS = 20;

/** Compiles a schema; throws InvalidToolOptionError naming the problem when it is not a valid schema. */
export function compileToolSchema(schema: Record<string, unknown>): ToolSchemaValidator {
  const compile = (coerceTypes: boolean): ValidateFunction => {
    const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes });
    try {
      return ajv.compile(schema);
    } catch (error) {
      throw new InvalidToolOptionError(`schema is not a valid JSON Schema: ${(error as Error).message}`);
    }
  };
  const plain = compile(false);
  let coercing: ValidateFunction | undefined;
  return {
    validate(params, fromQuery) {
      const fn = fromQuery ? (coercing ??= compile(true)) : plain;
      if (fn(params)) return [];
      return (fn.errors ?? []).slice(0, MAX_VIOLATIONS).map(describe);
    },
  };
}

function describe(error: ErrorObject): ToolSchemaViolation {
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  const extra = (error.params as { additionalProperty?: string }).additionalProperty;
  const path = missing
    ? `${error.instancePath}/${missing}`
    : extra
      ? `${error.instancePath}/${extra}`
      : error.instancePath;
  return { path, message: error.message ?? error.keyword };
}
