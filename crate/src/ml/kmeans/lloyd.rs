//! Lloyd's iterations as Spark runs them (`mllib.clustering.KMeans.runAlgorithmWithWeight`
//! and ml's block solver, which agree): every row goes to its closest centre; each centre
//! with some weight moves to the weighted mean of its rows (cosine: the normalised mean of
//! the normalised rows); a centre whose rows all weigh 0 (or that has none) stays where it
//! is; the fit has converged when no centre moved more than `tol`.
//!
//! Spark's `trainingCost` is the cost of the last iteration's assignment, to the centres
//! before that iteration's update. Brasa does not compute it in every iteration: the
//! summary pass after the last one recomputes it from the previous centres, together with
//! the cluster sizes under the final centres (what Spark's summary counts).
//!
//! Fits that can afford 12 bytes a row keep their state between steps ([`Incremental`]):
//! Hamerly's bounds spare the search of rows that provably keep their cluster, and the
//! sums change only where rows move. The assignments are the same either way; the sums
//! differ in their last bits (they are added in another order).

use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, ErrorCode, Result};
use crate::ml::dataset::Subset;
use crate::ml::evaluate::clustering::{ClusterStats, ClusteringSpec};

use super::bounds::{Motion, PartitionBounds, BYTES_PER_ROW};
use super::distance::norm;
use super::params::DistanceMeasure;
use super::pass::{Gather, Partition};
use super::search::{CenterSet, Point};

/// Per cluster: the weighted sum of its rows (cosine: of its normalised rows), their
/// total weight, and how many of them weigh more than 0 (so that "no weight" is known
/// exactly, whatever the rounding of the sums).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSums {
    features: usize,
    /// `k × features`.
    pub sums: Vec<f64>,
    pub weights: Vec<f64>,
    pub weighted_rows: Vec<u64>,
}

impl ClusterSums {
    pub fn new(k: usize, features: usize) -> Self {
        ClusterSums {
            features,
            sums: vec![0.0; k * features],
            weights: vec![0.0; k],
            weighted_rows: vec![0; k],
        }
    }

    /// Adds row `x` to cluster `j` (cosine: the normalised row).
    #[inline(always)]
    fn add(&mut self, j: usize, x: &Point, cosine: bool) {
        self.shift(j, x, Self::scale(x, cosine));
        self.weights[j] += x.weight;
        self.weighted_rows[j] += (x.weight > 0.0) as u64;
    }

    /// Takes row `x` out of cluster `j`, where it was added.
    #[inline(always)]
    fn remove(&mut self, j: usize, x: &Point, cosine: bool) {
        self.shift(j, x, -Self::scale(x, cosine));
        self.weights[j] -= x.weight;
        self.weighted_rows[j] -= (x.weight > 0.0) as u64;
        if self.weighted_rows[j] == 0 {
            // Exactly nothing left, rather than what the rounding leaves.
            self.sums[j * self.features..(j + 1) * self.features].fill(0.0);
            self.weights[j] = 0.0;
        }
    }

    #[inline(always)]
    fn scale(x: &Point, cosine: bool) -> f64 {
        if cosine {
            x.weight / x.norm()
        } else {
            x.weight
        }
    }

    #[inline(always)]
    fn shift(&mut self, j: usize, x: &Point, scale: f64) {
        let sum = &mut self.sums[j * self.features..(j + 1) * self.features];
        for (s, v) in sum.iter_mut().zip(x.features) {
            *s += scale * v;
        }
    }

    fn merge(&mut self, other: &ClusterSums) {
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            *a += b;
        }
        for (a, b) in self.weights.iter_mut().zip(&other.weights) {
            *a += b;
        }
        for (a, b) in self.weighted_rows.iter_mut().zip(&other.weighted_rows) {
            *a += b;
        }
    }
}

