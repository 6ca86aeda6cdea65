//! LogisticRegression's parameters, with Spark's names, defaults and checks.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::ml::thresholds::validate_thresholds;

/// Spark's `family`: which label distribution the model describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Binomial for one or two classes, multinomial for more.
    #[default]
    Auto,
    /// Binary logistic regression: one coefficient vector, class 0 as the pivot.
    Binomial,
    /// Softmax regression: one coefficient vector per class, no pivot.
    Multinomial,
}

/// LogisticRegression's parameters (Spark's defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LogisticRegressionParams {
    /// The most solver iterations: evaluations of the objective (loss, gradient and
    /// perhaps Hessian), one per pass over the data.
    pub max_iter: usize,
    pub reg_param: f64,
    pub elastic_net_param: f64,
    pub tol: f64,
    pub fit_intercept: bool,
    pub standardization: bool,
    /// Binomial models predict class 1 when its probability is above this.
    pub threshold: f64,
    /// Per-class thresholds: the class with the largest `probability / threshold` is
    /// predicted. When given they take precedence over `threshold`, as Spark's
    /// `setThresholds` clears `threshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Vec<f64>>,
    pub family: Family,
}

impl Default for LogisticRegressionParams {
    fn default() -> Self {
        LogisticRegressionParams {
            max_iter: 100,
            reg_param: 0.0,
            elastic_net_param: 0.0,
            tol: 1e-6,
            fit_intercept: true,
            standardization: true,
            threshold: 0.5,
            thresholds: None,
            family: Family::Auto,
        }
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::MlInput, message)
}

impl LogisticRegressionParams {
    /// Checks every parameter as Spark does, for a label with `num_classes` classes.
    pub fn validate(&self, num_classes: usize) -> Result<()> {
        if !(self.reg_param >= 0.0 && self.reg_param.is_finite()) {
            return Err(invalid(format!(
                "regParam must be a number ≥ 0, not {}",
                self.reg_param
            )));
        }
        if !(0.0..=1.0).contains(&self.elastic_net_param) {
            return Err(invalid(format!(
                "elasticNetParam must be between 0 and 1, not {}",
                self.elastic_net_param
            )));
        }
        if self.tol.is_nan() || self.tol < 0.0 {
            return Err(invalid(format!("tol must be ≥ 0, not {}", self.tol)));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(invalid(format!(
                "threshold must be between 0 and 1, not {}",
                self.threshold
            )));
        }
        if num_classes < 2 {
            return Err(invalid(format!(
                "logistic regression needs a label with at least 2 classes, not {num_classes}"
            )));
        }
        if self.family == Family::Binomial && num_classes > 2 {
            return Err(invalid(format!(
                "the binomial family only supports 2 classes but the label has {num_classes}; \
                 set family to multinomial or auto"
            )));
        }
        if let Some(thresholds) = &self.thresholds {
            validate_thresholds(thresholds, num_classes)?;
        }
        Ok(())
    }

    /// Whether a model for `num_classes` classes is multinomial (Spark's family rule).
    pub fn is_multinomial(&self, num_classes: usize) -> bool {
        match self.family {
            Family::Auto => num_classes > 2,
            Family::Binomial => false,
            Family::Multinomial => true,
        }
    }

    /// Whether two parameter sets describe the same optimisation problem and solver run
    /// (they may differ in how predictions are thresholded, and without regularisation
    /// in elasticNetParam, which then plays no part).
    pub(crate) fn same_fit(&self, other: &Self) -> bool {
        self.max_iter == other.max_iter
            && self.reg_param == other.reg_param
            && (self.reg_param == 0.0 || self.elastic_net_param == other.elastic_net_param)
            && self.tol == other.tol
            && self.fit_intercept == other.fit_intercept
            && self.standardization == other.standardization
            && self.family == other.family
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_json_names_are_sparks() {
        let params: LogisticRegressionParams =
            serde_json::from_str(r#"{"regParam": 0.1, "family": "multinomial"}"#).unwrap();
        assert_eq!(params.reg_param, 0.1);
        assert_eq!(params.family, Family::Multinomial);
        assert_eq!(params.max_iter, 100);
        assert_eq!(params.tol, 1e-6);
        assert_eq!(params.threshold, 0.5);
        assert!(params.fit_intercept && params.standardization);
        let json = serde_json::to_value(LogisticRegressionParams::default()).unwrap();
        assert_eq!(json["elasticNetParam"], 0.0);
        assert_eq!(json["family"], "auto");
        assert!(json.get("thresholds").is_none());
    }

    #[test]
    fn invalid_params_are_named() {
        let check = |params: LogisticRegressionParams, classes: usize, needle: &str| {
            let err = params.validate(classes).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MlInput);
            assert!(err.message().contains(needle), "{}", err.message());
        };
        let base = LogisticRegressionParams::default;
        check(
            LogisticRegressionParams {
                reg_param: -1.0,
                ..base()
            },
            2,
            "regParam",
        );
        check(
            LogisticRegressionParams {
                elastic_net_param: 1.5,
                ..base()
            },
            2,
            "elasticNetParam",
        );
        check(
            LogisticRegressionParams {
                family: Family::Binomial,
                ..base()
            },
            3,
            "binomial family",
        );
        check(
            LogisticRegressionParams {
                thresholds: Some(vec![0.5, 0.5]),
                ..base()
            },
            3,
            "one threshold per class",
        );
        check(
            LogisticRegressionParams {
                thresholds: Some(vec![0.0, 0.0, 1.0]),
                ..base()
            },
            3,
            "at most one",
        );
        check(
            LogisticRegressionParams {
                threshold: f64::NAN,
                ..base()
            },
            2,
            "threshold",
        );
        check(base(), 1, "at least 2 classes");
        assert!(base().validate(2).is_ok());
        assert!(base().is_multinomial(3) && !base().is_multinomial(2));
    }
}
