//! BinaryClassificationEvaluator: `areaUnderROC` and `areaUnderPR` exactly as Spark's
//! `BinaryClassificationMetrics` computes them, plus what a page draws — the ROC and PR
//! curves and the confusion counts at each threshold.
//!
//! How Spark gets there (mllib `evaluation/BinaryClassificationMetrics.scala`):
//!
//! 1. Rows with equal scores are one threshold: their weighted positives and negatives
//!    are summed, and the thresholds are sorted by score, descending. (Scores are
//!    compared as Java doubles are: `-0.0` and `0.0` are two thresholds.)
//! 2. With `numBins > 0` and at least `2 × numBins` thresholds, runs of
//!    `⌊thresholds / numBins⌋` consecutive thresholds are merged into one, which keeps the
//!    run's *lowest* score; the last run may be shorter. Spark does this within each
//!    partition of its sorted scores; Brasa does it over all of them at once, which is
//!    Spark's result on one partition (what `tests/fixtures/ml` records).
//! 3. Cumulating the counts down the thresholds gives, at each, the rows scored at least
//!    that high: true positives and false positives; the rest are false negatives and
//!    true negatives.
//! 4. ROC is `(FPR, recall)` with `(0, 0)` prepended and `(1, 1)` appended; PR is
//!    `(recall, precision)` with `(0, p₁)` prepended, `p₁` the first threshold's
//!    precision. Both areas are trapezoidal. Recall is 0 without positives, FPR 0
//!    without negatives, precision 1 when nothing is predicted positive (Spark's
//!    `BinaryClassificationMetricComputers.scala`).
//!
//! [`BinaryScores`] collects rows (per partition, then [`BinaryScores::merge`]);
//! [`BinaryScores::distinct_scores`] sorts once; [`DistinctScores::evaluate`] does the rest
//! for any `numBins`.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::check_weight;
use super::curve::{Thinning, TrapezoidArea};
use crate::error::{Error, ErrorCode, Result};

/// Spark's default `numBins`.
pub const DEFAULT_NUM_BINS: usize = 1000;

/// How many points of each curve (and rows of the threshold table) a result keeps by
/// default: enough to draw, small enough to send to the page.
pub const DEFAULT_MAX_POINTS: usize = 500;

/// BinaryClassificationEvaluator's `metricName`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum BinaryMetric {
    #[default]
    #[serde(rename = "areaUnderROC")]
    AreaUnderRoc,
    #[serde(rename = "areaUnderPR")]
    AreaUnderPr,
}

impl BinaryMetric {
    pub fn name(self) -> &'static str {
        match self {
            BinaryMetric::AreaUnderRoc => "areaUnderROC",
            BinaryMetric::AreaUnderPr => "areaUnderPR",
        }
    }

    /// Spark's `isLargerBetter`: true for both areas.
    pub fn is_larger_better(self) -> bool {
        true
    }
}

/// The evaluation's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct BinaryOptions {
    /// Spark's `numBins`: down-sample the thresholds to about this many (0: never).
    pub num_bins: usize,
    /// Most points kept in each returned curve and in the threshold table (the areas
    /// always use every point).
    pub max_points: usize,
}

impl Default for BinaryOptions {
    fn default() -> Self {
        BinaryOptions {
            num_bins: DEFAULT_NUM_BINS,
            max_points: DEFAULT_MAX_POINTS,
        }
    }
}

/// One label's scores, as they are read: bare scores while every weight is 1 (8 bytes a
/// row, the usual case), score and weight pairs once one is not. A tuning job holds every
/// (grid point, fold) evaluation's scores at once, so their size is what bounds the job.
#[derive(Debug, Clone)]
enum LabelScores {
    Unweighted(Vec<f64>),
    Weighted(Vec<(f64, f64)>),
}

impl Default for LabelScores {
    fn default() -> Self {
        LabelScores::Unweighted(Vec::new())
    }
}

impl LabelScores {
    fn len(&self) -> usize {
        match self {
            LabelScores::Unweighted(scores) => scores.len(),
            LabelScores::Weighted(pairs) => pairs.len(),
        }
    }

