//! The Estimator → Model seam (Spark ML's `fit → Model → transform`, linfa's `Fit` /
//! `Predict`): which estimator a job trains ([`EstimatorSpec`]), many fits at once
//! ([`fit_all`]), and the fitted model that scores rows ([`TrainedModel`],
//! [`Predictor`]).
//!
//! Tuning asks for fits as (grid point, [`crate::ml::dataset::Subset`]) pairs, all at
//! once, so that each estimator can share passes over the data between them:
//! LinearRegression solves every fit from one pass of sufficient statistics,
//! LogisticRegression and KMeans make one pass per iteration for every fit still
//! iterating, the tree learners bin each fit's rows once and grow level by level. A
//! StandardScaler stage is fitted on each fit's own training rows, as Spark's
//! CrossValidator refits a `Pipeline`.

mod check;
mod fit;
mod model;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::ml::grid::{grid_points, GridAxis};
use crate::ml::kmeans::KMeansParams;
use crate::ml::linear::LinearRegressionParams;
use crate::ml::logistic::LogisticRegressionParams;
use crate::ml::tree::{ForestParams, GbtParams, TreeParams, TreeTask};

pub use fit::{fit_all, fit_all_keeping};
pub use model::{Fitted, Predictor, TrainedModel, TrainingPredictions, TreeSummary};

/// The estimator a training job fits, with its params (Spark's names and defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "estimator", content = "params", rename_all = "camelCase")]
pub enum EstimatorSpec {
    LinearRegression(LinearRegressionParams),
    LogisticRegression(LogisticRegressionParams),
    #[serde(rename = "kMeans")]
    KMeans(KMeansParams),
    DecisionTreeClassifier(TreeParams),
    DecisionTreeRegressor(TreeParams),
    RandomForestClassifier(ForestParams),
    RandomForestRegressor(ForestParams),
    #[serde(rename = "gbtClassifier")]
    GbtClassifier(GbtParams),
    #[serde(rename = "gbtRegressor")]
    GbtRegressor(GbtParams),
}

/// What an estimator learns to do, which decides its label, evaluator and outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TaskKind {
    Regression,
    Classification,
    Clustering,
}

