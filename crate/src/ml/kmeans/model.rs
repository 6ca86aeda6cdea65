//! A fitted KMeans model: Spark's `KMeansModel` with its training summary.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};

use super::distance::{cosine_distance, norm, squared_distance};
use super::params::DistanceMeasure;
use super::search::{CenterSet, Point};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KMeansModel {
    /// One centre per cluster. At most `k`: as in Spark, fewer when the initialisation
    /// finds fewer distinct rows (or k-means|| fewer distinct candidates) than `k`.
    pub cluster_centers: Vec<Vec<f64>>,
    pub distance_measure: DistanceMeasure,
    /// Spark's `summary.trainingCost`: the weighted sum of the rows' costs (squared
    /// Euclidean distances, or cosine distances) in the last Lloyd iteration, measured to
    /// the centres before that iteration's update; 0 when `maxIter` is 0.
    pub training_cost: f64,
    /// Lloyd iterations run (Spark's `summary.numIter`).
    pub num_iter: usize,
    /// Rows closest to each final centre (Spark's `summary.clusterSizes`).
    pub cluster_sizes: Vec<u64>,
    /// Total instance weight of those rows.
    pub cluster_weights: Vec<f64>,
}

impl KMeansModel {
    /// The number of clusters.
    pub fn k(&self) -> usize {
        self.cluster_centers.len()
    }

    pub fn num_features(&self) -> usize {
        self.cluster_centers.first().map_or(0, Vec::len)
    }

    /// The cluster of `features`: the first closest centre (Spark's tie rule). A cosine
    /// model has no closest centre for a zero vector (Spark fails on one) and answers 0;
    /// [`KMeansModel::check_point`] refuses such rows with a clear error.
    pub fn predict(&self, features: &[f64]) -> usize {
        let mut best = 0;
        let mut best_cost = f64::INFINITY;
        let x_norm = match self.distance_measure {
            DistanceMeasure::Euclidean => 0.0,
            DistanceMeasure::Cosine => norm(features),
        };
        for (j, center) in self.cluster_centers.iter().enumerate() {
            let cost = match self.distance_measure {
                DistanceMeasure::Euclidean => squared_distance(features, center),
                DistanceMeasure::Cosine => cosine_distance(features, x_norm, center, norm(center)),
            };
            if cost < best_cost {
                best = j;
                best_cost = cost;
            }
        }
        best
    }

    /// A scorer giving [`KMeansModel::predict`]'s answer with the fits' blocked search
    /// (every centre's score in one SIMD pass, exact distances only where two centres are
    /// too close to call), for scoring many rows.
    pub fn scorer(&self) -> ClusterScorer<'_> {
        let features = self.num_features();
        // The search needs rows of at least one value and, under cosine, centres with a
        // direction; a model without them (an imported one) is scored one centre at a time.
        let searchable = features > 0
            && self.cluster_centers.iter().all(|c| c.len() == features)
            && (self.distance_measure == DistanceMeasure::Euclidean
                || self.cluster_centers.iter().all(|c| norm(c) > 0.0));
        ClusterScorer {
            model: self,
            centers: searchable.then(|| {
                CenterSet::new(
                    self.distance_measure,
                    features,
                    self.cluster_centers.concat(),
                )
            }),
        }
    }

    /// Whether [`KMeansModel::predict`] can place row `row` (0-based): the right number
    /// of finite features, and not a zero vector for a cosine model.
    pub fn check_point(&self, features: &[f64], row: u64) -> Result<()> {
        let fail = |what: String| Err(Error::new(ErrorCode::MlInput, what).at_row(row + 1));
        if features.len() != self.num_features() {
            return fail(format!(
                "row {} has {} features; the model was fitted on {}",
                row + 1,
                features.len(),
                self.num_features()
            ));
        }
        if !features.iter().all(|v| v.is_finite()) {
            return fail(format!("row {} has a NaN or infinite feature", row + 1));
        }
        if self.distance_measure == DistanceMeasure::Cosine && norm(features) == 0.0 {
            return fail(format!(
                "row {} is a zero vector, which has no cosine distance to any centre",
                row + 1
            ));
        }
        Ok(())
    }
}

