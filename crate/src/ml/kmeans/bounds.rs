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
//! The bounds are kept lazily: [`Motion`] adds up, per centre, how far it and the others
//! have moved since the fit began, and a row stores `u` less its centre's total and `l`
//! plus the others' total when they were set. Its bounds at any later step are then the
//! stored values with the totals of that step, so a row that keeps its cluster is only
//! read, never written: the screening loop is a few loads, adds and a compare per row.
//!
//! The test keeps a margin for the rounding of the exact costs, so a row stays only when
//! its centre is the single closest one by [`super::distance`]'s functions: the
//! assignments, and so the fit, are exactly those of a full search. Distances here are
//! Euclidean, or for cosine the chord between normalised vectors (a metric, unlike
//! `1 − cos`, and ordered like it). Bounds are kept as `f32`, widened outwards, so a row
//! takes 12 bytes; fits keep them only while the memory allows (see [`super::fit`]).

use super::search::{CenterSet, Point};
use crate::ml::float_select::{larger, smaller};

/// How far one centre, and the others, have moved since the fit began, and how close
/// its neighbours are now.
#[derive(Debug, Clone, Copy, Default)]
struct CenterMotion {
    /// An upper bound on the sum of its moves, each step's sum rounded up, so that the
    /// difference of two totals is at least the moves between them.
    drift_total: f64,
    /// The same for the farthest move of any other centre in each step.
    others_total: f64,
    /// A lower bound on half the distance to its nearest other centre: a row closer than
    /// that to this centre is closest to it.
    half_gap: f64,
}

/// How the centres have moved since the fit began, as the bounds need it.
pub struct Motion {
    centers: Vec<CenterMotion>,
}

impl Motion {
    /// The totals after the centres moved from `old` to `new` (the same number of
    /// centres), `before` being the totals up to `old` (none: `old` were the first).
    pub fn after(before: Option<&Motion>, old: &CenterSet, new: &CenterSet) -> Motion {
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
        let total = |j: usize| before.map_or_else(CenterMotion::default, |m| m.centers[j]);
        Motion {
            centers: (0..k)
                .map(|j| {
                    let others = if j == largest_at { second } else { largest };
                    CenterMotion {
                        drift_total: (total(j).drift_total + drift[j]) * ROUND_UP,
                        others_total: (total(j).others_total + others) * ROUND_UP,
                        half_gap: half_gap[j],
                    }
                })
                .collect(),
        }
    }

    /// Centre `j`'s totals (zero before any move).
    #[inline(always)]
    fn totals(motion: Option<&Motion>, j: usize) -> (f64, f64) {
        motion.map_or((0.0, 0.0), |m| {
            let c = m.centers[j];
            (c.drift_total, c.others_total)
        })
    }
}

/// Widens a bound computed by one float sum or difference to cover its rounding.
const ROUND_UP: f64 = 1.0 + 4.0 * f64::EPSILON;
const ROUND_DOWN: f64 = 1.0 - 4.0 * f64::EPSILON;

/// Stores an upper bound (of either sign: a distance less a total) as an `f32` that is
/// still one: widened upwards by more than the `f32` rounding (relative 2⁻²⁴, or 2⁻¹⁴⁹
/// among subnormals), and never below `-f32::MAX` (which would read as −∞).
#[inline]
fn store_upper(v: f64) -> f32 {
    larger(v + v.abs() / (1u64 << 20) as f64 + 1e-38, -f32::MAX as f64) as f32
}

/// Stores a lower bound as an `f32` that is still one (0 for a useless negative bound).
#[inline(always)]
fn store_lower(v: f64) -> f32 {
    let v = v * (1.0 - 1.0 / (1u64 << 20) as f64) - 1e-38;
    smaller(larger(v, 0.0), f32::MAX as f64) as f32
}

/// Reads the first and last feature of each row of `rows`, so that their cache lines are
/// on their way before the rows are used. Once the centres settle, the rows that fail
/// the screening are few and far apart, and each one read alone waits for memory; these
/// loads do not depend on each other, so the processor has many of them in flight at once
/// (wasm has no prefetch instruction; plain loads work there too).
#[inline]
fn touch<'a>(rows: &[u32], point: &impl Fn(u32) -> Point<'a>) {
    let mut sum = 0.0;
    for &i in rows {
        let x = point(i);
        if let (Some(first), Some(last)) = (x.features.first(), x.features.last()) {
            sum += first + last;
        }
    }
    std::hint::black_box(sum);
}

