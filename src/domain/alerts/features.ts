/**
 * Account features (the feature store's row) and the model inputs derived from them and an entry. The same
 * `modelInputs` is used by training (on generated data), evaluation (on the feature store) and the LLM prompt,
 * so the model sees in production exactly what it was trained on.
 */

export interface WindowStats {
  count: number;
  sum: number;
  mean: number;
  std: number;
}

export interface AccountFeatures {
  accountId: string;
  /** The instant the windows end at, ISO 8601. */
  asOf: string;
  w1h: WindowStats;
  w24h: WindowStats;
  w30d: WindowStats;
  /** Days since the account's first entry (0 for a first entry). */
  accountAgeDays: number;
  /** Entries of the last 30 days per hour of day (24 numbers, America/Sao_Paulo). */
  hourProfile: number[];
  distinctCounterparties30d: number;
}

/** What the model needs to know about the entry itself. */
export interface EntryFacts {
  /** Amount in currency units. */
  amount: number;
  direction: 'credit' | 'debit';
  /** Hour of day (0..23, America/Sao_Paulo) when it was accepted. */
  hour: number;
}

/** The model's input vector, by name (order fixed by `featureNames`). */
export const featureNames = [
  'log_amount',
  'amount_ratio_30d',
  'amount_z_30d',
  'velocity_1h',
  'velocity_24h',
  'burst_ratio',
  'hour_rarity',
  'log_account_age_days',
  'is_debit',
  'no_history',
] as const;
export type FeatureName = (typeof featureNames)[number];

const clip = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** The model's inputs for one entry of an account with these features (history before the entry). */
export function modelInputs(entry: EntryFacts, features: AccountFeatures): number[] {
  const history = features.w30d;
  const hasHistory = history.count > 0;
  // Spread floor: a steady account (std ≈ 0) would turn any change into an extreme z-score.
  const spread = Math.max(history.std, 0.25 * history.mean, 1);
  const expectedPerHour = history.count / (30 * 24);
  const hourCount = features.hourProfile[entry.hour] ?? 0;
  const values: Record<FeatureName, number> = {
    log_amount: Math.log1p(entry.amount),
    amount_ratio_30d: hasHistory ? Math.log((entry.amount + 1) / (history.mean + 1)) : 0,
    amount_z_30d: hasHistory ? clip((entry.amount - history.mean) / spread, -5, 20) : 0,
    velocity_1h: Math.log1p(features.w1h.count),
    velocity_24h: Math.log1p(features.w24h.count),
    burst_ratio: Math.log((features.w1h.count + 1) / (expectedPerHour + 1)),
    // How unusual this hour is for the account: -ln(share of its entries at this hour / uniform share), smoothed
    // (one pseudo-entry per hour), so 0 without history, > 0 for hours it is rarely active, < 0 for its usual hours.
    hour_rarity: clip(-Math.log(((hourCount + 1) / (history.count + 24)) * 24), -3, 5),
    log_account_age_days: Math.log1p(features.accountAgeDays),
    is_debit: entry.direction === 'debit' ? 1 : 0,
    no_history: hasHistory ? 0 : 1,
  };
  return featureNames.map((name) => values[name]);
}

/** Hour of day in America/Sao_Paulo of an instant (the feature store's hour profile uses the same clock). */
export function saoPauloHour(instant: Date): number {
  hourFormatter ??= new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Sao_Paulo', hour: '2-digit', hourCycle: 'h23' });
  return Number(hourFormatter.format(instant)) % 24;
}
let hourFormatter: Intl.DateTimeFormat | undefined;

/** A feature row with no history (a brand-new account). */
export function emptyFeatures(accountId: string, asOf: string): AccountFeatures {
  const zero = { count: 0, sum: 0, mean: 0, std: 0 };
  return { accountId, asOf, w1h: zero, w24h: zero, w30d: zero, accountAgeDays: 0, hourProfile: Array(24).fill(0), distinctCounterparties30d: 0 };
}
