//! LinearRegression as an estimator: every requested fit from one pass of sufficient
//! statistics.
//!
//! The pass accumulates [`Moments`] of `[features, label]` per group (fold, or the test
//! set); a fit's training statistics are the sum of its subset's groups, a StandardScaler
//! stage is fitted on them and applied to them analytically, and the regression is a
//! p×p solve ([`crate::ml::linear::fit`]). A whole grid costs one pass over the data.

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{MomentsOf, Subset, TrainingData};
use crate::ml::linear::{fit, LinearModel, LinearRegressionParams};
use crate::ml::moments::Moments;
use crate::ml::scale::StandardScalerModel;

/// Fits each `(params, subset)`; a model is its fitted scaler (if the job has one) and the
/// regression on the scaled features.
pub fn fit_all(
    data: &TrainingData,
    fits: &[(&LinearRegressionParams, Subset)],
    ctx: &JobContext,
) -> Result<Vec<(Option<StandardScalerModel>, LinearModel)>> {
    let width = data.features.len() + 1;
    let groups = data.moments_per_group(MomentsOf::FeaturesAndLabel, ctx)?;
    let mut all = Moments::empty(width);
    for g in &groups {
        all.merge(g);
    }
    check_finite(&all, data)?;
    fits.iter()
        .map(|(params, subset)| {
            ctx.check()?;
            let mut m = Moments::empty(width);
            for (g, moments) in groups.iter().enumerate() {
                if subset.contains(g as u16) {
                    m.merge(moments);
                }
            }
            let scaler = data.scaler.map(|s| s.fit(&m));
            let model = match &scaler {
                Some(s) => fit(&s.transform_moments(&m), params, data.features)?,
                None => fit(&m, params, data.features)?,
            };
            Ok((scaler, model))
        })
        .collect()
}

/// Refuses columns whose sums of squares overflow (values beyond about 1e154): every fit
/// would silently come out as NaN or garbage.
fn check_finite(moments: &Moments, data: &TrainingData) -> Result<()> {
    let names = data.features.iter().map(String::as_str).chain(data.label);
    for (j, name) in names.enumerate() {
        if !(moments.mean[j].is_finite() && moments.comoment[[j, j]].is_finite()) {
            return Err(Error::new(
                ErrorCode::MlInput,
                format!(
                    "`{name}` has values too large to train on: their squares overflow a \
                     double (|x| above about 1e154). Rescale the column first, e.g. \
                     `{name} / 1e6` in SQL"
                ),
            )
            .in_column(name));
        }
    }
    Ok(())
}
