/** One task queue per domain (ARCHITECTURE.md); a worker process polls all of them unless told otherwise. */
export const taskQueues = {
  system: 'system',
  ledger: 'ledger',
  reports: 'reports',
  catalog: 'catalog',
  maintenance: 'maintenance',
  alerts: 'alerts',
  insights: 'insights',
} as const;

export type TaskQueue = (typeof taskQueues)[keyof typeof taskQueues];
export const allTaskQueues = Object.values(taskQueues) as TaskQueue[];
