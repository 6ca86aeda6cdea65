//! CrossValidator and TrainValidationSplit over a ParamGrid, from one pass of statistics.
//!
//! Pass 1 (parallel over partitions) assembles the rows and accumulates [`Moments`] per
//! fold (and for the held-out test rows). Every (grid point, fold) fit is then a p×p
//! problem on `all − fold` statistics, and its RMSE/MSE/R² on the fold follow from the
//! fold's statistics. Pass 2 (parallel) computes the mean absolute errors, which moments
//! cannot give: for the best point, or for every point when the metric is MAE. Pass 3
//! gathers what the charts show ([`diagnose`]).
//!
//! Rows are assigned to folds from the seed and their row number only, so the same seed
//! gives the same folds whatever the partitioning or the number of threads.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::clean::PipelineSpec;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::assemble::Assembler;
use crate::ml::dataset::{row_offsets, Prepared, RowLayout};
use crate::ml::diagnostics::{diagnose, DiagnosedRows, Diagnostics};
use crate::ml::linear::{LinearModel, LinearRegressionParams};
use crate::ml::metrics::{from_moments, Metric, Metrics};
use crate::ml::model::RegressionModel;
use crate::ml::moments::Moments;
use crate::ml::scale::StandardScalerParams;
use crate::params::HandleInvalid;
use crate::random::{unit, Stream};

/// How the grid is evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Tuning {
    /// Spark's CrossValidator (numFolds default 3).
    #[serde(rename_all = "camelCase")]
    CrossValidator { num_folds: usize },
    /// Spark's TrainValidationSplit (trainRatio default 0.75).
    #[serde(rename_all = "camelCase")]
    TrainValidationSplit { train_ratio: f64 },
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning::CrossValidator { num_folds: 3 }
    }
}

/// A whole training job: which columns, the estimator's params, the grid and the tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainSpec {
    pub features: Vec<String>,
    pub label: String,
    #[serde(default)]
    pub handle_invalid: HandleInvalid,
    /// A StandardScaler stage before the regression, fitted on each training split.
    #[serde(default)]
    pub scaler: Option<StandardScalerParams>,
    #[serde(default)]
    pub params: LinearRegressionParams,
    /// ParamGridBuilder's axes in the order they were added (the last varies fastest):
    /// `regParam`, `elasticNetParam`, `fitIntercept`, `standardization`, `maxIter`, `tol`.
    #[serde(default)]
    pub grid: Vec<GridAxis>,
    #[serde(default)]
    pub tuning: Tuning,
    #[serde(default)]
    pub metric: Metric,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GridAxis {
    pub param: String,
    pub values: Vec<Value>,
}

/// One grid point's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GridPointResult {
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
    pub features: Vec<String>,
    pub label: String,
    pub metric: Metric,
    pub grid: Vec<GridPointResult>,
    pub best_index: usize,
    pub best_params: LinearRegressionParams,
    /// The best point refitted on every training row (all rows but the test set).
    pub model: RegressionModel,
    pub train_metrics: Metrics,
    /// The best point's metrics on the validation folds, averaged over folds.
    pub validation_metrics: Metrics,
    pub test_metrics: Option<Metrics>,
    pub rows: RowCounts,
    /// Predicted vs actual and the residuals, on the test rows if any, else training.
    pub diagnostics: Diagnostics,
    /// The cleaning pipeline as fitted on the training table, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipelineSpec>,
}

/// Folds are numbered in 16 bits (with one more group for the test set).
const MAX_FOLDS: usize = 1000;

/// Where rows go: `folds` validation folds, then one group for the test set.
struct Split {
    seed: u64,
    folds: usize,
    test_fraction: f64,
    /// TrainValidationSplit: rows below this go to training (group 1), others validate.
    train_ratio: Option<f64>,
}

impl Split {
    fn groups(&self) -> usize {
        self.folds + 1
    }

