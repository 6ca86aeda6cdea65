//! CrossValidator and TrainValidationSplit over a ParamGrid, for every estimator.
//!
//! 1. One parallel pass assembles the rows (VectorAssembler) and gives each its group:
//!    a fold, or the test set ([`Split`]).
//! 2. Every (grid point, fold) fit is asked of the estimator at once ([`fit_all`]), so it
//!    can share its passes over the data between them (Spark's `parallelism`, without
//!    the cost of one job per fit).
//! 3. One pass scores each fold's model on its fold ([`evaluate`]); the first best point
//!    wins, as in Spark.
//! 4. The best point is refitted on all training rows and scored on them and on the test
//!    rows (one pass), and the charts are drawn from the test rows if any, else the
//!    training rows ([`diagnose`]).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::clean::spec::StringOrderType;
use crate::clean::PipelineSpec;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::assemble::Assembler;
use crate::ml::dataset::{row_offsets, Prepared, RowLayout, TrainingData};
use crate::ml::diagnostics::{diagnose, DiagnosedRows, Diagnostics};
use crate::ml::estimator::{fit_all, EstimatorSpec, TaskKind, TrainedModel};
use crate::ml::evaluation::{evaluate, Evaluation, MetricName, MetricSet, Rows};
use crate::ml::grid::GridAxis;
use crate::ml::scale::StandardScalerParams;
use crate::ml::split::{Split, Tuning};
use crate::params::HandleInvalid;

/// How a classifier's label column becomes class indices: Spark's StringIndexer on the
/// label (`labelCol` → `label`), its labels shown with the results and mapped back onto
/// predictions (IndexToString). Without it, the label must already hold class indices
/// `0, 1, …` (as Spark requires of a numeric label).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LabelIndexer {
    #[serde(default)]
    pub string_order_type: StringOrderType,
}

/// A whole training job: the estimator and its params, the columns, the grid and the
/// tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainSpec {
    #[serde(flatten)]
    pub estimator: EstimatorSpec,
    pub features: Vec<String>,
    /// The label column (none for clustering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A classifier's label is indexed first (StringIndexer), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_indexer: Option<LabelIndexer>,
    /// Spark's `weightCol`: each row's instance weight (LogisticRegression, KMeans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_col: Option<String>,
    #[serde(default)]
    pub handle_invalid: HandleInvalid,
    /// A StandardScaler stage before the estimator, fitted on each training split.
    #[serde(default)]
    pub scaler: Option<StandardScalerParams>,
    /// ParamGridBuilder's axes in the order they were added (the last varies fastest).
    #[serde(default)]
    pub grid: Vec<GridAxis>,
    #[serde(default)]
    pub tuning: Tuning,
    /// The evaluator's `metricName`; by default Spark's for the estimator (rmse,
    /// areaUnderROC or f1, silhouette).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<MetricName>,
    /// The fraction of rows held out as a test set before tuning (0: none).
    #[serde(default)]
    pub test_fraction: f64,
    #[serde(default)]
    pub seed: u64,
    /// Cleaning steps applied to the table before the features are assembled (see
    /// [`crate::ml::job`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineSpec>,
}

/// One grid point's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GridPointResult {
    /// The tuned params' values at this point.
    pub params: BTreeMap<String, Value>,
    pub avg_metric: f64,
    /// Population standard deviation over folds (as sklearn's `std_test_score`).
    pub std_metric: f64,
    pub fold_metrics: Vec<f64>,
}

/// Row counts of a training job.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowCounts {
    pub total: u64,
    pub skipped: u64,
    pub train: u64,
    pub test: u64,
}

/// Everything a training job found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainResult {
    pub task: TaskKind,
    pub features: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A classifier's class labels, in index order (IndexToString's `labels`).
    pub labels: Vec<String>,
    pub metric: MetricName,
    pub larger_is_better: bool,
    pub grid: Vec<GridPointResult>,
    pub best_index: usize,
    /// The estimator with the best point's params.
    pub best_params: EstimatorSpec,
    /// The best point refitted on every training row (all rows but the test set).
    pub model: TrainedModel,
    pub train_metrics: MetricSet,
    /// The best point's metrics on the validation folds, averaged over folds.
    pub validation_metrics: MetricSet,
    pub test_metrics: Option<MetricSet>,
    pub rows: RowCounts,
    /// The charts' data, on the test rows if any, else the training rows.
    pub diagnostics: Diagnostics,
    /// The cleaning pipeline as fitted on the training table, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineSpec>,
}

/// The label a job trains on, once it is ready in the table.
pub struct PreparedLabel<'a> {
    /// The column holding the label (class indices for a classifier).
    pub column: Option<&'a str>,
    /// A classifier's class labels in index order (empty: not known yet; they are then
    /// `0, 1, …` up to the largest index found).
    pub labels: Vec<String>,
}

