/** Bad input to the ledger API: 400 problem+json naming each offending field, and nothing written anywhere. */
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/app';
import { json } from '../support/http';
import { entryBody, ledgerTestSettings, terminateShards } from '../support/ledger';

// No worker needed: bad input must never reach Temporal or PostgreSQL.
const settings = ledgerTestSettings('ledger-bad-input', { LEDGER_BATCH_MAX_ENTRIES: '10', API_BODY_LIMIT_BYTES: '20000' });
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi(settings);
});
afterAll(async () => {
  if (api) await terminateShards(api.temporal.client, settings);
  await api?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function nothingWritten(requestIds: unknown[]): Promise<void> {
  const ids = requestIds.filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id));
  const { rows } = await api.stores.postgres.pool().query(
    `SELECT (SELECT count(*) FROM ledger_requests WHERE request_id = ANY($1::uuid[]))::int AS claims,
            (SELECT count(*) FROM ledger_entries WHERE request_id = ANY($1::uuid[]))::int AS entries`,
    [ids],
  );
  expect(rows[0]).toEqual({ claims: 0, entries: 0 });
  // No shard workflow was started for this file's prefix.
  const shards = await json((await fetch(`${api.url}/v1/lancamentos/shards`)));
  expect(shards.shards.every((shard: { running: boolean }) => !shard.running)).toBe(true);
}

const { request_id: _omit, ...withoutRequestId } = entryBody();

const singleCases: [string, Record<string, unknown>, string[]][] = [
  ['every required field missing', {}, ['body.account_id', 'body.amount', 'body.direction', 'body.request_id']],
  ['request_id missing', withoutRequestId, ['body.request_id']],
  ['an unknown field', entryBody({ colour: 'red' }), ['body.colour']],
  ['request_id not a uuid', entryBody({ request_id: 'abc' }), ['body.request_id']],
  ['amount as a number', entryBody({ amount: 10 }), ['body.amount']],
  ['amount zero', entryBody({ amount: '0' }), ['body.amount']],
  ['amount 0.00', entryBody({ amount: '0.00' }), ['body.amount']],
  ['amount negative', entryBody({ amount: '-5.00' }), ['body.amount']],
  ['amount with 3 decimals', entryBody({ amount: '1.234' }), ['body.amount']],
  ['amount in exponent notation', entryBody({ amount: '1e3' }), ['body.amount']],
  ['amount not a number', entryBody({ amount: 'ten' }), ['body.amount']],
  ['amount too large', entryBody({ amount: '1000000000000000.00' }), ['body.amount']],
  ['direction unknown', entryBody({ direction: 'sideways' }), ['body.direction']],
  ['impossible date 2026-02-30', entryBody({ data_ref: '2026-02-30' }), ['body.data_ref']],
  ['non-leap 2023-02-29', entryBody({ data_ref: '2023-02-29' }), ['body.data_ref']],
  ['month 13', entryBody({ data_ref: '2026-13-01' }), ['body.data_ref']],
  ['date without dashes', entryBody({ data_ref: '20260101' }), ['body.data_ref']],
  ['date as a number', entryBody({ data_ref: 20260101 }), ['body.data_ref']],
  ['account_id empty', entryBody({ account_id: '' }), ['body.account_id']],
  ['account_id with spaces', entryBody({ account_id: 'a b' }), ['body.account_id']],
  ['description too long', entryBody({ description: 'x'.repeat(501) }), ['body.description']],
  ['metadata not an object', entryBody({ metadata: [1, 2] }), ['body.metadata']],
  ['metadata too large', entryBody({ metadata: { blob: 'x'.repeat(3000) } }), ['body.metadata']],
  ['several at once', entryBody({ amount: '1.999', direction: 'up', data_ref: '2026-04-31', extra: 1 }), ['body.amount', 'body.data_ref', 'body.direction', 'body.extra']],
];

test.each(singleCases)('POST /v1/lancamentos with %s → 400 naming the fields', async (_name, body, fields) => {
  const response = await post('/v1/lancamentos', body);
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await json(response);
  expect(problem).toMatchObject({ type: 'https://fluxo.dev/problems/validation', status: 400 });
  expect([...new Set(problem.invalid_params.map((param: { name: string }) => param.name))].sort()).toEqual(fields);
  await nothingWritten([body.request_id]);
});

test('a batch with one bad entry is refused whole, naming the entry and field; nothing written', async () => {
  const entries = [entryBody(), entryBody(), entryBody({ amount: '3.141' }), entryBody({ data_ref: '2026-02-29' })];
  const response = await post('/v1/lancamentos/batch', { entries });
  expect(response.status).toBe(400);
  const problem = await json(response);
  expect(problem.invalid_params.map((param: { name: string }) => param.name).sort()).toEqual(['body.entries.2.amount', 'body.entries.3.data_ref']);
  await nothingWritten(entries.map((entry) => entry.request_id));
});

test('a batch over the configured limit, an empty batch and an unknown batch field are 400', async () => {
  const tooMany = Array.from({ length: 11 }, () => entryBody());
  const over = await post('/v1/lancamentos/batch', { entries: tooMany });
  expect(over.status).toBe(400);
  expect((await json(over)).invalid_params).toEqual([expect.objectContaining({ name: 'body.entries' })]);

  const empty = await post('/v1/lancamentos/batch', { entries: [] });
  expect(empty.status).toBe(400);
  expect((await json(empty)).invalid_params[0].name).toBe('body.entries');

  const unknown = await post('/v1/lancamentos/batch', { entries: [entryBody()], dry_run: true });
  expect(unknown.status).toBe(400);
  expect((await json(unknown)).invalid_params[0].name).toBe('body.dry_run');
  await nothingWritten(tooMany.map((entry) => entry.request_id));
});

test('a body over the size limit is a 413 problem and malformed JSON a 400 problem; nothing written', async () => {
  const requestId = randomUUID();
  const huge = await post('/v1/lancamentos', entryBody({ request_id: requestId, description: 'x'.repeat(30_000) }));
  expect(huge.status).toBe(413);
  expect(huge.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect((await json(huge)).type).toBe('https://fluxo.dev/problems/payload-too-large');

  const malformed = await post('/v1/lancamentos', `{"request_id":"${requestId}",`);
  expect(malformed.status).toBe(400);
  expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  await nothingWritten([requestId]);
});
