//! Summaries of a numeric (or temporal) column: mean and standard deviation merged
//! across partitions with Chan's formula, and quantiles and a histogram from the kept
//! values (all of them up to [`super::SAMPLE_LIMIT`], a fixed-seed uniform sample above).

use serde::Serialize;

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
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantile {
    pub p: f64,
    pub value: f64,
}

pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Quantiles of `values` (reordered in place): successive selections on the shrinking
/// range above the last one, about two passes in all instead of a sort.
pub fn quantiles(values: &mut [f64]) -> Vec<Quantile> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let mut from = 0;
    QUANTILES
        .iter()
        .map(|&p| {
            let rank = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            let rank = rank.max(from);
            let (_, v, _) = values[from..].select_nth_unstable_by(rank - from, f64::total_cmp);
            let value = *v;
            from = rank;
            Quantile { p, value }
        })
        .collect()
}

/// Equal-width bins from `start`; `counts[i]` is the number of values in
/// `[start + i·width, start + (i+1)·width)` (the last bin includes its end).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub start: f64,
    pub width: f64,
    pub counts: Vec<f64>,
}

/// Bins for values in `[min, max]`: one per integer when the column holds integers with a
/// small range, else `bins` equal bins. `scale` turns sample counts into estimates for
/// the whole column.
pub fn histogram(values: &[f64], min: f64, max: f64, integers: bool, scale: f64) -> Histogram {
    const BINS: usize = 20;
    let span = max - min;
    let (start, width, bins) = if !(span.is_finite()) || values.is_empty() {
        (min, 1.0, 0)
    } else if integers && span < BINS as f64 {
        (min - 0.5, 1.0, span as usize + 1)
    } else if span == 0.0 {
        (min - 0.5, 1.0, 1)
    } else {
        (min, span / BINS as f64, BINS)
    };
    let mut counts = vec![0.0; bins];
    if bins > 0 {
        for &v in values {
            let bin = (((v - start) / width) as usize).min(bins - 1);
            counts[bin] += 1.0;
        }
    }
    for c in &mut counts {
        *c *= scale;
    }
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
        let mut v: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let q: Vec<f64> = quantiles(&mut v).iter().map(|q| q.value).collect();
        assert_eq!(q, [1.0, 5.0, 10.0, 15.0, 19.0]);
        let mut one = vec![3.0];
        assert!(quantiles(&mut one).iter().all(|q| q.value == 3.0));
    }

    #[test]
    fn histograms_bin_integers_one_by_one() {
        let h = histogram(&[1.0, 2.0, 2.0, 4.0], 1.0, 4.0, true, 1.0);
        assert_eq!(h.counts, [1.0, 2.0, 0.0, 1.0]);
        assert_eq!(h.start, 0.5);
        let h = histogram(&[0.0, 10.0, 5.0], 0.0, 10.0, false, 2.0);
        assert_eq!(h.counts.len(), 20);
        assert_eq!(h.counts.iter().sum::<f64>(), 6.0);
        assert_eq!(h.counts[19], 2.0);
    }
}
