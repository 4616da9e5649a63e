/** A transaction with the consolidation's statement timeout (its statements are long by nature) and serial plans. */
import type { PoolClient } from 'pg';
import type { PostgresStore } from '../../stores/postgres';

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
  const client = await postgres.pool().connect();
  let broken = false;
  // A checked-out client whose connection drops (server restart) emits 'error' besides failing the query;
  // unheard, that event would crash the worker. The failed query is what the activity reports.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    await client.query(`SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}; ${SERIAL_PLANS}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    // A connection that broke or could not even roll back (server restarted) is discarded, not reused; it
    // keeps the listener, since its socket may still report the drop after release.
    if (!broken) client.off('error', onError);
    client.release(broken);
  }
}
