/**
 * Insights (issue 9): see docs/insights.md. Read by the insight activities and the API.
 */
import { z } from 'zod';
import { bool, positiveInt } from './fields';

export const insightsSettings = {
  /** Graph partition in Neo4j (Community has one database); empty = the MongoDB database name. */
  INSIGHTS_GRAPH_SCOPE: z.string().regex(/^[\w.-]{0,80}$/).default(''),
  /** Related insights kept per insight (RELATED_TO edges, related ids on the document). */
  INSIGHTS_RELATED_TOP_K: positiveInt.max(100).default(10),
  /** Keywords kept per insight (MENTIONS edges). */
  INSIGHTS_KEYWORDS_PER_INSIGHT: positiveInt.max(100).default(12),
  /** How long a worker reuses the document frequencies it read from MongoDB; 0 = read them every time. */
  INSIGHTS_TERM_STATS_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
  /** How long the graph step retries (Neo4j down, transient errors) before the insight is marked failed. */
  INSIGHTS_GRAPH_RETRY_WINDOW_SECONDS: positiveInt.default(3600),
  /** The reconciliation leaves documents in processing/deleting alone for this long (they are in flight). */
  INSIGHTS_STUCK_AFTER_SECONDS: positiveInt.default(900),
  /** Optional LLM enrichment of extracted entities, through the alerts' provider settings (ALERTS_LLM_*); off by default. */
  INSIGHTS_LLM_ENRICHMENT: bool.default(false),
  /** How long extraction waits for the LLM before keeping the local result alone. */
  INSIGHTS_LLM_TIMEOUT_MS: positiveInt.default(5000),
};
