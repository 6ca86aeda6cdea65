//! ClusteringEvaluator: the weighted mean silhouette, computed as Spark does, in two
//! passes over the rows instead of over all pairs (ml `evaluation/ClusteringMetrics.scala`).
//!
//! For point `x` (weight `w`) in cluster `A`, `a` is its mean distance to the other
//! points of `A` and `b` its smallest mean distance to another cluster's points; its
//! silhouette is `1 − a/b` when `a < b`, `b/a − 1` when `a > b`, 0 when equal, and 0 in a
//! cluster whose weight is the point's own (a single point). The score is the mean
//! silhouette weighted by the rows' weights.
//!
//! Mean distances to a cluster `C` follow from sums over `C` (weights `wᵢ`, `W = Σwᵢ`),
//! gathered in a first pass ([`ClusterStats`]):
//!
//! - `squaredEuclidean` (the default; squared distances, not distances):
//!   `mean ‖x − cᵢ‖² = ‖x‖² + Σwᵢ‖cᵢ‖²/W − 2·x·(Σwᵢcᵢ)/W`;
//! - `cosine` (`1 − cos`): with `x̂ = x/‖x‖`, `mean = 1 − x̂·(Σwᵢĉᵢ)/W`.
//!
//! The point's own cluster sums include the point at distance 0, so Spark rescales its
//! mean by `W/(W − w)`. The second pass ([`SilhouetteSum`]) scores every point against
//! the first pass's sums. Both passes merge across partitions.
//!
//! Spark refuses fewer than two clusters ("Number of clusters must be greater than
//! one"); so does this, with an [`ErrorCode::MlInput`] error. Where Spark would return
//! NaN (a NaN feature; under cosine, a zero vector) this refuses the row instead.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{check_weight, class_index};
use crate::error::{Error, ErrorCode, Result};
use crate::ml::float_select::smaller;

/// Most clusters the evaluator takes.
pub const MAX_CLUSTERS: usize = 10_000;

/// Most values in the per-cluster feature sums (`clusters × dims`): 32 MB per
/// accumulator.
pub const MAX_CLUSTER_VALUES: usize = 4 << 20;

/// Rows per chunk in [`silhouette`]: fixed, so the sums (and so the score, to the last
/// bit) do not depend on the number of threads.
const CHUNK_ROWS: usize = 4096;

/// ClusteringEvaluator's `distanceMeasure`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SilhouetteDistance")]
pub enum DistanceMeasure {
    #[default]
    SquaredEuclidean,
    Cosine,
}

impl DistanceMeasure {
    pub fn name(self) -> &'static str {
        match self {
            DistanceMeasure::SquaredEuclidean => "squaredEuclidean",
            DistanceMeasure::Cosine => "cosine",
        }
    }
}

/// ClusteringEvaluator's only `metricName`, `silhouette`; larger is better.
pub const METRIC_NAME: &str = "silhouette";

/// What a silhouette evaluation needs to know up front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusteringSpec {
    pub measure: DistanceMeasure,
    /// Cluster ids are `0..clusters`; clusters without points take no part.
    pub clusters: usize,
    /// Length of every feature vector.
    pub dims: usize,
}

impl ClusteringSpec {
    fn validate(&self) -> Result<()> {
        if self.clusters == 0 || self.clusters > MAX_CLUSTERS {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "a clustering is evaluated over 1 to {MAX_CLUSTERS} clusters, not {}",
                    self.clusters
                ),
            ));
        }
        if self.dims == 0 {
            return Err(Error::new(
                ErrorCode::MlInput,
                "the feature vectors are empty: assemble at least one feature",
            ));
        }
        if self.clusters.saturating_mul(self.dims) > MAX_CLUSTER_VALUES {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "{} clusters of {} features are too many to evaluate (at most \
                     {MAX_CLUSTER_VALUES} values): use fewer clusters or features",
                    self.clusters, self.dims
                ),
            ));
        }
        Ok(())
    }
}

/// A row's features as the distances read them: under cosine, scaled to unit length
/// (`x · (1/‖x‖)`, Spark's operation) on the fly rather than copied.
struct PreparedPoint<'a> {
    features: &'a [f64],
    /// `1/‖x‖` under cosine, 1 under squared Euclidean.
    scale: f64,
    /// `‖x‖²` under squared Euclidean (unused under cosine).
    squared_norm: f64,
}

impl PreparedPoint<'_> {
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        let scale = self.scale;
        self.features.iter().map(move |v| v * scale)
    }
}

