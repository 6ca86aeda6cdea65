//! The tree learners' parameters with Spark ML's names, defaults and valid ranges
//! (`org.apache.spark.ml.tree.treeParams`): one [`TreeParams`] shared by every learner,
//! and the ensembles' own ([`ForestParams`], [`GbtParams`]) around it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::ml::thresholds::validate_thresholds;

/// Spark's `DecisionTree currently only supports maxDepth <= 30`.
pub const MAX_DEPTH_LIMIT: usize = 30;

/// How a node's label statistics are scored (Spark's `impurity`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Impurity {
    /// `1 - Σ pₖ²` (classification; Spark's default for classifiers).
    #[default]
    Gini,
    /// `-Σ pₖ log₂ pₖ` (classification).
    Entropy,
    /// The weighted variance of the label (regression; the only choice there).
    Variance,
}

impl Impurity {
    pub fn name(self) -> &'static str {
        match self {
            Impurity::Gini => "gini",
            Impurity::Entropy => "entropy",
            Impurity::Variance => "variance",
        }
    }
}

/// What a tree predicts: a class among `num_classes` (labels `0..num_classes`), or a
/// number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeTask {
    Classification { num_classes: usize },
    Regression,
}

/// The parameters every tree learner has; `Default` is Spark's defaults, with the
/// impurity left to the estimator (gini for a classifier, variance for a regressor, as
/// Spark's two classes default it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct TreeParams {
    /// Depth of the deepest leaf (0 = the root alone), at most 30.
    pub max_depth: usize,
    /// Most bins a continuous feature is cut into (≥ 2); also the most categories a
    /// categorical feature may have.
    pub max_bins: usize,
    /// A split is refused if either child would hold fewer rows (≥ 1).
    pub min_instances_per_node: usize,
    /// A split is refused if it gains less than this (≥ 0).
    pub min_info_gain: f64,
    /// A split is refused if either child would hold less than this fraction of the
    /// training weight (in [0, 0.5)).
    pub min_weight_fraction_per_node: f64,
    /// Unset: the estimator's default ([`TreeParams::impurity_for`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impurity: Option<Impurity>,
    /// A classifier's `thresholds` (Spark's `HasThresholds`, one per class): the class
    /// with the largest `probability / threshold` is predicted. Unset: the most probable
    /// class. A regressor has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Vec<f64>>,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: 5,
            max_bins: 32,
            min_instances_per_node: 1,
            min_info_gain: 0.0,
            min_weight_fraction_per_node: 0.0,
            impurity: None,
            thresholds: None,
        }
    }
}

impl TreeParams {
    /// Spark's defaults for a classifier, the impurity spelt out (gini).
    pub fn classifier() -> Self {
        TreeParams {
            impurity: Some(Impurity::Gini),
            ..TreeParams::default()
        }
    }

    /// Spark's defaults for a regressor, the impurity spelt out (variance).
    pub fn regressor() -> Self {
        TreeParams {
            impurity: Some(Impurity::Variance),
            ..TreeParams::default()
        }
    }

    /// The impurity a tree for `task` is grown with: the one set, else Spark's default
    /// (gini for classification, variance for regression).
    pub fn impurity_for(&self, task: TreeTask) -> Impurity {
        match (self.impurity, task) {
            (Some(impurity), _) => impurity,
            (None, TreeTask::Classification { .. }) => Impurity::Gini,
            (None, TreeTask::Regression) => Impurity::Variance,
        }
    }

