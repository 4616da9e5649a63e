/** Classification figures: precision, recall and false-positive rate of flagged-or-not against labels. */

export interface ClassificationCounts {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
}

export interface ClassificationFigures extends ClassificationCounts {
  samples: number;
  /** Flagged that were fraud / flagged (1 when nothing was flagged). */
  precision: number;
  /** Fraud that was flagged / fraud. */
  recall: number;
  /** Legitimate that was flagged / legitimate. */
  falsePositiveRate: number;
}

export function classify(outcomes: readonly { flagged: boolean; fraud: boolean }[]): ClassificationFigures {
  const counts: ClassificationCounts = { truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0 };
  for (const { flagged, fraud } of outcomes) {
    if (flagged && fraud) counts.truePositives += 1;
    else if (flagged) counts.falsePositives += 1;
    else if (fraud) counts.falseNegatives += 1;
    else counts.trueNegatives += 1;
  }
  const flagged = counts.truePositives + counts.falsePositives;
  const fraud = counts.truePositives + counts.falseNegatives;
  const legitimate = counts.falsePositives + counts.trueNegatives;
  return {
    ...counts,
    samples: outcomes.length,
    precision: flagged === 0 ? 1 : counts.truePositives / flagged,
    recall: fraud === 0 ? 1 : counts.truePositives / fraud,
    falsePositiveRate: legitimate === 0 ? 0 : counts.falsePositives / legitimate,
  };
}

/** The lowest threshold whose precision on (score, label) pairs is at least `minPrecision` (most recall). */
export function thresholdForPrecision(scored: readonly { score: number; fraud: boolean }[], minPrecision: number): number {
  const sorted = [...scored].sort((a, b) => b.score - a.score);
  let truePositives = 0;
  let best = 1;
  sorted.forEach((sample, index) => {
    if (sample.fraud) truePositives += 1;
    const next = sorted[index + 1];
    // Only cut between distinct scores.
    if (next && next.score === sample.score) return;
    if (truePositives / (index + 1) >= minPrecision) best = sample.score;
  });
  return best;
}

/** The highest threshold that still catches `minRecall` of the fraud. */
export function thresholdForRecall(scored: readonly { score: number; fraud: boolean }[], minRecall: number): number {
  const fraudScores = scored.filter((sample) => sample.fraud).map((sample) => sample.score).sort((a, b) => b - a);
  if (fraudScores.length === 0) return 0.5;
  const needed = Math.ceil(minRecall * fraudScores.length);
  return fraudScores[Math.min(needed, fraudScores.length) - 1]!;
}
