/**
 * The nightly relationship recomputation (schedule `insights-relationships-nightly`, the seed's Celery Beat
 * job): document frequencies rebuilt from every insight → keywords re-weighted page by page → related
 * insights recomputed page by page → unused Tag/Keyword/User nodes pruned. Pages are bounded activities that
 * heartbeat; the workflow continues as new every `pagesPerRun` pages (or when Temporal suggests it), carrying
 * its phase, cursor and totals, so a corpus of any size keeps a small history.
 */
import { allHandlersFinished, condition, continueAsNew, log, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_PAGES_PER_RUN,
  emptyRecomputeTotals,
  type RecomputeInput,
  type RecomputePhase,
  type RecomputeTotals,
} from '../../domain/insights/periodic';
import { corpusSteps, pages } from './activities';

export async function insightsRecomputeWorkflow(input: RecomputeInput = {}): Promise<RecomputeTotals> {
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const pagesPerRun = input.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
  let phase: RecomputePhase = input.phase ?? 'terms';
  let cursor = input.cursor ?? null;
  const totals = input.totals ?? emptyRecomputeTotals();
  let pagesThisRun = 0;
  const report = () =>
    setCurrentDetails(
      `phase **${phase}**${cursor ? ` after ${cursor}` : ''} (run ${totals.runs})\n\n` +
        `documents ${totals.documents}, terms ${totals.terms}; keywords re-weighted ${totals.keywordsChanged}/${totals.keywordsScanned}; ` +
        `related changed ${totals.relatedChanged}/${totals.relatedScanned}; pruned ${totals.prunedNodes}`,
    );

  while (phase !== 'done') {
    if (pagesThisRun >= pagesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof insightsRecomputeWorkflow>({ ...input, phase, cursor, totals: { ...totals, runs: totals.runs + 1 } });
    }
    report();
    if (phase === 'terms') {
      const rebuilt = await corpusSteps.rebuildInsightTermStats();
      totals.documents = rebuilt.documents;
      totals.terms = rebuilt.terms;
      phase = 'keywords';
      cursor = null;
    } else if (phase === 'keywords') {
      const page = await pages.reweightInsightKeywordsPage({ after: cursor, limit: pageSize });
      totals.keywordsScanned += page.scanned;
      totals.keywordsChanged += page.changed;
      cursor = page.next;
      if (cursor === null) phase = 'related';
      pagesThisRun++;
    } else if (phase === 'related') {
      const page = await pages.recomputeRelatedPage({ after: cursor, limit: pageSize });
      totals.relatedScanned += page.scanned;
      totals.relatedChanged += page.changed;
      cursor = page.next;
      if (cursor === null) phase = 'prune';
      pagesThisRun++;
    } else {
      totals.prunedNodes = (await corpusSteps.pruneInsightGraph()).deleted;
      phase = 'done';
    }
  }
  report();
  log.info('insights recomputation finished', { ...totals });
  return totals;
}
