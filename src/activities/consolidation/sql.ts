/** A transaction with the consolidation's statement timeout (its statements are long by nature) and serial plans. */
import type { PoolClient } from 'pg';
import { withPoolClient, type PostgresStore } from '../../stores/postgres';

/**
 * The consolidation's statements run several at once (partitions, export, reconciliation) on a server they
 * share with the ledger: parallel query workers only add CPU there (rows shipped through a Gather, measured
 * +0.3-0.5 CPU-s on the reconciliation alone), and JIT compiles each mid-sized statement for ~0.1 s that it
 * never wins back (docs/consolidation.md).
 */
const SERIAL_PLANS = `SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0`;

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ';

export async function inTransaction<T>(
  postgres: PostgresStore,
  statementTimeoutMs: number,
  work: (client: PoolClient) => Promise<T>,
  isolation: IsolationLevel = 'READ COMMITTED',
): Promise<T> {
  return withPoolClient(postgres.pool(), async (client, markBroken) => {
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      await client.query(`SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}; ${SERIAL_PLANS}`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(markBroken);
      throw error;
    }
  });
}
