//! MulticlassClassificationEvaluator: every `metricName` of Spark's, from a weighted
//! confusion matrix ([`ConfusionMatrix`]) and a log-loss sum ([`LogLoss`]), both
//! mergeable across partitions.
//!
//! Spark's conventions (mllib `evaluation/MulticlassMetrics.scala`):
//!
//! - Spark's *labels* are the classes that occur as a true label — even only in rows of
//!   weight 0. The weighted metrics average over them, weighted by their share of the
//!   total weight. A class only ever predicted is not a label: it has no term in the
//!   weighted means, though the rows wrongly predicted as it still lower their true
//!   labels' recall and count in `hammingLoss`.
//! - precision is 0 for a label never predicted (0/0); the F-measure is 0 when
//!   precision + recall is 0; recall and FPR are plain ratios (NaN when their
//!   denominator is 0, e.g. FPR with a single label).
//! - The `…ByLabel` metrics for a `metricLabel` that is not a label fail in Spark (a
//!   missing map key); here they are an [`ErrorCode::MlInput`] error saying so.
//! - logLoss clips each row's probability of its true class to `[eps, 1 − eps]`
//!   (eps 1e-15) and averages `−ln p` with the row weights.
//!
//! Classes are indices `0..classes` (Spark's labels are doubles; StringIndexer makes
//! them indices), so the matrix is dense.

use serde::{Deserialize, Serialize};

use super::{check_weight, class_index};
use crate::error::{Error, ErrorCode, Result};

/// Most classes a confusion matrix holds (its size grows with the square).
pub const MAX_CLASSES: usize = 1000;

/// Spark's default `eps` for logLoss.
pub const DEFAULT_EPS: f64 = 1e-15;

/// MulticlassClassificationEvaluator's `metricName`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MulticlassMetric {
    /// The weighted F1 (Spark's `weightedFMeasure` with beta 1, whatever `beta` is).
    #[default]
    F1,
    Accuracy,
    WeightedPrecision,
    WeightedRecall,
    WeightedTruePositiveRate,
    WeightedFalsePositiveRate,
    /// The weighted F-measure with `beta`.
    WeightedFMeasure,
    TruePositiveRateByLabel,
    FalsePositiveRateByLabel,
    PrecisionByLabel,
    RecallByLabel,
    FMeasureByLabel,
    LogLoss,
    HammingLoss,
}

impl MulticlassMetric {
    pub const ALL: [MulticlassMetric; 14] = [
        MulticlassMetric::F1,
        MulticlassMetric::Accuracy,
        MulticlassMetric::WeightedPrecision,
        MulticlassMetric::WeightedRecall,
        MulticlassMetric::WeightedTruePositiveRate,
        MulticlassMetric::WeightedFalsePositiveRate,
        MulticlassMetric::WeightedFMeasure,
        MulticlassMetric::TruePositiveRateByLabel,
        MulticlassMetric::FalsePositiveRateByLabel,
        MulticlassMetric::PrecisionByLabel,
        MulticlassMetric::RecallByLabel,
        MulticlassMetric::FMeasureByLabel,
        MulticlassMetric::LogLoss,
        MulticlassMetric::HammingLoss,
    ];

