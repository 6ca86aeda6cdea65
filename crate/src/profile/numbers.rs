//! Summaries of a numeric (or temporal) column: mean and standard deviation merged
//! across partitions with Chan's formula, and quantiles and a histogram from the kept
//! values (all of them up to [`super::SAMPLE_LIMIT`], a fixed-seed uniform sample above).

use serde::Serialize;
use ts_rs::TS;

/// Count, mean and sum of squared deviations of one partition's values.
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    pub n: f64,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    /// Two passes over a slice (exact and vectorisable), no division per value.
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Moments::default();
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let m2 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        Moments { n, mean, m2 }
    }

    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        self.mean += delta * other.n / n;
        self.m2 += other.m2 + delta * delta * self.n * other.n / n;
        self.n = n;
    }

    /// The sample standard deviation (n − 1), as Spark's `stddev`.
    pub fn sample_std(&self) -> f64 {
        if self.n < 2.0 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1.0)).sqrt()
        }
    }
}

/// A quantile: the probability and the value of rank ⌈p·n⌉ (Spark's `percentile_approx`
/// on exact data).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
pub struct Quantile {
    pub p: f64,
    pub value: f64,
}

pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The rank (0-based) of quantile `p` among `n` values: the element of rank ⌈p·n⌉.
fn rank(p: f64, n: usize) -> usize {
    ((p * n as f64).ceil() as usize).clamp(1, n) - 1
}

/// `f64` as an `i64` with the same order as `f64::total_cmp` (the map is its own inverse).
fn ordered(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

fn unordered(key: i64) -> f64 {
    f64::from_bits((key ^ (((key >> 63) as u64) >> 1) as i64) as u64)
}

/// Quantiles of `values`: the middle one is selected first, then the lower ones in the
/// part below it and the upper ones in the part above, so each selection works on a
/// shrinking slice (about 2.3 passes for five quantiles, not five). Selection compares
/// integers with the order of `f64::total_cmp`.
pub fn quantiles(values: &[f64]) -> Vec<Quantile> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let mut keys: Vec<i64> = values.iter().map(|&v| ordered(v)).collect();
    let ranks: Vec<usize> = QUANTILES.iter().map(|&p| rank(p, n)).collect();
    let mut unique = ranks.clone();
    unique.dedup();
    let mut found = vec![0; unique.len()];
    select_ranks(&mut keys, 0, &unique, &mut found);
    QUANTILES
        .iter()
        .zip(&ranks)
        .map(|(&p, r)| Quantile {
            p,
            value: unique
                .binary_search(r)
                .map_or(f64::NAN, |i| unordered(found[i])),
        })
        .collect()
}

/// Quantiles of values given as `(value, count)` pairs sorted by value: what a column with
/// few distinct values (all counted exactly) needs, without going through every row.
pub fn quantiles_of_counts(sorted: &[(f64, u64)]) -> Vec<Quantile> {
    let n: u64 = sorted.iter().map(|&(_, c)| c).sum();
    if n == 0 {
        return Vec::new();
    }
    QUANTILES
        .iter()
        .map(|&p| {
            let wanted = rank(p, n as usize) as u64 + 1;
            let mut seen = 0;
            let value = sorted
                .iter()
                .find(|&&(_, c)| {
                    seen += c;
                    seen >= wanted
                })
                .map_or(f64::NAN, |&(v, _)| v);
            Quantile { p, value }
        })
        .collect()
}

/// Puts into `found[i]` the element of rank `ranks[i]` (strictly increasing ranks in the
/// whole array, of which `keys` starts at rank `offset`).
fn select_ranks(keys: &mut [i64], offset: usize, ranks: &[usize], found: &mut [i64]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let (below, key, above) = keys.select_nth_unstable(ranks[mid] - offset);
    let (lower, rest) = found.split_at_mut(mid);
    rest[0] = *key;
    select_ranks(below, offset, &ranks[..mid], lower);
    select_ranks(above, ranks[mid] + 1, &ranks[mid + 1..], &mut rest[1..]);
}

