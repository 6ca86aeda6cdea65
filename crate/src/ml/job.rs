//! Training and scoring as whole jobs: the cleaning pipeline first, then (for a
//! classifier) the label's StringIndexer, then the model.
//!
//! Training refits the pipeline's estimators (Imputer, StringIndexer, OneHotEncoder) on
//! each fold's training rows, as Spark's CrossValidator does with a `Pipeline` of them
//! and the model: no statistic sees the rows it is validated on. The pipeline fitted on
//! all training rows travels with the model, so scoring applies exactly the same
//! transformations to new data before predicting; the label's indexer (fitted once, on
//! the whole table, so that every fold has the same classes) does not travel (a table
//! to score has no label), only its labels do, to name predictions.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clean::indexer::StringIndexer;
use crate::clean::spec::StringIndexerFitted;
use crate::clean::{run_pipeline, PipelineSpec, StepCache};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::{Catalog, Table};
use crate::job::JobContext;
use crate::ml::estimator::TrainedModel;
use crate::ml::pipeline_refit::{first_refitted_step, IndexedLabel, PipelineRefit};
use crate::ml::predict::predict;
use crate::ml::tuning::refit::train_refitting;
use crate::ml::tuning::{train_with_label, LabelIndexer, PreparedLabel, TrainResult, TrainSpec};
use crate::params::HandleInvalid;

/// The column the label's class indices are written to while training.
const INDEXED_LABEL: &str = "__brasa_label_index";

/// Cleans `source` with the spec's pipeline (if any), indexes a classifier's label (if
/// asked), then trains on the result. A pipeline with estimators to fit is refitted on
/// each fold's training rows ([`crate::ml::pipeline_refit`]).
pub fn train_job(
    catalog: &Catalog,
    source: &Arc<Table>,
    spec: &TrainSpec,
    cache: &mut StepCache,
    ctx: &JobContext,
) -> Result<TrainResult> {
    let steps = spec.pipeline.as_ref().map_or(&[][..], |p| &p.steps[..]);
    if let (Some(pipeline), Some(at)) = (&spec.pipeline, first_refitted_step(steps)) {
        return train_refitting_pipeline(catalog, source, spec, pipeline, at, cache, ctx);
    }
    let (table, fitted) = match &spec.pipeline {
        Some(pipeline) if !pipeline.steps.is_empty() => {
            let run = run_pipeline(catalog, source, pipeline, cache, false, ctx)?;
            (run.output, Some(run.fitted))
        }
        _ => (Arc::clone(source), None),
    };
    // The fitted steps that made the table: they say which features are categorical.
    let made_by = fitted.as_ref().map_or(&[][..], |f| &f.steps[..]);
    let mut result = match indexed_label(spec) {
        Some((label, indexer)) => {
            let handle_invalid = label_handle_invalid(spec);
            let (indexed, fitted_label) = StringIndexer::new(
                table.schema(),
                std::slice::from_ref(label),
                &[INDEXED_LABEL.to_string()],
            )?
            .fit_transform(&table, indexer.string_order_type, handle_invalid, ctx)
            .map_err(indexing_the_label)?;
            check_classes(label, &fitted_label)?;
            let mut result = train_with_label(
                &indexed,
                made_by,
                spec,
                PreparedLabel {
                    column: Some(INDEXED_LABEL),
                    labels: fitted_label.labels.into_iter().next().unwrap_or_default(),
                },
                ctx,
            )?;
            result.label = Some(label.clone());
            result
        }
        None => train_with_label(&table, made_by, spec, PreparedLabel::as_in_table(spec), ctx)?,
    };
    result.pipeline = fitted;
    Ok(result)
}

/// Trains with the pipeline's steps from `at` on refitted for every fit; the steps before
/// run once, and the label's indexer is fitted on their result.
fn train_refitting_pipeline(
    catalog: &Catalog,
    source: &Arc<Table>,
    spec: &TrainSpec,
    pipeline: &PipelineSpec,
    at: usize,
    cache: &mut StepCache,
    ctx: &JobContext,
) -> Result<TrainResult> {
    let before = PipelineSpec {
        version: pipeline.version,
        steps: pipeline.steps[..at].to_vec(),
    };
    let run = run_pipeline(catalog, source, &before, cache, false, ctx)?;
    let label = match indexed_label(spec) {
        Some((column, indexer)) => {
            let (fitted, handle_invalid) = fit_label(&run.output, column, indexer, spec, ctx)?;
            Some(IndexedLabel {
                column: column.clone(),
                output: INDEXED_LABEL.to_string(),
                fitted,
                handle_invalid,
            })
        }
        None => None,
    };
    let labels = label
        .as_ref()
        .and_then(|l| l.fitted.labels.first().cloned())
        .unwrap_or_default();
    let indexed = label.is_some();
    let refit = PipelineRefit {
        catalog,
        table: run.output,
        before: run.fitted.steps,
        refitted: PipelineSpec {
            version: pipeline.version,
            steps: pipeline.steps[at..].to_vec(),
        },
        label,
        shared: Default::default(),
    };
    let prepared = PreparedLabel {
        column: if indexed {
            Some(INDEXED_LABEL)
        } else {
            spec.label.as_deref()
        },
        labels,
    };
    let mut result = train_refitting(&refit, spec, prepared, ctx)?;
    if indexed {
        result.label = spec.label.clone();
    }
    Ok(result)
}

/// The label column and its indexer, when a classifier's label is to be indexed.
fn indexed_label(spec: &TrainSpec) -> Option<(&String, &LabelIndexer)> {
    match (&spec.label, &spec.label_indexer) {
        (Some(label), Some(indexer)) => Some((label, indexer)),
        _ => None,
    }
}

/// How the label's indexer treats a row without a label: skipped with the job's `skip`,
/// else an error.
fn label_handle_invalid(spec: &TrainSpec) -> HandleInvalid {
    match spec.handle_invalid {
        HandleInvalid::Skip => HandleInvalid::Skip,
        _ => HandleInvalid::Error,
    }
}

/// Fits the label's StringIndexer on `table`, with how it treats a row without a label.
fn fit_label(
    table: &Table,
    label: &String,
    indexer: &LabelIndexer,
    spec: &TrainSpec,
    ctx: &JobContext,
) -> Result<(StringIndexerFitted, HandleInvalid)> {
    let fitted = StringIndexer::new(
        table.schema(),
        std::slice::from_ref(label),
        &[INDEXED_LABEL.to_string()],
    )?
    .fit(table, indexer.string_order_type, ctx)
    .map_err(indexing_the_label)?;
    check_classes(label, &fitted)?;
    Ok((fitted, label_handle_invalid(spec)))
}

fn indexing_the_label(error: Error) -> Error {
    let message = format!("indexing the label: {}", error.message());
    error.with_message(message)
}

/// A classifier needs two classes or more.
fn check_classes(label: &str, fitted: &StringIndexerFitted) -> Result<()> {
    let classes = fitted.labels.first().map_or(0, Vec::len);
    if classes < 2 {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "`{label}` has {classes} distinct value{}; a classifier needs at least two classes",
                if classes == 1 { "" } else { "s" }
            ),
        )
        .in_column(label));
    }
    Ok(())
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