    /// Spark's ranges, and an impurity that fits the task.
    pub fn validate(&self, task: TreeTask) -> Result<()> {
        if self.max_depth > MAX_DEPTH_LIMIT {
            return bad(format!(
                "maxDepth must be at most {MAX_DEPTH_LIMIT}, not {}",
                self.max_depth
            ));
        }
        if self.max_bins < 2 {
            return bad(format!("maxBins must be at least 2, not {}", self.max_bins));
        }
        if self.max_bins > u16::MAX as usize {
            return bad(format!(
                "maxBins must be at most {}, not {}",
                u16::MAX,
                self.max_bins
            ));
        }
        if self.min_instances_per_node < 1 {
            return bad("minInstancesPerNode must be at least 1, not 0".to_string());
        }
        if self.min_info_gain.is_nan()
            || self.min_info_gain < 0.0
            || self.min_info_gain.is_infinite()
        {
            return bad(format!(
                "minInfoGain must be ≥ 0, not {}",
                self.min_info_gain
            ));
        }
        if !(0.0..0.5).contains(&self.min_weight_fraction_per_node) {
            return bad(format!(
                "minWeightFractionPerNode must be in [0, 0.5), not {}",
                self.min_weight_fraction_per_node
            ));
        }
        check_thresholds(self.thresholds.as_deref(), task, "a regressor")?;
        match (task, self.impurity_for(task)) {
            (TreeTask::Classification { num_classes }, _) if num_classes < 2 => bad(format!(
                "a classifier needs at least 2 classes, the label has {num_classes}"
            )),
            (TreeTask::Classification { .. }, Impurity::Variance) => {
                bad("impurity must be gini or entropy for a classifier, not variance".to_string())
            }
            (TreeTask::Regression, Impurity::Gini | Impurity::Entropy) => bad(format!(
                "impurity must be variance for a regressor, not {}",
                self.impurity_for(task).name()
            )),
            _ => Ok(()),
        }
    }
}

/// Which features a node of a forest may split on (Spark's `featureSubsetStrategy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, TS)]
#[serde(into = "String", try_from = "String")]
#[ts(type = "string")]
pub enum FeatureSubset {
    /// `sqrt` for classification, `onethird` for regression; `all` for a single tree.
    #[default]
    Auto,
    All,
    Sqrt,
    Log2,
    OneThird,
    /// A number of features (`"5"`), at most all of them.
    Number(usize),
    /// A fraction of the features in (0, 1] (`"0.4"`), rounded up.
    Fraction(f64),
}

impl FeatureSubset {
    /// Parses Spark's strings: `auto`, `all`, `sqrt`, `log2`, `onethird`, an integer
    /// `n ≥ 1` or a fraction in (0, 1].
    pub fn parse(text: &str) -> Result<FeatureSubset> {
        let lower = text.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "auto" => FeatureSubset::Auto,
            "all" => FeatureSubset::All,
            "sqrt" => FeatureSubset::Sqrt,
            "log2" => FeatureSubset::Log2,
            "onethird" => FeatureSubset::OneThird,
            _ => {
                if let Ok(n) = lower.parse::<i64>() {
                    if n > 0 {
                        return Ok(FeatureSubset::Number(n as usize));
                    }
                } else if let Ok(f) = lower.parse::<f64>() {
                    if f > 0.0 && f <= 1.0 {
                        return Ok(FeatureSubset::Fraction(f));
                    }
                }
                return bad(format!(
                    "featureSubsetStrategy must be auto, all, onethird, sqrt, log2, an \
                     integer in [1, n] or a fraction in (0.0, 1.0], not {text:?}"
                ));
            }
        })
    }

    /// How many features a node considers, as Spark's `DecisionTreeMetadata` decides.
    pub fn features_per_node(
        &self,
        num_features: usize,
        num_trees: usize,
        task: TreeTask,
    ) -> usize {
        let n = num_features as f64;
        let resolved = match self {
            FeatureSubset::Auto if num_trees == 1 => &FeatureSubset::All,
            FeatureSubset::Auto => match task {
                TreeTask::Classification { .. } => &FeatureSubset::Sqrt,
                TreeTask::Regression => &FeatureSubset::OneThird,
            },
            other => other,
        };
        let k = match resolved {
            FeatureSubset::Auto | FeatureSubset::All => num_features,
            FeatureSubset::Sqrt => n.sqrt().ceil() as usize,
            FeatureSubset::Log2 => ((n.ln() / 2f64.ln()).ceil() as usize).max(1),
            FeatureSubset::OneThird => (n / 3.0).ceil() as usize,
            FeatureSubset::Number(k) => (*k).min(num_features),
            FeatureSubset::Fraction(f) => (f * n).ceil() as usize,
        };
        k.clamp(1, num_features.max(1))
    }
}