/// The clusters and bounds of one partition's rows, column by column: a chunk's rows are
/// screened in one loop without branches, and only the rows it cannot settle are read.
#[derive(Debug, Clone, Default)]
pub struct PartitionBounds {
    clusters: Vec<u32>,
    upper: Vec<f32>,
    lower: Vec<f32>,
}

/// Bytes [`PartitionBounds`] take per row.
pub const BYTES_PER_ROW: usize = 12;

/// Rows screened at a time: the rows left to check fit in a buffer on the stack.
const SCREEN: usize = 256;

impl PartitionBounds {
    /// `len` rows whose bounds are not set yet: the next [`PartitionBounds::assign`] must
    /// search them (motion `None`).
    pub fn unset(len: usize) -> Self {
        PartitionBounds {
            clusters: vec![0; len],
            upper: vec![f32::INFINITY; len],
            lower: vec![0.0; len],
        }
    }

    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// Row `i`'s cluster when its bounds were last set.
    #[inline]
    pub fn cluster(&self, i: u32) -> usize {
        self.clusters[i as usize] as usize
    }

    /// Every row's cluster, the bounds dropped.
    pub fn into_clusters(self) -> Vec<u32> {
        self.clusters
    }

    /// Assigns rows `rows` to their closest centre among `centers`, which have moved by
    /// `motion` in all since the fit began (`None`: they have not moved yet, and every row
    /// is searched). `moved(i, before, after)` is called for each row whose cluster
    /// changed (`before` is `None` on a first assignment).
    ///
    /// First every row's bounds are tested, in one loop without branches or stores; the
    /// rows that fail get their exact distance to their centre, and those that still fail
    /// are searched. Rows that pass are never read.
    pub fn assign<'a>(
        &mut self,
        rows: &[u32],
        point: impl Fn(u32) -> Point<'a>,
        centers: &CenterSet,
        motion: Option<&Motion>,
        mut moved: impl FnMut(u32, Option<usize>, usize),
    ) {
        let Some(motion) = motion else {
            for &i in rows {
                self.search(i, &point(i), centers, None);
                moved(i, None, self.cluster(i));
            }
            return;
        };
        let mut failed = [0u32; SCREEN];
        let mut failed_bound = [0.0f64; SCREEN];
        for rows in rows.chunks(SCREEN) {
            let failures = self.screen(rows, centers, motion, &mut failed, &mut failed_bound);
            touch(&failed[..failures], &point);
            for (&i, &bound) in failed[..failures].iter().zip(&failed_bound) {
                let x = point(i);
                let before = self.cluster(i);
                let upper = centers.upper_distance(centers.cost(before, &x));
                if centers.clearly_below(upper, bound) {
                    let (drift, _) = Motion::totals(Some(motion), before);
                    self.upper[i as usize] = store_upper(upper - drift);
                    continue;
                }
                self.search(i, &x, centers, Some(motion));
                let after = self.cluster(i);
                if after != before {
                    moved(i, Some(before), after);
                }
            }
        }
    }

    /// Writes the rows of `rows` whose bounds, with the centres' totals in `motion`, no
    /// longer prove their cluster to `failed` (with the bound their distance must stay
    /// under, to `failed_bound`) and returns how many there are.
    #[inline]
    fn screen(
        &self,
        rows: &[u32],
        centers: &CenterSet,
        motion: &Motion,
        failed: &mut [u32; SCREEN],
        failed_bound: &mut [f64; SCREEN],
    ) -> usize {
        let mut failures = 0;
        for &i in rows {
            let r = i as usize;
            let moved = motion.centers[self.clusters[r] as usize];
            let upper = (self.upper[r] as f64 + moved.drift_total) * ROUND_UP;
            let lower = (self.lower[r] as f64 - moved.others_total) * ROUND_DOWN;
            let bound = if lower > moved.half_gap {
                lower
            } else {
                moved.half_gap
            };
            // Written for every row, kept only for the failures.
            failed[failures] = i;
            failed_bound[failures] = bound;
            failures += !centers.clearly_below(upper, bound) as usize;
        }
        failures
    }

    /// Searches row `i` and sets its cluster and bounds, less and plus the totals of
    /// `motion` for its new centre.
    #[inline]
    fn search(&mut self, i: u32, x: &Point, centers: &CenterSet, motion: Option<&Motion>) {
        let nearest = centers.nearest_bounded(x);
        let (drift, others) = Motion::totals(motion, nearest.index);
        let r = i as usize;
        self.clusters[r] = nearest.index as u32;
        self.upper[r] = store_upper(nearest.upper - drift);
        self.lower[r] = store_lower(nearest.lower + others);
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
            assert!(store_upper(-v) as f64 >= -v, "{v}");
            assert!(store_lower(v) as f64 <= v, "{v}");
        }
        assert_eq!(store_lower(-1.0), 0.0);
        assert_eq!(store_upper(-1e300), -f32::MAX);
    }

    /// Rows and centres that drift a little each step: the bounded assignment is the
    /// exact search's at every step, and `moved` reports every change of cluster.
    #[test]
    fn bounded_assignments_are_exact_ones() {
        let p = 3;
        let rows: Vec<f64> = (0..3000u64)
            .map(|i| 10.0 * unit(5, Stream::KMeansInit, i) - 5.0 + ((i / 3) % 4) as f64 * 15.0)
            .collect();
        let point = |i: u32| Point::new(&rows[i as usize * p..(i as usize + 1) * p], 1.0, i as u64);
        // Every row but a few, in more than one screening chunk.
        let subset: Vec<u32> = (0..1000).filter(|i| i % 7 != 3).collect();
        for measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            let mut centers = CenterSet::new(measure, p, rows[..4 * p].to_vec());
            let mut bounds = PartitionBounds::unset(1000);
            let mut tracked = vec![usize::MAX; 1000];
            let mut motion = None;
            let mut changes = 0;
            for step in 0..12 {
                bounds.assign(
                    &subset,
                    point,
                    &centers,
                    motion.as_ref(),
                    |i, before, after| {
                        assert_eq!(before, (step > 0).then_some(tracked[i as usize]));
                        tracked[i as usize] = after;
                        changes += (step > 0) as usize;
                    },
                );
                for &i in &subset {
                    let exact = centers.nearest_exactly(&point(i));
                    assert_eq!(bounds.cluster(i), exact, "{measure:?}, step {step}");
                    assert_eq!(tracked[i as usize], exact);
                }
                let moved: Vec<f64> = centers
                    .centers()
                    .iter()
                    .enumerate()
                    .map(|(n, c)| c + 4.0 * (unit(step, Stream::KMeansLocal, n as u64) - 0.5))
                    .collect();
                let next = CenterSet::new(measure, p, moved);
                motion = Some(Motion::after(motion.as_ref(), &centers, &next));
                centers = next;
            }
            assert!(changes > 0, "{measure:?}: the drift moves some rows");
        }
    }

    /// The totals of many steps: large moves first, then tiny ones for hundreds of steps.
    /// The assignments stay exact, and the bounds, set against totals far larger than the
    /// late moves, still spare almost every row.
    #[test]
    fn bounds_kept_against_long_totals_stay_exact_and_useful() {
        let p = 2;
        let rows: Vec<f64> = (0..2000u64)
            .map(|i| 6.0 * unit(9, Stream::KMeansInit, i) + ((i / 2) % 3) as f64 * 20.0)
            .collect();
        let point = |i: u32| Point::new(&rows[i as usize * p..(i as usize + 1) * p], 1.0, i as u64);
        let subset: Vec<u32> = (0..1000).collect();
        let mut centers = CenterSet::new(DistanceMeasure::Euclidean, p, rows[..3 * p].to_vec());
        let mut bounds = PartitionBounds::unset(1000);
        let mut motion: Option<Motion> = None;
        for step in 0..400u64 {
            bounds.assign(&subset, point, &centers, motion.as_ref(), |_, _, _| {});
            if step % 50 == 0 || step > 395 {
                for &i in &subset {
                    assert_eq!(
                        bounds.cluster(i),
                        centers.nearest_exactly(&point(i)),
                        "step {step}"
                    );
                }
            }
            let scale = if step < 10 { 8.0 } else { 1e-7 };
            let moved: Vec<f64> = centers
                .centers()
                .iter()
                .enumerate()
                .map(|(n, c)| c + scale * (unit(step, Stream::KMeansLocal, n as u64) - 0.5))
                .collect();
            let next = CenterSet::new(DistanceMeasure::Euclidean, p, moved);
            motion = Some(Motion::after(motion.as_ref(), &centers, &next));
            centers = next;
        }
        let (mut failed, mut bound) = ([0u32; SCREEN], [0.0; SCREEN]);
        let motion = motion.unwrap();
        let failures: usize = subset
            .chunks(SCREEN)
            .map(|rows| bounds.screen(rows, &centers, &motion, &mut failed, &mut bound))
            .sum();
        assert!(failures < 20, "{failures} of 1000 rows fail the screening");
    }
}
