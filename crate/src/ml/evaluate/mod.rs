//! Spark MLlib's classification and clustering evaluators, as mergeable building blocks.
//!
//! - [`binary`]: BinaryClassificationEvaluator — `areaUnderROC`, `areaUnderPR` with
//!   Spark's `numBins` down-sampling, plus the ROC and PR curves and a per-threshold
//!   confusion table for the page.
//! - [`multiclass`]: MulticlassClassificationEvaluator — a weighted confusion matrix and a
//!   log-loss sum, and every `metricName` Spark offers.
//! - [`clustering`]: ClusteringEvaluator — the silhouette with squared Euclidean or cosine
//!   distance, through Spark's per-cluster statistics.
//!
//! Each evaluator is fed row by row into an accumulator that can be built per partition
//! and merged, so a cross-validator can score every (grid point, fold) in one parallel
//! pass over the partitions. The numbers are Spark's (`tests/fixtures/ml/
//! make_evaluator_fixtures.py` records them from PySpark); where Spark would silently
//! return NaN from bad input (a NaN score, a zero vector under cosine distance), these
//! refuse it with an [`ErrorCode::MlInput`] error that says what to do.

pub mod binary;
pub mod clustering;
mod curve;
pub mod multiclass;

use crate::error::{Error, ErrorCode, Result};

/// Spark's rule for instance weights (`DatasetUtils.checkNonNegativeWeights`): finite and
/// not negative. Zero is allowed: the row then counts for nothing.
fn check_weight(weight: f64) -> Result<()> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "instance weight {weight} cannot be used: weights must be finite and at \
                 least 0. Fix or filter the weight column"
            ),
        ))
    }
}

/// A class index given as a double (Spark's labels and predictions are doubles): a whole
/// number in `0..classes`.
fn class_index(value: f64, classes: usize, what: &str) -> Result<usize> {
    if value >= 0.0 && value.fract() == 0.0 && value < classes as f64 {
        Ok(value as usize)
    } else {
        Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "{what} {value} is not valid: with {classes} classes it must be a whole \
                 number from 0 to {}",
                classes.saturating_sub(1)
            ),
        ))
    }
}
