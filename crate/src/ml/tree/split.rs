//! The best split of a node from its histogram, as Spark's `binsToBestSplit` and
//! `calculateImpurityStats` choose it:
//!
//! - continuous features: bins accumulated left to right, a split after each bin;
//! - ordered categorical features: categories sorted by a centroid (the class-1 count for
//!   a binary label, the mean for regression, the impurity for a multiclass label; empty
//!   categories last), a split after each;
//! - unordered categorical features (multiclass, few categories): every subset of
//!   categories, numbered as Spark numbers them (split `s` sends the categories of the
//!   bits of `s + 1` left).
//!
//! A split is invalid when a child has fewer than `minInstancesPerNode` rows or less than
//! `minWeightFractionPerNode` of the weight, or when it gains less than `minInfoGain`;
//! the first split with the largest gain wins, in feature order then split order.

use super::binning::{Binning, FeatureBins};
use super::impurity::{add, difference, Stats};
use super::params::TreeParams;

/// Spark's gain of an invalid split (`Double.MinValue`).
pub const INVALID_GAIN: f64 = f64::MIN;

/// Which rows of a node go left, in bins of the split feature.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Bins `0..=bin` go left.
    Threshold { bin: usize },
    /// These categories go left (ascending).
    Categories { left: Vec<usize> },
}

/// The best split found for a node, and the statistics Spark keeps for it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub gain: f64,
    /// False when no split is valid: the node becomes a leaf that Spark reports with
    /// impurity −1.
    pub valid: bool,
    /// The node's own statistics and impurity.
    pub stats: Vec<f64>,
    pub impurity: f64,
    /// The split, when some feature can be split at all.
    pub split: Option<(usize, Rule)>,
    pub left: Vec<f64>,
    pub right: Vec<f64>,
    pub left_impurity: f64,
    pub right_impurity: f64,
}

/// The limits a split must respect.
pub struct Limits {
    pub min_instances: f64,
    pub min_weight: f64,
    pub min_info_gain: f64,
}

impl Limits {
    pub fn new(params: &TreeParams, weighted_num_examples: f64) -> Limits {
        Limits {
            min_instances: params.min_instances_per_node as f64,
            min_weight: params.min_weight_fraction_per_node * weighted_num_examples,
            min_info_gain: params.min_info_gain,
        }
    }
}

/// Scratch space and the best candidate so far.
struct Search<'a> {
    stats: Stats,
    limits: &'a Limits,
    /// The node's statistics and impurity (fixed by the first candidate at the root).
    node: Option<(Vec<f64>, f64)>,
    best: Option<Decision>,
}

impl Search<'_> {
    /// Spark's `calculateImpurityStats` for one candidate; keeps it if it beats the best.
    fn consider(
        &mut self,
        feature: usize,
        rule: impl FnOnce() -> Rule,
        left: &[f64],
        right: &[f64],
    ) {
        let s = self.stats;
        if self.node.is_none() {
            let mut parent = left.to_vec();
            add(&mut parent, right);
            let impurity = s.impurity(&parent);
            self.node = Some((parent, impurity));
        }
        let (parent, impurity) = self.node.as_ref().expect("set above");
        let (left_count, right_count) = (s.count(left), s.count(right));
        let valid_sizes = s.raw_count(left) >= self.limits.min_instances
            && s.raw_count(right) >= self.limits.min_instances
            && left_count >= self.limits.min_weight
            && right_count >= self.limits.min_weight;
        let mut gain = INVALID_GAIN;
        let (mut li, mut ri) = (0.0, 0.0);
        if valid_sizes {
            li = s.impurity(left);
            ri = s.impurity(right);
            let total = left_count + right_count;
            let g = impurity - (left_count / total) * li - (right_count / total) * ri;
            if g >= self.limits.min_info_gain {
                gain = g;
            }
        }
        let better = match &self.best {
            None => true,
            Some(b) => gain > b.gain,
        };
        if better {
            let valid = gain != INVALID_GAIN;
            self.best = Some(Decision {
                gain,
                valid,
                stats: parent.clone(),
                impurity: *impurity,
                split: Some((feature, rule())),
                left: left.to_vec(),
                right: right.to_vec(),
                left_impurity: li,
                right_impurity: ri,
            });
        }
    }
}

