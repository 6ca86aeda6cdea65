//! ParamGridBuilder: the cartesian product of the values given for some of an estimator's
//! params, the last axis varying fastest (as Spark builds it).
//!
//! The grid works on any estimator's params through their serde form: a point is the
//! base params with each axis's value written in by name and read back, so a value of the
//! wrong type, a param the estimator does not have and an out-of-range value are refused
//! with the same messages for every estimator.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};

/// One axis of the grid: a param (Spark's name) and the values to try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GridAxis {
    pub param: String,
    pub values: Vec<Value>,
}

/// Most grid points one training job evaluates.
pub const MAX_GRID_POINTS: usize = 10_000;

/// A grid point: the values of the tuned params (for display and tracking), and the
/// estimator's full params at that point.
#[derive(Debug, Clone)]
pub struct GridPoint<P> {
    pub tuned: BTreeMap<String, Value>,
    pub params: P,
}

/// The points of the grid over `base` (`estimator` names it in messages); `validate`
/// checks each point's params.
pub fn grid_points<P>(
    estimator: &str,
    base: &P,
    axes: &[GridAxis],
    validate: impl Fn(&P) -> Result<()>,
) -> Result<Vec<GridPoint<P>>>
where
    P: Clone + Serialize + DeserializeOwned,
{
    let size = axes
        .iter()
        .try_fold(1usize, |size, axis| size.checked_mul(axis.values.len()));
    if size.is_none_or(|size| size > MAX_GRID_POINTS) {
        let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "the grid has {} points; a training job evaluates at most {MAX_GRID_POINTS}: \
                 give fewer values per parameter",
                sizes.join(" × ")
            ),
        ));
    }
    let base_form = as_object(base)?;
    let mut points = vec![(BTreeMap::new(), base_form)];
    for axis in axes {
        if axis.values.is_empty() {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!("the grid gives no values for {}", axis.param),
            ));
        }
        if !points[0].1.contains_key(&axis.param) {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!("{estimator} has no parameter {} to tune", axis.param),
            ));
        }
        let mut next = Vec::with_capacity(points.len() * axis.values.len());
        for (tuned, form) in &points {
            for value in &axis.values {
                let mut form = form.clone();
                form.insert(axis.param.clone(), value.clone());
                let mut tuned = tuned.clone();
                tuned.insert(axis.param.clone(), value.clone());
                next.push((tuned, form));
            }
        }
        points = next;
    }
    points
        .into_iter()
        .map(|(tuned, form)| {
            let params: P = serde_json::from_value(Value::Object(form)).map_err(|e| {
                let values: Vec<String> = tuned.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                Error::new(
                    ErrorCode::MlInput,
                    format!("{} is not a valid grid point: {e}", values.join(", ")),
                )
            })?;
            validate(&params)?;
            Ok(GridPoint { tuned, params })
        })
        .collect()
}

fn as_object<P: Serialize>(params: &P) -> Result<serde_json::Map<String, Value>> {
    match serde_json::to_value(params) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::new(
            ErrorCode::Internal,
            "an estimator's params are not an object",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::linear::LinearRegressionParams;
    use serde_json::json;

    fn axis(param: &str, values: Vec<Value>) -> GridAxis {
        GridAxis {
            param: param.into(),
            values,
        }
    }

    #[test]
    fn the_last_axis_varies_fastest() {
        let points = grid_points(
            "LinearRegression",
            &LinearRegressionParams::default(),
            &[
                axis("regParam", vec![json!(0.0), json!(0.1)]),
                axis("fitIntercept", vec![json!(true), json!(false)]),
            ],
            LinearRegressionParams::validate,
        )
        .unwrap();
        let seen: Vec<(f64, bool)> = points
            .iter()
            .map(|p| (p.params.reg_param, p.params.fit_intercept))
            .collect();
        assert_eq!(seen, [(0.0, true), (0.0, false), (0.1, true), (0.1, false)]);
        assert_eq!(points[3].tuned["regParam"], json!(0.1));
    }

    #[test]
    fn unknown_params_and_bad_values_are_named() {
        let base = LinearRegressionParams::default();
        let err = grid_points(
            "LinearRegression",
            &base,
            &[axis("k", vec![json!(3)])],
            LinearRegressionParams::validate,
        )
        .unwrap_err();
        assert_eq!(err.message(), "LinearRegression has no parameter k to tune");
        let err = grid_points(
            "LinearRegression",
            &base,
            &[axis("maxIter", vec![json!("many")])],
            LinearRegressionParams::validate,
        )
        .unwrap_err();
        assert!(
            err.message().contains("maxIter = \"many\""),
            "{}",
            err.message()
        );
        let err = grid_points(
            "LinearRegression",
            &base,
            &[axis("elasticNetParam", vec![json!(2.0)])],
            LinearRegressionParams::validate,
        )
        .unwrap_err();
        assert!(
            err.message().contains("elasticNetParam"),
            "{}",
            err.message()
        );
    }
}
