//! Aggregated charts: one value per X value (and series value) and Y column, computed by
//! Brasa's SQL over the chart's columns (a parallel hash aggregate with the job's progress
//! and cancel flag), then cut to what the chart draws.
//!
//! The grouped rows come back ordered by X (NULL first, Spark's order), so X values are
//! runs of rows; the series are ordered by a second, small query over the groups.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch};
use arrow_schema::DataType;

use crate::chart::{
    dataset_label, drawable, evenly_spaced, largest, ChartData, ChartDataset, ChartKind, ChartSpec,
    Columns, Picked, XKind, MAX_BARS, MAX_POINTS, MAX_SERIES, MAX_SLICES, NULL_LABEL,
};
use crate::error::{Error, Result};
use crate::frame::{display_field, Catalog, Table};
use crate::job::JobContext;
use crate::sql::query;

pub(super) fn grouped(columns: &Columns, spec: &ChartSpec, ctx: &JobContext) -> Result<ChartData> {
    let function = spec.aggregation.sql_name().unwrap_or("count");
    let mut catalog = Catalog::new();
    catalog.register("chart", columns.table.clone(), false)?;
    let keys = if columns.has_series { "x, s" } else { "x" };
    let values: Vec<String> = if columns.y_names.is_empty() {
        vec!["CAST(count(*) AS DOUBLE) AS y0".to_string()]
    } else {
        (0..columns.y_names.len())
            .map(|i| format!("CAST({function}(y{i}) AS DOUBLE) AS y{i}"))
            .collect()
    };
    let groups = query(
        &catalog,
        &format!(
            "SELECT {keys}, {} FROM chart GROUP BY {keys} ORDER BY {keys}",
            values.join(", ")
        ),
        ctx,
    )?;
    let y_labels: Vec<String> = if columns.y_names.is_empty() {
        vec!["count(*)".to_string()]
    } else {
        columns
            .y_names
            .iter()
            .map(|y| format!("{function}({y})"))
            .collect()
    };
    let series = if columns.has_series {
        Some(series_order(&groups, ctx)?)
    } else {
        None
    };
    let rows = GroupRows::read(&groups, columns, y_labels.len())?;
    let x_total = rows.x_labels.len();
    let cap = match spec.kind {
        ChartKind::Pie => MAX_SLICES,
        ChartKind::Bar => MAX_BARS,
        _ => MAX_POINTS,
    };
    let ordered = columns.x_kind() != XKind::Category && spec.kind != ChartKind::Pie;
    let (kept, picked) = if x_total <= cap {
        ((0..x_total).collect(), Picked::All)
    } else if ordered {
        (evenly_spaced(x_total, cap), Picked::EvenlySpaced)
    } else {
        (largest(&rows.x_weights, cap), Picked::Largest)
    };
    let mut position = vec![None; x_total];
    for (p, &x) in kept.iter().enumerate() {
        position[x] = Some(p);
    }
    // Series kept, in series order: (its label, its slot among the datasets).
    let (series_labels, series_total): (Vec<Option<String>>, usize) = match &series {
        Some(order) => {
            let weights: Vec<f64> = order.iter().map(|(_, w)| *w).collect();
            let keep = largest(&weights, MAX_SERIES);
            (
                keep.iter().map(|&i| order[i].0.clone()).collect(),
                order.len(),
            )
        }
        None => (vec![None], 1),
    };
    let slot: HashMap<Option<String>, usize> = series_labels
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i))
        .collect();
    let ys = y_labels.len();
    let width = kept.len();
    let mut datasets: Vec<ChartDataset> = series_labels
        .iter()
        .flat_map(|s| {
            let series = columns.series_name(s);
            y_labels.iter().map(move |y| ChartDataset {
                label: dataset_label(series, y, ys),
                y: y.clone(),
                series: series.map(str::to_string),
                values: vec![None; width],
            })
        })
        .collect();
    for group in &rows.groups {
        let (Some(p), Some(&s)) = (position[group.x], slot.get(&group.series)) else {
            continue;
        };
        for (y, value) in group.values.iter().enumerate() {
            datasets[s * ys + y].values[p] = *value;
        }
    }
    let (series_shown, series_total) = columns.series_counts(series_labels.len(), series_total);
    Ok(ChartData {
        kind: spec.kind,
        aggregation: spec.aggregation,
        x: spec.x.clone(),
        x_kind: columns.x_kind(),
        labels: kept
            .iter()
            .map(|&x| {
                rows.x_labels[x]
                    .as_deref()
                    .unwrap_or(NULL_LABEL)
                    .to_string()
            })
            .collect(),
        x_values: rows
            .x_values
            .map(|values| kept.iter().map(|&x| values[x]).collect()),
        datasets,
        x_shown: kept.len() as u64,
        x_total: x_total as u64,
        picked,
        series_shown,
        series_total,
        left_out: 0,
    })
}

