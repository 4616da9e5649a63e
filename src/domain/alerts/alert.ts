/**
 * The alert domain's shared vocabulary: actions, decisions, alerts and their workflow ids. No zod and no I/O:
 * the evaluation and review workflows import this module.
 */

/** What to do about an entry (seed: ação). `ignore` raises no alert; the others open a review. */
export const alertActions = ['ignore', 'monitor', 'block', 'escalate'] as const;
export type AlertAction = (typeof alertActions)[number];
/** Actions an analyst may confirm an alert with. */
export const reviewActions = ['monitor', 'block', 'escalate'] as const;
export type ReviewAction = (typeof reviewActions)[number];

/** Where a decision came from: the LLM's review, or the local model (below the pre-filter, or as fallback). */
export type DecisionSource = 'llm' | 'local';

/** Why the local decision stands although the event was above the pre-filter threshold. */
export const fallbackReasons = [
  'disabled',
  'rate_limited',
  'budget_exceeded',
  'timeout',
  'http_4xx',
  'http_5xx',
  'network',
  'malformed',
  'invalid',
  'blocked_prompt',
  'error',
] as const;
export type FallbackReason = (typeof fallbackReasons)[number];

/** Token usage of one LLM call: the estimate made before sending and what the response reported. */
export interface TokenUsage {
  /** Estimated input tokens (about 4 characters a token) + the output allowance, checked against the budget. */
  estimated: number;
  prompt: number;
  output: number;
  total: number;
}

/** The local model's verdict on one entry. */
export interface LocalAssessment {
  score: number;
  action: AlertAction;
  reason: string;
  /** `logistic-v<N>`: the parameter file that scored it. */
  modelVersion: string;
}

/** The alert decision of the seed: `{score, motivo, ação}` plus where it came from. */
export interface AlertDecision {
  /** Probability-like fraud score, 0..1. */
  score: number;
  reason: string;
  action: AlertAction;
  source: DecisionSource;
  /** The model that decided: the Gemini model name, or the local model version. */
  model: string;
  /** Version of the prompt the LLM was asked with; null when it was not asked. */
  promptVersion: string | null;
  tokens: TokenUsage | null;
  fallbackReason: FallbackReason | null;
}

/** The slice of a LancamentoRegistrado event the evaluation needs (small: it travels in workflow history). */
export interface LedgerEventSummary {
  eventId: string;
  occurredAt: string;
  requestId: string;
  accountId: string;
  /** Decimal string, e.g. "1234.50". */
  amount: string;
  direction: 'credit' | 'debit';
  dataRef: string;
  description: string | null;
  counterparty: string | null;
}

export interface AlertEvaluationSettings {
  /**
   * Local scores at or above this go to the LLM review; below it the local decision stands. null = the threshold
   * chosen when the scoring model was trained.
   */
  prefilterThreshold: number | null;
  /** How long the review saga waits for an analyst before the escalation notice. */
  reviewSlaSeconds: number;
}

export interface AlertEvaluationInput {
  event: LedgerEventSummary;
  settings: AlertEvaluationSettings;
  /** Where the bridge read it (for operators), e.g. `lancamentos.registrados/2@1234`. */
  source?: string;
}

export interface AlertEvaluationResult {
  eventId: string;
  accountId: string;
  local: LocalAssessment;
  decision: AlertDecision;
  /** The review saga's workflow id when the action is not `ignore`. */
  reviewWorkflowId: string | null;
}

/** An alert as its review saga carries it. The alert id is the event id: one alert per event at most. */
export interface AlertRecord {
  alertId: string;
  eventId: string;
  accountId: string;
  requestId: string;
  score: number;
  reason: string;
  action: Exclude<AlertAction, 'ignore'>;
  source: DecisionSource;
  model: string;
  fallbackReason: FallbackReason | null;
}

export const ALERT_EVALUATION_WORKFLOW = 'alertEvaluationWorkflow';
export const ALERT_REVIEW_WORKFLOW = 'alertReviewWorkflow';
export const ALERT_FEATURE_REFRESH_WORKFLOW = 'alertFeatureRefreshWorkflow';

/** `alert-<event_id>`: one evaluation per event, whatever Kafka redelivers. */
export const alertWorkflowId = (eventId: string): string => `alert-${eventId}`;
/** `alert-review-<alert_id>`: the review saga of an alert (alert id = event id). */
export const alertReviewWorkflowId = (alertId: string): string => `alert-review-${alertId}`;

/** Score → 0..1 with 4 decimals: what is stored, shown and put in search attributes. */
export const roundScore = (score: number): number => Math.round(Math.min(1, Math.max(0, score)) * 10_000) / 10_000;
