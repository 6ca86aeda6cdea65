//! The hot loop: the log-loss, its gradient and its Hessian over a block of rows, for one
//! model.
//!
//! Rows are gathered a block at a time into columns (each feature minus a shift, then a
//! column of ones for the intercept), once for all the models a pass evaluates. Each model
//! then reads the block with straight loops over contiguous columns: margins as column
//! sums, the per-row loss terms branch-free (with [`super::fastmath`]), the gradient as
//! dot products, the Hessian `Σ w·h·uuᵀ` as one dot product per entry of its upper
//! triangle. Dot products keep four partial sums so that the compiler can use SIMD
//! without reordering a single sum; blocks are padded with rows of weight 0 to a
//! multiple of four.
//!
//! Everything here is in "raw" coordinates: a model is `offset + coef · (x - shift)` per
//! coefficient set, and the sums are over `[x - shift, 1]`; [`super::space`] maps them to
//! the solver's standardised coordinates.

use crate::ml::dataset::Row;
use crate::ml::logistic::fastmath::{exp_nonpositive, ln_1p_unit};

/// Rows per block: the block's columns stay in the first-level cache.
pub(crate) const BLOCK: usize = 256;
const LANES: usize = 4;

/// A model in raw coordinates: `margin[c] = offset[c] + Σⱼ coef[c·p + j]·(xⱼ - shiftⱼ)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawModel {
    pub coef: Vec<f64>,
    pub offset: Vec<f64>,
}

/// What one model accumulates over rows: the weighted loss `Σ w·ℓ`, the gradient
/// `Σ w·∂ℓ/∂m_c·[x - shift, 1]` per coefficient set, and, when asked, the Hessian's
/// blocks `Σ w·∂²ℓ/∂m_c∂m_d·uuᵀ` for each pair `c ≤ d`, each a packed upper triangle.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sums {
    pub loss: f64,
    pub gradient: Vec<f64>,
    pub hessian: Vec<f64>,
}

/// Entries of a packed upper triangle of side `n`.
pub(crate) fn triangle(n: usize) -> usize {
    n * (n + 1) / 2
}

/// Pairs `c ≤ d` of `sets` coefficient sets.
pub(crate) fn pairs(sets: usize) -> usize {
    triangle(sets)
}

impl Sums {
    pub fn zero(sets: usize, width: usize, hessian: bool) -> Self {
        Sums {
            loss: 0.0,
            gradient: vec![0.0; sets * width],
            hessian: if hessian {
                vec![0.0; pairs(sets) * triangle(width)]
            } else {
                Vec::new()
            },
        }
    }

    pub fn add(&mut self, other: &Sums) {
        self.loss += other.loss;
        for (a, b) in self.gradient.iter_mut().zip(&other.gradient) {
            *a += b;
        }
        for (a, b) in self.hessian.iter_mut().zip(&other.hessian) {
            *a += b;
        }
    }
}

/// Some rows gathered column by column: `width - 1` shifted features, then ones.
pub(crate) struct Block {
    width: usize,
    /// Rows gathered.
    rows: usize,
    /// Rows the kernels read: `rows` padded to a multiple of [`LANES`] once sealed.
    len: usize,
    columns: Vec<f64>,
    labels: Vec<f64>,
    weights: Vec<f64>,
}