fn prepare<'a>(spec: &ClusteringSpec, features: &'a [f64]) -> Result<PreparedPoint<'a>> {
    if features.len() != spec.dims {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "a feature vector has {} values where the others have {}: every row needs \
                 the same features",
                features.len(),
                spec.dims
            ),
        ));
    }
    if features.iter().any(|v| !v.is_finite()) {
        return Err(Error::new(
            ErrorCode::MlInput,
            "a feature is NaN or infinite, so the row has no distance to the others: \
             clean the features (Imputer, or VectorAssembler's handleInvalid = skip)",
        ));
    }
    // Spark's `Vectors.norm(x, 2)`, squared back for squared Euclidean distance.
    let norm = features.iter().map(|v| v * v).sum::<f64>().sqrt();
    match spec.measure {
        DistanceMeasure::SquaredEuclidean => Ok(PreparedPoint {
            features,
            scale: 1.0,
            squared_norm: norm * norm,
        }),
        DistanceMeasure::Cosine if norm == 0.0 => Err(Error::new(
            ErrorCode::MlInput,
            "a feature vector is all zeros, which has no direction, so its cosine distance \
             is undefined: drop such rows or use squaredEuclidean",
        )),
        DistanceMeasure::Cosine => Ok(PreparedPoint {
            features,
            scale: 1.0 / norm,
            squared_norm: 0.0,
        }),
    }
}

/// The first pass: per cluster, the weighted sum of the (normalised, under cosine)
/// feature vectors, of their squared norms, and of the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterStats {
    spec: ClusteringSpec,
    /// Cluster `c`'s weighted feature sum at `c * dims .. (c + 1) * dims`.
    feature_sums: Vec<f64>,
    squared_norm_sums: Vec<f64>,
    weights: Vec<f64>,
    rows: Vec<u64>,
}

impl ClusterStats {
    pub fn new(spec: ClusteringSpec) -> Result<Self> {
        spec.validate()?;
        Ok(ClusterStats {
            spec,
            feature_sums: vec![0.0; spec.clusters * spec.dims],
            squared_norm_sums: vec![0.0; spec.clusters],
            weights: vec![0.0; spec.clusters],
            rows: vec![0; spec.clusters],
        })
    }

    pub fn spec(&self) -> ClusteringSpec {
        self.spec
    }

    /// Adds a row: its features, its cluster id (a double, as Spark's prediction column)
    /// and its weight.
    pub fn add(&mut self, features: &[f64], cluster: f64, weight: f64) -> Result<()> {
        let cluster = class_index(cluster, self.spec.clusters, "cluster")?;
        check_weight(weight)?;
        let point = prepare(&self.spec, features)?;
        let dims = self.spec.dims;
        let sum = &mut self.feature_sums[cluster * dims..(cluster + 1) * dims];
        for (s, v) in sum.iter_mut().zip(point.values()) {
            *s += weight * v;
        }
        self.squared_norm_sums[cluster] += point.squared_norm * weight;
        self.weights[cluster] += weight;
        self.rows[cluster] += 1;
        Ok(())
    }

    /// Adds another partition's sums (built for the same spec).
    pub fn merge(&mut self, other: &ClusterStats) -> Result<()> {
        if other.spec != self.spec {
            return Err(Error::new(
                ErrorCode::Internal,
                "cluster statistics built for different clusterings cannot be merged",
            ));
        }
        let pairs = [
            (&mut self.feature_sums, &other.feature_sums),
            (&mut self.squared_norm_sums, &other.squared_norm_sums),
            (&mut self.weights, &other.weights),
        ];
        for (mine, theirs) in pairs {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        for (m, t) in self.rows.iter_mut().zip(&other.rows) {
            *m += t;
        }
        Ok(())
    }

    /// Clusters that have points, the only ones Spark knows of.
    fn present(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.spec.clusters).filter(|&c| self.rows[c] > 0)
    }