    fn group_of(&self, row: u64) -> usize {
        if self.test_fraction > 0.0 && unit(self.seed, Stream::TestSplit, row) < self.test_fraction
        {
            return self.folds;
        }
        let u = unit(self.seed, Stream::Folds, row);
        match self.train_ratio {
            Some(ratio) => (u < ratio) as usize,
            None => ((u * self.folds as f64) as usize).min(self.folds - 1),
        }
    }

    /// The folds whose held-out score counts (TrainValidationSplit: only group 0).
    fn evaluated_folds(&self) -> usize {
        if self.train_ratio.is_some() {
            1
        } else {
            self.folds
        }
    }
}

/// Refuses columns whose sums of squares overflow (values beyond about 1e154): every fit
/// would silently come out as NaN or garbage.
fn check_finite(moments: &Moments, features: &[String], label: &str) -> Result<()> {
    let names = features.iter().map(String::as_str).chain([label]);
    for (j, name) in names.enumerate() {
        if !(moments.mean[j].is_finite() && moments.comoment[[j, j]].is_finite()) {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "`{name}` has values too large to train on: their squares overflow a \
                     double (|x| above about 1e154). Rescale the column first, e.g. \
                     `{name} / 1e6` in SQL"
                ),
            )
            .in_column(name));
        }
    }
    Ok(())
}

/// Most grid points one training job evaluates.
pub const MAX_GRID_POINTS: usize = 10_000;

/// Grid points: the cartesian product of the axes, the last axis varying fastest.
pub fn grid_points(
    base: &LinearRegressionParams,
    axes: &[GridAxis],
) -> Result<Vec<(BTreeMap<String, Value>, LinearRegressionParams)>> {
    let size = axes
        .iter()
        .try_fold(1usize, |size, axis| size.checked_mul(axis.values.len()));
    if size.is_none_or(|size| size > MAX_GRID_POINTS) {
        let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "the grid has {} points; a training job evaluates at most {MAX_GRID_POINTS}: \
                 give fewer values per parameter",
                sizes.join(" × ")
            ),
        ));
    }
    let mut points = vec![(BTreeMap::new(), base.clone())];
    for axis in axes {
        if axis.values.is_empty() {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!("the grid gives no values for {}", axis.param),
            ));
        }
        let mut next = Vec::with_capacity(points.len() * axis.values.len());
        for (labels, params) in &points {
            for value in &axis.values {
                let mut params = params.clone();
                set_param(&mut params, &axis.param, value)?;
                let mut labels = labels.clone();
                labels.insert(axis.param.clone(), value.clone());
                next.push((labels, params));
            }
        }
        points = next;
    }
    for (_, params) in &points {
        params.validate()?;
    }
    Ok(points)
}

fn set_param(params: &mut LinearRegressionParams, name: &str, value: &Value) -> Result<()> {
    let bad = || {
        Error::new(
            ErrorCode::MlInput,
            format!("{value} is not a valid value for {name}"),
        )
    };
    match name {
        "regParam" => params.reg_param = value.as_f64().ok_or_else(bad)?,
        "elasticNetParam" => params.elastic_net_param = value.as_f64().ok_or_else(bad)?,
        "tol" => params.tol = value.as_f64().ok_or_else(bad)?,
        "maxIter" => params.max_iter = value.as_u64().ok_or_else(bad)? as usize,
        "fitIntercept" => params.fit_intercept = value.as_bool().ok_or_else(bad)?,
        "standardization" => params.standardization = value.as_bool().ok_or_else(bad)?,
        other => {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!("LinearRegression has no parameter {other} to tune"),
            ))
        }
    }
    Ok(())
}

