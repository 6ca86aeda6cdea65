//! A fit's final clusters of its own training rows, kept for their silhouette.
//!
//! The summary pass after a fit's last Lloyd step finds every training row's cluster under
//! the final centres (for Spark's `clusterSizes`). ClusteringEvaluator's first pass over
//! the same rows would predict each of them again, to sum the clusters. A fit asked to
//! keep its clusters ([`super::fit_many_keeping`]) gathers those sums in its summary pass
//! instead, adding the rows in the order the evaluator's pass adds them (in row order
//! within a partition, partitions merged in order), so the sums are the same to the last
//! bit; and it keeps each row's cluster (its bounds' own list, 4 bytes a row). The
//! training silhouette is then a single pass over the rows.

use crate::ml::dataset::{Prepared, Subset};
use crate::ml::evaluate::clustering::{self, ClusterStats, ClusteringSpec};

use super::params::DistanceMeasure;

/// A fit's training rows as its final centres cluster them, with the silhouette's
/// cluster sums over them.
#[derive(Debug, Clone)]
pub struct TrainingClusters {
    subset: Subset,
    /// Per partition, each row's cluster (indexed like the partition's rows; the entries
    /// of rows outside `subset` mean nothing).
    clusters: Vec<Vec<u32>>,
    stats: ClusterStats,
}

impl TrainingClusters {
    pub(super) fn new(subset: Subset, clusters: Vec<Vec<u32>>, stats: ClusterStats) -> Self {
        TrainingClusters {
            subset,
            clusters,
            stats,
        }
    }

    /// The rows the fit learnt from.
    pub fn subset(&self) -> Subset {
        self.subset
    }

    /// ClusteringEvaluator's first pass over those rows: their clusters' sums.
    pub fn stats(&self) -> &ClusterStats {
        &self.stats
    }

    /// Whether the clusters were kept for every row of `parts` (the partitions the fit
    /// read).
    pub fn covers(&self, parts: &[Prepared]) -> bool {
        self.clusters.len() == parts.len()
            && self
                .clusters
                .iter()
                .zip(parts)
                .all(|(c, p)| c.len() == p.len())
    }

    /// The cluster of row `i` of partition `part` (one of the fit's rows, within
    /// [`TrainingClusters::covers`]).
    #[inline]
    pub fn cluster(&self, part: usize, i: usize) -> Option<u32> {
        self.clusters.get(part)?.get(i).copied()
    }
}

/// The silhouette ClusteringEvaluator computes for a KMeans model with `clusters` centres
/// of `dims` features: squared Euclidean or cosine, as the model's distance.
pub fn silhouette_spec(measure: DistanceMeasure, clusters: usize, dims: usize) -> ClusteringSpec {
    ClusteringSpec {
        measure: match measure {
            DistanceMeasure::Euclidean => clustering::DistanceMeasure::SquaredEuclidean,
            DistanceMeasure::Cosine => clustering::DistanceMeasure::Cosine,
        },
        clusters: clusters.max(1),
        dims,
    }
}
