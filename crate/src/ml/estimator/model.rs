//! A fitted model ([`TrainedModel`]: Spark's `PipelineModel` of an optional
//! StandardScaler and the estimator's model) and the [`Predictor`] that scores rows with
//! it, allocating nothing per row.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ml::kmeans::model::ClusterScorer;
use crate::ml::kmeans::{KMeansModel, TrainingClusters};
use crate::ml::linear::LinearModel;
use crate::ml::logistic::LogisticRegressionModel;
use crate::ml::scale::StandardScalerModel;
use crate::ml::thresholds::probability_to_prediction;
use crate::ml::tree::gbt::probability_of_margin;
use crate::ml::tree::model::{normalize_into, raw_to_class};
use crate::ml::tree::{DecisionTreeModel, ForestModel, GbtModel};

use super::TaskKind;

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
    /// A DecisionTreeClassificationModel or DecisionTreeRegressionModel.
    DecisionTree {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scaler: Option<StandardScalerModel>,
        model: DecisionTreeModel,
        /// A classifier's `thresholds` (see [`crate::ml::thresholds`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thresholds: Option<Vec<f64>>,
    },
    /// A RandomForestClassificationModel or RandomForestRegressionModel.
    RandomForest {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scaler: Option<StandardScalerModel>,
        model: ForestModel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thresholds: Option<Vec<f64>>,
    },
    /// A GBTClassificationModel or GBTRegressionModel.
    #[serde(rename = "gbt")]
    Gbt {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scaler: Option<StandardScalerModel>,
        model: GbtModel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thresholds: Option<Vec<f64>>,
    },
}

/// A fitted model, and what its fit already found out about the model's predictions on
/// its own training rows, when asked ([`super::fit_all_keeping`]) and the estimator has
/// it: handed to the evaluation of those rows so that it need not predict them again.
pub struct Fitted {
    pub model: TrainedModel,
    pub on_training_rows: Option<TrainingPredictions>,
}

/// An estimator's head start on scoring its training rows (the hook through which
/// [`crate::ml::evaluation::evaluate_knowing`] skips a pass).
#[derive(Debug, Clone)]
pub enum TrainingPredictions {
    /// KMeans: each training row's final cluster and the silhouette's sums over them.
    Clusters(TrainingClusters),
}

/// What the Train tab shows of a tree model beyond its nodes: Spark's
/// `featureImportances` and `toDebugString`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TreeSummary {
    /// One per feature, summing to 1 (all 0 for a model without splits).
    pub feature_importances: Vec<f64>,
    pub debug_string: String,
}

/// The uid a tree model's `toDebugString` names: Spark's prefix for the class, then
/// `brasa` (Spark's random suffix means nothing outside its JVM).
fn uid(prefix: &str) -> String {
    format!("{prefix}_brasa")
}

impl TrainedModel {
    pub fn task(&self) -> TaskKind {
        match self {
            TrainedModel::LinearRegression { .. } => TaskKind::Regression,
            TrainedModel::LogisticRegression { .. } => TaskKind::Classification,
            TrainedModel::KMeans { .. } => TaskKind::Clustering,
            _ if self.num_classes() > 0 => TaskKind::Classification,
            _ => TaskKind::Regression,
        }
    }

    pub fn scaler(&self) -> Option<&StandardScalerModel> {
        match self {
            TrainedModel::LinearRegression { scaler, .. }
            | TrainedModel::LogisticRegression { scaler, .. }
            | TrainedModel::KMeans { scaler, .. }
            | TrainedModel::DecisionTree { scaler, .. }
            | TrainedModel::RandomForest { scaler, .. }
            | TrainedModel::Gbt { scaler, .. } => scaler.as_ref(),
        }
    }

    pub(super) fn with_scaler(mut self, fitted: StandardScalerModel) -> TrainedModel {
        match &mut self {
            TrainedModel::LinearRegression { scaler, .. }
            | TrainedModel::LogisticRegression { scaler, .. }
            | TrainedModel::KMeans { scaler, .. }
            | TrainedModel::DecisionTree { scaler, .. }
            | TrainedModel::RandomForest { scaler, .. }
            | TrainedModel::Gbt { scaler, .. } => *scaler = Some(fitted),
        }
        self
    }

    /// The number of features the model reads.
    pub fn num_features(&self) -> usize {
        match self {
            TrainedModel::LinearRegression { model, .. } => model.coefficients.len(),
            TrainedModel::LogisticRegression { model, .. } => model.num_features,
            TrainedModel::KMeans { model, .. } => model.num_features(),
            TrainedModel::DecisionTree { model, .. } => model.num_features,
            TrainedModel::RandomForest { model, .. } => model.num_features,
            TrainedModel::Gbt { model, .. } => model.num_features,
        }
    }

