// Replayed envelopes in the runtime helper, with Powertools idempotency on dynalite: a replay runs
// again after the original was handled, once per replay id, and a malformed marker fails the record.
import { Logger } from '@aws-lambda-powertools/logger';
import {
  happHandler,
  handlerIdempotencyKey,
  IDEMPOTENCY_KEY_PREFIX,
  parseEnvelope,
  MalformedEnvelopeError,
  type HappEvent,
} from 'cdk-happ-webhooks/runtime';
import { batchOf, createIdempotencyTable, envelope, lambdaContext, scanTable, unique } from './factories';

let table: string;
beforeAll(async () => {
  table = await createIdempotencyTable();
});

function subscriber(seen: HappEvent[], subscriberName = unique('sub')) {
  return happHandler(
    (event) => {
      seen.push(event);
    },
    {
      idempotency: { tableName: table, subscriberName },
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    },
  );
}

const replayed = (base: object, id: string, at = '2026-06-01T10:00:00.000Z') => ({
  ...base,
  replay: { id, at },
});

describe('replayed envelopes', () => {
  it('run again although the original was handled, once per replay id', async () => {
    const seen: HappEvent[] = [];
    const name = unique('sub');
    const handler = subscriber(seen, name);
    const original = envelope();

    await handler(batchOf(original), lambdaContext());
    await handler(batchOf(original), lambdaContext()); // an SQS redelivery: skipped
    expect(seen).toHaveLength(1);
    expect(seen[0].replay).toBeUndefined();

    const first = replayed(original, 'fix-2026-06-01');
    expect(await handler(batchOf(first), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({
      id: original.id,
      idempotencyKey: original.idempotencyKey,
      replay: { id: 'fix-2026-06-01', at: '2026-06-01T10:00:00.000Z' },
    });

    // The same replay sent again (a resumed or repeated `replay`), even with a later `at`: skipped.
    await handler(batchOf(replayed(original, 'fix-2026-06-01', '2026-06-02T00:00:00.000Z')), lambdaContext());
    expect(seen).toHaveLength(2);

    // Another replay id runs once more.
    await handler(batchOf(replayed(original, 'backfill-2')), lambdaContext());
    expect(seen).toHaveLength(3);

    // Three records in the table: the original and one per replay id.
    const records = (await scanTable(table)).filter((item) =>
      String(item.id).startsWith(`${IDEMPOTENCY_KEY_PREFIX}#${name}#`),
    );
    expect(records).toHaveLength(3);
    expect(records.every((item) => item.status === 'COMPLETED')).toBe(true);
  });

  it('is keyed per subscriber: a replay to one subscriber leaves the other untouched', async () => {
    const a: HappEvent[] = [];
    const b: HappEvent[] = [];
    const original = envelope();
    const [subA, subB] = [unique('subA'), unique('subB')];
    await subscriber(a, subA)(batchOf(original), lambdaContext());
    await subscriber(b, subB)(batchOf(original), lambdaContext());
    await subscriber(a, subA)(batchOf(replayed(original, 'r1')), lambdaContext());
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(1);
    // The same replay id on the other subscriber is its own key: it runs there once.
    await subscriber(b, subB)(batchOf(replayed(original, 'r1')), lambdaContext());
    await subscriber(b, subB)(batchOf(replayed(original, 'r1')), lambdaContext());
    expect(b).toHaveLength(2);
  });

  it('keys a replayed envelope by the original key plus the replay id', () => {
    const original = envelope();
    expect(handlerIdempotencyKey(parseEnvelope(JSON.stringify(original)))).toBe(original.idempotencyKey);
    expect(handlerIdempotencyKey(parseEnvelope(JSON.stringify(replayed(original, 'r-1'))))).toBe(
      `${original.idempotencyKey}#replay#r-1`,
    );
  });

  it.each([
    ['not an object', 'yes', /"replay" must be an object/],
    ['an id with a slash', { id: 'a/b', at: '2026-06-01T10:00:00Z' }, /replay field "id"/],
    ['an empty id', { id: '', at: '2026-06-01T10:00:00Z' }, /replay field "id"/],
    ['no time', { id: 'r1' }, /replay field "at"/],
    ['a time that is not one', { id: 'r1', at: 'yesterday' }, /replay field "at"/],
  ])('fails when the marker is %s', (_name, replay, message) => {
    const body = JSON.stringify({ ...envelope(), replay });
    expect(() => parseEnvelope(body)).toThrow(MalformedEnvelopeError);
    expect(() => parseEnvelope(body)).toThrow(message);
  });

  it('reports a record with a malformed marker as failed, without running the function', async () => {
    const seen: HappEvent[] = [];
    const good = envelope();
    const event = batchOf({ ...envelope(), replay: { id: '../x', at: 'now' } }, good);
    const response = await subscriber(seen)(event, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(seen.map((e) => e.id)).toEqual([good.id]);
  });
});
