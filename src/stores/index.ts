/**
 * Every store client of a process, created lazily from config, checked together by `/ready`, closed together
 * on shutdown.
 */
import type { Config } from '../config';
import { createPostgresStore, type PostgresStore } from './postgres';
import type { StoreHealth } from './store';

export interface Stores {
  postgres: PostgresStore;
  /** The stores `/ready` checks, in the order it reports them. */
  all(): StoreHealth[];
  close(): Promise<void>;
}

export function createStores(config: Config): Stores {
  const postgres = createPostgresStore(config);
  const all = () => [postgres];
  return {
    postgres,
    all,
    async close() {
      await Promise.allSettled(all().map((store) => store.close()));
    },
  };
}