impl From<FeatureSubset> for String {
    fn from(s: FeatureSubset) -> String {
        match s {
            FeatureSubset::Auto => "auto".into(),
            FeatureSubset::All => "all".into(),
            FeatureSubset::Sqrt => "sqrt".into(),
            FeatureSubset::Log2 => "log2".into(),
            FeatureSubset::OneThird => "onethird".into(),
            FeatureSubset::Number(n) => n.to_string(),
            FeatureSubset::Fraction(f) => f.to_string(),
        }
    }
}

impl TryFrom<String> for FeatureSubset {
    type Error = Error;
    fn try_from(s: String) -> Result<FeatureSubset> {
        FeatureSubset::parse(&s)
    }
}

/// Brasa's default seed for the ensembles' random streams (Spark's default is a hash of
/// the class name; its streams are not reproduced, so neither is its default).
pub const DEFAULT_SEED: u64 = 42;

/// RandomForestClassifier / RandomForestRegressor; `Default` is Spark's defaults (give
/// `tree: TreeParams::regressor()` for a regressor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ForestParams {
    #[serde(flatten)]
    pub tree: TreeParams,
    /// Trees in the forest (≥ 1).
    pub num_trees: usize,
    pub feature_subset_strategy: FeatureSubset,
    /// The expected share of the rows each tree learns from, in (0, 1].
    pub subsampling_rate: f64,
    /// Rows drawn with replacement (Poisson counts) rather than without.
    pub bootstrap: bool,
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            tree: TreeParams::default(),
            num_trees: 20,
            feature_subset_strategy: FeatureSubset::Auto,
            subsampling_rate: 1.0,
            bootstrap: true,
            seed: DEFAULT_SEED,
        }
    }
}

impl ForestParams {
    pub fn validate(&self, task: TreeTask) -> Result<()> {
        self.tree.validate(task)?;
        if self.num_trees < 1 {
            return bad("numTrees must be at least 1, not 0".to_string());
        }
        check_rate(self.subsampling_rate)
    }
}

/// GBT's loss (Spark's `lossType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum GbtLoss {
    /// Log-loss of the ±1 labels (the classifier's only loss).
    #[default]
    Logistic,
    /// Squared error (the regressor's default).
    Squared,
    /// Absolute error.
    Absolute,
}

/// GBTClassifier / GBTRegressor; `Default` is the classifier's defaults,
/// [`GbtParams::regressor`] the regressor's. The trees are always regression trees
/// (impurity `variance`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct GbtParams {
    #[serde(flatten)]
    pub tree: TreeParams,
    /// Boosting iterations = trees (≥ 0; Spark's first tree counts as one).
    pub max_iter: usize,
    /// Learning rate in (0, 1].
    pub step_size: f64,
    pub loss_type: GbtLoss,
    pub subsampling_rate: f64,
    pub feature_subset_strategy: FeatureSubset,
    pub seed: u64,
    /// With validation rows: stop once an iteration improves the validation loss by less
    /// than `validationTol × max(loss, 0.01)` (≥ 0).
    pub validation_tol: f64,
}

impl Default for GbtParams {
    fn default() -> Self {
        GbtParams {
            tree: TreeParams::regressor(),
            max_iter: 20,
            step_size: 0.1,
            loss_type: GbtLoss::Logistic,
            subsampling_rate: 1.0,
            feature_subset_strategy: FeatureSubset::All,
            seed: DEFAULT_SEED,
            validation_tol: 0.01,
        }
    }
}

