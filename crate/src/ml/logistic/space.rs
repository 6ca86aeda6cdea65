//! One fit's optimisation problem in the coordinates its solver works in.
//!
//! Spark trains on standardised features `xⱼ/σⱼ` (σ the training rows' weighted sample
//! std; a constant feature becomes 0 and keeps coefficient 0) and, with an intercept,
//! centres them as well (`fitWithMean`), which only moves the intercept. The solver here
//! does the same: coordinate `(c, j)` is class `c`'s coefficient `β_cj` on
//! `zⱼ = (xⱼ - μⱼ)/σⱼ` (μ = 0 without an intercept), and `(c, p)` its intercept `a_c`, so
//! the Hessian is well conditioned whatever the features' units.
//!
//! Spark's objective there is the weighted mean log-loss plus
//! `λ(1-α)/2·Σ κ₂ⱼ β² + λα·Σ κ₁ⱼ |β|`, with `κ = 1` when `standardization` is on and
//! `κ₂ = 1/σ², κ₁ = 1/σ` when it is off (the penalty is then on the original-scale
//! coefficients `β/σ`): Spark's `L2Regularization` with `applyFeaturesStd` and the
//! OWL-QN `regParamL1Fun` in `LogisticRegression.scala`.
//!
//! The data passes work in raw coordinates ([`RawModel`], [`Sums`] over `[x - shift, 1]`);
//! this module maps points, gradients and Hessians between the two.

use ndarray::Array2;

use crate::ml::logistic::kernel::{triangle, RawModel, Sums};
use crate::ml::logistic::params::LogisticRegressionParams;
use crate::ml::logistic::summary::WeightedSummary;

/// A fit's coordinates, penalty and the rows' weight sum.
#[derive(Debug, Clone)]
pub(crate) struct Space {
    pub sets: usize,
    pub features: usize,
    /// `1/σⱼ`, 0 for a constant feature.
    inverse_std: Vec<f64>,
    /// μⱼ with an intercept, else 0: the point each standardised feature is centred on.
    origin: Vec<f64>,
    /// `origin - shift`: where `zⱼ` is 0 in the passes' raw coordinates.
    center: Vec<f64>,
    /// Which coordinates the solver moves; the others stay 0.
    pub free: Vec<bool>,
    /// Per coordinate: `λα·κ₁` and `λ(1-α)·κ₂` (0 for intercepts).
    pub l1: Vec<f64>,
    pub l2: Vec<f64>,
    /// The training rows' weight sum: the loss is a weighted mean.
    pub weight_sum: f64,
    fit_intercept: bool,
    /// The L2 penalty applies to the coefficients centred over the classes (see
    /// [`Space::new`]); the fitted coefficients are then centred.
    pub centered_l2: bool,
}

impl Space {
    /// The problem of `params` on rows summarised by `summary`, the passes shifting
    /// features by `shift`.
    pub fn new(
        params: &LogisticRegressionParams,
        sets: usize,
        summary: &WeightedSummary,
        shift: &[f64],
    ) -> Self {
        let features = shift.len();
        let std = summary.std();
        let inverse_std: Vec<f64> = std
            .iter()
            .map(|&s| if s > 0.0 { 1.0 / s } else { 0.0 })
            .collect();
        let origin: Vec<f64> = if params.fit_intercept {
            summary.mean.clone()
        } else {
            vec![0.0; features]
        };
        let center = origin.iter().zip(shift).map(|(o, s)| o - s).collect();
        let width = features + 1;
        let (lambda, alpha) = (params.reg_param, params.elastic_net_param);
        let mut free = vec![false; sets * width];
        let mut l1 = vec![0.0; sets * width];
        let mut l2 = vec![0.0; sets * width];
        for c in 0..sets {
            for j in 0..features {
                let i = c * width + j;
                free[i] = std[j] > 0.0;
                let (k1, k2) = if params.standardization {
                    (1.0, 1.0)
                } else {
                    (inverse_std[j], inverse_std[j] * inverse_std[j])
                };
                l1[i] = lambda * alpha * k1;
                l2[i] = lambda * (1.0 - alpha) * k2;
            }
            free[c * width + features] = params.fit_intercept;
        }
        // Softmax margins are only defined up to a common shift: unpenalised intercepts
        // (and, without any penalty, whole coefficient sets) have one degree of freedom
        // too many. The last class's are pinned at 0; the model is centred at the end, as
        // Spark centres it. A pure L2 penalty is smallest, for given margins, when each
        // feature's coefficients sum to 0 over the classes; its optimum is the centred
        // optimum of the pinned problem with the penalty on the centred coefficients,
        // which stays well conditioned when a penalty weight is tiny (standardization off
        // and a feature in the thousands), where the shift would be nearly free.
        let centered_l2 = sets > 1 && lambda > 0.0 && alpha == 0.0;
        if sets > 1 {
            let last = (sets - 1) * width;
            if lambda == 0.0 || centered_l2 {
                free[last..].fill(false);
            } else {
                free[last + features] = false;
            }
        }
        Space {
            sets,
            features,
            inverse_std,
            origin,
            center,
            free,
            l1,
            l2,
            weight_sum: summary.weight_sum,
            fit_intercept: params.fit_intercept,
            centered_l2,
        }
    }