    /// Spark's refusal of a single cluster.
    fn check_clusters(&self) -> Result<()> {
        let present = self.present().count();
        if present < 2 {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "the silhouette compares clusters, but the rows fall in {present} \
                     cluster{}: it needs at least 2 (Spark: \"Number of clusters must be \
                     greater than one\")",
                    if present == 1 { "" } else { "s" }
                ),
            ));
        }
        Ok(())
    }

    /// The clusters' feature sums feature-major (`dims × clusters`), for
    /// [`ClusterStats::mean_distances`].
    fn feature_major_sums(&self) -> Vec<f64> {
        let (dims, k) = (self.spec.dims, self.spec.clusters);
        let mut out = vec![0.0; dims * k];
        for (c, sum) in self.feature_sums.chunks_exact(dims).enumerate() {
            for (i, &v) in sum.iter().enumerate() {
                out[i * k + c] = v;
            }
        }
        out
    }

    /// The mean distance from `point` to every cluster's points, into `distances` (one
    /// per cluster; meaningless for a cluster without points), from `by_feature` (this
    /// sums' [`ClusterStats::feature_major_sums`]). Each is Spark's operation for one
    /// cluster, its dot product summed feature by feature; the clusters' sums run side by
    /// side, so that they do not wait on one another.
    fn mean_distances(&self, by_feature: &[f64], point: &PreparedPoint, distances: &mut [f64]) {
        let k = self.spec.clusters;
        // `-0.0`, where `Iterator::sum` starts, so each sum is the same to the last bit.
        distances.fill(-0.0);
        for (x, sums) in point.values().zip(by_feature.chunks_exact(k)) {
            for (dot, sum) in distances.iter_mut().zip(sums) {
                *dot += x * sum;
            }
        }
        for (c, distance) in distances.iter_mut().enumerate() {
            let (dot, weight) = (*distance, self.weights[c]);
            *distance = match self.spec.measure {
                DistanceMeasure::SquaredEuclidean => {
                    point.squared_norm + self.squared_norm_sums[c] / weight - 2.0 * dot / weight
                }
                DistanceMeasure::Cosine => 1.0 - dot / weight,
            };
        }
    }

    /// The silhouette of one point of cluster `cluster` with weight `weight`, which must
    /// be among the rows these sums were built from; `distances` is room for one value per
    /// cluster.
    fn point_silhouette(
        &self,
        by_feature: &[f64],
        point: &PreparedPoint,
        cluster: usize,
        weight: f64,
        distances: &mut [f64],
    ) -> f64 {
        let own_weight = self.weights[cluster];
        if own_weight == weight {
            // A single point (or the only one with weight): Spark scores it 0.
            return 0.0;
        }
        self.mean_distances(by_feature, point, distances);
        let nearest_other = self
            .present()
            .filter(|&c| c != cluster)
            .map(|c| distances[c])
            .fold(f64::INFINITY, smaller);
        // The sums include the point itself at distance 0: rescale to the others' mean.
        let own = distances[cluster] * own_weight / (own_weight - weight);
        if own < nearest_other {
            1.0 - own / nearest_other
        } else if own > nearest_other {
            nearest_other / own - 1.0
        } else {
            0.0
        }
    }
}

/// The second pass: the weighted sum of the points' silhouettes, per cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct SilhouetteSum {
    spec: ClusteringSpec,
    sums: Vec<f64>,
    weights: Vec<f64>,
    rows: Vec<u64>,
    /// The statistics' feature sums, feature-major.
    by_feature: Vec<f64>,
    /// Room for a point's mean distance to each cluster.
    distances: Vec<f64>,
}

impl SilhouetteSum {
    /// An empty sum for points scored against `stats`; fails with fewer than 2 clusters.
    pub fn new(stats: &ClusterStats) -> Result<Self> {
        stats.check_clusters()?;
        let k = stats.spec.clusters;
        Ok(SilhouetteSum {
            spec: stats.spec,
            sums: vec![0.0; k],
            weights: vec![0.0; k],
            rows: vec![0; k],
            by_feature: stats.feature_major_sums(),
            distances: vec![0.0; k],
        })
    }