/// The best split of a node over `features`. `hist` is the node's histogram (only the
/// listed features are read); `node` its statistics when known (every node but the
/// root: Spark keeps those its parent's split computed).
pub fn best_split(
    hist: &[f64],
    node: Option<&[f64]>,
    features: &[usize],
    binning: &Binning,
    stats: Stats,
    limits: &Limits,
) -> Decision {
    let width = stats.width();
    let mut search = Search {
        stats,
        limits,
        node: node.map(|n| (n.to_vec(), stats.impurity(n))),
        best: None,
    };
    let mut scratch = Vec::new();
    let mut left = vec![0.0; width];
    let mut right = vec![0.0; width];
    for &f in features {
        let bins = &binning.features[f];
        if bins.num_splits() == 0 {
            continue;
        }
        let nb = bins.num_bins();
        let at = binning.offsets[f] * width;
        let h = &hist[at..at + nb * width];
        match bins {
            FeatureBins::Continuous { .. } => {
                scratch.clear();
                scratch.extend_from_slice(h);
                for b in 1..nb {
                    let (done, rest) = scratch.split_at_mut(b * width);
                    add(&mut rest[..width], &done[(b - 1) * width..]);
                }
                let total = &scratch[(nb - 1) * width..nb * width];
                for s in 0..nb - 1 {
                    let l = &scratch[s * width..(s + 1) * width];
                    difference(total, l, &mut right);
                    search.consider(f, || Rule::Threshold { bin: s }, l, &right);
                }
            }
            FeatureBins::Categorical {
                arity,
                unordered: false,
            } => {
                let multiclass = stats.num_classes > 2;
                let mut order: Vec<(usize, f64)> = (0..*arity)
                    .map(|c| {
                        let cs = &h[c * width..(c + 1) * width];
                        let centroid = if stats.count(cs) != 0.0 {
                            if multiclass {
                                stats.impurity(cs)
                            } else if stats.is_classification() {
                                cs[1]
                            } else {
                                stats.predict(cs)
                            }
                        } else {
                            f64::MAX
                        };
                        (c, centroid)
                    })
                    .collect();
                order.sort_by(|a, b| a.1.total_cmp(&b.1));
                scratch.clear();
                for (k, &(c, _)) in order.iter().enumerate() {
                    scratch.extend_from_slice(&h[c * width..(c + 1) * width]);
                    if k > 0 {
                        let (done, rest) = scratch.split_at_mut(k * width);
                        add(rest, &done[(k - 1) * width..]);
                    }
                }
                let total = &scratch[(arity - 1) * width..arity * width];
                for s in 0..arity - 1 {
                    let l = &scratch[s * width..(s + 1) * width];
                    difference(total, l, &mut right);
                    let rule = || {
                        let mut cats: Vec<usize> = order[..=s].iter().map(|o| o.0).collect();
                        cats.sort_unstable();
                        Rule::Categories { left: cats }
                    };
                    search.consider(f, rule, l, &right);
                }
            }
            FeatureBins::Categorical {
                arity,
                unordered: true,
            } => {
                // The node's total: Spark's parent statistics.
                let total: Vec<f64> = match &search.node {
                    Some((n, _)) => n.clone(),
                    None => {
                        let mut t = vec![0.0; width];
                        for c in 0..*arity {
                            add(&mut t, &h[c * width..(c + 1) * width]);
                        }
                        t
                    }
                };
                for s in 0..bins.num_splits() {
                    let mask = s + 1;
                    left.iter_mut().for_each(|v| *v = 0.0);
                    for c in 0..*arity {
                        if mask >> c & 1 == 1 {
                            add(&mut left, &h[c * width..(c + 1) * width]);
                        }
                    }
                    difference(&total, &left, &mut right);
                    let rule = || Rule::Categories {
                        left: (0..*arity).filter(|c| mask >> c & 1 == 1).collect(),
                    };
                    search.consider(f, rule, &left, &right);
                }
            }
        }
    }
    match search.best {
        Some(best) => best,
        None => {
            // No feature can be split: Spark's dummy split with invalid statistics.
            let (stats_of_node, impurity) = search.node.unwrap_or_else(|| {
                let f = features.first().copied().unwrap_or(0);
                let at = binning.offsets[f] * width;
                let mut t = vec![0.0; width];
                for c in 0..binning.features[f].num_bins() {
                    add(&mut t, &hist[at + c * width..at + (c + 1) * width]);
                }
                let i = stats.impurity(&t);
                (t, i)
            });
            Decision {
                gain: INVALID_GAIN,
                valid: false,
                stats: stats_of_node,
                impurity,
                split: None,
                left: vec![0.0; width],
                right: vec![0.0; width],
                left_impurity: 0.0,
                right_impurity: 0.0,
            }
        }
    }
}
