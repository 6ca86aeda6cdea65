//! CrossValidator and TrainValidationSplit over a ParamGrid, for every estimator.
//!
//! 1. One parallel pass assembles the rows (VectorAssembler) and gives each its group:
//!    a fold, or the test set ([`Split`]).
//! 2. Every (grid point, fold) fit is asked of the estimator at once
//!    ([`fit_all_keeping`]), so it can share its passes over the data between them
//!    (Spark's `parallelism`, without the cost of one job per fit).
//! 3. One pass scores each fold's model on its fold ([`evaluate`]); the first best point
//!    wins, as in Spark.
//! 4. The best point is refitted on all training rows and scored on them and on the test
//!    rows (one pass), and the charts are drawn from the test rows if any, else the
//!    training rows ([`diagnose`]). A grid of one point has no best to wait for: its
//!    refit is asked with the folds' fits in step 2 and shares their passes. The refit
//!    keeps what it found out about its training rows' predictions, where its estimator
//!    has that ([`fit_all_keeping`]: KMeans' final clusters), for their scoring.
//!
//! When the job's cleaning pipeline has estimators to refit on each fold's training rows
//! (Spark's CrossValidator over a `Pipeline`), each fold has tables of its own:
//! [`refit`] runs the same steps fold by fold.

mod plan;
mod prepare;
mod rank;
pub mod refit;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::clean::spec::StringOrderType;
use crate::clean::{PipelineSpec, Step};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::assemble::{Assembler, TrainingColumns};
use crate::ml::attributes::categorical_features;
use crate::ml::dataset::{Parts, RowLayout, Subset, TrainingData};
use crate::ml::diagnostics::{diagnose, DiagnosedRows, Diagnostics};
use crate::ml::estimator::{
    fit_all_keeping, EstimatorSpec, Fitted, TaskKind, TrainedModel, TreeSummary,
};
use crate::ml::evaluation::{evaluate, evaluate_knowing, Evaluation, MetricName, MetricSet, Rows};
use crate::ml::grid::GridAxis;
use crate::ml::scale::StandardScalerParams;
use crate::ml::split::{Split, Tuning};
use crate::params::HandleInvalid;

use prepare::{assemble, check_enough_training_rows, class_labels, count_groups, empty_fold};
use rank::{rank, Ranked};

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
    /// GBT's `validationIndicatorCol`: a boolean column whose true rows each fit sets
    /// apart from its training rows to stop boosting early (`validationTol`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_indicator_col: Option<String>,
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
    /// A tree model's feature importances and `toDebugString`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trees: Option<TreeSummary>,
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

impl<'a> PreparedLabel<'a> {
    /// The spec's label column read as it is (a classifier's holding class indices).
    pub fn as_in_table(spec: &'a TrainSpec) -> Self {
        PreparedLabel {
            column: spec.label.as_deref(),
            labels: Vec::new(),
        }
    }
}

/// Most classes a classifier is trained on.
pub const MAX_CLASSES: usize = 1000;

/// Runs a training job on `table` (already cleaned), reading its label column as it is.
pub fn train(table: &Table, spec: &TrainSpec, ctx: &JobContext) -> Result<TrainResult> {
    train_with_label(table, &[], spec, PreparedLabel::as_in_table(spec), ctx)
}

/// What every training job checks and decides before it reads a row.
struct JobShape<'a> {
    task: TaskKind,
    /// The label column the estimator reads (none for clustering).
    label_column: Option<&'a str>,
    split: Split,
    layout: RowLayout,
    /// See [`JobShape::evaluation_row_bytes`].
    evaluation_row_bytes: usize,
}

