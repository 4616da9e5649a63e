/**
 * The insights task queue's activities: the document lifecycle (MongoDB), extraction, the graph (Neo4j) and
 * the periodic jobs. Indexes and constraints are ensured once per worker process, on first use of each store.
 */
import type { Config } from '../../config';
import { resolveSettings, type InsightConfig, type InsightStores } from './context';
import { createDigestActivities } from './digest';
import { createDocumentActivities } from './documents';
import { createExtractionActivities, type KeywordEnricher } from './extraction';
import { createGraphActivities } from './graph';
import { createLlmEnricher } from './llm-enricher';
import { createReconcileActivities } from './reconcile';
import { createRecomputeActivities } from './recompute';
import { ensureGraphSchema, ensureInsightIndexes, schemaOnce } from './schema';
import { TermStatsCache } from './term-stats';

/**
 * `options.enricher` overrides the configured one; otherwise, with INSIGHTS_LLM_ENRICHMENT on (and the full
 * config, which carries the provider settings), extraction asks the alerts' LLM provider for entities.
 */
export function createInsightActivities(stores: InsightStores, config: InsightConfig | Config, options: { enricher?: KeywordEnricher } = {}) {
  const settings = resolveSettings(config);
  const enricher = options.enricher ?? (config.INSIGHTS_LLM_ENRICHMENT && 'ALERTS_LLM_MODEL' in config ? createLlmEnricher(config) : undefined);
  const ensure = {
    indexes: schemaOnce(() => ensureInsightIndexes(stores.mongo), 'insights: MongoDB indexes'),
    graph: schemaOnce(() => ensureGraphSchema(stores.neo4j), 'insights: Neo4j constraints'),
  };
  const termStats = new TermStatsCache(stores.mongo, settings.termStatsCacheMs);
  return {
    ...createDocumentActivities(stores.mongo, ensure.indexes),
    ...createExtractionActivities(termStats, settings.keywordsPerInsight, enricher),
    ...createGraphActivities(stores.neo4j, settings.scope, settings.topK, ensure.graph),
    ...createRecomputeActivities(stores, settings, termStats, ensure),
    ...createReconcileActivities(stores, settings, ensure),
    ...createDigestActivities(stores.mongo, ensure.indexes),
  };
}

export type InsightActivities = ReturnType<typeof createInsightActivities>;
