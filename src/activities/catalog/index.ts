/**
 * The catalog's activities (task queue `catalog`): one per step of the publish workflow, the compensation,
 * and the outbox relay. Each is idempotent (natural keys: import id, run id, version) because Temporal
 * retries them.
 */
import { loadConfig, type Config } from '../../config';
import { topicNames, topicSpecs } from '../../domain/topics';
import type { ImportSummary, SnapshotSummary, VerifySummary } from '../../domain/catalog/publish';
import { createKafkaStore, type KafkaStore } from '../../stores/kafka';
import type { ObjectStorage } from '../../stores/object-storage';
import type { PostgresStore } from '../../stores/postgres';
import { applyCatalogImport, type ApplyInput, type ApplyResult } from './apply-import';
import { compensateRun, type CompensateInput, type CompensationOutcome } from './compensate';
import { draftCatalogVersion, type DraftInput, type DraftResult } from './draft';
import { importCatalogCsv, type ImportCsvInput } from './import-csv';
import { timed } from './metrics';
import { heartbeatWhile } from './progress';
import { relayCatalogOutbox } from './outbox-relay';
import { finishCatalogRun, publishCatalogVersion, type PublishInput, type PublishResult } from './publish';
import { buildCatalogSnapshot, type SnapshotInput } from './snapshot';
import { verifyCatalogSnapshot, type VerifyInput } from './verify';

export interface CatalogActivityStores {
  postgres: PostgresStore;
  objectStorage: ObjectStorage;
  /** The process's Kafka store; when absent, the relay creates its own from config on first use. */
  kafka?: KafkaStore;
}

export function createCatalogActivities(stores: CatalogActivityStores, config: Config = loadConfig()) {
  let kafka: Promise<KafkaStore> | undefined;
  /** Kafka with the catalog topic present (the broker does not auto-create topics). */
  const readyKafka = () => {
    if (!kafka) {
      const store = stores.kafka ?? createKafkaStore(config);
      const ready = store.ensureTopics(topicSpecs(config, [topicNames.catalogPublished])).then(() => store);
      kafka = ready;
      ready.catch(() => kafka === ready && (kafka = undefined));
    }
    return kafka;
  };

  return {
    importCatalogCsv: (input: ImportCsvInput): Promise<ImportSummary> => timed('import', () => importCatalogCsv(stores, config, input)),
    draftCatalogVersion: (input: DraftInput): Promise<DraftResult> =>
      timed('draft', () => heartbeatWhile(draftCatalogVersion(stores, input), { step: 'draft' })),
    applyCatalogImport: (input: ApplyInput): Promise<ApplyResult> =>
      timed('apply', () => heartbeatWhile(applyCatalogImport(stores.postgres, input), { step: 'apply' })),
    buildCatalogSnapshot: (input: SnapshotInput): Promise<SnapshotSummary> => timed('snapshot', () => buildCatalogSnapshot(stores, input)),
    verifyCatalogSnapshot: (input: VerifyInput): Promise<VerifySummary> => timed('verify', () => verifyCatalogSnapshot(stores, config, input)),
    publishCatalogVersion: (input: PublishInput): Promise<PublishResult> => timed('publish', () => publishCatalogVersion(stores, config, input)),
    compensateCatalogRun: (input: CompensateInput): Promise<CompensationOutcome> =>
      timed('compensate', () => heartbeatWhile(compensateRun(stores, input), { step: 'compensate' })),
    finishCatalogRun: (input: { importId: string | null }): Promise<void> => finishCatalogRun(stores.postgres, input),
    /** Sends unsent CatalogoPublicado events; a no-op when CATALOG_EVENTS_ENABLED is off. */
    relayCatalogOutbox: async (): Promise<{ published: number; enabled: boolean }> => {
      if (!config.CATALOG_EVENTS_ENABLED) return { published: 0, enabled: false };
      return { ...(await relayCatalogOutbox(stores.postgres, readyKafka)), enabled: true };
    },
  };
}

export type CatalogActivities = ReturnType<typeof createCatalogActivities>;