impl<'a> JobShape<'a> {
    fn new(spec: &'a TrainSpec, label: &PreparedLabel<'a>) -> Result<Self> {
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
        if spec.weight_col.is_some() && !spec.estimator.takes_weights() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "weightCol is not supported for LinearRegression yet (its fits come from unweighted statistics); leave it empty",
            ));
        }
        if spec.validation_indicator_col.is_some() && !spec.estimator.stops_early() {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "validationIndicatorCol is a param of GBTClassifier and GBTRegressor, not \
                     {}; leave it empty",
                    spec.estimator.spark_name()
                ),
            ));
        }
        let split = Split::new(&spec.tuning, spec.test_fraction, spec.seed)?;
        let label_column = if task == TaskKind::Clustering {
            None
        } else {
            label.column
        };
        let layout = RowLayout {
            features: spec.features.len(),
            label: label_column.is_some(),
            weight: spec.weight_col.is_some(),
            validation: spec.validation_indicator_col.is_some(),
        };
        Ok(JobShape {
            task,
            label_column,
            split,
            layout,
            evaluation_row_bytes: Self::evaluation_row_bytes(spec, task, &label.labels),
        })
    }

    /// Bytes per row that a tuning pass's evaluations keep at once: a binary classifier's
    /// evaluation keeps each validation row's score (8 bytes) to sort them for the areas
    /// under the curves, for every grid point at once (one pass scores them all); the
    /// refit's own evaluation reads every training row once the folds' are done. Other
    /// evaluations keep nothing per row. (`labels` empty: not known yet, so perhaps two.)
    fn evaluation_row_bytes(spec: &TrainSpec, task: TaskKind, labels: &[String]) -> usize {
        if task != TaskKind::Classification || labels.len() > 2 {
            return 0;
        }
        let points: usize = spec
            .grid
            .iter()
            .map(|axis| axis.values.len().max(1))
            .product();
        let validated = match spec.tuning {
            Tuning::CrossValidator { .. } => 1.0,
            Tuning::TrainValidationSplit { train_ratio } => 1.0 - train_ratio,
        };
        ((8 * points) as f64 * validated).ceil().max(8.0) as usize
    }

    /// What the job holds besides its rows, to size it before reading them.
    fn footprint<'s>(&self, spec: &'s TrainSpec) -> plan::Footprint<'s> {
        plan::Footprint {
            estimator: &spec.estimator,
            evaluation_row_bytes: self.evaluation_row_bytes,
        }
    }

    /// VectorAssembler over `features` (the spec's, or a fold's one-hot slots).
    fn assembler(&self, table: &Table, features: &[String], spec: &TrainSpec) -> Result<Assembler> {
        Assembler::new(
            table.schema(),
            features,
            TrainingColumns {
                label: self.label_column,
                weight: spec.weight_col.as_deref(),
                validation: spec.validation_indicator_col.as_deref(),
            },
            spec.handle_invalid,
        )
    }

    fn layout_for(&self, features: usize) -> RowLayout {
        RowLayout {
            features,
            ..self.layout
        }
    }

    /// The classes, the metric and the grid, once the labels are known.
    fn decide(&self, spec: &TrainSpec, parts: Parts, known_labels: Vec<String>) -> Result<Decided> {
        let labels = match self.task {
            TaskKind::Classification => class_labels(parts, known_labels, self.label_column)?,
            _ => Vec::new(),
        };
        let num_classes = labels.len();
        let metric = spec
            .metric
            .unwrap_or_else(|| MetricName::default_for(self.task, num_classes));
        metric.check_fits(self.task, num_classes)?;
        let points = spec.estimator.grid(&spec.grid, num_classes)?;
        Ok(Decided {
            labels,
            metric,
            points,
        })
    }
}

/// What a job decides once it has seen its rows.
struct Decided {
    labels: Vec<String>,
    metric: MetricName,
    points: Vec<(BTreeMap<String, Value>, EstimatorSpec)>,
}

impl Decided {
    fn tuned(&self) -> Vec<&BTreeMap<String, Value>> {
        self.points.iter().map(|(tuned, _)| tuned).collect()
    }
}

/// Runs a training job on `table` (already cleaned by the fitted steps `made_by`, which
/// say which features are categorical) whose label is `label` (a classifier's label
/// already indexed, see [`crate::ml::job`]).
pub fn train_with_label(
    table: &Table,
    made_by: &[Step],
    spec: &TrainSpec,
    label: PreparedLabel,
    ctx: &JobContext,
) -> Result<TrainResult> {
    let available = crate::memory::available();
    train_within(table, made_by, spec, label, available, ctx)
}

/// [`train_with_label`] planned against `available` bytes of memory: the assembled rows
/// are kept if they fit next to the fits, else assembled on each pass (see
/// [`plan::plan_rows`]).
fn train_within(
    table: &Table,
    made_by: &[Step],
    spec: &TrainSpec,
    label: PreparedLabel,
    available: usize,
    ctx: &JobContext,
) -> Result<TrainResult> {
    let shape = JobShape::new(spec, &label)?;
    let split = shape.split;
    let assembler = shape.assembler(table, &spec.features, spec)?;
    let group_of = |_, row| split.group_of(row);
    let assembled = assemble(
        &[table],
        &assembler,
        shape.layout,
        &group_of,
        shape.footprint(spec),
        available,
        ctx,
    )?;
    let parts = assembled.parts();

    let counts = count_groups(parts, split.groups(), ctx)?;
    let kept: u64 = counts.iter().sum();
    let test_rows = counts[split.test_group() as usize];
    check_enough_training_rows(kept - test_rows)?;
    let evaluated = split.evaluated_folds();
    if let Some(f) = (0..evaluated).find(|&f| counts[f] == 0) {
        return Err(empty_fold(f));
    }
    let decided = shape.decide(spec, parts, label.labels)?;
    let categorical = categorical_features(assembler.feature_names(), made_by);
    let data = TrainingData {
        parts,
        features: assembler.feature_names(),
        label: shape.label_column,
        num_classes: decided.labels.len(),
        categorical: &categorical,
        scaler: spec.scaler,
        groups: split.groups(),
    };

    // Every (point, fold) fit, then each scored on its fold. With one point there is
    // nothing to rank, so its refit on all training rows joins the folds' fits and shares
    // their passes over the rows.
    let mut fits: Vec<(&EstimatorSpec, _)> = decided
        .points
        .iter()
        .flat_map(|(_, estimator)| (0..evaluated).map(move |f| (estimator, split.without_fold(f))))
        .collect();
    let refit_with_folds = decided.points.len() == 1;
    if refit_with_folds {
        fits.push((&decided.points[0].1, split.all_training()));
    }
    // Only the refit's training rows are scored again (the folds' fits are scored on the
    // rows they did not learn from).
    let keep: Vec<bool> = (0..fits.len())
        .map(|i| refit_with_folds && i + 1 == fits.len())
        .collect();
    let mut fold_models = fit_all_keeping(&data, &fits, &keep, ctx)?;
    let refitted = if refit_with_folds {
        fold_models.pop()
    } else {
        None
    };
    let models: Vec<&TrainedModel> = fold_models.iter().map(|fit| &fit.model).collect();
    let evaluations: Vec<Evaluation> = (0..fold_models.len())
        .map(|i| Evaluation {
            model: i,
            rows: Rows::Group((i % evaluated) as u16),
        })
        .collect();
    let fold_metrics: Vec<MetricSet> = evaluate(parts, &models, &evaluations, split.groups(), ctx)?
        .into_iter()
        .map(|(metrics, _)| metrics)
        .collect();
    let ranked = rank(&decided.tuned(), &fold_metrics, evaluated, decided.metric);

    let finished = fit_best(
        &data,
        &decided.points[ranked.best_index].1,
        refitted,
        FinalRows {
            training: split.all_training(),
            train: Rows::Below(split.test_group()),
            test: (test_rows > 0).then_some(Rows::Group(split.test_group())),
        },
        spec.seed,
        ctx,
    )?;
    let rows = RowCounts {
        total: table.num_rows() as u64,
        skipped: table.num_rows() as u64 - kept,
        train: kept - test_rows,
        test: test_rows,
    };
    Ok(result(
        &shape,
        spec.features.clone(),
        decided,
        ranked,
        finished,
        rows,
    ))
}

