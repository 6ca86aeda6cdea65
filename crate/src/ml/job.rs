//! Training and scoring as whole jobs: the cleaning pipeline first, then (for a
//! classifier) the label's StringIndexer, then the model.
//!
//! Training fits the pipeline's estimators (Imputer, StringIndexer, OneHotEncoder) on the
//! whole table, then tunes the model over folds of the cleaned rows, as a PySpark user
//! does who cleans a DataFrame and then runs CrossValidator on it (the cleaning is not
//! refitted per fold). The fitted pipeline travels with the model, so scoring applies
//! exactly the same transformations to new data before predicting; the label's indexer
//! does not (a table to score has no label), only its labels do, to name predictions.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clean::indexer::StringIndexer;
use crate::clean::{run_pipeline, PipelineSpec, StepCache};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::{Catalog, Table};
use crate::job::JobContext;
use crate::ml::estimator::TrainedModel;
use crate::ml::predict::predict;
use crate::ml::tuning::{train, train_with_label, PreparedLabel, TrainResult, TrainSpec};
use crate::params::HandleInvalid;

/// The column the label's class indices are written to while training.
const INDEXED_LABEL: &str = "__brasa_label_index";

/// Cleans `source` with the spec's pipeline (if any), indexes a classifier's label (if
/// asked), then trains on the result.
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
    let mut result = match (&spec.label, &spec.label_indexer) {
        (Some(label), Some(indexer)) => {
            let handle_invalid = match spec.handle_invalid {
                HandleInvalid::Skip => HandleInvalid::Skip,
                _ => HandleInvalid::Error,
            };
            let (indexed, learned) = StringIndexer::new(
                table.schema(),
                std::slice::from_ref(label),
                &[INDEXED_LABEL.to_string()],
            )?
            .fit_transform(&table, indexer.string_order_type, handle_invalid, ctx)
            .map_err(|e| {
                let message = format!("indexing the label: {}", e.message());
                e.with_message(message)
            })?;
            let labels = learned.labels.into_iter().next().unwrap_or_default();
            if labels.len() < 2 {
                return Err(Error::new(
                    ErrorCode::MlInput,
                    format!(
                        "`{label}` has {} distinct value{}; a classifier needs at least two classes",
                        labels.len(),
                        if labels.len() == 1 { "" } else { "s" }
                    ),
                )
                .in_column(label.clone()));
            }
            let mut result = train_with_label(
                &indexed,
                spec,
                PreparedLabel {
                    column: Some(INDEXED_LABEL),
                    labels,
                },
                ctx,
            )?;
            result.label = Some(label.clone());
            result
        }
        _ => train(&table, spec, ctx)?,
    };
    result.pipeline = fitted;
    Ok(result)
}

/// A trained model as scoring reads it: the features it reads, the model, a classifier's
/// labels, and the fitted pipeline that prepares a table for it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Scoring {
    pub features: Vec<String>,
    pub model: TrainedModel,
    /// A classifier's class labels in index order, for `predictedLabel` (IndexToString).
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub handle_invalid: HandleInvalid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineSpec>,
}

/// Applies the fitted pipeline (transform only) and adds the model's output columns.
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
        &scoring.model,
        &scoring.labels,
        scoring.handle_invalid,
        ctx,
    )
}