/// Runs a training job on `table`.
pub fn train(table: &Table, spec: &TrainSpec, ctx: &JobContext) -> Result<TrainResult> {
    if spec.handle_invalid == HandleInvalid::Keep {
        return Err(Error::new(
            ErrorCode::MlInput,
            "handleInvalid = keep would train on NaN values; use error or skip",
        ));
    }
    if !(0.0..1.0).contains(&spec.test_fraction) {
        return Err(Error::new(
            ErrorCode::MlInput,
            "the test fraction must be at least 0 and below 1",
        ));
    }
    let split = match spec.tuning {
        Tuning::CrossValidator { num_folds } if (2..=MAX_FOLDS).contains(&num_folds) => Split {
            seed: spec.seed,
            folds: num_folds,
            test_fraction: spec.test_fraction,
            train_ratio: None,
        },
        Tuning::CrossValidator { num_folds } => {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!("numFolds must be between 2 and {MAX_FOLDS}, not {num_folds}"),
            ))
        }
        Tuning::TrainValidationSplit { train_ratio } if train_ratio > 0.0 && train_ratio < 1.0 => {
            Split {
                seed: spec.seed,
                folds: 2,
                test_fraction: spec.test_fraction,
                train_ratio: Some(train_ratio),
            }
        }
        Tuning::TrainValidationSplit { train_ratio } => {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!("trainRatio must be between 0 and 1, not {train_ratio}"),
            ))
        }
    };
    let points = grid_points(&spec.params, &spec.grid)?;
    let assembler = Assembler::new(
        table.schema(),
        &spec.features,
        Some(&spec.label),
        spec.handle_invalid,
    )?;
    let partitions = table.partitions();
    let offsets = row_offsets(partitions);
    // Passes 2 and 3 reuse the rows assembled in pass 1: 8 bytes per value and the fold.
    crate::memory::check(
        table
            .num_rows()
            .saturating_mul(8 * (spec.features.len() + 1) + 2),
        "training on this table",
        "choose fewer features, or train on a filtered table (CREATE TABLE ... AS SELECT ... WHERE ...)",
    )?;
    ctx.expect_steps(3 * partitions.len());

    // Pass 1: statistics per group.
    let width = spec.features.len() + 1;
    // The assembled rows and their groups are kept for passes 2 and 3: 8 bytes per
    // value, instead of casting and assigning every row three times.
    let per_partition: Vec<(Prepared, Vec<Moments>)> = partitions
        .par_iter()
        .zip(&offsets)
        .map(|(batch, &first)| {
            ctx.check()?;
            let rows = assembler.rows(batch, first)?;
            let groups: Vec<u16> = rows
                .row_numbers
                .iter()
                .map(|&row| split.group_of(row) as u16)
                .collect();
            let prepared = Prepared {
                rows,
                groups,
                layout: RowLayout {
                    features: width - 1,
                    label: true,
                    weight: false,
                },
            };
            let moments = prepared.group_moments(split.groups());
            ctx.advance();
            Ok((prepared, moments))
        })
        .collect::<Result<_>>()?;
    let mut groups = vec![Moments::empty(width); split.groups()];
    let mut prepared = Vec::with_capacity(per_partition.len());
    for (part, moments) in per_partition {
        for (g, m) in groups.iter_mut().zip(&moments) {
            g.merge(m);
        }
        prepared.push(part);
    }
    let kept: usize = prepared.iter().map(|p| p.groups.len()).sum();
    let skipped = table.num_rows() as u64 - kept as u64;
    let test = groups[split.folds].clone();
    let mut training = Moments::empty(width);
    for fold in &groups[..split.folds] {
        training.merge(fold);
    }
    if training.n < 2.0 {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "only {} usable rows to train on; load more data or drop fewer rows",
                training.n
            ),
        ));
    }
    check_finite(&training, &spec.features, &spec.label)?;
    let names = assembler.feature_names(true).to_vec();

    // Every (point, fold) fit and its squared-error metrics, from the moments alone.
    let evaluated = split.evaluated_folds();
    if let Some(f) = (0..evaluated).find(|&f| groups[f].n == 0.0) {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "validation fold {} has no rows; use fewer folds or more data",
                f + 1
            ),
        ));
    }
    let fit = |m: &Moments, params: &LinearRegressionParams| {
        RegressionModel::fit(m, spec.scaler.as_ref(), params, &names)
    };
    // Each fold's model as one linear model on the original features.
    let fold_models: Vec<Vec<LinearModel>> = points
        .iter()
        .map(|(_, params)| {
            (0..evaluated)
                .map(|f| {
                    ctx.check()?;
                    Ok(fit(&training.without(&groups[f]), params)?.on_original_features())
                })
                .collect()
        })
        .collect::<Result<_>>()?;
    let fold_metrics: Vec<Vec<Metrics>> = fold_models
        .iter()
        .map(|models| {
            models
                .iter()
                .zip(&groups)
                .map(|(model, fold)| from_moments(model, fold, f64::NAN))
                .collect()
        })
        .collect();
    let scores_for = |point: usize, maes: Option<&[f64]>| -> Vec<f64> {
        (0..evaluated)
            .map(|f| match (spec.metric, maes) {
                (Metric::Mae, Some(maes)) => maes[f],
                (metric, _) => fold_metrics[point][f].get(metric),
            })
            .collect()
    };

    // Pass 2 (mean absolute errors): every point when ranking by MAE, else the best.
    let candidates: Vec<usize> = if spec.metric == Metric::Mae {
        (0..points.len()).collect()
    } else {
        vec![pick_best(
            &(0..points.len())
                .map(|p| mean(&scores_for(p, None)))
                .collect::<Vec<_>>(),
            spec.metric,
        )]
    };
    let refits: Vec<RegressionModel> = candidates
        .iter()
        .map(|&p| fit(&training, &points[p].1))
        .collect::<Result<_>>()?;
    let refit_linear: Vec<LinearModel> = refits.iter().map(|r| r.on_original_features()).collect();
    let abs_errors = absolute_errors(
        &prepared,
        &split,
        &candidates
            .iter()
            .map(|&p| &fold_models[p])
            .collect::<Vec<_>>(),
        &refit_linear,
        ctx,
    )?;

    let grid: Vec<GridPointResult> = points
        .iter()
        .enumerate()
        .map(|(p, (labels, _))| {
            let maes = candidates
                .iter()
                .position(|&c| c == p)
                .map(|c| abs_errors.fold_mae(c));
            let scores = scores_for(p, maes.as_deref());
            GridPointResult {
                params: labels.clone(),
                avg_metric: mean(&scores),
                std_metric: std_population(&scores),
                fold_metrics: scores,
            }
        })
        .collect();
    let best_index = pick_best(
        &grid.iter().map(|g| g.avg_metric).collect::<Vec<_>>(),
        spec.metric,
    );
    let best = candidates
        .iter()
        .position(|&c| c == best_index)
        .ok_or_else(|| Error::new(ErrorCode::Internal, "the best point was not re-scored"))?;
    let model = refits[best].clone();
    let linear = &refit_linear[best];
    let fold_mae = abs_errors.fold_mae(best);
    let validation_metrics = average_metrics(
        &fold_metrics[best_index]
            .iter()
            .zip(fold_mae)
            .map(|(metrics, mae)| Metrics { mae, ..*metrics })
            .collect::<Vec<_>>(),
    );
    let train_metrics = from_moments(linear, &training, abs_errors.train[best] / training.n);
    let test_metrics =
        (test.n > 0.0).then(|| from_moments(linear, &test, abs_errors.test[best] / test.n));
    let test_group = split.folds as u16;
    let in_test = |group: u16| group == test_group;
    let in_training = |group: u16| group != test_group;
    let diagnosed = if test.n > 0.0 {
        DiagnosedRows {
            name: "test",
            moments: &test,
            contains: &in_test,
        }
    } else {
        DiagnosedRows {
            name: "train",
            moments: &training,
            contains: &in_training,
        }
    };
    let diagnostics = diagnose(&prepared, linear, diagnosed, spec.seed, ctx)?;
    Ok(TrainResult {
        features: spec.features.clone(),
        label: spec.label.clone(),
        metric: spec.metric,
        grid,
        best_index,
        best_params: points[best_index].1.clone(),
        model,
        train_metrics,
        validation_metrics,
        test_metrics,
        rows: RowCounts {
            total: table.num_rows() as u64,
            skipped,
            train: training.n as u64,
            test: test.n as u64,
        },
        diagnostics,
        pipeline: None,
    })
}

