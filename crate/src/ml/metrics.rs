//! RegressionEvaluator's metrics. RMSE, MSE, R² and explained variance follow exactly
//! from a data set's [`Moments`] and the model; MAE needs the rows (see `tuning`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ml::linear::LinearModel;
use crate::ml::moments::Moments;

/// RegressionEvaluator's `metricName`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    #[default]
    Rmse,
    Mse,
    R2,
    Mae,
    Var,
}

impl Metric {
    /// Whether a larger value is better (only r2 and var, as in Spark).
    pub fn larger_is_better(self) -> bool {
        matches!(self, Metric::R2 | Metric::Var)
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::Rmse => "rmse",
            Metric::Mse => "mse",
            Metric::R2 => "r2",
            Metric::Mae => "mae",
            Metric::Var => "var",
        }
    }
}

/// All metrics of a model on one data set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct Metrics {
    pub rmse: f64,
    pub mse: f64,
    pub r2: f64,
    pub mae: f64,
    pub var: f64,
    pub rows: f64,
}

impl Metrics {
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Rmse => self.rmse,
            Metric::Mse => self.mse,
            Metric::R2 => self.r2,
            Metric::Mae => self.mae,
            Metric::Var => self.var,
        }
    }
}

/// The squared-error metrics of `model` on data with statistics `m`; `mae` is given (it
/// cannot be derived from moments).
/// The residuals `r = y − xw − b` of a model on rows with statistics `m`: their mean
/// and their spread `Σ(r − r̄)²` (`C_yy − 2wᵀC_xy + wᵀC_xx w`), and the predictions'
/// spread `Σ(ŷ − ŷ̄)²` (`wᵀC_xx w`).
pub struct Residuals {
    pub mean: f64,
    pub spread: f64,
    pub predicted_spread: f64,
}

pub fn residuals(model: &LinearModel, m: &Moments) -> Residuals {
    let p = m.features();
    let w = &model.coefficients;
    let predicted_mean: f64 = model.intercept + (0..p).map(|j| w[j] * m.mean[j]).sum::<f64>();
    let mut wcw = 0.0;
    let mut wcy = 0.0;
    for i in 0..p {
        wcy += w[i] * m.comoment[[i, p]];
        for j in 0..p {
            wcw += w[i] * m.comoment[[i, j]] * w[j];
        }
    }
    Residuals {
        mean: m.mean[p] - predicted_mean,
        spread: (m.comoment[[p, p]] - 2.0 * wcy + wcw).max(0.0),
        predicted_spread: wcw,
    }
}

pub fn from_moments(model: &LinearModel, m: &Moments, mae: f64) -> Metrics {
    let p = m.features();
    let n = m.n;
    if n == 0.0 {
        return Metrics {
            rmse: f64::NAN,
            mse: f64::NAN,
            r2: f64::NAN,
            mae: f64::NAN,
            var: f64::NAN,
            rows: 0.0,
        };
    }
    let Residuals {
        mean: residual_mean,
        spread,
        predicted_spread,
    } = residuals(model, m);
    let predicted_mean = m.mean[p] - residual_mean;
    let sse = spread + n * residual_mean * residual_mean;
    let mse = sse / n;
    let sst = m.comoment[[p, p]];
    // Explained variance (Spark): Σ(ŷ - ȳ)²/n.
    let var = (predicted_spread + n * (predicted_mean - m.mean[p]).powi(2)) / n;
    Metrics {
        rmse: mse.sqrt(),
        mse,
        r2: if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN },
        mae,
        var,
        rows: n,
    }
}
