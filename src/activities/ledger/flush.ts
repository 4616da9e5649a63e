/**
 * The flush: one batch of a shard into PostgreSQL in one statement (so one transaction): the entries
 * (`ON CONFLICT (request_id) DO NOTHING`), one outbox row per inserted entry (event `LancamentoRegistrado`,
 * event_id derived from the request_id) and the batch's control-table row. A retried attempt finds its
 * entries and its control row already there, inserts nothing and returns the first attempt's row.
 */
import type { PoolClient } from 'pg';
import type { LedgerBatchRecord, LedgerFlushBatch } from '../../domain/ledger/flush-batch';
import { parseCents } from '../../domain/ledger/money';
import type { PostgresStore } from '../../stores/postgres';
import { ledgerFlushDuration, ledgerPersistedEntries } from './metrics';

// Columns travel as parallel arrays expanded by unnest: one round trip, one statement per batch.
const FLUSH_SQL = `
WITH input AS (
  SELECT * FROM unnest($3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::date[], $8::text[], $9::jsonb[], $10::text[], $11::float8[])
    AS t(request_id, account_id, amount_cents, direction, data_ref, description, metadata, content_hash, accepted_ms)
), inserted AS (
  INSERT INTO ledger_entries
    (request_id, account_id, amount_cents, direction, data_ref, description, metadata, content_hash, shard, batch_id, accepted_at)
  SELECT request_id, account_id, amount_cents, direction, data_ref, description, metadata, content_hash, $2, $1,
         to_timestamp(accepted_ms / 1000.0)
  FROM input
  ON CONFLICT (request_id) DO NOTHING
  RETURNING request_id, amount_cents, direction
), outbox AS (
  INSERT INTO ledger_outbox (event_id, request_id)
  SELECT ledger_event_id(request_id), request_id FROM inserted
  ON CONFLICT (event_id) DO NOTHING
)
INSERT INTO ledger_batches
  (batch_id, shard, received_count, entry_count, amount_sum_cents, credit_sum_cents, debit_sum_cents, checksum)
SELECT $1, $2, $12, count(*),
       coalesce(sum(amount_cents), 0),
       coalesce(sum(amount_cents) FILTER (WHERE direction = 'credit'), 0),
       coalesce(sum(amount_cents) FILTER (WHERE direction = 'debit'), 0),
       md5(coalesce(string_agg(request_id::text || ':' || direction || ':' || amount_cents::text, ',' ORDER BY request_id), ''))
FROM inserted
ON CONFLICT (batch_id) DO NOTHING
RETURNING ${batchColumns()}`;

function batchColumns(): string {
  return `batch_id, shard, received_count, entry_count, amount_sum_cents::text, credit_sum_cents::text,
          debit_sum_cents::text, checksum, flushed_at`;
}

interface BatchRow {
  batch_id: string;
  shard: number;
  received_count: number;
  entry_count: number;
  amount_sum_cents: string;
  credit_sum_cents: string;
  debit_sum_cents: string;
  checksum: string;
  flushed_at: Date;
}

export async function flushBatch(postgres: PostgresStore, batch: LedgerFlushBatch): Promise<LedgerBatchRecord> {
  const { entries } = batch;
  const params = [
    batch.batchId,
    batch.shard,
    entries.map((entry) => entry.requestId),
    entries.map((entry) => entry.accountId),
    entries.map((entry) => parseCents(entry.amount).toString()),
    entries.map((entry) => entry.direction),
    entries.map((entry) => entry.dataRef),
    entries.map((entry) => entry.description ?? null),
    entries.map((entry) => entry.metadata ?? null),
    entries.map((entry) => entry.contentHash),
    entries.map((entry) => entry.acceptedAt),
    entries.length,
  ];
  const pool = postgres.pool();
  const endTimer = ledgerFlushDuration.startTimer();
  const { rows } = await pool.query<BatchRow>(FLUSH_SQL, params);
  endTimer();
  // Counted only when this attempt committed the batch, so the counter matches the rows in PostgreSQL.
  if (rows[0]) ledgerPersistedEntries.inc(rows[0].entry_count);
  // No row: this batch was committed by an earlier attempt (or a concurrent one, which we waited for).
  const row = rows[0] ?? (await readBatch(pool, batch.batchId));
  if (!row) throw new Error(`ledger batch ${batch.batchId}: control row missing after flush`);
  return toRecord(row);
}

async function readBatch(client: Pick<PoolClient, 'query'>, batchId: string): Promise<BatchRow | undefined> {
  const { rows } = await client.query<BatchRow>(`SELECT ${batchColumns()} FROM ledger_batches WHERE batch_id = $1`, [batchId]);
  return rows[0];
}

function toRecord(row: BatchRow): LedgerBatchRecord {
  return {
    batchId: row.batch_id,
    shard: row.shard,
    received: row.received_count,
    inserted: row.entry_count,
    amountSumCents: row.amount_sum_cents,
    creditSumCents: row.credit_sum_cents,
    debitSumCents: row.debit_sum_cents,
    checksum: row.checksum,
    flushedAt: row.flushed_at.toISOString(),
  };
}