impl EstimatorSpec {
    /// Spark ML's class name.
    pub fn spark_name(&self) -> &'static str {
        match self {
            EstimatorSpec::LinearRegression(_) => "LinearRegression",
            EstimatorSpec::LogisticRegression(_) => "LogisticRegression",
            EstimatorSpec::KMeans(_) => "KMeans",
            EstimatorSpec::DecisionTreeClassifier(_) => "DecisionTreeClassifier",
            EstimatorSpec::DecisionTreeRegressor(_) => "DecisionTreeRegressor",
            EstimatorSpec::RandomForestClassifier(_) => "RandomForestClassifier",
            EstimatorSpec::RandomForestRegressor(_) => "RandomForestRegressor",
            EstimatorSpec::GbtClassifier(_) => "GBTClassifier",
            EstimatorSpec::GbtRegressor(_) => "GBTRegressor",
        }
    }

    pub fn task(&self) -> TaskKind {
        match self {
            EstimatorSpec::LinearRegression(_)
            | EstimatorSpec::DecisionTreeRegressor(_)
            | EstimatorSpec::RandomForestRegressor(_)
            | EstimatorSpec::GbtRegressor(_) => TaskKind::Regression,
            EstimatorSpec::LogisticRegression(_)
            | EstimatorSpec::DecisionTreeClassifier(_)
            | EstimatorSpec::RandomForestClassifier(_)
            | EstimatorSpec::GbtClassifier(_) => TaskKind::Classification,
            EstimatorSpec::KMeans(_) => TaskKind::Clustering,
        }
    }

    /// Whether Spark's estimator takes a `weightCol` Brasa honours.
    pub fn takes_weights(&self) -> bool {
        !matches!(self, EstimatorSpec::LinearRegression(_))
    }

    /// Whether Spark's estimator takes a `validationIndicatorCol` (GBT's early stopping).
    pub fn stops_early(&self) -> bool {
        matches!(
            self,
            EstimatorSpec::GbtClassifier(_) | EstimatorSpec::GbtRegressor(_)
        )
    }

    /// Whether a fit reads the rows only a few times (the trees bin them once), so that
    /// a job too big to keep its assembled rows may assemble them on each pass instead.
    pub fn reads_rows_few_times(&self) -> bool {
        matches!(
            self,
            EstimatorSpec::DecisionTreeClassifier(_)
                | EstimatorSpec::DecisionTreeRegressor(_)
                | EstimatorSpec::RandomForestClassifier(_)
                | EstimatorSpec::RandomForestRegressor(_)
                | EstimatorSpec::GbtClassifier(_)
                | EstimatorSpec::GbtRegressor(_)
        )
    }

    /// Bytes a fit of these params keeps besides the assembled rows while it learns from
    /// `rows` rows of `features` features (its fits run one after another); 0 for the
    /// estimators that size their own state (KMeans) or keep little per row.
    pub fn fit_bytes(&self, rows: usize, features: usize) -> usize {
        use crate::ml::tree::footprint;
        match self {
            EstimatorSpec::DecisionTreeClassifier(p) | EstimatorSpec::DecisionTreeRegressor(p) => {
                footprint::decision_tree_bytes(rows, features, p.max_bins)
            }
            EstimatorSpec::RandomForestClassifier(p) | EstimatorSpec::RandomForestRegressor(p) => {
                footprint::forest_bytes(rows, features, p.tree.max_bins, p.num_trees)
            }
            EstimatorSpec::GbtClassifier(p) | EstimatorSpec::GbtRegressor(p) => {
                footprint::gbt_bytes(rows, features, p.tree.max_bins)
            }
            _ => 0,
        }
    }

    /// The grid over this estimator's params: each point's tuned values and full spec.
    pub fn grid(
        &self,
        axes: &[GridAxis],
        num_classes: usize,
    ) -> Result<Vec<(BTreeMap<String, Value>, EstimatorSpec)>> {
        let name = self.spark_name();
        let classification = TreeTask::Classification { num_classes };
        Ok(match self {
            EstimatorSpec::LinearRegression(p) => points(
                name,
                p,
                axes,
                LinearRegressionParams::validate,
                Self::LinearRegression,
            )?,
            EstimatorSpec::LogisticRegression(p) => points(
                name,
                p,
                axes,
                |p| p.validate(num_classes),
                Self::LogisticRegression,
            )?,
            EstimatorSpec::KMeans(p) => {
                points(name, p, axes, KMeansParams::validate, Self::KMeans)?
            }
            EstimatorSpec::DecisionTreeClassifier(p) => points(
                name,
                &with_impurity(p, classification),
                axes,
                |p| p.validate(classification),
                Self::DecisionTreeClassifier,
            )?,
            EstimatorSpec::DecisionTreeRegressor(p) => points(
                name,
                &with_impurity(p, TreeTask::Regression),
                axes,
                |p| p.validate(TreeTask::Regression),
                Self::DecisionTreeRegressor,
            )?,
            EstimatorSpec::RandomForestClassifier(p) => points(
                name,
                &ForestParams {
                    tree: with_impurity(&p.tree, classification),
                    ..p.clone()
                },
                axes,
                |p| p.validate(classification),
                Self::RandomForestClassifier,
            )?,
            EstimatorSpec::RandomForestRegressor(p) => points(
                name,
                &ForestParams {
                    tree: with_impurity(&p.tree, TreeTask::Regression),
                    ..p.clone()
                },
                axes,
                |p| p.validate(TreeTask::Regression),
                Self::RandomForestRegressor,
            )?,
            EstimatorSpec::GbtClassifier(p) => {
                if num_classes != 2 {
                    return Err(Error::new(
                        ErrorCode::MlInput,
                        format!(
                            "GBTClassifier supports two classes only (as in Spark), and the \
                             label has {num_classes}; use RandomForestClassifier or \
                             LogisticRegression"
                        ),
                    ));
                }
                points(name, p, axes, |p| p.validate(true), Self::GbtClassifier)?
            }
            EstimatorSpec::GbtRegressor(p) => {
                points(name, p, axes, |p| p.validate(false), Self::GbtRegressor)?
            }
        })
    }
}

/// The grid points over `base`, each wrapped in its estimator's spec.
fn points<P>(
    name: &str,
    base: &P,
    axes: &[GridAxis],
    validate: impl Fn(&P) -> Result<()>,
    spec: impl Fn(P) -> EstimatorSpec,
) -> Result<Vec<(BTreeMap<String, Value>, EstimatorSpec)>>
where
    P: Clone + Serialize + serde::de::DeserializeOwned,
{
    Ok(grid_points(name, base, axes, validate)?
        .into_iter()
        .map(|g| (g.tuned, spec(g.params)))
        .collect())
}

/// The params with the impurity spelt out (the estimator's default when unset), so that
/// a grid can tune it and every point records it.
fn with_impurity(params: &TreeParams, task: TreeTask) -> TreeParams {
    TreeParams {
        impurity: Some(params.impurity_for(task)),
        ..params.clone()
    }
}