/// Equal-width bins from `start`; `counts[i]` is the number of values in
/// `[start + i·width, start + (i+1)·width)` (the last bin includes its end).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Histogram {
    pub start: f64,
    pub width: f64,
    pub counts: Vec<f64>,
}

/// Bins for values in `[min, max]`: one per integer when the column holds integers with a
/// small range, else `bins` equal bins. `values` are `(value, count)` pairs; `scale`
/// turns sample counts into estimates for the whole column.
pub fn histogram(
    values: impl Iterator<Item = (f64, u64)>,
    min: f64,
    max: f64,
    integers: bool,
    scale: f64,
) -> Histogram {
    const BINS: usize = 20;
    let span = max - min;
    let (start, width, bins) = if !span.is_finite() || span < 0.0 {
        (min, 1.0, 0)
    } else if integers && span < BINS as f64 {
        (min - 0.5, 1.0, span as usize + 1)
    } else if span == 0.0 {
        (min - 0.5, 1.0, 1)
    } else {
        (min, span / BINS as f64, BINS)
    };
    let mut tally = vec![0u64; bins];
    if bins > 0 {
        let per_width = 1.0 / width;
        for (v, count) in values {
            let bin = (((v - start) * per_width) as usize).min(bins - 1);
            tally[bin] += count;
        }
    }
    let counts = tally.into_iter().map(|c| c as f64 * scale).collect();
    Histogram {
        start,
        width,
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_merge_like_one_pass() {
        let all: Vec<f64> = (0..100).map(|i| (i * i % 17) as f64 * 0.5).collect();
        let mut merged = Moments::of(&all[..30]);
        merged.merge(&Moments::of(&all[30..31]));
        merged.merge(&Moments::of(&all[31..]));
        let whole = Moments::of(&all);
        assert!((merged.mean - whole.mean).abs() < 1e-12);
        assert!((merged.sample_std() - whole.sample_std()).abs() < 1e-12);
    }

    #[test]
    fn quantiles_have_spark_ranks() {
        let v: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let q: Vec<f64> = quantiles(&v).iter().map(|q| q.value).collect();
        assert_eq!(q, [1.0, 5.0, 10.0, 15.0, 19.0]);
        assert!(quantiles(&[3.0]).iter().all(|q| q.value == 3.0));
        assert!(quantiles(&[-0.5, -2.0, 1e300, -1e300])
            .iter()
            .all(|q| q.value.is_finite()));
    }

    #[test]
    fn quantiles_equal_sorting_at_every_size() {
        for n in 1..60usize {
            let values: Vec<f64> = (0..n).map(|i| ((i * 7919) % 31) as f64 - 3.5).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let expected: Vec<f64> = QUANTILES
                .iter()
                .map(|&p| sorted[((p * n as f64).ceil() as usize).clamp(1, n) - 1])
                .collect();
            let got: Vec<f64> = quantiles(&values).iter().map(|q| q.value).collect();
            assert_eq!(got, expected, "n = {n}");
            let mut pairs: Vec<(f64, u64)> = Vec::new();
            for &v in &sorted {
                match pairs.last_mut() {
                    Some((last, c)) if *last == v => *c += 1,
                    _ => pairs.push((v, 1)),
                }
            }
            let from_counts: Vec<f64> = quantiles_of_counts(&pairs)
                .iter()
                .map(|q| q.value)
                .collect();
            assert_eq!(from_counts, expected, "counted, n = {n}");
        }
    }

    #[test]
    fn histograms_bin_integers_one_by_one() {
        let ones = |v: &'static [f64]| v.iter().map(|&x| (x, 1));
        let h = histogram(ones(&[1.0, 2.0, 2.0, 4.0]), 1.0, 4.0, true, 1.0);
        assert_eq!(h.counts, [1.0, 2.0, 0.0, 1.0]);
        assert_eq!(h.start, 0.5);
        let h = histogram(ones(&[0.0, 10.0, 5.0]), 0.0, 10.0, false, 2.0);
        assert_eq!(h.counts.len(), 20);
        assert_eq!(h.counts.iter().sum::<f64>(), 6.0);
        assert_eq!(h.counts[19], 2.0);
    }
}