/// Most classes a classifier is trained on.
pub const MAX_CLASSES: usize = 1000;

/// Runs a training job on `table` (already cleaned), reading its label column as it is.
pub fn train(table: &Table, spec: &TrainSpec, ctx: &JobContext) -> Result<TrainResult> {
    let label = PreparedLabel {
        column: spec.label.as_deref(),
        labels: Vec::new(),
    };
    train_with_label(table, spec, label, ctx)
}

/// Runs a training job on `table` (already cleaned) whose label is `label` (a
/// classifier's label already indexed, see [`crate::ml::job`]).
pub fn train_with_label(
    table: &Table,
    spec: &TrainSpec,
    label: PreparedLabel,
    ctx: &JobContext,
) -> Result<TrainResult> {
    let task = spec.estimator.task();
    if spec.handle_invalid == HandleInvalid::Keep {
        return Err(Error::new(
            ErrorCode::MlInput,
            "handleInvalid = keep would train on NaN values; use error or skip",
        ));
    }
    if task != TaskKind::Clustering && label.column.is_none() {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!("{} needs a label column", spec.estimator.spark_name()),
        ));
    }
    if spec.weight_col.is_some() && matches!(spec.estimator, EstimatorSpec::LinearRegression(_)) {
        return Err(Error::new(
            ErrorCode::MlInput,
            "weightCol is not supported for LinearRegression yet (its fits come from unweighted statistics); leave it empty",
        ));
    }
    let split = Split::new(&spec.tuning, spec.test_fraction, spec.seed)?;
    let label_column = if task == TaskKind::Clustering {
        None
    } else {
        label.column
    };
    let assembler = Assembler::new(
        table.schema(),
        &spec.features,
        label_column,
        spec.weight_col.as_deref(),
        spec.handle_invalid,
    )?;
    let layout = RowLayout {
        features: spec.features.len(),
        label: label_column.is_some(),
        weight: spec.weight_col.is_some(),
    };
    // The assembled rows are kept for every later pass: 8 bytes per value and the group.
    crate::memory::check(
        table.num_rows().saturating_mul(8 * layout.width() + 2),
        "training on this table",
        "choose fewer features, or train on a filtered table (CREATE TABLE ... AS SELECT ... WHERE ...)",
    )?;
    let partitions = table.partitions();
    ctx.expect_steps(partitions.len());
    let offsets = row_offsets(partitions);
    let parts: Vec<Prepared> = partitions
        .par_iter()
        .zip(&offsets)
        .map(|(batch, &first)| {
            ctx.check()?;
            let rows = assembler.rows(batch, first)?;
            let groups = rows
                .row_numbers
                .iter()
                .map(|&row| split.group_of(row))
                .collect();
            ctx.advance();
            Ok(Prepared {
                rows,
                groups,
                layout,
            })
        })
        .collect::<Result<_>>()?;

    let counts = count_groups(&parts, &split);
    let kept: u64 = counts.iter().sum();
    let test_rows = counts[split.test_group() as usize];
    let train_rows = kept - test_rows;
    if train_rows < 2 {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!("only {train_rows} usable rows to train on; load more data or drop fewer rows"),
        ));
    }
    let evaluated = split.evaluated_folds();
    if let Some(f) = (0..evaluated).find(|&f| counts[f] == 0) {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "validation fold {} has no rows; use fewer folds or more data",
                f + 1
            ),
        ));
    }
    let labels = match task {
        TaskKind::Classification => class_labels(&parts, label.labels, label_column)?,
        _ => Vec::new(),
    };
    let num_classes = labels.len();
    let metric = spec
        .metric
        .unwrap_or_else(|| MetricName::default_for(task, num_classes));
    metric.check_fits(task, num_classes)?;
    let points = spec.estimator.grid(&spec.grid, num_classes)?;
    let data = TrainingData {
        parts: &parts,
        features: assembler.feature_names(),
        label: label_column,
        num_classes,
        scaler: spec.scaler,
        groups: split.groups(),
    };

    // Every (point, fold) fit, then each scored on its fold.
    let fits: Vec<(&EstimatorSpec, _)> = points
        .iter()
        .flat_map(|(_, estimator)| (0..evaluated).map(move |f| (estimator, split.without_fold(f))))
        .collect();
    let fold_models = fit_all(&data, &fits, ctx)?;
    let models: Vec<&TrainedModel> = fold_models.iter().collect();
    let evaluations: Vec<Evaluation> = (0..fits.len())
        .map(|i| Evaluation {
            model: i,
            rows: Rows::Group((i % evaluated) as u16),
        })
        .collect();
    let fold_results = evaluate(&parts, &models, &evaluations, split.groups(), ctx)?;
    let grid: Vec<GridPointResult> = points
        .iter()
        .enumerate()
        .map(|(p, (tuned, _))| {
            let scores: Vec<f64> = fold_results[p * evaluated..(p + 1) * evaluated]
                .iter()
                .map(|(metrics, _)| metrics.get(metric))
                .collect();
            GridPointResult {
                params: tuned.clone(),
                avg_metric: mean(&scores),
                std_metric: std_population(&scores),
                fold_metrics: scores,
            }
        })
        .collect();
    let best_index = pick_best(
        &grid.iter().map(|g| g.avg_metric).collect::<Vec<_>>(),
        metric.larger_is_better(),
    );
    let validation_metrics = MetricSet::average(
        &fold_results[best_index * evaluated..(best_index + 1) * evaluated]
            .iter()
            .map(|(m, _)| m.clone())
            .collect::<Vec<_>>(),
    );

    // The best point on all training rows, scored on them and on the test rows.
    let best = &points[best_index].1;
    let model = fit_all(&data, &[(best, split.all_training())], ctx)?
        .pop()
        .ok_or_else(|| Error::new(ErrorCode::Internal, "the refit gave no model"))?;
    let mut scored = vec![Evaluation {
        model: 0,
        rows: Rows::Below(split.test_group()),
    }];
    if test_rows > 0 {
        scored.push(Evaluation {
            model: 0,
            rows: Rows::Group(split.test_group()),
        });
    }
    let mut results = evaluate(&parts, &[&model], &scored, split.groups(), ctx)?.into_iter();
    let (train_metrics, train_detail) = results
        .next()
        .ok_or_else(|| Error::new(ErrorCode::Internal, "the refit was not scored"))?;
    let test = results.next();
    let diagnosed = match &test {
        Some((metrics, detail)) => DiagnosedRows {
            name: "test",
            rows: Rows::Group(split.test_group()),
            metrics: metrics.clone(),
            detail: detail.clone(),
        },
        None => DiagnosedRows {
            name: "train",
            rows: Rows::Below(split.test_group()),
            metrics: train_metrics.clone(),
            detail: train_detail,
        },
    };
    let diagnostics = diagnose(&parts, &model, diagnosed, spec.seed, ctx)?;
    Ok(TrainResult {
        task,
        features: spec.features.clone(),
        label: label_column.map(str::to_string),
        labels,
        metric,
        larger_is_better: metric.larger_is_better(),
        grid,
        best_index,
        best_params: best.clone(),
        model,
        train_metrics,
        validation_metrics,
        test_metrics: test.map(|(m, _)| m),
        rows: RowCounts {
            total: table.num_rows() as u64,
            skipped: table.num_rows() as u64 - kept,
            train: train_rows,
            test: test_rows,
        },
        diagnostics,
        pipeline: None,
    })
}