    /// Spark's `metricName` value.
    pub fn name(self) -> &'static str {
        match self {
            MulticlassMetric::F1 => "f1",
            MulticlassMetric::Accuracy => "accuracy",
            MulticlassMetric::WeightedPrecision => "weightedPrecision",
            MulticlassMetric::WeightedRecall => "weightedRecall",
            MulticlassMetric::WeightedTruePositiveRate => "weightedTruePositiveRate",
            MulticlassMetric::WeightedFalsePositiveRate => "weightedFalsePositiveRate",
            MulticlassMetric::WeightedFMeasure => "weightedFMeasure",
            MulticlassMetric::TruePositiveRateByLabel => "truePositiveRateByLabel",
            MulticlassMetric::FalsePositiveRateByLabel => "falsePositiveRateByLabel",
            MulticlassMetric::PrecisionByLabel => "precisionByLabel",
            MulticlassMetric::RecallByLabel => "recallByLabel",
            MulticlassMetric::FMeasureByLabel => "fMeasureByLabel",
            MulticlassMetric::LogLoss => "logLoss",
            MulticlassMetric::HammingLoss => "hammingLoss",
        }
    }

    /// The metric named `name` (Spark's spelling).
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|m| m.name()).collect();
                Error::new(
                    ErrorCode::MlInput,
                    format!(
                        "MulticlassClassificationEvaluator has no metric {name:?}; use one \
                         of {}",
                        names.join(", ")
                    ),
                )
            })
    }

    /// Spark's `isLargerBetter`: false for the false positive rates and the losses.
    pub fn is_larger_better(self) -> bool {
        !matches!(
            self,
            MulticlassMetric::WeightedFalsePositiveRate
                | MulticlassMetric::FalsePositiveRateByLabel
                | MulticlassMetric::LogLoss
                | MulticlassMetric::HammingLoss
        )
    }

    /// Whether the metric is about one class (`metricLabel`).
    pub fn is_by_label(self) -> bool {
        matches!(
            self,
            MulticlassMetric::TruePositiveRateByLabel
                | MulticlassMetric::FalsePositiveRateByLabel
                | MulticlassMetric::PrecisionByLabel
                | MulticlassMetric::RecallByLabel
                | MulticlassMetric::FMeasureByLabel
        )
    }
}

/// The evaluator's parameters, with Spark's names and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MulticlassParams {
    pub metric_name: MulticlassMetric,
    /// The class of the `…ByLabel` metrics (default 0).
    pub metric_label: f64,
    /// The F-measure's beta in `weightedFMeasure` and `fMeasureByLabel` (default 1).
    pub beta: f64,
    /// logLoss's clipping (default 1e-15).
    pub eps: f64,
}

impl Default for MulticlassParams {
    fn default() -> Self {
        MulticlassParams {
            metric_name: MulticlassMetric::F1,
            metric_label: 0.0,
            beta: 1.0,
            eps: DEFAULT_EPS,
        }
    }
}

impl MulticlassParams {
    /// Spark's validators: `metricLabel ≥ 0`, `beta > 0`, `0 < eps < 0.5`.
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| Err(Error::new(ErrorCode::MlInput, message));
        if self.metric_label.is_nan() || self.metric_label < 0.0 {
            return bad(format!(
                "metricLabel must be at least 0, not {}",
                self.metric_label
            ));
        }
        if self.beta.is_nan() || self.beta <= 0.0 {
            return bad(format!("beta must be above 0, not {}", self.beta));
        }
        check_eps(self.eps)
    }

    /// The value of `metric_name` on the rows behind `matrix` (and `log_loss`, which only
    /// logLoss reads).
    pub fn evaluate(&self, matrix: &ConfusionMatrix, log_loss: Option<&LogLoss>) -> Result<f64> {
        self.validate()?;
        match self.metric_name {
            MulticlassMetric::LogLoss => log_loss.ok_or_else(needs_probabilities)?.value(),
            metric => MulticlassMetrics::new(matrix)?.metric(metric, self.metric_label, self.beta),
        }
    }
}

fn needs_probabilities() -> Error {
    Error::new(
        ErrorCode::MlInput,
        "logLoss needs each row's class probabilities: evaluate a model that outputs a \
         probability column",
    )
}

fn check_eps(eps: f64) -> Result<()> {
    if eps > 0.0 && eps < 0.5 {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::MlInput,
            format!("eps must be above 0 and below 0.5, not {eps}"),
        ))
    }
}

