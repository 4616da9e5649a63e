/**
 * The periodic insight workflows (the seed's Celery Beat jobs, now Temporal Schedules): their inputs,
 * results and page settings. Pages and runs are bounded so a large corpus never makes one activity or one
 * history too big: activities heartbeat per document, workflows continue-as-new every `pagesPerRun` pages.
 */
export const INSIGHTS_RECOMPUTE_WORKFLOW = 'insightsRecomputeWorkflow';
export const INSIGHTS_RECONCILE_WORKFLOW = 'insightsReconcileWorkflow';
export const INSIGHTS_DIGEST_WORKFLOW = 'insightsWeeklyDigestWorkflow';

export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_PAGES_PER_RUN = 40;

export interface PageSettings {
  pageSize?: number;
  pagesPerRun?: number;
}

export type RecomputePhase = 'terms' | 'keywords' | 'related' | 'prune' | 'done';

export interface RecomputeTotals {
  documents: number;
  terms: number;
  keywordsScanned: number;
  keywordsChanged: number;
  relatedScanned: number;
  relatedChanged: number;
  prunedNodes: number;
  runs: number;
}

export interface RecomputeInput extends PageSettings {
  phase?: RecomputePhase;
  cursor?: string | null;
  totals?: RecomputeTotals;
}

export const emptyRecomputeTotals = (): RecomputeTotals => ({
  documents: 0,
  terms: 0,
  keywordsScanned: 0,
  keywordsChanged: 0,
  relatedScanned: 0,
  relatedChanged: 0,
  prunedNodes: 0,
  runs: 1,
});

/** What the hourly reconciliation found and did, summed over its pages (and runs, across continue-as-new). */
export interface ReconciliationCounts {
  documentsChecked: number;
  graphNodesChecked: number;
  /** processed documents with no graph node. */
  missingInGraph: number;
  /** graph nodes whose document does not exist. */
  orphanNodes: number;
  /** processed documents whose node (or keywords/related) is from another revision. */
  staleInGraph: number;
  /** processing/deleting for longer than the grace period. */
  stuck: number;
  /** failed documents, re-driven. */
  failed: number;
  /** Documents handed back to their insight workflow (reprocess or delete). */
  redriven: number;
  /** Orphan nodes deleted. */
  orphansDeleted: number;
}

export const emptyReconciliationCounts = (): ReconciliationCounts => ({
  documentsChecked: 0,
  graphNodesChecked: 0,
  missingInGraph: 0,
  orphanNodes: 0,
  staleInGraph: 0,
  stuck: 0,
  failed: 0,
  redriven: 0,
  orphansDeleted: 0,
});

export function addCounts<T extends object>(into: T, more: T): T {
  for (const key of Object.keys(more) as Array<keyof T>) {
    (into[key] as unknown as number) += more[key] as unknown as number;
  }
  return into;
}

export interface ReconcileInput extends PageSettings {
  cursor?: string | null;
  counts?: ReconciliationCounts;
  runs?: number;
}

export interface ReconcileResult {
  counts: ReconciliationCounts;
  runs: number;
}

export interface DigestInput {
  scheduleId?: string;
  /** End of the period (ISO); default: the schedule's nominal time, else the workflow's start time. */
  periodEnd?: string;
  /** Length of the period; default 7. */
  days?: number;
}

export interface DigestResult {
  periodStart: string;
  periodEnd: string;
  users: number;
  insights: number;
}