    fn push(&mut self, score: f64, weight: f64) {
        match self {
            LabelScores::Unweighted(scores) if weight == 1.0 => scores.push(score),
            LabelScores::Unweighted(_) => {
                let mut pairs = std::mem::take(self).into_pairs();
                pairs.push((score, weight));
                *self = LabelScores::Weighted(pairs);
            }
            LabelScores::Weighted(pairs) => pairs.push((score, weight)),
        }
    }

    fn into_pairs(self) -> Vec<(f64, f64)> {
        match self {
            LabelScores::Unweighted(scores) => scores.into_iter().map(|s| (s, 1.0)).collect(),
            LabelScores::Weighted(pairs) => pairs,
        }
    }

    fn merge(&mut self, other: LabelScores) {
        match (&mut *self, other) {
            (LabelScores::Unweighted(mine), LabelScores::Unweighted(mut theirs)) => {
                if mine.capacity() < theirs.capacity() {
                    std::mem::swap(mine, &mut theirs);
                }
                mine.append(&mut theirs);
            }
            (_, other) => {
                let mut pairs = std::mem::take(self).into_pairs();
                pairs.extend(other.into_pairs());
                *self = LabelScores::Weighted(pairs);
            }
        }
    }

    /// The distinct scores, descending (sorted in parallel), each with its summed weight.
    /// Equal scores are summed in ascending order of weight, so the sum has the same bits
    /// whatever order the rows came in.
    fn distinct(self) -> Vec<(f64, f64)> {
        let mut distinct: Vec<(f64, f64)> = Vec::new();
        let mut add = |score: f64, weight: f64| match distinct.last_mut() {
            Some(last) if last.0.total_cmp(&score).is_eq() => last.1 += weight,
            _ => distinct.push((score, weight)),
        };
        match self {
            LabelScores::Unweighted(mut scores) => {
                scores.par_sort_unstable_by(|a, b| b.total_cmp(a));
                scores.iter().for_each(|&s| add(s, 1.0));
            }
            LabelScores::Weighted(mut pairs) => {
                pairs.par_sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.total_cmp(&b.1)));
                pairs.iter().for_each(|&(s, w)| add(s, w));
            }
        }
        distinct
    }
}

/// The rows of one binary evaluation, as they are read: mergeable across partitions.
#[derive(Debug, Clone, Default)]
pub struct BinaryScores {
    positive: LabelScores,
    negative: LabelScores,
}

