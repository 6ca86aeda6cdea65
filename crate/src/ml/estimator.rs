//! The Estimator → Model seam (Spark ML's `fit → Model → transform`, linfa's `Fit` /
//! `Predict`): which estimator a job trains, many fits at once, and the fitted model that
//! scores rows.
//!
//! Tuning asks for fits as (grid point, [`Subset`]) pairs, all at once, so that each
//! estimator can share passes over the data between them: LinearRegression solves every
//! fit from one pass of sufficient statistics, LogisticRegression and KMeans make one
//! pass per iteration for every fit still iterating. A StandardScaler stage is fitted on
//! each fit's own training rows, as Spark's CrossValidator refits a `Pipeline`.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{MomentsOf, Prepared, Subset, TrainingData};
use crate::ml::grid::{grid_points, GridAxis};
use crate::ml::kmeans::{self, KMeansModel, KMeansParams};
use crate::ml::linear::{LinearModel, LinearRegressionParams};
use crate::ml::linear_regression;
use crate::ml::logistic::{self, LogisticRegressionModel, LogisticRegressionParams};
use crate::ml::moments::Moments;
use crate::ml::scale::{StandardScalerModel, StandardScalerParams};

/// The estimator a training job fits, with its params (Spark's names and defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "estimator", content = "params", rename_all = "camelCase")]
pub enum EstimatorSpec {
    LinearRegression(LinearRegressionParams),
    LogisticRegression(LogisticRegressionParams),
    #[serde(rename = "kMeans")]
    KMeans(KMeansParams),
}

/// What an estimator learns to do, which decides its label, evaluator and outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TaskKind {
    Regression,
    Classification,
    Clustering,
}

impl EstimatorSpec {
    /// Spark ML's class name.
    pub fn spark_name(&self) -> &'static str {
        match self {
            EstimatorSpec::LinearRegression(_) => "LinearRegression",
            EstimatorSpec::LogisticRegression(_) => "LogisticRegression",
            EstimatorSpec::KMeans(_) => "KMeans",
        }
    }

    pub fn task(&self) -> TaskKind {
        match self {
            EstimatorSpec::LinearRegression(_) => TaskKind::Regression,
            EstimatorSpec::LogisticRegression(_) => TaskKind::Classification,
            EstimatorSpec::KMeans(_) => TaskKind::Clustering,
        }
    }

    /// The grid over this estimator's params: each point's tuned values and full spec.
    pub fn grid(
        &self,
        axes: &[GridAxis],
        num_classes: usize,
    ) -> Result<Vec<(BTreeMap<String, Value>, EstimatorSpec)>> {
        let name = self.spark_name();
        Ok(match self {
            EstimatorSpec::LinearRegression(p) => {
                grid_points(name, p, axes, LinearRegressionParams::validate)?
                    .into_iter()
                    .map(|g| (g.tuned, EstimatorSpec::LinearRegression(g.params)))
                    .collect()
            }
            EstimatorSpec::LogisticRegression(p) => {
                grid_points(name, p, axes, |p| p.validate(num_classes))?
                    .into_iter()
                    .map(|g| (g.tuned, EstimatorSpec::LogisticRegression(g.params)))
                    .collect()
            }
            EstimatorSpec::KMeans(p) => grid_points(name, p, axes, KMeansParams::validate)?
                .into_iter()
                .map(|g| (g.tuned, EstimatorSpec::KMeans(g.params)))
                .collect(),
        })
    }
}

/// Fits `fits` (every one of the same estimator), sharing passes over the data.
pub fn fit_all(
    data: &TrainingData,
    fits: &[(&EstimatorSpec, Subset)],
    ctx: &JobContext,
) -> Result<Vec<TrainedModel>> {
    let Some((first, _)) = fits.first() else {
        return Ok(Vec::new());
    };
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
            .map(|(scaler, model)| TrainedModel::LinearRegression { scaler, model })
            .collect());
    }
    match &data.scaler {
        None => fit_unscaled(data.parts, data.num_classes, fits, ctx),
        Some(scaler) => fit_scaled(data, scaler, fits, ctx),
    }
}

fn mixed() -> Error {
    Error::new(
        ErrorCode::Internal,
        "one tuning job asked for fits of different estimators",
    )
}

/// Fits on the assembled rows as they are: one call of the estimator for every fit.
fn fit_unscaled(
    parts: &[Prepared],
    num_classes: usize,
    fits: &[(&EstimatorSpec, Subset)],
    ctx: &JobContext,
) -> Result<Vec<TrainedModel>> {
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
            Ok(logistic::fit_many(parts, num_classes, &tasks, ctx)?
                .into_iter()
                .map(|model| TrainedModel::LogisticRegression {
                    scaler: None,
                    model,
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
            Ok(kmeans::fit_many(parts, &tasks, ctx)?
                .into_iter()
                .map(|model| TrainedModel::KMeans {
                    scaler: None,
                    model,
                })
                .collect())
        }
        EstimatorSpec::LinearRegression(_) => Err(mixed()),
    }
}

/// Fits with a StandardScaler in front: for each subset, the scaler learns from that
/// subset's training rows, the rows are scaled once (one copy at a time), and every fit
/// of that subset runs on them.
fn fit_scaled(
    data: &TrainingData,
    params: &StandardScalerParams,
    fits: &[(&EstimatorSpec, Subset)],
    ctx: &JobContext,
) -> Result<Vec<TrainedModel>> {
    let per_group = data.moments_per_group(MomentsOf::Features, ctx)?;
    let mut models: Vec<Option<TrainedModel>> = (0..fits.len()).map(|_| None).collect();
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
            .par_iter()
            .map(|part| part.with_features_mapped(|x, out| scaler.transform_row(x, out)))
            .collect::<Result<_>>()?;
        let indices: Vec<usize> = (0..fits.len()).filter(|&i| fits[i].1 == subset).collect();
        let these: Vec<(&EstimatorSpec, Subset)> = indices.iter().map(|&i| fits[i]).collect();
        for (i, model) in
            indices
                .into_iter()
                .zip(fit_unscaled(&scaled, data.num_classes, &these, ctx)?)
        {
            models[i] = Some(model.with_scaler(scaler.clone()));
        }
    }
    models
        .into_iter()
        .map(|m| m.ok_or_else(|| Error::new(ErrorCode::Internal, "a fit was not made")))
        .collect()
}

