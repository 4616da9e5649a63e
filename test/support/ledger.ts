/** Helpers for the ledger tests: an isolated shard prefix per test file, entry bodies, cleanup. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { bufferWorkflowId } from '../../src/domain/ledger/shard';
import { startTestApi, startTestWorkers, type TestApi, type TestWorkers } from './app';

/** Settings that keep a test file's shard workflows apart from every other test's. */
export function ledgerTestSettings(name: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    LEDGER_BUFFER_ID_PREFIX: `t-${name}-${process.pid}-${Date.now()}`,
    LEDGER_SHARDS: '2',
    LEDGER_RELAY_ENABLED: 'false',
    // Load tests post thousands of entries as one principal; the per-principal quota is not under test here.
    QUOTA_REQUESTS: '0',
    // A loaded test machine can take several seconds for a new shard's first workflow task; the stall guard
    // (503 while a shard does not answer its stats query) would then refuse entries the test expects accepted.
    LEDGER_STALL_MS: '30000',
    ...overrides,
  };
}

let counter = 0;
// Accounts of this test process only: an account another test held or blocked (alerts) must not refuse these entries.
const ACCOUNT_PREFIX = randomUUID().slice(0, 8);
export function entryBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    request_id: randomUUID(),
    account_id: `acc-${ACCOUNT_PREFIX}-${counter % 7}`,
    amount: `${counter}.${String(counter % 100).padStart(2, '0')}`,
    direction: counter % 2 ? 'credit' : 'debit',
    data_ref: '2026-01-15',
    ...overrides,
  };
}

/**
 * A test file's ledger app: `ledger` workers and an API with `settings`, started before its tests and, after
 * them, its shard workflows terminated and both stopped. Read `app.api` / `app.workers` inside tests.
 */
export function useLedgerApp(settings: Record<string, string>): { api: TestApi; workers: TestWorkers } {
  const app = {} as { api: TestApi; workers: TestWorkers };
  beforeAll(async () => {
    app.workers = await startTestWorkers(['ledger'], settings);
    app.api = await startTestApi(settings);
  });
  afterAll(async () => {
    if (app.api) await terminateShards(app.api.temporal.client, settings);
    await app.api?.close();
    await app.workers?.stop();
  });
  return app;
}

/**
 * Marks every outbox row not yet relayed as sent. For tests that run the relay and wait for their own events:
 * ledger tests with the relay off leave their entries' rows behind in the shared test database, and a relay
 * publishes oldest first, so tens of thousands of them would come before this file's events.
 */
export async function skipEarlierOutboxRows(pool: Pool): Promise<void> {
  await pool.query('UPDATE ledger_outbox SET sent_at = now() WHERE sent_at IS NULL');
}

/** Terminates a test's shard workflows so they do not linger on the shared `ledger` queue. */
export async function terminateShards(client: Client, settings: Record<string, string>): Promise<void> {
  const shards = Number(settings.LEDGER_SHARDS ?? 2);
  await Promise.all(
    Array.from({ length: shards }, (_, shard) =>
      client.workflow
        .getHandle(bufferWorkflowId(settings.LEDGER_BUFFER_ID_PREFIX!, shard))
        .terminate('ledger test finished')
        .catch(() => undefined),
    ),
  );
}

export interface LoadResult {
  /** request ids answered 202 (every entry is retried with the same body until it is). */
  accepted: string[];
  /** Answers that must never happen under faults (409 for an unchanged retry, 5xx other than 503, 4xx). */
  unexpected: string[];
  /** 503s and connection errors that were retried. */
  retries: number;
}

/**
 * Keeps `clients` callers posting new entries (single POSTs, and every `batchEvery`-th call a batch of 10)
 * until stopped. A refused or failed call is retried with the same body, as a real client would, so at the
 * end every entry sent was accepted once.
 */
export function startLedgerLoad(url: string, options: { clients: number; batchEvery?: number }) {
  let stopping = false;
  const result: LoadResult = { accepted: [], unexpected: [], retries: 0 };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function send(path: string, body: unknown): Promise<Response | undefined> {
    try {
      return await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch {
      return undefined; // the API itself is fine; a reset connection is retried like a 503
    }
  }

  async function deliver(path: string, body: { entries?: Record<string, unknown>[] } & Record<string, unknown>): Promise<void> {
    let entries = body.entries ?? [body];
    for (;;) {
      const response = await send(path, path.endsWith('batch') ? { entries } : entries[0]);
      if (response?.status === 202 && !path.endsWith('batch')) {
        result.accepted.push(entries[0]!.request_id as string);
        await response.arrayBuffer();
        return;
      }
      if (response && (response.status === 200 || response.status === 202) && path.endsWith('batch')) {
        const answer = (await response.json()) as { results: { request_id: string; status: string }[] };
        const retry: Record<string, unknown>[] = [];
        answer.results.forEach((item, index) => {
          if (item.status === 'accepted') result.accepted.push(item.request_id);
          else if (item.status === 'unavailable') retry.push(entries[index]!);
          else result.unexpected.push(`batch ${item.status} ${item.request_id}`);
        });
        if (retry.length === 0) return;
        entries = retry;
      } else if (response && response.status !== 503) {
        result.unexpected.push(`${response.status} ${await response.text()}`);
        return;
      } else {
        await response?.arrayBuffer();
      }
      result.retries += 1;
      await pause(200);
    }
  }

  const clients = Array.from({ length: options.clients }, async (_, client) => {
    for (let call = 0; !stopping; call++) {
      if (options.batchEvery && call % options.batchEvery === client % options.batchEvery) {
        await deliver('/v1/lancamentos/batch', { entries: Array.from({ length: 10 }, () => entryBody()) });
      } else {
        await deliver('/v1/lancamentos', entryBody());
      }
    }
  });

  return {
    result,
    /** Stops new calls; resolves once every entry in hand was accepted. */
    async stop(): Promise<LoadResult> {
      stopping = true;
      await Promise.all(clients);
      return result;
    },
  };
}

/** What PostgreSQL holds for a set of request ids, and the control-table count of a shard prefix. */
export async function ledgerCounts(
  pool: { query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, number>[] }> },
  requestIds: string[],
  prefix: string,
): Promise<{ entries: number; outbox: number; controlled: number }> {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*) FROM ledger_entries WHERE request_id = ANY($1::uuid[]))::int AS entries,
            (SELECT count(*) FROM ledger_outbox WHERE request_id = ANY($1::uuid[]))::int AS outbox,
            (SELECT coalesce(sum(entry_count), 0) FROM ledger_batches WHERE batch_id LIKE $2 || '-%')::int AS controlled`,
    [requestIds, prefix],
  );
  return rows[0] as { entries: number; outbox: number; controlled: number };
}
