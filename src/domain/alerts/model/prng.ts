/**
 * A small seeded random generator (mulberry32) and the distributions the synthetic data needs. Deterministic
 * on every platform: the training data, and therefore the trained parameters, are reproducible from the seed.
 */
export class Prng {
  private state: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Integer in [low, high]. */
  int(low: number, high: number): number {
    return Math.floor(this.uniform(low, high + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Standard normal (Box-Muller, using both values). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return mean + std * radius * Math.cos(2 * Math.PI * v);
  }

  logNormal(medianValue: number, sigma: number): number {
    return medianValue * Math.exp(this.normal(0, sigma));
  }

  /** Poisson (Knuth for small means, a rounded normal for large ones). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let product = this.next();
    let count = 0;
    while (product > limit) {
      count += 1;
      product *= this.next();
    }
    return count;
  }

  /** Binomial(n, p): exact (n Bernoulli draws) for small n, a rounded, clamped normal beyond. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (n < 30) {
      let count = 0;
      for (let index = 0; index < n; index++) if (this.next() < p) count += 1;
      return count;
    }
    return Math.min(n, Math.max(0, Math.round(this.normal(n * p, Math.sqrt(n * p * (1 - p))))));
  }

  /** Counts of `n` draws over categories with the given weights (sequential binomials: 24 draws, not n). */
  multinomial(n: number, weights: readonly number[]): number[] {
    let remaining = n;
    let remainingWeight = weights.reduce((sum, weight) => sum + weight, 0);
    return weights.map((weight, index) => {
      const count = index === weights.length - 1 ? remaining : this.binomial(remaining, weight / remainingWeight);
      remaining -= count;
      remainingWeight -= weight;
      return count;
    });
  }

  /** An index drawn from cumulative weights (see `cumulative`): one draw, a binary search. */
  pick(cumulativeWeights: readonly number[]): number {
    const point = this.next() * cumulativeWeights[cumulativeWeights.length - 1]!;
    let low = 0;
    let high = cumulativeWeights.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (point < cumulativeWeights[middle]!) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** An index drawn with the given (unnormalised) weights. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let point = this.next() * total;
    for (let index = 0; index < weights.length; index++) {
      point -= weights[index]!;
      if (point < 0) return index;
    }
    return weights.length - 1;
  }
}

/** Running sums of weights, for `Prng.pick`. */
export function cumulative(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((weight) => (sum += weight));
}
