//! Features turned into small integers once, before any tree is grown (Spark's
//! `findSplits` + `TreePoint`): a continuous feature is cut at Spark's split candidates
//! into at most `maxBins` bins, a categorical feature's bin is its category.
//!
//! Split candidates are computed exactly as Spark computes them from the rows it reads:
//! every row when there are at most max(maxBins², 10000), else a Bernoulli sample of that
//! expected size (from Brasa's own random stream, so the sample differs from Spark's).
//! Zeros are counted apart and added back as "weight not seen elsewhere", as Spark does
//! for sparse vectors; the cut points are midpoints between neighbouring distinct values,
//! spaced by weight.

use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{Parts, Prepared, Subset};
use crate::random::{unit, Stream};

use super::impurity::EPSILON;
use super::params::{TreeParams, TreeTask};

pub use crate::ml::dataset::CategoricalFeatures;

/// How one feature is binned.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureBins {
    /// Bin `b` holds the values in `(thresholds[b-1], thresholds[b]]`; a split at `s`
    /// sends bins `0..=s` left (`value <= thresholds[s]`).
    Continuous { thresholds: Vec<f64> },
    /// Bin = category. `unordered`: a multiclass label and few categories, so every
    /// subset of categories is a candidate split (Spark's unordered features); otherwise
    /// categories are ordered by a label statistic at each node.
    Categorical { arity: usize, unordered: bool },
}

impl FeatureBins {
    /// Histogram bins the feature takes.
    pub fn num_bins(&self) -> usize {
        match self {
            FeatureBins::Continuous { thresholds } => thresholds.len() + 1,
            FeatureBins::Categorical { arity, .. } => *arity,
        }
    }

    /// Candidate splits (0: the feature is never split on).
    pub fn num_splits(&self) -> usize {
        match self {
            FeatureBins::Continuous { thresholds } => thresholds.len(),
            FeatureBins::Categorical { arity, .. } if *arity < 2 => 0,
            FeatureBins::Categorical {
                arity,
                unordered: true,
            } => (1usize << (arity - 1)) - 1,
            FeatureBins::Categorical { arity, .. } => arity - 1,
        }
    }
}

/// Every feature's bins, and what Spark's `DecisionTreeMetadata` knows about the rows.
#[derive(Debug, Clone)]
pub struct Binning {
    pub features: Vec<FeatureBins>,
    /// Where each feature's bins start in a node histogram (in bins).
    pub offsets: Vec<usize>,
    pub total_bins: usize,
    /// Training rows, and their total weight.
    pub num_examples: u64,
    pub weighted_num_examples: f64,
}

/// A partition's rows in bins: `codes[row * features + f]`.
pub enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
}

/// A bin code (`u8` or `u16`).
pub trait Code: Copy + Send + Sync {
    fn index(self) -> usize;
}

impl Code for u8 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

impl Code for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

/// One partition's training rows, binned.
pub struct BinnedPart {
    pub codes: Codes,
    pub labels: Vec<f64>,
    pub weights: Vec<f64>,
    /// Each row's number in the table (what random streams are keyed on).
    pub rows: Vec<u64>,
}

