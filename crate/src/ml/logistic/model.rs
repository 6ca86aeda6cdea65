//! A fitted LogisticRegressionModel and how it scores a row, as Spark's
//! `LogisticRegressionModel` does: margins (`rawPrediction`), then probabilities, then
//! the predicted class from `threshold` / `thresholds`.
//!
//! Scoring writes into the caller's slices: no allocation per row.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ml::thresholds::probability_to_prediction;

/// A fitted model on the original scale of the features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogisticRegressionModel {
    pub num_classes: usize,
    pub num_features: usize,
    pub is_multinomial: bool,
    /// One row of coefficients per coefficient set: 1 row (class 1's margin) for a
    /// binomial model, one per class for a multinomial one.
    pub coefficient_matrix: Vec<Vec<f64>>,
    /// One intercept per row of `coefficient_matrix`.
    pub intercept_vector: Vec<f64>,
    pub threshold: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Vec<f64>>,
    /// Solver iterations: evaluations of the objective, one per pass over the data (a
    /// cross-validation fold's first one comes from its all-folds fit's last pass). Like
    /// Spark's `summary.totalIterations`, at most `maxIter`.
    pub num_iterations: usize,
    /// Whether the solver met `tol` within `maxIter`.
    pub converged: bool,
}

impl LogisticRegressionModel {
    /// The margins (Spark's `rawPrediction`, `num_classes` values): `[-m, m]` for a
    /// binomial model with margin `m = w·x + b`, one margin per class otherwise.
    pub fn raw_prediction(&self, features: &[f64], out: &mut [f64]) {
        let margin = |row: &[f64], intercept: f64| {
            intercept + row.iter().zip(features).map(|(w, x)| w * x).sum::<f64>()
        };
        if self.is_multinomial {
            for ((slot, row), &b) in out
                .iter_mut()
                .zip(&self.coefficient_matrix)
                .zip(&self.intercept_vector)
            {
                *slot = margin(row, b);
            }
        } else if let ([negative, positive, ..], Some(row), Some(&b)) = (
            out,
            self.coefficient_matrix.first(),
            self.intercept_vector.first(),
        ) {
            let m = margin(row, b);
            *negative = -m;
            *positive = m;
        }
    }

    /// Class probabilities from the margins, with Spark's arithmetic: the binomial
    /// `p₀ = 1/(1 + e^{-raw₀})`, `p₁ = 1 - p₀`; the multinomial softmax shifted by the
    /// largest margin (a `+∞` margin takes all the probability).
    pub fn probability(&self, raw: &[f64], out: &mut [f64]) {
        if self.is_multinomial {
            softmax(raw, out);
        } else if let ([raw0, ..], [p0, p1, ..]) = (raw, out) {
            *p0 = 1.0 / (1.0 + (-raw0).exp());
            *p1 = 1.0 - *p0;
        }
    }

    /// The predicted class (as Spark's `probability2prediction`).
    ///
    /// Binomial: class 1 when `p₁ > t`, with `t = threshold`, or `1 / (1 + t₀/t₁)` from
    /// `thresholds`. Multinomial: the class with the largest `p / t` for `thresholds`
    /// (a class whose threshold is 0 wins unless its probability is 0), else the most
    /// probable class; ties go to the first.
    pub fn predict(&self, probability: &[f64]) -> f64 {
        if !self.is_multinomial {
            let t = match self.thresholds.as_deref() {
                Some([t0, t1]) => 1.0 / (1.0 + t0 / t1),
                _ => self.threshold,
            };
            return match probability.get(1) {
                Some(&p1) if p1 > t => 1.0,
                _ => 0.0,
            };
        }
        probability_to_prediction(probability, self.thresholds.as_deref())
    }
}

