//! The fitted training pipeline: an optional StandardScaler, then LinearRegression
//! (Spark's `PipelineModel` of those two stages), as training returns it and scoring
//! reads it back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::ml::linear::{fit, LinearModel, LinearRegressionParams};
use crate::ml::moments::Moments;
use crate::ml::scale::{StandardScalerModel, StandardScalerParams};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RegressionModel {
    /// Present when the features were scaled; the coefficients then apply to the
    /// scaled features, as `lrModel.coefficients` does in Spark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaler: Option<StandardScalerModel>,
    #[serde(flatten)]
    pub linear: LinearModel,
}

impl RegressionModel {
    /// Fits the scaler (if asked) and then the regression to rows with statistics `m`.
    pub fn fit(
        m: &Moments,
        scaler: Option<&StandardScalerParams>,
        params: &LinearRegressionParams,
        names: &[String],
    ) -> Result<Self> {
        let scaler = scaler.map(|s| s.fit(m));
        let linear = match &scaler {
            Some(s) => fit(&s.transform_moments(m), params, names)?,
            None => fit(m, params, names)?,
        };
        Ok(RegressionModel { scaler, linear })
    }

    /// The same predictions as one linear model on the original features.
    pub fn on_original_features(&self) -> LinearModel {
        match &self.scaler {
            Some(s) => s.compose(&self.linear),
            None => self.linear.clone(),
        }
    }
}
