/**
 * Account blocks, one row per (account, alert). The hold is the saga's forward step for an alert whose action is
 * block; confirming makes it a confirmed block; releasing is the compensation. A release writes a `released`
 * row even when no hold was recorded, so a late retry of the hold can never block the account again.
 */
import type { Pool } from 'pg';

export interface BlockRef {
  accountId: string;
  alertId: string;
}

export type BlockOutcome = 'held' | 'confirmed' | 'released';

async function stateOf(pool: Pool, ref: BlockRef): Promise<BlockOutcome> {
  const { rows } = await pool.query<{ state: BlockOutcome }>('SELECT state FROM account_blocks WHERE account_id = $1 AND alert_id = $2', [ref.accountId, ref.alertId]);
  return rows[0]!.state;
}

export async function holdAccount(pool: Pool, ref: BlockRef): Promise<BlockOutcome> {
  await pool.query(
    `INSERT INTO account_blocks (account_id, alert_id, state) VALUES ($1, $2, 'held') ON CONFLICT (account_id, alert_id) DO NOTHING`,
    [ref.accountId, ref.alertId],
  );
  return stateOf(pool, ref);
}

export async function confirmBlock(pool: Pool, ref: BlockRef): Promise<BlockOutcome> {
  await pool.query(
    `INSERT INTO account_blocks (account_id, alert_id, state, confirmed_at) VALUES ($1, $2, 'confirmed', now())
     ON CONFLICT (account_id, alert_id) DO UPDATE SET state = 'confirmed', confirmed_at = now()
     WHERE account_blocks.state = 'held'`,
    [ref.accountId, ref.alertId],
  );
  return stateOf(pool, ref);
}

export async function releaseAccount(pool: Pool, ref: BlockRef & { reason: string }): Promise<BlockOutcome> {
  await pool.query(
    `INSERT INTO account_blocks (account_id, alert_id, state, released_at, release_reason) VALUES ($1, $2, 'released', now(), $3)
     ON CONFLICT (account_id, alert_id) DO UPDATE SET state = 'released', released_at = now(), release_reason = $3
     WHERE account_blocks.state <> 'released'`,
    [ref.accountId, ref.alertId, ref.reason],
  );
  return stateOf(pool, ref);
}