/// Weighted counts of (true class, predicted class) pairs: the rows' sufficient
/// statistics for every metric but logLoss.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfusionMatrix {
    classes: usize,
    /// The weight of rows of class `i` predicted `j`, at `i * classes + j`.
    weights: Vec<f64>,
    /// How many rows (whatever their weight) are of class `i`: Spark counts a class met
    /// only in rows of weight 0 as a label.
    label_rows: Vec<u64>,
}

impl ConfusionMatrix {
    pub fn new(classes: usize) -> Result<Self> {
        if classes == 0 || classes > MAX_CLASSES {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!("a classifier is evaluated over 1 to {MAX_CLASSES} classes, not {classes}"),
            ));
        }
        Ok(Self::zeros(classes))
    }

    fn zeros(classes: usize) -> Self {
        ConfusionMatrix {
            classes,
            weights: vec![0.0; classes * classes],
            label_rows: vec![0; classes],
        }
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Adds a row: its true class, the predicted class (both indices given as doubles, as
    /// Spark's columns are) and its weight.
    pub fn add(&mut self, label: f64, prediction: f64, weight: f64) -> Result<()> {
        let label = class_index(label, self.classes, "label")?;
        let prediction = class_index(prediction, self.classes, "prediction")?;
        check_weight(weight)?;
        self.weights[label * self.classes + prediction] += weight;
        self.label_rows[label] += 1;
        Ok(())
    }

    /// Adds another partition's counts; a matrix over fewer classes is taken as one with
    /// empty extra classes.
    pub fn merge(&mut self, other: &ConfusionMatrix) {
        if other.classes > self.classes {
            let mut grown = Self::zeros(other.classes);
            grown.add_cells(self);
            *self = grown;
        }
        self.add_cells(other);
    }

    /// Adds `other`'s cells, `other` having at most as many classes as `self`.
    fn add_cells(&mut self, other: &ConfusionMatrix) {
        for i in 0..other.classes {
            for j in 0..other.classes {
                self.weights[i * self.classes + j] += other.weights[i * other.classes + j];
            }
            self.label_rows[i] += other.label_rows[i];
        }
    }

    /// The weight of rows of class `label` predicted `prediction`.
    pub fn weight(&self, label: usize, prediction: usize) -> f64 {
        if label < self.classes && prediction < self.classes {
            self.weights[label * self.classes + prediction]
        } else {
            0.0
        }
    }

    /// Rows added, whatever their weight.
    pub fn rows(&self) -> u64 {
        self.label_rows.iter().sum()
    }

    /// The matrix as rows of true classes, columns of predicted classes (Spark's
    /// `confusionMatrix` layout).
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        self.weights
            .chunks(self.classes)
            .map(|row| row.to_vec())
            .collect()
    }
}

/// One class's weighted counts.
#[derive(Debug, Clone, Copy, Default)]
struct ClassCounts {
    /// Whether the class occurs as a true label (Spark's `labels`).
    is_label: bool,
    /// Total weight of rows of this class.
    label_weight: f64,
    true_positives: f64,
    /// Weight of rows of other classes predicted as this one.
    false_positives: f64,
}

/// Spark's `MulticlassMetrics` over a confusion matrix.
#[derive(Debug, Clone)]
pub struct MulticlassMetrics {
    classes: Vec<ClassCounts>,
    total_weight: f64,
    misclassified_weight: f64,
}

impl MulticlassMetrics {
    pub fn new(matrix: &ConfusionMatrix) -> Result<Self> {
        if matrix.rows() == 0 {
            return Err(Error::new(
                ErrorCode::MlInput,
                "there are no rows to evaluate: the evaluation set is empty",
            ));
        }
        let k = matrix.classes;
        let mut classes = vec![ClassCounts::default(); k];
        let (mut total_weight, mut misclassified_weight) = (0.0, 0.0);
        for label in 0..k {
            classes[label].is_label = matrix.label_rows[label] > 0;
            for prediction in 0..k {
                let w = matrix.weights[label * k + prediction];
                total_weight += w;
                classes[label].label_weight += w;
                if label == prediction {
                    classes[label].true_positives += w;
                } else {
                    classes[prediction].false_positives += w;
                    misclassified_weight += w;
                }
            }
        }
        Ok(MulticlassMetrics {
            classes,
            total_weight,
            misclassified_weight,
        })
    }

