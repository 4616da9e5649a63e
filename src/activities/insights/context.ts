/**
 * What every insight activity shares: the stores, the settings read from config, typed collections and a
 * heartbeat that is a no-op outside an activity (benchmarks and tests call some functions directly).
 */
import { Context } from '@temporalio/activity';
import type { Config } from '../../config';
import {
  graphScope,
  insightCollections,
  type CorpusDocument,
  type DigestDocument,
  type InsightDocument,
  type TermStatsShard,
} from '../../domain/insights/store-layout';
import type { Collection, MongoStore } from '../../stores/mongo';
import type { Neo4jStore } from '../../stores/neo4j';
import type { LazyTemporalClient } from '../../stores/temporal';

export interface InsightStores {
  mongo: MongoStore;
  neo4j: Neo4jStore;
  temporal: LazyTemporalClient;
}

export type InsightConfig = Pick<
  Config,
  | 'MONGODB_DATABASE'
  | 'INSIGHTS_GRAPH_SCOPE'
  | 'INSIGHTS_RELATED_TOP_K'
  | 'INSIGHTS_KEYWORDS_PER_INSIGHT'
  | 'INSIGHTS_TERM_STATS_CACHE_SECONDS'
  | 'INSIGHTS_GRAPH_RETRY_WINDOW_SECONDS'
  | 'INSIGHTS_STUCK_AFTER_SECONDS'
  | 'INSIGHTS_LLM_ENRICHMENT'
>;

export interface InsightSettingsResolved {
  scope: string;
  topK: number;
  keywordsPerInsight: number;
  termStatsCacheMs: number;
  graphRetryWindowSeconds: number;
  stuckAfterMs: number;
}

export function resolveSettings(config: InsightConfig): InsightSettingsResolved {
  return {
    scope: graphScope(config.INSIGHTS_GRAPH_SCOPE, config.MONGODB_DATABASE),
    topK: config.INSIGHTS_RELATED_TOP_K,
    keywordsPerInsight: config.INSIGHTS_KEYWORDS_PER_INSIGHT,
    termStatsCacheMs: config.INSIGHTS_TERM_STATS_CACHE_SECONDS * 1000,
    graphRetryWindowSeconds: config.INSIGHTS_GRAPH_RETRY_WINDOW_SECONDS,
    stuckAfterMs: config.INSIGHTS_STUCK_AFTER_SECONDS * 1000,
  };
}

export const insightsOf = (mongo: MongoStore): Collection<InsightDocument> => mongo.collection<InsightDocument>(insightCollections.insights);
export const termStatsOf = (mongo: MongoStore): Collection<TermStatsShard | CorpusDocument> =>
  mongo.collection<TermStatsShard | CorpusDocument>(insightCollections.termStats);
export const digestsOf = (mongo: MongoStore): Collection<DigestDocument> => mongo.collection<DigestDocument>(insightCollections.digests);

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** One heartbeat with progress details, when running as an activity. */
export function beat(details?: unknown): void {
  currentContext()?.heartbeat(details);
}

/** The last heartbeat's details of a previous attempt (resuming a page scan), if any. */
export function resumedFrom<T>(): T | undefined {
  return currentContext()?.info.heartbeatDetails as T | undefined;
}
