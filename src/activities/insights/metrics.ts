/** The insights domain's business metrics, recorded by its activities on the process registry. */
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const insightsProcessedTotal = new Counter({
  name: 'fluxo_insights_processed_total',
  help: 'Insight changes that reached a final state, by outcome (processed, failed, deleted)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const insightGraphWriteDuration = new Histogram({
  name: 'fluxo_insights_graph_write_duration_seconds',
  help: 'Duration of one insight graph write (scoring + write transaction)',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const insightsReconciliationTotal = new Counter({
  name: 'fluxo_insights_reconciliation_findings_total',
  help: 'What the reconciliation found and repaired, by kind (missing_in_graph, orphan_node, stale, stuck, failed)',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const insightsEnrichmentTotal = new Counter({
  name: 'fluxo_insights_llm_enrichment_total',
  help: 'LLM enrichment calls of extraction (INSIGHTS_LLM_ENRICHMENT), by outcome (enriched, fallback to the local result)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
