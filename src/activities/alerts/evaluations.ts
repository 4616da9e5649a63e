/** Recording an evaluation's decision: once per event (the row's key), whatever retries happen. */
import type { Pool } from 'pg';
import type { AlertDecision, LedgerEventSummary, LocalAssessment } from '../../domain/alerts/alert';
import { alertDecisionLatency, alertDecisions } from './metrics';

export interface RecordEvaluationInput {
  event: LedgerEventSummary;
  local: LocalAssessment;
  decision: AlertDecision;
  workflowId: string;
}

export async function recordEvaluation(pool: Pool, input: RecordEvaluationInput): Promise<{ decidedAt: string; recorded: boolean }> {
  const { event, local, decision } = input;
  const { rows } = await pool.query<{ decided_at: Date }>(
    `INSERT INTO alert_evaluations (event_id, account_id, request_id, occurred_at, local_score, model_version, score, action, source,
       model, prompt_version, tokens, fallback_reason, reason, workflow_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (event_id) DO NOTHING
     RETURNING decided_at`,
    [
      event.eventId,
      event.accountId,
      event.requestId,
      event.occurredAt,
      local.score,
      local.modelVersion,
      decision.score,
      decision.action,
      decision.source,
      decision.model,
      decision.promptVersion,
      decision.tokens ? JSON.stringify(decision.tokens) : null,
      decision.fallbackReason,
      decision.reason,
      input.workflowId,
    ],
  );
  if (rows[0]) {
    alertDecisions.inc({ action: decision.action, source: decision.source, fallback_reason: decision.fallbackReason ?? 'none' });
    alertDecisionLatency.observe(Math.max(0, rows[0].decided_at.getTime() - Date.parse(event.occurredAt)) / 1000);
    return { decidedAt: rows[0].decided_at.toISOString(), recorded: true };
  }
  const existing = await pool.query<{ decided_at: Date }>('SELECT decided_at FROM alert_evaluations WHERE event_id = $1', [event.eventId]);
  return { decidedAt: existing.rows[0]!.decided_at.toISOString(), recorded: false };
}
