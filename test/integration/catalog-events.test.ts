/**
 * CatalogoPublicado: written to catalog_outbox in the publish transaction and relayed to Kafka
 * (`catalogo.publicados`, key = catalog id) in the ARCHITECTURE.md envelope. With Kafka unreachable the
 * publish still succeeds and the event waits in the outbox until a later relay sends it.
 *
 * Run: FLUXO_TEST_SERVICES=postgres,temporal,kafka npx jest test/integration/catalog-events.test.ts
 */
import { randomUUID } from 'node:crypto';
import { createCatalogActivities } from '../../src/activities/catalog';
import { loadConfig } from '../../src/config';
import { catalogPublishWorkflowId } from '../../src/domain/catalog/publish';
import { topicNames } from '../../src/domain/topics';
import { createKafkaStore, type KafkaConsumer, type KafkaStore } from '../../src/stores/kafka';
import { eventually } from '../support/app';
import { catalogTestStores, csvRows, HEADER, putCsv, uniqueCatalogId, type CatalogTestStores } from '../support/catalog';
import { devServerEnv, testWorker, uniqueQueue } from '../support/temporal';
import { catalogPublishWorkflow } from '../../src/workflows/catalog/publish';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

// Real servers on a machine shared with other work: runs can be slow, never stuck.
jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let kafka: KafkaStore;
let consumer: KafkaConsumer;
const received: { key: string | null; event: Record<string, any> }[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  kafka = createKafkaStore(loadConfig());
  await kafka.ensureTopics([{ name: topicNames.catalogPublished, partitions: 3, retentionMs: 7 * 24 * 3600 * 1000 }]);
  consumer = await kafka.consumer(
    `t-catalog-events-${randomUUID()}`,
    async (message) => {
      received.push({ key: message.key?.toString('utf8') ?? null, event: JSON.parse(message.value!.toString('utf8')) });
    },
    { topics: [topicNames.catalogPublished], fromBeginning: false },
  );
}, 120_000);
afterAll(async () => {
  await consumer?.stop();
  await kafka?.close();
  await env?.teardown();
});

async function publish(stores: CatalogTestStores, catalogId: string) {
  const taskQueue = uniqueQueue('catalog-events');
  const worker = await testWorker(env, { taskQueue, activities: stores.activities });
  const csv = await putCsv(stores.objectStorage, catalogId, `${HEADER}\n${csvRows(3)}\n`);
  return worker.runUntil(
    env.client.workflow.execute(catalogPublishWorkflow, {
      workflowId: catalogPublishWorkflowId(catalogId),
      taskQueue,
      args: [{ catalogId, requestedBy: 'test', requestId: 'test', import: csv }],
    }),
  );
}

test('a publish relays CatalogoPublicado to Kafka, keyed by catalog, in the standard envelope', async () => {
  const stores = catalogTestStores({ CATALOG_EVENTS_ENABLED: 'true' });
  try {
    const catalogId = uniqueCatalogId('events');
    const result = await publish(stores, catalogId);
    expect(result.eventRelayed).toBe(true);
    const { rows } = await stores.postgres.pool().query('SELECT event_id, sent_at FROM catalog_outbox WHERE catalog_id = $1', [catalogId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].sent_at).not.toBeNull();
    const delivered = await eventually(async () => received.find((message) => message.event.payload?.catalog_id === catalogId), 30_000);
    expect(delivered.key).toBe(catalogId);
    expect(delivered.event).toEqual({
      event_id: rows[0].event_id,
      event_type: 'CatalogoPublicado',
      event_version: 1,
      occurred_at: expect.any(String),
      payload: expect.objectContaining({ catalog_id: catalogId, version: 1, previous_version: null, item_count: 3, sha256: result.sha256 }),
    });
  } finally {
    await stores.close();
  }
});

test('with Kafka unreachable the publish succeeds and the event waits in the outbox for the next relay', async () => {
  const unreachable = catalogTestStores({ CATALOG_EVENTS_ENABLED: 'true', KAFKA_BROKERS: '127.0.0.1:1', KAFKA_TIMEOUT_MS: '1000' });
  const catalogId = uniqueCatalogId('events-down');
  try {
    const result = await publish(unreachable, catalogId);
    expect(result).toMatchObject({ version: 1, eventRelayed: false });
    const { rows } = await unreachable.postgres.pool().query('SELECT sent_at FROM catalog_outbox WHERE catalog_id = $1', [catalogId]);
    expect(rows).toEqual([{ sent_at: null }]);
  } finally {
    await unreachable.close();
  }
  // Kafka reachable again: the next relay (the next publish's, or this call) sends it.
  const stores = catalogTestStores({ CATALOG_EVENTS_ENABLED: 'true' });
  try {
    const relay = createCatalogActivities({ postgres: stores.postgres, objectStorage: stores.objectStorage }, stores.config);
    expect((await relay.relayCatalogOutbox()).published).toBeGreaterThanOrEqual(1);
    await eventually(async () => received.find((message) => message.event.payload?.catalog_id === catalogId), 30_000);
    const { rows } = await stores.postgres.pool().query('SELECT sent_at FROM catalog_outbox WHERE catalog_id = $1', [catalogId]);
    expect(rows[0].sent_at).not.toBeNull();
  } finally {
    await stores.close();
  }
}, 120_000);
