//! RandomForestClassifier and RandomForestRegressor as Spark defines them: `numTrees`
//! trees grown on the same binned rows, each on its own bootstrap sample (Spark's
//! `BaggedPoint`: a Poisson(`subsamplingRate`) count per row, or a Bernoulli draw without
//! `bootstrap`), each node choosing among a random subset of the features
//! (`featureSubsetStrategy`). A classifier's probability is the mean of its trees'
//! normalised leaf class counts; a regressor predicts the mean of its trees.
//!
//! The random streams are Brasa's own ([`crate::random`]), keyed on the seed, the tree
//! and the row's number in the table (or the node's number in the tree), so a forest is
//! the same for any partitioning and thread count, but not the same forest as Spark's.
//! The trees are grown in parallel.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::job::JobContext;
use crate::random::{keyed_bits, mix, stream_key, Stream};

use super::binning::BinnedData;
use super::decision_tree::TreeInput;
use super::grow::{grow, GrowOptions};
use super::impurity::{argmax, sum_in_order, Stats};
use super::model::{ensemble_debug_string, ensemble_importances, DecisionTreeModel};
use super::params::{ForestParams, TreeTask};

/// A fitted RandomForestClassificationModel or RandomForestRegressionModel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForestModel {
    pub trees: Vec<DecisionTreeModel>,
    pub num_features: usize,
    /// Classes of a classifier; 0 for a regressor.
    pub num_classes: usize,
}

impl ForestModel {
    /// A classifier's `rawPrediction`: the sum over trees of the leaf's class counts
    /// normalised to 1.
    pub fn raw_prediction(&self, features: &[f64]) -> Vec<f64> {
        let mut votes = vec![0.0; self.num_classes];
        self.raw_prediction_into(features, &mut votes);
        votes
    }

    /// [`ForestModel::raw_prediction`] written into `votes` (`num_classes` long), so
    /// scoring many rows allocates nothing.
    pub fn raw_prediction_into(&self, features: &[f64], votes: &mut [f64]) {
        votes.fill(0.0);
        for tree in &self.trees {
            let counts = &tree.leaf(features).stats;
            let total = sum_in_order(counts);
            if total != 0.0 {
                for (v, c) in votes.iter_mut().zip(counts) {
                    *v += c / total;
                }
            }
        }
    }

    /// A classifier's `probability`: the raw prediction normalised.
    pub fn probability(&self, features: &[f64]) -> Vec<f64> {
        super::model::normalized(&self.raw_prediction(features))
    }

    /// The class with the largest vote, or the trees' mean prediction.
    pub fn predict(&self, features: &[f64]) -> f64 {
        if self.num_classes > 0 {
            argmax(&self.raw_prediction(features)) as f64
        } else {
            let sum = self
                .trees
                .iter()
                .fold(0.0, |acc, t| acc + t.predict(features));
            sum / self.trees.len() as f64
        }
    }

    /// Predictions for row-major rows of `width` values, features first.
    pub fn predict_rows(&self, values: &[f64], width: usize) -> Result<Vec<f64>> {
        super::model::check_rows(values, width, self.num_features)?;
        Ok(values
            .par_chunks(width * 4096)
            .flat_map_iter(|block| block.chunks_exact(width).map(|row| self.predict(row)))
            .collect())
    }

    /// Spark's forest feature importances (each tree normalised, then the mean).
    pub fn feature_importances(&self) -> Vec<f64> {
        ensemble_importances(&self.trees, self.num_features, true)
    }

    /// Spark's `toDebugString` for a model with this `uid`.
    pub fn debug_string(&self, uid: &str) -> String {
        let header = if self.num_classes > 0 {
            format!(
                "RandomForestClassificationModel: uid={uid}, numTrees={}, numClasses={}, numFeatures={}",
                self.trees.len(),
                self.num_classes,
                self.num_features
            )
        } else {
            format!(
                "RandomForestRegressionModel: uid={uid}, numTrees={}, numFeatures={}",
                self.trees.len(),
                self.num_features
            )
        };
        // Every tree of a forest weighs 1.
        ensemble_debug_string(&header, &self.trees, &vec![1.0; self.trees.len()])
    }
}

/// Poisson(λ) draws by inversion of the distribution function: one uniform per draw
/// (Knuth's product of uniforms takes λ + 1 of them on average, and was a tenth of a
/// forest's time).
///
/// The uniform is `m / 2⁵³` for a 53-bit integer `m`, and `m / 2⁵³ < c` exactly when
/// `m < ⌈c · 2⁵³⌉`, so the search compares integers; the first few are compared without
/// a branch (which count a row gets is as good as random, and a search that stops at the
/// first larger value mispredicted on most rows).
struct Poisson {
    /// `⌈P(X ≤ k) · 2⁵³⌉` for k = 0, 1, … until P reaches 1 in f64.
    thresholds: Vec<u64>,
    /// The first [`Poisson::FIRST`] thresholds, padded with values no draw reaches.
    first: [u64; Poisson::FIRST],
}

impl Poisson {
    const FIRST: usize = 8;

