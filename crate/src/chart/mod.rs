//! Charts of a result, as Databricks' visualization editor draws them: an X column, one
//! or more Y columns aggregated per X value (sum, avg, count, min, max, or none), an
//! optional series column, as bars, lines, areas, points, a pie or a histogram.
//!
//! The engine computes what is drawn, over the whole result, and sends only that: a
//! chart shows at most a few thousand points, while a result may hold millions of rows.
//! - aggregated charts group by X (and series) with Brasa's own SQL over the result
//!   ([`grouped`]), in parallel, with the job's progress and cancel flag;
//! - `none` (raw values) takes evenly spaced rows of the result ([`rows`]);
//! - a histogram bins a numeric X as the column profile does ([`histogram`]).
//!
//! What is cut is said in the answer ([`ChartData::x_total`], [`Picked`], ...), so the
//! page can say "showing N of M". Everything is checked before work starts: a Y column
//! of text with `sum` is refused with a message naming the column, never a panic.

mod grouped;
mod histogram;
mod rows;
mod spec;

pub use spec::{ChartAggregation, ChartData, ChartDataset, ChartKind, ChartSpec, Picked, XKind};

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::{is_nested, spark_type_name, Table};
use crate::job::JobContext;

/// Most X values a bar chart draws (the others are counted in [`ChartData::x_total`]).
pub const MAX_BARS: usize = 100;
/// Most slices of a pie.
pub const MAX_SLICES: usize = 20;
/// Most X values of a line, area or scatter chart.
pub const MAX_POINTS: usize = 1_000;
/// Most rows drawn without aggregation.
pub const MAX_ROWS: usize = 2_000;
/// Most series (values of the series column) drawn.
pub const MAX_SERIES: usize = 10;

/// What to draw of `table`, computed as `spec` says, as the job `ctx`.
pub fn chart_data(table: &Table, spec: &ChartSpec, ctx: &JobContext) -> Result<ChartData> {
    let columns = Columns::resolve(table, spec)?;
    if spec.kind == ChartKind::Histogram {
        return histogram::histogram(&columns, spec, ctx);
    }
    match spec.aggregation {
        ChartAggregation::None => rows::sampled(&columns, spec, ctx),
        _ => grouped::grouped(&columns, spec, ctx),
    }
}

/// The chart's columns of the result, projected into a table of their own with fixed
/// names (`x`, `s`, `y0`, `y1`, ...), so the queries over it never quote a user's
/// column name and a name used twice in the result is no ambiguity.
struct Columns {
    table: Table,
    x_type: DataType,
    has_series: bool,
    /// The Y columns' names in the result (empty: `count(*)`).
    y_names: Vec<String>,
}

impl Columns {
    fn resolve(table: &Table, spec: &ChartSpec) -> Result<Columns> {
        let find = |name: &str, role: &str| -> Result<usize> {
            table
                .schema()
                .fields()
                .iter()
                .position(|f| f.name() == name)
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidArgument,
                        format!("the result has no column `{name}` to use as {role}"),
                    )
                    .in_column(name)
                })
        };
        let x = find(&spec.x, "X")?;
        let x_type = table.schema().field(x).data_type().clone();
        check_x(&spec.x, &x_type, spec.kind)?;
        let series = match &spec.series {
            Some(name) => {
                let i = find(name, "the series")?;
                check_groupable(name, table.schema().field(i).data_type(), "a series")?;
                Some(i)
            }
            None => None,
        };
        let ys = if spec.kind == ChartKind::Histogram {
            Vec::new()
        } else {
            spec.y
                .iter()
                .map(|name| {
                    let i = find(name, "Y")?;
                    check_y(name, table.schema().field(i).data_type(), spec.aggregation)?;
                    Ok(i)
                })
                .collect::<Result<Vec<_>>>()?
        };
        let counts_rows =
            spec.kind == ChartKind::Histogram || spec.aggregation == ChartAggregation::Count;
        if ys.is_empty() && !counts_rows {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "pick a Y column (or count rows with the count aggregation)",
            ));
        }
        let mut picked = vec![("x", x)];
        if let Some(s) = series {
            picked.push(("s", s));
        }
        let y_labels: Vec<String> = (0..ys.len()).map(|i| format!("y{i}")).collect();
        picked.extend(y_labels.iter().map(String::as_str).zip(ys.iter().copied()));
        let schema = Arc::new(Schema::new(
            picked
                .iter()
                .map(|&(name, i)| {
                    // The metadata too: an interval's fields are there.
                    let field = table.schema().field(i);
                    Field::new(name, field.data_type().clone(), true)
                        .with_metadata(field.metadata().clone())
                })
                .collect::<Vec<_>>(),
        ));
        let partitions = table
            .partitions()?
            .iter()
            .map(|batch| {
                let columns = picked
                    .iter()
                    .map(|&(_, i)| Arc::clone(batch.column(i)))
                    .collect();
                RecordBatch::try_new(Arc::clone(&schema), columns)
                    .map_err(|e| Error::internal("picking the chart's columns", e))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Columns {
            table: Table::try_new(schema, partitions)?,
            x_type,
            has_series: series.is_some(),
            y_names: spec.y.clone(),
        })
    }

    /// Each row's series value as Spark prints it (all `None` without a series column).
    fn series_of(&self, batch: &RecordBatch) -> Result<Vec<Option<String>>> {
        if self.has_series {
            grouped::labels(batch, 1)
        } else {
            Ok(vec![None; batch.num_rows()])
        }
    }

    /// Where the Y columns start in the chart's columns (and in the grouped rows).
    fn first_y(&self) -> usize {
        if self.has_series {
            2
        } else {
            1
        }
    }

    /// Series drawn and series in all (both 0 without a series column).
    fn series_counts(&self, shown: usize, total: usize) -> (u64, u64) {
        if self.has_series {
            (shown as u64, total as u64)
        } else {
            (0, 0)
        }
    }

    /// A series value's name (`null` for NULL); `None` without a series column.
    fn series_name<'a>(&self, value: &'a Option<String>) -> Option<&'a str> {
        self.has_series
            .then(|| value.as_deref().unwrap_or(NULL_LABEL))
    }

    /// How X is laid out: numbers on a linear axis, dates and timestamps in time order,
    /// anything else as categories.
    fn x_kind(&self) -> XKind {
        if is_number(&self.x_type) {
            XKind::Number
        } else if is_time(&self.x_type) {
            XKind::Time
        } else {
            XKind::Category
        }
    }
}

