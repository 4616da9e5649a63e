/**
 * Which activities each task queue's worker registers. A new domain adds one entry here.
 */
import { createProbeActivities } from '../activities/probe';
import { createLedgerActivities } from '../activities/ledger';
import type { TaskQueue } from '../domain/task-queues';
import type { Stores } from '../stores';

type ActivityFactory = (stores: Stores) => object;

export const activitiesByQueue: Record<TaskQueue, ActivityFactory> = {
  system: (stores) => createProbeActivities(stores),
  ledger: (stores) => createLedgerActivities(stores),
  reports: () => ({}),
  catalog: () => ({}),
  maintenance: () => ({}),
  alerts: () => ({}),
  insights: () => ({}),
};
