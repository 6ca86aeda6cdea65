//! Training and scoring as whole jobs: the cleaning pipeline first, then the model.
//!
//! Training fits the pipeline's estimators (Imputer, StringIndexer, OneHotEncoder) on the
//! whole table, then tunes the regression over folds of the cleaned rows, as a PySpark
//! user does who cleans a DataFrame and then runs CrossValidator on it (the cleaning is
//! not refitted per fold). The fitted pipeline travels with the model, so scoring applies
//! exactly the same transformations to new data before predicting.

use std::sync::Arc;

use serde::Deserialize;
use ts_rs::TS;

use crate::clean::{run_pipeline, PipelineSpec, StepCache};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::{Catalog, Table};
use crate::job::JobContext;
use crate::ml::model::RegressionModel;
use crate::ml::predict::predict;
use crate::ml::tuning::{train, TrainResult, TrainSpec};
use crate::params::HandleInvalid;

/// Cleans `source` with the spec's pipeline (if any), then trains on the result.
pub fn train_job(
    catalog: &Catalog,
    source: &Arc<Table>,
    spec: &TrainSpec,
    cache: &mut StepCache,
    ctx: &JobContext,
) -> Result<TrainResult> {
    let (table, fitted) = match &spec.pipeline {
        Some(pipeline) if !pipeline.steps.is_empty() => {
            let run = run_pipeline(catalog, source, pipeline, cache, false, ctx)?;
            (run.output, Some(run.fitted))
        }
        _ => (Arc::clone(source), None),
    };
    let mut result = train(&table, spec, ctx)?;
    result.pipeline = fitted;
    Ok(result)
}

/// A trained model as scoring reads it: the features it reads, the model, and the fitted
/// pipeline that prepares a table for it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Scoring {
    pub features: Vec<String>,
    #[serde(flatten)]
    pub model: RegressionModel,
    #[serde(default)]
    pub handle_invalid: HandleInvalid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineSpec>,
}

/// Applies the fitted pipeline (transform only) and adds a `prediction` column.
pub fn score_job(
    catalog: &Catalog,
    source: &Arc<Table>,
    scoring: &Scoring,
    cache: &mut StepCache,
    ctx: &JobContext,
) -> Result<Table> {
    let table = match &scoring.pipeline {
        Some(pipeline) if !pipeline.steps.is_empty() => {
            if !pipeline.is_fitted() {
                return Err(Error::new(
                    ErrorCode::MlInput,
                    "the model's pipeline has estimators that were never fitted; use the pipeline recorded by its training run",
                ));
            }
            run_pipeline(catalog, source, pipeline, cache, false, ctx)?.output
        }
        _ => Arc::clone(source),
    };
    predict(
        &table,
        &scoring.features,
        &scoring.model.on_original_features(),
        scoring.handle_invalid,
        ctx,
    )
}
