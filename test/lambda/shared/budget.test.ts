// The budget machinery over real sockets: a DynamoDB client behind the fault proxy in front of dynalite.
import { DynamoDBClient, GetItemCommand, PutItemCommand, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import {
  Budget,
  budgetedClientConfig,
  currentBudget,
  isBudgetExhausted,
  withBudget,
} from '../../../lambda/shared/budget';
import { FaultProxy } from '../../support/fault-proxy';
import { createTable, deleteTable, suffix } from '../verifier/support';

let proxy: FaultProxy;
let client: DynamoDBClient;
const table = `budget-${suffix()}`;

beforeAll(async () => {
  await createTable(table);
  proxy = await FaultProxy.start(process.env.AWS_ENDPOINT_URL_DYNAMODB as string);
  client = new DynamoDBClient({ endpoint: proxy.url, ...budgetedClientConfig({ attemptTimeoutMs: 400 }) });
});
afterAll(async () => {
  client.destroy();
  await proxy.stop();
  await deleteTable(table);
});
afterEach(() => {
  proxy.clear();
  proxy.releaseHung();
  proxy.seen.length = 0;
});

const get = () => client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'x' } } }));
const elapsed = async (fn: () => Promise<unknown>) => {
  const start = Date.now();
  const outcome = await fn().then(
    (value) => ({ value, error: undefined as unknown }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ms: Date.now() - start, ...outcome };
};

describe('Budget', () => {
  it('fixes a deadline and a call deadline before it (the reserve)', () => {
    let now = 1_000;
    const budget = new Budget({ totalMs: 4000, reserveMs: 500, now: () => now });
    expect(budget.deadline).toBe(5_000);
    expect(budget.callDeadline).toBe(4_500);
    now = 4_600;
    expect(budget.callRemainingMs()).toBe(0);
    expect(budget.remainingMs()).toBe(400);
    expect(budget.expired).toBe(false);
    now = 5_000;
    expect(budget.expired).toBe(true);
    budget.dispose();
  });

  it('aborts its signals when their time is up, with an AbortError', async () => {
    const budget = new Budget({ totalMs: 120, reserveMs: 60 });
    await new Promise((resolve) => budget.callSignal.addEventListener('abort', resolve));
    expect(budget.signal.aborted).toBe(false);
    await budget.whenExpired();
    expect(budget.signal.aborted).toBe(true);
    expect(isBudgetExhausted(budget.signal.reason)).toBe(true);
  });

  it('is carried through async code by withBudget', async () => {
    const budget = new Budget({ totalMs: 1000 });
    expect(currentBudget()).toBeUndefined();
    await withBudget(budget, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(currentBudget()).toBe(budget);
    });
    budget.dispose();
  });
});

describe('BudgetedHttpHandler (real sockets, dynalite behind the fault proxy)', () => {
  it('passes calls through when nothing is wrong', async () => {
    const budget = new Budget({ totalMs: 3000 });
    const out = await withBudget(budget, get);
    expect(out.$metadata.httpStatusCode).toBe(200);
    budget.dispose();
  });

  it('a hung dependency: each attempt times out and is retried while time is left, then the budget aborts it', async () => {
    proxy.inject('GetItem', { fault: 'hang' });
    const budget = new Budget({ totalMs: 1500, reserveMs: 300 });
    const { ms, error } = await elapsed(() => withBudget(budget, get));
    expect(error).toBeDefined();
    // Aborted at the call deadline (1.2 s), not after 3 × 400 ms plus backoff or at Lambda's timeout.
    expect(ms).toBeLessThan(1500 + 500);
    expect(ms).toBeGreaterThanOrEqual(700);
    // The per-attempt timeout really throws (throwOnRequestTimeout): more than one attempt was made.
    expect(proxy.count('GetItem')).toBeGreaterThanOrEqual(2);
    budget.dispose();
  });

  it('without a budget, the per-attempt timeout still bounds a hang (3 attempts)', async () => {
    proxy.inject('GetItem', { fault: 'hang' });
    const { ms, error } = await elapsed(get);
    expect((error as Error).name).toBe('TimeoutError');
    expect(proxy.count('GetItem')).toBe(3);
    expect(ms).toBeLessThan(3 * 400 + 2000);
  });

  it('an attempt aborted by the budget is not retried', async () => {
    proxy.inject('GetItem', { fault: 'hang' });
    const budget = new Budget({ totalMs: 250 });
    const { error } = await elapsed(() => withBudget(budget, get));
    expect(isBudgetExhausted(error)).toBe(true);
    const seen = proxy.count('GetItem');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(proxy.count('GetItem')).toBe(seen);
    expect(seen).toBe(1);
  });

  it('a call started after the budget is spent fails at once without reaching the network', async () => {
    const budget = new Budget({ totalMs: 0 });
    const { ms, error } = await elapsed(() => withBudget(budget, get));
    expect(isBudgetExhausted(error)).toBe(true);
    expect(ms).toBeLessThan(200);
    expect(proxy.count()).toBe(0);
  });

  it('reserve calls may use the time after the call deadline (releasing a claim)', async () => {
    const budget = new Budget({
      totalMs: 1200,
      reserveMs: 900,
      reserveFor: (request) => String(request.headers['x-amz-target']).endsWith('.DeleteItem'),
    });
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the call deadline (300 ms)
    const put = await elapsed(() =>
      withBudget(budget, () =>
        client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'r' } } })),
      ),
    );
    expect(isBudgetExhausted(put.error)).toBe(true);
    const del = await elapsed(() =>
      withBudget(budget, () =>
        client.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'r' } } })),
      ),
    );
    expect(del.error).toBeUndefined();
    budget.dispose();
  });

  it('a 5xx is retried inside the budget and succeeds when the dependency recovers', async () => {
    proxy.inject('GetItem', { fault: 'error', times: 1 });
    const budget = new Budget({ totalMs: 3000 });
    const out = await withBudget(budget, get);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(proxy.count('GetItem')).toBe(2);
    budget.dispose();
  });
});
