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

use crate::error::{Error, ErrorCode, Result};
use crate::ml::dataset::Subset;

use super::distance::norm;
use super::params::DistanceMeasure;
use super::pass::{Chunk, Gather};
use super::search::CenterSet;

/// Per cluster, the weighted sum of its rows (cosine: of its normalised rows) and their
/// total weight.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSums {
    features: usize,
    /// `k × features`.
    pub sums: Vec<f64>,
    pub weights: Vec<f64>,
}

/// One Lloyd step's assignment and sums.
pub struct LloydStep<'a> {
    pub subset: Subset,
    pub centers: &'a CenterSet,
}

impl Gather for LloydStep<'_> {
    type Partial = ClusterSums;

    fn subset(&self) -> Subset {
        self.subset
    }

    fn start(&self) -> ClusterSums {
        let (k, features) = (self.centers.len(), self.centers.features());
        ClusterSums {
            features,
            sums: vec![0.0; k * features],
            weights: vec![0.0; k],
        }
    }

    fn visit(&self, partial: &mut ClusterSums, chunk: &Chunk, rows: &[u32]) {
        let features = partial.features;
        let cosine = self.centers.measure() == DistanceMeasure::Cosine;
        for &i in rows {
            let x = chunk.point(i);
            let j = self.centers.nearest(&x);
            let scale = if cosine { x.weight / x.norm } else { x.weight };
            let sum = &mut partial.sums[j * features..(j + 1) * features];
            for (s, v) in sum.iter_mut().zip(x.features) {
                *s += scale * v;
            }
            partial.weights[j] += x.weight;
        }
    }

    fn merge(&self, into: &mut ClusterSums, other: ClusterSums) {
        for (a, b) in into.sums.iter_mut().zip(other.sums) {
            *a += b;
        }
        for (a, b) in into.weights.iter_mut().zip(other.weights) {
            *a += b;
        }
    }
}

/// The centres after one Lloyd step, and whether every centre moved at most `tol`.
pub fn update(centers: &CenterSet, sums: &ClusterSums, tol: f64) -> Result<(Vec<f64>, bool)> {
    let features = centers.features();
    let measure = centers.measure();
    let mut next = centers.centers().to_vec();
    let mut converged = true;
    for (j, &weight) in sums.weights.iter().enumerate() {
        if weight <= 0.0 {
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryPartial {
    pub cost: f64,
    pub sizes: Vec<u64>,
    pub weights: Vec<f64>,
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
        }
    }

    fn visit(&self, partial: &mut SummaryPartial, chunk: &Chunk, rows: &[u32]) {
        for &i in rows {
            let x = chunk.point(i);
            if let Some(previous) = self.previous {
                partial.cost += x.weight * previous.cost(previous.nearest(&x), &x);
            }
            let j = self.last.nearest(&x);
            partial.sizes[j] += 1;
            partial.weights[j] += x.weight;
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(sums: Vec<f64>, weights: Vec<f64>) -> ClusterSums {
        ClusterSums {
            features: sums.len() / weights.len(),
            sums,
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
