//! The hot loop: the log-loss, its gradient and its Hessian over a block of rows, for one
//! model.
//!
//! Rows are gathered a block at a time into columns (each feature minus a shift, then a
//! column of ones for the intercept), once for all the models a pass evaluates. Each model
//! then reads the block with straight loops over contiguous columns: margins as column
//! sums, the gradient as dot products, the Hessian `Σ w·h·uuᵀ` as one dot product per
//! entry of its upper triangle. Dot products keep four partial sums so that the compiler
//! can use SIMD without reordering a single sum; blocks are padded with rows of weight 0
//! to a multiple of four.
//!
//! Everything here is in "raw" coordinates: a model is `offset + coef · (x - shift)` per
//! coefficient set, and the sums are over `[x - shift, 1]`; [`super::space`] maps them to
//! the solver's standardised coordinates.

use crate::ml::dataset::Prepared;

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
    /// Rows in the block, padded to a multiple of [`LANES`].
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
            len: 0,
            columns,
            labels: vec![0.0; BLOCK],
            weights: vec![0.0; BLOCK],
        }
    }

    /// Gathers the rows at `positions` (at most [`BLOCK`]) of `part`, minus `shift`.
    pub fn gather(&mut self, part: &Prepared, positions: &[u32], shift: &[f64]) {
        let n = positions.len();
        for (r, &i) in positions.iter().enumerate() {
            let row = part.row(i as usize);
            for (j, (&x, &s)) in row.features.iter().zip(shift).enumerate() {
                self.columns[j * BLOCK + r] = x - s;
            }
            self.labels[r] = row.label;
            self.weights[r] = row.weight;
        }
        self.len = n.div_ceil(LANES) * LANES;
        for r in n..self.len {
            for j in 0..self.width - 1 {
                self.columns[j * BLOCK + r] = 0.0;
            }
            self.labels[r] = 0.0;
            self.weights[r] = 0.0;
        }
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
    /// One column times the curvature.
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
/// `σ(m)(1 - σ(m))`, from one `e^{-|m|}` per row (no overflow for any margin).
fn binomial_terms(block: &Block, scratch: &mut Scratch, sums: &mut Sums) {
    let n = block.len;
    let mut loss = 0.0;
    for r in 0..n {
        let (m, y, w) = (scratch.margins[r], block.labels[r], block.weights[r]);
        let z = (-m.abs()).exp();
        let p = if m >= 0.0 {
            1.0 / (1.0 + z)
        } else {
            z / (1.0 + z)
        };
        loss += w * (z.ln_1p() + m.max(0.0) - y * m);
        scratch.residuals[r] = w * (p - y);
        // σ(m)(1 - σ(m)) = z / (1 + z)², accurate when p is close to 1.
        scratch.curvature[r] = w * z / ((1.0 + z) * (1.0 + z));
    }
    sums.loss += loss;
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
fn weighted_gram(block: &Block, curvature: &[f64], scaled: &mut [f64], out: &mut [f64]) {
    let n = block.len;
    let mut entry = 0;
    for j in 0..block.width {
        for ((s, &x), &h) in scaled[..n].iter_mut().zip(block.column(j)).zip(curvature) {
            *s = x * h;
        }
        for k in j..block.width {
            out[entry] += dot(&scaled[..n], block.column(k));
            entry += 1;
        }
    }
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