impl BinaryScores {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a row. `score` is the positive class's score: element 1 of the
    /// `rawPrediction` (or `probability`) vector, as Spark reads it, or a double column;
    /// infinities are fine. `label` is 0 or 1 (Spark counts any label above 0.5 as
    /// positive; anything but 0 and 1 is refused here), `weight` finite and not negative
    /// (1 without a weight column).
    pub fn push(&mut self, score: f64, label: f64, weight: f64) -> Result<()> {
        if score.is_nan() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "a score is NaN, so it has no place among the thresholds: filter out rows \
                 whose prediction is NaN (often rows with a NaN feature) before evaluating",
            ));
        }
        let scores = if label == 1.0 {
            &mut self.positive
        } else if label == 0.0 {
            &mut self.negative
        } else {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "label {label} is not binary: BinaryClassificationEvaluator needs labels \
                     0 and 1. Index the label column (StringIndexer) or use \
                     MulticlassClassificationEvaluator"
                ),
            ));
        };
        check_weight(weight)?;
        scores.push(score, weight);
        Ok(())
    }

    /// Takes in another partition's rows.
    pub fn merge(&mut self, other: BinaryScores) {
        self.positive.merge(other.positive);
        self.negative.merge(other.negative);
    }

    pub fn len(&self) -> usize {
        self.positive.len() + self.negative.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sorts the rows by score, descending (in parallel), and sums the weights of equal
    /// scores: Spark's thresholds before down-sampling. (Scores are never NaN — `push` —
    /// so `total_cmp` is the order Spark sorts in.)
    pub fn distinct_scores(self) -> Result<DistinctScores> {
        if self.is_empty() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "there are no rows to evaluate: the evaluation set is empty",
            ));
        }
        let rows = self.len() as u64;
        let (positive, negative) =
            rayon::join(|| self.positive.distinct(), || self.negative.distinct());
        // Both lists descend; walk them together, one threshold per distinct score.
        let mut thresholds = Vec::with_capacity(positive.len().max(negative.len()));
        let (mut p, mut n) = (positive.iter().peekable(), negative.iter().peekable());
        loop {
            let threshold = match (p.peek(), n.peek()) {
                (None, None) => break,
                (Some(&&(score, weight)), None) => {
                    p.next();
                    (score, weight, 0.0)
                }
                (None, Some(&&(score, weight))) => {
                    n.next();
                    (score, 0.0, weight)
                }
                (Some(&&(ps, pw)), Some(&&(ns, nw))) => match ps.total_cmp(&ns) {
                    std::cmp::Ordering::Greater => {
                        p.next();
                        (ps, pw, 0.0)
                    }
                    std::cmp::Ordering::Less => {
                        n.next();
                        (ns, 0.0, nw)
                    }
                    std::cmp::Ordering::Equal => {
                        p.next();
                        n.next();
                        (ps, pw, nw)
                    }
                },
            };
            thresholds.push(ThresholdWeights {
                score: threshold.0,
                positive: threshold.1,
                negative: threshold.2,
            });
        }
        Ok(DistinctScores { rows, thresholds })
    }

    /// Shorthand for `distinct_scores()?.evaluate(options)`.
    pub fn evaluate(self, options: &BinaryOptions) -> Result<BinaryEvaluation> {
        self.distinct_scores()?.evaluate(options)
    }
}

/// The weighted positives and negatives scored exactly `score` (or, after
/// down-sampling, in a run of thresholds whose lowest score is `score`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct ThresholdWeights {
    score: f64,
    positive: f64,
    negative: f64,
}

/// The distinct scores, descending, with their weighted label counts.
#[derive(Debug, Clone)]
pub struct DistinctScores {
    rows: u64,
    thresholds: Vec<ThresholdWeights>,
}

/// A point of a curve: `(FPR, recall)` on the ROC curve, `(recall, precision)` on the
/// PR curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct CurvePoint {
    pub x: f64,
    pub y: f64,
}

/// The weighted confusion counts when rows scored at least `threshold` are predicted
/// positive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdCounts {
    pub threshold: f64,
    pub true_positives: f64,
    pub false_positives: f64,
    pub true_negatives: f64,
    pub false_negatives: f64,
}

impl ThresholdCounts {
    pub fn precision(&self) -> f64 {
        precision(self.true_positives, self.false_positives)
    }