/// What a fit keeps between Lloyd steps when it has the memory (12 bytes a row): each
/// row's cluster and Hamerly bounds ([`super::bounds`]), and each partition's cluster
/// sums. A step then searches only the rows whose bounds no longer prove their cluster,
/// and touches the sums only for the rows that change cluster: once the centres settle,
/// most rows are not even read.
pub struct Incremental {
    parts: Vec<Mutex<PartState>>,
}

#[derive(Default)]
struct PartState {
    /// Indexed like the partition's rows (rows outside the fit's subset unused).
    bounds: PartitionBounds,
    sums: Option<ClusterSums>,
}

/// Bytes an [`Incremental`] takes per row.
pub const INCREMENTAL_BYTES_PER_ROW: usize = BYTES_PER_ROW;

impl Incremental {
    pub fn new(partitions: usize) -> Self {
        Incremental {
            parts: (0..partitions).map(|_| Mutex::default()).collect(),
        }
    }

    /// Every partition's rows' clusters as last assigned (see
    /// [`super::kept::TrainingClusters`]), the rest of the state dropped.
    pub fn into_clusters(self) -> Vec<Vec<u32>> {
        self.parts
            .into_iter()
            .map(|part| {
                part.into_inner()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .bounds
                    .into_clusters()
            })
            .collect()
    }

    /// Partition `part`'s state, sized for its rows on first use.
    fn part(&self, part: &Partition) -> MutexGuard<'_, PartState> {
        // A pass holds a partition's lock alone; a lock poisoned by a panic in an earlier
        // pass guards nothing half-written that matters (the fit failed with it).
        let mut state = self.parts[part.index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.bounds.len() != part.len {
            state.bounds = PartitionBounds::unset(part.len);
        }
        state
    }
}

/// One Lloyd step's assignment and sums.
pub struct LloydStep<'a> {
    pub subset: Subset,
    pub centers: &'a CenterSet,
    /// The fit's incremental state when it has one, and how the centres have moved since
    /// the first step (none on the first step, which searches every row and fills it).
    pub incremental: Option<(&'a Incremental, Option<&'a Motion>)>,
}

impl Gather for LloydStep<'_> {
    type Partial = ClusterSums;

    fn subset(&self) -> Subset {
        self.subset
    }

    fn start(&self) -> ClusterSums {
        ClusterSums::new(self.centers.len(), self.centers.features())
    }

    fn visit(&self, partial: &mut ClusterSums, part: &Partition, rows: &[u32]) {
        let cosine = self.centers.measure() == DistanceMeasure::Cosine;
        let Some((incremental, motion)) = self.incremental else {
            for &i in rows {
                let x = part.point(i);
                partial.add(self.centers.nearest(&x), &x, cosine);
            }
            return;
        };
        let mut state = incremental.part(part);
        let state = &mut *state;
        let sums = state.sums.get_or_insert_with(|| self.start());
        let point = |i| part.point(i);
        state
            .bounds
            .assign(rows, point, self.centers, motion, |i, before, after| {
                let x = part.point(i);
                if let Some(before) = before {
                    sums.remove(before, &x, cosine);
                }
                sums.add(after, &x, cosine);
            });
    }

    fn finish(&self, partial: &mut ClusterSums, part: &Partition) {
        if let Some((incremental, _)) = self.incremental {
            if let Some(sums) = &incremental.part(part).sums {
                partial.clone_from(sums);
            }
        }
    }

    fn merge(&self, into: &mut ClusterSums, other: ClusterSums) {
        into.merge(&other);
    }
}

