/**
 * The reports API end to end on the real servers: entries still pending in real ledger buffer workflows are
 * flushed by the consolidation's completeness step and counted; `POST /internal/reports/start` is 202 and
 * idempotent per data_ref, `rerun` starts a new run; the runs, balances and day reports read back; a backfill
 * over HTTP; bad input is a 400 naming each field, with nothing started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { addDays } from '../../src/domain/consolidation/dates';
import { formatCents } from '../../src/domain/ledger/money';
import { searchAttributeKeys } from '../../src/domain/search-attributes';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { expectedBalances, freshDays, seedLedger, uniqueTag } from '../support/consolidation-ledger';
import { json } from '../support/http';
import { ledgerTestSettings, terminateShards } from '../support/ledger';

jest.setTimeout(180_000);

// Entries stay pending in the buffers until something asks for a flush; the data lake in a folder of its own.
const lake = mkdtempSync(join(tmpdir(), 'fluxo-consolidation-e2e-'));
const settings = {
  ...ledgerTestSettings('consolidation-e2e', { LEDGER_FLUSH_INTERVAL_MS: '600000', LEDGER_FLUSH_SIZE: '5000' }),
  STORAGE_BACKEND: 'local',
  STORAGE_LOCAL_DIR: lake,
  CONSOLIDATION_PARTITIONS: '3',
};
// The workers build their activities from the process's environment.
Object.assign(process.env, settings);

let api: TestApi;
let workers: TestWorkers;

beforeAll(async () => {
  workers = await startTestWorkers(['ledger', 'reports'], settings);
  api = await startTestApi(settings);
});
afterAll(async () => {
  if (api) await terminateShards(api.temporal.client, settings);
  await api?.close();
  await workers?.stop();
  rmSync(lake, { recursive: true, force: true });
});

const pool = () => api.stores.postgres.pool();
const post = (path: string, body: unknown) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = (path: string) => fetch(`${api.url}${path}`);

/** Waits for the day's latest run to end and returns the runs view. */
async function finishedRuns(dataRef: string, runs = 1) {
  return eventually(
    async () => {
      const response = await get(`/v1/reports/runs/${dataRef}`);
      if (response.status !== 200) return undefined;
      const body = await json(response);
      return body.runs.length >= runs && body.runs[0].status !== 'running' && body.workflow_status !== 'RUNNING' ? body : undefined;
    },
    120_000,
    500,
  );
}

test('entries pending in the ledger buffers are flushed by the run and consolidated; start is idempotent per data_ref', async () => {
  const tag = uniqueTag('e2e');
  const accounts = [`${tag}-a`, `${tag}-b`, `${tag}-c`, `${tag}-d`];
  const [day] = await freshDays(pool(), 1);
  const bodies = Array.from({ length: 24 }, (_, index) => ({
    request_id: randomUUID(),
    account_id: accounts[index % accounts.length],
    amount: `${index + 1}.${String((index * 37) % 100).padStart(2, '0')}`,
    direction: index % 3 === 0 ? 'debit' : 'credit',
    data_ref: day,
  }));
  for (const body of bodies) expect((await post('/v1/lancamentos', body)).status).toBe(202);
  // Accepted, still in the buffers: nothing in PostgreSQL yet.
  const inDb = async () =>
    (await pool().query('SELECT count(*)::int AS n FROM ledger_entries WHERE data_ref = $1', [day])).rows[0].n as number;
  expect(await inDb()).toBe(0);

  const first = await post('/internal/reports/start', { data_ref: day });
  expect(first.status).toBe(202);
  const accepted = await json(first);
  expect(accepted).toMatchObject({
    data_ref: day,
    workflow_id: `consolidacao-${day}`,
    started: true,
    status: 'accepted',
    status_url: `/v1/reports/runs/${day}`,
  });
  const again = await json(await post('/internal/reports/start', { data_ref: day }));
  expect(again).toMatchObject({ workflow_id: `consolidacao-${day}`, run_id: accepted.run_id, started: false });

  const runs = await finishedRuns(day!);
  expect(runs).toMatchObject({ data_ref: day, workflow_id: `consolidacao-${day}`, workflow_status: 'COMPLETED' });
  expect(runs.runs).toHaveLength(1);
  expect(runs.runs[0]).toMatchObject({ run_id: accepted.run_id, status: 'succeeded', partitions: 3, error: null });
  expect(runs.runs[0].counts).toMatchObject({ entries: 24, accounts: 4, ledger_buffers_flushed: 2 });
  expect(runs.runs[0].steps.map((step: { step: string }) => step.step)).toEqual(['completeness', 'plan', 'consolidate', 'refresh_views', 'export', 'reconcile']);
  expect(await inDb()).toBe(24);
  // Findable in the Web UI by its day.
  const description = await api.temporal.client.workflow.getHandle(`consolidacao-${day}`).describe();
  expect(description.typedSearchAttributes.get(searchAttributeKeys.DataRef)).toBe(day);
  // Idempotent after the end too: the same run, nothing new.
  expect(await json(await post('/internal/reports/start', { data_ref: day }))).toMatchObject({ run_id: accepted.run_id, started: false });

  const expected = await expectedBalances(pool(), day!, accounts);
  const page = await json(await get(`/v1/reports/balances?data_ref=${day}`));
  expect(page.next_after).toBeNull();
  expect(page.balances).toEqual(
    expected.map((row) => ({
      account_id: row.account_id,
      data_ref: day,
      as_of: day,
      opening: formatCents(row.opening_cents),
      credits: formatCents(row.credit_cents),
      debits: formatCents(row.debit_cents),
      net: formatCents(row.net_cents),
      closing: formatCents(row.closing_cents),
      entry_count: row.entry_count,
    })),
  );
  const twoPerPage = await json(await get(`/v1/reports/balances?data_ref=${day}&limit=2`));
  expect(twoPerPage.balances.map((row: { account_id: string }) => row.account_id)).toEqual(expected.slice(0, 2).map((row) => row.account_id));
  expect(twoPerPage.next_after).toBe(expected[1]!.account_id);

  // A later day without entries: the balance carried from the last consolidated day.
  const later = addDays(day!, 5);
  const carried = await json(await get(`/v1/reports/balances?data_ref=${later}&account_id=${accounts[1]}`));
  const account = expected.find((row) => row.account_id === accounts[1])!;
  expect(carried.balances).toEqual([
    {
      account_id: accounts[1],
      data_ref: later,
      as_of: day,
      opening: formatCents(account.closing_cents),
      credits: '0.00',
      debits: '0.00',
      net: '0.00',
      closing: formatCents(account.closing_cents),
      entry_count: 0,
    },
  ]);
  expect((await get(`/v1/reports/balances?data_ref=${addDays(day!, -1)}&account_id=${accounts[1]}`)).status).toBe(404);

  const report = await json(await get(`/v1/reports/days/${day}?top=2`));
  expect(report).toMatchObject({ data_ref: day, accounts: 4, entry_count: 24 });
  expect(report.top_accounts).toHaveLength(2);
  expect(report.top_accounts[0].rank).toBe(1);

  // rerun: a new run of the finished day, replacing its results.
  const rerun = await json(await post('/internal/reports/start', { data_ref: day, rerun: true }));
  expect(rerun).toMatchObject({ workflow_id: `consolidacao-${day}`, started: true });
  expect(rerun.run_id).not.toBe(accepted.run_id);
  const afterRerun = await finishedRuns(day!, 2);
  expect(afterRerun.runs.map((run: { run_id: string; status: string }) => [run.run_id, run.status])).toEqual([
    [rerun.run_id, 'succeeded'],
    [accepted.run_id, 'succeeded'],
  ]);
  expect((await json(await get(`/v1/reports/balances?data_ref=${day}`))).balances).toEqual(page.balances);
});

