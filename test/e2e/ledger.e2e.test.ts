/**
 * The ledger over HTTP on the real servers: accepted → pending in a shard → persisted by a flush;
 * idempotency and conflicts (pending and persisted, across shards, concurrent); the batch endpoint.
 */
import { randomUUID } from 'node:crypto';
import { ledgerFlushUpdate } from '../../src/domain/ledger/buffer';
import { todayInSaoPaulo } from '../../src/domain/ledger/data-ref';
import { ledgerPersistedEntries } from '../../src/activities/ledger/metrics';
import { bufferWorkflowId, shardOf } from '../../src/domain/ledger/shard';
import { json } from '../support/http';
import { entryBody, ledgerTestSettings, useLedgerApp } from '../support/ledger';

// A long interval and a large flush size: entries stay pending until a test asks for a flush.
const run = randomUUID().slice(0, 8);
const settings = ledgerTestSettings('ledger-e2e', { LEDGER_FLUSH_INTERVAL_MS: '600000' });
const app = useLedgerApp(settings);

const post = (path: string, body: unknown) =>
  fetch(`${app.api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const status = async (requestId: string) => {
  const response = await fetch(`${app.api.url}/v1/lancamentos/${requestId}`);
  return { code: response.status, body: await json(response) };
};
const rowsOf = async (requestIds: string[]) =>
  (
    await app.api.stores.postgres
      .pool()
      .query('SELECT request_id::text, account_id, amount_cents::text, direction FROM ledger_entries WHERE request_id = ANY($1::uuid[])', [requestIds])
  ).rows;

/** The `flush` update on every shard of this file: resolves once everything buffered is in PostgreSQL. */
async function flushAll(): Promise<void> {
  await Promise.all(
    [0, 1].map((shard) =>
      app.api.temporal.client.workflow
        .getHandle(bufferWorkflowId(settings.LEDGER_BUFFER_ID_PREFIX!, shard))
        .executeUpdate(ledgerFlushUpdate, { args: [{ dataRef: '2026-12-31' }] })
        .catch((error: Error) => {
          if (!/not found/i.test(error.message)) throw error;
        }),
    ),
  );
}

test('an accepted entry is pending in its shard, then persisted by the flush update, with its row', async () => {
  const body = entryBody({ amount: '10.5', data_ref: undefined, description: 'café', metadata: { b: 1, a: [true] } });
  // The workers run in this process: the flush activity's counter is on this registry.
  const persistedBefore = (await ledgerPersistedEntries.get()).values[0]?.value ?? 0;
  const response = await post('/v1/lancamentos', body);
  expect(response.status).toBe(202);
  expect(await json(response)).toEqual({ request_id: body.request_id, status: 'accepted', status_url: `/v1/lancamentos/${body.request_id}` });

  const shard = shardOf(body.account_id as string, 2);
  expect(await status(body.request_id as string)).toEqual({ code: 200, body: { request_id: body.request_id, status: 'pending', shard } });

  await flushAll();
  const persisted = await status(body.request_id as string);
  expect(persisted.code).toBe(200);
  expect(persisted.body).toMatchObject({
    status: 'persisted',
    shard,
    entry: {
      request_id: body.request_id,
      account_id: body.account_id,
      amount: '10.50',
      direction: body.direction,
      data_ref: todayInSaoPaulo(),
      description: 'café',
      metadata: { a: [true], b: 1 },
    },
  });
  expect(persisted.body.entry.batch_id).toMatch(new RegExp(`^${bufferWorkflowId(settings.LEDGER_BUFFER_ID_PREFIX!, shard)}:`));

  // The control row of that batch matches what was inserted.
  const { rows } = await app.api.stores.postgres
    .pool()
    .query('SELECT entry_count, amount_sum_cents::text, checksum FROM ledger_batches WHERE batch_id = $1', [persisted.body.entry.batch_id]);
  expect(rows[0]).toMatchObject({ entry_count: 1, amount_sum_cents: '1050' });
  const { rows: outbox } = await app.api.stores.postgres.pool().query('SELECT event_type FROM ledger_outbox WHERE request_id = $1', [body.request_id]);
  expect(outbox).toEqual([{ event_type: 'LancamentoRegistrado' }]);
  // At least this entry: the `ledger` task queue is shared, so this worker may also flush shards other test files left.
  expect((await ledgerPersistedEntries.get()).values[0]?.value).toBeGreaterThanOrEqual(persistedBefore + 1);
});

test('the same request_id with the same content gets the same answer, pending or persisted; one row', async () => {
  const body = entryBody();
  const first = await post('/v1/lancamentos', body);
  const againWhilePending = await post('/v1/lancamentos', { ...body, amount: `${body.amount}` });
  expect(againWhilePending.status).toBe(202);
  expect(await json(againWhilePending)).toEqual(await json(first));

  await flushAll();
  // "10" and "10.00" are the same amount: same content.
  const sameAmountSpelledDifferently = { ...body, amount: `${body.amount}0`.replace(/(\.\d\d)0$/, '$1') };
  const againWhenPersisted = await post('/v1/lancamentos', sameAmountSpelledDifferently);
  expect(againWhenPersisted.status).toBe(202);
  expect(await json(againWhenPersisted)).toEqual({ request_id: body.request_id, status: 'accepted', status_url: `/v1/lancamentos/${body.request_id}` });
  await flushAll();
  expect(await rowsOf([body.request_id as string])).toHaveLength(1);
});

test('the same request_id with different content is a 409, while pending, after persisting, and across shards', async () => {
  // Accounts of this run only (an account held by another test's alert review would answer 423).
  const account = (name: string) => `acc-conflict-${name}-${run}`;
  const body = entryBody({ account_id: account('a') });
  expect((await post('/v1/lancamentos', body)).status).toBe(202);

  const otherAccount = 'bcdefghijklmnop'.split('').map(account).find((candidate) => shardOf(candidate, 2) !== shardOf(account('a'), 2))!;
  const variants = [{ amount: '999.99' }, { direction: body.direction === 'credit' ? 'debit' : 'credit' }, { account_id: otherAccount }, { description: 'changed' }];
  for (const change of variants) {
    const response = await post('/v1/lancamentos', { ...body, ...change });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await json(response)).toMatchObject({ type: 'https://fluxo.dev/problems/conflict', status: 409 });
  }
  await flushAll();
  expect((await post('/v1/lancamentos', { ...body, amount: '1.00' })).status).toBe(409);
  // The first content is the one in the ledger.
  expect(await rowsOf([body.request_id as string])).toEqual([
    { request_id: body.request_id, account_id: account('a'), amount_cents: String(Math.round(Number(body.amount) * 100)), direction: body.direction },
  ]);
});

test('concurrent requests with one request_id and different contents: exactly one wins, the rest are 409', async () => {
  const requestId = randomUUID();
  const bodies = Array.from({ length: 12 }, (_, index) => entryBody({ request_id: requestId, account_id: `acc-race-${requestId.slice(0, 8)}-${index}`, amount: `${index + 1}.00` }));
  const responses = await Promise.all(bodies.map((body) => post('/v1/lancamentos', body)));
  const codes = responses.map((response) => response.status);
  expect(codes.filter((code) => code === 202)).toHaveLength(1);
  expect(codes.filter((code) => code === 409)).toHaveLength(11);
  const winner = bodies[codes.indexOf(202)]!;
  await flushAll();
  expect(await rowsOf([requestId])).toEqual([
    { request_id: requestId, account_id: winner.account_id, amount_cents: String(Number(winner.amount) * 100), direction: winner.direction },
  ]);
});

test('a batch answers per entry: accepted, and conflicts for reused request_ids with other content', async () => {
  const earlier = entryBody();
  expect((await post('/v1/lancamentos', earlier)).status).toBe(202);
  const fresh = Array.from({ length: 5 }, () => entryBody());
  const inBatchTwice = entryBody();

  const allGood = await post('/v1/lancamentos/batch', { entries: fresh });
  expect(allGood.status).toBe(202);
  expect(await json(allGood)).toEqual({
    accepted: 5,
    conflicts: 0,
    unavailable: 0,
    results: fresh.map((entry) => ({ request_id: entry.request_id, status: 'accepted' })),
  });

  const mixed = await post('/v1/lancamentos/batch', {
    entries: [fresh[0], { ...earlier, amount: '0.01' }, inBatchTwice, { ...inBatchTwice, amount: '77.70' }, earlier],
  });
  expect(mixed.status).toBe(200);
  const body = await json(mixed);
  expect(body).toMatchObject({ accepted: 3, conflicts: 2, unavailable: 0 });
  expect(body.results.map((result: { status: string }) => result.status)).toEqual(['accepted', 'conflict', 'accepted', 'conflict', 'accepted']);

  await flushAll();
  const ids = [earlier, inBatchTwice, ...fresh].map((entry) => entry.request_id as string);
  const rows = await rowsOf(ids);
  expect(rows).toHaveLength(ids.length);
  expect(rows.find((row) => row.request_id === inBatchTwice.request_id)?.amount_cents).toBe(String(Math.round(Number(inBatchTwice.amount) * 100)));
});

test('unknown and malformed request ids', async () => {
  const unknown = await status(randomUUID());
  expect(unknown.code).toBe(404);
  expect(unknown.body.type).toBe('https://fluxo.dev/problems/not-found');
  const malformed = await status('not-a-uuid');
  expect(malformed.code).toBe(400);
  expect(malformed.body.invalid_params[0].name).toBe('path.request_id');
});

test('the shards endpoint shows each buffer with its stats', async () => {
  const response = await fetch(`${app.api.url}/v1/lancamentos/shards`);
  expect(response.status).toBe(200);
  const { shards } = await json(response);
  expect(shards).toHaveLength(2);
  for (const shard of shards) {
    expect(shard.workflow_id).toBe(bufferWorkflowId(settings.LEDGER_BUFFER_ID_PREFIX!, shard.shard));
    if (shard.running) expect(shard.stats).toMatchObject({ shard: shard.shard, totals: { runs: 1 } });
  }
  expect(shards.some((shard: { running: boolean; stats?: { totals: { persisted: number } } }) => shard.running && shard.stats!.totals.persisted > 0)).toBe(true);
});
