/** The insight workflows' activity stubs, with their timeouts and retries. */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { InsightActivities } from '../../activities/insights';
import { insightErrors } from '../../domain/insights/workflow';

/**
 * MongoDB steps: one document by `_id`, milliseconds. Local activities: they run in the worker inside the
 * workflow task, so (with the graph step local too, graphLocalStep below) an insight costs the Temporal server
 * one workflow task instead of four workflow and three activity tasks, which is what bounds ingestion
 * throughput on a busy server (see docs/insights.md). Each step is idempotent, so re-running one after a worker crash is safe. Retried until
 * MongoDB answers (past a minute, the SDK backs off with timers): a document must end processed or failed,
 * and nothing else can say so for it.
 */
export const documents = proxyLocalActivities<InsightActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Extraction: CPU over cached corpus statistics, in the worker as a local activity (no extra server round trip). */
export const extraction = proxyLocalActivities<InsightActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * The graph step: Neo4j being down or restarting is retried with back-off for the insight's retry window
 * (INSIGHTS_GRAPH_RETRY_WINDOW_SECONDS); after it, or at once for an error retrying cannot fix, the workflow
 * marks the document failed with the reason. Start-to-close covers the store's own bound (connect + driver
 * retries + query timeout).
 */
export const graphStep = (retryWindowSeconds: number) =>
  proxyActivities<InsightActivities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: `${retryWindowSeconds} seconds`,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      nonRetryableErrorTypes: [insightErrors.graphRejected],
    },
  });

/**
 * The same graph step as a local activity (what new runs use; see insight.ts, patch `insights-graph-local`):
 * it runs in the worker inside the workflow task, so an insight costs the Temporal server one workflow task
 * and no activity task. Same retry policy and window. Retries whose back-off reaches `localRetryThreshold`
 * wait on a workflow timer instead of holding the workflow task open, so an insight waiting out a Neo4j outage
 * costs the server one short workflow task per retry (about every 10-30 s), as a retried activity would,
 * rather than workflow-task heartbeats.
 */
export const graphLocalStep = (retryWindowSeconds: number) =>
  proxyLocalActivities<InsightActivities>({
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: `${retryWindowSeconds} seconds`,
    localRetryThreshold: '10 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      nonRetryableErrorTypes: [insightErrors.graphRejected],
    },
  });

/** Pages of the periodic jobs: bounded work, heartbeating per document or query. */
export const pages = proxyActivities<InsightActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '2 minutes',
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

/** Whole-corpus steps (document-frequency rebuild, pruning, digests): one streaming pass, heartbeating. */
export const corpusSteps = proxyActivities<InsightActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  scheduleToCloseTimeout: '4 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