    /// Scores a row (one of those `stats` was built from) and adds it; `stats` are those
    /// this sum was made for.
    pub fn add(
        &mut self,
        stats: &ClusterStats,
        features: &[f64],
        cluster: f64,
        weight: f64,
    ) -> Result<()> {
        if stats.spec != self.spec {
            return Err(Error::new(
                ErrorCode::Internal,
                "a silhouette sum was fed statistics of another clustering",
            ));
        }
        let cluster = class_index(cluster, self.spec.clusters, "cluster")?;
        check_weight(weight)?;
        if stats.rows[cluster] == 0 {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("cluster {cluster} has a point the first pass did not see"),
            ));
        }
        let point = prepare(&self.spec, features)?;
        let silhouette = stats.point_silhouette(
            &self.by_feature,
            &point,
            cluster,
            weight,
            &mut self.distances,
        );
        self.sums[cluster] += silhouette * weight;
        self.weights[cluster] += weight;
        self.rows[cluster] += 1;
        Ok(())
    }

    /// Adds another partition's sums.
    pub fn merge(&mut self, other: &SilhouetteSum) -> Result<()> {
        if other.spec != self.spec {
            return Err(Error::new(
                ErrorCode::Internal,
                "silhouette sums of different clusterings cannot be merged",
            ));
        }
        for c in 0..self.spec.clusters {
            self.sums[c] += other.sums[c];
            self.weights[c] += other.weights[c];
            self.rows[c] += other.rows[c];
        }
        Ok(())
    }

    /// The weighted mean silhouette, overall and per cluster.
    pub fn finish(&self) -> Result<Silhouette> {
        let total_weight: f64 = self.weights.iter().sum();
        if total_weight.is_nan() || total_weight <= 0.0 {
            return Err(Error::new(
                ErrorCode::MlInput,
                "every row has weight 0, so there is no mean silhouette: give some rows a \
                 positive weight",
            ));
        }
        let clusters = (0..self.spec.clusters)
            .filter(|&c| self.rows[c] > 0)
            .map(|c| ClusterSilhouette {
                cluster: c,
                rows: self.rows[c],
                weight: self.weights[c],
                silhouette: self.sums[c] / self.weights[c],
            })
            .collect();
        Ok(Silhouette {
            silhouette: self.sums.iter().sum::<f64>() / total_weight,
            measure: self.spec.measure,
            clusters,
        })
    }
}

/// The silhouette of a clustering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Silhouette {
    /// ClusteringEvaluator's value: the weighted mean silhouette of every point.
    pub silhouette: f64,
    pub measure: DistanceMeasure,
    /// Each cluster with points: the weighted mean silhouette of its points.
    pub clusters: Vec<ClusterSilhouette>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSilhouette {
    pub cluster: usize,
    pub rows: u64,
    pub weight: f64,
    pub silhouette: f64,
}