/// A fitted model: an optional StandardScaler, then the estimator's model (Spark's
/// `PipelineModel` of those stages). A StandardScaler's model applies to the features
/// before the estimator's, and the estimator's coefficients or centres are in the scaled
/// space, as Spark reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TrainedModel {
    LinearRegression {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scaler: Option<StandardScalerModel>,
        model: LinearModel,
    },
    LogisticRegression {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scaler: Option<StandardScalerModel>,
        model: LogisticRegressionModel,
    },
    #[serde(rename = "kMeans")]
    KMeans {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scaler: Option<StandardScalerModel>,
        model: KMeansModel,
    },
}

impl TrainedModel {
    pub fn task(&self) -> TaskKind {
        match self {
            TrainedModel::LinearRegression { .. } => TaskKind::Regression,
            TrainedModel::LogisticRegression { .. } => TaskKind::Classification,
            TrainedModel::KMeans { .. } => TaskKind::Clustering,
        }
    }

    pub fn scaler(&self) -> Option<&StandardScalerModel> {
        match self {
            TrainedModel::LinearRegression { scaler, .. }
            | TrainedModel::LogisticRegression { scaler, .. }
            | TrainedModel::KMeans { scaler, .. } => scaler.as_ref(),
        }
    }

    fn with_scaler(self, scaler: StandardScalerModel) -> TrainedModel {
        match self {
            TrainedModel::LinearRegression { model, .. } => TrainedModel::LinearRegression {
                scaler: Some(scaler),
                model,
            },
            TrainedModel::LogisticRegression { model, .. } => TrainedModel::LogisticRegression {
                scaler: Some(scaler),
                model,
            },
            TrainedModel::KMeans { model, .. } => TrainedModel::KMeans {
                scaler: Some(scaler),
                model,
            },
        }
    }

    /// The number of features the model reads.
    pub fn num_features(&self) -> usize {
        match self {
            TrainedModel::LinearRegression { model, .. } => model.coefficients.len(),
            TrainedModel::LogisticRegression { model, .. } => model.num_features,
            TrainedModel::KMeans { model, .. } => model.num_features(),
        }
    }

    /// Classes of a classifier (raw predictions and probabilities have one value per
    /// class), 0 for other models.
    pub fn num_classes(&self) -> usize {
        match self {
            TrainedModel::LogisticRegression { model, .. } => model.num_classes,
            _ => 0,
        }
    }

    /// A scorer with its own buffers, so scoring a row allocates nothing.
    pub fn predictor(&self) -> Predictor<'_> {
        let classes = self.num_classes();
        Predictor {
            model: self,
            scaled: vec![0.0; self.num_features()],
            raw: vec![0.0; classes],
            probability: vec![0.0; classes],
            linear: self.linear_on_raw_features(),
        }
    }

    /// A linear regression as one linear model of the unscaled features (its scaler
    /// folded in); None for the other models.
    pub fn linear_on_raw_features(&self) -> Option<LinearModel> {
        match self {
            TrainedModel::LinearRegression { scaler, model } => Some(match scaler {
                Some(s) => s.compose(model),
                None => model.clone(),
            }),
            _ => None,
        }
    }
}

/// Scores rows with a model: `predict` returns Spark's `prediction` (a value, a class
/// index or a cluster index) and leaves a classifier's `rawPrediction` and `probability`
/// in `raw` and `probability`.
pub struct Predictor<'m> {
    model: &'m TrainedModel,
    scaled: Vec<f64>,
    pub raw: Vec<f64>,
    pub probability: Vec<f64>,
    /// A linear regression with its scaler folded in.
    linear: Option<LinearModel>,
}

impl<'m> Predictor<'m> {
    /// The features the model itself read in the last [`Predictor::predict`] of `x`:
    /// scaled when the model has a StandardScaler (clustering is measured in that space).
    pub fn features_seen<'a>(&'a self, x: &'a [f64]) -> &'a [f64] {
        match self.model {
            TrainedModel::LinearRegression { .. } => x,
            _ if self.model.scaler().is_some() => &self.scaled,
            _ => x,
        }
    }

    pub fn predict(&mut self, x: &[f64]) -> f64 {
        if let Some(linear) = &self.linear {
            return linear.predict(x);
        }
        let features = match self.model.scaler() {
            Some(scaler) => {
                scaler.transform_row(x, &mut self.scaled);
                &self.scaled[..]
            }
            None => x,
        };
        match self.model {
            TrainedModel::LogisticRegression { model, .. } => {
                model.raw_prediction(features, &mut self.raw);
                model.probability(&self.raw, &mut self.probability);
                model.predict(&self.probability)
            }
            TrainedModel::KMeans { model, .. } => model.predict(features) as f64,
            TrainedModel::LinearRegression { .. } => f64::NAN,
        }
    }
}
