//! Many fits of one estimator at once, sharing passes over the data where the
//! estimator can: [`fit_all`].

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{MomentsOf, Parts, Prepared, Subset, TrainingData};
use crate::ml::kmeans;
use crate::ml::linear::LinearRegressionParams;
use crate::ml::linear_regression;
use crate::ml::logistic;
use crate::ml::moments::Moments;
use crate::ml::scale::StandardScalerParams;
use crate::ml::tree::{
    fit_decision_tree, fit_forest, fit_gbt, CategoricalFeatures, TreeInput, TreeParams, TreeTask,
};

use super::{EstimatorSpec, Fitted, TrainedModel, TrainingPredictions};

/// Fits `fits` (every one of the same estimator), sharing passes over the data.
pub fn fit_all(
    data: &TrainingData,
    fits: &[(&EstimatorSpec, Subset)],
    ctx: &JobContext,
) -> Result<Vec<TrainedModel>> {
    Ok(fit_all_keeping(data, fits, &[], ctx)?
        .into_iter()
        .map(|fitted| fitted.model)
        .collect())
}

/// [`fit_all`], keeping for each fit whose `keep` flag is set what it found out about its
/// model's predictions on its training rows, when the estimator has that (KMeans: its
/// rows' final clusters, see [`crate::ml::kmeans::kept`]); missing flags are unset.
pub fn fit_all_keeping(
    data: &TrainingData,
    fits: &[(&EstimatorSpec, Subset)],
    keep: &[bool],
    ctx: &JobContext,
) -> Result<Vec<Fitted>> {
    let Some((first, _)) = fits.first() else {
        return Ok(Vec::new());
    };
    let keep: Vec<bool> = (0..fits.len())
        .map(|i| keep.get(i).copied().unwrap_or(false))
        .collect();
    if let EstimatorSpec::LinearRegression(_) = first {
        let linear_fits: Vec<(&LinearRegressionParams, Subset)> = fits
            .iter()
            .map(|(spec, subset)| match spec {
                EstimatorSpec::LinearRegression(p) => Ok((p, *subset)),
                _ => Err(mixed()),
            })
            .collect::<Result<_>>()?;
        return Ok(linear_regression::fit_all(data, &linear_fits, ctx)?
            .into_iter()
            .map(|(scaler, model)| fitted(TrainedModel::LinearRegression { scaler, model }))
            .collect());
    }
    let rows = Rows {
        parts: data.parts,
        num_classes: data.num_classes,
        categorical: data.categorical,
    };
    match &data.scaler {
        None => fit_unscaled(rows, fits, &keep, ctx),
        Some(scaler) => fit_scaled(data, scaler, fits, &keep, ctx),
    }
}

/// A model whose fit found out nothing about its training rows' predictions.
fn fitted(model: TrainedModel) -> Fitted {
    Fitted {
        model,
        on_training_rows: None,
    }
}

fn mixed() -> Error {
    Error::new(
        ErrorCode::Internal,
        "one tuning job asked for fits of different estimators",
    )
}

/// The rows the estimator reads, as they are or scaled.
#[derive(Clone, Copy)]
struct Rows<'a> {
    parts: Parts<'a>,
    num_classes: usize,
    /// Categorical features (Spark's nominal and binary attributes), for the trees.
    categorical: &'a CategoricalFeatures,
}

/// Fits on the assembled rows as they are: one call of the estimator for every fit.
fn fit_unscaled(
    rows: Rows,
    fits: &[(&EstimatorSpec, Subset)],
    keep: &[bool],
    ctx: &JobContext,
) -> Result<Vec<Fitted>> {
    let Rows {
        parts, num_classes, ..
    } = rows;
    match fits[0].0 {
        EstimatorSpec::LogisticRegression(_) => {
            let tasks: Vec<logistic::FitTask> = fits
                .iter()
                .map(|(spec, subset)| match spec {
                    EstimatorSpec::LogisticRegression(p) => Ok(logistic::FitTask {
                        params: p.clone(),
                        subset: *subset,
                    }),
                    _ => Err(mixed()),
                })
                .collect::<Result<_>>()?;
            Ok(logistic::fit_many(parts.kept()?, num_classes, &tasks, ctx)?
                .into_iter()
                .map(|model| {
                    fitted(TrainedModel::LogisticRegression {
                        scaler: None,
                        model,
                    })
                })
                .collect())
        }
        EstimatorSpec::KMeans(_) => {
            let tasks: Vec<kmeans::FitTask> = fits
                .iter()
                .map(|(spec, subset)| match spec {
                    EstimatorSpec::KMeans(p) => Ok(kmeans::FitTask {
                        params: p.clone(),
                        subset: *subset,
                    }),
                    _ => Err(mixed()),
                })
                .collect::<Result<_>>()?;
            Ok(kmeans::fit_many_keeping(parts.kept()?, &tasks, keep, ctx)?
                .into_iter()
                .map(|(model, kept)| Fitted {
                    model: TrainedModel::KMeans {
                        scaler: None,
                        model,
                    },
                    on_training_rows: kept.map(TrainingPredictions::Clusters),
                })
                .collect())
        }
        EstimatorSpec::LinearRegression(_) => Err(mixed()),
        _ => fits
            .iter()
            .map(|(spec, subset)| Ok(fitted(fit_tree(rows, spec, *subset, ctx)?)))
            .collect(),
    }
}