    pub fn width(&self) -> usize {
        self.features + 1
    }

    pub fn len(&self) -> usize {
        self.sets * self.width()
    }

    pub fn has_l1(&self) -> bool {
        self.l1.iter().any(|&l| l > 0.0)
    }

    /// The penalty at `theta`.
    pub fn penalty(&self, theta: &[f64]) -> f64 {
        let l1: f64 = theta.iter().zip(&self.l1).map(|(t, l)| l * t.abs()).sum();
        let centered = self.centered(theta);
        let l2: f64 = centered
            .iter()
            .zip(&self.l2)
            .map(|(t, l)| 0.5 * l * t * t)
            .sum();
        l1 + l2
    }

    /// The coefficients the L2 penalty applies to: `theta`, or each feature's
    /// coefficients minus their mean over the classes.
    fn centered(&self, theta: &[f64]) -> Vec<f64> {
        let mut centered = theta.to_vec();
        if self.centered_l2 {
            let width = self.width();
            for j in 0..self.features {
                let mean =
                    (0..self.sets).map(|c| theta[c * width + j]).sum::<f64>() / self.sets as f64;
                for c in 0..self.sets {
                    centered[c * width + j] -= mean;
                }
            }
        }
        centered
    }

    /// The L2 penalty's gradient (the centring's own derivative cancels: the centred
    /// values sum to 0).
    pub fn l2_gradient(&self, theta: &[f64]) -> Vec<f64> {
        self.centered(theta)
            .iter()
            .zip(&self.l2)
            .map(|(t, l)| l * t)
            .collect()
    }

    /// The L2 penalty's Hessian entry `(i, k)`: `l2` on the diagonal, and with centring
    /// `l2·([c = d] - 1/K)` between classes `c`, `d` of one feature.
    pub fn l2_hessian(&self, i: usize, k: usize) -> f64 {
        let width = self.width();
        if !self.centered_l2 {
            return if i == k { self.l2[i] } else { 0.0 };
        }
        if i % width != k % width {
            return 0.0;
        }
        self.l2[i] * ((i == k) as u8 as f64 - 1.0 / self.sets as f64)
    }

    /// `theta` as the passes evaluate it: `margin_c = offset_c + Σ coef_cj (xⱼ - shiftⱼ)`,
    /// with `coef = β/σ` and `offset = a - Σ coef·center`.
    pub fn raw_model(&self, theta: &[f64]) -> RawModel {
        let (p, width) = (self.features, self.width());
        let mut coef = vec![0.0; self.sets * p];
        let mut offset = vec![0.0; self.sets];
        for c in 0..self.sets {
            let mut o = if self.fit_intercept {
                theta[c * width + p]
            } else {
                0.0
            };
            for j in 0..p {
                let w = theta[c * width + j] * self.inverse_std[j];
                coef[c * p + j] = w;
                o -= w * self.center[j];
            }
            offset[c] = o;
        }
        RawModel { coef, offset }
    }

