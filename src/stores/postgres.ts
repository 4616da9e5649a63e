/** PostgreSQL: one pg Pool per process, created on first use. */
import { Pool, type PoolClient } from 'pg';
import type { Config } from '../config';
import { withTimeout, type StoreHealth } from './store';

export interface PostgresStore extends StoreHealth {
  pool(): Pool;
  /** Runs `work` in one transaction; commits on success, rolls back on any error. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
}

/**
 * Runs `work` with a client checked out of `pool`. A checked-out client whose connection drops (server
 * restart) emits 'error' besides failing its query; unheard, that event would crash the process, so it is
 * heard here, and such a client is discarded on release instead of going back to the pool. The failed query
 * is what the caller sees. `work` gets `markBroken` for failures it learns of itself (a ROLLBACK that failed).
 */
export async function withPoolClient<T>(pool: Pool, work: (client: PoolClient, markBroken: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const markBroken = () => {
    broken = true;
  };
  client.on('error', markBroken);
  try {
    return await work(client, markBroken);
  } finally {
    // A broken client keeps the listener: its socket may still report the drop after release.
    if (!broken) client.off('error', markBroken);
    client.release(broken);
  }
}

export function createPostgresStore(config: Config): PostgresStore {
  let pool: Pool | undefined;
  const get = () => {
    if (pool) return pool;
    pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_MAX,
      connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    return pool;
  };
  return {
    name: 'postgres',
    pool: get,
    transaction: (work) =>
      withPoolClient(get(), async (client, markBroken) => {
        try {
          await client.query('BEGIN');
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(markBroken);
          throw error;
        }
      }),
    async check() {
      await withTimeout(get().query('SELECT 1'), config.DATABASE_CONNECT_TIMEOUT_MS, 'postgres');
    },
    async close() {
      const current = pool;
      pool = undefined;
      await current?.end();
    },
  };
}