impl BinnedPart {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// The training rows of a fit, binned, with their binning.
pub struct BinnedData {
    pub binning: Binning,
    pub parts: Vec<BinnedPart>,
    pub num_features: usize,
}

/// Spark's `samplesFractionForFindSplits`.
fn sample_fraction(max_bins: usize, num_examples: u64) -> f64 {
    let required = (max_bins * max_bins).max(10_000) as u64;
    if required < num_examples {
        required as f64 / num_examples as f64
    } else {
        1.0
    }
}

fn input_error(message: String) -> Error {
    Error::new(ErrorCode::MlInput, message)
}

/// Checks one training row; `label_of` says what a label must be.
fn check_row(
    features: &[f64],
    label: f64,
    weight: f64,
    row: u64,
    task: TreeTask,
    categorical: &CategoricalFeatures,
) -> Result<()> {
    if let Some(f) = features.iter().position(|v| v.is_nan()) {
        return Err(input_error(format!(
            "feature {f} is NaN in row {row}; trees need a value in every feature"
        ))
        .at_row(row));
    }
    match task {
        TreeTask::Classification { num_classes } => {
            if !(label >= 0.0 && label < num_classes as f64 && label.fract() == 0.0) {
                return Err(input_error(format!(
                    "the label of row {row} is {label}; a classifier with {num_classes} \
                     classes needs labels 0, 1, …, {}",
                    num_classes - 1
                ))
                .at_row(row));
            }
        }
        TreeTask::Regression => {
            if !label.is_finite() {
                return Err(input_error(format!("the label of row {row} is {label}")).at_row(row));
            }
        }
    }
    if !(weight >= 0.0 && weight.is_finite()) {
        return Err(input_error(format!(
            "the weight of row {row} is {weight}; weights must be finite and ≥ 0"
        ))
        .at_row(row));
    }
    for (&f, &arity) in categorical {
        let v = features[f];
        if !(v >= 0.0 && v < arity as f64 && v.fract() == 0.0) {
            return Err(input_error(format!(
                "feature {f} is categorical with values in {{0,...,{}}}, but row {row} gives \
                 it value {v}",
                arity.saturating_sub(1)
            ))
            .at_row(row));
        }
    }
    Ok(())
}

/// Spark's `findSplitsForContinuousFeature`: `values` are the non-zero values read with
/// their weights (`count` of them), `weighted_samples` the weight of every row read.
pub fn continuous_thresholds(
    values: &mut [(f64, f64)],
    count: usize,
    weighted_samples: f64,
    num_splits: usize,
) -> Vec<f64> {
    if values.is_empty() {
        return Vec::new();
    }
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Distinct values with their weights.
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    for &(v, w) in values.iter() {
        match distinct.last_mut() {
            Some(last) if last.0 == v => last.1 += w,
            _ => distinct.push((v, w)),
        }
    }
    let seen: f64 = distinct.iter().map(|d| d.1).sum();
    let tolerance = EPSILON * count as f64 * 100.0;
    if weighted_samples - seen > tolerance {
        let at = distinct.partition_point(|d| d.0 < 0.0);
        distinct.insert(at, (0.0, weighted_samples - seen));
    }
    let possible = distinct.len() - 1;
    if possible == 0 {
        return Vec::new();
    }
    if possible <= num_splits {
        return distinct
            .windows(2)
            .map(|w| (w[0].0 + w[1].0) / 2.0)
            .collect();
    }
    let stride = weighted_samples / (num_splits + 1) as f64;
    let mut splits = Vec::with_capacity(num_splits);
    let mut current = distinct[0].1;
    let mut target = stride;
    for i in 1..distinct.len() {
        let previous = current;
        current += distinct[i].1;
        if (previous - target).abs() < (current - target).abs() {
            splits.push((distinct[i - 1].0 + distinct[i].0) / 2.0);
            target += stride;
        }
    }
    splits
}

impl BinnedData {
    /// Checks the training rows of `subset`, finds every feature's bins and bins the rows,
    /// in parallel over partitions (and over features for the split candidates).
    pub fn build(
        parts: Parts,
        subset: Subset,
        categorical: &CategoricalFeatures,
        params: &TreeParams,
        task: TreeTask,
        seed: u64,
        ctx: &JobContext,
    ) -> Result<BinnedData> {
        let num_features = parts.layout().map_or(0, |l| l.features);
        if num_features == 0 {
            return Err(input_error("a tree needs at least one feature".to_string()));
        }
        for (&f, &arity) in categorical {
            if f >= num_features {
                return Err(input_error(format!(
                    "categorical feature {f} is out of range: there are {num_features} features"
                )));
            }
            if arity == 0 {
                return Err(input_error(format!(
                    "categorical feature {f} has no categories"
                )));
            }
        }
        // Count, weigh and check the rows.
        let totals: Vec<(u64, f64)> = parts.map(|_, part| {
            ctx.check()?;
            let mut n = 0u64;
            let mut w = 0.0;
            for r in part.iter().filter(|r| subset.trains_on(r)) {
                check_row(r.features, r.label, r.weight, r.row, task, categorical)?;
                n += 1;
                w += r.weight;
            }
            Ok((n, w))
        })?;
        let num_examples: u64 = totals.iter().map(|t| t.0).sum();
        let weighted_num_examples = totals.iter().fold(0.0, |acc, t| acc + t.1);
        if num_examples == 0 {
            return Err(input_error(
                "there are no training rows to grow a tree from".to_string(),
            ));
        }
        let max_possible_bins = (params.max_bins as u64).min(num_examples) as usize;
        if let Some((&f, &arity)) = categorical.iter().max_by_key(|(_, &a)| a) {
            if arity > max_possible_bins {
                return Err(input_error(format!(
                    "maxBins (= {max_possible_bins}) must be at least as large as the number \
                     of values in each categorical feature, but categorical feature {f} has \
                     {arity} values; raise maxBins or drop the feature"
                )));
            }
        }
        let multiclass =
            matches!(task, TreeTask::Classification { num_classes } if num_classes > 2);
        let max_unordered_arity =
            ((((max_possible_bins / 2 + 1) as f64).ln() / 2f64.ln()) + 1.0).floor() as usize;

        // Split candidates of the continuous features.
        let continuous: Vec<usize> = (0..num_features)
            .filter(|f| !categorical.contains_key(f))
            .collect();
        let fraction = sample_fraction(params.max_bins, num_examples);
        let sampled: Vec<Vec<Vec<(f64, f64)>>> = parts.map(|_, part| {
            ctx.check()?;
            let mut per_feature = vec![Vec::new(); continuous.len()];
            for r in part.iter().filter(|r| subset.trains_on(r)) {
                if fraction < 1.0 && unit(seed, Stream::TreeSplitSample, r.row) >= fraction {
                    continue;
                }
                for (k, &f) in continuous.iter().enumerate() {
                    let v = r.features[f];
                    if v != 0.0 {
                        per_feature[k].push((v, r.weight));
                    }
                }
            }
            Ok(per_feature)
        })?;
        let weighted_samples = fraction * weighted_num_examples;
        let thresholds: Vec<Vec<f64>> = (0..continuous.len())
            .into_par_iter()
            .map(|k| {
                let mut values: Vec<(f64, f64)> =
                    sampled.iter().flat_map(|p| p[k].iter().copied()).collect();
                let count = values.len();
                continuous_thresholds(&mut values, count, weighted_samples, max_possible_bins - 1)
            })
            .collect();
        let mut thresholds = thresholds.into_iter();
        let features: Vec<FeatureBins> = (0..num_features)
            .map(|f| match categorical.get(&f) {
                Some(&arity) => FeatureBins::Categorical {
                    arity,
                    unordered: multiclass && arity > 1 && arity <= max_unordered_arity,
                },
                None => FeatureBins::Continuous {
                    thresholds: thresholds.next().unwrap_or_default(),
                },
            })
            .collect();
        let mut offsets = Vec::with_capacity(num_features);
        let mut total_bins = 0;
        for f in &features {
            offsets.push(total_bins);
            total_bins += f.num_bins();
        }
        let binning = Binning {
            features,
            offsets,
            total_bins,
            num_examples,
            weighted_num_examples,
        };
        let wide = binning.features.iter().any(|f| f.num_bins() > 256);
        let binned: Vec<BinnedPart> = parts.map(|_, part| {
            ctx.check()?;
            Ok(bin_part(part, subset, &binning, wide))
        })?;
        Ok(BinnedData {
            binning,
            parts: binned,
            num_features,
        })
    }
}

fn bin_part(part: &Prepared, subset: Subset, binning: &Binning, wide: bool) -> BinnedPart {
    let mut codes8 = Vec::new();
    let mut codes16 = Vec::new();
    let mut labels = Vec::new();
    let mut weights = Vec::new();
    let mut rows = Vec::new();
    for r in part.iter().filter(|r| subset.trains_on(r)) {
        for (v, bins) in r.features.iter().zip(&binning.features) {
            let code = match bins {
                FeatureBins::Continuous { thresholds } => thresholds.partition_point(|&t| t < *v),
                FeatureBins::Categorical { .. } => *v as usize,
            };
            if wide {
                codes16.push(code as u16);
            } else {
                codes8.push(code as u8);
            }
        }
        labels.push(r.label);
        weights.push(r.weight);
        rows.push(r.row);
    }
    BinnedPart {
        codes: if wide {
            Codes::U16(codes16)
        } else {
            Codes::U8(codes8)
        },
        labels,
        weights,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_give_every_midpoint() {
        let mut v: Vec<(f64, f64)> = [3.0, 1.0, 2.0, 1.0].iter().map(|&x| (x, 1.0)).collect();
        // Six rows read, four non-zero: the two zeros come back as one value.
        let t = continuous_thresholds(&mut v, 4, 6.0, 31);
        assert_eq!(t, vec![0.5, 1.5, 2.5]);
        let mut constant = vec![(2.0, 1.0); 5];
        assert!(continuous_thresholds(&mut constant, 5, 5.0, 31).is_empty());
    }

    #[test]
    fn many_values_are_cut_by_weight() {
        let mut v: Vec<(f64, f64)> = (1..=100).map(|x| (x as f64, 1.0)).collect();
        let t = continuous_thresholds(&mut v, 100, 100.0, 3);
        assert_eq!(t, vec![25.5, 50.5, 75.5]);
    }

    #[test]
    fn unordered_splits_count_subsets() {
        let f = FeatureBins::Categorical {
            arity: 4,
            unordered: true,
        };
        assert_eq!(f.num_splits(), 7);
        let f = FeatureBins::Categorical {
            arity: 4,
            unordered: false,
        };
        assert_eq!(f.num_splits(), 3);
    }
}
