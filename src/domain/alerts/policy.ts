/**
 * The local model's decision: its score against the thresholds chosen at training time, and a reason that names
 * what drove the score (the largest contributions), so an analyst reading an alert sees why.
 */
import type { AlertAction, LocalAssessment } from './alert';
import { roundScore } from './alert';
import { modelInputs, type AccountFeatures, type EntryFacts } from './features';
import { contributions, modelParams, score, type LogisticModelParams } from './model';

const explanations: Record<string, (entry: EntryFacts, features: AccountFeatures) => string> = {
  log_amount: (entry) => `large amount (${entry.amount.toFixed(2)})`,
  amount_ratio_30d: (entry, features) =>
    `amount ${(entry.amount / Math.max(features.w30d.mean, 0.01)).toFixed(1)}× the 30-day mean (${features.w30d.mean.toFixed(2)})`,
  amount_z_30d: () => 'amount far outside the 30-day spread',
  velocity_1h: (_entry, features) => `${features.w1h.count} entries in the last hour`,
  velocity_24h: (_entry, features) => `${features.w24h.count} entries in the last 24 h`,
  burst_ratio: (_entry, features) => `burst: ${features.w1h.count} entries in the last hour against ~${(features.w30d.count / 720).toFixed(2)} usual`,
  hour_rarity: (entry) => `unusual hour for the account (${String(entry.hour).padStart(2, '0')}h)`,
  log_account_age_days: (_entry, features) => `account age ${features.accountAgeDays.toFixed(1)} days`,
  is_debit: () => 'debit',
  no_history: () => 'no history in the last 30 days',
};

export function localAction(scoreValue: number, params: LogisticModelParams): AlertAction {
  if (scoreValue >= params.thresholds.block) return 'block';
  if (scoreValue >= params.thresholds.monitor) return 'monitor';
  return 'ignore';
}

/** Scores an entry with the current (or given) local model. */
export function assessLocally(entry: EntryFacts, features: AccountFeatures, params: LogisticModelParams = modelParams()): LocalAssessment {
  const inputs = modelInputs(entry, features);
  const value = score(params, inputs);
  const drivers = contributions(params, inputs)
    .filter((item) => item.value > 0.5)
    .sort((a, b) => b.value - a.value)
    .slice(0, 3)
    .map((item) => explanations[item.name]?.(entry, features) ?? item.name);
  const action = localAction(value, params);
  const verdict = action === 'ignore' ? 'consistent with the account history' : 'suspicious';
  return {
    score: roundScore(value),
    action,
    reason: `${params.name}: ${verdict}${drivers.length > 0 ? ` (${drivers.join('; ')})` : ''}`,
    modelVersion: params.name,
  };
}