test('a backfill over HTTP runs the range in order', async () => {
  const tag = uniqueTag('e2e-backfill');
  const days = await freshDays(pool(), 3);
  await seedLedger(
    pool(),
    days.flatMap((dataRef, index) => [
      { accountId: `${tag}-x`, amountCents: 1000n * BigInt(index + 1), direction: 'credit' as const, dataRef },
      { accountId: `${tag}-x`, amountCents: 1n, direction: 'debit' as const, dataRef },
    ]),
  );
  const response = await post('/internal/reports/backfill', { from: days[0], to: days[2] });
  expect(response.status).toBe(202);
  expect(await json(response)).toMatchObject({ from: days[0], to: days[2], days: 3, workflow_id: `consolidacao-backfill-${days[0]}-${days[2]}`, started: true });
  await finishedRuns(days[2]!);
  const closing = await json(await get(`/v1/reports/balances?data_ref=${days[2]}&account_id=${tag}-x`));
  expect(closing.balances[0]).toMatchObject({ as_of: days[2], opening: '29.98', credits: '30.00', debits: '0.01', closing: '59.97' });
});

test('bad input is a 400 naming each offending field, and starts nothing', async () => {
  const runsBefore = (await pool().query('SELECT count(*)::int AS n FROM reports_runs')).rows[0].n;
  const bad = await post('/internal/reports/start', { data_ref: '2024-02-30', rerun: 'yes', extra: 1 });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await json(bad);
  const names = problem.invalid_params.map((param: { name: string }) => param.name);
  expect(names).toEqual(expect.arrayContaining(['body.data_ref', 'body.rerun']));
  expect(problem.invalid_params.length).toBeGreaterThanOrEqual(3);

  const missing = await json(await post('/internal/reports/start', {}));
  expect(missing.invalid_params.map((param: { name: string }) => param.name)).toEqual(['body.data_ref']);

  const backwards = await post('/internal/reports/backfill', { from: '2020-01-10', to: '2020-01-01' });
  expect(backwards.status).toBe(400);
  expect((await json(backwards)).invalid_params).toEqual([{ name: 'body.to', reason: 'must not be before from' }]);
  const tooLong = await json(await post('/internal/reports/backfill', { from: '2000-01-01', to: '2003-01-01' }));
  expect(tooLong.invalid_params).toEqual([{ name: 'body.to', reason: 'a backfill covers at most 366 days' }]);

  const query = await get('/v1/reports/balances?account_id=has%20space');
  expect(query.status).toBe(400);
  expect((await json(query)).invalid_params.map((param: { name: string }) => param.name).sort()).toEqual(['query.account_id', 'query.data_ref']);
  expect((await get('/v1/reports/runs/2024-13-01')).status).toBe(400);
  expect((await get('/v1/reports/runs/1899-01-01')).status).toBe(400);

  expect((await pool().query('SELECT count(*)::int AS n FROM reports_runs')).rows[0].n).toBe(runsBefore);
  const { executions } = await api.temporal.client.workflowService.listWorkflowExecutions({
    namespace: api.config.TEMPORAL_NAMESPACE,
    query: `WorkflowId = 'consolidacao-2024-02-30'`,
  });
  expect(executions ?? []).toHaveLength(0);
});

test('a day never consolidated is a 404 on runs and on the day report', async () => {
  const [day] = await freshDays(pool(), 1);
  expect((await get(`/v1/reports/runs/${day}`)).status).toBe(404);
  expect((await get(`/v1/reports/days/${day}`)).status).toBe(404);
});
