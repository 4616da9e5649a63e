/**
 * Exactly-once side effects for the saga's at-least-once activities. Each side effect runs in one transaction
 * with its journal row (maintenance_saga_steps, keyed by maintenance id + action), so a retried attempt finds
 * the row and returns what the first one did instead of allocating twice. An undo writes `compensated` in the
 * same transaction as the reversal — or, when the effect never happened, as a tombstone, so an attempt of the
 * effect still in flight (cancelled saga, timed-out attempt) finds it and does nothing.
 */
import type { PoolClient } from 'pg';
import type { PostgresStore } from '../../stores/postgres';
import type { SagaAction } from '../../domain/maintenance/saga';

export type Applied<T> = { status: 'applied'; detail: T } | { status: 'compensated' };

export type UndoResult = 'undone' | 'nothing-to-undo' | 'already-undone' | 'settled';

export async function applyOnce<T>(
  postgres: PostgresStore,
  maintenanceId: string,
  action: SagaAction,
  effect: (client: PoolClient) => Promise<T>,
): Promise<Applied<T>> {
  return postgres.transaction(async (client) => {
    // A concurrent attempt holding the same key makes this wait, then conflict: never two effects.
    const inserted = await client.query(
      `INSERT INTO maintenance_saga_steps (maintenance_id, action, status) VALUES ($1, $2, 'applied')
       ON CONFLICT (maintenance_id, action) DO NOTHING RETURNING action`,
      [maintenanceId, action],
    );
    if (inserted.rowCount === 1) {
      const detail = await effect(client);
      await client.query('UPDATE maintenance_saga_steps SET detail = $3 WHERE maintenance_id = $1 AND action = $2', [
        maintenanceId,
        action,
        JSON.stringify(detail ?? null),
      ]);
      return { status: 'applied', detail };
    }
    const { rows } = await client.query<{ status: string; detail: T }>(
      'SELECT status, detail FROM maintenance_saga_steps WHERE maintenance_id = $1 AND action = $2',
      [maintenanceId, action],
    );
    const row = rows[0]!;
    return row.status === 'compensated' ? { status: 'compensated' } : { status: 'applied', detail: row.detail };
  });
}

export async function undoOnce<T>(
  postgres: PostgresStore,
  maintenanceId: string,
  action: SagaAction,
  undo: (client: PoolClient, detail: T) => Promise<void>,
): Promise<UndoResult> {
  return postgres.transaction(async (client) => {
    const tombstone = await client.query(
      `INSERT INTO maintenance_saga_steps (maintenance_id, action, status) VALUES ($1, $2, 'compensated')
       ON CONFLICT (maintenance_id, action) DO NOTHING RETURNING action`,
      [maintenanceId, action],
    );
    if (tombstone.rowCount === 1) return 'nothing-to-undo';
    const { rows } = await client.query<{ status: string; detail: T }>(
      'SELECT status, detail FROM maintenance_saga_steps WHERE maintenance_id = $1 AND action = $2 FOR UPDATE',
      [maintenanceId, action],
    );
    const row = rows[0]!;
    if (row.status === 'compensated') return 'already-undone';
    if (row.status === 'settled') return 'settled';
    await undo(client, row.detail);
    await client.query(
      `UPDATE maintenance_saga_steps SET status = 'compensated', changed_at = now() WHERE maintenance_id = $1 AND action = $2`,
      [maintenanceId, action],
    );
    return 'undone';
  });
}
