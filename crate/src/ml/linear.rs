//! LinearRegression with Spark's objective, fitted from [`Moments`].
//!
//! Spark's `normal` solver standardises the features and the label, solves in that space
//! and maps the coefficients back. In original units its objective is
//!
//! `1/(2n)·RSS + λα·Σ s_j|w_j| + λ(1-α)/(2σ_y)·Σ s_j² w_j²`
//!
//! with `s_j = σ_j` when `standardization` is on (else 1) and population σ. Ridge and OLS
//! (λα = 0) are one Cholesky solve; lasso and elastic net use covariance-update coordinate
//! descent on the same p×p system (glmnet's "covariance" mode), to convergence.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::ml::moments::Moments;

/// LinearRegression's parameters, with Spark's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LinearRegressionParams {
    pub reg_param: f64,
    pub elastic_net_param: f64,
    pub fit_intercept: bool,
    pub standardization: bool,
    pub max_iter: usize,
    pub tol: f64,
}

impl Default for LinearRegressionParams {
    fn default() -> Self {
        LinearRegressionParams {
            reg_param: 0.0,
            elastic_net_param: 0.0,
            fit_intercept: true,
            standardization: true,
            max_iter: 100,
            tol: 1e-6,
        }
    }
}

impl LinearRegressionParams {
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::new(ErrorCode::MlInput, what));
        if !(self.reg_param >= 0.0 && self.reg_param.is_finite()) {
            return bad(format!("regParam must be ≥ 0, not {}", self.reg_param));
        }
        if !(0.0..=1.0).contains(&self.elastic_net_param) {
            return bad(format!(
                "elasticNetParam must be between 0 and 1, not {}",
                self.elastic_net_param
            ));
        }
        if self.tol.is_nan() || self.tol < 0.0 {
            return bad(format!("tol must be ≥ 0, not {}", self.tol));
        }
        Ok(())
    }
}

/// A fitted linear model on the original scale of the features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LinearModel {
    pub coefficients: Vec<f64>,
    pub intercept: f64,
}

impl LinearModel {
    pub fn predict(&self, features: &[f64]) -> f64 {
        self.intercept
            + self
                .coefficients
                .iter()
                .zip(features)
                .map(|(w, x)| w * x)
                .sum::<f64>()
    }
}

/// How close coordinate descent must get: the largest coefficient change in a sweep,
/// relative to the largest coefficient. Tighter than Spark's optimiser so that results
/// are the objective's minimum, not an iterate.
const CD_TOLERANCE: f64 = 1e-13;
const CD_MAX_SWEEPS: usize = 100_000;

/// Fits LinearRegression to data with statistics `m` (features then label).
/// `names` name the features in error messages.
pub fn fit(m: &Moments, params: &LinearRegressionParams, names: &[String]) -> Result<LinearModel> {
    params.validate()?;
    let p = m.features();
    if m.n == 0.0 {
        return Err(Error::new(
            ErrorCode::MlInput,
            "there are no rows to train on",
        ));
    }
    let n = m.n;
    let std = m.std_population();
    let (x_mean, y_mean) = (m.mean.slice(ndarray::s![..p]), m.mean[p]);
    let mut y_std = std[p];
    let zero = |intercept: f64| LinearModel {
        coefficients: vec![0.0; p],
        intercept,
    };
    if y_std == 0.0 {
        // A constant label: with an intercept (or a zero label) the model is that constant.
        if params.fit_intercept || y_mean == 0.0 {
            return Ok(zero(if params.fit_intercept { y_mean } else { 0.0 }));
        }
        if params.reg_param > 0.0 {
            return Err(Error::new(
                ErrorCode::MlInput,
                "the label is constant, so it cannot be standardised for regularisation; set regParam to 0 or fit an intercept",
            ));
        }
        y_std = y_mean.abs();
    }
    // Second moments in standardised space: centred when fitting an intercept, raw
    // (around zero) otherwise. Constant features are 0 there, as in Spark.
    let second = |i: usize, j: usize| {
        let c = m.comoment[[i, j]] / n;
        if params.fit_intercept {
            c
        } else {
            c + m.mean[i] * m.mean[j]
        }
    };
    let scale = |j: usize| if std[j] == 0.0 { 0.0 } else { 1.0 / std[j] };
    let mut a = Array2::<f64>::zeros((p, p));
    let mut b = Array1::<f64>::zeros(p);
    for i in 0..p {
        for j in 0..p {
            a[[i, j]] = second(i, j) * scale(i) * scale(j);
        }
        b[i] = second(i, p) * scale(i) / y_std;
    }
    let effective = params.reg_param / y_std;
    let l1 = params.elastic_net_param * effective;
    let l2 = (1.0 - params.elastic_net_param) * effective;
    // Without standardisation the penalty is on original-scale coefficients:
    // w_j = w̃_j σ_y / σ_j, so it is divided by σ_j (L1) and σ_j² (L2) in this space.
    let (l1_of, l2_of): (Vec<f64>, Vec<f64>) = (0..p)
        .map(|j| {
            if params.standardization || std[j] == 0.0 {
                (l1, l2)
            } else {
                (l1 / std[j], l2 / (std[j] * std[j]))
            }
        })
        .unzip();
    let constant: Vec<bool> = (0..p).map(|j| std[j] == 0.0).collect();
    let w = if l1 == 0.0 {
        let mut system = a.clone();
        for j in 0..p {
            system[[j, j]] += if constant[j] { 1.0 } else { l2_of[j] };
        }
        cholesky_solve(&system, &b).map_err(|column| {
            Error::new(
                ErrorCode::MlSingular,
                format!(
                    "the features are collinear: `{}` is a linear combination of the features before it, so the least-squares solution is not unique; remove it or set regParam > 0",
                    names.get(column).map_or("?", String::as_str)
                ),
            )
        })?
    } else {
        coordinate_descent(&a, &b, &l1_of, &l2_of, &constant)?
    };
    let coefficients: Vec<f64> = (0..p)
        .map(|j| {
            if constant[j] {
                0.0
            } else {
                w[j] * y_std / std[j]
            }
        })
        .collect();
    let intercept = if params.fit_intercept {
        y_mean
            - coefficients
                .iter()
                .zip(x_mean.iter())
                .map(|(w, x)| w * x)
                .sum::<f64>()
    } else {
        0.0
    };
    Ok(LinearModel {
        coefficients,
        intercept,
    })
}