    /// The classes that occur as true labels, ascending (Spark's `labels`).
    pub fn labels(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.classes.len()).filter(|&c| self.classes[c].is_label)
    }

    /// `metricLabel` as a class that is one of Spark's labels.
    pub fn label(&self, metric_label: f64) -> Result<usize> {
        let class = class_index(metric_label, self.classes.len(), "metricLabel")?;
        if self.classes[class].is_label {
            Ok(class)
        } else {
            Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "metricLabel {metric_label} never occurs as a true label in the evaluated \
                     rows, so its per-label metrics are undefined (Spark fails too): pick a \
                     label that occurs"
                ),
            ))
        }
    }

    /// The value of `metric` (all but logLoss, which needs a [`LogLoss`]); `metric_label`
    /// and `beta` as the evaluator's params.
    pub fn metric(&self, metric: MulticlassMetric, metric_label: f64, beta: f64) -> Result<f64> {
        let label = || self.label(metric_label);
        Ok(match metric {
            MulticlassMetric::F1 => self.weighted_f_measure(1.0),
            MulticlassMetric::Accuracy => self.accuracy(),
            MulticlassMetric::WeightedPrecision => self.weighted_precision(),
            MulticlassMetric::WeightedRecall | MulticlassMetric::WeightedTruePositiveRate => {
                self.weighted_recall()
            }
            MulticlassMetric::WeightedFalsePositiveRate => self.weighted_false_positive_rate(),
            MulticlassMetric::WeightedFMeasure => self.weighted_f_measure(beta),
            MulticlassMetric::TruePositiveRateByLabel | MulticlassMetric::RecallByLabel => {
                self.recall(label()?)
            }
            MulticlassMetric::FalsePositiveRateByLabel => self.false_positive_rate(label()?),
            MulticlassMetric::PrecisionByLabel => self.precision(label()?),
            MulticlassMetric::FMeasureByLabel => self.f_measure(label()?, beta),
            MulticlassMetric::HammingLoss => self.hamming_loss(),
            MulticlassMetric::LogLoss => return Err(needs_probabilities()),
        })
    }

    fn counts(&self, class: usize) -> ClassCounts {
        self.classes.get(class).copied().unwrap_or_default()
    }

    /// `tp / (tp + fp)`, 0 when the class is never predicted.
    pub fn precision(&self, class: usize) -> f64 {
        let c = self.counts(class);
        let predicted = c.true_positives + c.false_positives;
        if predicted == 0.0 {
            0.0
        } else {
            c.true_positives / predicted
        }
    }

    /// `tp / (weight of the class)`; the true positive rate.
    pub fn recall(&self, class: usize) -> f64 {
        let c = self.counts(class);
        c.true_positives / c.label_weight
    }

    /// `fp / (weight of the other classes)`.
    pub fn false_positive_rate(&self, class: usize) -> f64 {
        let c = self.counts(class);
        c.false_positives / (self.total_weight - c.label_weight)
    }

    /// `(1 + β²)·p·r / (β²·p + r)`, 0 when `p + r` is 0.
    pub fn f_measure(&self, class: usize, beta: f64) -> f64 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r == 0.0 {
            return 0.0;
        }
        let beta2 = beta * beta;
        (1.0 + beta2) * p * r / (beta2 * p + r)
    }

    pub fn accuracy(&self) -> f64 {
        let correct: f64 = self.labels().map(|c| self.classes[c].true_positives).sum();
        correct / self.total_weight
    }

    /// The mean of `per_label` over the labels, weighted by each label's weight.
    fn weighted(&self, per_label: impl Fn(usize) -> f64) -> f64 {
        self.labels()
            .map(|c| per_label(c) * self.classes[c].label_weight / self.total_weight)
            .sum()
    }

    pub fn weighted_precision(&self) -> f64 {
        self.weighted(|c| self.precision(c))
    }

    /// Also Spark's `weightedTruePositiveRate`.
    pub fn weighted_recall(&self) -> f64 {
        self.weighted(|c| self.recall(c))
    }

    pub fn weighted_false_positive_rate(&self) -> f64 {
        self.weighted(|c| self.false_positive_rate(c))
    }

    pub fn weighted_f_measure(&self, beta: f64) -> f64 {
        self.weighted(|c| self.f_measure(c, beta))
    }

    /// The weight of misclassified rows over the total weight.
    pub fn hamming_loss(&self) -> f64 {
        self.misclassified_weight / self.total_weight
    }

    /// Every metric at once, for the page.
    pub fn summary(&self, beta: f64, log_loss: Option<&LogLoss>) -> MulticlassSummary {
        MulticlassSummary {
            accuracy: self.accuracy(),
            f1: self.weighted_f_measure(1.0),
            weighted_precision: self.weighted_precision(),
            weighted_recall: self.weighted_recall(),
            weighted_false_positive_rate: self.weighted_false_positive_rate(),
            weighted_f_measure: self.weighted_f_measure(beta),
            hamming_loss: self.hamming_loss(),
            log_loss: log_loss.and_then(|l| l.value().ok()),
            beta,
            classes: (0..self.classes.len())
                .map(|c| ClassSummary {
                    class: c,
                    is_label: self.classes[c].is_label,
                    weight: self.classes[c].label_weight,
                    precision: self.precision(c),
                    recall: self.recall(c),
                    false_positive_rate: self.false_positive_rate(c),
                    f_measure: self.f_measure(c, beta),
                })
                .collect(),
        }
    }
}

