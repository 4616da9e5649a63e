/**
 * What the saga shows the world: its status (the `status` query), the `SagaStep` search attribute and the Web
 * UI's current details, all derived from one state object so they never disagree.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { MaintenanceSagaInput, MaintenanceStatus, SagaPosition } from '../../domain/maintenance/saga';
import { searchAttributeKeys } from '../../domain/search-attributes';

export function initialStatus(input: MaintenanceSagaInput): MaintenanceStatus {
  return {
    maintenanceId: input.maintenanceId,
    jaegerId: input.jaegerId,
    type: input.type,
    requestedBy: input.requestedBy,
    position: 'availability',
    completedSteps: [],
    appliedActions: [],
    compensationsRun: [],
    awaiting: null,
    approvalDeadline: null,
    approver: null,
    decision: null,
    decisionReason: null,
    decidedAt: null,
    bayId: null,
    slot: null,
    outcome: null,
    failure: null,
  };
}

/** A copy, so a query's answer is not mutated by later progress. */
export const snapshot = (status: MaintenanceStatus): MaintenanceStatus => JSON.parse(JSON.stringify(status));

/** Moves the saga to a position and publishes it (search attribute and current details). */
export function moveTo(status: MaintenanceStatus, position: SagaPosition, activity?: string): void {
  status.position = position;
  upsertSearchAttributes([{ key: searchAttributeKeys.SagaStep, value: position }]);
  publishDetails(status, activity);
}

export function publishDetails(status: MaintenanceStatus, activity?: string): void {
  const lines = [
    `**${status.type}** of **${status.jaegerId}**, requested by ${status.requestedBy}`,
    `**Step:** ${status.position}${activity ? ` — ${activity}` : ''}`,
  ];
  if (status.awaiting) lines.push(`**Waiting for a person:** ${status.awaiting}`);
  if (status.completedSteps.length) lines.push(`**Done:** ${status.completedSteps.join(' → ')}`);
  if (status.decision) lines.push(`**Decision:** ${status.decision} by ${status.approver}${status.decisionReason ? ` (${status.decisionReason})` : ''}`);
  if (status.bayId) lines.push(`**Bay:** ${status.bayId}${status.slot ? `, slot ${status.slot.startsAt} – ${status.slot.endsAt}` : ''}`);
  if (status.compensationsRun.length) {
    lines.push(`**Compensations:** ${status.compensationsRun.map((run) => `${run.name} (${run.result})`).join(', ')}`);
  }
  if (status.failure) lines.push(`**Failure:** ${status.failure.type} at ${status.failure.step}: ${status.failure.message}`);
  setCurrentDetails(lines.join('\n\n'));
}