/// Where the best point is refitted and scored.
struct FinalRows {
    /// The rows it learns from.
    training: Subset,
    /// The same rows, as an evaluation reads them.
    train: Rows,
    /// The test rows, when there are any.
    test: Option<Rows>,
}

/// The best point's model and what it scored.
struct Finished {
    model: TrainedModel,
    train_metrics: MetricSet,
    test_metrics: Option<MetricSet>,
    diagnostics: Diagnostics,
}

/// Refits `best` on all training rows (unless `refitted` already is that fit), scores it
/// on them (from what the fit kept of them, if anything) and on the test rows (one
/// pass), and draws the charts from the test rows if any, else the training rows.
fn fit_best(
    data: &TrainingData,
    best: &EstimatorSpec,
    refitted: Option<Fitted>,
    rows: FinalRows,
    seed: u64,
    ctx: &JobContext,
) -> Result<Finished> {
    let Fitted {
        model,
        on_training_rows,
    } = match refitted {
        Some(fitted) => fitted,
        None => fit_all_keeping(data, &[(best, rows.training)], &[true], ctx)?
            .pop()
            .ok_or_else(|| Error::new(ErrorCode::Internal, "the refit gave no model"))?,
    };
    let mut scored = vec![Evaluation {
        model: 0,
        rows: rows.train,
    }];
    if let Some(test) = rows.test {
        scored.push(Evaluation {
            model: 0,
            rows: test,
        });
    }
    let known = [on_training_rows.as_ref()];
    let mut results =
        evaluate_knowing(data.parts, &[&model], &known, &scored, data.groups, ctx)?.into_iter();
    drop(on_training_rows);
    let (train_metrics, train_detail) = results
        .next()
        .ok_or_else(|| Error::new(ErrorCode::Internal, "the refit was not scored"))?;
    let test = results.next();
    let diagnosed = match (&test, rows.test) {
        (Some((metrics, detail)), Some(test_rows)) => DiagnosedRows {
            name: "test",
            rows: test_rows,
            metrics: metrics.clone(),
            detail: detail.clone(),
        },
        _ => DiagnosedRows {
            name: "train",
            rows: rows.train,
            metrics: train_metrics.clone(),
            detail: train_detail,
        },
    };
    let diagnostics = diagnose(data.parts, &model, diagnosed, seed, ctx)?;
    Ok(Finished {
        model,
        train_metrics,
        test_metrics: test.map(|(m, _)| m),
        diagnostics,
    })
}

/// The job's result from its parts.
fn result(
    shape: &JobShape,
    features: Vec<String>,
    decided: Decided,
    ranked: Ranked,
    finished: Finished,
    rows: RowCounts,
) -> TrainResult {
    let metric = decided.metric;
    TrainResult {
        task: shape.task,
        features,
        label: shape.label_column.map(str::to_string),
        labels: decided.labels,
        metric,
        larger_is_better: metric.larger_is_better(),
        best_params: decided.points[ranked.best_index].1.clone(),
        grid: ranked.grid,
        best_index: ranked.best_index,
        trees: finished.model.tree_summary(),
        model: finished.model,
        train_metrics: finished.train_metrics,
        validation_metrics: ranked.validation_metrics,
        test_metrics: finished.test_metrics,
        rows,
        diagnostics: finished.diagnostics,
        pipeline: None,
    }
}
