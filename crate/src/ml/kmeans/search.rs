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
//!
//! The scores are first computed in `f32` (the narrow search): twice the centres per SIMD
//! instruction (wasm's simd128 holds 4 `f32` lanes and 2 `f64`), and most rows' two best
//! centres are far enough apart that `f32`'s rounding cannot swap them. The same check
//! with `f32`'s error bound ([`CenterSet::narrow_error`]) decides; a row it cannot decide
//! is searched again in `f64` as above.

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
    /// The layout again in `f32`, for the narrow search; none when a centre's squared
    /// norm exceeds [`NARROW_LIMIT`] or the rows have more than [`NARROW_FEATURES`].
    narrow: Option<Narrow>,
    /// `5 (p + 4) u₃₂`: the relative part of [`CenterSet::narrow_error`].
    narrow_slack: f64,
}

/// The coefficients and offsets of a [`CenterSet`] rounded to `f32`, laid out alike.
#[derive(Debug, Clone)]
struct Narrow {
    coefficients: Vec<f32>,
    offsets: Vec<f32>,
}

/// The largest squared norm of a row or a centre the narrow search takes: `2¹⁰⁰`, so that
/// every feature and coefficient is at most `2⁵¹` in magnitude and no score or partial
/// sum comes near `f32::MAX` (`2¹²⁸`); rows beyond it are searched in `f64` only.
const NARROW_LIMIT: f64 = (1u128 << 100) as f64;

/// The most features the narrow search takes: `(p + 1) u₃₂` stays below `2.5·10⁻⁴`, which
/// [`CenterSet::narrow_error`]'s constant assumes.
const NARROW_FEATURES: usize = 4096;