    /// Classes of a classifier (raw predictions and probabilities have one value per
    /// class), 0 for other models.
    pub fn num_classes(&self) -> usize {
        match self {
            TrainedModel::LogisticRegression { model, .. } => model.num_classes,
            TrainedModel::DecisionTree { model, .. } => model.num_classes,
            TrainedModel::RandomForest { model, .. } => model.num_classes,
            TrainedModel::Gbt { model, .. } if model.classifier => 2,
            _ => 0,
        }
    }

    /// A classifier's `thresholds`, when set (LogisticRegression keeps them in its model).
    pub fn thresholds(&self) -> Option<&[f64]> {
        match self {
            TrainedModel::LogisticRegression { model, .. } => model.thresholds.as_deref(),
            TrainedModel::DecisionTree { thresholds, .. }
            | TrainedModel::RandomForest { thresholds, .. }
            | TrainedModel::Gbt { thresholds, .. } => thresholds.as_deref(),
            _ => None,
        }
    }

    /// A tree model's feature importances and `toDebugString`; None for other models.
    pub fn tree_summary(&self) -> Option<TreeSummary> {
        let classifier = self.num_classes() > 0;
        let (feature_importances, debug_string) = match self {
            TrainedModel::DecisionTree { model, .. } => (
                model.feature_importances(),
                model.debug_string(&uid(if classifier { "dtc" } else { "dtr" })),
            ),
            TrainedModel::RandomForest { model, .. } => (
                model.feature_importances(),
                model.debug_string(&uid(if classifier { "rfc" } else { "rfr" })),
            ),
            TrainedModel::Gbt { model, .. } => (
                model.feature_importances(),
                model.debug_string(&uid(if classifier { "gbtc" } else { "gbtr" })),
            ),
            _ => return None,
        };
        Some(TreeSummary {
            feature_importances,
            debug_string,
        })
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
            clusters: match self {
                TrainedModel::KMeans { model, .. } => Some(model.scorer()),
                _ => None,
            },
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
    /// A KMeans model's centres laid out for the search.
    clusters: Option<ClusterScorer<'m>>,
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

    /// The features the model reads for `x` (scaled when it has a StandardScaler), without
    /// scoring them: for a second pass over rows whose predictions were kept.
    pub fn features_for<'a>(&'a mut self, x: &'a [f64]) -> &'a [f64] {
        match self.model.scaler() {
            Some(scaler) if !matches!(self.model, TrainedModel::LinearRegression { .. }) => {
                scaler.transform_row(x, &mut self.scaled);
                &self.scaled
            }
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
            TrainedModel::KMeans { model, .. } => match &self.clusters {
                Some(scorer) => scorer.predict(features) as f64,
                None => model.predict(features) as f64,
            },
            TrainedModel::DecisionTree {
                model, thresholds, ..
            } => {
                let leaf = model.leaf(features);
                if model.num_classes == 0 {
                    return leaf.prediction;
                }
                // rawPrediction: the leaf's class counts; probability: normalised.
                self.raw.copy_from_slice(&leaf.stats[..model.num_classes]);
                normalize_into(&self.raw, &mut self.probability);
                match thresholds {
                    Some(t) => probability_to_prediction(&self.probability, Some(t)),
                    None => leaf.prediction,
                }
            }
            TrainedModel::RandomForest {
                model, thresholds, ..
            } => {
                if model.num_classes == 0 {
                    return model.predict(features);
                }
                model.raw_prediction_into(features, &mut self.raw);
                normalize_into(&self.raw, &mut self.probability);
                match thresholds {
                    Some(t) => probability_to_prediction(&self.probability, Some(t)),
                    None => raw_to_class(&self.raw),
                }
            }
            TrainedModel::Gbt {
                model, thresholds, ..
            } => {
                if !model.classifier {
                    return model.predict(features);
                }
                let margin = model.margin(features);
                self.raw.copy_from_slice(&[-margin, margin]);
                self.probability
                    .copy_from_slice(&probability_of_margin(margin));
                match thresholds {
                    Some(t) => probability_to_prediction(&self.probability, Some(t)),
                    // Spark's GBT predicts from the margin's sign without thresholds.
                    None if margin > 0.0 => 1.0,
                    None => 0.0,
                }
            }
            TrainedModel::LinearRegression { .. } => f64::NAN,
        }
    }
}
