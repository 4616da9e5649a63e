/**
 * The labelled data the local model is trained and evaluated on, generated from a seed (no real customer data
 * exists in the repo). Each sample is an account's feature-store row (its history before the entry) and one
 * entry, labelled fraud or legitimate.
 *
 * Legitimate accounts have a typical amount and spread, a daily rhythm and a usual time of day; a few of their
 * entries are unusually large (a real big purchase). Fraud follows the patterns analysts describe: amounts far
 * above the account's history, bursts of entries within the hour, activity at hours the account never uses,
 * large amounts on brand-new accounts, and a share of subtle cases that look almost normal (which is what keeps
 * recall below 100 %). The generator produces aggregates with the same meaning as the feature store's SQL.
 */
import type { AccountFeatures, EntryFacts, WindowStats } from '../features';
import { Prng } from './prng';

export const GENERATOR_VERSION = 'synthetic-v1';

export interface LabelledSample {
  entry: EntryFacts;
  features: AccountFeatures;
  fraud: boolean;
  /** The pattern that produced the sample (`legit`, `legit_big_purchase`, `large_amount`, ...). */
  pattern: string;
}

export interface GeneratorOptions {
  seed: number;
  samples: number;
  /** Share of fraud among samples. */
  fraudRate?: number;
}

const AS_OF = '2026-01-15T15:00:00.000Z';

interface AccountProfile {
  ageDays: number;
  typicalAmount: number;
  spread: number;
  perDay: number;
  hourWeights: number[];
}

function profile(random: Prng, newAccount: boolean): AccountProfile {
  const center = random.uniform(8, 20);
  const width = random.uniform(1.5, 4.5);
  const hourWeights = Array.from({ length: 24 }, (_, hour) => {
    const distance = Math.min(Math.abs(hour - center), 24 - Math.abs(hour - center));
    return Math.exp(-(distance * distance) / (2 * width * width)) + 0.005;
  });
  const typicalAmount = random.logNormal(200, 1);
  return {
    ageDays: newAccount ? random.uniform(0, 6) : Math.min(3000, Math.max(8, random.logNormal(300, 1))),
    typicalAmount,
    spread: typicalAmount * random.uniform(0.2, 0.9),
    perDay: Math.min(60, Math.max(0.1, random.logNormal(2.5, 0.8))),
    hourWeights,
  };
}

function windowStats(random: Prng, count: number, account: AccountProfile): WindowStats {
  if (count === 0) return { count: 0, sum: 0, mean: 0, std: 0 };
  const mean = Math.max(1, random.normal(account.typicalAmount, account.spread / Math.sqrt(count)));
  const std = count === 1 ? 0 : Math.max(0, account.spread * (1 + random.normal(0, 0.3 / Math.sqrt(count))));
  return { count, sum: mean * count, mean, std };
}

function history(random: Prng, account: AccountProfile, hour: number, extraRecent: number): AccountFeatures {
  const days = Math.min(30, account.ageDays);
  const hourShare = account.hourWeights[hour]! / account.hourWeights.reduce((sum, weight) => sum + weight, 0);
  const count30 = random.poisson(account.perDay * days) + extraRecent;
  const count24 = Math.min(count30, random.poisson(account.perDay * Math.min(1, days)) + extraRecent);
  const count1 = Math.min(count24, random.poisson(account.perDay * hourShare) + extraRecent);
  const hourProfile = random.multinomial(count30 - extraRecent, account.hourWeights);
  hourProfile[hour]! += extraRecent;
  return {
    accountId: 'synthetic',
    asOf: AS_OF,
    w1h: windowStats(random, count1, account),
    w24h: windowStats(random, count24, account),
    w30d: windowStats(random, count30, account),
    accountAgeDays: account.ageDays,
    hourProfile,
    distinctCounterparties30d: Math.min(count30, random.poisson(1 + count30 * 0.3)),
  };
}

const round2 = (value: number) => Math.max(0.01, Math.round(value * 100) / 100);

function legitimate(random: Prng): LabelledSample {
  const account = profile(random, random.chance(0.06));
  const hour = random.chance(0.93) ? random.weighted(account.hourWeights) : random.int(0, 23);
  const bigPurchase = random.chance(0.025);
  const base = account.typicalAmount * Math.exp(random.normal(0, Math.log(1 + account.spread / account.typicalAmount)));
  return {
    entry: { amount: round2(bigPurchase ? base * random.uniform(3, 10) : base), direction: random.chance(0.55) ? 'debit' : 'credit', hour },
    features: history(random, account, hour, 0),
    fraud: false,
    pattern: bigPurchase ? 'legit_big_purchase' : 'legit',
  };
}

function fraudulent(random: Prng): LabelledSample {
  const pattern = ['large_amount', 'large_amount', 'large_amount', 'burst', 'burst', 'new_account', 'subtle'][random.int(0, 6)]!;
  const account = profile(random, pattern === 'new_account');
  // Fraudsters often act while the owner sleeps; the subtle ones keep to the account's usual hours.
  const oddHour = pattern !== 'subtle' && random.chance(0.6);
  const hour = oddHour ? random.int(1, 5) : random.weighted(account.hourWeights);
  let amount: number;
  let burst = 0;
  switch (pattern) {
    case 'large_amount':
      amount = account.typicalAmount * random.uniform(4, 60);
      break;
    case 'burst':
      burst = random.int(4, 20);
      amount = account.typicalAmount * random.uniform(1, 6);
      break;
    case 'new_account':
      amount = random.logNormal(3000, 0.8);
      break;
    default:
      amount = account.typicalAmount * random.uniform(1.5, 3);
  }
  return {
    entry: { amount: round2(amount), direction: random.chance(0.9) ? 'debit' : 'credit', hour },
    features: history(random, account, hour, burst),
    fraud: true,
    pattern,
  };
}

/** `samples` labelled samples from `seed`; the same options always give the same samples. */
export function generateSamples(options: GeneratorOptions): LabelledSample[] {
  const random = new Prng(options.seed);
  const fraudRate = options.fraudRate ?? 0.08;
  return Array.from({ length: options.samples }, () => (random.chance(fraudRate) ? fraudulent(random) : legitimate(random)));
}

/** The seeds of the data sets: training, threshold selection (validation) and the held-out evaluation set. */
export const DATASETS = {
  training: { seed: 20_260_801, samples: 40_000 },
  validation: { seed: 20_260_802, samples: 10_000 },
  heldOut: { seed: 20_260_803, samples: 10_000 },
} as const;
