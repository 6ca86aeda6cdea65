//! Spark's `thresholds`, the param every probabilistic classifier shares
//! (`HasThresholds`): how a class is predicted from the probabilities when the user
//! rescales them, and which values Spark accepts.
//!
//! ```
//! use brasa::ml::thresholds::probability_to_prediction;
//!
//! // Without thresholds, the most probable class.
//! assert_eq!(probability_to_prediction(&[0.3, 0.7], None), 1.0);
//! // With them, the largest p / t: 0.3 / 0.2 = 1.5 beats 0.7 / 0.8.
//! assert_eq!(probability_to_prediction(&[0.3, 0.7], Some(&[0.2, 0.8])), 0.0);
//! ```

use crate::error::{Error, ErrorCode, Result};

/// The predicted class (Spark's `probability2prediction`): the class with the largest
/// `p / t` when `thresholds` are given, else the most probable class; ties go to the
/// first. A class whose threshold is 0 wins, unless its probability is 0 too (`0 / 0`
/// is NaN, which never compares greater).
pub fn probability_to_prediction(probability: &[f64], thresholds: Option<&[f64]>) -> f64 {
    let mut best = 0;
    let mut largest = f64::NEG_INFINITY;
    for (class, &p) in probability.iter().enumerate() {
        let t = thresholds
            .and_then(|t| t.get(class).copied())
            .unwrap_or(1.0);
        let score = p / t;
        if score > largest {
            largest = score;
            best = class;
        }
    }
    best as f64
}

/// Spark's rule for `thresholds` (one per class, all ≥ 0, at most one 0), said in the
/// user's terms.
pub fn validate_thresholds(thresholds: &[f64], num_classes: usize) -> Result<()> {
    let invalid = |message: String| Err(Error::new(ErrorCode::MlInput, message));
    if thresholds.len() != num_classes {
        return invalid(format!(
            "thresholds has {} values but the label has {num_classes} classes; give one \
             threshold per class",
            thresholds.len()
        ));
    }
    if !thresholds.iter().all(|t| *t >= 0.0 && t.is_finite()) {
        return invalid(format!("thresholds must all be ≥ 0, not {thresholds:?}"));
    }
    if thresholds.iter().filter(|t| **t == 0.0).count() > 1 {
        return invalid(format!(
            "at most one of the thresholds may be 0, not {thresholds:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicts_the_largest_scaled_probability() {
        assert_eq!(probability_to_prediction(&[0.2, 0.5, 0.3], None), 1.0);
        assert_eq!(
            probability_to_prediction(&[0.2, 0.5, 0.3], Some(&[0.1, 1.0, 1.0])),
            0.0
        );
        // Ties go to the first class.
        assert_eq!(probability_to_prediction(&[0.5, 0.5], None), 0.0);
        // A zero threshold wins unless its probability is 0.
        assert_eq!(
            probability_to_prediction(&[0.9, 0.1], Some(&[1.0, 0.0])),
            1.0
        );
        assert_eq!(
            probability_to_prediction(&[1.0, 0.0], Some(&[1.0, 0.0])),
            0.0
        );
    }

    #[test]
    fn refuses_what_spark_refuses() {
        assert!(validate_thresholds(&[0.5, 0.5], 2).is_ok());
        assert!(validate_thresholds(&[0.0, 1.0, 2.0], 3).is_ok());
        for (bad, classes, says) in [
            (vec![0.5], 2, "one threshold per class"),
            (vec![-0.1, 1.0], 2, "≥ 0"),
            (vec![f64::NAN, 1.0], 2, "≥ 0"),
            (vec![0.0, 0.0, 1.0], 3, "at most one"),
        ] {
            let err = validate_thresholds(&bad, classes).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MlInput);
            assert!(err.to_string().contains(says), "{err}");
        }
    }
}
