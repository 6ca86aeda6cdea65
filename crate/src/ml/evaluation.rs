//! Scoring fitted models on rows, as Spark's evaluators do: RegressionEvaluator,
//! BinaryClassificationEvaluator, MulticlassClassificationEvaluator and
//! ClusteringEvaluator (the metrics themselves are in [`crate::ml::evaluate`] and
//! [`RegressionSums`]).
//!
//! One parallel pass over the partitions scores every requested evaluation — a grid
//! point's model on its validation fold, the refitted model on the training and the test
//! rows — each into its own accumulator, merged across partitions; the silhouette needs a
//! second pass (Spark's own two-step computation). A fit may hand over what it already
//! knows of its training rows' predictions ([`evaluate_knowing`]): a KMeans fit's final
//! clusters and their sums are the silhouette's first pass over those rows.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{Parts, Prepared, Row};
use crate::ml::estimator::{Predictor, TaskKind, TrainedModel, TrainingPredictions};
use crate::ml::evaluate::binary::{BinaryEvaluation, BinaryOptions, BinaryScores};
use crate::ml::evaluate::clustering::{ClusterStats, Silhouette, SilhouetteSum};
use crate::ml::evaluate::multiclass::{ConfusionMatrix, LogLoss, MulticlassMetrics, DEFAULT_EPS};
use crate::ml::kmeans::kept::silhouette_spec;
use crate::ml::kmeans::TrainingClusters;
use crate::ml::linear::LinearModel;

mod linear_pass;
use linear_pass::linear_regression_pass;

/// An evaluator's `metricName`, for every evaluator (Spark's spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum MetricName {
    #[serde(rename = "rmse")]
    Rmse,
    #[serde(rename = "mse")]
    Mse,
    #[serde(rename = "r2")]
    R2,
    #[serde(rename = "mae")]
    Mae,
    #[serde(rename = "var")]
    Var,
    #[serde(rename = "areaUnderROC")]
    AreaUnderRoc,
    #[serde(rename = "areaUnderPR")]
    AreaUnderPr,
    #[serde(rename = "f1")]
    F1,
    #[serde(rename = "accuracy")]
    Accuracy,
    #[serde(rename = "weightedPrecision")]
    WeightedPrecision,
    #[serde(rename = "weightedRecall")]
    WeightedRecall,
    #[serde(rename = "weightedFMeasure")]
    WeightedFMeasure,
    #[serde(rename = "logLoss")]
    LogLoss,
    #[serde(rename = "hammingLoss")]
    HammingLoss,
    #[serde(rename = "silhouette")]
    Silhouette,
}

/// The evaluator a metric belongs to (Spark's class).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluator {
    Regression,
    BinaryClassification,
    MulticlassClassification,
    Clustering,
}

impl Evaluator {
    /// Spark's class name.
    pub fn spark_name(self) -> &'static str {
        match self {
            Evaluator::Regression => "RegressionEvaluator",
            Evaluator::BinaryClassification => "BinaryClassificationEvaluator",
            Evaluator::MulticlassClassification => "MulticlassClassificationEvaluator",
            Evaluator::Clustering => "ClusteringEvaluator",
        }
    }
}

impl MetricName {
    pub const ALL: [MetricName; 15] = [
        MetricName::Rmse,
        MetricName::Mse,
        MetricName::R2,
        MetricName::Mae,
        MetricName::Var,
        MetricName::AreaUnderRoc,
        MetricName::AreaUnderPr,
        MetricName::F1,
        MetricName::Accuracy,
        MetricName::WeightedPrecision,
        MetricName::WeightedRecall,
        MetricName::WeightedFMeasure,
        MetricName::LogLoss,
        MetricName::HammingLoss,
        MetricName::Silhouette,
    ];