/// Every metric of one evaluation, for the page (NaN serialises as null).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MulticlassSummary {
    pub accuracy: f64,
    pub f1: f64,
    pub weighted_precision: f64,
    pub weighted_recall: f64,
    pub weighted_false_positive_rate: f64,
    pub weighted_f_measure: f64,
    pub hamming_loss: f64,
    pub log_loss: Option<f64>,
    /// The beta of `weighted_f_measure` and of each class's `f_measure`.
    pub beta: f64,
    pub classes: Vec<ClassSummary>,
}

/// One class's metrics. For a class that is not a label (`is_label` false) Spark defines
/// none; the numbers are then what the formulas give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassSummary {
    pub class: usize,
    pub is_label: bool,
    pub weight: f64,
    pub precision: f64,
    pub recall: f64,
    pub false_positive_rate: f64,
    pub f_measure: f64,
}

/// The weighted log-loss sum: fed each row's predicted probability of its true class.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLoss {
    eps: f64,
    loss: f64,
    weight: f64,
    rows: u64,
}

impl LogLoss {
    /// `eps` is Spark's clipping parameter, in (0, 0.5) ([`DEFAULT_EPS`]).
    pub fn new(eps: f64) -> Result<Self> {
        check_eps(eps)?;
        Ok(LogLoss {
            eps,
            loss: 0.0,
            weight: 0.0,
            rows: 0,
        })
    }

