/**
 * The schedule registry: every Temporal Schedule fluxo owns, one file per domain. A domain that replaces a
 * cron job adds `src/workers/schedules/<domain>.ts` exporting its definitions and one line below;
 * `npm run schedules:apply` then creates or updates them (and nothing else).
 */
import { systemSchedules } from './system';
import { catalogSchedules } from './catalog';
import { consolidationSchedules } from './consolidation';
import { alertSchedules } from './alerts';
import { insightSchedules } from './insights';
import type { ScheduleDefinition } from './types';

export const scheduleDefinitions: ScheduleDefinition[] = [
  ...systemSchedules,
  ...catalogSchedules,
  ...consolidationSchedules,
  ...alertSchedules,
  ...insightSchedules,
];

export type { ScheduleDefinition } from './types';
