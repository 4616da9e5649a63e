/**
 * The idempotency registry (`ledger_requests`): before an entry is signalled to its shard, its request_id
 * is claimed with the hash of its content, for a whole micro-batch in one statement. The first content
 * seen for a request_id is the one it stands for from then on, whether the entry is still buffered in a
 * workflow or already persisted, and whichever shard or API process handled it.
 */
import type { Pool } from 'pg';

export interface ClaimInput {
  requestId: string;
  contentHash: string;
  shard: number;
}

export interface ClaimOutcome {
  /** The content hash registered for the request_id (this batch's, if it claimed it first). */
  registeredHash: string;
  /** True when this batch made the claim (a new request). */
  claimed: boolean;
}

const CLAIM_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[]) WITH ORDINALITY AS t(request_id, content_hash, shard, ord)
), first_seen AS (
  SELECT DISTINCT ON (request_id) request_id, content_hash, shard FROM input ORDER BY request_id, ord
), inserted AS (
  INSERT INTO ledger_requests (request_id, content_hash, shard)
  SELECT request_id, content_hash, shard FROM first_seen
  ON CONFLICT (request_id) DO NOTHING
  RETURNING request_id, content_hash
)
SELECT f.request_id::text AS request_id, coalesce(i.content_hash, r.content_hash) AS content_hash, i.request_id IS NOT NULL AS claimed
FROM first_seen f
LEFT JOIN inserted i ON i.request_id = f.request_id
LEFT JOIN ledger_requests r ON r.request_id = f.request_id`;

/** Claims every request id (first occurrence in the batch wins); returns the outcome per request id. */
export async function claimRequests(pool: Pool, inputs: ClaimInput[]): Promise<Map<string, ClaimOutcome>> {
  const { rows } = await pool.query<{ request_id: string; content_hash: string | null; claimed: boolean }>(CLAIM_SQL, [
    inputs.map((input) => input.requestId),
    inputs.map((input) => input.contentHash),
    inputs.map((input) => input.shard),
  ]);
  const outcomes = new Map<string, ClaimOutcome>();
  const unseen: string[] = [];
  for (const row of rows) {
    if (row.content_hash === null) unseen.push(row.request_id);
    else outcomes.set(row.request_id, { registeredHash: row.content_hash, claimed: row.claimed });
  }
  // A claim committed by another request after this statement's snapshot was taken: read it afresh.
  if (unseen.length > 0) {
    const again = await pool.query<{ request_id: string; content_hash: string }>(
      'SELECT request_id::text AS request_id, content_hash FROM ledger_requests WHERE request_id = ANY($1::uuid[])',
      [unseen],
    );
    for (const row of again.rows) outcomes.set(row.request_id, { registeredHash: row.content_hash, claimed: false });
  }
  return outcomes;
}

/** Which of `requestIds` are already in the ledger (so a repeated request need not be signalled again). */
export async function persistedAmong(pool: Pool, requestIds: string[]): Promise<Set<string>> {
  if (requestIds.length === 0) return new Set();
  const { rows } = await pool.query<{ request_id: string }>(
    'SELECT request_id::text AS request_id FROM ledger_entries WHERE request_id = ANY($1::uuid[])',
    [requestIds],
  );
  return new Set(rows.map((row) => row.request_id));
}

/** The shard a claimed request id was sent to, if it was ever claimed. */
export async function claimedShard(pool: Pool, requestId: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ shard: number }>('SELECT shard FROM ledger_requests WHERE request_id = $1', [requestId]);
  return rows[0]?.shard;
}