    /// The gradient of the mean loss in these coordinates from raw sums:
    /// `∂/∂β_cj = (G_cj - centerⱼ·G_cp)/σⱼ`, `∂/∂a_c = G_cp`, all ÷ W (0 for a constant
    /// feature, or an intercept not fitted: not coordinates of the problem).
    pub fn gradient(&self, sums: &Sums) -> Vec<f64> {
        let (p, width) = (self.features, self.width());
        let scale = 1.0 / self.weight_sum;
        let mut g = vec![0.0; self.len()];
        for c in 0..self.sets {
            let raw = &sums.gradient[c * width..(c + 1) * width];
            for j in 0..p {
                g[c * width + j] = self.inverse_std[j] * (raw[j] - self.center[j] * raw[p]) * scale;
            }
            if self.fit_intercept {
                g[c * width + p] = raw[p] * scale;
            }
        }
        g
    }

    /// The Hessian of the mean loss in these coordinates from raw sums (`A·H·Aᵀ` for the
    /// map `u = A·[x - shift, 1]` of each pair of coefficient sets), as a full matrix.
    pub fn hessian(&self, sums: &Sums) -> Array2<f64> {
        let (p, width) = (self.features, self.width());
        let n = self.len();
        let scale = 1.0 / self.weight_sum;
        // u_j = a_j·raw_j + b_j·raw_p, with raw_p = 1 (and no u_p without an intercept).
        let intercept = if self.fit_intercept { 1.0 } else { 0.0 };
        let a: Vec<f64> = (0..width)
            .map(|j| {
                if j < p {
                    self.inverse_std[j]
                } else {
                    intercept
                }
            })
            .collect();
        let b: Vec<f64> = (0..width)
            .map(|j| {
                if j < p {
                    -self.center[j] * self.inverse_std[j]
                } else {
                    0.0
                }
            })
            .collect();
        let side = triangle(width);
        let mut h = Array2::zeros((n, n));
        let mut raw = vec![0.0; width * width];
        let mut pair = 0;
        for c in 0..self.sets {
            for d in c..self.sets {
                let packed = &sums.hessian[pair * side..(pair + 1) * side];
                let mut entry = 0;
                for j in 0..width {
                    for k in j..width {
                        raw[j * width + k] = packed[entry];
                        raw[k * width + j] = packed[entry];
                        entry += 1;
                    }
                }
                for j in 0..width {
                    for k in 0..width {
                        let value = a[j] * a[k] * raw[j * width + k]
                            + a[j] * b[k] * raw[j * width + p]
                            + b[j] * a[k] * raw[p * width + k]
                            + b[j] * b[k] * raw[p * width + p];
                        h[[c * width + j, d * width + k]] = value * scale;
                        h[[d * width + k, c * width + j]] = value * scale;
                    }
                }
                pair += 1;
            }
        }
        h
    }

