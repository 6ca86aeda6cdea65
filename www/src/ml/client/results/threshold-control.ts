/**
 * A binary classifier's threshold, chosen with a slider over the engine's threshold table
 * (the distinct scores, down-sampled as Spark's `numBins` does, thinned for the page):
 * precision, recall, F1, the false positive rate and the 2×2 confusion matrix at that
 * threshold, and the matching points marked on the ROC and PR curves.
 *
 * The slider runs from the lowest threshold (every row predicted positive) on the left to
 * the highest on the right; `data-index` on it is the row of the threshold table shown.
 */
import type { BinaryEvaluation } from '../../../contract';
import { h, replaceChildren } from '../../../ui/dom';
import { nearestToConfusion, ratesAt, sigmoid } from '../../shared/thresholds';
import type { MarkedChart } from '../charts/binary-charts';
import { fmt } from './cells';
import { confusionTable } from './confusion-table';

export interface ThresholdContext {
  binary: BinaryEvaluation;
  /** Class names in index order; class 1 is the positive class. */
  labels: string[];
  /** The model's confusion matrix at its own threshold, where the slider starts. */
  confusion: number[][];
  /** How the model itself decides (`probability > 0.5`, ...). */
  modelThreshold: string;
  /** A binomial model's score is a margin whose logistic is the probability of class 1. */
  binomial: boolean;
  roc: MarkedChart;
  pr: MarkedChart;
}

export function thresholdControl(context: ThresholdContext): HTMLElement {
  const { binary, labels } = context;
  const last = binary.thresholds.length - 1;
  const slider = h('input', {
    attrs: { type: 'range', min: '0', max: String(last), step: '1', 'data-testid': 'train-threshold', 'aria-label': 'threshold' },
  });
  const readout = h('div', { className: 'threshold-readout' });
  const confusion = h('div', {});
  const show = (): void => {
    const index = last - Number(slider.value);
    const counts = binary.thresholds[index];
    const rates = ratesAt(counts);
    slider.dataset.index = String(index);
    slider.dataset.threshold = String(counts.threshold);
    const rate = (testId: string, name: string, value: number) =>
      h('tr', {}, h('td', {}, name), h('td', { attrs: { 'data-testid': testId, 'data-value': String(value) } }, fmt(value)));
    replaceChildren(readout,
      h('p', { attrs: { 'data-testid': 'train-threshold-rule' } },
        `Predict ${labels[1] ?? '1'} when rawPrediction[1] ≥ ${fmt(counts.threshold)}`,
        context.binomial ? ` (probability ≥ ${fmt(sigmoid(counts.threshold))})` : ''),
      h('table', { className: 'result-table kv' }, h('tbody', {},
        rate('train-threshold-precision', 'precision', rates.precision),
        rate('train-threshold-recall', 'recall (true positive rate)', rates.recall),
        rate('train-threshold-f1', 'F1', rates.f1),
        rate('train-threshold-fpr', 'false positive rate', rates.falsePositiveRate))));
    replaceChildren(confusion, confusionTable('train-confusion', labels.slice(0, 2), [
      [counts.trueNegatives, counts.falsePositives],
      [counts.falseNegatives, counts.truePositives],
    ], 'counts'));
    context.roc.mark({ x: rates.falsePositiveRate, y: rates.recall });
    context.pr.mark({ x: rates.recall, y: rates.precision });
  };
  slider.value = String(last - nearestToConfusion(binary.thresholds, context.confusion));
  slider.addEventListener('input', show);
  show();
  return h('div', { className: 'threshold-control' },
    h('h3', {}, 'Threshold'),
    h('p', { className: 'hint' },
      `${binary.thresholds.length} of ${binary.thresholdsUsed} thresholds (${binary.distinctScores} distinct scores); it starts at the one nearest the model's own.`),
    h('label', { className: 'threshold-slider' }, h('span', {}, 'every row positive'), slider, h('span', {}, 'fewest positive')),
    readout,
    h('div', { className: 'train-results' },
      h('div', {}, h('h3', {}, 'Confusion matrix at this threshold'), confusion),
      h('div', {}, h('h3', {}, `At the model's threshold (${context.modelThreshold})`),
        confusionTable('train-model-confusion', labels.slice(0, 2), context.confusion, 'counts'))));
}