    pub const REGRESSION: [MetricName; 5] = [
        MetricName::Rmse,
        MetricName::Mse,
        MetricName::R2,
        MetricName::Mae,
        MetricName::Var,
    ];
    /// What a classifier's results show (and the grid can be ranked by).
    pub const CLASSIFICATION: [MetricName; 9] = [
        MetricName::AreaUnderRoc,
        MetricName::AreaUnderPr,
        MetricName::F1,
        MetricName::Accuracy,
        MetricName::WeightedPrecision,
        MetricName::WeightedRecall,
        MetricName::WeightedFMeasure,
        MetricName::LogLoss,
        MetricName::HammingLoss,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MetricName::Rmse => "rmse",
            MetricName::Mse => "mse",
            MetricName::R2 => "r2",
            MetricName::Mae => "mae",
            MetricName::Var => "var",
            MetricName::AreaUnderRoc => "areaUnderROC",
            MetricName::AreaUnderPr => "areaUnderPR",
            MetricName::F1 => "f1",
            MetricName::Accuracy => "accuracy",
            MetricName::WeightedPrecision => "weightedPrecision",
            MetricName::WeightedRecall => "weightedRecall",
            MetricName::WeightedFMeasure => "weightedFMeasure",
            MetricName::LogLoss => "logLoss",
            MetricName::HammingLoss => "hammingLoss",
            MetricName::Silhouette => "silhouette",
        }
    }

    pub fn evaluator(self) -> Evaluator {
        match self {
            MetricName::Rmse
            | MetricName::Mse
            | MetricName::R2
            | MetricName::Mae
            | MetricName::Var => Evaluator::Regression,
            MetricName::AreaUnderRoc | MetricName::AreaUnderPr => Evaluator::BinaryClassification,
            MetricName::Silhouette => Evaluator::Clustering,
            _ => Evaluator::MulticlassClassification,
        }
    }

    /// Spark's `isLargerBetter`.
    pub fn larger_is_better(self) -> bool {
        !matches!(
            self,
            MetricName::Rmse
                | MetricName::Mse
                | MetricName::Mae
                | MetricName::LogLoss
                | MetricName::HammingLoss
        )
    }

    /// The metric Spark's evaluator for `task` uses by default: rmse, areaUnderROC (two
    /// classes), f1 (more), silhouette.
    pub fn default_for(task: TaskKind, classes: usize) -> MetricName {
        match task {
            TaskKind::Regression => MetricName::Rmse,
            TaskKind::Classification if classes <= 2 => MetricName::AreaUnderRoc,
            TaskKind::Classification => MetricName::F1,
            TaskKind::Clustering => MetricName::Silhouette,
        }
    }

    /// Whether this metric can rank a model of `task` with `classes` classes.
    pub fn check_fits(self, task: TaskKind, classes: usize) -> Result<()> {
        let fits = match (self.evaluator(), task) {
            (Evaluator::Regression, TaskKind::Regression) => true,
            (Evaluator::BinaryClassification, TaskKind::Classification) => classes <= 2,
            (Evaluator::MulticlassClassification, TaskKind::Classification) => true,
            (Evaluator::Clustering, TaskKind::Clustering) => true,
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "{} does not evaluate this model: {}",
                    self.name(),
                    match task {
                        TaskKind::Regression => "use rmse, mse, mae, r2 or var (RegressionEvaluator)",
                        TaskKind::Classification if classes > 2 =>
                            "areaUnderROC and areaUnderPR need two classes; use f1, accuracy, weightedPrecision, weightedRecall or logLoss (MulticlassClassificationEvaluator)",
                        TaskKind::Classification =>
                            "use areaUnderROC, areaUnderPR (BinaryClassificationEvaluator) or f1, accuracy, ... (MulticlassClassificationEvaluator)",
                        TaskKind::Clustering => "use silhouette (ClusteringEvaluator)",
                    }
                ),
            ))
        }
    }
}

/// Every metric of one model on one set of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricSet {
    /// Rows evaluated.
    pub rows: u64,
    /// Each metric by Spark's name (the family of the model's evaluator).
    pub values: BTreeMap<String, f64>,
}

