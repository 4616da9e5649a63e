/** The maintenance task queue's activities: the saga's record, allocation, scheduling, execution, notifications. */
import type { Config } from '../../config';
import type { PostgresStore } from '../../stores/postgres';
import { createExecutionActivities } from './execution';
import { faultGate } from './faults';
import { createNotificationActivities } from './notifications';
import { createRequestActivities } from './requests';
import { createResourceActivities } from './resources';
import { createSchedulingActivities } from './scheduling';

export type MaintenanceActivityConfig = Pick<
  Config,
  | 'MAINTENANCE_NOTIFY_WEBHOOK_URL'
  | 'MAINTENANCE_NOTIFY_TIMEOUT_MS'
  | 'MAINTENANCE_WORK_UNIT_MS'
  | 'MAINTENANCE_ALLOW_FAULT_INJECTION'
>;

export function createMaintenanceActivities(stores: { postgres: PostgresStore }, config: MaintenanceActivityConfig) {
  const faults = faultGate(config.MAINTENANCE_ALLOW_FAULT_INJECTION);
  return {
    ...createRequestActivities(stores.postgres, faults),
    ...createNotificationActivities(stores.postgres, faults, {
      webhookUrl: config.MAINTENANCE_NOTIFY_WEBHOOK_URL,
      timeoutMs: config.MAINTENANCE_NOTIFY_TIMEOUT_MS,
    }),
    ...createResourceActivities(stores.postgres, faults),
    ...createSchedulingActivities(stores.postgres, faults),
    ...createExecutionActivities(stores.postgres, faults, config.MAINTENANCE_WORK_UNIT_MS),
  };
}

export type MaintenanceActivities = ReturnType<typeof createMaintenanceActivities>;