    /// Adds a row whose model gave its true class probability `p`: the loss is `−ln p`,
    /// with `p` clipped to `[eps, 1 − eps]` (Spark: `−ln eps` below, `−ln(1 − eps)`
    /// above).
    pub fn add(&mut self, p: f64, weight: f64) -> Result<()> {
        if p.is_nan() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "a predicted probability is NaN, so its log-loss is undefined: filter out \
                 rows whose prediction is NaN (often rows with a NaN feature)",
            ));
        }
        check_weight(weight)?;
        let loss = if p < self.eps {
            -self.eps.ln()
        } else if p > 1.0 - self.eps {
            -(-self.eps).ln_1p()
        } else {
            -p.ln()
        };
        self.loss += loss * weight;
        self.weight += weight;
        self.rows += 1;
        Ok(())
    }

    /// Adds a row from its probability vector and its true class.
    pub fn add_row(&mut self, probabilities: &[f64], label: f64, weight: f64) -> Result<()> {
        let class = class_index(label, probabilities.len(), "label")?;
        self.add(probabilities[class], weight)
    }

    /// Adds another partition's sum (built with the same `eps`).
    pub fn merge(&mut self, other: &LogLoss) {
        self.loss += other.loss;
        self.weight += other.weight;
        self.rows += other.rows;
    }

    /// The weighted mean loss.
    pub fn value(&self) -> Result<f64> {
        if self.rows == 0 {
            return Err(Error::new(
                ErrorCode::MlInput,
                "there are no rows to evaluate: the evaluation set is empty",
            ));
        }
        Ok(self.loss / self.weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3 classes; class 2 is never predicted. Rows (label, prediction, weight).
    fn example() -> ConfusionMatrix {
        let mut m = ConfusionMatrix::new(3).unwrap();
        for (label, prediction, weight) in [
            (0.0, 0.0, 1.0),
            (0.0, 0.0, 1.0),
            (0.0, 1.0, 2.0),
            (1.0, 1.0, 3.0),
            (1.0, 0.0, 1.0),
            (2.0, 1.0, 1.0),
            (2.0, 0.0, 1.0),
        ] {
            m.add(label, prediction, weight).unwrap();
        }
        m
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn hand_checked_metrics() {
        let m = MulticlassMetrics::new(&example()).unwrap();
        // Class weights: 0 → 4, 1 → 4, 2 → 2; total 10.
        // tp: 2, 3, 0. fp: class 0 ← 1 + 1 = 2, class 1 ← 2 + 1 = 3, class 2 ← 0.
        close(m.precision(0), 0.5);
        close(m.precision(1), 0.5);
        assert_eq!(m.precision(2), 0.0); // never predicted: 0, not NaN
        close(m.recall(0), 0.5);
        close(m.recall(1), 0.75);
        assert_eq!(m.recall(2), 0.0);
        close(m.false_positive_rate(0), 2.0 / 6.0);
        close(m.false_positive_rate(1), 3.0 / 6.0);
        assert_eq!(m.f_measure(2, 1.0), 0.0);
        close(m.f_measure(1, 1.0), 2.0 * 0.5 * 0.75 / 1.25);
        close(m.accuracy(), 0.5);
        close(m.hamming_loss(), 0.5);
        close(m.weighted_recall(), 0.5 * 0.4 + 0.75 * 0.4);
        close(m.weighted_precision(), 0.5 * 0.4 + 0.5 * 0.4);
        let f1 = 0.5 * 0.4 + 0.6 * 0.4;
        close(m.weighted_f_measure(1.0), f1);
        let params = MulticlassParams::default();
        close(params.evaluate(&example(), None).unwrap(), f1);
    }

    #[test]
    fn by_label_metrics_need_a_true_label() {
        let mut m = ConfusionMatrix::new(3).unwrap();
        m.add(0.0, 2.0, 1.0).unwrap();
        m.add(1.0, 1.0, 1.0).unwrap();
        let params = |label: f64| MulticlassParams {
            metric_name: MulticlassMetric::PrecisionByLabel,
            metric_label: label,
            ..Default::default()
        };
        assert_eq!(params(1.0).evaluate(&m, None).unwrap(), 1.0);
        // Class 2 is predicted but never a label.
        let err = params(2.0).evaluate(&m, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput);
        assert!(err.message().contains("never occurs as a true label"));
        assert!(params(0.5).evaluate(&m, None).is_err());
        assert!(params(3.0).evaluate(&m, None).is_err());
    }

    #[test]
    fn a_label_seen_only_with_weight_zero_is_still_a_label() {
        let mut m = ConfusionMatrix::new(2).unwrap();
        m.add(0.0, 0.0, 1.0).unwrap();
        m.add(1.0, 0.0, 0.0).unwrap();
        let metrics = MulticlassMetrics::new(&m).unwrap();
        assert_eq!(metrics.labels().collect::<Vec<_>>(), [0, 1]);
        // Its recall is 0/0, as in Spark, and so is everything weighted through it.
        assert!(metrics.recall(1).is_nan());
        assert!(metrics.weighted_recall().is_nan());
        assert_eq!(metrics.accuracy(), 1.0);
    }

    #[test]
    fn merging_equals_one_matrix_and_grows() {
        let whole = example();
        let mut a = ConfusionMatrix::new(2).unwrap();
        a.add(0.0, 0.0, 1.0).unwrap();
        a.add(0.0, 0.0, 1.0).unwrap();
        a.add(0.0, 1.0, 2.0).unwrap();
        let mut b = ConfusionMatrix::new(3).unwrap();
        for (label, prediction, weight) in [
            (1.0, 1.0, 3.0),
            (1.0, 0.0, 1.0),
            (2.0, 1.0, 1.0),
            (2.0, 0.0, 1.0),
        ] {
            b.add(label, prediction, weight).unwrap();
        }
        a.merge(&b);
        assert_eq!(a, whole);
    }

    #[test]
    fn log_loss_clips_with_eps() {
        let mut loss = LogLoss::new(DEFAULT_EPS).unwrap();
        loss.add(0.0, 1.0).unwrap();
        loss.add(1.0, 1.0).unwrap();
        loss.add_row(&[0.2, 0.5, 0.3], 1.0, 2.0).unwrap();
        let expected = (-(1e-15f64).ln() - (-1e-15f64).ln_1p() + 2.0 * -(0.5f64).ln()) / 4.0;
        close(loss.value().unwrap(), expected);
        assert!(loss.add(f64::NAN, 1.0).is_err());
        assert!(loss.add_row(&[0.5, 0.5], 2.0, 1.0).is_err());
        assert!(LogLoss::new(0.5).is_err());
        assert!(LogLoss::new(0.0).is_err());
    }

    #[test]
    fn bad_rows_and_params_are_refused() {
        let mut m = ConfusionMatrix::new(3).unwrap();
        for (label, prediction, weight) in [
            (3.0, 0.0, 1.0),
            (-1.0, 0.0, 1.0),
            (1.5, 0.0, 1.0),
            (f64::NAN, 0.0, 1.0),
            (0.0, f64::NAN, 1.0),
            (0.0, 0.0, -2.0),
            (0.0, 0.0, f64::NAN),
        ] {
            let err = m.add(label, prediction, weight).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MlInput);
        }
        assert!(ConfusionMatrix::new(0).is_err());
        assert!(MulticlassMetrics::new(&m).is_err());
        let bad_beta = MulticlassParams {
            beta: 0.0,
            ..Default::default()
        };
        assert!(bad_beta.validate().is_err());
        let log_loss = MulticlassParams {
            metric_name: MulticlassMetric::LogLoss,
            ..Default::default()
        };
        assert!(log_loss.evaluate(&example(), None).is_err());
    }

    #[test]
    fn names_and_directions_match_spark() {
        for metric in MulticlassMetric::ALL {
            assert_eq!(MulticlassMetric::from_name(metric.name()).unwrap(), metric);
            let json = serde_json::to_string(&metric).unwrap();
            assert_eq!(json, format!("\"{}\"", metric.name()));
        }
        assert!(MulticlassMetric::F1.is_larger_better());
        assert!(!MulticlassMetric::LogLoss.is_larger_better());
        assert!(!MulticlassMetric::FalsePositiveRateByLabel.is_larger_better());
        assert!(MulticlassMetric::from_name("precision").is_err());
    }
}
