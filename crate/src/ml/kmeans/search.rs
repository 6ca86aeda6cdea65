//! Finding a row's closest centre: the inner loop of every pass.
//!
//! Each centre gets a score that orders centres as their distances do: `‖c‖² − 2x·c` for
//! the squared Euclidean distance (Spark's `fastSquaredDistance` form without the row's
//! own `‖x‖²`), `−x·c/‖c‖` for the cosine distance. Scores come from one
//! multiply-add per feature and centre, over centres stored feature-major in blocks of
//! 2, 4 or 8 lanes, so the compiler keeps a block's scores in SIMD registers.
//!
//! The expanded form loses digits when rows are far from the origin, so the search checks
//! its answer: if the two best scores are closer than a bound on the rounding of both the
//! scores and the exact distances, it recomputes every distance with the exact functions
//! of [`super::distance`] and keeps the first smallest (Spark's tie rule). Either way the
//! answer is the exact functions' first closest centre, the one `predict` gives.

use super::distance::{dot, norm};
use super::params::DistanceMeasure;
use crate::ml::float_select::larger;

/// A row as the passes read it.
#[derive(Debug, Clone, Copy)]
pub struct Point<'a> {
    pub features: &'a [f64],
    pub weight: f64,
    /// The row's 0-based number in the table.
    pub row: u64,
}

impl<'a> Point<'a> {
    pub fn new(features: &'a [f64], weight: f64, row: u64) -> Self {
        Point {
            features,
            weight,
            row,
        }
    }

    /// `‖x‖²` (computed when asked: most rows of a settled fit never need it).
    #[inline]
    pub fn norm2(&self) -> f64 {
        dot(self.features, self.features)
    }

    #[inline]
    pub fn norm(&self) -> f64 {
        self.norm2().sqrt()
    }
}

/// Centres laid out for the search, with the exact centres kept for the exact distances.
#[derive(Debug, Clone)]
pub struct CenterSet {
    measure: DistanceMeasure,
    features: usize,
    /// `k × p`, row-major, as given.
    centers: Vec<f64>,
    /// `‖c_j‖`.
    norms: Vec<f64>,
    /// Centres per block: 2, 4 or 8.
    lanes: usize,
    /// Per block, per feature, one coefficient per lane: `−2c` (Euclidean) or `−c/‖c‖`
    /// (cosine); 0 in the padding lanes.
    coefficients: Vec<f64>,
    /// Per block, one constant per lane: `‖c‖²` (Euclidean) or 0 (cosine); +∞ in the
    /// padding lanes, so they never win.
    offsets: Vec<f64>,
    /// The largest `‖c‖²`, for the Euclidean error bound.
    max_norm2: f64,
    /// `16 (p + 4) u`: with `u` the unit roundoff, a generous bound on the relative
    /// rounding of a score or an exact distance (each is a sum of about `p` products).
    slack: f64,
}

impl CenterSet {
    /// Lays out `centers` (`k × features`, row-major). Cosine centres must not be zero
    /// vectors (callers check).
    pub fn new(measure: DistanceMeasure, features: usize, centers: Vec<f64>) -> Self {
        debug_assert!(features > 0 && centers.len().is_multiple_of(features));
        let k = centers.len() / features.max(1);
        let norms: Vec<f64> = centers.chunks_exact(features).map(norm).collect();
        let lanes = match k {
            0..=2 => 2,
            3..=4 => 4,
            _ => 8,
        };
        let blocks = k.div_ceil(lanes);
        let mut coefficients = vec![0.0; blocks * features * lanes];
        let mut offsets = vec![f64::INFINITY; blocks * lanes];
        for (j, center) in centers.chunks_exact(features).enumerate() {
            let (block, lane) = (j / lanes, j % lanes);
            let (scale, offset) = match measure {
                DistanceMeasure::Euclidean => (-2.0, dot(center, center)),
                DistanceMeasure::Cosine => (-1.0 / norms[j], 0.0),
            };
            offsets[block * lanes + lane] = offset;
            for (i, &c) in center.iter().enumerate() {
                coefficients[(block * features + i) * lanes + lane] = c * scale;
            }
        }
        let max_norm2 = centers
            .chunks_exact(features)
            .map(|c| dot(c, c))
            .fold(0.0, f64::max);
        CenterSet {
            measure,
            features,
            centers,
            norms,
            lanes,
            coefficients,
            offsets,
            max_norm2,
            slack: 16.0 * (features as f64 + 4.0) * (f64::EPSILON / 2.0),
        }
    }

    pub fn len(&self) -> usize {
        self.norms.len()
    }

    pub fn measure(&self) -> DistanceMeasure {
        self.measure
    }

    pub fn features(&self) -> usize {
        self.features
    }

