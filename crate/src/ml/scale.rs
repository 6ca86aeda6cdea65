//! StandardScaler: an estimator fitted on the training rows' [`Moments`], whose model
//! is an affine map of the features.
//!
//! Because the map is affine, the scaled data's moments follow from the original ones
//! (no pass over the rows), and a scaler followed by a linear model is itself a linear
//! model on the original features ([`StandardScalerModel::compose`]), which is how folds
//! are scored and tables predicted.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ml::linear::LinearModel;
use crate::ml::moments::Moments;

/// StandardScaler's parameters, with Spark's names and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct StandardScalerParams {
    pub with_mean: bool,
    pub with_std: bool,
}

impl Default for StandardScalerParams {
    fn default() -> Self {
        StandardScalerParams {
            with_mean: false,
            with_std: true,
        }
    }
}

impl StandardScalerParams {
    /// Learns each feature's mean and sample standard deviation (÷ n-1, as Spark) from
    /// the statistics of the training rows (features then label; the label is not scaled).
    pub fn fit(&self, m: &Moments) -> StandardScalerModel {
        self.fit_first(m, m.features())
    }

    /// Learns from the statistics of the features alone (no label column).
    pub fn fit_features(&self, m: &Moments) -> StandardScalerModel {
        self.fit_first(m, m.mean.len())
    }

    fn fit_first(&self, m: &Moments, p: usize) -> StandardScalerModel {
        StandardScalerModel {
            with_mean: self.with_mean,
            with_std: self.with_std,
            mean: m.mean.iter().take(p).copied().collect(),
            std: m.std_sample().iter().take(p).copied().collect(),
        }
    }
}

/// A fitted StandardScaler: `x ↦ (x − shift) · factor`, per feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StandardScalerModel {
    pub with_mean: bool,
    pub with_std: bool,
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl StandardScalerModel {
    fn shift(&self, j: usize) -> f64 {
        if self.with_mean {
            self.mean[j]
        } else {
            0.0
        }
    }

    /// Spark scales a constant feature (std 0) to 0.0 rather than dividing by zero.
    fn factor(&self, j: usize) -> f64 {
        match (self.with_std, self.std[j]) {
            (false, _) => 1.0,
            (true, 0.0) => 0.0,
            (true, s) => 1.0 / s,
        }
    }

    /// Scales one row of features into `out`.
    pub fn transform_row(&self, x: &[f64], out: &mut [f64]) {
        for (j, (o, &v)) in out.iter_mut().zip(x).enumerate() {
            *o = (v - self.shift(j)) * self.factor(j);
        }
    }

    /// The moments of the scaled rows, from those of the original rows (features then
    /// label; the label passes through).
    pub fn transform_moments(&self, m: &Moments) -> Moments {
        let p = self.mean.len();
        let factors: Array1<f64> = (0..=p)
            .map(|j| if j < p { self.factor(j) } else { 1.0 })
            .collect();
        let mean: Array1<f64> = (0..=p)
            .map(|j| {
                if j < p {
                    (m.mean[j] - self.shift(j)) * factors[j]
                } else {
                    m.mean[j]
                }
            })
            .collect();
        let comoment = Array2::from_shape_fn((p + 1, p + 1), |(i, j)| {
            m.comoment[[i, j]] * factors[i] * factors[j]
        });
        Moments {
            n: m.n,
            mean,
            comoment,
        }
    }

    /// The linear model on the original features equal to this scaler followed by `model`.
    pub fn compose(&self, model: &LinearModel) -> LinearModel {
        let coefficients: Vec<f64> = model
            .coefficients
            .iter()
            .enumerate()
            .map(|(j, w)| w * self.factor(j))
            .collect();
        let intercept = model.intercept
            - coefficients
                .iter()
                .enumerate()
                .map(|(j, w)| w * self.shift(j))
                .sum::<f64>();
        LinearModel {
            coefficients,
            intercept,
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn scaled_moments_equal_the_moments_of_scaled_rows() {
        let rows = array![
            [1.0, 7.0, 2.0, 3.0],
            [2.0, 7.0, 4.0, 5.0],
            [4.0, 7.0, 3.5, 4.5],
            [3.5, 7.0, 9.0, 9.0]
        ];
        let m = Moments::of_rows(&rows);
        for (with_mean, with_std) in [(false, true), (true, true), (true, false)] {
            let scaler = StandardScalerParams {
                with_mean,
                with_std,
            }
            .fit(&m);
            let mut scaled = rows.clone();
            for mut row in scaled.rows_mut() {
                for j in 0..3 {
                    row[j] = (row[j] - scaler.shift(j)) * scaler.factor(j);
                }
            }
            let direct = Moments::of_rows(&scaled);
            let derived = scaler.transform_moments(&m);
            for (a, b) in derived.mean.iter().zip(&direct.mean) {
                assert!((a - b).abs() < 1e-12, "{derived:?} vs {direct:?}");
            }
            for (a, b) in derived.comoment.iter().zip(&direct.comoment) {
                assert!((a - b).abs() < 1e-12, "{derived:?} vs {direct:?}");
            }
        }
    }

    #[test]
    fn a_constant_feature_scales_to_zero_and_composition_predicts_alike() {
        let rows = array![[1.0, 7.0, 2.0], [3.0, 7.0, 4.0], [5.0, 7.0, 3.0]];
        let scaler = StandardScalerParams {
            with_mean: true,
            with_std: true,
        }
        .fit(&Moments::of_rows(&rows));
        // Sample std of 1, 3, 5 is 2.
        assert_eq!(scaler.std[0], 2.0);
        assert_eq!(scaler.factor(1), 0.0);
        let model = LinearModel {
            coefficients: vec![1.5, 4.0],
            intercept: 0.25,
        };
        let composed = scaler.compose(&model);
        let x = [4.0, 7.0];
        let scaled = [(4.0 - 3.0) / 2.0, 0.0];
        assert!((composed.predict(&x) - model.predict(&scaled)).abs() < 1e-12);
    }
}
