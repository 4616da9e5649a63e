/**
 * The catalog's schedule: `catalogo-snapshot`, the seed's nightly Catálogo Publisher job, daily at 02:00
 * São Paulo time. It starts the small scheduled workflow, which starts the publish under the catalog's fixed
 * id (`catalog-publish`), so a scheduled run never overlaps a publish an API request started.
 */
import { DEFAULT_CATALOG_ID } from '../../domain/catalog/publish';
import { taskQueues } from '../../domain/task-queues';
import type { ScheduledCatalogPublishInput } from '../../workflows/catalog/scheduled';
import type { ScheduleDefinition } from './types';

const SCHEDULE_ID = 'catalogo-snapshot';

const input: ScheduledCatalogPublishInput = { catalogId: DEFAULT_CATALOG_ID, scheduleId: SCHEDULE_ID };

export const catalogSchedules: ScheduleDefinition[] = [
  {
    id: SCHEDULE_ID,
    description: 'Daily catalog snapshot: build, verify and publish the catalog (Catálogo Publisher), 02:00 America/Sao_Paulo',
    spec: { cronExpressions: ['0 2 * * *'], timezone: 'America/Sao_Paulo' },
    workflowType: 'catalogScheduledPublishWorkflow',
    taskQueue: taskQueues.catalog,
    args: [input],
    workflowId: 'catalogo-snapshot',
    summary: 'Scheduled catalog snapshot (catalogo-snapshot)',
    // The seed's target is < 10 min; an hour leaves room for a big import without letting a stuck run linger.
    workflowExecutionTimeout: '1 hour',
    overlap: 'SKIP',
  },
];
