/**
 * Which activities each task queue's worker registers. A new domain adds one entry here.
 */
import { createProbeActivities } from '../activities/probe';
import { createLedgerActivities } from '../activities/ledger';
import { createMaintenanceActivities } from '../activities/maintenance';
import { createCatalogActivities } from '../activities/catalog';
import { createConsolidationActivities } from '../activities/consolidation';
import { createAlertActivities } from '../activities/alerts';
import { createInsightActivities } from '../activities/insights';
import type { Config } from '../config';
import type { TaskQueue } from '../domain/task-queues';
import type { Stores } from '../stores';

/** Built with the worker's own config (not process.env), so a worker started with other settings uses them. */
type ActivityFactory = (stores: Stores, config: Config) => object;

export const activitiesByQueue: Record<TaskQueue, ActivityFactory> = {
  system: (stores) => createProbeActivities(stores),
  ledger: (stores, config) => createLedgerActivities(stores, config),
  reports: (stores, config) => createConsolidationActivities(stores, config),
  catalog: (stores, config) => createCatalogActivities(stores, config),
  maintenance: (stores, config) => createMaintenanceActivities(stores, config),
  alerts: (stores, config) => createAlertActivities(stores, config),
  insights: (stores, config) => createInsightActivities(stores, config),
};
