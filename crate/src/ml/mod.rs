//! Machine learning in Spark MLlib's terms: VectorAssembler ([`assemble`]),
//! StandardScaler ([`scale`]), LinearRegression ([`linear`]), their fitted pipeline
//! ([`model`]), RegressionEvaluator ([`metrics`]), the classification and clustering
//! evaluators ([`evaluate`]), the charts' data ([`diagnostics`]) and CrossValidator /
//! TrainValidationSplit over a ParamGrid ([`tuning`]) and scoring ([`predict`]); [`job`]
//! puts a cleaning pipeline in front of training and scoring.
//!
//! Linear models are solved from sufficient statistics ([`moments`]): one parallel pass
//! over the partitions gives every fold's statistics, and each (grid point, fold) fit is a
//! small p×p problem, so a whole grid costs about two passes over the data instead of
//! folds × points passes.

pub mod assemble;
pub mod dataset;
pub mod diagnostics;
pub mod evaluate;
pub mod job;
pub mod kmeans;
pub mod linear;
pub mod logistic;
pub mod metrics;
pub mod model;
pub mod moments;
pub mod predict;
pub mod scale;
pub mod tuning;