impl Block {
    pub fn new(features: usize) -> Self {
        let width = features + 1;
        let mut columns = vec![0.0; width * BLOCK];
        columns[features * BLOCK..].fill(1.0);
        Block {
            width,
            rows: 0,
            len: 0,
            columns,
            labels: vec![0.0; BLOCK],
            weights: vec![0.0; BLOCK],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn is_full(&self) -> bool {
        self.rows == BLOCK
    }

    /// Appends one row (features minus `shift`); the block must not be full.
    pub fn push(&mut self, row: &Row, shift: &[f64]) {
        let r = self.rows;
        for (column, (&x, &s)) in self
            .columns
            .chunks_exact_mut(BLOCK)
            .zip(row.features.iter().zip(shift))
        {
            column[r] = x - s;
        }
        self.labels[r] = row.label;
        self.weights[r] = row.weight;
        self.rows += 1;
    }

    /// Pads the rows with rows of weight 0 to a multiple of [`LANES`], for the kernels.
    pub fn seal(&mut self) {
        self.len = self.rows.div_ceil(LANES) * LANES;
        for r in self.rows..self.len {
            for column in self.columns.chunks_exact_mut(BLOCK).take(self.width - 1) {
                column[r] = 0.0;
            }
            self.labels[r] = 0.0;
            self.weights[r] = 0.0;
        }
    }

    pub fn clear(&mut self) {
        self.rows = 0;
        self.len = 0;
    }

    fn column(&self, j: usize) -> &[f64] {
        &self.columns[j * BLOCK..j * BLOCK + self.len]
    }
}

/// Per-thread working memory of the kernels.
pub(crate) struct Scratch {
    /// Margins, then probabilities, per coefficient set.
    margins: Vec<f64>,
    /// `w·∂ℓ/∂m` per coefficient set.
    residuals: Vec<f64>,
    /// `w·∂²ℓ/∂m_c∂m_d` for the pair being accumulated.
    curvature: Vec<f64>,
    /// One column times the curvature (first each row's binomial loss).
    scaled: Vec<f64>,
}

impl Scratch {
    pub fn new(sets: usize) -> Self {
        Scratch {
            margins: vec![0.0; sets * BLOCK],
            residuals: vec![0.0; sets * BLOCK],
            curvature: vec![0.0; BLOCK],
            scaled: vec![0.0; BLOCK],
        }
    }
}

/// Adds the block's rows to `sums` for `model` (binomial when it has one coefficient
/// set, multinomial otherwise). The Hessian is accumulated when `sums` has room for it.
pub(crate) fn accumulate(block: &Block, model: &RawModel, scratch: &mut Scratch, sums: &mut Sums) {
    let sets = model.offset.len();
    margins(block, model, &mut scratch.margins);
    if sets == 1 {
        binomial_terms(block, scratch, sums);
    } else {
        multinomial_terms(block, sets, scratch, sums);
    }
    let width = block.width;
    for c in 0..sets {
        let residual = &scratch.residuals[c * BLOCK..c * BLOCK + block.len];
        for (j, g) in sums.gradient[c * width..(c + 1) * width]
            .iter_mut()
            .enumerate()
        {
            *g += dot(residual, block.column(j));
        }
    }
    if sums.hessian.is_empty() {
        return;
    }
    let side = triangle(width);
    let mut pair = 0;
    for c in 0..sets {
        for d in c..sets {
            pair_curvature(block.len, sets, c, d, &block.weights, scratch);
            weighted_gram(
                block,
                &scratch.curvature,
                &mut scratch.scaled,
                &mut sums.hessian[pair * side..(pair + 1) * side],
            );
            pair += 1;
        }
    }
}

/// `margins[c·BLOCK + r] = offset[c] + Σⱼ coef[c·p + j]·column[j][r]`.
fn margins(block: &Block, model: &RawModel, margins: &mut [f64]) {
    let features = block.width - 1;
    for (c, &offset) in model.offset.iter().enumerate() {
        let out = &mut margins[c * BLOCK..c * BLOCK + block.len];
        out.fill(offset);
        for j in 0..features {
            let w = model.coef[c * features + j];
            if w != 0.0 {
                for (m, &x) in out.iter_mut().zip(block.column(j)) {
                    *m += w * x;
                }
            }
        }
    }
}

/// Binomial log-loss `log(1 + e^m) - y·m`, its derivative `σ(m) - y` and its curvature
/// `σ(m)(1 - σ(m))`, from one `e^{-|m|}` per row (no overflow for any margin). Branch-free
/// with [`exp_nonpositive`] and [`ln_1p_unit`], so the loop is vectorised.
fn binomial_terms(block: &Block, scratch: &mut Scratch, sums: &mut Sums) {
    let n = block.len;
    // Each row's loss goes to a buffer, summed after: a running sum would tie the loop
    // to one row at a time.
    let loss = &mut scratch.scaled[..n];
    let rows = scratch.margins[..n]
        .iter()
        .zip(&block.labels[..n])
        .zip(&block.weights[..n])
        .zip(scratch.residuals[..n].iter_mut())
        .zip(scratch.curvature[..n].iter_mut())
        .zip(loss.iter_mut());
    for (((((&m, &y), &w), residual), curvature), loss) in rows {
        let z = exp_nonpositive(-m.abs());
        let positive = if m > 0.0 { m } else { 0.0 };
        let p = if m >= 0.0 { 1.0 } else { z } / (1.0 + z);
        *loss = w * (ln_1p_unit(z) + positive - y * m);
        *residual = w * (p - y);
        // σ(m)(1 - σ(m)) = z / (1 + z)², accurate when p is close to 1.
        *curvature = w * z / ((1.0 + z) * (1.0 + z));
    }
    sums.loss += sum(&scratch.scaled[..n]);
}

/// Multinomial log-loss `log Σ e^{m_c} - m_y` and its derivatives `p_c - [y = c]`;
/// leaves the probabilities in `margins`.
fn multinomial_terms(block: &Block, sets: usize, scratch: &mut Scratch, sums: &mut Sums) {
    let mut loss = 0.0;
    for r in 0..block.len {
        let (y, w) = (block.labels[r] as usize, block.weights[r]);
        let mut largest = f64::NEG_INFINITY;
        for c in 0..sets {
            largest = largest.max(scratch.margins[c * BLOCK + r]);
        }
        let mut total = 0.0;
        for c in 0..sets {
            let e = (scratch.margins[c * BLOCK + r] - largest).exp();
            scratch.residuals[c * BLOCK + r] = e;
            total += e;
        }
        let labelled = scratch.margins[y.min(sets - 1) * BLOCK + r];
        loss += w * (total.ln() + largest - labelled);
        for c in 0..sets {
            let p = scratch.residuals[c * BLOCK + r] / total;
            scratch.margins[c * BLOCK + r] = p;
            scratch.residuals[c * BLOCK + r] = w * (p - (c == y) as u8 as f64);
        }
    }
    sums.loss += loss;
}

/// The curvature of pair `(c, d)` for each row: `w·p_c·([c = d] - p_d)` (multinomial;
/// the binomial one is already in place).
fn pair_curvature(len: usize, sets: usize, c: usize, d: usize, weights: &[f64], s: &mut Scratch) {
    if sets == 1 {
        return;
    }
    let (pc, pd) = (&s.margins[c * BLOCK..], &s.margins[d * BLOCK..]);
    let same = (c == d) as u8 as f64;
    for r in 0..len {
        s.curvature[r] = weights[r] * pc[r] * (same - pd[r]);
    }
}

/// `out += Σ_r curvature[r]·u_r u_rᵀ` (packed upper triangle), `u_r` the block's row.
/// Four entries of a row of the triangle at a time share the load of the scaled column.
fn weighted_gram(block: &Block, curvature: &[f64], scaled: &mut [f64], out: &mut [f64]) {
    let n = block.len;
    let width = block.width;
    let mut entry = 0;
    for j in 0..width {
        for ((s, &x), &h) in scaled[..n].iter_mut().zip(block.column(j)).zip(curvature) {
            *s = x * h;
        }
        let mut k = j;
        while k + 4 <= width {
            let sums = dot4(
                &scaled[..n],
                [
                    block.column(k),
                    block.column(k + 1),
                    block.column(k + 2),
                    block.column(k + 3),
                ],
            );
            for (o, s) in out[entry..entry + 4].iter_mut().zip(sums) {
                *o += s;
            }
            entry += 4;
            k += 4;
        }
        for k in k..width {
            out[entry] += dot(&scaled[..n], block.column(k));
            entry += 1;
        }
    }
}

/// `[Σ a·b₀, Σ a·b₁, Σ a·b₂, Σ a·b₃]`, each summed as [`dot`] sums.
fn dot4(a: &[f64], b: [&[f64]; 4]) -> [f64; 4] {
    let mut acc = [[0.0; LANES]; 4];
    let rows = a
        .chunks_exact(LANES)
        .zip(b[0].chunks_exact(LANES))
        .zip(b[1].chunks_exact(LANES))
        .zip(b[2].chunks_exact(LANES))
        .zip(b[3].chunks_exact(LANES));
    for ((((x, b0), b1), b2), b3) in rows {
        for l in 0..LANES {
            acc[0][l] += x[l] * b0[l];
            acc[1][l] += x[l] * b1[l];
            acc[2][l] += x[l] * b2[l];
            acc[3][l] += x[l] * b3[l];
        }
    }
    acc.map(|a| (a[0] + a[1]) + (a[2] + a[3]))
}

/// `Σ a` over a slice whose length is a multiple of [`LANES`], as [`dot`] sums.
fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0; LANES];
    for x in a.chunks_exact(LANES) {
        for i in 0..LANES {
            acc[i] += x[i];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// `Σ a·b` over slices whose length is a multiple of [`LANES`], with one partial sum per
/// lane (a fixed order, whatever the hardware).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; LANES];
    for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}
