//! Spark MLlib's tree learners, natively: DecisionTree, RandomForest and GBT classifiers
//! and regressors, with Spark's split candidates, split rules, pruning, predictions and
//! feature importances.
//!
//! - [`params`]: the parameters with Spark's names, defaults and ranges.
//! - [`binning`]: split candidates and each partition's rows as small bin codes.
//! - [`histogram`]: per-node label statistics by bin, in one parallel pass per level;
//!   [`node_rows`]: each node's rows as a list.
//! - [`split`]: the best split of a node from its histogram ([`impurity`] scores it).
//! - [`grow`]: one tree, level by level; [`model`]: the fitted tree.
//! - [`decision_tree`], [`gbt`], [`forest`]: the estimators.
//! - [`format`]: numbers printed as the JVM prints them, for `toDebugString`.
//! - [`footprint`]: the memory a fit takes per training row, to size a job up front.

pub mod binning;
pub mod decision_tree;
pub mod footprint;
pub mod forest;
pub mod gbt;
pub mod grow;
pub mod histogram;
pub mod impurity;
pub mod model;
pub mod node_rows;
pub mod params;
pub mod split;

pub use binning::CategoricalFeatures;
pub use decision_tree::{fit_decision_tree, TreeInput};
pub use forest::{fit_forest, ForestModel};
pub use gbt::{fit_gbt, GbtModel};
pub use model::{DecisionTreeModel, Split, TreeNode};
pub use params::{FeatureSubset, ForestParams, GbtLoss, GbtParams, Impurity, TreeParams, TreeTask};
