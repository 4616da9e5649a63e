/**
 * SIEM lines: one structured record per decision about an alert (the AI's alert, holds and blocks, analyst
 * decisions, escalations, releases). Flat, stable field names so the SIEM (Chronicle in the seed) can correlate.
 */
import type { AlertAction, DecisionSource } from './alert';

export const siemKinds = [
  'alert-raised',
  'account-held',
  'account-blocked',
  'review-escalated',
  'review-confirmed',
  'review-dismissed',
  'account-released',
  'review-cancelled',
] as const;
export type SiemKind = (typeof siemKinds)[number];

export interface SiemLine {
  kind: SiemKind;
  alert_id: string;
  account_id: string;
  /** Who decided: `ai:<model>`, `analyst:<id>`, or `system` (SLA, compensation). */
  actor: string;
  action: AlertAction | null;
  score: number | null;
  source: DecisionSource | null;
  reason: string;
  /** Workflow time of the decision, ISO 8601. */
  at: string;
  workflow_id: string;
}

/** Category and severity the SIEM indexes on. */
export const siemSeverity = (kind: SiemKind): 'info' | 'notice' | 'warning' =>
  kind === 'account-held' || kind === 'account-blocked' ? 'warning' : kind === 'alert-raised' || kind === 'review-escalated' ? 'notice' : 'info';
