/**
 * The maintenance saga over HTTP: `POST /v1/maintenance` starts `maintenance-<jaeger_id>` (202; 409 while that
 * jaeger has one running), `GET /v1/maintenance/{id}` reports it, `/approve` and `/reject` are the saga's
 * updates (validated in the workflow: an approver role, not the requester), `/cancel` cancels it (compensating).
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadJaeger } from './jaegers';
import { checkAvailability } from '../../domain/maintenance/jaeger';
import {
  acceptedSchema,
  decisionSchema,
  maintenanceIdParams,
  maintenanceRequestSchema,
  maintenanceStateSchema,
  resolveWindow,
  statusToWire,
  type MaintenanceState,
} from '../../domain/maintenance/api';
import { resolveActor, type Caller } from '../../domain/maintenance/identity';
import {
  approveUpdate,
  maintenanceErrors,
  maintenanceWorkflowId,
  MAINTENANCE_WORKFLOW_TYPE,
  rejectUpdate,
  statusQuery,
  type CompensationName,
  type MaintenanceSagaInput,
  type MaintenanceStatus,
} from '../../domain/maintenance/saga';
import { operators, readers, writers, type Role } from '../../domain/roles';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { taskQueues } from '../../domain/task-queues';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, notFound, ProblemError, serviceUnavailable, type InvalidParam } from '../problem';
import { requestContext } from '../request-context';
import '../route-config';

const statusUrl = (maintenanceId: string) => `/v1/maintenance/${maintenanceId}`;

/**
 * The caller as the requester/approver rules see them. Until API security (issue 10) sets them, `principal`
 * is unset and roles are unknown; security only has to fill these two fields.
 */
function callerOf(request: FastifyRequest): Caller {
  return { principal: request.principal, roles: request.roles };
}

function actorOrProblem(request: FastifyRequest, claimed: string | undefined, field: string, routeRoles: Role[]) {
  const actor = resolveActor(callerOf(request), claimed, `body.${field}`, routeRoles);
  if (actor.ok) return actor;
  if (actor.reason === 'missing') throw badRequest(actor.detail, [{ name: `body.${field}`, reason: 'required without authentication' }]);
  throw new ProblemError(403, 'forbidden', 'Forbidden', actor.detail);
}

