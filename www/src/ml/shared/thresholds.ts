/**
 * A binary classifier at one threshold of its score: the rates the threshold control
 * shows, from the confusion counts the engine computed at that threshold (Spark's
 * `BinaryClassificationMetrics`), with Spark's conventions for empty denominators.
 */
import type { ThresholdCounts } from '../../contract';

export interface ThresholdRates {
  /** Of the rows predicted positive, the share that are (1 when none is predicted positive, as Spark). */
  precision: number;
  /** Of the positive rows, the share predicted positive (0 without positives). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** Of the negative rows, the share predicted positive (0 without negatives). */
  falsePositiveRate: number;
}

export function ratesAt(c: ThresholdCounts): ThresholdRates {
  const predicted = c.truePositives + c.falsePositives;
  const positives = c.truePositives + c.falseNegatives;
  const negatives = c.falsePositives + c.trueNegatives;
  const precision = predicted === 0 ? 1 : c.truePositives / predicted;
  const recall = positives === 0 ? 0 : c.truePositives / positives;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const falsePositiveRate = negatives === 0 ? 0 : c.falsePositives / negatives;
  return { precision, recall, f1, falsePositiveRate };
}

/**
 * The row of `thresholds` whose counts are nearest the model's own confusion matrix
 * (`[label][prediction]`): where the threshold control starts, so it first shows what
 * the model predicts at its `threshold`.
 */
export function nearestToConfusion(thresholds: ThresholdCounts[], confusion: number[][]): number {
  const truePositives = confusion[1]?.[1] ?? 0;
  const falsePositives = confusion[0]?.[1] ?? 0;
  let best = 0;
  let bestDistance = Infinity;
  thresholds.forEach((t, i) => {
    const distance = Math.abs(t.truePositives - truePositives) + Math.abs(t.falsePositives - falsePositives);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
}

/** The logistic function: a binomial model's probability of class 1 for a margin. */
export function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}
