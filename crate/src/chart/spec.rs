//! What the page asks a chart to show ([`ChartSpec`], Databricks' visualization editor's
//! settings) and what the engine answers ([`ChartData`]: labels and values ready to draw).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ChartKind {
    Bar,
    Line,
    Area,
    Scatter,
    Pie,
    /// Counts of a numeric X in equal bins (Y and the aggregation are not used).
    Histogram,
}

/// How the Y values of one X value (and series) become one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ChartAggregation {
    Sum,
    Avg,
    /// Non-NULL Y values (rows, `count(*)`, when no Y is picked).
    Count,
    Min,
    Max,
    /// Every row's own values (a sample of evenly spaced rows past a limit).
    None,
}

impl ChartAggregation {
    /// Spark SQL's aggregate function.
    pub fn sql_name(self) -> Option<&'static str> {
        match self {
            ChartAggregation::Sum => Some("sum"),
            ChartAggregation::Avg => Some("avg"),
            ChartAggregation::Count => Some("count"),
            ChartAggregation::Min => Some("min"),
            ChartAggregation::Max => Some("max"),
            ChartAggregation::None => None,
        }
    }
}

/// A chart's settings, by column names of the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub x: String,
    /// One dataset per Y column (per series value); empty with `count` counts rows.
    #[serde(default)]
    pub y: Vec<String>,
    /// A column whose values split each Y into one dataset per value.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    pub aggregation: ChartAggregation,
}

/// How X is laid out on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ChartXKind")]
pub enum XKind {
    /// Numbers: `xValues` places each point on a linear axis (lines, areas, points).
    Number,
    /// Dates and timestamps, in time order (labels as Spark prints them).
    Time,
    /// Anything else (text, booleans), in sort order.
    Category,
}

/// Which X values (or rows) were kept when there were more than the chart draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ChartPicked")]
pub enum Picked {
    /// All of them.
    All,
    /// The ones with the largest first dataset's value (totalled over the series).
    Largest,
    /// Evenly spaced through X's order (or the rows' order), first and last included.
    EvenlySpaced,
}

/// One line, set of bars or of points: a value per label (NULL where the group is empty).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartDataset {
    pub label: String,
    /// The aggregated column as drawn (`sum(spend)`, `count(*)`, `spend`).
    pub y: String,
    /// The series value this dataset is for (`null` for a NULL series value).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    pub values: Vec<Option<f64>>,
}

/// What to draw: labels along X and a dataset per Y (and series value), aligned.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartData {
    pub kind: ChartKind,
    /// As asked (`count` for a histogram): with `none`, each point is a row.
    pub aggregation: ChartAggregation,
    /// The X column (the binned column for a histogram).
    pub x: String,
    pub x_kind: XKind,
    /// One per point or bar, as Spark prints the value; NULL is `null`.
    pub labels: Vec<String>,
    /// With `xKind` `number`: each label's value (NULL where X is NULL).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_values: Option<Vec<Option<f64>>>,
    pub datasets: Vec<ChartDataset>,
    /// X values (rows without aggregation, bins for a histogram) drawn, and in all.
    pub x_shown: u64,
    pub x_total: u64,
    pub picked: Picked,
    /// Series values drawn (the largest by their total), and in all.
    pub series_shown: u64,
    pub series_total: u64,
    /// Values a histogram could not bin (NULL, NaN, infinite).
    pub left_out: u64,
}
