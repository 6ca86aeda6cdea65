//! What a profile reports, and the limits that decide what in it is exact.

use arrow_schema::DataType;
use serde::Serialize;
use ts_rs::TS;

use crate::profile::numbers::{Histogram, Quantile};

/// Distinct values counted exactly per column.
pub const FREQUENT_CAPACITY: usize = 10_000;
/// Values kept per column for exact quantiles and histograms.
pub const SAMPLE_LIMIT: usize = 1 << 20;
/// Most frequent values reported per column.
pub const TOP_VALUES: usize = 10;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub rows: u64,
    pub columns: Vec<ColumnProfile>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnProfile {
    pub name: String,
    /// Spark SQL's name of the type.
    pub data_type: String,
    pub kind: Kind,
    pub nulls: u64,
    /// NaN values of floating-point columns (Spark counts them as missing in `dropna`).
    pub nans: u64,
    pub distinct: u64,
    pub distinct_exact: bool,
    pub numbers: Option<NumberProfile>,
    pub top_values: Vec<TopValue>,
    pub top_exact: bool,
    /// Shortest and longest text, in characters (string columns).
    pub lengths: Option<[u64; 2]>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumberProfile {
    pub min: f64,
    pub max: f64,
    /// Mean and sample standard deviation (numeric columns; NaN values left out).
    pub mean: f64,
    pub std: f64,
    pub quantiles: Vec<Quantile>,
    pub histogram: Histogram,
    /// `min`, `max` and each quantile as the grid shows values of this type.
    pub min_text: String,
    pub max_text: String,
    pub quantile_texts: Vec<String>,
    /// Quantiles and histogram come from a sample (the column has more than
    /// [`SAMPLE_LIMIT`] values); the histogram's counts are then estimates.
    pub sampled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TopValue {
    pub value: String,
    pub count: u64,
}

/// What kind of summary a column gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename = "ColumnKind")]
pub enum Kind {
    Numeric,
    Temporal,
    String,
    Boolean,
    Other,
}

impl Kind {
    pub fn of(data_type: &DataType) -> Kind {
        match data_type {
            t if t.is_numeric() => Kind::Numeric,
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) => Kind::Temporal,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::String,
            DataType::Boolean => Kind::Boolean,
            _ => Kind::Other,
        }
    }
}
