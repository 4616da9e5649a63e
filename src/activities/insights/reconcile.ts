/**
 * The hourly reconciliation's page (insightsReconcileWorkflow): one id range read from both stores, compared
 * (domain/insights/reconciliation.ts), and repaired:
 * - documents that need processing again (missing from the graph, stale, failed, stuck) are handed back to
 *   their own insight workflow by signal-with-start, so the one writer of an insight stays its workflow;
 * - graph nodes whose document does not exist are deleted with their edges, after a last look at MongoDB (a
 *   document created after this page was read is not an orphan).
 */
import { commonBound, diffRange, type DocumentRow, type NodeRow } from '../../domain/insights/reconciliation';
import { emptyReconciliationCounts, type ReconciliationCounts } from '../../domain/insights/periodic';
import { insightSignalWithStart, type InsightChange } from '../../domain/insights/workflow';
import type { MongoStore } from '../../stores/mongo';
import type { Neo4jStore } from '../../stores/neo4j';
import type { LazyTemporalClient } from '../../stores/temporal';
import { beat, insightsOf } from './context';
import { deleteInsightNode, pageInsightNodes } from './graph-queries';
import { asActivityError } from './graph';
import { insightsReconciliationTotal } from './metrics';

export interface ReconcilePageInput {
  after: string | null;
  limit: number;
  /** The reconciliation run: part of the re-drive change ids, so a retried page is recognised. */
  runId: string;
}

export interface ReconcilePageResult {
  next: string | null;
  counts: ReconciliationCounts;
}

export function createReconcileActivities(
  stores: { mongo: MongoStore; neo4j: Neo4jStore; temporal: LazyTemporalClient },
  settings: { scope: string; stuckAfterMs: number; graphRetryWindowSeconds: number },
  ensure: { indexes: () => Promise<void>; graph: () => Promise<void> },
) {
  const { mongo, neo4j } = stores;

  return {
    async reconcileInsightsPage(input: ReconcilePageInput): Promise<ReconcilePageResult> {
      await ensure.indexes();
      await ensure.graph();
      const after = input.after ?? '';
      const docs = await insightsOf(mongo)
        .find({ _id: { $gt: after } }, { projection: { user_id: 1, status: 1, revision: 1, derived_revision: 1, status_at: 1, failure: 1 } })
        .sort({ _id: 1 })
        .limit(input.limit)
        .toArray();
      const docsFull = docs.length === input.limit;
      let nodes: NodeRow[];
      try {
        nodes = await pageInsightNodes(neo4j, settings.scope, after, docsFull ? docs[docs.length - 1]!._id : null, input.limit);
      } catch (error) {
        throw asActivityError(error);
      }
      const bound = commonBound(
        docs.map((doc) => doc._id),
        docsFull,
        nodes.map((node) => node.id),
        nodes.length === input.limit,
      );
      const inRange = (id: string) => bound === null || id <= bound;
      const rows: DocumentRow[] = docs
        .filter((doc) => inRange(doc._id))
        .map((doc) => ({
          id: doc._id,
          status: doc.status,
          revision: doc.revision,
          derivedRevision: doc.derived_revision ?? 0,
          statusAt: doc.status_at ?? new Date(0),
          failureIntent: doc.failure?.intent ?? null,
        }));
      const nodeRows = nodes.filter((node) => inRange(node.id));
      const diff = diffRange(rows, nodeRows, new Date(Date.now() - settings.stuckAfterMs));

      const counts = emptyReconciliationCounts();
      counts.documentsChecked = rows.length;
      counts.graphNodesChecked = nodeRows.length;
      counts.orphanNodes = diff.orphanNodes.length;
      for (const item of diff.redrive) {
        if (item.why === 'missing-in-graph') counts.missingInGraph++;
        else if (item.why === 'stale') counts.staleInGraph++;
        else if (item.why === 'failed') counts.failed++;
        else counts.stuck++;
        insightsReconciliationTotal.inc({ kind: item.why });
      }

      for (const id of diff.orphanNodes) {
        beat({ after, orphan: id });
        insightsReconciliationTotal.inc({ kind: 'orphan-node' });
        if (await insightsOf(mongo).findOne({ _id: id }, { projection: { _id: 1 } })) continue;
        try {
          if (await deleteInsightNode(neo4j, settings.scope, id)) counts.orphansDeleted++;
        } catch (error) {
          throw asActivityError(error);
        }
      }

      if (diff.redrive.length > 0) {
        const client = await stores.temporal.client();
        const userOf = new Map(docs.map((doc) => [doc._id, doc.user_id]));
        for (const item of diff.redrive) {
          beat({ after, redrive: item.id });
          const change: InsightChange = {
            changeId: `reconcile:${input.runId}:${item.id}`,
            kind: item.kind,
            receivedAt: new Date().toISOString(),
            context: { requestId: input.runId, principal: 'schedule:insights-reconcile' },
          };
          await client.workflow.signalWithStart(
            'insightWorkflow',
            insightSignalWithStart({
              insightId: item.id,
              userId: userOf.get(item.id)!,
              settings: { graphRetryWindowSeconds: settings.graphRetryWindowSeconds },
              change,
              summary: `Insight ${item.id}: ${item.kind} (reconciliation: ${item.why})`,
            }),
          );
          counts.redriven++;
        }
      }
      return { next: bound, counts };
    },
  };
}
