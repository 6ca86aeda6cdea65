//! Machine learning in Spark MLlib's terms, around one Estimator → Model seam
//! ([`estimator`]: Spark ML's `fit → Model → transform`).
//!
//! - Data: VectorAssembler ([`assemble`]) into partitions of rows with their fold
//!   ([`dataset`], [`split`]).
//! - Estimators: LinearRegression ([`linear`], solved from sufficient statistics
//!   [`moments`] by [`linear_regression`]), LogisticRegression ([`logistic`]), KMeans
//!   ([`kmeans`]), each fitting many (grid point, fold) fits at once; StandardScaler
//!   ([`scale`]) in front of any of them; the tree learners ([`tree`]: DecisionTree,
//!   RandomForest, GBT), which read categorical features from [`attributes`].
//! - Evaluators: RegressionEvaluator, BinaryClassificationEvaluator,
//!   MulticlassClassificationEvaluator and ClusteringEvaluator ([`evaluate`] holds the
//!   metrics, [`evaluation`] scores models on rows in one pass).
//! - Classifiers' shared `thresholds` ([`thresholds`]).
//! - Tuning: ParamGridBuilder ([`grid`]), CrossValidator / TrainValidationSplit
//!   ([`tuning`]), the charts' data ([`diagnostics`]).
//! - Export: fitted stages' data in Spark ML's persistence format ([`sparkml`]).
//! - Scoring ([`predict`]), and [`job`], which puts the cleaning pipeline (and a
//!   classifier's label indexer) in front of training and scoring.

pub mod assemble;
pub mod attributes;
pub mod dataset;
pub mod diagnostics;
pub mod estimator;
pub mod evaluate;
pub mod evaluation;
pub mod float_select;
pub mod grid;
pub mod job;
pub mod kmeans;
pub mod linear;
pub mod linear_regression;
pub mod logistic;
pub mod moments;
pub mod pipeline_refit;
pub mod predict;
pub mod scale;
pub mod sparkml;
pub mod split;
pub mod thresholds;
pub mod tree;
pub mod tuning;