/// A dataset's legend label: the aggregated Y (`sum(spend)`), prefixed with the series
/// value when there is one (`north` alone when there is one Y).
fn dataset_label(series: Option<&str>, y: &str, ys: usize) -> String {
    match series {
        Some(s) if ys <= 1 => s.to_string(),
        Some(s) => format!("{s} · {y}"),
        None => y.to_string(),
    }
}

/// How a NULL X or series value is labelled.
const NULL_LABEL: &str = "null";

fn check_x(name: &str, t: &DataType, kind: ChartKind) -> Result<()> {
    if kind == ChartKind::Histogram && !is_number(t) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "a histogram bins numbers, and `{name}` is {} (pick a numeric column, or draw a bar chart with count)",
                an(&spark_type_name(t))
            ),
        )
        .in_column(name));
    }
    check_groupable(name, t, "X")
}

fn check_groupable(name: &str, t: &DataType, role: &str) -> Result<()> {
    if is_nested(t) || matches!(t, DataType::Binary | DataType::LargeBinary) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "`{name}` is {} and cannot be {role} (pick a column of numbers, text, dates or booleans)",
                an(&spark_type_name(t))
            ),
        )
        .in_column(name));
    }
    Ok(())
}

fn check_y(name: &str, t: &DataType, aggregation: ChartAggregation) -> Result<()> {
    if aggregation == ChartAggregation::Count || is_number(t) {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::InvalidArgument,
        format!(
            "Y must be numeric, and `{name}` is {}: pick a numeric column, or count its values with the count aggregation",
            an(&spark_type_name(t))
        ),
    )
    .in_column(name))
}

/// `a string`, `an int`.
fn an(word: &str) -> String {
    let vowel = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if vowel { "an" } else { "a" })
}

fn is_number(t: &DataType) -> bool {
    t.is_numeric()
}

fn is_time(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
    )
}

/// `count` of the indices `0..total` spread evenly, first and last included.
fn evenly_spaced(total: usize, count: usize) -> Vec<usize> {
    if total <= count {
        return (0..total).collect();
    }
    if count <= 1 {
        return vec![0];
    }
    (0..count)
        .map(|i| ((i as u128 * (total - 1) as u128) / (count - 1) as u128) as usize)
        .collect()
}

/// The indices of the `count` largest `weights` (by magnitude; the earlier on ties), in
/// their original order.
fn largest(weights: &[f64], count: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..weights.len()).collect();
    let magnitude = |i: usize| {
        let w = weights[i].abs();
        if w.is_nan() {
            0.0
        } else {
            w
        }
    };
    order.sort_by(|&a, &b| magnitude(b).total_cmp(&magnitude(a)).then(a.cmp(&b)));
    order.truncate(count);
    order.sort_unstable();
    order
}

/// Finite numbers only: NaN and infinities cannot be drawn (and are not JSON).
fn drawable(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evenly_spaced_keeps_both_ends() {
        assert_eq!(evenly_spaced(3, 5), [0, 1, 2]);
        assert_eq!(evenly_spaced(10, 4), [0, 3, 6, 9]);
        assert_eq!(evenly_spaced(10, 1), [0]);
    }

    #[test]
    fn largest_keeps_order_and_breaks_ties_by_position() {
        assert_eq!(largest(&[1.0, -5.0, 3.0, 5.0, f64::NAN], 2), [1, 3]);
        assert_eq!(largest(&[2.0, 2.0, 2.0], 2), [0, 1]);
    }
}
