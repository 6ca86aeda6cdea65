//! Spark's `LocalKMeans.kMeansPlusPlus`: the k-means|| candidates, weighted by how many
//! rows are closest to each, reduced to `k` centres on one thread — k-means++ seeding on
//! the weighted candidates, then up to 30 weighted Lloyd iterations that stop when no
//! candidate changes cluster. Like Spark's, it uses the squared Euclidean distance
//! whatever the fit's distance measure.
//!
//! Spark seeds this step with a fixed 0; Brasa draws from the fit's seed
//! ([`Stream::KMeansLocal`]), so every draw of a fit follows from its one seed.

use crate::error::Result;
use crate::job::JobContext;
use crate::random::{unit, Stream};

use super::distance::squared_distance;
use super::params::DistanceMeasure;
use super::search::{CenterSet, Point};

/// Spark's `maxIterations` for the local Lloyd iterations.
const LOCAL_ITERATIONS: usize = 30;

/// Uniform draws in sequence from one seed.
struct Draws {
    seed: u64,
    next: u64,
}

impl Draws {
    fn unit(&mut self) -> f64 {
        self.next += 1;
        unit(self.seed, Stream::KMeansLocal, self.next - 1)
    }

    /// A uniform index below `n` (Spark's `nextInt(n)`).
    fn index(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
}

/// The index where the running sum of `weights` first reaches `target` (Spark's scan:
/// the last index added before the sum stops being below the target), if any was added.
fn first_reaching(weights: impl Iterator<Item = f64>, target: f64) -> Option<usize> {
    let mut sum = 0.0;
    let mut added = 0usize;
    for w in weights {
        if sum >= target {
            break;
        }
        sum += w;
        added += 1;
    }
    added.checked_sub(1)
}

/// `k` centres (`k × features`) from `points` (`n × features`, n > k) and their weights.
pub fn kmeans_plus_plus(
    points: &[f64],
    weights: &[f64],
    k: usize,
    features: usize,
    seed: u64,
    ctx: &JobContext,
) -> Result<Vec<f64>> {
    let n = weights.len();
    let point = |i: usize| &points[i * features..(i + 1) * features];
    let mut draws = Draws { seed, next: 0 };
    let mut centers: Vec<f64> = Vec::with_capacity(k * features);

    // k-means++ seeding: the first centre by weight, each next one by weight × cost.
    let total: f64 = weights.iter().sum();
    let target = draws.unit() * total;
    // Spark would fail on a zero target (index -1); the first point is the natural pick.
    let first = first_reaching(weights.iter().copied(), target).unwrap_or(0);
    centers.extend_from_slice(point(first));
    let mut costs: Vec<f64> = (0..n)
        .map(|i| squared_distance(point(i), point(first)))
        .collect();
    for _ in 1..k {
        ctx.check()?;
        let total: f64 = costs.iter().zip(weights).map(|(c, w)| c * w).sum();
        let target = draws.unit() * total;
        let weighted = costs.iter().zip(weights).map(|(c, w)| w * c);
        // No pick when every cost is zero: Spark then repeats the first point.
        let chosen = first_reaching(weighted, target).unwrap_or(0);
        let center = point(chosen).to_vec();
        for (i, cost) in costs.iter_mut().enumerate() {
            *cost = cost.min(squared_distance(point(i), &center));
        }
        centers.extend_from_slice(&center);
    }

    // Lloyd iterations on the weighted points, until no point changes cluster.
    let mut closest: Vec<Option<usize>> = vec![None; n];
    let mut moved = true;
    let mut iteration = 0;
    while moved && iteration < LOCAL_ITERATIONS {
        ctx.check()?;
        moved = false;
        let search = CenterSet::new(DistanceMeasure::Euclidean, features, centers);
        let mut sums = vec![0.0; k * features];
        let mut counts = vec![0.0; k];
        for (i, &w) in weights.iter().enumerate() {
            let x = Point::new(point(i), w, i as u64);
            let j = search.nearest(&x);
            for (s, v) in sums[j * features..(j + 1) * features]
                .iter_mut()
                .zip(x.features)
            {
                *s += w * v;
            }
            counts[j] += w;
            if closest[i] != Some(j) {
                moved = true;
                closest[i] = Some(j);
            }
        }
        centers = search.centers().to_vec();
        for j in 0..k {
            let center = &mut centers[j * features..(j + 1) * features];
            if counts[j] == 0.0 {
                // An empty cluster restarts at a random point.
                center.copy_from_slice(point(draws.index(n)));
            } else {
                let scale = 1.0 / counts[j];
                for (c, s) in center
                    .iter_mut()
                    .zip(&sums[j * features..(j + 1) * features])
                {
                    *c = s * scale;
                }
            }
        }
        iteration += 1;
    }
    Ok(centers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_sum_scan_is_sparks() {
        let w = [1.0, 2.0, 3.0];
        assert_eq!(first_reaching(w.iter().copied(), 0.0), None);
        assert_eq!(first_reaching(w.iter().copied(), 0.5), Some(0));
        assert_eq!(first_reaching(w.iter().copied(), 1.0), Some(0));
        assert_eq!(first_reaching(w.iter().copied(), 1.5), Some(1));
        assert_eq!(first_reaching(w.iter().copied(), 5.9), Some(2));
        assert_eq!(first_reaching(w.iter().copied(), 99.0), Some(2));
    }

    /// Weighted seeding: a point that carries nearly all the weight is picked first, and
    /// the same seed always gives the same centres.
    #[test]
    fn seeding_is_weighted_and_reproducible() {
        let points = [0.0, 0.0, 10.0, 0.0, 0.0, 10.0, 10.0, 10.0, 5.0, 5.0];
        let weights = [1e-9, 1e-9, 1e-9, 1e-9, 1e9];
        let ctx = JobContext::default();
        for seed in 0..20 {
            // Seeded at (5, 5), where the weighted mean (the one Lloyd step) also is.
            let centers = kmeans_plus_plus(&points, &weights, 1, 2, seed, &ctx).unwrap();
            assert!(
                centers.iter().all(|c| (c - 5.0).abs() < 1e-12),
                "{centers:?}"
            );
        }
        let weights = [1.0, 2.0, 3.0, 4.0, 5.0];
        let a = kmeans_plus_plus(&points, &weights, 3, 2, 11, &ctx).unwrap();
        let b = kmeans_plus_plus(&points, &weights, 3, 2, 11, &ctx).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 6);
    }

    /// Two tight groups end with one centre each, at their weighted means.
    #[test]
    fn lloyd_finds_the_weighted_means() {
        let points = [0.0, 1.0, 2.0, 100.0, 101.0];
        let weights = [1.0, 1.0, 2.0, 3.0, 1.0];
        let ctx = JobContext::default();
        for seed in 0..10 {
            let mut centers = kmeans_plus_plus(&points, &weights, 2, 1, seed, &ctx).unwrap();
            centers.sort_by(f64::total_cmp);
            assert_eq!(centers, vec![5.0 / 4.0, 401.0 / 4.0]);
        }
    }
}