    /// The true positive rate.
    pub fn recall(&self) -> f64 {
        recall(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn false_positive_rate(&self) -> f64 {
        false_positive_rate(
            self.false_positives,
            self.false_positives + self.true_negatives,
        )
    }

    /// Spark's `FMeasure(beta)`: 0 when precision and recall are both 0.
    pub fn f_measure(&self, beta: f64) -> f64 {
        let (precision, recall) = (self.precision(), self.recall());
        if precision + recall == 0.0 {
            return 0.0;
        }
        let beta2 = beta * beta;
        (1.0 + beta2) * (precision * recall) / (beta2 * precision + recall)
    }
}

/// Spark's `Precision`: 1 when nothing is predicted positive.
fn precision(true_positives: f64, false_positives: f64) -> f64 {
    let predicted = true_positives + false_positives;
    if predicted == 0.0 {
        1.0
    } else {
        true_positives / predicted
    }
}

/// Spark's `Recall`: 0 without positives.
fn recall(true_positives: f64, positives: f64) -> f64 {
    if positives == 0.0 {
        0.0
    } else {
        true_positives / positives
    }
}

/// Spark's `FalsePositiveRate`: 0 without negatives.
fn false_positive_rate(false_positives: f64, negatives: f64) -> f64 {
    if negatives == 0.0 {
        0.0
    } else {
        false_positives / negatives
    }
}

/// Everything one binary evaluation gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BinaryEvaluation {
    /// Spark's metric names, as the page shows them.
    #[serde(rename = "areaUnderROC")]
    pub area_under_roc: f64,
    #[serde(rename = "areaUnderPR")]
    pub area_under_pr: f64,
    /// Rows evaluated (whatever their weight).
    pub rows: u64,
    /// Weighted positives and negatives.
    pub positives: f64,
    pub negatives: f64,
    /// Distinct scores, and the thresholds left after down-sampling.
    pub distinct_scores: usize,
    pub thresholds_used: usize,
    /// The ROC curve `(FPR, recall)` from `(0, 0)` to `(1, 1)`, thinned to
    /// `max_points`.
    pub roc: Vec<CurvePoint>,
    /// The PR curve `(recall, precision)` from `(0, p₁)`, thinned to `max_points`.
    pub pr: Vec<CurvePoint>,
    /// The confusion counts at each threshold, scores descending, thinned to
    /// `max_points`.
    pub thresholds: Vec<ThresholdCounts>,
}

impl BinaryEvaluation {
    pub fn metric(&self, metric: BinaryMetric) -> f64 {
        match metric {
            BinaryMetric::AreaUnderRoc => self.area_under_roc,
            BinaryMetric::AreaUnderPr => self.area_under_pr,
        }
    }
}

impl DistinctScores {
    pub fn len(&self) -> usize {
        self.thresholds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.thresholds.is_empty()
    }

    /// Spark's down-sampling: runs of `⌊len / numBins⌋` thresholds become one, keeping
    /// the run's last (lowest) score; nothing changes when the runs would be shorter
    /// than 2.
    fn binned(&self, num_bins: usize) -> Cow<'_, [ThresholdWeights]> {
        let grouping = self.thresholds.len().checked_div(num_bins).unwrap_or(0);
        if grouping < 2 {
            return Cow::Borrowed(&self.thresholds);
        }
        let bins = self
            .thresholds
            .chunks(grouping)
            .map(|run| {
                let mut bin = ThresholdWeights {
                    score: run[run.len() - 1].score,
                    positive: 0.0,
                    negative: 0.0,
                };
                for t in run {
                    bin.positive += t.positive;
                    bin.negative += t.negative;
                }
                bin
            })
            .collect();
        Cow::Owned(bins)
    }