/// The centres after one Lloyd step, and whether every centre moved at most `tol`.
pub fn update(centers: &CenterSet, sums: &ClusterSums, tol: f64) -> Result<(Vec<f64>, bool)> {
    let features = centers.features();
    let measure = centers.measure();
    let mut next = centers.centers().to_vec();
    let mut converged = true;
    for (j, &weight) in sums.weights.iter().enumerate() {
        if sums.weighted_rows[j] == 0 {
            continue;
        }
        let center = &mut next[j * features..(j + 1) * features];
        let scale = 1.0 / weight;
        for (c, s) in center
            .iter_mut()
            .zip(&sums.sums[j * features..(j + 1) * features])
        {
            *c = s * scale;
        }
        if measure == DistanceMeasure::Cosine {
            let length = norm(center);
            if length == 0.0 {
                return Err(Error::new(
                    ErrorCode::MlInput,
                    format!(
                        "the rows of cluster {j} point in opposite directions that cancel \
                         out exactly, so the cluster has no mean direction and the cosine \
                         distance to it is undefined (Spark fails here too); use the \
                         euclidean distance, or another k or seed"
                    ),
                ));
            }
            let scale = 1.0 / length;
            for c in center.iter_mut() {
                *c *= scale;
            }
        }
        if measure.movement(centers.center(j), center) > tol {
            converged = false;
        }
    }
    Ok((next, converged))
}

/// The last pass of a fit: `trainingCost` (each row's cost to its closest centre among
/// the centres before the last update, weighted) and the size and weight of each final
/// cluster.
pub struct Summary<'a> {
    pub subset: Subset,
    /// The centres the last iteration assigned rows to (none without iterations: Spark's
    /// cost is then 0).
    pub previous: Option<&'a CenterSet>,
    pub last: &'a CenterSet,
    /// The fit's incremental state, which holds each row's cluster among the previous
    /// centres, and how the centres have moved since the first step, up to the last.
    pub incremental: Option<(&'a Incremental, &'a Motion)>,
    /// Whether to gather the silhouette's cluster sums too, and for which silhouette
    /// (only with the incremental state, which keeps the rows' clusters: see
    /// [`super::kept`]).
    pub silhouette: Option<ClusteringSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryPartial {
    pub cost: f64,
    pub sizes: Vec<u64>,
    pub weights: Vec<f64>,
    /// The silhouette's cluster sums, when asked; none too when a row could not be added
    /// (the evaluation then predicts the rows and reports it).
    pub silhouette: Option<ClusterStats>,
}

impl SummaryPartial {
    fn add(&mut self, j: usize, x: &Point) {
        self.sizes[j] += 1;
        self.weights[j] += x.weight;
        if let Some(stats) = &mut self.silhouette {
            if stats.add(x.features, j as f64, x.weight).is_err() {
                self.silhouette = None;
            }
        }
    }
}

