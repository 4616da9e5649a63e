/**
 * The alerts activities (task queue `alerts`): the evaluation's steps (features + local model, LLM review,
 * decision record), the review saga's steps (alert row, account hold/block/release, notifications, SIEM lines)
 * and the hourly feature refresh. Every step is idempotent by the alert's or event's id.
 */
import type { Pool } from 'pg';
import { loadConfig, type Config } from '../../config';
import type { AlertDecision, LedgerEventSummary, LocalAssessment } from '../../domain/alerts/alert';
import type { AccountFeatures } from '../../domain/alerts/features';
import { saoPauloHour } from '../../domain/alerts/features';
import { modelParams } from '../../domain/alerts/model';
import { assessLocally } from '../../domain/alerts/policy';
import type { SiemLine } from '../../domain/alerts/siem';
import { createLogger } from '../../observability/logger';
import { createAlertReviewerFromConfig, pgRateLimiter, type AlertReviewer, type LlmRateLimiter } from '../../stores/llm';
import type { PostgresStore } from '../../stores/postgres';
import { markEscalated, recordReview, storeAlert, type RecordReviewInput, type StoreAlertInput } from './alert-rows';
import { confirmBlock, holdAccount, releaseAccount, type BlockRef } from './account-blocks';
import { recordEvaluation, type RecordEvaluationInput } from './evaluations';
import { featuresForEntry, refreshAllFeatures } from './features';
import { reviewWithLlm, type LlmReviewInput } from './llm-review';
import { notifyAlert, type AlertNotification } from './notifications';
import { writeSiem } from './siem';

export interface AlertActivityStores {
  postgres: PostgresStore;
}

/** Tests replace the LLM client and the rate limit; production builds both from config. */
export interface AlertActivityOverrides {
  reviewer?: AlertReviewer;
  limiter?: LlmRateLimiter;
}

export interface LocalAssessmentResult {
  features: AccountFeatures;
  local: LocalAssessment;
  entryAcceptedAt: string;
  /** The pre-filter threshold of the model that scored (used when the bridge's settings do not override it). */
  modelPrefilter: number;
}

const RATE_LIMIT_BUCKET = 'alerts-llm';
const CONTEXT_ENTRIES = 50;
const REFRESH_PAGE_SIZE = 500;

export function createAlertActivities(stores: AlertActivityStores, config: Config = loadConfig(), overrides: AlertActivityOverrides = {}) {
  const pool = (): Pool => stores.postgres.pool();
  const logger = createLogger(config, 'alerts');
  let reviewer: AlertReviewer | undefined = overrides.reviewer;
  const limiter =
    overrides.limiter ??
    pgRateLimiter(pool, { name: RATE_LIMIT_BUCKET, ratePerSecond: config.ALERTS_LLM_RATE_PER_SECOND, burst: config.ALERTS_LLM_BURST });
  const notifier = { webhookUrl: config.ALERTS_NOTIFY_WEBHOOK_URL, timeoutMs: config.ALERTS_NOTIFY_TIMEOUT_MS };

  return {
    /** Point-in-time features of the entry (refreshing the account's feature-store row) and the local model's verdict. */
    async assessEntry(event: LedgerEventSummary): Promise<LocalAssessmentResult> {
      const { features, acceptedAt } = await featuresForEntry(pool(), event);
      const params = modelParams();
      const local = assessLocally({ amount: Number(event.amount), direction: event.direction, hour: saoPauloHour(acceptedAt) }, features, params);
      return { features, local, entryAcceptedAt: acceptedAt.toISOString(), modelPrefilter: params.thresholds.prefilter };
    },

    /** Gemini's review, or the local decision with the reason the LLM could not give one. */
    reviewWithLlm: (input: LlmReviewInput): Promise<AlertDecision> =>
      reviewWithLlm(
        {
          pool,
          enabled: config.ALERTS_LLM_ENABLED,
          reviewer: () => (reviewer ??= createAlertReviewerFromConfig(config)),
          limiter,
          tokenBudget: config.ALERTS_LLM_TOKEN_BUDGET,
          maxQueueMs: config.ALERTS_LLM_MAX_QUEUE_MS,
          contextEntries: CONTEXT_ENTRIES,
          logger,
        },
        input,
      ),

    recordAlertEvaluation: (input: RecordEvaluationInput) => recordEvaluation(pool(), input),

    storeAlert: (input: StoreAlertInput) => storeAlert(pool(), input),
    markAlertEscalated: (alertId: string) => markEscalated(pool(), alertId),
    recordAlertReview: (input: RecordReviewInput) => recordReview(pool(), input),

    holdAccount: (ref: BlockRef) => holdAccount(pool(), ref),
    confirmAccountBlock: (ref: BlockRef) => confirmBlock(pool(), ref),
    releaseAccount: (ref: BlockRef & { reason: string }) => releaseAccount(pool(), ref),

    notifyAlert: (notification: AlertNotification) => notifyAlert(pool(), notifier, notification),
    writeSiem: (line: SiemLine) => writeSiem(pool(), logger, line),

    /** The hourly refresh of every account's features. */
    refreshAccountFeatures: () => refreshAllFeatures(pool(), REFRESH_PAGE_SIZE),
  };
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;
