/**
 * Training the local model: fit on the training set, choose the thresholds on the validation set, never look at
 * the held-out set (that is `npm run eval:alerts`'s). Pure and deterministic: the same datasets give the same
 * parameters, which a test checks against the committed file.
 */
import { featureNames, modelInputs } from '../features';
import { fitLogistic, score, type LogisticModelParams } from './logistic';
import { classify, thresholdForPrecision, thresholdForRecall } from './metrics';
import { DATASETS, GENERATOR_VERSION, generateSamples } from './synthetic';

export const TRAINING_OPTIONS = {
  l2: 1,
  iterations: 50,
  /** The monitor threshold is the lowest with at least this precision on the validation set. */
  monitorPrecision: 0.9,
  /** The block threshold is the lowest with at least this precision (a block stops an account). */
  blockPrecision: 0.98,
  /** The pre-filter keeps at least this share of the validation fraud for the LLM to look at. */
  prefilterRecall: 0.9,
} as const;

const round = (value: number, digits = 6) => Number(value.toFixed(digits));

export function trainModel(version: number): LogisticModelParams {
  const training = generateSamples(DATASETS.training);
  const rows = training.map((sample) => modelInputs(sample.entry, sample.features));
  const labels = training.map((sample) => (sample.fraud ? 1 : 0));
  const fit = fitLogistic(rows, labels, TRAINING_OPTIONS);

  const draft: LogisticModelParams = {
    name: `logistic-v${version}`,
    version,
    featureNames: [...featureNames],
    means: fit.means.map((value) => round(value)),
    stds: fit.stds.map((value) => round(value)),
    weights: fit.weights.map((value) => round(value)),
    bias: round(fit.bias),
    thresholds: { prefilter: 0, monitor: 0.5, block: 0.9 },
    training: {},
  };

  const validation = generateSamples(DATASETS.validation).map((sample) => ({
    score: score(draft, modelInputs(sample.entry, sample.features)),
    fraud: sample.fraud,
  }));
  const monitor = thresholdForPrecision(validation, TRAINING_OPTIONS.monitorPrecision);
  const block = Math.max(monitor, thresholdForPrecision(validation, TRAINING_OPTIONS.blockPrecision));
  const prefilter = Math.min(monitor, thresholdForRecall(validation, TRAINING_OPTIONS.prefilterRecall));
  const thresholds = { prefilter: round(prefilter, 4), monitor: round(monitor, 4), block: round(block, 4) };
  const atMonitor = classify(validation.map((sample) => ({ flagged: sample.score >= thresholds.monitor, fraud: sample.fraud })));

  return {
    ...draft,
    thresholds,
    training: {
      generator: GENERATOR_VERSION,
      trainingSet: DATASETS.training,
      validationSet: DATASETS.validation,
      method: 'logistic regression, Newton/IRLS with L2 penalty on standardised inputs',
      ...TRAINING_OPTIONS,
      newtonIterations: fit.iterations,
      validationAtMonitor: {
        precision: round(atMonitor.precision, 4),
        recall: round(atMonitor.recall, 4),
        falsePositiveRate: round(atMonitor.falsePositiveRate, 4),
      },
    },
  };
}
