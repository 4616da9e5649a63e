/**
 * Telling approvers: each notification is recorded once per (saga, kind) in maintenance_notifications and, when
 * MAINTENANCE_NOTIFY_WEBHOOK_URL is set, POSTed there with an `Idempotency-Key` (delivery is at least once: a
 * retry after a lost answer posts again with the same key, for the receiver to drop).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { approverRoles } from '../../domain/maintenance/approval';
import type { SagaRef } from '../../domain/maintenance/saga';
import type { PostgresStore } from '../../stores/postgres';
import type { FaultGate } from './faults';
import { applyOnce, undoOnce, type UndoResult } from './step-journal';

export type NotificationKind = 'approval-requested' | 'approval-reminder' | 'approval-expired' | 'approval-withdrawn';

export interface Notification extends SagaRef {
  kind: NotificationKind;
  message: string;
  requestedBy: string;
  deadline: string | null;
}

export interface NotifierSettings {
  webhookUrl: string | undefined;
  timeoutMs: number;
}

export function createNotificationActivities(postgres: PostgresStore, faults: FaultGate, settings: NotifierSettings) {
  async function deliver(notification: Notification): Promise<{ delivered: boolean }> {
    const payload = {
      maintenance_id: notification.maintenanceId,
      jaeger_id: notification.jaegerId,
      type: notification.type,
      requested_by: notification.requestedBy,
      deadline: notification.deadline,
    };
    await postgres.pool().query(
      `INSERT INTO maintenance_notifications (maintenance_id, kind, audience, message, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (maintenance_id, kind) DO NOTHING`,
      [notification.maintenanceId, notification.kind, approverRoles, notification.message, JSON.stringify(payload)],
    );
    if (!settings.webhookUrl) return { delivered: false };
    const { rows } = await postgres.pool().query<{ delivered_at: Date | null }>(
      'SELECT delivered_at FROM maintenance_notifications WHERE maintenance_id = $1 AND kind = $2',
      [notification.maintenanceId, notification.kind],
    );
    if (rows[0]?.delivered_at) return { delivered: true };
    const response = await fetch(settings.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${notification.maintenanceId}:${notification.kind}` },
      body: JSON.stringify({ kind: notification.kind, audience: approverRoles, message: notification.message, ...payload }),
      signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), Context.current().cancellationSignal]),
    });
    if (!response.ok) {
      // 4xx will not get better by retrying; 5xx and 429 might.
      const retryable = response.status >= 500 || response.status === 429;
      throw ApplicationFailure.create({
        message: `notification webhook answered ${response.status}`,
        type: 'NotificationWebhookError',
        nonRetryable: !retryable,
      });
    }
    await postgres.pool().query(
      'UPDATE maintenance_notifications SET delivered_at = now() WHERE maintenance_id = $1 AND kind = $2',
      [notification.maintenanceId, notification.kind],
    );
    return { delivered: true };
  }

  return {
    /**
     * The approval request is the saga's first side effect: journalled before it is sent, so its compensation
     * knows to withdraw it, and a request whose saga is already compensating is not sent at all.
     */
    async notifyApprovers(notification: Notification): Promise<{ delivered: boolean }> {
      if (notification.kind === 'approval-requested') {
        const journal = await applyOnce(postgres, notification.maintenanceId, 'notify-approvers', async () => ({}));
        if (journal.status === 'compensated') return { delivered: false };
      }
      const result = await deliver(notification);
      if (notification.kind === 'approval-requested') faults.failIfAsked('notify-approvers', notification.faults);
      return result;
    },

    /** Compensation of the approval request: tells the approvers the request is void (recorded once). */
    async withdrawApproval(notification: Notification): Promise<UndoResult> {
      faults.failCompensationIfAsked('withdraw-approval', notification.faults);
      const result = await undoOnce(postgres, notification.maintenanceId, 'notify-approvers', async () => undefined);
      // Also on `already-undone`: an earlier attempt may have journalled the undo but failed to deliver.
      if (result === 'undone' || result === 'already-undone') await deliver({ ...notification, kind: 'approval-withdrawn' });
      return result;
    },
  };
}
