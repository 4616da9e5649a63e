/**
 * Many maintenance sagas at once on one shatterdome, approved automatically (through the real `approve`
 * update, as an operator would), while a sampler watches bay cradles and part counts. Used by the concurrency
 * test (50 sagas) and by `npm run bench:maintenance` (500).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { partLines, type MaintenanceType } from '../../src/domain/maintenance/catalog';
import { approveUpdate, maintenanceWorkflowId, type MaintenanceResult } from '../../src/domain/maintenance/saga';
import { createShatterdome, sagaInput } from './maintenance-fixtures';

export interface LoadOptions {
  client: Client;
  pool: Pool;
  taskQueue: string;
  sagas: number;
  /** Capacity of each bay of the shatterdome; fewer cradles than sagas makes sagas wait for one. */
  bays: number[];
  type?: MaintenanceType;
  bayRecheckSeconds?: number;
}

export interface LoadResult {
  wallMs: number;
  /** Per saga, start → result, sorted ascending. */
  latenciesMs: number[];
  outcomes: Record<string, number>;
  /** Worst seen by the sampler during the run: cradles in use minus capacity (≤ 0 is right), lowest part count. */
  worstBayHeadroom: number;
  lowestPartCount: number;
  samples: number;
  /** Part counts before and after, by SKU. */
  partsBefore: Record<string, number>;
  partsAfter: Record<string, number>;
  baysInUseAfter: number;
  allocationRows: { kind: string; status: string; count: number }[];
  shatterdome: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The automatic approver: watches the approvers' inbox (maintenance_notifications) like a person would, and
 * approves each saga once, as soon as it asks — without flooding the sagas with early update attempts.
 */
function startAutoApprover(client: Client, pool: Pool, pending: Map<string, string>) {
  let running = true;
  // Each approval is sent on its own: one slow update call must not hold back the next saga's approval.
  const inFlight = new Set<Promise<void>>();
  const approve = async (maintenanceId: string, jaegerId: string) => {
    try {
      await client.workflow.getHandle(maintenanceWorkflowId(jaegerId)).executeUpdate(approveUpdate, {
        args: [{ approver: 'auto-approver', roles: ['operator'] }],
        // A retry after a timed-out call is the same update: applied once.
        updateId: `auto-approve-${maintenanceId}`,
      });
    } catch {
      pending.set(maintenanceId, jaegerId); // a busy or restarting server failed the call: ask again next round
    }
  };
  const done = (async () => {
    while (running) {
      try {
        if (pending.size > 0) {
          const { rows } = await pool.query<{ maintenance_id: string }>(
            `SELECT maintenance_id FROM maintenance_notifications WHERE kind = 'approval-requested' AND maintenance_id = ANY($1::uuid[])`,
            [[...pending.keys()]],
          );
          for (const { maintenance_id: maintenanceId } of rows) {
            const jaegerId = pending.get(maintenanceId)!;
            pending.delete(maintenanceId);
            const call = approve(maintenanceId, jaegerId).finally(() => inFlight.delete(call));
            inFlight.add(call);
          }
        }
      } catch {
        // PostgreSQL restarting under a shared stack: look again next round.
      }
      await sleep(100);
    }
    await Promise.all(inFlight);
  })();
  return async () => {
    running = false;
    await done;
  };
}

/**
 * The run's result. A Temporal server that restarts under the load (other tests on a shared stack do that) breaks
 * the long poll with a transport error: ask again. A WorkflowFailedError is the saga's real end and is passed on.
 */
async function resultOf(client: Client, workflowId: string, runId: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.workflow.getHandle(workflowId, runId).result();
    } catch (error) {
      if (error instanceof WorkflowFailedError || attempt >= 60) throw error;
      await sleep(2000);
    }
  }
}

export async function runConcurrentSagas(options: LoadOptions): Promise<LoadResult> {
  const type = options.type ?? 'repair';
  // Exactly enough stock for every saga: any double allocation would run a count below zero (and fail).
  const stock = Object.fromEntries(partLines(type).map((line) => [line.sku, line.quantity * options.sagas]));
  const dome = await createShatterdome(options.pool, {
    jaegers: Array.from({ length: options.sagas }, () => ({ integrity: 30 })),
    bays: options.bays,
    parts: stock,
  });
  const partCounts = async () =>
    Object.fromEntries(
      (await options.pool.query('SELECT sku, quantity FROM maintenance_parts WHERE shatterdome = $1', [dome.shatterdome])).rows.map((row) => [
        row.sku,
        row.quantity as number,
      ]),
    );
  const partsBefore = await partCounts();

  let worstBayHeadroom = -Infinity;
  let lowestPartCount = Infinity;
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const { rows } = await options.pool.query(
          `SELECT (SELECT max(in_use - capacity) FROM maintenance_bays WHERE shatterdome = $1) AS headroom,
                  (SELECT min(quantity) FROM maintenance_parts WHERE shatterdome = $1) AS lowest`,
          [dome.shatterdome],
        );
        worstBayHeadroom = Math.max(worstBayHeadroom, Number(rows[0].headroom));
        lowestPartCount = Math.min(lowestPartCount, Number(rows[0].lowest));
        samples++;
      } catch {
        // PostgreSQL restarting under a shared stack: a missed sample, not a failed run (`samples` counts the real ones).
      }
      await sleep(100);
    }
  })();

  const awaitingApproval = new Map<string, string>();
  const stopApprover = startAutoApprover(options.client, options.pool, awaitingApproval);
  const started = Date.now();
  const results = await Promise.all(
    dome.jaegerIds.map(async (jaegerId) => {
      const input = sagaInput(jaegerId, {
        type,
        requestedBy: `load-${randomUUID().slice(0, 8)}`,
        settings: { bayRecheckSeconds: options.bayRecheckSeconds ?? 30 },
      });
      const begin = Date.now();
      awaitingApproval.set(input.maintenanceId, jaegerId);
      const handle = await options.client.workflow.start('maintenanceSaga', {
        workflowId: maintenanceWorkflowId(jaegerId),
        taskQueue: options.taskQueue,
        args: [input],
      });
      const result = (await resultOf(options.client, handle.workflowId, handle.firstExecutionRunId).catch((error: Error) => ({
        outcome: `error: ${error.message}`,
      }))) as MaintenanceResult | { outcome: string };
      return { outcome: String(result.outcome), latencyMs: Date.now() - begin };
    }),
  );
  const wallMs = Date.now() - started;
  sampling = false;
  await Promise.all([sampler, stopApprover()]);

  const outcomes: Record<string, number> = {};
  for (const { outcome } of results) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  const { rows: bays } = await options.pool.query('SELECT sum(in_use)::int AS in_use FROM maintenance_bays WHERE shatterdome = $1', [
    dome.shatterdome,
  ]);
  const { rows: allocations } = await options.pool.query(
    `SELECT a.resource_kind AS kind, a.status, count(*)::int AS count FROM maintenance_allocations a
     JOIN maintenance_requests r USING (maintenance_id) JOIN jaegers j ON j.jaeger_id = r.jaeger_id
     WHERE j.shatterdome = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
    [dome.shatterdome],
  );
  return {
    wallMs,
    latenciesMs: results.map((result) => result.latencyMs).sort((a, b) => a - b),
    outcomes,
    worstBayHeadroom,
    lowestPartCount,
    samples,
    partsBefore,
    partsAfter: await partCounts(),
    baysInUseAfter: bays[0].in_use,
    allocationRows: allocations,
    shatterdome: dome.shatterdome,
  };
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
