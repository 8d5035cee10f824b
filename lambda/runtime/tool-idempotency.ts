/**
 * Idempotency of action tools: a retried request (same signature over the same signed bytes) gets the
 * stored answer of the first, through Powertools idempotency in the receiver's table, under
 * `happ-tool#<name>#<hash>`. Only answers are stored: a failure deletes the claim, so a retry runs.
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { budgetedClientConfig } from '../shared/budget';
import { DEFAULTS, ENV, requireEnv } from '../shared/env';
import type { HappToolIdempotencyOptions, HappToolOptions } from './tool';

/** Prefix of a tool's keys in the shared idempotency table: `happ-tool#<name>#<hash>`. */
export const TOOL_IDEMPOTENCY_KEY_PREFIX = 'happ-tool';
/** Per-attempt limits of the helper's own AWS clients (each further capped by the budget left). */
export const TOOL_CLIENT_TIMEOUTS = { connectionTimeoutMs: 1_000, attemptTimeoutMs: 1_500 } as const;

/** Runs `work` at most once per key within the window; a retry gets the stored answer. */
export type ToolOnce = (key: string, work: () => Promise<string>, context: Context) => Promise<string>;

let sharedDynamoDb: DynamoDBClient | undefined;

/** The key of a request: what a retry of the same signed request repeats exactly. */
export function idempotencyKey(method: string, signature: string, signed: Buffer): string {
  return createHash('sha256').update(`${method}\n${signature.trim()}\n`).update(signed).digest('hex');
}

export function idempotencyRunner(
  name: string,
  option: HappToolOptions['idempotency'],
): ToolOnce | undefined {
  const enabled = option === undefined ? process.env[ENV.TOOL_IDEMPOTENT] === 'true' : option !== false;
  if (!enabled) return undefined;
  const given: HappToolIdempotencyOptions = typeof option === 'object' ? option : {};
  const tableName =
    given.tableName ??
    requireEnv(
      ENV.TABLE_NAME,
      'set by receiver.addTool for idempotent tools; or pass idempotency: { tableName }',
    );
  const expiresAfterSeconds =
    given.expiresAfterSeconds ??
    Number(process.env[ENV.TOOL_IDEMPOTENCY_SECONDS] || DEFAULTS.toolIdempotencySeconds);
  const config = new IdempotencyConfig({ expiresAfterSeconds, hashFunction: 'sha256' });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client:
      given.dynamoDbClient ??
      (sharedDynamoDb ??= new DynamoDBClient(budgetedClientConfig(TOOL_CLIENT_TIMEOUTS))),
  });
  const idempotent = makeIdempotent(
    async (_key: string, work: () => Promise<string>): Promise<string> => work(),
    { persistenceStore, config, keyPrefix: `${TOOL_IDEMPOTENCY_KEY_PREFIX}#${name}`, dataIndexArgument: 0 },
  );
  return (key, work, context) => {
    // The in-progress claim lasts until the function itself is stopped (Lambda's timeout), not the
    // answer's deadline: after a 504 the function may still be running, and a retry meanwhile must get
    // 503 in progress, not a second run. A crash is retried once Lambda's timeout has passed.
    config.registerLambdaContext(context);
    return idempotent(key, work);
  };
}