/// The series values in their sort order (Spark's: by type, NULL first), each with its
/// weight: the total magnitude of its first Y, which decides the series kept.
fn series_order(groups: &Table, ctx: &JobContext) -> Result<Vec<(Option<String>, f64)>> {
    let mut catalog = Catalog::new();
    catalog.register("groups", groups.clone(), false)?;
    let order = query(
        &catalog,
        "SELECT s, CAST(coalesce(sum(abs(y0)), 0) AS DOUBLE) AS w FROM groups GROUP BY s ORDER BY s",
        ctx,
    )?;
    let mut out = Vec::new();
    for batch in order.partitions()?.iter() {
        let labels = labels(batch, 0)?;
        let weights = batch.column(1).as_primitive::<Float64Type>();
        for (i, label) in labels.into_iter().enumerate() {
            out.push((label, weights.value(i)));
        }
    }
    Ok(out)
}

/// One grouped row: its X value's index (in X order), its series value, its Y values.
struct Group {
    x: usize,
    series: Option<String>,
    values: Vec<Option<f64>>,
}

/// The grouped rows read back: the distinct X values in order, what each weighs (for
/// keeping the largest), and every group.
struct GroupRows {
    x_labels: Vec<Option<String>>,
    x_values: Option<Vec<Option<f64>>>,
    x_weights: Vec<f64>,
    groups: Vec<Group>,
}

impl GroupRows {
    fn read(groups: &Table, columns: &Columns, ys: usize) -> Result<GroupRows> {
        let numeric_x = columns.x_kind() == XKind::Number;
        let mut out = GroupRows {
            x_labels: Vec::new(),
            x_values: numeric_x.then(Vec::new),
            x_weights: Vec::new(),
            groups: Vec::with_capacity(groups.num_rows()),
        };
        let first_y = columns.first_y();
        for batch in groups.partitions()?.iter() {
            let x_labels = labels(batch, 0)?;
            let x_numbers = if numeric_x {
                Some(numbers(batch.column(0))?)
            } else {
                None
            };
            let series = columns.series_of(batch)?;
            let values = y_columns(batch, first_y, ys);
            for (row, (x, s)) in x_labels.into_iter().zip(series).enumerate() {
                if out.x_labels.last() != Some(&x) {
                    out.x_labels.push(x);
                    out.x_weights.push(0.0);
                    if let (Some(all), Some(numbers)) = (out.x_values.as_mut(), &x_numbers) {
                        all.push(drawable(numbers.is_valid(row).then(|| numbers.value(row))));
                    }
                }
                let values: Vec<Option<f64>> = values
                    .iter()
                    .map(|column| drawable(column.is_valid(row).then(|| column.value(row))))
                    .collect();
                if let (Some(weight), Some(Some(first))) =
                    (out.x_weights.last_mut(), values.first())
                {
                    *weight += first.abs();
                }
                out.groups.push(Group {
                    x: out.x_labels.len() - 1,
                    series: s,
                    values,
                });
            }
        }
        Ok(out)
    }
}

/// The Y columns of a grouped batch (doubles: the query casts them).
fn y_columns(batch: &RecordBatch, first: usize, count: usize) -> Vec<&Float64Array> {
    (first..first + count)
        .map(|i| batch.column(i).as_primitive::<Float64Type>())
        .collect()
}

/// Column `index` of `batch` as Spark prints it (NULL stays `None`; an interval with its
/// fields, which the schema holds).
pub(super) fn labels(batch: &RecordBatch, index: usize) -> Result<Vec<Option<String>>> {
    let schema = batch.schema();
    let text = display_field(schema.field(index), batch.column(index))?;
    Ok(text.iter().map(|v| v.map(str::to_string)).collect())
}

/// A numeric column as doubles.
pub(super) fn numbers(column: &ArrayRef) -> Result<Float64Array> {
    let cast = arrow_cast::cast(column, &DataType::Float64)
        .map_err(|e| Error::internal("reading chart values as numbers", e))?;
    Ok(cast.as_primitive::<Float64Type>().clone())
}
