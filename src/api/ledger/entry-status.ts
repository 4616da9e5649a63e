/**
 * `GET /v1/lancamentos/{request_id}`: persisted (the row), pending (its shard still holds it: asked with
 * the `held` query), or unknown. The row is read again after the query, so an entry flushed between the
 * two reads is reported persisted, not unknown.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Config } from '../../config';
import { ledgerHeldQuery } from '../../domain/ledger/buffer';
import { formatCents } from '../../domain/ledger/money';
import { bufferWorkflowId } from '../../domain/ledger/shard';
import { claimedShard } from './claims';

export interface PersistedEntry {
  request_id: string;
  account_id: string;
  amount: string;
  direction: string;
  data_ref: string;
  description: string | null;
  metadata: Record<string, unknown> | null;
  shard: number;
  batch_id: string;
  accepted_at: string;
  persisted_at: string;
}

export type EntryStatus =
  | { status: 'persisted'; entry: PersistedEntry }
  | { status: 'pending'; shard: number }
  | { status: 'unknown' }
  | { status: 'unavailable' };

export async function readPersisted(pool: Pool, requestId: string): Promise<PersistedEntry | undefined> {
  const { rows } = await pool.query(
    `SELECT request_id::text, account_id, amount_cents::text, direction, to_char(data_ref, 'YYYY-MM-DD') AS data_ref,
            description, metadata, shard, batch_id, accepted_at, persisted_at
     FROM ledger_entries WHERE request_id = $1`,
    [requestId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    request_id: row.request_id,
    account_id: row.account_id,
    amount: formatCents(row.amount_cents),
    direction: row.direction,
    data_ref: row.data_ref,
    description: row.description,
    metadata: row.metadata,
    shard: row.shard,
    batch_id: row.batch_id,
    accepted_at: row.accepted_at.toISOString(),
    persisted_at: row.persisted_at.toISOString(),
  };
}

export async function entryStatus(
  deps: { pool: Pool; temporal: Client; config: Pick<Config, 'LEDGER_BUFFER_ID_PREFIX' | 'LEDGER_SIGNAL_TIMEOUT_MS'> },
  requestId: string,
): Promise<EntryStatus> {
  const persisted = await readPersisted(deps.pool, requestId);
  if (persisted) return { status: 'persisted', entry: persisted };
  const shard = await claimedShard(deps.pool, requestId);
  if (shard === undefined) return { status: 'unknown' };
  try {
    const handle = deps.temporal.workflow.getHandle(bufferWorkflowId(deps.config.LEDGER_BUFFER_ID_PREFIX, shard));
    const held = await deps.temporal.connection.withDeadline(Date.now() + deps.config.LEDGER_SIGNAL_TIMEOUT_MS, () =>
      handle.query(ledgerHeldQuery, [requestId]),
    );
    if (held.includes(requestId)) return { status: 'pending', shard };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) return { status: 'unavailable' };
  }
  const flushedMeanwhile = await readPersisted(deps.pool, requestId);
  // Claimed but neither held nor persisted: the request that claimed it never got its entry accepted.
  return flushedMeanwhile ? { status: 'persisted', entry: flushedMeanwhile } : { status: 'unknown' };
}