impl MetricSet {
    pub fn get(&self, metric: MetricName) -> f64 {
        self.values.get(metric.name()).copied().unwrap_or(f64::NAN)
    }

    /// The mean of each metric over several sets (the validation folds).
    pub fn average(sets: &[MetricSet]) -> MetricSet {
        let mut values: BTreeMap<String, f64> = BTreeMap::new();
        for set in sets {
            for (name, value) in &set.values {
                *values.entry(name.clone()).or_default() += value / sets.len() as f64;
            }
        }
        MetricSet {
            rows: sets.iter().map(|s| s.rows).sum::<u64>() / sets.len().max(1) as u64,
            values,
        }
    }
}

/// Which rows an evaluation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// One group: a validation fold, or the test set.
    Group(u16),
    /// Every group below this one: the training rows (all but the test set).
    Below(u16),
}

impl Rows {
    pub fn contains(self, group: u16) -> bool {
        match self {
            Rows::Group(g) => group == g,
            Rows::Below(g) => group < g,
        }
    }
}

/// One evaluation: model `model` of the list given to [`evaluate`] on `rows`.
#[derive(Debug, Clone, Copy)]
pub struct Evaluation {
    pub model: usize,
    pub rows: Rows,
}

/// What an evaluation gives besides its metrics, for the charts.
#[derive(Debug, Clone)]
pub enum Detail {
    None,
    /// Two classes: the ROC and PR curves and the threshold table, and the weighted
    /// confusion matrix (`[label][prediction]`) at the model's threshold.
    Binary {
        evaluation: BinaryEvaluation,
        confusion: Vec<Vec<f64>>,
    },
    /// More classes: the weighted confusion matrix, `[label][prediction]`.
    Confusion(Vec<Vec<f64>>),
    /// The silhouette of every cluster.
    Clusters(Silhouette),
}

/// The metric sets (and details) of every evaluation, in the order given. `models` are
/// all of one kind (the fits of one tuning job).
pub fn evaluate<'a>(
    parts: impl Into<Parts<'a>>,
    models: &[&TrainedModel],
    evaluations: &[Evaluation],
    groups: usize,
    ctx: &JobContext,
) -> Result<Vec<(MetricSet, Detail)>> {
    evaluate_knowing(parts, models, &[], evaluations, groups, ctx)
}

/// [`evaluate`], with what the fits of `models` already know of their predictions on
/// their training rows (`known[m]` for model `m`; missing entries know nothing): an
/// evaluation of exactly those rows starts from it instead of predicting them. The
/// results are the same to the last bit.
pub fn evaluate_knowing<'a>(
    parts: impl Into<Parts<'a>>,
    models: &[&TrainedModel],
    known: &[Option<&TrainingPredictions>],
    evaluations: &[Evaluation],
    groups: usize,
    ctx: &JobContext,
) -> Result<Vec<(MetricSet, Detail)>> {
    evaluate_with(
        parts.into(),
        models,
        Known {
            models: known,
            groups,
        },
        evaluations,
        groups,
        Path::Fastest,
        ctx,
    )
}

/// What the fits know of their models' predictions on their training rows.
#[derive(Clone, Copy)]
struct Known<'k> {
    models: &'k [Option<&'k TrainingPredictions>],
    /// The groups rows fall in, to tell which rows a fit's subset holds.
    groups: usize,
}

impl<'k> Known<'k> {
    /// A KMeans fit's final clusters, when `evaluation` reads exactly its training rows
    /// and its model's silhouette is the one they were summed for.
    fn clusters(
        &self,
        evaluation: &Evaluation,
        model: &TrainedModel,
        parts: &[Prepared],
    ) -> Option<&'k TrainingClusters> {
        let Some(Some(TrainingPredictions::Clusters(kept))) = self.models.get(evaluation.model)
        else {
            return None;
        };
        let subset = kept.subset();
        let same_rows =
            (0..self.groups as u16).all(|g| evaluation.rows.contains(g) == subset.contains(g));
        let same_spec = cluster_stats_for(model).is_ok_and(|s| s.spec() == kept.stats().spec());
        (same_rows && same_spec && kept.covers(parts)).then_some(kept)
    }
}