interface RequestRow {
  maintenance_id: string;
  jaeger_id: string;
  type: MaintenanceState['type'];
  requested_by: string;
  window_start: Date;
  window_end: Date;
  notes: string | null;
  workflow_id: string;
  run_id: string;
  position: string;
  approver: string | null;
  decision: 'approved' | 'rejected' | null;
  decision_reason: string | null;
  decided_at: Date | null;
  bay_id: string | null;
  slot_starts_at: Date | null;
  slot_ends_at: Date | null;
  outcome: MaintenanceState['outcome'];
  failure: MaintenanceState['failure'];
  completed_steps: string[];
  compensations_run: MaintenanceState['compensations_run'];
  created_at: Date;
  updated_at: Date;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** The read model's view, used as is once the saga has ended (and when a running saga cannot be asked). */
function rowToState(row: RequestRow, workflowStatus: string): MaintenanceState {
  return {
    maintenance_id: row.maintenance_id,
    jaeger_id: row.jaeger_id,
    type: row.type,
    requested_by: row.requested_by,
    window_start: row.window_start.toISOString(),
    window_end: row.window_end.toISOString(),
    notes: row.notes,
    workflow_id: row.workflow_id,
    workflow_status: workflowStatus,
    position: row.position,
    completed_steps: row.completed_steps,
    applied_actions: [],
    compensations_run: row.compensations_run,
    awaiting: null,
    approval_deadline: null,
    approver: row.approver,
    decision: row.decision,
    decision_reason: row.decision_reason,
    decided_at: iso(row.decided_at),
    bay_id: row.bay_id,
    slot: row.slot_starts_at && row.slot_ends_at ? { starts_at: row.slot_starts_at.toISOString(), ends_at: row.slot_ends_at.toISOString() } : null,
    outcome: row.outcome,
    failure: row.failure,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function maintenanceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const pool = () => deps.stores.postgres.pool();
  const config = deps.config;

  async function findRequest(maintenanceId: string): Promise<RequestRow> {
    const { rows } = await pool().query<RequestRow>('SELECT * FROM maintenance_requests WHERE maintenance_id = $1', [maintenanceId]);
    if (!rows[0]) throw notFound(`no maintenance ${maintenanceId} (a just-accepted one appears once its saga has registered it)`);
    return rows[0];
  }

  const handleOf = (row: RequestRow): WorkflowHandle => deps.temporal.workflow.getHandle(row.workflow_id, row.run_id);

  /** Starts `maintenance-<jaeger_id>`: a new run only when the jaeger has none running (the id is the lock). */
  async function startSaga(input: MaintenanceSagaInput, summary: string): Promise<void> {
    const { context } = input;
    await deps.temporal.workflow.start(MAINTENANCE_WORKFLOW_TYPE, {
      workflowId: maintenanceWorkflowId(input.jaegerId),
      taskQueue: taskQueues.maintenance,
      args: [input],
      // A jaeger gets maintenance again and again, one at a time: a new run once the last one closed.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      memo: { maintenance_id: input.maintenanceId, request_id: context.requestId, principal: context.principal },
      typedSearchAttributes: [
        { key: searchAttributeKeys.RequestId, value: context.requestId },
        { key: searchAttributeKeys.Principal, value: context.principal },
        { key: searchAttributeKeys.JaegerId, value: input.jaegerId },
        { key: searchAttributeKeys.SagaStep, value: 'availability' },
      ],
      staticSummary: summary,
    });
  }

  /** The running saga of the jaeger: `same` if it is this request, a 409 if another, undefined if none. */
  async function runningConflict(workflowId: string, maintenanceId: string): Promise<'same' | ProblemError | undefined> {
    const running = await deps.temporal.workflow.getHandle(workflowId).describe().catch(() => undefined);
    if (running?.status.name !== 'RUNNING') return undefined;
    const runningId = running.memo?.maintenance_id;
    if (runningId === maintenanceId) return 'same';
    return conflict(`${workflowId.replace(/^maintenance-/, '')} already has maintenance ${String(runningId)} running`, {
      running_maintenance_id: runningId,
      status_url: typeof runningId === 'string' ? statusUrl(runningId) : undefined,
    });
  }

  async function currentState(row: RequestRow): Promise<MaintenanceState> {
    const handle = handleOf(row);
    const workflowStatus = (await handle.describe()).status.name;
    if (workflowStatus !== 'RUNNING') return rowToState(row, workflowStatus);
    try {
      const live = await deps.temporal.withDeadline(Date.now() + 3000, () => handle.query(statusQuery));
      return { ...rowToState(row, workflowStatus), ...statusToWire(live) };
    } catch (error) {
      // No worker to answer right now: the read model is the last recorded state.
      deps.logger.warn({ err: error, workflowId: row.workflow_id }, 'maintenance status query failed; answering from the read model');
      return rowToState(row, workflowStatus);
    }
  }

  api.post(
    '/v1/maintenance',
    {
      config: { roles: writers },
      schema: {
        tags: ['maintenance'],
        summary: 'Request maintenance of a jaeger (starts the saga maintenance-<jaeger_id>)',
        body: maintenanceRequestSchema,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const workflowId = maintenanceWorkflowId(body.jaeger_id);
      const accepted = (maintenanceId: string) =>
        reply.code(202).send({ maintenance_id: maintenanceId, jaeger_id: body.jaeger_id, workflow_id: workflowId, status: 'accepted' as const, status_url: statusUrl(maintenanceId) });

      // Every offending field at once, before anything is read or started.
      const problems: InvalidParam[] = [];
      if (!config.MAINTENANCE_ALLOW_FAULT_INJECTION) {
        for (const field of ['fail_at_step', 'fail_compensation'] as const) {
          if (body[field] !== undefined) problems.push({ name: `body.${field}`, reason: 'fault injection is disabled (MAINTENANCE_ALLOW_FAULT_INJECTION)' });
        }
      }
      const window = resolveWindow(body.type, body.window_start, body.window_end, Date.now());
      if ('problems' in window) problems.push(...window.problems);
      const requester = resolveActor(callerOf(request), body.requested_by, 'body.requested_by', writers);
      if (!requester.ok && requester.reason === 'missing') problems.push({ name: 'body.requested_by', reason: 'required without authentication' });
      if (problems.length || 'problems' in window) {
        throw badRequest(`invalid ${problems.map((problem) => `${problem.name} (${problem.reason})`).join('; ')}`, problems);
      }
      if (!requester.ok) throw new ProblemError(403, 'forbidden', 'Forbidden', requester.detail);

      const maintenanceId = body.maintenance_id ?? randomUUID();
      if (body.maintenance_id) {
        // A repeated request answers the same, even after its saga ended.
        const { rows } = await pool().query<{ jaeger_id: string }>('SELECT jaeger_id FROM maintenance_requests WHERE maintenance_id = $1', [maintenanceId]);
        if (rows[0]) {
          if (rows[0].jaeger_id !== body.jaeger_id) throw conflict(`maintenance ${maintenanceId} is for ${rows[0].jaeger_id}, not ${body.jaeger_id}`);
          return accepted(maintenanceId);
        }
      }

      const jaeger = await loadJaeger(pool(), body.jaeger_id);
      if (!jaeger) throw badRequest(`no jaeger ${body.jaeger_id}`, [{ name: 'body.jaeger_id', reason: 'unknown jaeger' }]);
      // A quick answer for the caller; the saga checks again (the jaeger's state can change before it runs).
      const availability = checkAvailability(jaeger, body.type, body.jaeger_id);
      if (!availability.available) {
        const running = availability.reason === 'in-maintenance' ? await runningConflict(workflowId, maintenanceId) : undefined;
        if (running === 'same') return accepted(maintenanceId);
        if (running) throw running;
        if (availability.reason === 'integrity-too-high') throw badRequest(availability.detail, [{ name: 'body.type', reason: availability.detail }]);
        throw new ProblemError(409, 'jaeger-unavailable', 'Jaeger unavailable', availability.detail);
      }

      const context = requestContext(request);
      const input: MaintenanceSagaInput = {
        maintenanceId,
        jaegerId: body.jaeger_id,
        type: body.type,
        requestedBy: requester.id,
        windowStart: window.start,
        windowEnd: window.end,
        notes: body.notes,
        context,
        settings: {
          approvalTimeoutSeconds: config.MAINTENANCE_APPROVAL_TIMEOUT_SECONDS,
          bayRecheckSeconds: config.MAINTENANCE_BAY_RECHECK_SECONDS,
          compensationMaxAttempts: config.MAINTENANCE_COMPENSATION_MAX_ATTEMPTS,
        },
        faults:
          body.fail_at_step || body.fail_compensation
            ? { failAt: body.fail_at_step, failCompensation: body.fail_compensation as CompensationName | undefined }
            : undefined,
      };
      try {
        await startSaga(input, `Maintenance (${body.type}) of ${body.jaeger_id}, requested by ${requester.id}`);
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        const running = await runningConflict(workflowId, maintenanceId);
        if (running === 'same') return accepted(maintenanceId);
        throw running ?? conflict(`${body.jaeger_id} had a maintenance running that has just ended; repeat the request`);
      }
      return accepted(maintenanceId);
    },
  );

  api.get(
    '/v1/maintenance/:maintenance_id',
    {
      config: { roles: readers },
      schema: {
        tags: ['maintenance'],
        summary: 'A maintenance saga: its step, completed steps, compensations, approver and decision',
        params: maintenanceIdParams,
        response: { 200: maintenanceStateSchema },
      },
    },
    async (request) => currentState(await findRequest(request.params.maintenance_id)),
  );

  for (const [verb, update] of [
    ['approve', approveUpdate],
    ['reject', rejectUpdate],
  ] as const) {
    api.post(
      `/v1/maintenance/:maintenance_id/${verb}`,
      {
        config: { roles: operators },
        schema: {
          tags: ['maintenance'],
          summary: `${verb === 'approve' ? 'Approve' : 'Reject'} a maintenance awaiting approval (admin or operator, not the requester)`,
          params: maintenanceIdParams,
          body: decisionSchema,
          response: { 200: maintenanceStateSchema },
        },
      },
      async (request) => {
        const row = await findRequest(request.params.maintenance_id);
        const approver = actorOrProblem(request, request.body.approver, 'approver', operators);
        let status: MaintenanceStatus;
        try {
          status = await deps.temporal.withDeadline(Date.now() + config.MAINTENANCE_UPDATE_TIMEOUT_MS, () =>
            handleOf(row).executeUpdate(update, {
              args: [{ approver: approver.id, roles: approver.roles, reason: request.body.reason }],
              // A retried call with the same decider and verb is the same update: answered, not applied twice.
              updateId: `${verb}-${approver.id}`,
            }),
          );
        } catch (error) {
          throw decisionProblem(error, row.maintenance_id);
        }
        const describe = await handleOf(row).describe();
        return { ...rowToState(row, describe.status.name), ...statusToWire(status) };
      },
    );
  }

  api.post(
    '/v1/maintenance/:maintenance_id/cancel',
    {
      config: { roles: writers },
      schema: {
        tags: ['maintenance'],
        summary: 'Cancel a running maintenance: its completed steps are compensated in reverse',
        params: maintenanceIdParams,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      const row = await findRequest(request.params.maintenance_id);
      const ended = () => conflict(`maintenance ${row.maintenance_id} has already ended`);
      // The server accepts a cancel request for a closed run without complaint; say what really happened.
      if ((await handleOf(row).describe()).status.name !== 'RUNNING') throw ended();
      try {
        await handleOf(row).cancel();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw ended();
        throw error;
      }
      return reply.code(202).send({
        maintenance_id: row.maintenance_id,
        jaeger_id: row.jaeger_id,
        workflow_id: row.workflow_id,
        status: 'cancelling',
        status_url: statusUrl(row.maintenance_id),
      });
    },
  );
}

/** The saga's update rejections → problems a client can act on. */
function decisionProblem(error: unknown, maintenanceId: string): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const { type, message } = error.cause;
    if (type === maintenanceErrors.notAnApprover || type === maintenanceErrors.selfApproval) {
      return new ProblemError(403, 'forbidden', 'Forbidden', message, { reason: type });
    }
    if (type === maintenanceErrors.notAwaitingApproval) return conflict(message, { reason: type });
  }
  if (error instanceof WorkflowNotFoundError) return conflict(`maintenance ${maintenanceId} has already ended`);
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return serviceUnavailable(`the maintenance saga did not answer in time (is a maintenance worker running?)`, 5);
  }
  return error;
}
