//! Charts without aggregation: each row is a point. Past [`MAX_ROWS`] rows the chart
//! draws evenly spaced rows of the whole result (first and last included), so a million
//! rows become a few thousand points that still span all of it. Lines and areas over an
//! ordered X are drawn in X order; bars and points keep the result's order.

use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use arrow_ord::sort::{sort_to_indices, SortOptions};
use arrow_select::concat::concat_batches;
use arrow_select::take::take_record_batch;
use std::collections::BTreeMap;

use crate::chart::grouped::{labels, numbers};
use crate::chart::{
    dataset_label, drawable, evenly_spaced, largest, ChartData, ChartDataset, ChartKind, ChartSpec,
    Columns, Picked, XKind, MAX_ROWS, MAX_SERIES, NULL_LABEL,
};
use crate::error::{Error, Result};
use crate::job::JobContext;

pub(super) fn sampled(columns: &Columns, spec: &ChartSpec, ctx: &JobContext) -> Result<ChartData> {
    let table = &columns.table;
    let total = table.num_rows();
    let rows = take_rows(columns, &evenly_spaced(total, MAX_ROWS), ctx)?;
    let in_x_order = matches!(spec.kind, ChartKind::Line | ChartKind::Area)
        && columns.x_kind() != XKind::Category;
    let rows = if in_x_order { sort_by_x(&rows)? } else { rows };
    let x = rows.column(0);
    let x_labels = labels(&rows, 0)?;
    let x_values = match columns.x_kind() {
        XKind::Number => {
            let n = numbers(x)?;
            Some(
                (0..n.len())
                    .map(|i| drawable(arrow_array::Array::is_valid(&n, i).then(|| n.value(i))))
                    .collect(),
            )
        }
        _ => None,
    };
    let series = columns.series_of(&rows)?;
    // Series in label order; past MAX_SERIES, those with the most rows.
    let mut counts: BTreeMap<Option<String>, f64> = BTreeMap::new();
    for s in &series {
        *counts.entry(s.clone()).or_default() += 1.0;
    }
    let order: Vec<(Option<String>, f64)> = counts.into_iter().collect();
    let weights: Vec<f64> = order.iter().map(|(_, w)| *w).collect();
    let kept: Vec<Option<String>> = largest(&weights, MAX_SERIES)
        .into_iter()
        .map(|i| order[i].0.clone())
        .collect();
    let first_y = columns.first_y();
    let ys = columns.y_names.len();
    let y_values = (first_y..first_y + ys)
        .map(|i| numbers(rows.column(i)))
        .collect::<Result<Vec<_>>>()?;
    let mut datasets = Vec::with_capacity(kept.len() * ys);
    for s in &kept {
        let label = columns.series_name(s);
        for (name, values) in columns.y_names.iter().zip(&y_values) {
            datasets.push(ChartDataset {
                label: dataset_label(label, name, ys),
                y: name.clone(),
                series: label.map(str::to_string),
                values: (0..values.len())
                    .map(|i| {
                        let valid = series[i] == *s && arrow_array::Array::is_valid(values, i);
                        drawable(valid.then(|| values.value(i)))
                    })
                    .collect(),
            });
        }
    }
    let (series_shown, series_total) = columns.series_counts(kept.len(), order.len());
    Ok(ChartData {
        kind: spec.kind,
        aggregation: spec.aggregation,
        x: spec.x.clone(),
        x_kind: columns.x_kind(),
        labels: x_labels
            .into_iter()
            .map(|l| l.unwrap_or_else(|| NULL_LABEL.to_string()))
            .collect(),
        x_values,
        datasets,
        x_shown: rows.num_rows() as u64,
        x_total: total as u64,
        picked: if rows.num_rows() < total {
            Picked::EvenlySpaced
        } else {
            Picked::All
        },
        series_shown,
        series_total,
        left_out: 0,
    })
}

/// Rows at the global indices `wanted` (ascending) of the chart's columns, as one batch.
fn take_rows(columns: &Columns, wanted: &[usize], ctx: &JobContext) -> Result<RecordBatch> {
    let table = &columns.table;
    let starts = table.row_starts();
    let mut pieces = Vec::new();
    let mut next = 0;
    for (part, batch) in table.partitions()?.iter().enumerate() {
        ctx.check()?;
        let end = starts.get(part + 1).copied().unwrap_or(starts[part]);
        let mut local = Vec::new();
        while next < wanted.len() && wanted[next] < end {
            local.push((wanted[next] - starts[part]) as u32);
            next += 1;
        }
        if !local.is_empty() {
            pieces.push(
                take_record_batch(batch, &UInt32Array::from(local))
                    .map_err(|e| Error::internal("taking the chart's rows", e))?,
            );
        }
    }
    concat_batches(table.schema(), &pieces)
        .map_err(|e| Error::internal("taking the chart's rows", e))
}

/// The rows in X order (NULL first, as Spark sorts ascending).
fn sort_by_x(rows: &RecordBatch) -> Result<RecordBatch> {
    let x: &ArrayRef = rows.column(0);
    let order = sort_to_indices(
        x,
        Some(SortOptions {
            descending: false,
            nulls_first: true,
        }),
        None,
    )
    .map_err(|e| Error::internal("ordering the chart's rows", e))?;
    take_record_batch(rows, &order).map_err(|e| Error::internal("ordering the chart's rows", e))
}
