/** PostgreSQL: one pg Pool per process, created on first use. */
import { Pool, type PoolClient } from 'pg';
import type { Config } from '../config';
import { withTimeout, type StoreHealth } from './store';

export interface PostgresStore extends StoreHealth {
  pool(): Pool;
  /** Runs `work` in one transaction; commits on success, rolls back on any error. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
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
    async transaction(work) {
      const client = await get().connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
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