    fn new(lambda: f64) -> Poisson {
        let mut thresholds = Vec::new();
        let (mut p, mut total) = ((-lambda).exp(), 0.0);
        let mut k = 0.0;
        while total < 1.0 && thresholds.len() < 64 {
            total += p;
            thresholds.push(below(total));
            k += 1.0;
            p *= lambda / k;
        }
        let mut first = [u64::MAX; Poisson::FIRST];
        for (f, &t) in first.iter_mut().zip(&thresholds) {
            *f = t;
        }
        Poisson { thresholds, first }
    }

    /// The draw for the uniform stream `state`: how many thresholds `m` reaches.
    #[inline]
    fn draw(&self, state: u64) -> u16 {
        let m = mix(state) >> 11;
        if m < self.first[Poisson::FIRST - 1] {
            self.first.iter().map(|&t| u16::from(t <= m)).sum()
        } else {
            self.thresholds.iter().take_while(|&&t| t <= m).count() as u16
        }
    }
}

/// The smallest 53-bit integer `m` with `m / 2⁵³ ≥ p`: `m / 2⁵³ < p` exactly when `m` is
/// below it.
fn below(p: f64) -> u64 {
    (p * (1u64 << 53) as f64).ceil() as u64
}

/// Tree `tree`'s count of each row: Poisson(rate) with `bootstrap`, else kept with
/// probability `rate` (every row once when `rate` is 1).
fn bag(data: &BinnedData, params: &ForestParams, tree: usize) -> Option<Vec<Vec<u16>>> {
    if !params.bootstrap && params.subsampling_rate >= 1.0 {
        return None;
    }
    let key = stream_key(params.seed ^ mix(tree as u64 + 1), Stream::ForestBagging);
    let poisson = Poisson::new(params.subsampling_rate);
    let kept_below = below(params.subsampling_rate);
    Some(
        data.parts
            .iter()
            .map(|p| {
                p.rows
                    .iter()
                    .map(|&r| {
                        let state = keyed_bits(key, r);
                        if params.bootstrap {
                            poisson.draw(state)
                        } else {
                            u16::from((mix(state) >> 11) < kept_below)
                        }
                    })
                    .collect()
            })
            .collect(),
    )
}

/// Fits a random forest for `task`.
pub fn fit_forest(
    input: TreeInput,
    task: TreeTask,
    params: &ForestParams,
    ctx: &JobContext,
) -> Result<ForestModel> {
    params.validate(task)?;
    let data = BinnedData::build(
        input.parts,
        input.subset,
        input.categorical,
        &params.tree,
        task,
        params.seed,
        ctx,
    )?;
    let features_per_node =
        params
            .feature_subset_strategy
            .features_per_node(data.num_features, params.num_trees, task);
    ctx.expect_steps(params.num_trees);
    let trees = (0..params.num_trees)
        .into_par_iter()
        .map(|t| {
            ctx.check()?;
            let counts = bag(&data, params, t);
            let options = GrowOptions {
                stats: Stats::new(task, params.tree.impurity_for(task)),
                params: &params.tree,
                features_per_node,
                feature_seed: (params.seed, t as u64),
            };
            let tree = grow(&data, None, counts.as_deref(), &options, ctx)?;
            ctx.advance();
            Ok(tree)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ForestModel {
        trees,
        num_features: data.num_features,
        num_classes: match task {
            TreeTask::Classification { num_classes } => num_classes,
            TreeTask::Regression => 0,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::{below, Poisson};
    use crate::random::mix;

    /// The draw by inversion in f64, as the integer thresholds must reproduce it.
    fn draw_in_floats(lambda: f64, state: u64) -> u16 {
        let mut cdf = Vec::new();
        let (mut p, mut total) = ((-lambda).exp(), 0.0);
        let mut k = 0.0;
        while total < 1.0 && cdf.len() < 64 {
            total += p;
            cdf.push(total);
            k += 1.0;
            p *= lambda / k;
        }
        let u = (mix(state) >> 11) as f64 / (1u64 << 53) as f64;
        cdf.iter().position(|&c| u < c).unwrap_or(cdf.len()) as u16
    }

    #[test]
    fn integer_draws_are_the_float_inversion() {
        for lambda in [0.05, 0.5, 1.0, 3.0, 12.0] {
            let poisson = Poisson::new(lambda);
            for i in 0..100_000u64 {
                assert_eq!(
                    poisson.draw(i),
                    draw_in_floats(lambda, i),
                    "λ {lambda}, {i}"
                );
            }
        }
        // `m / 2⁵³ < p` exactly when `m < below(p)`, at the edges too.
        for p in [0.3, 0.5, 0.999_999_999_999, 1.0 / 3.0] {
            let m = below(p);
            assert!((m as f64 / (1u64 << 53) as f64) >= p);
            assert!(((m - 1) as f64 / (1u64 << 53) as f64) < p);
        }
    }

    #[test]
    fn poisson_counts_have_the_right_mean() {
        let n = 200_000;
        let poisson = Poisson::new(1.0);
        let total: u64 = (0..n).map(|i| poisson.draw(mix(i)) as u64).sum();
        let mean = total as f64 / n as f64;
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        let zeros = (0..n).filter(|&i| poisson.draw(mix(i)) == 0).count() as f64 / n as f64;
        let twos = (0..n).filter(|&i| poisson.draw(mix(i)) == 2).count() as f64 / n as f64;
        assert!((twos - 0.5 * (-1.0f64).exp()).abs() < 0.01, "{twos}");
        assert!((zeros - (-1.0f64).exp()).abs() < 0.01, "{zeros}");
    }
}