/// One fit of a tree learner. Each fit bins its own training rows (the split candidates
/// are their quantiles, as Spark finds them per fold) and grows its trees in parallel
/// over partitions, so fits run one after another.
fn fit_tree(
    rows: Rows,
    spec: &EstimatorSpec,
    subset: Subset,
    ctx: &JobContext,
) -> Result<TrainedModel> {
    let input = TreeInput {
        parts: rows.parts,
        subset,
        categorical: rows.categorical,
    };
    let classification = TreeTask::Classification {
        num_classes: rows.num_classes,
    };
    let tree = |model, p: &TreeParams| TrainedModel::DecisionTree {
        scaler: None,
        model,
        thresholds: p.thresholds.clone(),
    };
    let forest = |model, p: &TreeParams| TrainedModel::RandomForest {
        scaler: None,
        model,
        thresholds: p.thresholds.clone(),
    };
    let gbt = |model, p: &TreeParams| TrainedModel::Gbt {
        scaler: None,
        model,
        thresholds: p.thresholds.clone(),
    };
    Ok(match spec {
        EstimatorSpec::DecisionTreeClassifier(p) => {
            tree(fit_decision_tree(input, classification, p, ctx)?, p)
        }
        EstimatorSpec::DecisionTreeRegressor(p) => {
            tree(fit_decision_tree(input, TreeTask::Regression, p, ctx)?, p)
        }
        EstimatorSpec::RandomForestClassifier(p) => {
            forest(fit_forest(input, classification, p, ctx)?, &p.tree)
        }
        EstimatorSpec::RandomForestRegressor(p) => {
            forest(fit_forest(input, TreeTask::Regression, p, ctx)?, &p.tree)
        }
        EstimatorSpec::GbtClassifier(p) => gbt(fit_gbt(input, true, p, ctx)?, &p.tree),
        EstimatorSpec::GbtRegressor(p) => gbt(fit_gbt(input, false, p, ctx)?, &p.tree),
        _ => return Err(mixed()),
    })
}

/// Fits with a StandardScaler in front: for each subset, the scaler learns from that
/// subset's training rows, the rows are scaled once (one copy at a time), and every fit
/// of that subset runs on them.
fn fit_scaled(
    data: &TrainingData,
    params: &StandardScalerParams,
    fits: &[(&EstimatorSpec, Subset)],
    keep: &[bool],
    ctx: &JobContext,
) -> Result<Vec<Fitted>> {
    let per_group = data.moments_per_group(MomentsOf::Features, ctx)?;
    let mut models: Vec<Option<Fitted>> = (0..fits.len()).map(|_| None).collect();
    let mut subsets: Vec<Subset> = fits.iter().map(|(_, s)| *s).collect();
    subsets.dedup();
    subsets.sort_by_key(|s| (s.folds, s.held_out));
    subsets.dedup();
    for subset in subsets {
        ctx.check()?;
        let mut moments = Moments::empty(data.features.len());
        for (group, m) in per_group.iter().enumerate() {
            if subset.contains(group as u16) {
                moments.merge(m);
            }
        }
        let scaler = params.fit_features(&moments);
        let scaled: Vec<Prepared> = data
            .parts
            .map(|_, part| part.with_features_mapped(|x, out| scaler.transform_row(x, out)))?;
        let indices: Vec<usize> = (0..fits.len()).filter(|&i| fits[i].1 == subset).collect();
        let these: Vec<(&EstimatorSpec, Subset)> = indices.iter().map(|&i| fits[i]).collect();
        let keep_these: Vec<bool> = indices.iter().map(|&i| keep[i]).collect();
        // A scaled feature is no longer categorical (Spark's StandardScaler output has
        // no nominal attributes).
        let rows = Rows {
            parts: Parts::Kept(&scaled),
            num_classes: data.num_classes,
            categorical: &CategoricalFeatures::new(),
        };
        // What a fit kept of its training rows is in the scaled space, as the model's
        // predictions (and the silhouette) read them.
        for (i, fit) in indices
            .into_iter()
            .zip(fit_unscaled(rows, &these, &keep_these, ctx)?)
        {
            models[i] = Some(Fitted {
                model: fit.model.with_scaler(scaler.clone()),
                on_training_rows: fit.on_training_rows,
            });
        }
    }
    models
        .into_iter()
        .map(|m| m.ok_or_else(|| Error::new(ErrorCode::Internal, "a fit was not made")))
        .collect()
}
