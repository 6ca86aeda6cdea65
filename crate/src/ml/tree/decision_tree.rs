//! DecisionTreeClassifier and DecisionTreeRegressor: one tree grown on every training
//! row, every feature considered at every node (Spark's `numTrees = 1`,
//! `featureSubsetStrategy = "all"`, no bagging).

use crate::error::Result;
use crate::job::JobContext;
use crate::ml::dataset::{Parts, Subset};

use super::binning::{BinnedData, CategoricalFeatures};
use super::grow::{grow, GrowOptions};
use super::impurity::Stats;
use super::model::DecisionTreeModel;
use super::params::{TreeParams, TreeTask};

/// The rows a tree learner fits: the training rows of `subset` in `parts`, and which
/// features are categorical (with their number of categories). The learners read the
/// rows in three passes while they bin them (and GBT once more for its validation
/// rows), so the rows may be assembled on demand.
#[derive(Clone, Copy)]
pub struct TreeInput<'a> {
    pub parts: Parts<'a>,
    pub subset: Subset,
    pub categorical: &'a CategoricalFeatures,
}

/// The seed split candidates are sampled with when there are more rows than
/// max(maxBins², 10000) (a single tree has no other randomness).
const SPLIT_SAMPLE_SEED: u64 = 42;

/// Fits a decision tree for `task` (labels `0..num_classes` for a classifier).
pub fn fit_decision_tree(
    input: TreeInput,
    task: TreeTask,
    params: &TreeParams,
    ctx: &JobContext,
) -> Result<DecisionTreeModel> {
    params.validate(task)?;
    let data = BinnedData::build(
        input.parts,
        input.subset,
        input.categorical,
        params,
        task,
        SPLIT_SAMPLE_SEED,
        ctx,
    )?;
    let options = GrowOptions {
        stats: Stats::new(task, params.impurity_for(task)),
        params,
        features_per_node: data.num_features,
        feature_seed: (0, 0),
    };
    grow(&data, None, None, &options, ctx)
}
