//! Sufficient statistics of a linear model: the count, means and co-moment matrix of the
//! vectors `z = [x₁ … x_p, y]`.
//!
//! Every fit and every squared-error metric of a linear model follows from them, so one
//! pass over the data serves a whole parameter grid. Co-moments are kept around the mean
//! (not raw cross products) and merged with Chan's pairwise formula: features with large
//! means (an income in the tens of thousands) lose no precision. A training fold's
//! statistics are the whole data's minus the held-out fold's, with the inverse formula.

use ndarray::{Array1, Array2, ArrayView1, Axis};

/// Count, mean and co-moment `Σ (z - z̄)(z - z̄)ᵀ` of some vectors `z = [x, y]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    pub n: f64,
    pub mean: Array1<f64>,
    pub comoment: Array2<f64>,
}

impl Moments {
    /// The statistics of no rows, for vectors of `width` values (features + label).
    pub fn empty(width: usize) -> Self {
        Moments {
            n: 0.0,
            mean: Array1::zeros(width),
            comoment: Array2::zeros((width, width)),
        }
    }

    /// The statistics of `rows` (one row per observation, features then label), in two
    /// passes over them (mean, then co-moments).
    pub fn of_rows(rows: &Array2<f64>) -> Self {
        let width = rows.ncols();
        let n = rows.nrows();
        if n == 0 {
            return Moments::empty(width);
        }
        let mean = rows.mean_axis(Axis(0)).expect("rows is not empty");
        let centered = rows - &mean;
        let comoment = centered.t().dot(&centered);
        Moments {
            n: n as f64,
            mean,
            comoment,
        }
    }

    /// The number of features (the width minus the label).
    pub fn features(&self) -> usize {
        self.mean.len() - 1
    }

    /// Adds another set of rows' statistics (Chan et al.).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = other.clone();
            return;
        }
        let n = self.n + other.n;
        let delta = &other.mean - &self.mean;
        let weight = self.n * other.n / n;
        self.comoment += &other.comoment;
        add_outer(&mut self.comoment, delta.view(), weight);
        self.mean.scaled_add(other.n / n, &delta);
        self.n = n;
    }

    /// The statistics of the rows of `self` that are not in `part` (a subset of them).
    pub fn without(&self, part: &Moments) -> Moments {
        let rest = self.n - part.n;
        if rest <= 0.0 {
            return Moments::empty(self.mean.len());
        }
        let mean = (&self.mean * self.n - &part.mean * part.n) / rest;
        let delta = &part.mean - &mean;
        let mut comoment = &self.comoment - &part.comoment;
        add_outer(&mut comoment, delta.view(), -rest * part.n / self.n);
        Moments {
            n: rest,
            mean,
            comoment,
        }
    }

    /// Population standard deviation (÷ n) of each column, as Spark's normal solver uses.
    pub fn std_population(&self) -> Array1<f64> {
        self.comoment.diag().mapv(|c| {
            if self.n > 0.0 {
                (c / self.n).max(0.0).sqrt()
            } else {
                0.0
            }
        })
    }

    /// Sample standard deviation (÷ n-1) of each column, as StandardScaler uses.
    pub fn std_sample(&self) -> Array1<f64> {
        self.comoment.diag().mapv(|c| {
            if self.n > 1.0 {
                (c / (self.n - 1.0)).max(0.0).sqrt()
            } else {
                0.0
            }
        })
    }
}

/// Accumulates [`Moments`] one row at a time, around a shift (the first row added): one
/// pass, no copy of the rows, and no precision lost to large means.
pub struct MomentsBuilder {
    width: usize,
    n: f64,
    shift: Vec<f64>,
    sum: Vec<f64>,
    /// `Σ d dᵀ` of the shifted rows `d`, upper triangle, row-major.
    cross: Vec<f64>,
    /// The current row minus the shift.
    scratch: Vec<f64>,
}

impl MomentsBuilder {
    pub fn new(width: usize) -> Self {
        MomentsBuilder {
            width,
            n: 0.0,
            shift: vec![0.0; width],
            sum: vec![0.0; width],
            cross: vec![0.0; width * width],
            scratch: vec![0.0; width],
        }
    }

    /// Adds one row (`width` values). This is the inner loop of LinearRegression's pass:
    /// for the common widths the row is added by a copy of the loop unrolled for that
    /// width (the same operations in the same order, without a loop per triangle row).
    #[inline]
    pub fn add(&mut self, row: &[f64]) {
        match self.width {
            2 => self.add_fixed::<2>(row),
            3 => self.add_fixed::<3>(row),
            4 => self.add_fixed::<4>(row),
            5 => self.add_fixed::<5>(row),
            6 => self.add_fixed::<6>(row),
            7 => self.add_fixed::<7>(row),
            8 => self.add_fixed::<8>(row),
            _ => self.add_any(row),
        }
    }

