/**
 * The LLM review of one entry: wait for the shared rate limit, build the versioned prompt within the token
 * budget, ask Gemini (structured output, zod-validated), and record the real usage. Any LLM failure returns the
 * local decision with the reason it stands (`fallbackReason`); only infrastructure failures (PostgreSQL for the
 * rate limit and context) throw, for Temporal to retry.
 */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AlertDecision, FallbackReason, LedgerEventSummary, LocalAssessment, TokenUsage } from '../../domain/alerts/alert';
import { roundScore } from '../../domain/alerts/alert';
import type { AccountFeatures } from '../../domain/alerts/features';
import { buildPrompt, PROMPT_VERSION, type RecentEntry } from '../../domain/alerts/prompt';
import { formatCents } from '../../domain/ledger/money';
import type { AlertReviewer, LlmRateLimiter } from '../../stores/llm';
import { recentEntries } from './features';
import { llmCallDuration, llmCalls, llmTokens } from './metrics';

export interface LlmReviewInput {
  event: LedgerEventSummary;
  features: AccountFeatures;
  local: LocalAssessment;
  /** When the entry was accepted (the features' as-of), ISO 8601. */
  entryAcceptedAt: string;
}

export interface LlmReviewDeps {
  pool: () => Pool;
  enabled: boolean;
  /** Created on first use; a configuration problem (no credentials) is a fallback, not a crash. */
  reviewer: () => AlertReviewer;
  limiter: LlmRateLimiter;
  tokenBudget: number;
  maxQueueMs: number;
  /** Most recent entries offered as context before trimming. */
  contextEntries: number;
  logger: Pick<Logger, 'warn'>;
}

/** The local decision, standing because the LLM could not decide. */
export function localFallback(local: LocalAssessment, reason: FallbackReason, tokens: TokenUsage | null, asked: boolean): AlertDecision {
  return {
    score: local.score,
    reason: local.reason,
    action: local.action,
    source: 'local',
    model: local.modelVersion,
    promptVersion: asked ? PROMPT_VERSION : null,
    tokens,
    fallbackReason: reason,
  };
}

/** Heartbeats while `work` runs (a call may take up to ALERTS_LLM_TIMEOUT_MS). */
async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), 2000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

async function waitForToken(limiter: LlmRateLimiter, maxQueueMs: number): Promise<boolean> {
  const context = Context.current();
  const deadline = Date.now() + maxQueueMs;
  for (;;) {
    const decision = await limiter.tryAcquire();
    if (decision.granted) return true;
    if (Date.now() + decision.waitMs > deadline) return false;
    context.heartbeat();
    // A little jitter so workers that waited together do not retry together.
    await context.sleep(Math.min(decision.waitMs + Math.floor(Math.random() * 50), 1000));
  }
}

export async function reviewWithLlm(deps: LlmReviewDeps, input: LlmReviewInput): Promise<AlertDecision> {
  const { local } = input;
  const fallback = (reason: FallbackReason, detail: string, tokens: TokenUsage | null = null, asked = false) => {
    llmCalls.inc({ outcome: reason });
    if (reason !== 'disabled') deps.logger.warn({ eventId: input.event.eventId, reason, detail }, `alert LLM review fell back to the local model: ${reason}`);
    return localFallback(local, reason, tokens, asked);
  };
  if (!deps.enabled) return fallback('disabled', 'ALERTS_LLM_ENABLED=false');
  let reviewer: AlertReviewer;
  try {
    reviewer = deps.reviewer();
  } catch (error) {
    return fallback('error', `LLM client not usable: ${(error as Error).message}`);
  }

  const rows = await recentEntries(deps.pool(), input.event.accountId, new Date(input.entryAcceptedAt), input.event.requestId, deps.contextEntries);
  const recent: RecentEntry[] = rows.map((row) => ({
    accepted_at: row.accepted_at.toISOString(),
    amount: formatCents(row.amount_cents),
    direction: row.direction,
    description: row.description,
    counterparty: row.counterparty,
  }));
  const prompt = buildPrompt({ event: input.event, features: input.features, local, recentEntries: recent }, deps.tokenBudget - reviewer.maxOutputTokens, reviewer.schemaText);
  if (!prompt) return fallback('budget_exceeded', `the entry alone exceeds ${deps.tokenBudget} tokens`);
  const estimated = prompt.estimatedInputTokens + reviewer.maxOutputTokens;

  if (!(await waitForToken(deps.limiter, deps.maxQueueMs))) return fallback('rate_limited', `no LLM slot within ${deps.maxQueueMs} ms`);

  const started = Date.now();
  const outcome = await heartbeating(() => reviewer.review(prompt, Context.current().cancellationSignal));
  llmCallDuration.observe((Date.now() - started) / 1000);
  const tokens: TokenUsage = { estimated, prompt: outcome.usage?.prompt ?? 0, output: outcome.usage?.output ?? 0, total: outcome.usage?.total ?? 0 };
  if (outcome.usage) {
    llmTokens.inc({ kind: 'prompt' }, tokens.prompt);
    llmTokens.inc({ kind: 'output' }, tokens.output);
  }
  if (!outcome.ok) return fallback(outcome.reason, outcome.detail, tokens, true);
  llmCalls.inc({ outcome: 'ok' });
  if (tokens.total > deps.tokenBudget) {
    deps.logger.warn({ eventId: input.event.eventId, tokens }, 'alert LLM call used more tokens than the budget (the estimate was low)');
  }
  return {
    score: roundScore(outcome.verdict.score),
    reason: outcome.verdict.reason,
    action: outcome.verdict.action,
    source: 'llm',
    model: outcome.model,
    promptVersion: PROMPT_VERSION,
    tokens,
    fallbackReason: null,
  };
}
