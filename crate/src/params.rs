//! Spark ML parameters that several stages share, so that the stages (cleaning steps in
//! `clean`, VectorAssembler and the estimators in `ml`) need not import each other for
//! them. A leaf module.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Spark ML's `handleInvalid` (default `error`): what to do with a value a stage cannot
/// use — a NULL or NaN feature or label for VectorAssembler, an unseen label or NULL for
/// StringIndexer, an out-of-range index for OneHotEncoder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum HandleInvalid {
    #[default]
    Error,
    Skip,
    /// Keeps the row: StringIndexer gives it index `numLabels`, OneHotEncoder an extra
    /// slot; VectorAssembler keeps NaN, which training refuses (no linear model can be
    /// fitted to NaN) and scoring accepts (the prediction is NaN).
    Keep,
}