/// Rows per group.
fn count_groups(parts: &[Prepared], split: &Split) -> Vec<u64> {
    let mut counts = vec![0u64; split.groups()];
    for part in parts {
        for &g in &part.groups {
            counts[g as usize] += 1;
        }
    }
    counts
}

/// A classifier's class labels: the indexer's, or `0, 1, …` up to the largest class
/// index in the label column (which must hold whole numbers from 0, as in Spark).
fn class_labels(
    parts: &[Prepared],
    known: Vec<String>,
    label: Option<&str>,
) -> Result<Vec<String>> {
    let name = label.unwrap_or("label");
    let mut largest = 0.0f64;
    for part in parts {
        for row in part.iter() {
            let y = row.label;
            if y < 0.0 || y.fract() != 0.0 {
                return Err(Error::new(
                    ErrorCode::MlInput,
                    format!(
                        "`{name}` is {y} in row {}; a classifier's label must be a class index 0, 1, 2, … Index the label (StringIndexer) instead",
                        row.row + 1
                    ),
                )
                .at_row(row.row + 1)
                .in_column(name));
            }
            largest = largest.max(y);
        }
    }
    let classes = largest as usize + 1;
    if !known.is_empty() {
        return Ok(known);
    }
    if classes > MAX_CLASSES {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!("`{name}` has class indices up to {largest}; a classifier takes at most {MAX_CLASSES} classes"),
        )
        .in_column(name));
    }
    Ok((0..classes.max(2)).map(|c| c.to_string()).collect())
}

/// The first best value (Spark: the first grid point wins ties); NaN never wins.
fn pick_best(values: &[f64], larger_is_better: bool) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate().skip(1) {
        let better = if larger_is_better {
            v > values[best]
        } else {
            v < values[best]
        };
        if better || (values[best].is_nan() && !v.is_nan()) {
            best = i;
        }
    }
    best
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn std_population(values: &[f64]) -> f64 {
    let m = mean(values);
    (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
}
