/**
 * Backpressure: past LEDGER_MAX_PENDING_PER_SHARD entries waiting in a shard, the API answers 503 with
 * Retry-After (nothing claimed for the refused entry), and once the shard drained the same request is accepted.
 */
import { ledgerFlushUpdate } from '../../src/domain/ledger/buffer';
import { bufferWorkflowId } from '../../src/domain/ledger/shard';
import { eventually } from '../support/app';
import { json } from '../support/http';
import { entryBody, ledgerTestSettings, useLedgerApp } from '../support/ledger';

const settings = ledgerTestSettings('ledger-backpressure', {
  LEDGER_SHARDS: '1',
  LEDGER_MAX_PENDING_PER_SHARD: '5',
  LEDGER_FLUSH_INTERVAL_MS: '600000',
  LEDGER_STATS_INTERVAL_MS: '200',
});
const app = useLedgerApp(settings);

const backlogEstimate = async (): Promise<number> =>
  (await json(await fetch(`${app.api.url}/v1/lancamentos/shards`))).shards[0].backlog_estimate;

const post = (body: unknown) =>
  fetch(`${app.api.url}/v1/lancamentos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('a full shard answers 503 with Retry-After until it drained', async () => {
  // An entry signalled while a stats poll is out is counted on top of that poll's answer until the next
  // poll: the estimate errs high for a moment. Each post waits for it to settle, so the bound is exact here.
  for (let index = 1; index <= 5; index++) {
    expect((await post(entryBody())).status).toBe(202);
    await eventually(async () => ((await backlogEstimate()) === index ? true : undefined), 5_000);
  }

  const refused = entryBody();
  const response = await post(refused);
  expect(response.status).toBe(503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect((await json(response)).detail).toMatch(/shard 0 has more than 5 entries waiting/);
  const { rows } = await app.api.stores.postgres.pool().query('SELECT count(*)::int AS n FROM ledger_requests WHERE request_id = $1', [refused.request_id]);
  expect(rows[0].n).toBe(0);

  // The stats poller confirms the backlog (settling with its next answer, as above).
  const shard = await eventually(async () => {
    const { shards } = await json(await fetch(`${app.api.url}/v1/lancamentos/shards`));
    return shards[0].backlog_estimate === 5 ? shards[0] : undefined;
  }, 5_000);
  expect(shard).toMatchObject({ backlog_estimate: 5, stats: { pending: 5 } });

  // /ready stays 200 (the ledger is not a required check) but says degraded and names the full shard.
  const ready = await fetch(`${app.api.url}/ready`);
  expect(ready.status).toBe(200);
  const readiness = await json(ready);
  expect(readiness.status).toBe('degraded');
  expect(readiness.detail).toMatch(/ledger-backlog \(ledger: shard 0 backlog 5 ≥ 5\)/);

  await app.api.temporal.client.workflow
    .getHandle(bufferWorkflowId(settings.LEDGER_BUFFER_ID_PREFIX!, 0))
    .executeUpdate(ledgerFlushUpdate, { args: [{ dataRef: '2026-12-31' }] });
  const accepted = await eventually(async () => {
    const retry = await post(refused);
    return retry.status === 202 ? retry : undefined;
  }, 20_000);
  expect(await json(accepted)).toMatchObject({ request_id: refused.request_id, status: 'accepted' });
});