    /// The areas, the curves and the threshold table, with Spark's `numBins`.
    pub fn evaluate(&self, options: &BinaryOptions) -> Result<BinaryEvaluation> {
        if self.thresholds.is_empty() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "there are no rows to evaluate: the evaluation set is empty",
            ));
        }
        let bins = self.binned(options.num_bins);
        let (positives, negatives) = bins
            .iter()
            .fold((0.0, 0.0), |(p, n), b| (p + b.positive, n + b.negative));

        let max = options.max_points;
        // ROC has the bins plus (0, 0) and (1, 1); PR the bins plus (0, p₁).
        let mut roc = Thinning::new(bins.len() + 2, max);
        let mut pr = Thinning::new(bins.len() + 1, max);
        let mut table = Thinning::new(bins.len(), max);
        let mut roc_area = TrapezoidArea::default();
        let mut pr_area = TrapezoidArea::default();
        roc_area.push(0.0, 0.0);
        roc.offer(0, || CurvePoint { x: 0.0, y: 0.0 });

        let (mut true_positives, mut false_positives) = (0.0, 0.0);
        for (i, bin) in bins.iter().enumerate() {
            true_positives += bin.positive;
            false_positives += bin.negative;
            // Against the totals, as Spark divides (not `tp + fn`, which can differ from
            // them in the last bit). TPR is recall, PPV precision.
            let fpr = false_positive_rate(false_positives, negatives);
            let tpr = recall(true_positives, positives);
            let ppv = precision(true_positives, false_positives);
            if i == 0 {
                pr_area.push(0.0, ppv);
                pr.offer(0, || CurvePoint { x: 0.0, y: ppv });
            }
            roc_area.push(fpr, tpr);
            roc.offer(i + 1, || CurvePoint { x: fpr, y: tpr });
            pr_area.push(tpr, ppv);
            pr.offer(i + 1, || CurvePoint { x: tpr, y: ppv });
            table.offer(i, || ThresholdCounts {
                threshold: bin.score,
                true_positives,
                false_positives,
                true_negatives: negatives - false_positives,
                false_negatives: positives - true_positives,
            });
        }
        roc_area.push(1.0, 1.0);
        roc.offer(bins.len() + 1, || CurvePoint { x: 1.0, y: 1.0 });

        Ok(BinaryEvaluation {
            area_under_roc: roc_area.area(),
            area_under_pr: pr_area.area(),
            rows: self.rows,
            positives,
            negatives,
            distinct_scores: self.thresholds.len(),
            thresholds_used: bins.len(),
            roc: roc.into_vec(),
            pr: pr.into_vec(),
            thresholds: table.into_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(rows: &[(f64, f64, f64)]) -> BinaryScores {
        let mut scores = BinaryScores::new();
        for &(score, label, weight) in rows {
            scores.push(score, label, weight).unwrap();
        }
        scores
    }

    fn all_points() -> BinaryOptions {
        BinaryOptions {
            num_bins: 0,
            max_points: usize::MAX,
        }
    }

    /// Spark's own test ("binary evaluation metrics", BinaryClassificationMetricsSuite):
    /// thresholds 0.8, 0.6, 0.4, 0.1 with 1, 3, 3, 4 true positives and 0, 1, 2, 3 false.
    #[test]
    fn spark_suite_example_with_ties() {
        let rows = [
            (0.1, 0.0, 1.0),
            (0.1, 1.0, 1.0),
            (0.4, 0.0, 1.0),
            (0.6, 0.0, 1.0),
            (0.6, 1.0, 1.0),
            (0.6, 1.0, 1.0),
            (0.8, 1.0, 1.0),
        ];
        let result = scores(&rows).evaluate(&all_points()).unwrap();
        let thresholds: Vec<f64> = result.thresholds.iter().map(|t| t.threshold).collect();
        assert_eq!(thresholds, [0.8, 0.6, 0.4, 0.1]);
        let tp: Vec<f64> = result.thresholds.iter().map(|t| t.true_positives).collect();
        let fp: Vec<f64> = result
            .thresholds
            .iter()
            .map(|t| t.false_positives)
            .collect();
        assert_eq!(tp, [1.0, 3.0, 3.0, 4.0]);
        assert_eq!(fp, [0.0, 1.0, 2.0, 3.0]);
        let roc: Vec<(f64, f64)> = result.roc.iter().map(|p| (p.x, p.y)).collect();
        let expected_roc = [
            (0.0, 0.0),
            (0.0, 0.25),
            (1.0 / 3.0, 0.75),
            (2.0 / 3.0, 0.75),
            (1.0, 1.0),
            (1.0, 1.0),
        ];
        assert_eq!(roc, expected_roc);
        // Trapezoids: 0 + (1/3)(0.25+0.75)/2 + (1/3)(0.75+0.75)/2 + (1/3)(0.75+1)/2 + 0.
        let auc = (1.0 / 3.0) * (1.0 + 1.5 + 1.75) / 2.0;
        assert!((result.area_under_roc - auc).abs() < 1e-15);
        // PR starts at (0, precision of the first threshold) = (0, 1).
        assert_eq!(result.pr[0], CurvePoint { x: 0.0, y: 1.0 });
        assert_eq!(result.pr.len(), 5);
        assert_eq!(result.pr[2], CurvePoint { x: 0.75, y: 0.75 });
    }

    /// Spark's down-sampling test: 9 distinct scores, numBins 4 → runs of 2, each keeping
    /// its lowest score; the odd one out is a run of 1.
    #[test]
    fn down_sampling_keeps_each_runs_lowest_score() {
        let rows = [
            (0.1, 0.0),
            (0.2, 0.0),
            (0.3, 1.0),
            (0.4, 0.0),
            (0.5, 0.0),
            (0.6, 1.0),
            (0.7, 1.0),
            (0.8, 0.0),
            (0.9, 1.0),
        ]
        .map(|(s, l)| (s, l, 1.0));
        let options = BinaryOptions {
            num_bins: 4,
            max_points: usize::MAX,
        };
        let result = scores(&rows).evaluate(&options).unwrap();
        let recall_by_threshold: Vec<(f64, f64)> = result
            .thresholds
            .iter()
            .map(|t| (t.threshold, t.recall()))
            .collect();
        assert_eq!(
            recall_by_threshold,
            [
                (0.8, 0.25),
                (0.6, 0.75),
                (0.4, 0.75),
                (0.2, 1.0),
                (0.1, 1.0)
            ]
        );
        let mut roc: Vec<(f64, f64)> = result.roc.iter().map(|p| (p.x, p.y)).collect();
        roc.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(
            roc,
            [
                (0.0, 0.0),
                (0.2, 0.25),
                (0.2, 0.75),
                (0.6, 0.75),
                (0.8, 1.0),
                (1.0, 1.0),
                (1.0, 1.0)
            ]
        );
        // Fewer than 2 × numBins thresholds: no down-sampling.
        let options = BinaryOptions {
            num_bins: 5,
            ..options
        };
        assert_eq!(scores(&rows).evaluate(&options).unwrap().thresholds_used, 9);
    }

    #[test]
    fn weights_scale_the_counts() {
        let rows = [
            (0.9, 1.0, 2.0),
            (0.5, 0.0, 0.5),
            (0.5, 1.0, 0.0),
            (0.1, 0.0, 1.5),
        ];
        let result = scores(&rows).evaluate(&all_points()).unwrap();
        assert_eq!((result.positives, result.negatives), (2.0, 2.0));
        let middle = result.thresholds[1];
        assert_eq!(
            (
                middle.true_positives,
                middle.false_positives,
                middle.true_negatives,
                middle.false_negatives
            ),
            (2.0, 0.5, 1.5, 0.0)
        );
        assert_eq!(result.rows, 4);
    }

    #[test]
    fn one_class_only_follows_sparks_zero_conventions() {
        let negatives = scores(&[(0.5, 0.0, 1.0), (0.5, 0.0, 1.0)])
            .evaluate(&all_points())
            .unwrap();
        // Recall is 0 without positives: ROC (0,0) (1,0) (1,1); PR (0,0) (0,0).
        assert_eq!(negatives.area_under_roc, 0.0);
        assert_eq!(negatives.area_under_pr, 0.0);
        let positives = scores(&[(0.5, 1.0, 1.0), (0.5, 1.0, 1.0)])
            .evaluate(&all_points())
            .unwrap();
        // FPR is 0 without negatives: ROC (0,0) (0,1) (1,1); PR (0,1) (1,1).
        assert_eq!(positives.area_under_roc, 1.0);
        assert_eq!(positives.area_under_pr, 1.0);
    }

    #[test]
    fn merged_partitions_equal_one() {
        let rows: Vec<(f64, f64, f64)> = (0..200)
            .map(|i| {
                let score = ((i * 37) % 101) as f64 / 100.0;
                (score, (i % 3 == 0) as u8 as f64, 1.0 + (i % 5) as f64)
            })
            .collect();
        let whole = scores(&rows).evaluate(&BinaryOptions::default()).unwrap();
        let mut merged = BinaryScores::new();
        for chunk in rows.chunks(33) {
            merged.merge(scores(chunk));
        }
        assert_eq!(merged.evaluate(&BinaryOptions::default()).unwrap(), whole);
    }

    /// Rows kept as bare scores (weight 1) and as weighted pairs, merged in any order, give
    /// the thresholds of summing every distinct score's weights directly.
    #[test]
    fn bare_and_weighted_scores_give_the_same_thresholds() {
        let rows: Vec<(f64, f64, f64)> = (0..300)
            .map(|i| {
                let score = match i % 11 {
                    0 => 0.0,
                    1 => -0.0,
                    _ => ((i * 37) % 23) as f64 / 10.0 - 1.0,
                };
                let weight = if i % 7 == 0 {
                    0.25 * (i % 5) as f64
                } else {
                    1.0
                };
                (score, (i % 3 == 0) as u8 as f64, weight)
            })
            .collect();
        // The direct sums, keyed by the score's bits in Spark's (total) order, descending.
        let mut direct: Vec<(f64, f64, f64)> = Vec::new();
        let mut sorted = rows.clone();
        sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.total_cmp(&b.2)));
        for (score, label, weight) in sorted {
            if direct.last().is_none_or(|t| t.0.total_cmp(&score).is_ne()) {
                direct.push((score, 0.0, 0.0));
            }
            let t = direct.last_mut().unwrap();
            if label == 1.0 {
                t.1 += weight;
            } else {
                t.2 += weight;
            }
        }
        let thresholds = |s: BinaryScores| -> Vec<(f64, f64, f64)> {
            let distinct = s.distinct_scores().unwrap();
            assert_eq!(distinct.rows, 300);
            distinct
                .thresholds
                .iter()
                .map(|t| (t.score, t.positive, t.negative))
                .collect()
        };
        let bits = |t: Vec<(f64, f64, f64)>| -> Vec<[u64; 3]> {
            t.iter()
                .map(|t| [t.0.to_bits(), t.1.to_bits(), t.2.to_bits()])
                .collect()
        };
        assert_eq!(bits(thresholds(scores(&rows))), bits(direct.clone()));
        // Unweighted chunks merged into weighted ones and the other way round, reversed.
        let mut merged = BinaryScores::new();
        for chunk in rows.chunks(7).rev() {
            merged.merge(scores(chunk));
        }
        assert_eq!(bits(thresholds(merged)), bits(direct));
        let unweighted: Vec<_> = rows.iter().map(|&(s, l, _)| (s, l, 1.0)).collect();
        let counted = thresholds(scores(&unweighted));
        assert_eq!(counted.iter().map(|t| t.1 + t.2).sum::<f64>(), 300.0);
    }

    #[test]
    fn bad_rows_are_refused() {
        let mut scores = BinaryScores::new();
        let code = |r: Result<()>| r.unwrap_err().code();
        assert_eq!(code(scores.push(f64::NAN, 1.0, 1.0)), ErrorCode::MlInput);
        assert_eq!(code(scores.push(0.5, 2.0, 1.0)), ErrorCode::MlInput);
        assert_eq!(code(scores.push(0.5, f64::NAN, 1.0)), ErrorCode::MlInput);
        assert_eq!(code(scores.push(0.5, 1.0, -1.0)), ErrorCode::MlInput);
        assert_eq!(
            code(scores.push(0.5, 1.0, f64::INFINITY)),
            ErrorCode::MlInput
        );
        assert!(scores.push(f64::INFINITY, 1.0, 1.0).is_ok());
        let empty = BinaryScores::new().evaluate(&BinaryOptions::default());
        assert_eq!(empty.unwrap_err().code(), ErrorCode::MlInput);
    }

    #[test]
    fn curves_are_thinned_but_keep_their_ends() {
        let rows: Vec<(f64, f64, f64)> = (0..5000)
            .map(|i| (i as f64 / 5000.0, (i % 7 < 3) as u8 as f64, 1.0))
            .collect();
        let options = BinaryOptions {
            num_bins: 0,
            max_points: 100,
        };
        let result = scores(&rows).evaluate(&options).unwrap();
        assert_eq!(result.thresholds_used, 5000);
        assert_eq!((result.roc.len(), result.pr.len()), (100, 100));
        assert_eq!(result.thresholds.len(), 100);
        assert_eq!(result.roc[0], CurvePoint { x: 0.0, y: 0.0 });
        assert_eq!(result.roc[99], CurvePoint { x: 1.0, y: 1.0 });
        assert_eq!(result.thresholds[0].threshold, 4999.0 / 5000.0);
        assert_eq!(result.thresholds[99].threshold, 0.0);
    }
}
