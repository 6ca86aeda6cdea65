//! The first pass over the training rows: each group's weighted feature statistics and
//! class weights (what Spark's `Summarizer` and `MultiClassSummarizer` give
//! LogisticRegression), the checks of every label and weight, and the positions of the
//! rows later passes read (those of a group some fit learns from, with a positive
//! weight).
//!
//! A subset's statistics are its groups' merged, so one pass serves every fit.

use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{Prepared, Row};

/// Weighted statistics of some rows, as Spark's `Summarizer` keeps them: the weight sum,
/// the sum of squared weights, the weighted mean and `Σ w (x - mean)²` of each feature,
/// and the weight of each class. Rows of weight 0 are left out, as in Spark.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeightedSummary {
    pub weight_sum: f64,
    weight_squares: f64,
    pub mean: Vec<f64>,
    squares: Vec<f64>,
    pub class_weights: Vec<f64>,
}

impl WeightedSummary {
    pub fn new(features: usize, classes: usize) -> Self {
        WeightedSummary {
            weight_sum: 0.0,
            weight_squares: 0.0,
            mean: vec![0.0; features],
            squares: vec![0.0; features],
            class_weights: vec![0.0; classes],
        }
    }

    /// Adds one row of positive weight (West's weighted update, as Spark's).
    pub fn add(&mut self, features: &[f64], weight: f64, class: usize) {
        let total = self.weight_sum + weight;
        let share = weight / total;
        for ((mean, squares), &x) in self.mean.iter_mut().zip(&mut self.squares).zip(features) {
            let diff = x - *mean;
            *mean += share * diff;
            *squares += weight * (x - *mean) * diff;
        }
        self.weight_sum = total;
        self.weight_squares += weight * weight;
        self.class_weights[class] += weight;
    }

    /// Adds another set of rows' statistics (Chan et al.).
    pub fn merge(&mut self, other: &WeightedSummary) {
        if other.weight_sum == 0.0 {
            return;
        }
        if self.weight_sum == 0.0 {
            *self = other.clone();
            return;
        }
        let total = self.weight_sum + other.weight_sum;
        for j in 0..self.mean.len() {
            let delta = other.mean[j] - self.mean[j];
            self.mean[j] += delta * other.weight_sum / total;
            self.squares[j] +=
                other.squares[j] + delta * delta * self.weight_sum * other.weight_sum / total;
        }
        for (mine, theirs) in self.class_weights.iter_mut().zip(&other.class_weights) {
            *mine += theirs;
        }
        self.weight_sum = total;
        self.weight_squares += other.weight_squares;
    }

    /// Spark's standard deviation: the unbiased weighted estimate
    /// `√(Σ w (x - mean)² / (W - Σw²/W))` (÷ n-1 with unit weights), 0 when the
    /// denominator is not positive (a single row).
    pub fn std(&self) -> Vec<f64> {
        let denominator = self.weight_sum - self.weight_squares / self.weight_sum;
        self.squares
            .iter()
            .map(|&s| {
                if denominator > 0.0 {
                    (s / denominator).max(0.0).sqrt()
                } else {
                    0.0
                }
            })
            .collect()
    }
}

/// What the first pass found.
pub(crate) struct Scan {
    /// Statistics of each group `0..groups`.
    pub groups: Vec<WeightedSummary>,
    /// Per partition: the positions of the rows to train on, in order.
    pub rows: Vec<Vec<u32>>,
}

/// Scans every row whose group is `used`, checks it and summarises it.
pub(crate) fn scan(
    parts: &[Prepared],
    classes: usize,
    used: &[bool],
    ctx: &JobContext,
) -> Result<Scan> {
    let features = parts.first().map_or(0, |p| p.layout.features);
    // Per partition: its groups' statistics and the rows to train on.
    type PartScan = (Vec<WeightedSummary>, Vec<u32>);
    let per_part: Vec<Result<PartScan>> = parts
        .par_iter()
        .map(|part| {
            ctx.check()?;
            let mut groups = vec![WeightedSummary::new(features, classes); used.len()];
            let mut rows = Vec::new();
            for (i, row) in part.iter().enumerate() {
                let group = row.group as usize;
                if !used.get(group).copied().unwrap_or(false) {
                    continue;
                }
                let class = check_row(&row, classes)?;
                if row.weight > 0.0 {
                    groups[group].add(row.features, row.weight, class);
                    rows.push(i as u32);
                }
            }
            ctx.advance();
            Ok((groups, rows))
        })
        .collect();
    let mut groups = vec![WeightedSummary::new(features, classes); used.len()];
    let mut rows = Vec::with_capacity(parts.len());
    for part in per_part {
        let (part_groups, part_rows) = part?;
        for (all, one) in groups.iter_mut().zip(&part_groups) {
            all.merge(one);
        }
        rows.push(part_rows);
    }
    Ok(Scan { groups, rows })
}

/// The row's class, or an error naming the row when its label, weight or a feature
/// cannot be trained on (Spark's `checkClassificationLabels`, `checkNonNegativeWeights`
/// and `checkNonNanVectors`).
fn check_row(row: &Row, classes: usize) -> Result<usize> {
    let at = row.row + 1;
    let bad = |message: String| Err(Error::new(ErrorCode::MlInput, message).at_row(at));
    let label = row.label;
    if !(label >= 0.0 && label < classes as f64 && label.fract() == 0.0) {
        return bad(format!(
            "the label is {label} in row {at}; labels must be class indices 0 to {} (index \
             a text or numeric label with StringIndexer first)",
            classes - 1
        ));
    }
    if !(row.weight >= 0.0 && row.weight.is_finite()) {
        return bad(format!(
            "the weight is {} in row {at}; instance weights must be finite and ≥ 0",
            row.weight
        ));
    }
    if let Some(j) = row.features.iter().position(|x| !x.is_finite()) {
        return bad(format!(
            "feature {j} (counting from 0) is {} in row {at}; features must be finite numbers",
            row.features[j]
        ));
    }
    Ok(label as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_std_is_sparks_unbiased_estimate_and_merging_agrees() {
        let rows = [
            ([1.0, 5.0], 1.0, 0),
            ([2.0, 5.0], 2.0, 1),
            ([4.0, 5.0], 0.5, 1),
            ([7.0, 5.0], 3.0, 0),
        ];
        let mut all = WeightedSummary::new(2, 2);
        let (mut head, mut tail) = (all.clone(), all.clone());
        for (i, (x, w, c)) in rows.iter().enumerate() {
            all.add(x, *w, *c);
            if i < 2 { &mut head } else { &mut tail }.add(x, *w, *c);
        }
        head.merge(&tail);
        let w: f64 = 6.5;
        let mean = (1.0 + 4.0 + 2.0 + 21.0) / w;
        let squares: f64 = rows
            .iter()
            .map(|(x, wi, _)| wi * (x[0] - mean).powi(2))
            .sum();
        let expected = (squares / (w - (1.0 + 4.0 + 0.25 + 9.0) / w)).sqrt();
        for summary in [&all, &head] {
            assert!((summary.mean[0] - mean).abs() < 1e-14);
            assert!((summary.std()[0] - expected).abs() < 1e-14);
            // A constant column has exactly 0 spread, as Spark finds it.
            assert_eq!(summary.std()[1], 0.0);
            assert_eq!(summary.class_weights, vec![4.0, 2.5]);
        }
    }
}