/// Solves `a x = b` for a symmetric positive definite `a`; `Err(j)` names the first
/// column whose pivot vanished (it depends on the ones before it).
pub(crate) fn cholesky_solve(
    a: &Array2<f64>,
    b: &Array1<f64>,
) -> std::result::Result<Array1<f64>, usize> {
    let p = b.len();
    let mut l = Array2::<f64>::zeros((p, p));
    let scale = (0..p).map(|j| a[[j, j]].abs()).fold(0.0, f64::max).max(1.0);
    for j in 0..p {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d <= 1e-10 * scale || !d.is_finite() {
            return Err(j);
        }
        let d = d.sqrt();
        l[[j, j]] = d;
        for i in j + 1..p {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / d;
        }
    }
    let mut y = Array1::<f64>::zeros(p);
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= l[[i, k]] * y[k];
        }
        y[i] = s / l[[i, i]];
    }
    let mut x = Array1::<f64>::zeros(p);
    for i in (0..p).rev() {
        let mut s = y[i];
        for k in i + 1..p {
            s -= l[[k, i]] * x[k];
        }
        x[i] = s / l[[i, i]];
    }
    Ok(x)
}

/// Minimises `½ wᵀAw − bᵀw + Σ l1_j|w_j| + ½ Σ l2_j w_j²` by cyclic coordinate descent,
/// keeping the gradient `Aw` up to date (glmnet's covariance updates).
pub(crate) fn coordinate_descent(
    a: &Array2<f64>,
    b: &Array1<f64>,
    l1: &[f64],
    l2: &[f64],
    constant: &[bool],
) -> Result<Array1<f64>> {
    let p = b.len();
    let mut w = Array1::<f64>::zeros(p);
    let mut aw = Array1::<f64>::zeros(p);
    for _ in 0..CD_MAX_SWEEPS {
        let mut largest_change: f64 = 0.0;
        let mut largest_weight: f64 = 0.0;
        for j in 0..p {
            if constant[j] {
                continue;
            }
            let denominator = a[[j, j]] + l2[j];
            if denominator <= 0.0 {
                continue;
            }
            let rho = b[j] - (aw[j] - a[[j, j]] * w[j]);
            let new = soft_threshold(rho, l1[j]) / denominator;
            let change = new - w[j];
            if change != 0.0 {
                for i in 0..p {
                    aw[i] += a[[i, j]] * change;
                }
                w[j] = new;
            }
            largest_change = largest_change.max(change.abs());
            largest_weight = largest_weight.max(new.abs());
        }
        if largest_change <= CD_TOLERANCE * largest_weight.max(1e-300) || largest_change == 0.0 {
            return Ok(w);
        }
    }
    Err(Error::new(
        ErrorCode::MlSingular,
        "coordinate descent did not converge (the features are nearly collinear); increase regParam or remove correlated features",
    ))
}

fn soft_threshold(x: f64, t: f64) -> f64 {
    if x > t {
        x - t
    } else if x < -t {
        x + t
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    fn names(p: usize) -> Vec<String> {
        (0..p).map(|i| format!("x{i}")).collect()
    }

    #[test]
    fn ordinary_least_squares_recovers_an_exact_line() {
        // y = 2 + 3 x0 - x1
        let rows = array![
            [1.0, 0.0, 5.0],
            [2.0, 1.0, 7.0],
            [3.0, 5.0, 6.0],
            [4.0, 2.0, 12.0],
            [0.0, 1.0, 1.0]
        ];
        let m = Moments::of_rows(&rows);
        let model = fit(&m, &LinearRegressionParams::default(), &names(2)).unwrap();
        assert!((model.intercept - 2.0).abs() < 1e-10, "{model:?}");
        assert!((model.coefficients[0] - 3.0).abs() < 1e-10);
        assert!((model.coefficients[1] + 1.0).abs() < 1e-10);
    }

    #[test]
    fn collinear_features_are_a_clear_error_and_a_constant_label_is_its_mean() {
        let rows = array![[1.0, 2.0, 1.0], [2.0, 4.0, 3.0], [3.0, 6.0, 2.0]];
        let err = fit(
            &Moments::of_rows(&rows),
            &LinearRegressionParams::default(),
            &names(2),
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlSingular);
        assert!(err.message().contains("`x1`"), "{}", err.message());
        let constant = array![[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]];
        let model = fit(
            &Moments::of_rows(&constant),
            &LinearRegressionParams::default(),
            &names(1),
        )
        .unwrap();
        assert_eq!(model.coefficients, vec![0.0]);
        assert_eq!(model.intercept, 5.0);
    }
}
