/**
 * The review saga's contract (`alert-review-<alert_id>`): its input, the analyst's `confirm` and `dismiss`
 * updates, the state query, and who may decide. Shared by the workflow and the API.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Role } from '../roles';
import type { AlertRecord, ReviewAction } from './alert';

/** Who may confirm or dismiss an alert. */
export const reviewerRoles: readonly Role[] = ['analyst', 'admin'];

export const alertReviewErrors = {
  notAReviewer: 'AlertNotAReviewer',
  notAwaitingReview: 'AlertNotAwaitingReview',
} as const;

export type AlertStatus = 'open' | 'escalated' | 'confirmed' | 'dismissed' | 'cancelled';
export type BlockState = 'held' | 'confirmed' | 'released' | null;

export interface AlertReviewSettings {
  slaSeconds: number;
}

export interface AlertReviewInput {
  alert: AlertRecord;
  settings: AlertReviewSettings;
}

export interface ReviewDecisionInput {
  reviewer: string;
  roles: Role[];
  note?: string;
  /** confirm only: the action to apply (default: the alert's). `block` blocks the account. */
  action?: ReviewAction;
}

export interface AlertReviewState {
  alertId: string;
  accountId: string;
  status: AlertStatus;
  /** True while the saga waits for an analyst's confirm or dismiss (the updates are accepted only then). */
  awaitingDecision: boolean;
  /** The alert's action as raised, and the one in force after a confirmation. */
  action: ReviewAction;
  effectiveAction: ReviewAction;
  block: BlockState;
  slaDeadline: string;
  escalatedAt: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  note: string | null;
  falsePositive: boolean;
}

export const confirmAlertUpdate = defineUpdate<AlertReviewState, [ReviewDecisionInput]>('confirm');
export const dismissAlertUpdate = defineUpdate<AlertReviewState, [ReviewDecisionInput]>('dismiss');
export const alertReviewStateQuery = defineQuery<AlertReviewState>('state');

/** Why this person may not decide, or null when they may. The workflow's update validator calls it. */
export function reviewRefusal(reviewer: string, roles: readonly Role[]): { type: string; message: string } | null {
  if (!reviewer.trim()) return { type: alertReviewErrors.notAReviewer, message: 'the reviewer has no identity' };
  if (!roles.some((role) => reviewerRoles.includes(role))) {
    return { type: alertReviewErrors.notAReviewer, message: `${reviewer} has roles [${roles.join(', ')}]; reviewing alerts needs ${reviewerRoles.join(' or ')}` };
  }
  return null;
}
