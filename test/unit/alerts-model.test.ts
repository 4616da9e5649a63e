/**
 * The local alert model: trained reproducibly from the repo's seeded data (the committed parameters are exactly
 * what the training script produces), scoring deterministic, and on the held-out set within the seed's targets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyFeatures, modelInputs, type AccountFeatures } from '../../src/domain/alerts/features';
import { CURRENT_MODEL_VERSION, modelParams, score } from '../../src/domain/alerts/model';
import { classify } from '../../src/domain/alerts/model/metrics';
import { DATASETS, generateSamples } from '../../src/domain/alerts/model/synthetic';
import { trainModel } from '../../src/domain/alerts/model/train';
import { assessLocally } from '../../src/domain/alerts/policy';

const PARAMS_FILE = join(__dirname, '..', '..', 'src', 'domain', 'alerts', 'model', `params-v${CURRENT_MODEL_VERSION}.json`);

test('training on the seeded data reproduces the committed parameter file byte for byte', () => {
  const trained = trainModel(CURRENT_MODEL_VERSION);
  expect(`${JSON.stringify(trained, null, 2)}\n`).toBe(readFileSync(PARAMS_FILE, 'utf8'));
}, 120_000);

test('the generator is deterministic per seed, and the held-out seed draws different samples', () => {
  const a = generateSamples({ seed: 7, samples: 200 });
  expect(generateSamples({ seed: 7, samples: 200 })).toEqual(a);
  expect(generateSamples({ seed: 8, samples: 200 })).not.toEqual(a);
  expect(DATASETS.heldOut.seed).not.toBe(DATASETS.training.seed);
  expect(DATASETS.heldOut.seed).not.toBe(DATASETS.validation.seed);
});

test('on the held-out set the local model meets precision ≥ 85 % and false positives < 10 %', () => {
  const params = modelParams();
  const outcomes = generateSamples(DATASETS.heldOut).map((sample) => ({
    flagged: assessLocally(sample.entry, sample.features, params).action !== 'ignore',
    fraud: sample.fraud,
  }));
  const figures = classify(outcomes);
  expect(figures.samples).toBe(DATASETS.heldOut.samples);
  expect(figures.precision).toBeGreaterThanOrEqual(0.85);
  expect(figures.falsePositiveRate).toBeLessThan(0.1);
  expect(figures.recall).toBeGreaterThan(0.6);
});

test('scores rise with the amount against the account history, and the same input always scores the same', () => {
  const features: AccountFeatures = {
    ...emptyFeatures('acc-1', '2026-01-15T15:00:00.000Z'),
    w1h: { count: 0, sum: 0, mean: 0, std: 0 },
    w24h: { count: 3, sum: 300, mean: 100, std: 20 },
    w30d: { count: 60, sum: 6000, mean: 100, std: 25 },
    accountAgeDays: 400,
    hourProfile: Array.from({ length: 24 }, (_, hour) => (hour >= 9 && hour <= 18 ? 6 : 0)),
  };
  const params = modelParams();
  const at = (amount: number, hour = 14) => score(params, modelInputs({ amount, direction: 'debit', hour }, features));
  expect(at(100)).toBeLessThan(at(1000));
  expect(at(1000)).toBeLessThan(at(10_000));
  expect(at(2000, 3)).toBeGreaterThan(at(2000, 14));
  expect(at(123.45)).toBe(at(123.45));

  const usual = assessLocally({ amount: 95, direction: 'debit', hour: 11 }, features, params);
  expect(usual).toMatchObject({ action: 'ignore', modelVersion: 'logistic-v1' });
  const odd = assessLocally({ amount: 9000, direction: 'debit', hour: 3 }, features, params);
  expect(odd.action).toBe('block');
  expect(odd.reason).toMatch(/× the 30-day mean/);
});
