/** The alert domain's business metrics (on the process registry; the worker's /metrics endpoint shows them). */
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics';

export const alertDecisions = new Counter({
  name: 'fluxo_alert_decisions_total',
  help: 'Evaluated LancamentoRegistrado events by final action, source and fallback reason',
  labelNames: ['action', 'source', 'fallback_reason'] as const,
  registers: [metricsRegistry],
});

export const alertDecisionLatency = new Histogram({
  name: 'fluxo_alert_decision_latency_seconds',
  help: 'From the event (occurred_at) to its recorded decision',
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  registers: [metricsRegistry],
});

export const llmCalls = new Counter({
  name: 'fluxo_alert_llm_calls_total',
  help: 'LLM review calls by outcome (ok or the fallback reason)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const llmTokens = new Counter({
  name: 'fluxo_alert_llm_tokens_total',
  help: 'Tokens reported by the LLM responses (usageMetadata), by kind',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const llmCallDuration = new Histogram({
  name: 'fluxo_alert_llm_call_seconds',
  help: 'Duration of LLM review calls',
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30],
  registers: [metricsRegistry],
});
