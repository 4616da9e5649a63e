/**
 * Notifying people about an alert (the webhook stands for FCM/Admin in the seed): each notification is recorded
 * once per (alert, kind) and, when ALERTS_NOTIFY_WEBHOOK_URL is set, POSTed with an `Idempotency-Key` (at least
 * once: a retry after a lost answer posts again with the same key, for the receiver to drop).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { AlertRecord } from '../../domain/alerts/alert';
import { reviewerRoles } from '../../domain/alerts/review';

export type AlertNotificationKind = 'alert-raised' | 'alert-escalated' | 'alert-confirmed' | 'alert-dismissed';

export interface AlertNotification {
  alert: AlertRecord;
  kind: AlertNotificationKind;
  message: string;
  slaDeadline: string;
}

export interface NotifierSettings {
  webhookUrl: string | undefined;
  timeoutMs: number;
}

export async function notifyAlert(pool: Pool, settings: NotifierSettings, notification: AlertNotification): Promise<{ delivered: boolean }> {
  const { alert } = notification;
  const payload = {
    kind: notification.kind,
    audience: reviewerRoles,
    message: notification.message,
    alert_id: alert.alertId,
    account_id: alert.accountId,
    request_id: alert.requestId,
    action: alert.action,
    score: alert.score,
    source: alert.source,
    reason: alert.reason,
    sla_deadline: notification.slaDeadline,
    alert_url: `/v1/alerts/${alert.alertId}`,
  };
  await pool.query(
    `INSERT INTO alert_notifications (alert_id, kind, payload) VALUES ($1, $2, $3) ON CONFLICT (alert_id, kind) DO NOTHING`,
    [alert.alertId, notification.kind, JSON.stringify(payload)],
  );
  if (!settings.webhookUrl) return { delivered: false };
  const { rows } = await pool.query<{ delivered_at: Date | null }>('SELECT delivered_at FROM alert_notifications WHERE alert_id = $1 AND kind = $2', [
    alert.alertId,
    notification.kind,
  ]);
  if (rows[0]?.delivered_at) return { delivered: true };
  const response = await fetch(settings.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `${alert.alertId}:${notification.kind}` },
    body: JSON.stringify(payload),
    signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), Context.current().cancellationSignal]),
  });
  await response.arrayBuffer();
  if (!response.ok) {
    // 4xx will not get better by retrying; 5xx and 429 might.
    const retryable = response.status >= 500 || response.status === 429;
    throw ApplicationFailure.create({ message: `alert webhook answered ${response.status}`, type: 'AlertWebhookError', nonRetryable: !retryable });
  }
  await pool.query('UPDATE alert_notifications SET delivered_at = now() WHERE alert_id = $1 AND kind = $2', [alert.alertId, notification.kind]);
  return { delivered: true };
}
