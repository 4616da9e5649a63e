/**
 * Maintenance saga: see docs/maintenance.md. The saga settings are copied into a saga's input when it starts.
 */
import { z } from 'zod';
import { bool, positiveInt } from './fields';

export const maintenanceSettings = {
  /** No approve/reject within this long → the request is rejected; a reminder goes out at half of it. */
  MAINTENANCE_APPROVAL_TIMEOUT_SECONDS: positiveInt.default(24 * 3600),
  /** Unset = approver notifications are only recorded (maintenance_notifications); set = also POSTed here. */
  MAINTENANCE_NOTIFY_WEBHOOK_URL: z.url().optional(),
  MAINTENANCE_NOTIFY_TIMEOUT_MS: positiveInt.default(5000),
  /** While a shatterdome's bays are all full, a saga waits to be signalled and re-checks on its own this often. */
  MAINTENANCE_BAY_RECHECK_SECONDS: positiveInt.default(300),
  /** Attempts per compensation before the saga ends `compensation_failed` for an operator to resolve. */
  MAINTENANCE_COMPENSATION_MAX_ATTEMPTS: positiveInt.max(1000).default(20),
  /** Simulated duration of each task of an execution (the crew's work); 0 in benchmarks. */
  MAINTENANCE_WORK_UNIT_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /** How long the API waits for a running saga to answer an approve/reject before answering 503. */
  MAINTENANCE_UPDATE_TIMEOUT_MS: positiveInt.default(10_000),
  /** Tests only: honour `fail_at_step`/`fail_compensation` (API and worker). Never enable in production. */
  MAINTENANCE_ALLOW_FAULT_INJECTION: bool.default(false),
};
