/** The alerts table: an alert stored once by its saga, then its escalation and its review, each applied once. */
import type { Pool } from 'pg';
import type { AlertRecord, ReviewAction } from '../../domain/alerts/alert';
import type { AlertStatus } from '../../domain/alerts/review';

export interface StoreAlertInput {
  alert: AlertRecord;
  slaDeadline: string;
  workflowId: string;
}

export async function storeAlert(pool: Pool, input: StoreAlertInput): Promise<{ created: boolean }> {
  const { alert } = input;
  const { rowCount } = await pool.query(
    `INSERT INTO alerts (alert_id, event_id, account_id, request_id, status, score, action, source, reason, workflow_id, sla_deadline)
     VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10)
     ON CONFLICT (alert_id) DO NOTHING`,
    [alert.alertId, alert.eventId, alert.accountId, alert.requestId, alert.score, alert.action, alert.source, alert.reason, input.workflowId, input.slaDeadline],
  );
  return { created: rowCount === 1 };
}

export async function markEscalated(pool: Pool, alertId: string): Promise<void> {
  await pool.query(`UPDATE alerts SET status = 'escalated', escalated_at = now(), updated_at = now() WHERE alert_id = $1 AND status = 'open'`, [alertId]);
}

export interface RecordReviewInput {
  alertId: string;
  status: Extract<AlertStatus, 'confirmed' | 'dismissed' | 'cancelled'>;
  reviewer: string | null;
  action: ReviewAction | null;
  note: string | null;
  falsePositive: boolean;
}

/** Applies the final status once: a retried attempt finds the alert already decided and changes nothing. */
export async function recordReview(pool: Pool, input: RecordReviewInput): Promise<{ reviewedAt: string | null }> {
  await pool.query(
    `UPDATE alerts SET status = $2, reviewed_by = $3, reviewed_at = now(), review_action = $4, review_note = $5,
       false_positive = $6, updated_at = now()
     WHERE alert_id = $1 AND status IN ('open', 'escalated')`,
    [input.alertId, input.status, input.reviewer, input.action, input.note, input.falsePositive],
  );
  const { rows } = await pool.query<{ reviewed_at: Date | null }>('SELECT reviewed_at FROM alerts WHERE alert_id = $1', [input.alertId]);
  return { reviewedAt: rows[0]?.reviewed_at?.toISOString() ?? null };
}
