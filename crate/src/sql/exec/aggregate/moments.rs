//! The moment-based aggregates: the variance family, skewness and kurtosis, correlation
//! and covariance. Each keeps central moments per group and merges partial states with
//! the pairwise formulas of Chan et al. and Pébay, so no pass needs the global mean.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, Float64Array};
use arrow_buffer::NullBuffer;

use super::accumulator::{downcast, for_each_valid, Accumulator};
use crate::error::Result;
use crate::sql::plan::functions::AggregateFunction;

/// Count, mean and sum of squared deviations per group, merged with Chan's formula, for the variance family.
pub(super) struct Moments {
    kind: AggregateFunction,
    count: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    pub fn new(kind: AggregateFunction) -> Self {
        Moments {
            kind,
            count: vec![],
            mean: vec![],
            m2: vec![],
        }
    }

    /// Adds `nb` values with mean `mean_b` and squared deviations `m2_b` to group `g`.
    fn combine(&mut self, g: usize, nb: f64, mean_b: f64, m2_b: f64) {
        if nb == 0.0 {
            return;
        }
        let na = self.count[g];
        let n = na + nb;
        let delta = mean_b - self.mean[g];
        self.mean[g] += delta * nb / n;
        self.m2[g] += m2_b + delta * delta * na * nb / n;
        self.count[g] = n;
    }
}

/// Lanes of [`lane_sum`].
const LANES: usize = 8;

/// How many values of `raw` are valid, and the sum of `f` over them. The sum runs in
/// independent lanes added at the end, so the additions pipeline instead of waiting on
/// each other (its rounding differs from a row-by-row sum only in the last bits); a NULL
/// slot adds zero, chosen without a branch.
fn lane_sum(raw: &[f64], nulls: Option<&NullBuffer>, f: impl Fn(f64) -> f64) -> (f64, f64) {
    let mut sums = [0.0f64; LANES];
    let nulls = nulls.filter(|n| n.null_count() > 0);
    match nulls {
        None => {
            let chunks = raw.chunks_exact(LANES);
            let rest = chunks.remainder();
            for chunk in chunks {
                for (sum, &x) in sums.iter_mut().zip(chunk) {
                    *sum += f(x);
                }
            }
            for (sum, &x) in sums.iter_mut().zip(rest) {
                *sum += f(x);
            }
        }
        Some(nulls) => {
            // 64 rows per validity word, 8 per byte: row `i` still goes to lane
            // `i % LANES` in row order (a byte's rows are one per lane), so the sums are
            // those of a row-by-row loop, without reading one validity bit at a time. A
            // byte of 8 valid rows (most of them) adds its values as they are; another
            // adds zero for each NULL, its value's bits masked off (no branch per row).
            let bits = nulls.inner().bit_chunks();
            let mut chunks = raw.chunks_exact(64);
            for (values, word) in (&mut chunks).zip(bits.iter()) {
                let Ok(values) = <&[f64; 64]>::try_from(values) else {
                    continue;
                };
                for k in 0..64 / LANES {
                    let byte = (word >> (LANES * k)) as u8;
                    if byte == u8::MAX {
                        for lane in 0..LANES {
                            sums[lane] += f(values[LANES * k + lane]);
                        }
                    } else {
                        for lane in 0..LANES {
                            let keep = u64::from(byte >> lane & 1).wrapping_neg();
                            let v = f(values[LANES * k + lane]);
                            sums[lane] += f64::from_bits(v.to_bits() & keep);
                        }
                    }
                }
            }
            let word = bits.remainder_bits();
            for (j, &x) in chunks.remainder().iter().enumerate() {
                let v = f(x);
                sums[j % LANES] += if word >> j & 1 == 1 { v } else { 0.0 };
            }
        }
    }
    let count = raw.len() - nulls.map_or(0, |n| n.null_count());
    (count as f64, sums.iter().sum())
}

