/**
 * The hourly reconciliation (schedule `insights-reconcile-hourly`): walks both stores in id order, page by
 * page, finds documents missing from the graph (or stale, failed, stuck) and graph nodes without a document,
 * repairs them (re-drive through the insight's own workflow; orphan nodes deleted) and reports the counts:
 * as its result, in its current details and in the worker's log and metrics.
 */
import { allHandlersFinished, condition, continueAsNew, log, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import {
  addCounts,
  DEFAULT_PAGE_SIZE,
  DEFAULT_PAGES_PER_RUN,
  emptyReconciliationCounts,
  type ReconcileInput,
  type ReconcileResult,
} from '../../domain/insights/periodic';
import { pages } from './activities';

export async function insightsReconcileWorkflow(input: ReconcileInput = {}): Promise<ReconcileResult> {
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const pagesPerRun = input.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
  const counts = input.counts ?? emptyReconciliationCounts();
  const runs = input.runs ?? 1;
  const runId = workflowInfo().workflowId;
  let cursor = input.cursor ?? null;
  let pagesThisRun = 0;

  for (;;) {
    const page = await pages.reconcileInsightsPage({ after: cursor, limit: pageSize, runId });
    addCounts(counts, page.counts);
    cursor = page.next;
    setCurrentDetails(
      `${cursor ? `after ${cursor}` : 'finished'} (run ${runs})\n\n` +
        `checked ${counts.documentsChecked} documents, ${counts.graphNodesChecked} nodes; ` +
        `missing in graph ${counts.missingInGraph}, orphan nodes ${counts.orphanNodes}, stale ${counts.staleInGraph}, ` +
        `stuck ${counts.stuck}, failed ${counts.failed}; re-driven ${counts.redriven}, orphans deleted ${counts.orphansDeleted}`,
    );
    if (cursor === null) break;
    if (++pagesThisRun >= pagesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof insightsReconcileWorkflow>({ ...input, cursor, counts, runs: runs + 1 });
    }
  }
  log.info('insights reconciliation finished', { ...counts });
  return { counts, runs };
}
