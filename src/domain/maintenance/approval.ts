/** Who may decide on a maintenance request: an admin or operator who is not the requester. */
import type { Role } from '../roles';
import { maintenanceErrors } from './saga';

export const approverRoles: readonly Role[] = ['admin', 'operator'];

export type DecisionRefusal = { type: string; message: string };

/** Returns why this person may not decide, or null when they may. Used by the workflow's update validator. */
export function decisionRefusal(approver: string, roles: readonly Role[], requestedBy: string): DecisionRefusal | null {
  if (!approver.trim()) return { type: maintenanceErrors.notAnApprover, message: 'the approver has no identity' };
  if (!roles.some((role) => approverRoles.includes(role))) {
    return {
      type: maintenanceErrors.notAnApprover,
      message: `${approver} has roles [${roles.join(', ')}]; deciding needs ${approverRoles.join(' or ')}`,
    };
  }
  if (approver === requestedBy) {
    return { type: maintenanceErrors.selfApproval, message: `${approver} requested this maintenance and cannot decide on it` };
  }
  return null;
}