/// Both passes over rows held in memory: `features` row-major (`dims` per row),
/// `clusters` one id per row, `weights` one per row (or all 1). Chunks run in parallel
/// and merge in order; a refused row's error carries its 1-based number.
pub fn silhouette(
    spec: ClusteringSpec,
    features: &[f64],
    clusters: &[f64],
    weights: Option<&[f64]>,
) -> Result<Silhouette> {
    spec.validate()?;
    let rows = clusters.len();
    if rows.checked_mul(spec.dims) != Some(features.len())
        || weights.is_some_and(|w| w.len() != rows)
    {
        return Err(Error::new(
            ErrorCode::Internal,
            "features, cluster ids and weights do not describe the same rows",
        ));
    }
    let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
    let starts: Vec<usize> = (0..rows).step_by(CHUNK_ROWS).collect();
    // The rows of the chunk starting at `start`: (0-based row, features, cluster id,
    // weight).
    let chunk = |start: usize| {
        let end = (start + CHUNK_ROWS).min(rows);
        features[start * spec.dims..end * spec.dims]
            .chunks_exact(spec.dims)
            .zip(&clusters[start..end])
            .enumerate()
            .map(move |(i, (x, &cluster))| (start + i, x, cluster, weight(start + i)))
    };
    let at_row = |row: usize| move |e: Error| e.at_row(row as u64 + 1);

    let partial_stats = starts
        .par_iter()
        .map(|&start| {
            let mut stats = ClusterStats::new(spec)?;
            for (row, x, cluster, weight) in chunk(start) {
                stats.add(x, cluster, weight).map_err(at_row(row))?;
            }
            Ok(stats)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut stats = ClusterStats::new(spec)?;
    for partial in &partial_stats {
        stats.merge(partial)?;
    }

    let empty = SilhouetteSum::new(&stats)?;
    let partial_sums = starts
        .par_iter()
        .map(|&start| {
            let mut sum = empty.clone();
            for (row, x, cluster, weight) in chunk(start) {
                sum.add(&stats, x, cluster, weight).map_err(at_row(row))?;
            }
            Ok(sum)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut total = empty;
    for partial in &partial_sums {
        total.merge(partial)?;
    }
    total.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mean distances computed side by side are Spark's per-cluster operation, bit
    /// for bit.
    #[test]
    fn mean_distances_are_each_clusters_own_sum() {
        let mut next = crate::testing::uniforms(3, -100.0, 100.0);
        for measure in [DistanceMeasure::SquaredEuclidean, DistanceMeasure::Cosine] {
            let (k, dims) = (5, 7);
            let mut stats = ClusterStats::new(spec(measure, k, dims)).unwrap();
            let points: Vec<Vec<f64>> = (0..200)
                .map(|_| (0..dims).map(|_| next()).collect())
                .collect();
            for (i, p) in points.iter().enumerate() {
                stats.add(p, (i % k) as f64, 1.0 + (i % 3) as f64).unwrap();
            }
            let by_feature = stats.feature_major_sums();
            let mut distances = vec![0.0; k];
            for p in &points {
                let point = prepare(&stats.spec, p).unwrap();
                stats.mean_distances(&by_feature, &point, &mut distances);
                for (c, &d) in distances.iter().enumerate() {
                    let sum = &stats.feature_sums[c * dims..(c + 1) * dims];
                    let dot: f64 = point.values().zip(sum).map(|(x, y)| x * y).sum();
                    let w = stats.weights[c];
                    let expected = match measure {
                        DistanceMeasure::SquaredEuclidean => {
                            point.squared_norm + stats.squared_norm_sums[c] / w - 2.0 * dot / w
                        }
                        DistanceMeasure::Cosine => 1.0 - dot / w,
                    };
                    assert_eq!(d.to_bits(), expected.to_bits(), "{measure:?} cluster {c}");
                }
            }
        }
    }

    fn spec(measure: DistanceMeasure, clusters: usize, dims: usize) -> ClusteringSpec {
        ClusteringSpec {
            measure,
            clusters,
            dims,
        }
    }

    /// The silhouette by its definition, over all pairs.
    fn brute_force(
        measure: DistanceMeasure,
        points: &[Vec<f64>],
        clusters: &[usize],
        weights: &[f64],
    ) -> f64 {
        let distance = |a: &[f64], b: &[f64]| match measure {
            DistanceMeasure::SquaredEuclidean => {
                a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>()
            }
            DistanceMeasure::Cosine => {
                let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
                let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
                1.0 - dot / (na * nb)
            }
        };
        let k = clusters.iter().max().unwrap() + 1;
        let (mut total, mut total_weight) = (0.0, 0.0);
        for i in 0..points.len() {
            let mut sums = vec![0.0; k];
            let mut weight_in = vec![0.0; k];
            for j in 0..points.len() {
                if i != j {
                    sums[clusters[j]] += weights[j] * distance(&points[i], &points[j]);
                    weight_in[clusters[j]] += weights[j];
                }
            }
            let own = clusters[i];
            let s = if weight_in[own] == 0.0 {
                0.0
            } else {
                let a = sums[own] / weight_in[own];
                let b = (0..k)
                    .filter(|&c| c != own && weight_in[c] > 0.0)
                    .map(|c| sums[c] / weight_in[c])
                    .fold(f64::INFINITY, f64::min);
                (b - a) / a.max(b)
            };
            total += s * weights[i];
            total_weight += weights[i];
        }
        total / total_weight
    }

    fn example() -> (Vec<Vec<f64>>, Vec<usize>, Vec<f64>) {
        let points = vec![
            vec![0.0, 1.0],
            vec![0.5, 1.2],
            vec![0.2, 0.7],
            vec![3.0, 0.1],
            vec![3.4, -0.2],
            vec![2.8, 0.5],
            vec![3.1, 0.2],
            vec![-2.0, 4.0],
        ];
        let clusters = vec![0, 0, 0, 1, 1, 1, 1, 2];
        let weights = vec![1.0, 2.0, 0.5, 1.0, 1.5, 1.0, 3.0, 2.0];
        (points, clusters, weights)
    }

    fn run(
        measure: DistanceMeasure,
        points: &[Vec<f64>],
        clusters: &[usize],
        weights: &[f64],
    ) -> Silhouette {
        let flat: Vec<f64> = points.concat();
        let ids: Vec<f64> = clusters.iter().map(|&c| c as f64).collect();
        silhouette(spec(measure, 3, 2), &flat, &ids, Some(weights)).unwrap()
    }

    #[test]
    fn equals_the_definition_over_all_pairs() {
        let (points, clusters, weights) = example();
        for measure in [DistanceMeasure::SquaredEuclidean, DistanceMeasure::Cosine] {
            let fast = run(measure, &points, &clusters, &weights).silhouette;
            let slow = brute_force(measure, &points, &clusters, &weights);
            assert!((fast - slow).abs() < 1e-12, "{measure:?}: {fast} vs {slow}");
        }
        // Unit weights too.
        let ones = vec![1.0; points.len()];
        let fast = run(DistanceMeasure::SquaredEuclidean, &points, &clusters, &ones);
        let slow = brute_force(DistanceMeasure::SquaredEuclidean, &points, &clusters, &ones);
        assert!((fast.silhouette - slow).abs() < 1e-12);
        // The single point of cluster 2 scores 0.
        assert_eq!(fast.clusters[2].silhouette, 0.0);
    }

    #[test]
    fn two_tight_far_clusters_score_near_one() {
        let points = vec![
            vec![0.0, 0.0],
            vec![0.0, 0.1],
            vec![10.0, 0.0],
            vec![10.0, 0.1],
        ];
        let result = run(
            DistanceMeasure::SquaredEuclidean,
            &points,
            &[0, 0, 1, 1],
            &[1.0; 4],
        );
        // a = 0.01, b = mean of 100 and 100.01 → s = 1 − a/b.
        let expected = 1.0 - 0.01 / 100.005;
        assert!((result.silhouette - expected).abs() < 1e-9);
    }

    #[test]
    fn merged_partitions_equal_one_pass() {
        let (points, clusters, weights) = example();
        let s = spec(DistanceMeasure::SquaredEuclidean, 3, 2);
        let mut whole = ClusterStats::new(s).unwrap();
        let mut parts = vec![ClusterStats::new(s).unwrap(), ClusterStats::new(s).unwrap()];
        for (i, p) in points.iter().enumerate() {
            whole.add(p, clusters[i] as f64, weights[i]).unwrap();
            parts[i % 2].add(p, clusters[i] as f64, weights[i]).unwrap();
        }
        let mut merged = ClusterStats::new(s).unwrap();
        for part in &parts {
            merged.merge(part).unwrap();
        }
        let mut one = SilhouetteSum::new(&whole).unwrap();
        let mut halves = [
            SilhouetteSum::new(&merged).unwrap(),
            SilhouetteSum::new(&merged).unwrap(),
        ];
        for (i, p) in points.iter().enumerate() {
            one.add(&whole, p, clusters[i] as f64, weights[i]).unwrap();
            halves[i % 2]
                .add(&merged, p, clusters[i] as f64, weights[i])
                .unwrap();
        }
        let [mut first, second] = halves;
        first.merge(&second).unwrap();
        let (a, b) = (one.finish().unwrap(), first.finish().unwrap());
        assert!((a.silhouette - b.silhouette).abs() < 1e-12);
    }

    #[test]
    fn fewer_than_two_clusters_and_bad_rows_are_refused() {
        let s = spec(DistanceMeasure::SquaredEuclidean, 3, 2);
        let one = silhouette(s, &[0.0, 1.0, 2.0, 3.0], &[1.0, 1.0], None).unwrap_err();
        assert_eq!(one.code(), ErrorCode::MlInput);
        assert!(one.message().contains("at least 2"));
        let empty = silhouette(s, &[], &[], None).unwrap_err();
        assert_eq!(empty.code(), ErrorCode::MlInput);

        let mut stats = ClusterStats::new(s).unwrap();
        let code = |r: Result<()>| r.unwrap_err().code();
        assert_eq!(
            code(stats.add(&[f64::NAN, 1.0], 0.0, 1.0)),
            ErrorCode::MlInput
        );
        assert_eq!(code(stats.add(&[1.0], 0.0, 1.0)), ErrorCode::MlInput);
        assert_eq!(code(stats.add(&[1.0, 1.0], 3.0, 1.0)), ErrorCode::MlInput);
        assert_eq!(code(stats.add(&[1.0, 1.0], 0.5, 1.0)), ErrorCode::MlInput);
        assert_eq!(code(stats.add(&[1.0, 1.0], 0.0, -1.0)), ErrorCode::MlInput);
        let mut cosine = ClusterStats::new(spec(DistanceMeasure::Cosine, 3, 2)).unwrap();
        assert_eq!(code(cosine.add(&[0.0, 0.0], 0.0, 1.0)), ErrorCode::MlInput);
        assert!(ClusterStats::new(spec(DistanceMeasure::Cosine, 0, 2)).is_err());
        assert!(ClusterStats::new(spec(DistanceMeasure::Cosine, 2, 0)).is_err());
        assert!(ClusterStats::new(spec(DistanceMeasure::Cosine, 5000, 1000)).is_err());
    }

    #[test]
    fn measure_names_match_spark() {
        for measure in [DistanceMeasure::SquaredEuclidean, DistanceMeasure::Cosine] {
            let json = serde_json::to_string(&measure).unwrap();
            assert_eq!(json, format!("\"{}\"", measure.name()));
        }
    }
}
