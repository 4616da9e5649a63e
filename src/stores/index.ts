/**
 * Every store client of a process, created lazily from config (nothing connects until first use), checked
 * together by `/ready`, closed together on shutdown.
 */
import type { Config } from '../config';
import { createKafkaStore, type KafkaStore } from './kafka';
import { createNeo4jStore, type Neo4jStore } from './neo4j';
import { createMongoStore, type MongoStore } from './mongo';
import { createObjectStorage, type ObjectStorage } from './object-storage';
import { createPostgresStore, type PostgresStore } from './postgres';
import type { StoreHealth } from './store';
import { createLazyTemporalClient, type LazyTemporalClient } from './temporal';

export interface Stores {
  postgres: PostgresStore;
  objectStorage: ObjectStorage;
  mongo: MongoStore;
  neo4j: Neo4jStore;
  kafka: KafkaStore;
  /** For activities that signal, update or query other workflows; not part of `/ready` (the API checks Temporal itself). */
  temporal: LazyTemporalClient;
  /** The stores `/ready` checks, in the order it reports them. */
  all(): StoreHealth[];
  close(): Promise<void>;
}

export function createStores(config: Config): Stores {
  const postgres = createPostgresStore(config);
  const objectStorage = createObjectStorage(config);
  const mongo = createMongoStore(config);
  const neo4j = createNeo4jStore(config);
  const kafka = createKafkaStore(config);
  const temporal = createLazyTemporalClient(config);
  const all = () => [postgres, objectStorage, mongo, neo4j, kafka];
  return {
    postgres,
    objectStorage,
    mongo,
    neo4j,
    kafka,
    temporal,
    all,
    async close() {
      await Promise.allSettled([...all(), temporal].map((store) => store.close()));
    },
  };
}