/// Sums of absolute errors from pass 2, per candidate point.
struct AbsoluteErrors {
    /// `[candidate][fold]`: sum and count on the fold, with the model trained without it.
    folds: Vec<Vec<(f64, f64)>>,
    /// `[candidate]`: the refitted model on the training rows and on the test rows.
    train: Vec<f64>,
    test: Vec<f64>,
}

impl AbsoluteErrors {
    fn zeros(candidates: usize, folds: usize) -> Self {
        AbsoluteErrors {
            folds: vec![vec![(0.0, 0.0); folds]; candidates],
            train: vec![0.0; candidates],
            test: vec![0.0; candidates],
        }
    }

    fn add(&mut self, other: &AbsoluteErrors) {
        for (mine, theirs) in self.folds.iter_mut().zip(&other.folds) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.0 += b.0;
                a.1 += b.1;
            }
        }
        for (a, b) in self.train.iter_mut().zip(&other.train) {
            *a += b;
        }
        for (a, b) in self.test.iter_mut().zip(&other.test) {
            *a += b;
        }
    }

    fn fold_mae(&self, candidate: usize) -> Vec<f64> {
        self.folds[candidate]
            .iter()
            .map(|&(sum, n)| if n > 0.0 { sum / n } else { f64::NAN })
            .collect()
    }
}

