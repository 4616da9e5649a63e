/**
 * The ledger worker process killed with SIGKILL in the middle of flushes, twice, while callers keep
 * posting: every accepted entry ends up in PostgreSQL exactly once (one row, one outbox row, counted in
 * exactly one control-table batch). Entries accepted before a kill wait in the shard workflows' histories;
 * while no worker runs, the API refuses new ones with 503 (the shards stop answering) and callers retry.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually, startTestApi, type TestApi } from '../support/app';
import { ledgerCounts, ledgerTestSettings, startLedgerLoad, terminateShards } from '../support/ledger';

const ROOT = join(__dirname, '..', '..');
const settings = ledgerTestSettings('ledger-kill', { LEDGER_FLUSH_SIZE: '100', LEDGER_FLUSH_INTERVAL_MS: '300' });
let api: TestApi;

function launchWorker() {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/workers/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...settings, WORKER_TASK_QUEUES: 'ledger', LOG_LEVEL: 'info' },
    // Its own process group: tsx runs the worker in a child node process, and a SIGKILL cannot be
    // relayed, so the kill goes to the whole group (the tsx wrapper and the real worker).
    detached: true,
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', () => undefined);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const polling = eventually(async () => (stdout.includes('worker polling') ? true : undefined), 120_000, 250);
  const kill = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal);
  };
  return { child, exited, polling, kill };
}

beforeAll(async () => {
  api = await startTestApi(settings);
});
afterAll(async () => {
  if (api) await terminateShards(api.temporal.client, settings);
  await api?.close();
});

const batchesSoFar = async () =>
  (
    await api.stores.postgres
      .pool()
      .query("SELECT count(*)::int AS n FROM ledger_batches WHERE batch_id LIKE $1 || '-%'", [settings.LEDGER_BUFFER_ID_PREFIX])
  ).rows[0].n as number;

test('SIGKILL of the worker during flushes loses and duplicates nothing', async () => {
  let worker = launchWorker();
  let load: ReturnType<typeof startLedgerLoad> | undefined;
  try {
    await worker.polling;
    const running = (load = startLedgerLoad(api.url, { clients: 12, batchEvery: 5 }));
    for (let kill = 1; kill <= 2; kill++) {
      // Flushes are running (a new batch every ~100 entries): kill the process in the middle of them.
      const before = await batchesSoFar();
      await eventually(async () => ((await batchesSoFar()) >= before + 3 ? true : undefined), 120_000, 100);
      worker.kill('SIGKILL');
      expect(await worker.exited).toBe('SIGKILL');
      // Without a worker the shards soon stop answering and the API refuses with 503 (backpressure);
      // callers retry with the same bodies.
      const retriesBefore = running.result.retries;
      await eventually(async () => (running.result.retries > retriesBefore + 20 ? true : undefined), 60_000);
      worker = launchWorker();
      await worker.polling;
    }
    const before = await batchesSoFar();
    await eventually(async () => ((await batchesSoFar()) >= before + 3 ? true : undefined), 120_000, 100);
    const result = await running.stop();

    expect(result.unexpected).toEqual([]);
    expect(result.accepted.length).toBeGreaterThan(500);
    expect(new Set(result.accepted).size).toBe(result.accepted.length);
    const expected = result.accepted.length;
    const counts = await eventually(async () => {
      const current = await ledgerCounts(api.stores.postgres.pool(), result.accepted, settings.LEDGER_BUFFER_ID_PREFIX!);
      return current.entries === expected && current.controlled === expected ? current : undefined;
    }, 120_000, 500);
    expect(counts).toEqual({ entries: expected, outbox: expected, controlled: expected });
  } finally {
    await load?.stop();
    worker.kill('SIGKILL');
    await worker.exited;
  }
}, 420_000);