/// [`evaluate`] through the generic scoring pass whatever the models, to check the fast
/// paths against.
#[cfg(test)]
fn evaluate_generically(
    parts: &[Prepared],
    models: &[&TrainedModel],
    evaluations: &[Evaluation],
    groups: usize,
    ctx: &JobContext,
) -> Result<Vec<(MetricSet, Detail)>> {
    evaluate_with(
        parts.into(),
        models,
        Known {
            models: &[],
            groups,
        },
        evaluations,
        groups,
        Path::Generic,
        ctx,
    )
}

/// Whether [`evaluate`] may take a model family's own pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Fastest,
    #[cfg(test)]
    Generic,
}

fn evaluate_with(
    parts: Parts,
    models: &[&TrainedModel],
    known: Known,
    evaluations: &[Evaluation],
    groups: usize,
    path: Path,
    ctx: &JobContext,
) -> Result<Vec<(MetricSet, Detail)>> {
    if evaluations.is_empty() {
        return Ok(Vec::new());
    }
    // Which evaluations read each group's rows.
    let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); groups];
    for (e, evaluation) in evaluations.iter().enumerate() {
        for (g, list) in by_group.iter_mut().enumerate() {
            if evaluation.rows.contains(g as u16) {
                list.push(e);
            }
        }
    }
    if models[evaluations[0].model].task() == TaskKind::Clustering {
        return clustering_evaluations(parts.kept()?, models, known, evaluations, &by_group, ctx);
    }
    let fresh = || -> Result<Vec<Accumulator>> {
        evaluations
            .iter()
            .map(|e| Accumulator::new(models[e.model]))
            .collect()
    };
    let linear: Option<Vec<LinearModel>> = match path {
        Path::Fastest => models.iter().map(|m| m.linear_on_raw_features()).collect(),
        #[cfg(test)]
        Path::Generic => None,
    };
    let partials = match linear {
        Some(linear) => {
            linear_regression_pass(parts.kept()?, &linear, evaluations, &by_group, ctx)?
                .into_iter()
                .map(|sums| sums.into_iter().map(Accumulator::Regression).collect())
                .collect()
        }
        None => scoring_pass(
            parts,
            models,
            evaluations,
            &by_group,
            &fresh,
            &|acc: &mut Accumulator, _, row, prediction, predictor| {
                acc.add(row, prediction, predictor)
            },
            ctx,
        )?,
    };
    finish_in_parallel(partials, evaluations, models)
}

/// Merges each evaluation's partition accumulators (in partition order) and finishes it,
/// the evaluations side by side: a binary evaluation's finish sorts its rows, and done one
/// after another on the calling thread those sorts left the pool half idle at the end of
/// every tuning job (a 12 × 5 grid has 60 of them).
fn finish_in_parallel(
    partials: Vec<Vec<Accumulator>>,
    evaluations: &[Evaluation],
    models: &[&TrainedModel],
) -> Result<Vec<(MetricSet, Detail)>> {
    let mut per_evaluation: Vec<Vec<Accumulator>> = evaluations
        .iter()
        .map(|_| Vec::with_capacity(partials.len()))
        .collect();
    for part in partials {
        for (list, acc) in per_evaluation.iter_mut().zip(part) {
            list.push(acc);
        }
    }
    per_evaluation
        .into_par_iter()
        .zip(evaluations.par_iter())
        .map(|(accs, evaluation)| {
            let mut total = Accumulator::new(models[evaluation.model])?;
            for acc in accs {
                total.merge(acc)?;
            }
            total.finish()
        })
        .collect()
}

