//! The serialisable description of a cleaning pipeline (`www/src/clean/shared/pipeline.ts`
//! is its TypeScript twin).
//!
//! A pipeline is an ordered list of [`Step`]s named and parameterised as in PySpark. An
//! estimator step (Imputer, StringIndexer, OneHotEncoder) carries what it learned in
//! `fitted` once applied, so a fitted pipeline (Spark's `PipelineModel`) is the same type
//! and replays exactly on another file. The format is versioned: a newer version than
//! this engine knows is refused with a message instead of being half-understood.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};

/// The version this engine writes and reads.
pub const PIPELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PipelineSpec {
    pub version: u32,
    pub steps: Vec<Step>,
}

impl Default for PipelineSpec {
    fn default() -> Self {
        PipelineSpec {
            version: PIPELINE_VERSION,
            steps: Vec::new(),
        }
    }
}

impl PipelineSpec {
    /// Parses a pipeline from JSON, refusing versions this engine does not know.
    pub fn from_json(json: &str) -> Result<Self> {
        let spec: PipelineSpec = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("this is not a Brasa pipeline: {e}"),
            )
        })?;
        spec.check_version()?;
        Ok(spec)
    }

    pub fn check_version(&self) -> Result<()> {
        if self.version == 0 || self.version > PIPELINE_VERSION {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "the pipeline is format version {} but this Brasa reads version {PIPELINE_VERSION}; open it with a newer Brasa",
                    self.version
                ),
            ));
        }
        Ok(())
    }

    /// Whether every estimator step carries its fitted state.
    pub fn is_fitted(&self) -> bool {
        self.steps.iter().all(Step::is_fitted)
    }
}

/// `how` of `df.dropna`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum HowNa {
    #[default]
    Any,
    All,
}

/// Imputer's `strategy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ImputerStrategy {
    #[default]
    Mean,
    Median,
    Mode,
}

/// StringIndexer's `stringOrderType`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StringOrderType {
    #[default]
    FrequencyDesc,
    FrequencyAsc,
    AlphabetDesc,
    AlphabetAsc,
}

/// StringIndexer's and OneHotEncoder's `handleInvalid`: the same parameter, with the same
/// values, as VectorAssembler's.
pub use crate::params::HandleInvalid;

/// A value for `fillna`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum FillValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelectColumn {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImputerFitted {
    pub surrogates: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StringIndexerFitted {
    pub labels: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OneHotEncoderFitted {
    pub category_sizes: Vec<usize>,
    pub category_names: Vec<Vec<String>>,
}

fn default_true() -> bool {
    true
}

/// One cleaning step, named and parameterised as in PySpark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Step {
    /// `df.filter("<SQL boolean expression>")`.
    Filter { condition: String },
    /// `df.drop(*columns)`.
    Drop { columns: Vec<String> },
    /// `df.select(col(name).alias(alias), ...)`.
    Select { columns: Vec<SelectColumn> },
    /// `df.dropna(how, thresh, subset)`.
    Dropna {
        #[serde(default)]
        how: HowNa,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thresh: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subset: Option<Vec<String>>,
    },
    /// `df.fillna({column: value})`.
    Fillna { values: BTreeMap<String, FillValue> },
    #[serde(rename_all = "camelCase")]
    Imputer {
        input_cols: Vec<String>,
        output_cols: Vec<String>,
        #[serde(default)]
        strategy: ImputerStrategy,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        missing_value: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fitted: Option<ImputerFitted>,
    },
    #[serde(rename_all = "camelCase")]
    StringIndexer {
        input_cols: Vec<String>,
        output_cols: Vec<String>,
        #[serde(default)]
        string_order_type: StringOrderType,
        #[serde(default)]
        handle_invalid: HandleInvalid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fitted: Option<StringIndexerFitted>,
    },
    #[serde(rename_all = "camelCase")]
    OneHotEncoder {
        input_cols: Vec<String>,
        output_cols: Vec<String>,
        #[serde(default = "default_true")]
        drop_last: bool,
        #[serde(default)]
        handle_invalid: HandleInvalid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fitted: Option<OneHotEncoderFitted>,
    },
    /// `df.withColumn(column, col(column).cast(dataType))`.
    #[serde(rename_all = "camelCase")]
    Cast { column: String, data_type: String },
    /// `df.withColumn(column, expr("<SQL expression>"))`.
    WithColumn { column: String, expr: String },
    /// `df.dropDuplicates(subset)`.
    DropDuplicates {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subset: Option<Vec<String>>,
    },
    /// `df.repartition(numPartitions)`.
    #[serde(rename_all = "camelCase")]
    Repartition { num_partitions: usize },
    /// `df.cache()`.
    Cache,
}

