//! Hamerly's bounds (G. Hamerly, "Making k-means even faster", SDM 2010): once the
//! centres settle, most rows provably keep their cluster and need no search at all.
//!
//! Each row keeps its cluster `a`, an upper bound `u` on its distance to centre `a` and
//! a lower bound `l` on its distance to every other centre. When the centres move, the
//! triangle inequality updates the bounds without touching the row: `u` grows by how far
//! centre `a` moved, `l` shrinks by the farthest move of the others. If `u` is still below
//! `max(l, half the distance from centre a to its nearest other centre)` the row stays;
//! otherwise `u` is recomputed, and if that is not enough the row is searched again.
//!
//! The test keeps a margin for the rounding of the exact costs, so a row stays only when
//! its centre is the single closest one by [`super::distance`]'s functions: the
//! assignments, and so the fit, are exactly those of a full search. Distances here are
//! Euclidean, or for cosine the chord between normalised vectors (a metric, unlike
//! `1 − cos`, and ordered like it). Bounds are kept as `f32`, widened outwards, so a row
//! takes 12 bytes; fits keep them only while the memory allows (see [`super::fit`]).

use super::search::{CenterSet, Point};

/// A row's cluster and bounds.
#[derive(Debug, Clone, Copy)]
pub struct RowBounds {
    cluster: u32,
    upper: f32,
    lower: f32,
}

/// How one centre moved in an update, and how close its new neighbours are.
#[derive(Debug, Clone, Copy)]
struct CenterMotion {
    /// An upper bound on how far it moved.
    drift: f64,
    /// An upper bound on how far any other centre moved.
    others_drift: f64,
    /// A lower bound on half the distance to its nearest other centre: a row closer than
    /// that to this centre is closest to it.
    half_gap: f64,
}

/// How the centres moved in one update, as the bounds need it.
pub struct Motion {
    centers: Vec<CenterMotion>,
}

impl Motion {
    /// From `old` to `new` (the same number of centres).
    pub fn between(old: &CenterSet, new: &CenterSet) -> Motion {
        let k = new.len();
        let measure = new.measure();
        let drift: Vec<f64> = (0..k)
            .map(|j| new.upper_distance(measure.between(old.center(j), new.center(j))))
            .collect();
        let (mut largest, mut largest_at, mut second) = (0.0, 0, 0.0);
        for (j, &d) in drift.iter().enumerate() {
            if d > largest {
                (second, largest, largest_at) = (largest, d, j);
            } else if d > second {
                second = d;
            }
        }
        let mut half_gap = vec![f64::INFINITY; k];
        for i in 0..k {
            for j in i + 1..k {
                let gap = 0.5 * new.lower_distance(measure.between(new.center(i), new.center(j)));
                half_gap[i] = half_gap[i].min(gap);
                half_gap[j] = half_gap[j].min(gap);
            }
        }
        Motion {
            centers: (0..k)
                .map(|j| CenterMotion {
                    drift: drift[j],
                    others_drift: if j == largest_at { second } else { largest },
                    half_gap: half_gap[j],
                })
                .collect(),
        }
    }
}

/// Widens a bound computed by one float sum or difference to cover its rounding.
const ROUND_UP: f64 = 1.0 + 4.0 * f64::EPSILON;
const ROUND_DOWN: f64 = 1.0 - 4.0 * f64::EPSILON;

/// Stores an upper bound as an `f32` that is still one: widened by more than the `f32`
/// rounding (relative 2⁻²⁴, or 2⁻¹⁴⁹ among subnormals).
#[inline]
fn store_upper(v: f64) -> f32 {
    (v * (1.0 + 1.0 / (1u64 << 20) as f64) + 1e-38) as f32
}

/// Stores a lower bound as an `f32` that is still one (0 for a useless negative bound).
#[inline]
fn store_lower(v: f64) -> f32 {
    if v > 0.0 {
        (v * (1.0 - 1.0 / (1u64 << 20) as f64) - 1e-38).clamp(0.0, f32::MAX as f64) as f32
    } else {
        0.0
    }
}

impl RowBounds {
    /// Bounds not set yet: the next [`RowBounds::assign`] must search (motion `None`).
    pub const UNSET: RowBounds = RowBounds {
        cluster: 0,
        upper: f32::INFINITY,
        lower: 0.0,
    };

    /// This row's cluster under `centers`, which moved by `motion` since the bounds were
    /// set (`None`: they were never set, and the row is searched).
    #[inline]
    pub fn assign(&mut self, x: &Point, centers: &CenterSet, motion: Option<&Motion>) -> usize {
        if let Some(motion) = motion {
            let a = self.cluster as usize;
            let moved = motion.centers[a];
            let mut upper = (self.upper as f64 + moved.drift) * ROUND_UP;
            let lower = (self.lower as f64 - moved.others_drift) * ROUND_DOWN;
            let bound = if lower > moved.half_gap {
                lower
            } else {
                moved.half_gap
            };
            if !centers.clearly_below(upper, bound) {
                upper = centers.upper_distance(centers.cost(a, x));
            }
            if centers.clearly_below(upper, bound) {
                self.upper = store_upper(upper);
                self.lower = store_lower(lower);
                return a;
            }
        }
        let nearest = centers.nearest_bounded(x);
        *self = RowBounds {
            cluster: nearest.index as u32,
            upper: store_upper(nearest.upper),
            lower: store_lower(nearest.lower),
        };
        nearest.index
    }

    /// The cluster when the bounds were last set.
    pub fn cluster(&self) -> usize {
        self.cluster as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::kmeans::params::DistanceMeasure;
    use crate::random::{unit, Stream};

    #[test]
    fn stored_bounds_stay_bounds() {
        for v in [
            0.0,
            1e-45,
            3e-39,
            1e-30,
            0.1,
            1.0,
            1.0 / 3.0,
            7e12,
            3.4e38,
            1e300,
        ] {
            assert!(store_upper(v) as f64 >= v, "{v}");
            assert!(store_lower(v) as f64 <= v, "{v}");
        }
        assert_eq!(store_lower(-1.0), 0.0);
    }

    /// Rows and centres that drift a little each step: the bounded assignment is the
    /// exact search's at every step.
    #[test]
    fn bounded_assignments_are_exact_ones() {
        let p = 3;
        let rows: Vec<f64> = (0..3000u64)
            .map(|i| 10.0 * unit(5, Stream::KMeansInit, i) - 5.0 + ((i / 3) % 4) as f64 * 15.0)
            .collect();
        for measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            let mut centers = CenterSet::new(measure, p, rows[..4 * p].to_vec());
            let mut bounds = vec![RowBounds::UNSET; 1000];
            let mut motion = None;
            let mut searched = 0;
            for step in 0..12 {
                for (i, x) in rows.chunks_exact(p).enumerate() {
                    let x = Point::new(x, 1.0, i as u64);
                    let before = bounds[i];
                    let cluster = bounds[i].assign(&x, &centers, motion.as_ref());
                    assert_eq!(
                        cluster,
                        centers.nearest_exactly(&x),
                        "{measure:?}, step {step}"
                    );
                    searched += (before.upper != bounds[i].upper || step == 0) as usize;
                }
                let moved: Vec<f64> = centers
                    .centers()
                    .iter()
                    .enumerate()
                    .map(|(n, c)| c + 0.3 * (unit(step, Stream::KMeansLocal, n as u64) - 0.5))
                    .collect();
                let next = CenterSet::new(measure, p, moved);
                motion = Some(Motion::between(&centers, &next));
                centers = next;
            }
            assert!(searched > 0);
        }
    }
}
