/**
 * The local model: logistic regression on standardised inputs. Scoring is a dot product and a sigmoid, so it
 * is deterministic and cheap; the parameters (means, standard deviations, weights, thresholds) are versioned
 * JSON files written by `scripts/alerts/train-model.ts`.
 */
import { featureNames } from '../features';

export interface ModelThresholds {
  /** At or above: the LLM reviews the entry (when enabled). */
  prefilter: number;
  /** At or above: the local decision is `monitor`. */
  monitor: number;
  /** At or above: the local decision is `block`. */
  block: number;
}

export interface LogisticModelParams {
  name: string;
  version: number;
  featureNames: string[];
  means: number[];
  stds: number[];
  weights: number[];
  bias: number;
  thresholds: ModelThresholds;
  /** How it was trained, and its figures on the validation set (threshold selection). */
  training: Record<string, unknown>;
}

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

export const standardise = (inputs: readonly number[], params: Pick<LogisticModelParams, 'means' | 'stds'>): number[] =>
  inputs.map((value, index) => (value - params.means[index]!) / params.stds[index]!);

/** The fraud probability of one input vector (in `featureNames` order). */
export function score(params: LogisticModelParams, inputs: readonly number[]): number {
  const z = standardise(inputs, params);
  let logit = params.bias;
  for (let index = 0; index < z.length; index++) logit += params.weights[index]! * z[index]!;
  return sigmoid(logit);
}

/** Each input's contribution to the logit: what the decision's reason names. */
export function contributions(params: LogisticModelParams, inputs: readonly number[]): { name: string; value: number }[] {
  return standardise(inputs, params).map((value, index) => ({ name: params.featureNames[index]!, value: params.weights[index]! * value }));
}

/** Refuses parameters that do not fit the current feature set (a stale file after features changed). */
export function assertCompatible(params: LogisticModelParams): void {
  const expected = featureNames.join(',');
  if (params.featureNames.join(',') !== expected) {
    throw new Error(`model ${params.name} was trained on features [${params.featureNames.join(', ')}], not [${expected}]`);
  }
}

/**
 * Fits the weights by Newton's method (iteratively reweighted least squares) with an L2 penalty: a handful of
 * exact steps instead of a learning rate to tune, and the same result on every machine.
 */
export function fitLogistic(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  options: { l2: number; iterations: number },
): { weights: number[]; bias: number; means: number[]; stds: number[]; iterations: number } {
  const width = rows[0]!.length;
  const means = Array.from({ length: width }, (_, column) => rows.reduce((sum, row) => sum + row[column]!, 0) / rows.length);
  const stds = means.map((mean, column) => {
    const variance = rows.reduce((sum, row) => sum + (row[column]! - mean) ** 2, 0) / rows.length;
    return Math.sqrt(variance) || 1;
  });
  // Design matrix with a leading 1 for the bias.
  const design = rows.map((row) => [1, ...standardise(row, { means, stds })]);
  const size = width + 1;
  let beta = Array(size).fill(0) as number[];
  let done = 0;
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const gradient = Array(size).fill(0) as number[];
    const hessian = Array.from({ length: size }, () => Array(size).fill(0) as number[]);
    design.forEach((x, index) => {
      const p = sigmoid(x.reduce((sum, value, column) => sum + value * beta[column]!, 0));
      const error = p - labels[index]!;
      const weight = Math.max(p * (1 - p), 1e-9);
      for (let i = 0; i < size; i++) {
        gradient[i]! += error * x[i]!;
        for (let j = 0; j <= i; j++) hessian[i]![j]! += weight * x[i]! * x[j]!;
      }
    });
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < i; j++) hessian[j]![i] = hessian[i]![j]!;
      // The bias is not penalised.
      if (i > 0) {
        gradient[i]! += options.l2 * beta[i]!;
        hessian[i]![i]! += options.l2;
      }
    }
    const step = solve(hessian, gradient);
    beta = beta.map((value, index) => value - step[index]!);
    done = iteration + 1;
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return { bias: beta[0]!, weights: beta.slice(1), means, stds, iterations: done };
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and symmetric positive definite). */
function solve(matrix: number[][], vector: number[]): number[] {
  const size = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    for (let row = column + 1; row < size; row++) {
      const factor = a[row]![column]! / a[column]![column]!;
      for (let k = column; k <= size; k++) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  const x = Array(size).fill(0) as number[];
  for (let row = size - 1; row >= 0; row--) {
    let sum = a[row]![size]!;
    for (let k = row + 1; k < size; k++) sum -= a[row]![k]! * x[k]!;
    x[row] = sum / a[row]![row]!;
  }
  return x;
}