    #[inline(always)]
    fn add_fixed<const W: usize>(&mut self, row: &[f64]) {
        if self.n == 0.0 {
            self.shift.copy_from_slice(row);
        }
        self.n += 1.0;
        let (row, shift) = (&row[..W], &self.shift[..W]);
        let d: [f64; W] = std::array::from_fn(|i| row[i] - shift[i]);
        let (sum, cross) = (&mut self.sum[..W], &mut self.cross[..W * W]);
        for i in 0..W {
            sum[i] += d[i];
            for j in i..W {
                cross[i * W + j] += d[i] * d[j];
            }
        }
    }

    fn add_any(&mut self, row: &[f64]) {
        if self.n == 0.0 {
            self.shift.copy_from_slice(row);
        }
        self.n += 1.0;
        let w = self.width;
        for ((d, &z), &s) in self.scratch.iter_mut().zip(row).zip(&self.shift) {
            *d = z - s;
        }
        for i in 0..w {
            let di = self.scratch[i];
            self.sum[i] += di;
            for (c, &dj) in self.cross[i * w + i..(i + 1) * w]
                .iter_mut()
                .zip(&self.scratch[i..])
            {
                *c += di * dj;
            }
        }
    }

    pub fn finish(self) -> Moments {
        let w = self.width;
        if self.n == 0.0 {
            return Moments::empty(w);
        }
        let mean_shift: Vec<f64> = self.sum.iter().map(|s| s / self.n).collect();
        let mean = Array1::from_iter(self.shift.iter().zip(&mean_shift).map(|(s, m)| s + m));
        let comoment = Array2::from_shape_fn((w, w), |(i, j)| {
            let (i, j) = (i.min(j), i.max(j));
            self.cross[i * w + j] - self.n * mean_shift[i] * mean_shift[j]
        });
        Moments {
            n: self.n,
            mean,
            comoment,
        }
    }
}

/// `matrix += weight · v vᵀ`.
fn add_outer(matrix: &mut Array2<f64>, v: ArrayView1<f64>, weight: f64) {
    for (i, &vi) in v.iter().enumerate() {
        for (j, &vj) in v.iter().enumerate() {
            matrix[[i, j]] += weight * vi * vj;
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{array, s};

    use super::*;

    fn close(a: &Moments, b: &Moments) {
        assert!((a.n - b.n).abs() < 1e-12);
        for (x, y) in a.mean.iter().zip(&b.mean) {
            assert!((x - y).abs() < 1e-9, "{a:?} vs {b:?}");
        }
        for (x, y) in a.comoment.iter().zip(&b.comoment) {
            assert!((x - y).abs() < 1e-7, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn merging_and_removing_parts_agrees_with_computing_directly() {
        let rows = array![
            [1.0, 50_000.0, 3.0],
            [2.0, 51_000.0, 5.0],
            [4.0, 49_500.0, 4.5],
            [3.5, 52_250.0, 9.0],
            [0.5, 50_100.0, 1.0]
        ];
        let all = Moments::of_rows(&rows);
        let mut merged = Moments::of_rows(&rows.slice(s![..2, ..]).to_owned());
        merged.merge(&Moments::of_rows(&rows.slice(s![2.., ..]).to_owned()));
        close(&merged, &all);
        let tail = Moments::of_rows(&rows.slice(s![3.., ..]).to_owned());
        close(
            &all.without(&tail),
            &Moments::of_rows(&rows.slice(s![..3, ..]).to_owned()),
        );
        // Population variance of the first column: mean 2.2, Σ(x-x̄)² = 9.3.
        assert!((all.comoment[[0, 0]] - 9.3).abs() < 1e-12);
        let mut builder = MomentsBuilder::new(3);
        for row in rows.outer_iter() {
            builder.add(row.as_slice().unwrap());
        }
        close(&builder.finish(), &all);
    }

    /// The unrolled widths add exactly what the general loop adds.
    #[test]
    fn every_width_adds_the_same_sums() {
        for width in 1..=9 {
            let (mut fixed, mut general) = (MomentsBuilder::new(width), MomentsBuilder::new(width));
            for r in 0..50 {
                let row: Vec<f64> = (0..width)
                    .map(|j| ((r * 7 + j * 13) % 17) as f64 * 1.37 + 1e4 * j as f64)
                    .collect();
                fixed.add(&row);
                general.add_any(&row);
            }
            assert_eq!(fixed.finish(), general.finish(), "width {width}");
        }
    }
}