impl Step {
    /// The step's `op` as the JSON spells it.
    pub fn op(&self) -> &'static str {
        match self {
            Step::Filter { .. } => "filter",
            Step::Drop { .. } => "drop",
            Step::Select { .. } => "select",
            Step::Dropna { .. } => "dropna",
            Step::Fillna { .. } => "fillna",
            Step::Imputer { .. } => "imputer",
            Step::StringIndexer { .. } => "stringIndexer",
            Step::OneHotEncoder { .. } => "oneHotEncoder",
            Step::Cast { .. } => "cast",
            Step::WithColumn { .. } => "withColumn",
            Step::DropDuplicates { .. } => "dropDuplicates",
            Step::Repartition { .. } => "repartition",
            Step::Cache => "cache",
        }
    }

    /// False for an estimator that has not learned its state yet.
    pub fn is_fitted(&self) -> bool {
        match self {
            Step::Imputer { fitted, .. } => fitted.is_some(),
            Step::StringIndexer { fitted, .. } => fitted.is_some(),
            Step::OneHotEncoder { fitted, .. } => fitted.is_some(),
            _ => true,
        }
    }

    /// The same step without what it learned: refitting it on other data starts here.
    pub fn unfitted(&self) -> Step {
        let mut step = self.clone();
        match &mut step {
            Step::Imputer { fitted, .. } => *fitted = None,
            Step::StringIndexer { fitted, .. } => *fitted = None,
            Step::OneHotEncoder { fitted, .. } => *fitted = None,
            _ => {}
        }
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_typescript_shape() {
        let json = r#"{"version":1,"steps":[
            {"op":"filter","condition":"age > 18"},
            {"op":"imputer","inputCols":["a"],"outputCols":["a"],"strategy":"median"},
            {"op":"stringIndexer","inputCols":["plan"],"outputCols":["plan_idx"],
             "stringOrderType":"alphabetAsc","handleInvalid":"keep"},
            {"op":"oneHotEncoder","inputCols":["plan_idx"],"outputCols":["plan_vec"]},
            {"op":"fillna","values":{"a":0,"b":"none","c":true}},
            {"op":"dropna","how":"all"},
            {"op":"cast","column":"a","dataType":"double"},
            {"op":"repartition","numPartitions":4},
            {"op":"cache"}
        ]}"#;
        let spec = PipelineSpec::from_json(json).unwrap();
        assert_eq!(spec.steps.len(), 9);
        assert!(matches!(
            &spec.steps[3],
            Step::OneHotEncoder {
                drop_last: true,
                handle_invalid: HandleInvalid::Error,
                ..
            }
        ));
        assert!(!spec.is_fitted());
        let again: PipelineSpec =
            serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(again, spec);
        let Step::Fillna { values } = &spec.steps[4] else {
            panic!("fillna")
        };
        assert_eq!(values["a"], FillValue::Number(0.0));
        assert_eq!(values["c"], FillValue::Bool(true));
    }

    #[test]
    fn refuses_unknown_versions_and_ops() {
        let err = PipelineSpec::from_json(r#"{"version":9,"steps":[]}"#).unwrap_err();
        assert!(err.message().contains("newer Brasa"), "{}", err.message());
        let err =
            PipelineSpec::from_json(r#"{"version":1,"steps":[{"op":"explode"}]}"#).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }
}
