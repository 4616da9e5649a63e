/**
 * Which activities each task queue's worker registers. A new domain adds one entry here.
 */
import { createProbeActivities } from '../activities/probe';
import { createLedgerActivities } from '../activities/ledger';
import type { Config } from '../config';
import type { TaskQueue } from '../domain/task-queues';
import type { Stores } from '../stores';

/** Built with the worker's own config (not process.env), so a worker started with other settings uses them. */
type ActivityFactory = (stores: Stores, config: Config) => object;

export const activitiesByQueue: Record<TaskQueue, ActivityFactory> = {
  system: (stores) => createProbeActivities(stores),
  ledger: (stores, config) => createLedgerActivities(stores, config),
  reports: () => ({}),
  catalog: () => ({}),
  maintenance: () => ({}),
  alerts: () => ({}),
  insights: () => ({}),
};
