//! KMeans' parameters, with Spark ML's names, defaults and valid ranges
//! (`org.apache.spark.ml.clustering.KMeansParams`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};

/// How the first centres are chosen (Spark's `initMode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum InitMode {
    /// Scalable k-means++ (Bahmani et al., VLDB 2012), Spark's default.
    #[default]
    #[serde(rename = "k-means||")]
    KMeansParallel,
    /// `k` distinct rows drawn uniformly.
    #[serde(rename = "random")]
    Random,
}

/// The distance rows are clustered by (Spark's `distanceMeasure`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "KMeansDistance")]
pub enum DistanceMeasure {
    /// Squared Euclidean distance; centres are weighted means.
    #[default]
    Euclidean,
    /// `1 - cos(x, c)`; centres are the normalised weighted means of the normalised rows.
    Cosine,
}

/// Spark's default seed for KMeans: `HasSeed` uses the class name's Java `hashCode`
/// (`"org.apache.spark.ml.clustering.KMeans".hashCode.toLong`, -1689246527) as a 64-bit
/// two's-complement value. Brasa's product default is 42 (set by the caller); this one
/// keeps `KMeansParams::default()` equal to Spark's documented defaults.
pub const SPARK_DEFAULT_SEED: u64 = -1_689_246_527_i64 as u64;

/// KMeans' parameters; `Default` is Spark's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct KMeansParams {
    /// Number of clusters (> 1).
    pub k: usize,
    /// Most Lloyd iterations (0 keeps the initial centres).
    pub max_iter: usize,
    /// Convergence: every centre moved at most this far (Euclidean distance, or cosine
    /// distance) in one iteration.
    pub tol: f64,
    pub init_mode: InitMode,
    /// Sampling rounds of k-means|| (> 0).
    pub init_steps: usize,
    pub seed: u64,
    pub distance_measure: DistanceMeasure,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            k: 2,
            max_iter: 20,
            tol: 1e-4,
            init_mode: InitMode::KMeansParallel,
            init_steps: 2,
            seed: SPARK_DEFAULT_SEED,
            distance_measure: DistanceMeasure::Euclidean,
        }
    }
}

impl KMeansParams {
    /// Spark's ranges: `k > 1`, `maxIter ≥ 0`, `tol ≥ 0`, `initSteps > 0`.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::new(ErrorCode::MlInput, what));
        if self.k < 2 {
            return bad(format!(
                "k must be at least 2 (KMeans needs two clusters or more), not {}",
                self.k
            ));
        }
        if self.tol.is_nan() || self.tol < 0.0 {
            return bad(format!("tol must be ≥ 0, not {}", self.tol));
        }
        if self.init_steps == 0 {
            return bad("initSteps must be at least 1".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_names_are_sparks() {
        let params = KMeansParams::default();
        let json = serde_json::to_value(&params).unwrap();
        assert_eq!(json["k"], 2);
        assert_eq!(json["maxIter"], 20);
        assert_eq!(json["tol"], 1e-4);
        assert_eq!(json["initMode"], "k-means||");
        assert_eq!(json["initSteps"], 2);
        assert_eq!(json["distanceMeasure"], "euclidean");
        assert_eq!(params.seed as i64, -1_689_246_527);
        let parsed: KMeansParams =
            serde_json::from_str(r#"{"k": 5, "initMode": "random", "distanceMeasure": "cosine"}"#)
                .unwrap();
        assert_eq!(parsed.k, 5);
        assert_eq!(parsed.init_mode, InitMode::Random);
        assert_eq!(parsed.distance_measure, DistanceMeasure::Cosine);
        assert_eq!(parsed.max_iter, 20);
    }

    #[test]
    fn out_of_range_params_are_refused() {
        let ok = KMeansParams::default();
        assert!(ok.validate().is_ok());
        for bad in [
            KMeansParams { k: 1, ..ok.clone() },
            KMeansParams {
                tol: -1.0,
                ..ok.clone()
            },
            KMeansParams {
                tol: f64::NAN,
                ..ok.clone()
            },
            KMeansParams {
                init_steps: 0,
                ..ok.clone()
            },
        ] {
            let err = bad.validate().unwrap_err();
            assert_eq!(err.code(), ErrorCode::MlInput);
        }
        assert!(KMeansParams { max_iter: 0, ..ok }.validate().is_ok());
    }
}