    /// Corrects a Hessian of an earlier point with the step from `from` to `to` and the
    /// loss gradients there (BFGS: `H - HssᵀH/sᵀHs + yyᵀ/yᵀs` on the free coordinates),
    /// so that it matches the curvature seen along the step. Skipped when the step shows
    /// no positive curvature.
    pub fn update_curvature(
        &self,
        hessian: &mut Array2<f64>,
        from: &[f64],
        to: &[f64],
        from_gradient: &[f64],
        to_gradient: &[f64],
    ) {
        let n = self.len();
        let free = |i: usize, v: f64| if self.free[i] { v } else { 0.0 };
        let s: Vec<f64> = (0..n).map(|i| free(i, to[i] - from[i])).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| free(i, to_gradient[i] - from_gradient[i]))
            .collect();
        let hs: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|k| hessian[[i, k]] * s[k]).sum())
            .collect();
        let shs: f64 = s.iter().zip(&hs).map(|(a, b)| a * b).sum();
        let ys: f64 = y.iter().zip(&s).map(|(a, b)| a * b).sum();
        if !(shs > 0.0 && ys > 1e-12 * shs) {
            return;
        }
        for i in 0..n {
            for k in 0..n {
                hessian[[i, k]] += y[i] * y[k] / ys - hs[i] * hs[k] / shs;
            }
        }
    }

    /// The model on the original scale: coefficients `β/σ` per set and intercepts
    /// `a - Σ (β/σ)·μ`.
    pub fn original(&self, theta: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>) {
        let (p, width) = (self.features, self.width());
        let mut coefficients = Vec::with_capacity(self.sets);
        let mut intercepts = Vec::with_capacity(self.sets);
        for c in 0..self.sets {
            let row: Vec<f64> = (0..p)
                .map(|j| theta[c * width + j] * self.inverse_std[j])
                .collect();
            let b = if self.fit_intercept {
                theta[c * width + p]
                    - row
                        .iter()
                        .zip(&self.origin)
                        .map(|(w, m)| w * m)
                        .sum::<f64>()
            } else {
                0.0
            };
            coefficients.push(row);
            intercepts.push(b);
        }
        (coefficients, intercepts)
    }

    /// A model on the original scale in these coordinates, and whether it is the same
    /// function of the rows (it is not when a feature constant here carries weight and
    /// there is no intercept to absorb it).
    pub fn coordinates(&self, coefficients: &[Vec<f64>], intercepts: &[f64]) -> (Vec<f64>, bool) {
        let (p, width) = (self.features, self.width());
        let mut theta = vec![0.0; self.len()];
        let mut exact = true;
        for c in 0..self.sets {
            let mut a = if self.fit_intercept {
                intercepts[c]
            } else {
                0.0
            };
            for j in 0..p {
                let w = coefficients[c][j];
                if self.inverse_std[j] > 0.0 {
                    theta[c * width + j] = w / self.inverse_std[j];
                    a += w * self.origin[j];
                } else if self.fit_intercept {
                    // Constant here: its term is a constant, which the intercept takes.
                    a += w * self.origin[j];
                } else if w != 0.0 {
                    exact = false;
                }
            }
            theta[c * width + p] = a;
        }
        self.pin(&mut theta);
        (theta, exact)
    }

    /// Moves `theta` to the pinned representative of its class of equivalent softmax
    /// models (the last class's pinned coordinates at 0); binomial models are unchanged.
    pub fn pin(&self, theta: &mut [f64]) {
        if self.sets < 2 {
            return;
        }
        let width = self.width();
        let last = (self.sets - 1) * width;
        for j in 0..width {
            if !self.free[last + j] && (j == self.features || self.free[j]) {
                let shift = theta[last + j];
                for c in 0..self.sets {
                    theta[c * width + j] -= shift;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::assemble::AssembledRows;
    use crate::ml::dataset::{Prepared, RowLayout};
    use crate::ml::logistic::kernel::{accumulate, Block, Scratch};

    /// Rows `[x0, x1, label, weight]`: features on different scales, weights ≠ 1.
    fn rows(classes: usize) -> Prepared {
        let n = 37;
        let values = Array2::from_shape_fn((n, 4), |(i, j)| {
            let t = i as f64;
            match j {
                0 => (t * 0.37).sin() * 2.0 + 0.5,
                1 => 1000.0 + 300.0 * (t * 1.3).cos(),
                2 => ((i * 7 + i / 3) % classes) as f64,
                _ => 0.5 + (i % 4) as f64,
            }
        });
        Prepared {
            rows: AssembledRows {
                values,
                row_numbers: (0..n as u64).collect(),
            },
            groups: vec![0; n],
            layout: RowLayout {
                features: 2,
                label: true,
                weight: true,
                validation: false,
            },
        }
    }

    /// The objective's loss part (mean log-loss) and its sums at `theta`.
    fn loss(space: &Space, part: &Prepared, theta: &[f64], shift: &[f64]) -> (f64, Sums) {
        let mut block = Block::new(2);
        let mut scratch = Scratch::new(space.sets);
        let mut sums = Sums::zero(space.sets, 3, true);
        // Blocks of 15 rows or fewer: padded ones too.
        for rows in (0..part.len()).collect::<Vec<_>>().chunks(15) {
            for &i in rows {
                block.push(&part.row(i), shift);
            }
            block.seal();
            accumulate(&block, &space.raw_model(theta), &mut scratch, &mut sums);
            block.clear();
        }
        (sums.loss / space.weight_sum, sums)
    }

    #[test]
    fn gradient_and_hessian_match_finite_differences() {
        for (sets, classes) in [(1, 2), (3, 3)] {
            let part = rows(classes);
            let mut summary = WeightedSummary::new(2, classes);
            for row in part.iter() {
                summary.add(row.features, row.weight, row.label as usize);
            }
            let shift = [0.3, 990.0];
            for fit_intercept in [true, false] {
                let params = LogisticRegressionParams {
                    fit_intercept,
                    reg_param: 0.1,
                    ..Default::default()
                };
                let space = Space::new(&params, sets, &summary, &shift);
                let theta: Vec<f64> = (0..space.len()).map(|i| 0.3 - 0.17 * i as f64).collect();
                let (value, sums) = loss(&space, &part, &theta, &shift);
                // The loss itself, computed directly on the original scale.
                let (coef, intercept) = space.original(&theta);
                let direct: f64 = part
                    .iter()
                    .map(|r| {
                        let m: Vec<f64> = (0..sets)
                            .map(|c| {
                                intercept[c]
                                    + coef[c][0] * r.features[0]
                                    + coef[c][1] * r.features[1]
                            })
                            .collect();
                        let l = if sets == 1 {
                            (1.0 + m[0].exp()).ln() - r.label * m[0]
                        } else {
                            m.iter().map(|v| v.exp()).sum::<f64>().ln() - m[r.label as usize]
                        };
                        r.weight * l
                    })
                    .sum::<f64>()
                    / summary.weight_sum;
                assert!(
                    (value - direct).abs() < 1e-12,
                    "{sets} {fit_intercept}: {value} vs {direct}"
                );
                let gradient = space.gradient(&sums);
                let hessian = space.hessian(&sums);
                let h = 1e-5;
                for i in 0..space.len() {
                    let mut plus = theta.clone();
                    let mut minus = theta.clone();
                    plus[i] += h;
                    minus[i] -= h;
                    let (lp, sp) = loss(&space, &part, &plus, &shift);
                    let (lm, sm) = loss(&space, &part, &minus, &shift);
                    let numeric = (lp - lm) / (2.0 * h);
                    assert!(
                        (gradient[i] - numeric).abs() < 1e-8,
                        "gradient {i}: {} vs {numeric}",
                        gradient[i]
                    );
                    let (gp, gm) = (space.gradient(&sp), space.gradient(&sm));
                    for k in 0..space.len() {
                        let numeric = (gp[k] - gm[k]) / (2.0 * h);
                        assert!(
                            (hessian[[k, i]] - numeric).abs() < 1e-7,
                            "hessian [{k}][{i}]: {} vs {numeric}",
                            hessian[[k, i]]
                        );
                    }
                }
            }
        }
    }

    fn summary(rows: &[[f64; 2]]) -> WeightedSummary {
        let mut s = WeightedSummary::new(2, 2);
        for (i, x) in rows.iter().enumerate() {
            s.add(x, 1.0 + i as f64, i % 2);
        }
        s
    }

    #[test]
    fn points_round_trip_through_raw_and_original_coordinates() {
        let rows = [[1.0, 100.0], [2.0, 250.0], [4.0, 175.0], [3.0, 90.0]];
        let s = summary(&rows);
        for fit_intercept in [true, false] {
            let params = LogisticRegressionParams {
                fit_intercept,
                ..Default::default()
            };
            let space = Space::new(&params, 1, &s, &[2.0, 150.0]);
            let theta = vec![0.7, -1.3, if fit_intercept { 0.4 } else { 0.0 }];
            let raw = space.raw_model(&theta);
            let (coef, intercept) = space.original(&theta);
            for x in &rows {
                let m_raw =
                    raw.offset[0] + raw.coef[0] * (x[0] - 2.0) + raw.coef[1] * (x[1] - 150.0);
                let m_original = intercept[0] + coef[0][0] * x[0] + coef[0][1] * x[1];
                assert!((m_raw - m_original).abs() < 1e-12, "{m_raw} {m_original}");
            }
            let (back, exact) = space.coordinates(&coef, &intercept);
            assert!(exact);
            for (a, b) in back.iter().zip(&theta) {
                assert!((a - b).abs() < 1e-12);
            }
        }
    }
}