fn absolute_errors(
    prepared: &[Prepared],
    split: &Split,
    fold_models: &[&Vec<LinearModel>],
    refits: &[LinearModel],
    ctx: &JobContext,
) -> Result<AbsoluteErrors> {
    let evaluated = split.evaluated_folds();
    let test_group = split.folds as u16;
    let parts: Vec<AbsoluteErrors> = prepared
        .par_iter()
        .map(|part| {
            ctx.check()?;
            let mut sums = AbsoluteErrors::zeros(refits.len(), evaluated);
            for (x, y, group, _) in part.labelled() {
                for (c, refit) in refits.iter().enumerate() {
                    let refit_error = (y - refit.predict(x)).abs();
                    if group == test_group {
                        sums.test[c] += refit_error;
                        continue;
                    }
                    sums.train[c] += refit_error;
                    let group = group as usize;
                    if group < evaluated {
                        let e = (y - fold_models[c][group].predict(x)).abs();
                        sums.folds[c][group].0 += e;
                        sums.folds[c][group].1 += 1.0;
                    }
                }
            }
            ctx.advance();
            Ok(sums)
        })
        .collect::<Result<_>>()?;
    let mut total = AbsoluteErrors::zeros(refits.len(), evaluated);
    for p in &parts {
        total.add(p);
    }
    Ok(total)
}

/// The first best value (Spark: the first grid point wins ties).
fn pick_best(values: &[f64], metric: Metric) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate().skip(1) {
        let better = if metric.larger_is_better() {
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

fn average_metrics(all: &[Metrics]) -> Metrics {
    let avg = |f: fn(&Metrics) -> f64| mean(&all.iter().map(f).collect::<Vec<_>>());
    Metrics {
        rmse: avg(|m| m.rmse),
        mse: avg(|m| m.mse),
        r2: avg(|m| m.r2),
        mae: avg(|m| m.mae),
        var: avg(|m| m.var),
        rows: avg(|m| m.rows),
    }
}