/// Feeds evaluation `usize`'s accumulator a row, its prediction and the predictor that
/// made it (for a classifier's probabilities, or the features a clustering read).
type Feed<'a, A> = dyn Fn(&mut A, usize, &Row, f64, &Predictor) -> Result<()> + Sync + 'a;

/// One parallel pass over the partitions: each row is scored by the model of every
/// evaluation that reads its group, and fed (`add`) to that evaluation's accumulator; one
/// list of accumulators per partition.
#[allow(clippy::too_many_arguments)]
fn scoring_pass<'a, A: Send>(
    parts: impl Into<Parts<'a>>,
    models: &[&TrainedModel],
    evaluations: &[Evaluation],
    by_group: &[Vec<usize>],
    fresh: &(dyn Fn() -> Result<Vec<A>> + Sync),
    add: &Feed<'_, A>,
    ctx: &JobContext,
) -> Result<Vec<Vec<A>>> {
    parts.into().map(|_, part| {
        ctx.check()?;
        let mut accumulators = fresh()?;
        let mut predictors: Vec<Predictor> = models.iter().map(|m| m.predictor()).collect();
        for row in part.iter() {
            for &e in &by_group[row.group as usize] {
                let predictor = &mut predictors[evaluations[e].model];
                let prediction = predictor.predict(row.features);
                add(&mut accumulators[e], e, &row, prediction, predictor)
                    .map_err(|err| err.at_row(row.row + 1))?;
            }
        }
        ctx.advance();
        Ok(accumulators)
    })
}

/// What one evaluation accumulates over its rows.
enum Accumulator {
    Regression(RegressionSums),
    Classification {
        matrix: ConfusionMatrix,
        log_loss: LogLoss,
        /// Two classes: the scores for the areas under the curves.
        scores: Option<BinaryScores>,
    },
}