    /// All centres, `k × p` row-major.
    pub fn centers(&self) -> &[f64] {
        &self.centers
    }

    pub fn center(&self, j: usize) -> &[f64] {
        &self.centers[j * self.features..(j + 1) * self.features]
    }

    /// The exact cost of `x` in cluster `j` (see [`DistanceMeasure::cost`]).
    pub fn cost(&self, j: usize, x: &Point) -> f64 {
        let x_norm = match self.measure {
            DistanceMeasure::Euclidean => 0.0,
            DistanceMeasure::Cosine => x.norm(),
        };
        self.cost_with_norm(j, x, x_norm)
    }

    #[inline]
    fn cost_with_norm(&self, j: usize, x: &Point, x_norm: f64) -> f64 {
        self.measure
            .cost(x.features, x_norm, self.center(j), self.norms[j])
    }

    /// The first closest centre to `x` by the exact distances.
    #[inline]
    pub fn nearest(&self, x: &Point) -> usize {
        let (best, first, second) = self.best_two(x.features);
        if second - first > self.score_error(x.norm2()) {
            best
        } else {
            self.nearest_exactly(x)
        }
    }

    /// The first closest centre to `x`, with an upper bound on the distance to it and a
    /// lower bound on the distance to every other centre (for [`super::bounds`]).
    #[inline]
    pub fn nearest_bounded(&self, x: &Point) -> Nearest {
        let (best, first, second) = self.best_two(x.features);
        let norm2 = x.norm2();
        let error = self.score_error(norm2);
        if second - first > error {
            // Both bounds from the scores, widened by their rounding.
            let (upper, lower) = match self.measure {
                DistanceMeasure::Euclidean => (norm2 + first + error, norm2 + second - error),
                DistanceMeasure::Cosine => {
                    let norm = norm2.sqrt();
                    (
                        1.0 + first / norm + self.slack,
                        1.0 + second / norm - self.slack,
                    )
                }
            };
            Nearest {
                index: best,
                upper: self.distance_at(upper),
                lower: self.distance_at(lower),
            }
        } else {
            let x_norm = norm2.sqrt();
            let mut index = 0;
            let mut first = f64::INFINITY;
            let mut second = f64::INFINITY;
            for j in 0..self.len() {
                let cost = self.cost_with_norm(j, x, x_norm);
                if cost < first {
                    (index, first, second) = (j, cost, first);
                } else if cost < second {
                    second = cost;
                }
            }
            Nearest {
                index,
                upper: self.upper_distance(first),
                lower: self.lower_distance(second),
            }
        }
    }

    /// A bound on the rounding of a score and of an exact cost, for a row of squared
    /// norm `norm2`.
    #[inline]
    fn score_error(&self, norm2: f64) -> f64 {
        match self.measure {
            DistanceMeasure::Euclidean => self.slack * (norm2 + self.max_norm2),
            DistanceMeasure::Cosine => self.slack * norm2.sqrt(),
        }
    }

    /// The distance (Euclidean, or the chord `‖x̂ − ĉ‖` between the normalised vectors,
    /// which like the Euclidean one obeys the triangle inequality) at a cost.
    #[inline]
    fn distance_at(&self, cost: f64) -> f64 {
        match self.measure {
            DistanceMeasure::Euclidean => larger(cost, 0.0).sqrt(),
            DistanceMeasure::Cosine => larger(2.0 * cost, 0.0).sqrt(),
        }
    }

    /// An upper bound on the distance whose cost was computed as `cost`.
    #[inline]
    pub fn upper_distance(&self, cost: f64) -> f64 {
        self.distance_at(match self.measure {
            DistanceMeasure::Euclidean => cost * (1.0 + self.slack),
            DistanceMeasure::Cosine => cost + self.slack,
        })
    }

    /// A lower bound on the distance whose cost was computed as `cost`.
    #[inline]
    pub fn lower_distance(&self, cost: f64) -> f64 {
        self.distance_at(match self.measure {
            DistanceMeasure::Euclidean => cost * (1.0 - self.slack),
            DistanceMeasure::Cosine => cost - self.slack,
        })
    }

    /// Whether `upper` (a bound on the distance to one centre) is below `lower` (a bound
    /// on the distances to all the others) by more than the exact costs' rounding: then
    /// that centre is the only closest one by the exact costs too.
    #[inline]
    pub fn clearly_below(&self, upper: f64, lower: f64) -> bool {
        match self.measure {
            DistanceMeasure::Euclidean => upper * (1.0 + self.slack) < lower * (1.0 - self.slack),
            DistanceMeasure::Cosine => upper * upper + 4.0 * self.slack < lower * lower,
        }
    }

