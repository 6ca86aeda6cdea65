//! What a training's charts show, for the test rows when there are any, else the training
//! rows, with the refitted model:
//! - regression: predicted against actual for a reproducible sample of rows, and the
//!   histogram of every row's residual;
//! - classification: the confusion matrix, and for two classes the ROC and PR curves with
//!   the confusion counts at each threshold (from the evaluation of those rows);
//! - clustering: each cluster's size and silhouette, and a reproducible sample of rows
//!   with their cluster, to draw two features against each other.
//!
//! At most one more parallel pass (the samples); the residual histogram's range comes
//! from the rows' rmse beforehand, so partitions bin independently and merge by adding.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::Parts;
use crate::ml::estimator::{TaskKind, TrainedModel};
use crate::ml::evaluate::binary::BinaryEvaluation;
use crate::ml::evaluate::clustering::ClusterSilhouette;
use crate::ml::evaluation::{Detail, MetricName, MetricSet, Rows};
use crate::random::{unit, Stream};

/// About how many rows the scatter charts get.
const SAMPLE_SIZE: f64 = 1000.0;
const BINS: usize = 40;

/// Equal-width bins from `start`; values outside them are counted in `below`/`above`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ResidualHistogram")]
pub struct Histogram {
    pub start: f64,
    pub width: f64,
    pub counts: Vec<u64>,
    pub below: u64,
    pub above: u64,
}

impl Histogram {
    fn empty(start: f64, width: f64, bins: usize) -> Self {
        Histogram {
            start,
            width,
            counts: vec![0; bins],
            below: 0,
            above: 0,
        }
    }

    fn add(&mut self, value: f64) {
        let bin = ((value - self.start) / self.width).floor();
        if bin < 0.0 {
            self.below += 1;
        } else if bin >= self.counts.len() as f64 {
            self.above += 1;
        } else {
            self.counts[bin as usize] += 1;
        }
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below += other.below;
        self.above += other.above;
    }
}

/// What the charts show, by the kind of model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Diagnostics {
    #[serde(rename_all = "camelCase")]
    Regression {
        /// Which rows: `"test"` or `"train"`.
        rows: String,
        actual: Vec<f64>,
        predicted: Vec<f64>,
        /// Residuals `actual − predicted`.
        residuals: Histogram,
    },
    #[serde(rename_all = "camelCase")]
    Classification {
        rows: String,
        /// The weighted confusion matrix, `[label][prediction]`, at the model's threshold.
        confusion: Vec<Vec<f64>>,
        /// Two classes: the ROC and PR curves and the counts at each threshold.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        binary: Option<BinaryEvaluation>,
    },
    #[serde(rename_all = "camelCase")]
    Clustering {
        rows: String,
        /// Each cluster's rows and mean silhouette.
        clusters: Vec<ClusterSilhouette>,
        /// A sample of rows: their features (the assembled ones, unscaled) and cluster.
        sample_features: Vec<Vec<f64>>,
        sample_clusters: Vec<u32>,
    },
}

/// The rows a training's charts are drawn from, with what their evaluation found.
pub struct DiagnosedRows {
    /// `"test"` or `"train"`.
    pub name: &'static str,
    pub rows: Rows,
    pub metrics: MetricSet,
    pub detail: Detail,
}

/// The charts of `model` on `diagnosed`; `seed` picks the rows the scatter charts show.
pub fn diagnose<'a>(
    parts: impl Into<Parts<'a>>,
    model: &TrainedModel,
    diagnosed: DiagnosedRows,
    seed: u64,
    ctx: &JobContext,
) -> Result<Diagnostics> {
    let parts = parts.into();
    let DiagnosedRows {
        name,
        rows,
        metrics,
        detail,
    } = diagnosed;
    let sampled = SAMPLE_SIZE / (metrics.rows.max(1) as f64);
    let keep = |row: u64| unit(seed, Stream::ChartSample, row) < sampled;
    match (model.task(), detail) {
        (TaskKind::Regression, _) => {
            let spread = metrics.get(MetricName::Rmse);
            let width = if spread > 0.0 {
                8.0 * spread / BINS as f64
            } else {
                1.0
            };
            let start = -width * BINS as f64 / 2.0;
            let parts: Vec<(Vec<f64>, Vec<f64>, Histogram)> = parts.map(|_, part| {
                ctx.check()?;
                let mut predictor = model.predictor();
                let mut histogram = Histogram::empty(start, width, BINS);
                let (mut actual, mut predicted) = (Vec::new(), Vec::new());
                for row in part.iter().filter(|r| rows.contains(r.group)) {
                    let y_hat = predictor.predict(row.features);
                    histogram.add(row.label - y_hat);
                    if keep(row.row) {
                        actual.push(row.label);
                        predicted.push(y_hat);
                    }
                }
                ctx.advance();
                Ok((actual, predicted, histogram))
            })?;
            let mut residuals = Histogram::empty(start, width, BINS);
            let (mut actual, mut predicted) = (Vec::new(), Vec::new());
            for (a, p, h) in parts {
                actual.extend(a);
                predicted.extend(p);
                residuals.merge(&h);
            }
            Ok(Diagnostics::Regression {
                rows: name.to_string(),
                actual,
                predicted,
                residuals,
            })
        }
        (
            TaskKind::Classification,
            Detail::Binary {
                evaluation,
                confusion,
            },
        ) => Ok(Diagnostics::Classification {
            rows: name.to_string(),
            confusion,
            binary: Some(evaluation),
        }),
        (TaskKind::Classification, Detail::Confusion(confusion)) => {
            Ok(Diagnostics::Classification {
                rows: name.to_string(),
                confusion,
                binary: None,
            })
        }
        (TaskKind::Clustering, Detail::Clusters(silhouette)) => {
            let parts: Vec<(Vec<Vec<f64>>, Vec<u32>)> = parts.map(|_, part| {
                ctx.check()?;
                let mut predictor = model.predictor();
                let (mut features, mut clusters) = (Vec::new(), Vec::new());
                for row in part
                    .iter()
                    .filter(|r| rows.contains(r.group) && keep(r.row))
                {
                    clusters.push(predictor.predict(row.features) as u32);
                    features.push(row.features.to_vec());
                }
                ctx.advance();
                Ok((features, clusters))
            })?;
            let (mut sample_features, mut sample_clusters) = (Vec::new(), Vec::new());
            for (f, c) in parts {
                sample_features.extend(f);
                sample_clusters.extend(c);
            }
            Ok(Diagnostics::Clustering {
                rows: name.to_string(),
                clusters: silhouette.clusters,
                sample_features,
                sample_clusters,
            })
        }
        _ => Err(Error::new(
            ErrorCode::Internal,
            "the evaluation of the diagnosed rows does not fit the model",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_their_bins_or_outside() {
        let mut h = Histogram::empty(-2.0, 1.0, 4);
        for v in [-2.5, -2.0, -0.5, 0.0, 1.99, 2.0, 7.0] {
            h.add(v);
        }
        assert_eq!(h.counts, vec![1, 1, 1, 1]);
        assert_eq!((h.below, h.above), (1, 2));
    }
}
