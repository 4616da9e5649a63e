import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { catalogPublishWorkflowId } from '../../../src/domain/catalog/publish';
import { catalogKeys } from '../../../src/domain/catalog/storage-layout';
import { createObjectStorage } from '../../../src/stores/object-storage';
import type { ReplayCase } from '../replay-case';

/** A catalog of its own per recording: the recorder's runs do not meet other data. */
const recordCatalog = () => `replay-${randomUUID().slice(0, 8)}`;

/** Puts a small CSV where the workers' storage (the recorder's config) will read it. */
async function uploadCsv(catalogId: string): Promise<{ importId: string; sourceKey: string }> {
  const storage = createObjectStorage(loadConfig());
  const importId = randomUUID();
  const sourceKey = catalogKeys.importSource(catalogId, importId);
  await storage.put(sourceKey, Buffer.from('sku,name,price,category\r\nB2,"Second, item",2,c\r\nA1,First,1.5,c\r\nA1,First again,1.75,c\r\n'));
  await storage.close();
  return { importId, sourceKey };
}

export const cases: ReplayCase[] = [
  {
    name: 'catalogPublishWorkflow-import-and-publish',
    taskQueues: ['catalog'],
    start: async (client) => {
      const catalogId = recordCatalog();
      return client.workflow.start('catalogPublishWorkflow', {
        workflowId: catalogPublishWorkflowId(catalogId),
        taskQueue: 'catalog',
        args: [{ catalogId, requestedBy: 'recorder', requestId: 'replay', import: await uploadCsv(catalogId) }],
      });
    },
  },
  {
    name: 'catalogScheduledPublishWorkflow-publish',
    taskQueues: ['catalog'],
    start: (client) => {
      const catalogId = recordCatalog();
      return client.workflow.start('catalogScheduledPublishWorkflow', {
        workflowId: `catalogo-snapshot-${catalogId}`,
        taskQueue: 'catalog',
        args: [{ catalogId, scheduleId: 'catalogo-snapshot' }],
      });
    },
  },
];