/// Spark's softmax: `e^{m - max} / Σ`, and a `+∞` margin takes probability 1.
fn softmax(raw: &[f64], out: &mut [f64]) {
    if let Some(i) = raw.iter().position(|&m| m == f64::INFINITY) {
        out.iter_mut().for_each(|p| *p = 0.0);
        if let Some(p) = out.get_mut(i) {
            *p = 1.0;
        }
        return;
    }
    let max = raw.iter().copied().fold(f64::MIN, f64::max);
    let mut sum = 0.0;
    for (p, &m) in out.iter_mut().zip(raw) {
        *p = (m - max).exp();
        sum += *p;
    }
    out.iter_mut().for_each(|p| *p /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binomial(threshold: f64, thresholds: Option<Vec<f64>>) -> LogisticRegressionModel {
        LogisticRegressionModel {
            num_classes: 2,
            num_features: 2,
            is_multinomial: false,
            coefficient_matrix: vec![vec![1.0, -2.0]],
            intercept_vector: vec![0.5],
            threshold,
            thresholds,
            num_iterations: 0,
            converged: true,
        }
    }

    fn multinomial(thresholds: Option<Vec<f64>>) -> LogisticRegressionModel {
        LogisticRegressionModel {
            num_classes: 3,
            num_features: 1,
            is_multinomial: true,
            coefficient_matrix: vec![vec![1.0], vec![0.0], vec![-1.0]],
            intercept_vector: vec![0.0, 0.5, 0.0],
            threshold: 0.5,
            thresholds,
            num_iterations: 0,
            converged: true,
        }
    }

    #[test]
    fn binomial_margins_probabilities_and_thresholds() {
        let model = binomial(0.5, None);
        let (mut raw, mut p) = ([0.0; 2], [0.0; 2]);
        model.raw_prediction(&[2.0, 1.0], &mut raw);
        assert_eq!(raw, [-0.5, 0.5]);
        model.probability(&raw, &mut p);
        assert!((p[1] - 1.0 / (1.0 + (-0.5f64).exp())).abs() < 1e-15);
        assert_eq!(p[0] + p[1], 1.0);
        assert_eq!(model.predict(&p), 1.0);
        assert_eq!(binomial(0.7, None).predict(&p), 0.0);
        // thresholds (t0, t1) act as threshold 1 / (1 + t0/t1): here 0.4, the point
        // where p1/t1 overtakes p0/t0.
        assert_eq!(
            binomial(0.5, Some(vec![0.6, 0.4])).predict(&[0.61, 0.39]),
            0.0
        );
        assert_eq!(
            binomial(0.5, Some(vec![0.6, 0.4])).predict(&[0.59, 0.41]),
            1.0
        );
        // t1 = 0 predicts 1 unless p1 is 0; t0 = 0 always predicts 0.
        assert_eq!(
            binomial(0.5, Some(vec![1.0, 0.0])).predict(&[0.99, 0.01]),
            1.0
        );
        assert_eq!(
            binomial(0.5, Some(vec![1.0, 0.0])).predict(&[1.0, 0.0]),
            0.0
        );
        assert_eq!(
            binomial(0.5, Some(vec![0.0, 1.0])).predict(&[0.0, 1.0]),
            0.0
        );
        // Strictly above: p1 equal to the threshold is class 0.
        assert_eq!(binomial(0.5, None).predict(&[0.5, 0.5]), 0.0);
    }

    #[test]
    fn multinomial_softmax_and_thresholds() {
        let model = multinomial(None);
        let (mut raw, mut p) = ([0.0; 3], [0.0; 3]);
        model.raw_prediction(&[1.0], &mut raw);
        assert_eq!(raw, [1.0, 0.5, -1.0]);
        model.probability(&raw, &mut p);
        let z: f64 = raw.iter().map(|m| m.exp()).sum();
        for (pi, m) in p.iter().zip(raw) {
            assert!((pi - m.exp() / z).abs() < 1e-15);
        }
        assert_eq!(model.predict(&p), 0.0);
        // p / t: 0.2/0.1 beats 0.5/0.5.
        let scaled = multinomial(Some(vec![0.5, 0.1, 0.5]));
        assert_eq!(scaled.predict(&[0.5, 0.2, 0.3]), 1.0);
        // A zero threshold wins whenever its class has some probability, as in Spark
        // 4.3 (p/0 is infinite; 0/0 is NaN and never wins).
        let zero = multinomial(Some(vec![0.4, 0.0, 0.6]));
        assert_eq!(zero.predict(&[0.98, 0.01, 0.01]), 1.0);
        assert_eq!(zero.predict(&[0.9, 0.0, 0.1]), 0.0);
        // Ties go to the first class.
        assert_eq!(model.predict(&[0.4, 0.4, 0.2]), 0.0);
        // Huge margins do not overflow; +∞ takes everything.
        model.probability(&[1000.0, 0.0, -1000.0], &mut p);
        assert_eq!(p, [1.0, 0.0, 0.0]);
        model.probability(&[0.0, f64::INFINITY, 1.0], &mut p);
        assert_eq!(p, [0.0, 1.0, 0.0]);
    }
}
