import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Stores } from '../stores';
import type { StoreHealth } from '../stores/store';

/** What route modules get: config, the Temporal client, the stores, a logger. */
export interface ApiDeps {
  config: Config;
  temporal: Client;
  /** Checks Temporal itself for `/ready`. */
  temporalHealth: StoreHealth;
  stores: Stores;
  logger: Logger;
}
