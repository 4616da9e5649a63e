/**
 * The alerts API: `GET /v1/alerts?status=&account_id=` and `GET /v1/alerts/{alert_id}` read the alerts their
 * review sagas store; `POST /v1/alerts/{alert_id}/confirm` and `/dismiss` are the analyst's decisions, sent as
 * updates to the saga `alert-review-<alert_id>` (which checks the role again and answers once the block or the
 * release is applied). See docs/alerts.md.
 */
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { alertReviewWorkflowId } from '../../domain/alerts/alert';
import {
  alertIdParamsSchema,
  alertListQuerySchema,
  alertListSchema,
  alertSchema,
  confirmBodySchema,
  dismissBodySchema,
  type AlertWire,
} from '../../domain/alerts/api';
import { alertReviewErrors, confirmAlertUpdate, dismissAlertUpdate, reviewerRoles, type ReviewDecisionInput } from '../../domain/alerts/review';
import { readers, type Role } from '../../domain/roles';
import type { ApiDeps } from '../deps';
import { conflict, notFound, ProblemError, serviceUnavailable } from '../problem';
import '../route-config';

const SELECT_ALERTS = `
SELECT a.alert_id, a.event_id, a.request_id, a.account_id, a.status, a.score, a.reason, a.action, a.source,
       e.model, e.prompt_version, e.tokens, e.fallback_reason, e.local_score, e.model_version AS local_model,
       e.occurred_at, e.decided_at, a.sla_deadline, a.escalated_at, a.reviewed_by, a.reviewed_at, a.review_action,
       a.review_note, a.false_positive, b.state AS account_block, a.workflow_id, e.workflow_id AS evaluation_workflow_id,
       a.created_at, a.updated_at
FROM alerts a
JOIN alert_evaluations e ON e.event_id = a.event_id
LEFT JOIN account_blocks b ON b.alert_id = a.alert_id AND b.account_id = a.account_id`;

type AlertRow = Omit<AlertWire, 'occurred_at' | 'decided_at' | 'sla_deadline' | 'escalated_at' | 'reviewed_at' | 'created_at' | 'updated_at'> & {
  occurred_at: Date;
  decided_at: Date;
  sla_deadline: Date;
  escalated_at: Date | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const iso = (value: Date | null) => (value ? value.toISOString() : null);

function toWire(row: AlertRow): AlertWire {
  return {
    ...row,
    occurred_at: row.occurred_at.toISOString(),
    decided_at: row.decided_at.toISOString(),
    sla_deadline: row.sla_deadline.toISOString(),
    escalated_at: iso(row.escalated_at),
    reviewed_at: iso(row.reviewed_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

async function findAlert(pool: Pool, alertId: string): Promise<AlertWire> {
  const { rows } = await pool.query<AlertRow>(`${SELECT_ALERTS} WHERE a.alert_id = $1`, [alertId]);
  if (!rows[0]) throw notFound(`no alert ${alertId}`);
  return toWire(rows[0]);
}

/** The saga's update rejections → problems a client can act on. */
function decisionProblem(error: unknown, alertId: string): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const { type, message } = error.cause;
    if (type === alertReviewErrors.notAReviewer) return new ProblemError(403, 'forbidden', 'Forbidden', message, { reason: type });
    if (type === alertReviewErrors.notAwaitingReview) return conflict(message, { reason: type });
  }
  if (error instanceof WorkflowNotFoundError) return conflict(`the review of alert ${alertId} has already ended`);
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return serviceUnavailable('the alert review did not answer in time (is an alerts worker running?)', 5);
  }
  return error;
}

export async function alertRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const pool = () => deps.stores.postgres.pool();
  const analysts = [...reviewerRoles] as Role[];

  api.get(
    '/v1/alerts',
    {
      config: { roles: readers },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts raised by the AI review, newest first, filtered by status and account',
        querystring: alertListQuerySchema,
        response: { 200: alertListSchema },
      },
    },
    async (request) => {
      const { status, account_id: accountId, limit } = request.query;
      const { rows } = await pool().query<AlertRow>(
        `${SELECT_ALERTS} WHERE ($1::text IS NULL OR a.status = $1) AND ($2::text IS NULL OR a.account_id = $2)
         ORDER BY a.created_at DESC, a.alert_id LIMIT $3`,
        [status ?? null, accountId ?? null, limit],
      );
      return { alerts: rows.map(toWire) };
    },
  );

  api.get(
    '/v1/alerts/:alert_id',
    {
      config: { roles: readers },
      schema: { tags: ['alerts'], summary: 'One alert: the decision, its source and tokens, the review and the account block', params: alertIdParamsSchema, response: { 200: alertSchema } },
    },
    async (request) => findAlert(pool(), request.params.alert_id.toLowerCase()),
  );

  const decide = async (request: FastifyRequest, alertId: string, verb: 'confirm' | 'dismiss', body: { note?: string; action?: ReviewDecisionInput['action'] }) => {
    await findAlert(pool(), alertId);
    const reviewer = request.principal ?? 'anonymous';
    const decision: ReviewDecisionInput = { reviewer, roles: request.roles ?? [], note: body.note, action: body.action };
    try {
      await deps.temporal.withDeadline(Date.now() + deps.config.ALERTS_UPDATE_TIMEOUT_MS, () =>
        deps.temporal.workflow.getHandle(alertReviewWorkflowId(alertId)).executeUpdate(verb === 'confirm' ? confirmAlertUpdate : dismissAlertUpdate, {
          args: [decision],
          // A retried call by the same reviewer with the same verb is the same update: answered, not applied twice.
          updateId: `${verb}-${reviewer}`,
        }),
      );
    } catch (error) {
      throw decisionProblem(error, alertId);
    }
    return findAlert(pool(), alertId);
  };

  api.post(
    '/v1/alerts/:alert_id/confirm',
    {
      config: { roles: analysts },
      schema: {
        tags: ['alerts'],
        summary: 'Confirm an alert (analyst); with action block the account is blocked and the ledger answers 423 for it',
        params: alertIdParamsSchema,
        body: confirmBodySchema.optional(),
        response: { 200: alertSchema },
      },
    },
    async (request) => decide(request, request.params.alert_id.toLowerCase(), 'confirm', request.body ?? {}),
  );

  api.post(
    '/v1/alerts/:alert_id/dismiss',
    {
      config: { roles: analysts },
      schema: {
        tags: ['alerts'],
        summary: 'Dismiss an alert as a false positive (analyst); a hold on the account is released',
        params: alertIdParamsSchema,
        body: dismissBodySchema.optional(),
        response: { 200: alertSchema },
      },
    },
    async (request) => decide(request, request.params.alert_id.toLowerCase(), 'dismiss', request.body ?? {}),
  );
}
