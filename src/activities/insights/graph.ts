/**
 * The graph step of the insight workflow. Neo4j errors worth retrying (server down or restarting, deadlocks,
 * timeouts) are thrown as they are, so Temporal retries the activity with back-off for the workflow's retry
 * window; errors that will not go away on retry (bad Cypher, a constraint) become non-retryable
 * `InsightGraphRejected` failures, and the workflow marks the document failed with the reason at once.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { insightErrors } from '../../domain/insights/workflow';
import { Neo4jStoreError, type Neo4jStore } from '../../stores/neo4j';
import { deleteInsightNode, writeInsightGraph, type GraphWriteResult, type InsightGraphInput } from './graph-queries';
import { insightGraphWriteDuration } from './metrics';

/**
 * Neo4j error classes that say the statement itself is wrong: retrying the same statement cannot succeed.
 * Everything else is retried within the insight's retry window, including client errors about the
 * transaction (`Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration`: a write that waited too
 * long for locks under load) and driver-side failures without a Neo4j code (seen under load: a connection
 * whose responses got out of step, "Cannot read properties of undefined (reading 'onCompleted')"), which a
 * new attempt on another connection gets past.
 */
const PERMANENT = /^Neo\.ClientError\.(Statement|Schema|Procedure|Request)\./;

export function isPermanentGraphError(error: unknown): boolean {
  return error instanceof Neo4jStoreError && !error.retryable && PERMANENT.test(error.code);
}

export function asActivityError(error: unknown): unknown {
  if (isPermanentGraphError(error)) {
    const { message, code } = error as Neo4jStoreError;
    return ApplicationFailure.nonRetryable(message, insightErrors.graphRejected, { code });
  }
  return error;
}

/** Safety margin before a deadline: a write that starts this close to it might finish after it. */
const DEADLINE_MARGIN_MS = 1000;

/**
 * Fencing against a late attempt. Temporal gives up on an attempt at its start-to-close or the activity's
 * schedule-to-close deadline and the workflow moves on (to marking the insight failed), but the worker is not
 * told: an attempt whose process was paused or whose driver kept retrying could still write the graph
 * afterwards. Every write transaction attempt checks the deadlines first and writes nothing once they passed.
 */
export function deadlineGuard(now: () => number = Date.now): () => void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return () => undefined;
  }
  const { info } = context;
  const startedAt = now();
  const deadlines = [startedAt + info.startToCloseTimeoutMs];
  if (info.scheduleToCloseTimeoutMs > 0) deadlines.push(info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs);
  const deadline = Math.min(...deadlines) - DEADLINE_MARGIN_MS;
  return () => {
    // Retryable on purpose: past an attempt's own deadline the activity may still have time for another one.
    if (now() > deadline) throw new Neo4jStoreError('insights: this attempt ran out of time; it writes nothing', 'InsightGraphDeadline', true);
  };
}

export function createGraphActivities(neo4j: Neo4jStore, scope: string, topK: number, ensureSchema: () => Promise<void>) {
  return {
    async writeInsightGraph(input: InsightGraphInput): Promise<GraphWriteResult> {
      const end = insightGraphWriteDuration.startTimer();
      const guard = deadlineGuard();
      try {
        await ensureSchema();
        return await writeInsightGraph(neo4j, scope, input, topK, guard);
      } catch (error) {
        throw asActivityError(error);
      } finally {
        end();
      }
    },

    async deleteInsightGraph(input: { insightId: string }): Promise<{ deleted: boolean }> {
      const guard = deadlineGuard();
      try {
        await ensureSchema();
        return { deleted: await deleteInsightNode(neo4j, scope, input.insightId, guard) };
      } catch (error) {
        throw asActivityError(error);
      }
    },
  };
}
