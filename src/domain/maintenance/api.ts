/**
 * The maintenance and jaeger API's wire format (snake_case), as zod schemas that validate requests and generate
 * the OpenAPI document, plus the window rules a request must satisfy.
 */
import { z } from 'zod';
import { maintenanceTypeNames, slotDurationMs, type MaintenanceType } from './catalog';
import { jaegerIdSchema, jaegerStatuses, type Jaeger } from './jaeger';
import { compensationNames, faultPoints, sagaActions, sagaOutcomes, type MaintenanceStatus } from './saga';

export const DEFAULT_WINDOW_DAYS = 7;
export const MAX_WINDOW_DAYS = 90;

const instant = z.iso.datetime({ offset: true });
const devOnlyName = (what: string) =>
  z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe(`DEVELOPMENT ONLY: ${what} while the API has no authentication; refused if it differs from the authenticated caller`);

export const maintenanceRequestSchema = z
  .object({
    maintenance_id: z.uuid().optional().describe('Idempotency key: repeating a request with the same id answers the same'),
    jaeger_id: jaegerIdSchema,
    type: z.enum(maintenanceTypeNames),
    window_start: instant.optional().describe('Earliest start of the work (default: now)'),
    window_end: instant.optional().describe(`Latest end of the work (default: window_start + ${DEFAULT_WINDOW_DAYS} days)`),
    notes: z.string().max(1000).optional(),
    requested_by: devOnlyName('who requests'),
    fail_at_step: z
      .enum(faultPoints)
      .optional()
      .describe('TESTS ONLY (MAINTENANCE_ALLOW_FAULT_INJECTION=true): this step fails for good right after its side effect'),
    fail_compensation: z
      .enum(compensationNames as [string, ...string[]])
      .optional()
      .describe('TESTS ONLY (MAINTENANCE_ALLOW_FAULT_INJECTION=true): this compensation fails on every attempt'),
  })
  .strict();
export type MaintenanceRequestBody = z.infer<typeof maintenanceRequestSchema>;

export const decisionSchema = z
  .object({
    reason: z.string().min(1).max(500).optional(),
    approver: devOnlyName('who decides'),
  })
  .strict();

export const maintenanceIdParams = z.object({ maintenance_id: z.uuid() });

export const acceptedSchema = z.object({
  maintenance_id: z.uuid(),
  jaeger_id: z.string(),
  workflow_id: z.string(),
  status: z.enum(['accepted', 'cancelling']),
  status_url: z.string(),
});

export const maintenanceStateSchema = z.object({
  maintenance_id: z.uuid(),
  jaeger_id: z.string(),
  type: z.enum(maintenanceTypeNames),
  requested_by: z.string(),
  window_start: z.string(),
  window_end: z.string(),
  notes: z.string().nullable(),
  workflow_id: z.string(),
  workflow_status: z.string().describe('Temporal execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED…'),
  position: z.string().describe('Current step, `compensating`, or the outcome'),
  completed_steps: z.array(z.string()),
  applied_actions: z.array(z.enum(sagaActions)),
  compensations_run: z.array(z.object({ name: z.string(), result: z.string(), error: z.string().optional() })),
  awaiting: z.string().nullable().describe('What waits for a person, if anything'),
  approval_deadline: z.string().nullable(),
  approver: z.string().nullable(),
  decision: z.enum(['approved', 'rejected']).nullable(),
  decision_reason: z.string().nullable(),
  decided_at: z.string().nullable(),
  bay_id: z.string().nullable(),
  slot: z.object({ starts_at: z.string(), ends_at: z.string() }).nullable(),
  outcome: z.enum(sagaOutcomes).nullable(),
  failure: z.object({ step: z.string(), type: z.string(), message: z.string() }).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type MaintenanceState = z.infer<typeof maintenanceStateSchema>;

/** The saga's live status (query) → the wire fields it owns. */
export function statusToWire(status: MaintenanceStatus) {
  return {
    position: status.position,
    completed_steps: status.completedSteps,
    applied_actions: status.appliedActions,
    compensations_run: status.compensationsRun,
    awaiting: status.awaiting,
    approval_deadline: status.approvalDeadline,
    approver: status.approver,
    decision: status.decision,
    decision_reason: status.decisionReason,
    decided_at: status.decidedAt,
    bay_id: status.bayId,
    slot: status.slot ? { starts_at: status.slot.startsAt, ends_at: status.slot.endsAt } : null,
    outcome: status.outcome,
    failure: status.failure,
  };
}

export const jaegerSchema = z.object({
  jaeger_id: z.string(),
  name: z.string(),
  mark: z.number().int(),
  shatterdome: z.string(),
  status: z.enum(jaegerStatuses),
  integrity: z.number().int(),
  last_maintained_at: z.string().nullable(),
});

export const jaegerToWire = (jaeger: Jaeger): z.infer<typeof jaegerSchema> => ({
  jaeger_id: jaeger.jaegerId,
  name: jaeger.name,
  mark: jaeger.mark,
  shatterdome: jaeger.shatterdome,
  status: jaeger.status,
  integrity: jaeger.integrity,
  last_maintained_at: jaeger.lastMaintainedAt,
});

export const jaegerListQuery = z
  .object({
    shatterdome: z.string().min(1).max(64).optional(),
    status: z.enum(jaegerStatuses).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    after: jaegerIdSchema.optional().describe('Keyset cursor: the last jaeger_id of the previous page'),
  })
  .strict();

export const maintenanceSummarySchema = z.object({
  maintenance_id: z.uuid(),
  type: z.string(),
  position: z.string(),
  outcome: z.string().nullable(),
  created_at: z.string(),
  status_url: z.string(),
});

export const jaegerDetailSchema = jaegerSchema.extend({
  maintenance: z.array(maintenanceSummarySchema).describe('Most recent maintenance requests, newest first'),
});

export interface WindowProblem {
  name: string;
  reason: string;
}

/**
 * Resolves the window's defaults and checks it: end after start, not over, at most MAX_WINDOW_DAYS long, and long
 * enough for the type's slot from whichever is later of its start and now.
 */
export function resolveWindow(
  type: MaintenanceType,
  windowStart: string | undefined,
  windowEnd: string | undefined,
  now: number,
): { start: string; end: string } | { problems: WindowProblem[] } {
  const start = windowStart ? Date.parse(windowStart) : now;
  const end = windowEnd ? Date.parse(windowEnd) : start + DEFAULT_WINDOW_DAYS * 86_400_000;
  const problems: WindowProblem[] = [];
  if (end <= start) problems.push({ name: 'body.window_end', reason: 'must be after window_start' });
  else if (end - start > MAX_WINDOW_DAYS * 86_400_000) problems.push({ name: 'body.window_end', reason: `window longer than ${MAX_WINDOW_DAYS} days` });
  else if (end - Math.max(start, now) < slotDurationMs(type)) {
    problems.push({ name: 'body.window_end', reason: `leaves less than the ${slotDurationMs(type) / 3600_000} h needed for ${type}` });
  }
  return problems.length ? { problems } : { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}
