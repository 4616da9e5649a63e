/**
 * The Temporal dev server stopped and started again while callers keep posting: calls during the outage
 * get 503 and are retried; every accepted entry ends up in PostgreSQL exactly once.
 */
import { eventually } from '../support/app';
import { ledgerCounts, ledgerTestSettings, startLedgerLoad, useLedgerApp } from '../support/ledger';
import { stackDown, stackUp } from '../support/stack';

const settings = ledgerTestSettings('ledger-temporal-restart', { LEDGER_FLUSH_SIZE: '100', LEDGER_FLUSH_INTERVAL_MS: '300' });
const app = useLedgerApp(settings);

test('a Temporal restart mid-stream loses and duplicates nothing', async () => {
  const load = startLedgerLoad(app.api.url, { clients: 8, batchEvery: 5 });
  let result;
  try {
    await eventually(async () => (load.result.accepted.length > 300 ? true : undefined), 180_000);
    stackDown('temporal');
    const retriesBefore = load.result.retries;
    // Calls fail while the server is down (503, retried by the callers).
    await eventually(async () => (load.result.retries > retriesBefore + 10 ? true : undefined), 60_000);
    stackUp('temporal');
    const acceptedAfterRestart = load.result.accepted.length;
    await eventually(async () => (load.result.accepted.length > acceptedAfterRestart + 300 ? true : undefined), 120_000);
  } finally {
    result = await load.stop();
  }

  expect(result.unexpected).toEqual([]);
  expect(new Set(result.accepted).size).toBe(result.accepted.length);
  const expected = result.accepted.length;
  const counts = await eventually(async () => {
    const current = await ledgerCounts(app.api.stores.postgres.pool(), result.accepted, settings.LEDGER_BUFFER_ID_PREFIX!);
    return current.entries === expected && current.controlled === expected ? current : undefined;
  }, 120_000, 500);
  expect(counts).toEqual({ entries: expected, outbox: expected, controlled: expected });
}, 600_000);