impl Accumulator for Moments {
    fn resize(&mut self, n: usize) {
        self.count.resize(n, 0.0);
        self.mean.resize(n, 0.0);
        self.m2.resize(n, 0.0);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        // Two passes over the batch (count and mean, then squared deviations), then one
        // Chan merge per group: no division per row, and as accurate as Welford.
        let values = args[0].as_primitive::<Float64Type>();
        let raw = values.values();
        let n = self.count.len();
        if n == 1 {
            // A global aggregate: the same passes, in lanes.
            let (count, sum) = lane_sum(raw, values.nulls(), |x| x);
            let mean = if count > 0.0 { sum / count } else { 0.0 };
            let (_, m2) = lane_sum(raw, values.nulls(), |x| (x - mean) * (x - mean));
            self.combine(0, count, mean, m2);
            return Ok(());
        }
        let (mut count, mut mean, mut m2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for_each_valid(groups, values.nulls(), |i, g| {
            count[g] += 1.0;
            mean[g] += raw[i];
        });
        for (m, &c) in mean.iter_mut().zip(&count) {
            if c > 0.0 {
                *m /= c;
            }
        }
        for_each_valid(groups, values.nulls(), |i, g| {
            let d = raw[i] - mean[g];
            m2[g] += d * d;
        });
        for g in 0..n {
            self.combine(g, count[g], mean[g], m2[g]);
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        for (g, &m) in mapping.iter().enumerate().take(other.count.len()) {
            self.combine(m as usize, other.count[g], other.mean[g], other.m2[g]);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let kind = self.kind;
        Ok(Arc::new(
            self.count
                .iter()
                .zip(&self.m2)
                .map(|(&n, &m2)| {
                    let sample = matches!(
                        kind,
                        AggregateFunction::StddevSamp | AggregateFunction::VarSamp
                    );
                    let denominator = if sample { n - 1.0 } else { n };
                    if n == 0.0 || denominator <= 0.0 {
                        // Spark: a sample statistic of one value is NULL.
                        return None;
                    }
                    let variance = m2 / denominator;
                    Some(match kind {
                        AggregateFunction::StddevSamp | AggregateFunction::StddevPop => {
                            variance.sqrt()
                        }
                        _ => variance,
                    })
                })
                .collect::<Float64Array>(),
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn can_sink(&self) -> bool {
        true
    }
}

/// Count, mean and the 2nd to 4th central moment sums of one group, for `skewness` and
/// `kurtosis` (Spark's `CentralMomentAgg`).
#[derive(Clone, Copy, Default)]
struct Shape {
    n: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl Shape {
    /// Adds one value (Terriberry's online update).
    fn add(&mut self, x: f64) {
        let n1 = self.n;
        self.n += 1.0;
        let n = self.n;
        let delta = x - self.mean;
        let delta_n = delta / n;
        let delta_n2 = delta_n * delta_n;
        let term = delta * delta_n * n1;
        self.mean += delta_n;
        self.m4 += term * delta_n2 * (n * n - 3.0 * n + 3.0) + 6.0 * delta_n2 * self.m2
            - 4.0 * delta_n * self.m3;
        self.m3 += term * delta_n * (n - 2.0) - 3.0 * delta_n * self.m2;
        self.m2 += term;
    }

    /// Adds another group's moments (Pébay's pairwise formulas).
    fn combine(&mut self, b: &Shape) {
        if b.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *b;
            return;
        }
        let (na, nb) = (self.n, b.n);
        let n = na + nb;
        let delta = b.mean - self.mean;
        let (d2, d3, d4) = (delta * delta, delta.powi(3), delta.powi(4));
        let m4 = self.m4
            + b.m4
            + d4 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
            + 6.0 * d2 * (na * na * b.m2 + nb * nb * self.m2) / (n * n)
            + 4.0 * delta * (na * b.m3 - nb * self.m3) / n;
        let m3 = self.m3
            + b.m3
            + d3 * na * nb * (na - nb) / (n * n)
            + 3.0 * delta * (na * b.m2 - nb * self.m2) / n;
        self.m2 += b.m2 + d2 * na * nb / n;
        self.m3 = m3;
        self.m4 = m4;
        self.mean += delta * nb / n;
        self.n = n;
    }
}

/// `skewness` and `kurtosis` (excess, as Spark): NULL for a group without values or
/// whose values are all equal.
pub(super) struct ShapeMoments {
    kurtosis: bool,
    groups: Vec<Shape>,
}

impl ShapeMoments {
    pub fn new(kurtosis: bool) -> Self {
        ShapeMoments {
            kurtosis,
            groups: vec![],
        }
    }
}

impl Accumulator for ShapeMoments {
    fn resize(&mut self, n: usize) {
        self.groups.resize(n, Shape::default());
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Float64Type>();
        let raw = values.values();
        for_each_valid(groups, values.nulls(), |i, g| self.groups[g].add(raw[i]));
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, shape) in downcast::<Self>(other)?.groups.iter().enumerate() {
            self.groups[mapping[g] as usize].combine(shape);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let kurtosis = self.kurtosis;
        Ok(Arc::new(
            self.groups
                .iter()
                .map(|s| {
                    if s.n == 0.0 || s.m2 == 0.0 {
                        return None;
                    }
                    Some(if kurtosis {
                        s.n * s.m4 / (s.m2 * s.m2) - 3.0
                    } else {
                        s.n.sqrt() * s.m3 / (s.m2 * s.m2 * s.m2).sqrt()
                    })
                })
                .collect::<Float64Array>(),
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Count, means, co-moment and both second moments of the pairs of one group.
#[derive(Clone, Copy, Default)]
struct Pairs {
    n: f64,
    mean_x: f64,
    mean_y: f64,
    c_xy: f64,
    m2_x: f64,
    m2_y: f64,
}

impl Pairs {
    fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        let dx = x - self.mean_x;
        let dy = y - self.mean_y;
        self.mean_x += dx / self.n;
        self.mean_y += dy / self.n;
        self.c_xy += dx * (y - self.mean_y);
        self.m2_x += dx * (x - self.mean_x);
        self.m2_y += dy * (y - self.mean_y);
    }

    fn combine(&mut self, b: &Pairs) {
        if b.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *b;
            return;
        }
        let n = self.n + b.n;
        let weight = self.n * b.n / n;
        let dx = b.mean_x - self.mean_x;
        let dy = b.mean_y - self.mean_y;
        self.c_xy += b.c_xy + dx * dy * weight;
        self.m2_x += b.m2_x + dx * dx * weight;
        self.m2_y += b.m2_y + dy * dy * weight;
        self.mean_x += dx * b.n / n;
        self.mean_y += dy * b.n / n;
        self.n = n;
    }
}

/// `corr`, `covar_pop` and `covar_samp` over the rows where both values are not NULL;
/// NULL where Spark divides by zero (no pair, or one pair for `corr` and `covar_samp`).
pub(super) struct CoMoments {
    kind: AggregateFunction,
    groups: Vec<Pairs>,
}

impl CoMoments {
    pub fn new(kind: AggregateFunction) -> Self {
        CoMoments {
            kind,
            groups: vec![],
        }
    }
}

impl Accumulator for CoMoments {
    fn resize(&mut self, n: usize) {
        self.groups.resize(n, Pairs::default());
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let (x, y) = (
            args[0].as_primitive::<Float64Type>(),
            args[1].as_primitive::<Float64Type>(),
        );
        let both = arrow_buffer::NullBuffer::union(x.nulls(), y.nulls());
        let (xs, ys) = (x.values(), y.values());
        for_each_valid(groups, both.as_ref(), |i, g| {
            self.groups[g].add(xs[i], ys[i])
        });
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, pairs) in downcast::<Self>(other)?.groups.iter().enumerate() {
            self.groups[mapping[g] as usize].combine(pairs);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        use AggregateFunction::*;
        let kind = self.kind;
        Ok(Arc::new(
            self.groups
                .iter()
                .map(|p| match kind {
                    _ if p.n == 0.0 => None,
                    CovarPop => Some(p.c_xy / p.n),
                    _ if p.n == 1.0 => None,
                    CovarSamp => Some(p.c_xy / (p.n - 1.0)),
                    // A constant column: Spark divides by zero, which is NULL.
                    _ if p.m2_x * p.m2_y == 0.0 => None,
                    _ => Some(p.c_xy / (p.m2_x * p.m2_y).sqrt()),
                })
                .collect::<Float64Array>(),
        ))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