/// The absolute part of [`CenterSet::narrow_error`], per feature: `2⁻⁹⁶`, what `f32`'s
/// subnormals can lose (see there).
const NARROW_ABSOLUTE: f64 = 1.0 / (1u128 << 96) as f64;

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
        // Padding lanes stay +∞ (offsets) and 0 (coefficients), as wide.
        let narrow = (max_norm2 <= NARROW_LIMIT && features <= NARROW_FEATURES).then(|| Narrow {
            coefficients: coefficients.iter().map(|&c| c as f32).collect(),
            offsets: offsets.iter().map(|&o| o as f32).collect(),
        });
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
            narrow,
            narrow_slack: 5.0 * (features as f64 + 4.0) * (f32::EPSILON as f64 / 2.0),
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
        let norm2 = x.norm2();
        if let Some((best, first, second)) = self.narrow_best_two(x.features, norm2) {
            if second - first > self.narrow_error(norm2) {
                return best;
            }
        }
        let (best, first, second) = self.best_two(x.features);
        if second - first > self.score_error(norm2) {
            best
        } else {
            self.nearest_exactly(x)
        }
    }

    /// The first closest centre to `x`, with an upper bound on the distance to it and a
    /// lower bound on the distance to every other centre (for [`super::bounds`]).
    #[inline]
    pub fn nearest_bounded(&self, x: &Point) -> Nearest {
        let norm2 = x.norm2();
        if let Some((best, first, second)) = self.narrow_best_two(x.features, norm2) {
            let error = self.narrow_error(norm2);
            if second - first > error {
                return self.bounded_by_scores(best, first, second, norm2, error);
            }
        }
        let (best, first, second) = self.best_two(x.features);
        let error = self.score_error(norm2);
        if second - first > error {
            self.bounded_by_scores(best, first, second, norm2, error)
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

    /// The answer of a search whose two best scores, `first` (centre `best`'s) and
    /// `second`, are more than `error` apart: the bounds from the scores, widened by
    /// `error` (which covers the rounding of either score and of the exact costs).
    #[inline]
    fn bounded_by_scores(
        &self,
        best: usize,
        first: f64,
        second: f64,
        norm2: f64,
        error: f64,
    ) -> Nearest {
        let (upper, lower) = match self.measure {
            DistanceMeasure::Euclidean => (norm2 + first + error, norm2 + second - error),
            DistanceMeasure::Cosine => {
                // A score is `−x·ĉ`, the cost `1 − x·ĉ/‖x‖`: the error scales alike.
                let norm = norm2.sqrt();
                let margin = error / norm;
                (1.0 + first / norm + margin, 1.0 + second / norm - margin)
            }
        };
        Nearest {
            index: best,
            upper: self.distance_at(upper),
            lower: self.distance_at(lower),
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

    /// A bound on the error of the narrow search's scores, for a row of squared norm
    /// `norm2`: if its two best scores are farther apart than this, the best one's centre
    /// is the exact functions' only closest centre.
    ///
    /// Each narrow score sums `p + 1` terms: the offset `õ` (`‖c‖²` rounded to `f32`) and
    /// the products `x̃ᵢw̃ᵢ` of the row's features and the coefficients (`−2cᵢ`), each
    /// rounded to `f32`. With `u = 2⁻²⁴`, the products carry at most `(2u + u²)` of
    /// relative error from their rounded inputs, the offset `u` (and its `f64` rounding),
    /// and summing them in `f32` adds at most `γₚ₊₁ = (p + 1)u / (1 − (p + 1)u)` of their
    /// absolute sum (with or without fused multiply-adds; `γₚ₊₁ < 1.0003 (p + 1) u` for
    /// `p ≤` [`NARROW_FEATURES`]). The products' absolute sum is at most
    /// `Σ|xᵢ||2cᵢ| ≤ 2‖x‖‖c‖ ≤ ‖x‖² + ‖c‖²`, so one score is off by at most
    /// `1.001 (p + 3) u (‖x‖² + 2‖c‖²)`, and two by less than `5 (p + 4) u (‖x‖² + M)`
    /// (`narrow_slack`; `M` the largest `‖c‖²`). Under cosine the coefficients are
    /// `−cᵢ/‖c‖`, there is no offset, and the products' sum is at most `‖x‖`.
    ///
    /// That relative bound fails where `f32` goes subnormal (below `2⁻¹²⁶`), whose
    /// rounding is absolute: at most `2⁻¹⁵⁰` for a feature, a coefficient or a product.
    /// Multiplied by the other factor (at most `2⁵¹`, as [`NARROW_LIMIT`] bounds norms),
    /// that is at most `2⁻⁹⁸` per term and score, so `(p + 2) 2⁻⁹⁶` covers two scores.
    /// Last, the exact costs the answer must agree with have their own (`f64`) rounding:
    /// [`CenterSet::score_error`] is added.
    #[inline]
    fn narrow_error(&self, norm2: f64) -> f64 {
        let scale = match self.measure {
            DistanceMeasure::Euclidean => norm2 + self.max_norm2,
            DistanceMeasure::Cosine => norm2.sqrt(),
        };
        self.narrow_slack * scale
            + (self.features as f64 + 2.0) * NARROW_ABSOLUTE
            + self.score_error(norm2)
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
        let (c, o) = (&self.coefficients[..], &self.offsets[..]);
        match self.lanes {
            2 => best_two_in::<f64, 2>(c, o, self.features, x),
            4 => best_two_in::<f64, 4>(c, o, self.features, x),
            _ => best_two_in::<f64, 8>(c, o, self.features, x),
        }
    }

    /// [`CenterSet::best_two`] with the scores computed in `f32`; none when the centres or
    /// the row (of squared norm `norm2`) are too large for it.
    #[inline]
    fn narrow_best_two(&self, x: &[f64], norm2: f64) -> Option<(usize, f64, f64)> {
        let narrow = self.narrow.as_ref().filter(|_| norm2 <= NARROW_LIMIT)?;
        let (c, o) = (&narrow.coefficients[..], &narrow.offsets[..]);
        Some(match self.lanes {
            2 => best_two_in::<f32, 2>(c, o, self.features, x),
            4 => best_two_in::<f32, 4>(c, o, self.features, x),
            _ => best_two_in::<f32, 8>(c, o, self.features, x),
        })
    }

    /// The narrow search's answer for `x` when it decides alone (for the tests).
    #[cfg(test)]
    fn narrow_answer(&self, x: &Point) -> Option<usize> {
        let norm2 = x.norm2();
        let (best, first, second) = self.narrow_best_two(x.features, norm2)?;
        (second - first > self.narrow_error(norm2)).then_some(best)
    }
}

/// A lane of the search's scores: `f64`, or `f32` for the narrow search.
trait Lane: Copy + PartialOrd + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> {
    const INFINITY: Self;
    /// A feature, in this type (rounded to nearest).
    fn from_feature(x: f64) -> Self;
    fn widen(self) -> f64;
}

impl Lane for f64 {
    const INFINITY: f64 = f64::INFINITY;
    #[inline(always)]
    fn from_feature(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn widen(self) -> f64 {
        self
    }
}

impl Lane for f32 {
    const INFINITY: f32 = f32::INFINITY;
    #[inline(always)]
    fn from_feature(x: f64) -> f32 {
        x as f32
    }
    #[inline(always)]
    fn widen(self) -> f64 {
        self as f64
    }
}

/// The smallest score of centres laid out in blocks of `L` lanes (`coefficients`:
/// per block, per feature, one per lane; `offsets`: per block, one per lane), its
/// centre, and the second smallest score, for row `x` of `features` values.
#[inline]
fn best_two_in<T: Lane, const L: usize>(
    coefficients: &[T],
    offsets: &[T],
    features: usize,
    x: &[f64],
) -> (usize, f64, f64) {
    let (coefficients, _) = coefficients.as_chunks::<L>();
    let (offsets, _) = offsets.as_chunks::<L>();
    let mut best = 0;
    let mut first = T::INFINITY;
    let mut second = T::INFINITY;
    for (block, (rows, offset)) in coefficients.chunks_exact(features).zip(offsets).enumerate() {
        let mut scores = *offset;
        for (&xi, w) in x.iter().zip(rows) {
            let xi = T::from_feature(xi);
            for l in 0..L {
                scores[l] = scores[l] + xi * w[l];
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
    (best, first.widen(), second.widen())
}

/// `a < b ? a : b`: one SIMD instruction, no branch (no NaN reaches it).
#[inline(always)]
fn min<T: Lane>(a: T, b: T) -> T {
    if a < b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn max<T: Lane>(a: T, b: T) -> T {
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
fn best_two_lanes<T: Lane, const L: usize>(scores: &[T; L]) -> (usize, T, T) {
    let first = smallest(*scores);
    let mut index = 0;
    for l in (0..L).rev() {
        index = if scores[l] == first { l } else { index };
    }
    let mut others = *scores;
    others[index] = T::INFINITY;
    (index, first, smallest(others))
}

/// The smallest value, by halving (so the compiler can compare lanes pairwise in SIMD).
#[inline(always)]
fn smallest<T: Lane, const L: usize>(mut values: [T; L]) -> T {
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

    /// Checks every row of `rows` (`p` features each) against the exact functions: the
    /// search's answer, its bounds, and the narrow search's answer wherever it decides.
    /// Returns how many rows the narrow search decided alone.
    fn check_against_exact(set: &CenterSet, rows: &[f64], p: usize) -> usize {
        let mut decided = 0;
        for x in points(rows, p) {
            let exact = set.nearest_exactly(&x);
            if let Some(narrow) = set.narrow_answer(&x) {
                assert_eq!(narrow, exact, "narrow: {:?}", x.features);
                decided += 1;
            }
            assert_eq!(set.nearest(&x), exact, "{:?}", x.features);
            let bounded = set.nearest_bounded(&x);
            assert_eq!(bounded.index, exact, "{:?}", x.features);
            // The bounds hold for the exact costs (up to those costs' own rounding).
            for j in 0..set.len() {
                let distance = set.distance_at(set.cost(j, &x));
                if j == exact {
                    assert!(bounded.upper >= distance * (1.0 - 1e-12), "{x:?}");
                } else {
                    assert!(bounded.lower <= distance * (1.0 + 1e-12), "{x:?}");
                }
            }
        }
        decided
    }

    /// The narrow (`f32`) search decides a row only when `f32` can tell its closest
    /// centre: around the origin almost always; far from it, on exact and near ties, and
    /// with magnitudes `f32` cannot hold (huge, or subnormal squares), it hands the row
    /// to the `f64` search. Either way the answer is the exact functions'.
    #[test]
    fn the_narrow_search_falls_back_where_f32_cannot_tell() {
        let p = 4;
        let mut next = crate::testing::uniforms(11, -1.0, 1.0);
        let mut draw = |n: usize, scale: f64, offset: f64| -> Vec<f64> {
            (0..n * p).map(|_| offset + scale * next()).collect()
        };
        for measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            for k in [1, 2, 5, 9] {
                // (scale, offset, the share of rows the narrow search must decide at
                // least / at most)
                let cases = [
                    (10.0, 0.0, 0.95, 1.0),
                    (1e14, 0.0, 0.95, 1.0),
                    (1.0, 1e7, 0.0, 0.0),
                    (1e20, 0.0, 0.0, 0.0),
                    (
                        1e-21,
                        0.0,
                        if measure == DistanceMeasure::Cosine {
                            0.95
                        } else {
                            0.0
                        },
                        if measure == DistanceMeasure::Cosine {
                            1.0
                        } else {
                            0.0
                        },
                    ),
                ];
                for (scale, offset, least, most) in cases {
                    let centers = draw(k, scale, offset);
                    let rows = draw(400, scale, offset);
                    let set = CenterSet::new(measure, p, centers);
                    let share = check_against_exact(&set, &rows, p) as f64 / 400.0;
                    let (least, most) = if k == 1 { (1.0, 1.0) } else { (least, most) };
                    let (least, most) = if scale == 1e20 {
                        (0.0, 0.0)
                    } else {
                        (least, most)
                    };
                    assert!(
                        (least..=most).contains(&share),
                        "{measure:?}, k = {k}, scale {scale}, offset {offset}: {share}"
                    );
                }
            }
        }
    }

    /// Rows on the bisector of two centres, and a hair off it: the narrow search must not
    /// decide them; the answer is the first of the tied centres, or the closer one.
    #[test]
    fn the_narrow_search_leaves_near_ties_to_the_exact_functions() {
        let p = 3;
        let centers = vec![1.0, 1.0, 1.0, 1.0, 1.0, -1.0, -40.0, -40.0, 0.0];
        for measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            let set = CenterSet::new(measure, p, centers.clone());
            let mut next = crate::testing::uniforms(5, 0.5, 5.0);
            let mut undecided = 0;
            for i in 0..300 {
                // On the plane z = 0, equidistant (and at equal angles) from centres 0
                // and 1, which are closer than centre 2; then nudged by a few parts in
                // 10⁹ or 10⁸ towards either.
                let nudge = [0.0, 1e-9, -1e-9, 3e-8][i % 4];
                let x = [next(), next(), nudge];
                let point = Point::new(&x, 1.0, i as u64);
                let exact = set.nearest_exactly(&point);
                undecided += set.narrow_answer(&point).is_none() as usize;
                assert_eq!(set.nearest(&point), exact, "{measure:?} {x:?}");
                assert_eq!(
                    set.nearest_bounded(&point).index,
                    exact,
                    "{measure:?} {x:?}"
                );
                if nudge == 0.0 {
                    assert_eq!(exact, 0, "an exact tie goes to the first centre");
                    assert_eq!(set.narrow_answer(&point), None, "{measure:?} {x:?}");
                }
            }
            assert_eq!(
                undecided, 300,
                "{measure:?}: the narrow search decided a near tie"
            );
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