    /// The first closest centre by the exact distances, computed one by one.
    pub fn nearest_exactly(&self, x: &Point) -> usize {
        let x_norm = match self.measure {
            DistanceMeasure::Euclidean => 0.0,
            DistanceMeasure::Cosine => x.norm(),
        };
        let mut best = 0;
        let mut best_cost = f64::INFINITY;
        for j in 0..self.len() {
            let cost = self.cost_with_norm(j, x, x_norm);
            if cost < best_cost {
                best = j;
                best_cost = cost;
            }
        }
        best
    }

    /// The centre with the smallest score, that score, and the second smallest score.
    #[inline]
    fn best_two(&self, x: &[f64]) -> (usize, f64, f64) {
        match self.lanes {
            2 => self.best_two_in::<2>(x),
            4 => self.best_two_in::<4>(x),
            _ => self.best_two_in::<8>(x),
        }
    }

    #[inline]
    fn best_two_in<const L: usize>(&self, x: &[f64]) -> (usize, f64, f64) {
        let (coefficients, _) = self.coefficients.as_chunks::<L>();
        let (offsets, _) = self.offsets.as_chunks::<L>();
        let mut best = 0;
        let mut first = f64::INFINITY;
        let mut second = f64::INFINITY;
        for (block, (rows, offset)) in coefficients
            .chunks_exact(self.features)
            .zip(offsets)
            .enumerate()
        {
            let mut scores = *offset;
            for (&xi, w) in x.iter().zip(rows) {
                for l in 0..L {
                    scores[l] += xi * w[l];
                }
            }
            let (index, block_first, block_second) = best_two_lanes(&scores);
            // The new second best: the better of the two seconds, or the loser of the
            // two firsts.
            let loser = max(first, block_first);
            second = min(min(second, block_second), loser);
            best = if block_first < first {
                block * L + index
            } else {
                best
            };
            first = min(first, block_first);
        }
        (best, first, second)
    }
}

/// `a < b ? a : b`: one SIMD instruction, no branch (no NaN reaches it).
#[inline(always)]
fn min(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn max(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// The smallest of `scores` (the first lane with it), and the second smallest, without
/// branches: which centre wins is unpredictable, a mispredicted branch costs more than
/// the whole comparison.
#[inline(always)]
fn best_two_lanes<const L: usize>(scores: &[f64; L]) -> (usize, f64, f64) {
    let first = smallest(*scores);
    let mut index = 0;
    for l in (0..L).rev() {
        index = if scores[l] == first { l } else { index };
    }
    let mut others = *scores;
    others[index] = f64::INFINITY;
    (index, first, smallest(others))
}

/// The smallest value, by halving (so the compiler can compare lanes pairwise in SIMD).
#[inline(always)]
fn smallest<const L: usize>(mut values: [f64; L]) -> f64 {
    let mut width = L;
    while width > 1 {
        width /= 2;
        for l in 0..width {
            values[l] = min(values[l], values[l + width]);
        }
    }
    values[0]
}

/// A row's closest centre, with bounds on its distances for [`super::bounds`].
#[derive(Debug, Clone, Copy)]
pub struct Nearest {
    pub index: usize,
    /// At least the distance to the closest centre.
    pub upper: f64,
    /// At most the distance to any other centre.
    pub lower: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(rows: &[f64], p: usize) -> Vec<Point<'_>> {
        rows.chunks_exact(p)
            .enumerate()
            .map(|(i, x)| Point::new(x, 1.0, i as u64))
            .collect()
    }

    /// Random-ish data around a large offset, where the expanded form alone misorders
    /// close centres: the search must still agree with the exact distances.
    #[test]
    fn agrees_with_exact_distances_far_from_the_origin() {
        let p = 3;
        let mut rows = Vec::new();
        for i in 0..2000u64 {
            for f in 0..p as u64 {
                let u = crate::random::unit(7, crate::random::Stream::KMeansInit, i * 3 + f);
                rows.push(1e7 + u);
            }
        }
        for k in [1, 2, 3, 5, 8, 13] {
            for measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
                let centers = rows[..k * p].to_vec();
                let set = CenterSet::new(measure, p, centers);
                for x in points(&rows, p) {
                    assert_eq!(set.nearest(&x), set.nearest_exactly(&x), "k = {k}");
                }
            }
        }
    }

    #[test]
    fn ties_go_to_the_first_centre() {
        let centers = vec![1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 5.0];
        let set = CenterSet::new(DistanceMeasure::Euclidean, 2, centers);
        assert_eq!(set.nearest(&Point::new(&[0.0, 0.0], 1.0, 0)), 0);
        assert_eq!(set.nearest(&Point::new(&[-0.5, 0.0], 1.0, 0)), 1);
        assert_eq!(set.nearest(&Point::new(&[2.0, 0.0], 1.0, 0)), 0);
        assert_eq!(set.nearest(&Point::new(&[0.0, 4.0], 1.0, 0)), 3);
    }
}