impl Accumulator {
    fn new(model: &TrainedModel) -> Result<Accumulator> {
        Ok(match (model.task(), model) {
            (TaskKind::Regression, _) => Accumulator::Regression(RegressionSums::default()),
            (TaskKind::Classification, _) => {
                let classes = model.num_classes();
                Accumulator::Classification {
                    matrix: ConfusionMatrix::new(classes)?,
                    log_loss: LogLoss::new(DEFAULT_EPS)?,
                    scores: (classes == 2).then(BinaryScores::new),
                }
            }
            (TaskKind::Clustering, _) => {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "a clustering is evaluated by its own two passes",
                ))
            }
        })
    }

    fn add(&mut self, row: &Row, prediction: f64, predictor: &Predictor) -> Result<()> {
        match self {
            Accumulator::Regression(sums) => sums.add(row.label, prediction),
            Accumulator::Classification {
                matrix,
                log_loss,
                scores,
            } => {
                matrix.add(row.label, prediction, row.weight)?;
                log_loss.add_row(&predictor.probability, row.label, row.weight)?;
                if let Some(scores) = scores {
                    // BinaryClassificationEvaluator reads rawPrediction[1], the margin.
                    scores.push(predictor.raw[1], row.label, row.weight)?;
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Accumulator) -> Result<()> {
        match (self, other) {
            (Accumulator::Regression(a), Accumulator::Regression(b)) => a.merge(&b),
            (
                Accumulator::Classification {
                    matrix,
                    log_loss,
                    scores,
                },
                Accumulator::Classification {
                    matrix: m,
                    log_loss: l,
                    scores: s,
                },
            ) => {
                matrix.merge(&m);
                log_loss.merge(&l);
                if let (Some(a), Some(b)) = (scores, s) {
                    a.merge(b);
                }
            }
            _ => {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "evaluations of different kinds cannot be merged",
                ))
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<(MetricSet, Detail)> {
        match self {
            Accumulator::Regression(sums) => Ok((sums.metrics(), Detail::None)),
            Accumulator::Classification {
                matrix,
                log_loss,
                scores,
            } => classification_metrics(matrix, log_loss, scores),
        }
    }
}

fn classification_metrics(
    matrix: ConfusionMatrix,
    log_loss: LogLoss,
    scores: Option<BinaryScores>,
) -> Result<(MetricSet, Detail)> {
    let rows = matrix.rows();
    let mut values = BTreeMap::new();
    if rows == 0 {
        return Ok((MetricSet { rows, values }, Detail::None));
    }
    let metrics = MulticlassMetrics::new(&matrix)?;
    values.insert("f1".into(), metrics.weighted_f_measure(1.0));
    values.insert("accuracy".into(), metrics.accuracy());
    values.insert("weightedPrecision".into(), metrics.weighted_precision());
    values.insert("weightedRecall".into(), metrics.weighted_recall());
    values.insert("weightedFMeasure".into(), metrics.weighted_f_measure(1.0));
    values.insert("hammingLoss".into(), metrics.hamming_loss());
    values.insert("logLoss".into(), log_loss.value()?);
    let detail = match scores {
        Some(scores) if !scores.is_empty() => {
            let binary = scores.evaluate(&BinaryOptions::default())?;
            values.insert("areaUnderROC".into(), binary.area_under_roc);
            values.insert("areaUnderPR".into(), binary.area_under_pr);
            Detail::Binary {
                evaluation: binary,
                confusion: matrix.to_rows(),
            }
        }
        _ => Detail::Confusion(matrix.to_rows()),
    };
    Ok((MetricSet { rows, values }, detail))
}

/// ClusteringEvaluator's two passes. The first (the common [`scoring_pass`]) predicts each
/// row's cluster once for every evaluation reading it, keeps it (4 bytes a row and
/// evaluation) and gathers the clusters' sums; the second scores each row's silhouette
/// against those sums from the kept clusters, without predicting again. An evaluation of
/// a fit's own training rows whose fit kept its clusters ([`Known`]) takes its clusters and
/// sums from the fit and has no first pass.
fn clustering_evaluations(
    parts: &[Prepared],
    models: &[&TrainedModel],
    known: Known,
    evaluations: &[Evaluation],
    by_group: &[Vec<usize>],
    ctx: &JobContext,
) -> Result<Vec<(MetricSet, Detail)>> {
    let handed: Vec<Option<&TrainingClusters>> = evaluations
        .iter()
        .map(|e| known.clusters(e, models[e.model], parts))
        .collect();
    // The first pass serves the evaluations nothing was handed to, if any.
    let first_by_group: Vec<Vec<usize>> = by_group
        .iter()
        .map(|list| {
            list.iter()
                .copied()
                .filter(|&e| handed[e].is_none())
                .collect()
        })
        .collect();
    let mut stats: Vec<ClusterStats> = evaluations
        .iter()
        .map(|e| cluster_stats_for(models[e.model]))
        .collect::<Result<_>>()?;
    // Per partition, per evaluation: the cluster sums and the rows' clusters, in row order.
    let first: Vec<Vec<(ClusterStats, Vec<u32>)>> = if first_by_group.iter().all(Vec::is_empty) {
        Vec::new()
    } else {
        scoring_pass(
            parts,
            models,
            evaluations,
            &first_by_group,
            &|| {
                evaluations
                    .iter()
                    .map(|e| Ok((cluster_stats_for(models[e.model])?, Vec::new())))
                    .collect()
            },
            &|(stats, kept): &mut (ClusterStats, Vec<u32>), _, row, cluster, predictor| {
                stats.add(predictor.features_seen(row.features), cluster, row.weight)?;
                kept.push(cluster as u32);
                Ok(())
            },
            ctx,
        )?
    };
    for part in &first {
        for (total, (part_stats, _)) in stats.iter_mut().zip(part) {
            total.merge(part_stats)?;
        }
    }
    for (total, kept) in stats.iter_mut().zip(&handed) {
        if let Some(kept) = kept {
            total.clone_from(kept.stats());
        }
    }
    let fresh_sums =
        || -> Result<Vec<SilhouetteSum>> { stats.iter().map(SilhouetteSum::new).collect() };
    let partials: Vec<Vec<SilhouetteSum>> = parts
        .par_iter()
        .enumerate()
        .map(|(p, part)| {
            ctx.check()?;
            let mut sums = fresh_sums()?;
            let mut predictors: Vec<Predictor> = models.iter().map(|m| m.predictor()).collect();
            let mut kept: Vec<_> = match first.get(p) {
                Some(firsts) => firsts.iter().map(|(_, clusters)| clusters.iter()).collect(),
                None => Vec::new(),
            };
            for (i, row) in part.iter().enumerate() {
                for &e in &by_group[row.group as usize] {
                    let cluster = match handed[e] {
                        Some(handed) => handed.cluster(p, i),
                        None => kept.get_mut(e).and_then(|k| k.next()).copied(),
                    }
                    .ok_or_else(|| {
                        Error::new(ErrorCode::Internal, "a row's cluster was not kept")
                    })?;
                    let features = predictors[evaluations[e].model].features_for(row.features);
                    sums[e]
                        .add(&stats[e], features, f64::from(cluster), row.weight)
                        .map_err(|err| err.at_row(row.row + 1))?;
                }
            }
            ctx.advance();
            Ok(sums)
        })
        .collect::<Result<_>>()?;
    let mut totals = fresh_sums()?;
    for part in &partials {
        for (total, sum) in totals.iter_mut().zip(part) {
            total.merge(sum)?;
        }
    }
    totals
        .into_iter()
        .map(|sum| {
            let silhouette = sum.finish()?;
            let mut values = BTreeMap::new();
            values.insert("silhouette".into(), silhouette.silhouette);
            let rows = silhouette.clusters.iter().map(|c| c.rows).sum();
            Ok((MetricSet { rows, values }, Detail::Clusters(silhouette)))
        })
        .collect()
}

/// The empty cluster sums of a KMeans model's silhouette.
fn cluster_stats_for(model: &TrainedModel) -> Result<ClusterStats> {
    match model {
        TrainedModel::KMeans { model, .. } => ClusterStats::new(silhouette_spec(
            model.distance_measure,
            model.k(),
            model.num_features(),
        )),
        _ => Err(Error::new(
            ErrorCode::Internal,
            "a clustering model that is not KMeans",
        )),
    }
}

/// Running count, mean and sum of squared deviations (merged with Chan's formula), so
/// that R² and explained variance keep their precision on labels with a large mean.
#[derive(Debug, Clone, Copy, Default)]
struct Running {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Running {
    fn add(&mut self, x: f64) {
        self.n += 1.0;
        let delta = x - self.mean;
        self.mean += delta / self.n;
        self.m2 += delta * (x - self.mean);
    }

    fn merge(&mut self, o: &Running) {
        if o.n == 0.0 {
            return;
        }
        let n = self.n + o.n;
        let delta = o.mean - self.mean;
        self.m2 += o.m2 + delta * delta * self.n * o.n / n;
        self.mean += delta * o.n / n;
        self.n = n;
    }
}

/// Sums that give every RegressionEvaluator metric in one pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegressionSums {
    squared_errors: f64,
    absolute_errors: f64,
    labels: Running,
    predictions: Running,
}

impl RegressionSums {
    pub fn add(&mut self, label: f64, prediction: f64) {
        let e = label - prediction;
        self.squared_errors += e * e;
        self.absolute_errors += e.abs();
        self.labels.add(label);
        self.predictions.add(prediction);
    }

    pub fn merge(&mut self, o: &RegressionSums) {
        self.squared_errors += o.squared_errors;
        self.absolute_errors += o.absolute_errors;
        self.labels.merge(&o.labels);
        self.predictions.merge(&o.predictions);
    }

    /// rmse, mse, mae, r2 (1 − SSE/SST) and var (Spark's explained variance,
    /// `Σ(ŷ − ȳ)²/n`); NaN without rows.
    pub fn metrics(&self) -> MetricSet {
        let n = self.labels.n;
        let mut values = BTreeMap::new();
        if n > 0.0 {
            let mse = self.squared_errors / n;
            let offset = self.predictions.mean - self.labels.mean;
            values.insert("rmse".into(), mse.sqrt());
            values.insert("mse".into(), mse);
            values.insert("mae".into(), self.absolute_errors / n);
            values.insert(
                "r2".into(),
                if self.labels.m2 > 0.0 {
                    1.0 - self.squared_errors / self.labels.m2
                } else {
                    f64::NAN
                },
            );
            values.insert("var".into(), self.predictions.m2 / n + offset * offset);
        }
        MetricSet {
            rows: n as u64,
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::dataset::Subset;
    use crate::ml::kmeans::{fit_many_keeping, DistanceMeasure, FitTask, KMeansParams};

    /// Weighted rows in overlapping groups, in 3 partitions; group 2 is a test set.
    fn parts() -> Vec<Prepared> {
        crate::ml::kmeans::blob_parts(4, 500, 3)
    }

    /// The silhouette of a KMeans refit's training rows from the clusters its fit kept is
    /// the one the evaluator computes by predicting them, to the last bit; other rows
    /// (the test set, one fold) are predicted as before, in the same call.
    #[test]
    fn kept_clusters_give_the_silhouette_predictions_give() {
        let parts = parts();
        let ctx = JobContext::default();
        for distance_measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            let task = FitTask {
                params: KMeansParams {
                    k: 4,
                    distance_measure,
                    max_iter: 6,
                    seed: 9,
                    ..KMeansParams::default()
                },
                subset: Subset {
                    folds: 2,
                    held_out: None,
                },
            };
            let (model, kept) = fit_many_keeping(&parts, &[task], &[true], &ctx)
                .unwrap()
                .remove(0);
            let model = TrainedModel::KMeans {
                scaler: None,
                model,
            };
            let known = TrainingPredictions::Clusters(kept.expect("the fit kept its clusters"));
            let evaluations = [Rows::Below(2), Rows::Group(2), Rows::Group(0)]
                .map(|rows| Evaluation { model: 0, rows });
            let predicted = evaluate(&parts, &[&model], &evaluations, 3, &ctx).unwrap();
            let handed =
                evaluate_knowing(&parts, &[&model], &[Some(&known)], &evaluations, 3, &ctx)
                    .unwrap();
            for ((a, detail_a), (b, detail_b)) in predicted.iter().zip(&handed) {
                assert_eq!(a.rows, b.rows);
                let (x, y) = (a.get(MetricName::Silhouette), b.get(MetricName::Silhouette));
                assert_eq!(x.to_bits(), y.to_bits(), "{distance_measure:?}: {x} vs {y}");
                match (detail_a, detail_b) {
                    (Detail::Clusters(s), Detail::Clusters(t)) => assert_eq!(s, t),
                    _ => panic!("a silhouette without its clusters"),
                }
            }
            // Only the fit's own rows take its clusters: handed over for the test rows,
            // they would be refused (the subset differs) and predicted instead.
            let test_only = [Evaluation {
                model: 0,
                rows: Rows::Group(2),
            }];
            let TrainingPredictions::Clusters(clusters) = &known;
            let known_rows = Known {
                models: &[Some(&known)],
                groups: 3,
            };
            assert!(known_rows.clusters(&test_only[0], &model, &parts).is_none());
            assert!(known_rows
                .clusters(&evaluations[0], &model, &parts)
                .is_some_and(|c| std::ptr::eq(c, clusters)));
        }
    }
}