/// Scores rows against a model's centres (see [`KMeansModel::scorer`]).
pub struct ClusterScorer<'m> {
    model: &'m KMeansModel,
    centers: Option<CenterSet>,
}

impl ClusterScorer<'_> {
    /// The cluster of `features`: the same as [`KMeansModel::predict`].
    #[inline]
    pub fn predict(&self, features: &[f64]) -> usize {
        match &self.centers {
            Some(centers) if features.len() == centers.features() => {
                centers.nearest(&Point::new(features, 1.0, 0))
            }
            _ => self.model.predict(features),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(measure: DistanceMeasure, centers: Vec<Vec<f64>>) -> KMeansModel {
        KMeansModel {
            cluster_sizes: vec![0; centers.len()],
            cluster_weights: vec![0.0; centers.len()],
            cluster_centers: centers,
            distance_measure: measure,
            training_cost: 0.0,
            num_iter: 0,
        }
    }

    #[test]
    fn predict_takes_the_first_closest_centre() {
        let m = model(
            DistanceMeasure::Euclidean,
            vec![vec![1.0, 0.0], vec![-1.0, 0.0], vec![1.0, 0.0]],
        );
        assert_eq!(m.predict(&[0.0, 3.0]), 0);
        assert_eq!(m.predict(&[-0.1, 0.0]), 1);
        assert_eq!(m.predict(&[2.0, 0.0]), 0);
        let m = model(
            DistanceMeasure::Cosine,
            vec![vec![1.0, 0.0], vec![0.0, 3.0]],
        );
        assert_eq!(m.predict(&[10.0, 1.0]), 0);
        assert_eq!(m.predict(&[1.0, 10.0]), 1);
        assert_eq!(m.predict(&[2.0, 2.0]), 0);
        assert_eq!(
            m.check_point(&[0.0, 0.0], 4).unwrap_err().location().row,
            Some(5)
        );
        assert!(m.check_point(&[1.0, 0.0], 4).is_ok());
        assert!(m.check_point(&[1.0], 4).is_err());
    }

    #[test]
    fn the_scorer_predicts_as_the_model() {
        let mut next = crate::testing::uniforms(7, -10.0, 10.0);
        for measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            for k in [1, 2, 3, 5, 9] {
                let centers: Vec<Vec<f64>> =
                    (0..k).map(|_| (0..3).map(|_| next()).collect()).collect();
                // A repeated centre: ties go to the first, as in Spark.
                let mut centers = centers;
                centers.push(centers[0].clone());
                let m = model(measure, centers);
                let scorer = m.scorer();
                for _ in 0..500 {
                    let x: Vec<f64> = (0..3).map(|_| next()).collect();
                    assert_eq!(scorer.predict(&x), m.predict(&x), "{measure:?} k={k} {x:?}");
                }
                assert_eq!(
                    scorer.predict(&[0.0, 0.0, 0.0]),
                    m.predict(&[0.0, 0.0, 0.0])
                );
            }
        }
        // An imported model with a zero centre under cosine is scored one centre at a time.
        let m = model(
            DistanceMeasure::Cosine,
            vec![vec![0.0, 0.0], vec![1.0, 1.0]],
        );
        assert_eq!(m.scorer().predict(&[2.0, 1.0]), m.predict(&[2.0, 1.0]));
    }

    #[test]
    fn serialises_in_camel_case() {
        let m = model(DistanceMeasure::Cosine, vec![vec![1.0, 0.0]]);
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["clusterCenters"][0][0], 1.0);
        assert_eq!(json["distanceMeasure"], "cosine");
        assert!(json.get("trainingCost").is_some() && json.get("numIter").is_some());
        assert!(json.get("clusterSizes").is_some() && json.get("clusterWeights").is_some());
        let back: KMeansModel = serde_json::from_value(json).unwrap();
        assert_eq!(back, m);
    }
}