impl GbtParams {
    pub fn regressor() -> Self {
        GbtParams {
            loss_type: GbtLoss::Squared,
            ..GbtParams::default()
        }
    }

    /// `classifier`: a GBTClassifier (binary labels, logistic loss only).
    pub fn validate(&self, classifier: bool) -> Result<()> {
        // The trees regress on pseudo-residuals whatever the estimator.
        let mut tree = self.tree.clone();
        tree.impurity = Some(Impurity::Variance);
        tree.thresholds = None;
        tree.validate(TreeTask::Regression)?;
        let task = if classifier {
            TreeTask::Classification { num_classes: 2 }
        } else {
            TreeTask::Regression
        };
        check_thresholds(self.tree.thresholds.as_deref(), task, "GBTRegressor")?;
        if self.max_iter < 1 {
            return bad("maxIter must be at least 1, not 0".to_string());
        }
        if self.validation_tol.is_nan() || self.validation_tol < 0.0 {
            return bad(format!(
                "validationTol must be ≥ 0, not {}",
                self.validation_tol
            ));
        }
        if !(self.step_size > 0.0 && self.step_size <= 1.0) {
            return bad(format!(
                "stepSize must be in (0, 1], not {}",
                self.step_size
            ));
        }
        match (classifier, self.loss_type) {
            (true, GbtLoss::Logistic) | (false, GbtLoss::Squared | GbtLoss::Absolute) => {}
            (true, other) => {
                return bad(format!(
                    "lossType must be logistic for GBTClassifier, not {other:?}"
                ))
            }
            (false, GbtLoss::Logistic) => {
                return bad("lossType must be squared or absolute for GBTRegressor".to_string())
            }
        }
        check_rate(self.subsampling_rate)
    }
}

/// A classifier's `thresholds` by Spark's rule; a regressor (`regressor`, as the message
/// names it) takes none.
fn check_thresholds(thresholds: Option<&[f64]>, task: TreeTask, regressor: &str) -> Result<()> {
    match (thresholds, task) {
        (Some(thresholds), TreeTask::Classification { num_classes }) => {
            validate_thresholds(thresholds, num_classes)
        }
        (Some(_), TreeTask::Regression) => bad(format!(
            "thresholds is a classifier's param; {regressor} has none"
        )),
        (None, _) => Ok(()),
    }
}

fn check_rate(rate: f64) -> Result<()> {
    if rate > 0.0 && rate <= 1.0 {
        Ok(())
    } else {
        bad(format!("subsamplingRate must be in (0, 1], not {rate}"))
    }
}