impl Gather for Summary<'_> {
    type Partial = SummaryPartial;

    fn subset(&self) -> Subset {
        self.subset
    }

    fn start(&self) -> SummaryPartial {
        SummaryPartial {
            cost: 0.0,
            sizes: vec![0; self.last.len()],
            weights: vec![0.0; self.last.len()],
            silhouette: self
                .silhouette
                .filter(|_| self.incremental.is_some())
                .and_then(|spec| ClusterStats::new(spec).ok()),
        }
    }

    fn visit(&self, partial: &mut SummaryPartial, part: &Partition, rows: &[u32]) {
        match (self.previous, self.incremental) {
            (Some(previous), Some((incremental, motion))) => {
                let mut state = incremental.part(part);
                let bounds = &mut state.bounds;
                for &i in rows {
                    let x = part.point(i);
                    partial.cost += x.weight * previous.cost(bounds.cluster(i), &x);
                }
                let point = |i| part.point(i);
                bounds.assign(rows, point, self.last, Some(motion), |_, _, _| {});
                for &i in rows {
                    partial.add(bounds.cluster(i), &part.point(i));
                }
            }
            (previous, _) => {
                for &i in rows {
                    let x = part.point(i);
                    if let Some(previous) = previous {
                        partial.cost += x.weight * previous.cost(previous.nearest(&x), &x);
                    }
                    partial.add(self.last.nearest(&x), &x);
                }
            }
        }
    }

    fn merge(&self, into: &mut SummaryPartial, other: SummaryPartial) {
        into.cost += other.cost;
        for (a, b) in into.sizes.iter_mut().zip(other.sizes) {
            *a += b;
        }
        for (a, b) in into.weights.iter_mut().zip(other.weights) {
            *a += b;
        }
        // Merged in partition order into empty sums, as the evaluator merges its own.
        into.silhouette = match (into.silhouette.take(), other.silhouette) {
            (Some(mut a), Some(b)) => a.merge(&b).ok().map(|()| a),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(sums: Vec<f64>, weights: Vec<f64>) -> ClusterSums {
        ClusterSums {
            features: sums.len() / weights.len(),
            sums,
            weighted_rows: weights.iter().map(|&w| (w > 0.0) as u64).collect(),
            weights,
        }
    }

    #[test]
    fn centres_move_to_weighted_means_and_empty_ones_stay() {
        let centers = CenterSet::new(DistanceMeasure::Euclidean, 2, vec![0.0, 0.0, 9.0, 9.0]);
        let (next, converged) = update(
            &centers,
            &sums(vec![4.0, 8.0, 0.0, 0.0], vec![4.0, 0.0]),
            1e-4,
        )
        .unwrap();
        assert_eq!(next, vec![1.0, 2.0, 9.0, 9.0]);
        assert!(!converged);
    }

    /// Spark's rule: converged when every centre moved at most `tol` (Euclidean distance,
    /// not squared); a centre moving exactly `tol` counts as converged.
    #[test]
    fn convergence_is_every_centre_within_tol() {
        let centers = CenterSet::new(DistanceMeasure::Euclidean, 2, vec![0.0, 0.0, 9.0, 9.0]);
        let moved = |dx: f64| sums(vec![3.0 + 3.0 * dx, 0.0, 18.0, 18.0], vec![3.0, 2.0]);
        // (3 + 3·dx)/3 = 1 + dx: the first centre moves by 1 + dx, the second not at all.
        let (_, converged) = update(&centers, &moved(0.0), 1.0).unwrap();
        assert!(converged);
        let (_, converged) = update(&centers, &moved(0.5), 1.0).unwrap();
        assert!(!converged);
        let (_, converged) = update(&centers, &moved(0.5), 1.6).unwrap();
        assert!(
            converged,
            "a move of 1.5 is within tol = 1.6 (its square is not)"
        );
        // tol 0: converged only when nothing moves at all.
        let still = sums(vec![0.0, 0.0, 18.0, 18.0], vec![1.0, 2.0]);
        assert!(update(&centers, &still, 0.0).unwrap().1);
    }

    #[test]
    fn cosine_centres_are_normalised_and_move_by_angle() {
        let centers = CenterSet::new(DistanceMeasure::Cosine, 2, vec![2.0, 0.0, 0.0, 5.0]);
        // Sums of normalised rows: cluster 0 along (1, 1), cluster 1 along its centre.
        let (next, converged) = update(
            &centers,
            &sums(vec![1.0, 1.0, 0.0, 3.0], vec![2.0, 3.0]),
            0.2,
        )
        .unwrap();
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((next[0] - h).abs() < 1e-15 && (next[1] - h).abs() < 1e-15);
        assert_eq!(&next[2..], &[0.0, 1.0]);
        // Cluster 0 turned 45°: cosine distance 1 − √½ ≈ 0.29 > 0.2.
        assert!(!converged);
        let (_, converged) = update(
            &centers,
            &sums(vec![1.0, 1.0, 0.0, 3.0], vec![2.0, 3.0]),
            0.3,
        )
        .unwrap();
        assert!(converged);
        let cancel = update(
            &centers,
            &sums(vec![0.0, 0.0, 0.0, 3.0], vec![2.0, 3.0]),
            0.3,
        );
        assert_eq!(cancel.unwrap_err().code(), ErrorCode::MlInput);
    }
}