fn bad<T>(message: String) -> Result<T> {
    Err(Error::new(ErrorCode::MlInput, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_names_are_sparks() {
        let json = serde_json::to_value(TreeParams::default()).unwrap();
        assert_eq!(json["maxDepth"], 5);
        assert_eq!(json["maxBins"], 32);
        assert_eq!(json["minInstancesPerNode"], 1);
        assert_eq!(json["minInfoGain"], 0.0);
        assert_eq!(json["minWeightFractionPerNode"], 0.0);
        assert!(
            json.get("impurity").is_none(),
            "unset: the estimator's default"
        );
        let class = TreeTask::Classification { num_classes: 2 };
        assert_eq!(TreeParams::default().impurity_for(class), Impurity::Gini);
        assert_eq!(
            TreeParams::default().impurity_for(TreeTask::Regression),
            Impurity::Variance
        );
        assert_eq!(
            serde_json::to_value(TreeParams::classifier()).unwrap()["impurity"],
            "gini"
        );
        let forest = serde_json::to_value(ForestParams::default()).unwrap();
        assert_eq!(forest["numTrees"], 20);
        assert_eq!(forest["featureSubsetStrategy"], "auto");
        assert_eq!(forest["maxDepth"], 5);
        let gbt = serde_json::to_value(GbtParams::default()).unwrap();
        assert_eq!(gbt["maxIter"], 20);
        assert_eq!(gbt["stepSize"], 0.1);
        assert_eq!(gbt["lossType"], "logistic");
        assert_eq!(gbt["featureSubsetStrategy"], "all");
        assert_eq!(gbt["validationTol"], 0.01);
        let parsed: ForestParams =
            serde_json::from_str(r#"{"featureSubsetStrategy": "0.5", "maxBins": 16}"#).unwrap();
        assert_eq!(parsed.feature_subset_strategy, FeatureSubset::Fraction(0.5));
        assert_eq!(parsed.tree.max_bins, 16);
    }

    #[test]
    fn out_of_range_params_name_the_param() {
        let class = TreeTask::Classification { num_classes: 2 };
        let ok = TreeParams::default();
        assert!(ok.validate(class).is_ok());
        for (params, name) in [
            (
                TreeParams {
                    max_depth: 31,
                    ..ok.clone()
                },
                "maxDepth",
            ),
            (
                TreeParams {
                    max_bins: 1,
                    ..ok.clone()
                },
                "maxBins",
            ),
            (
                TreeParams {
                    min_instances_per_node: 0,
                    ..ok.clone()
                },
                "minInstancesPerNode",
            ),
            (
                TreeParams {
                    min_info_gain: -1.0,
                    ..ok.clone()
                },
                "minInfoGain",
            ),
            (
                TreeParams {
                    min_info_gain: f64::NAN,
                    ..ok.clone()
                },
                "minInfoGain",
            ),
            (
                TreeParams {
                    min_weight_fraction_per_node: 0.5,
                    ..ok.clone()
                },
                "minWeightFractionPerNode",
            ),
            (
                TreeParams {
                    impurity: Some(Impurity::Variance),
                    ..ok.clone()
                },
                "impurity",
            ),
        ] {
            let err = params.validate(class).unwrap_err();
            assert_eq!(err.code(), ErrorCode::MlInput);
            assert!(err.message().contains(name), "{}", err.message());
        }
        assert!(
            ok.validate(TreeTask::Regression).is_ok(),
            "unset, the impurity is the regressor's"
        );
        assert!(TreeParams::classifier()
            .validate(TreeTask::Regression)
            .is_err());
        assert!(TreeParams::regressor()
            .validate(TreeTask::Regression)
            .is_ok());
        for text in ["0", "-1", "1.5", "half", "0.0"] {
            assert!(FeatureSubset::parse(text).is_err(), "{text}");
        }
        let gbt = GbtParams::default();
        assert!(gbt.validate(true).is_ok());
        assert!(gbt.validate(false).is_err());
        assert!(GbtParams {
            step_size: 0.0,
            ..gbt.clone()
        }
        .validate(true)
        .is_err());
        assert!(GbtParams::regressor().validate(false).is_ok());
        let forest = ForestParams {
            subsampling_rate: 0.0,
            ..ForestParams::default()
        };
        assert!(forest
            .validate(class)
            .unwrap_err()
            .message()
            .contains("subsamplingRate"));
    }

    #[test]
    fn features_per_node_follow_spark() {
        let c = TreeTask::Classification { num_classes: 2 };
        let r = TreeTask::Regression;
        assert_eq!(FeatureSubset::Auto.features_per_node(11, 1, c), 11);
        assert_eq!(FeatureSubset::Auto.features_per_node(11, 20, c), 4);
        assert_eq!(FeatureSubset::Auto.features_per_node(11, 20, r), 4);
        assert_eq!(FeatureSubset::Log2.features_per_node(11, 20, r), 4);
        assert_eq!(FeatureSubset::Log2.features_per_node(1, 20, r), 1);
        assert_eq!(FeatureSubset::Number(50).features_per_node(11, 20, r), 11);
        assert_eq!(FeatureSubset::Fraction(0.3).features_per_node(11, 20, r), 4);
    }
}
