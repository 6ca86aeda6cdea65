//! Histograms: counts of a numeric X in equal bins over its range, binned exactly as the
//! column profile bins (`profile::numbers::histogram`: one bin per integer when an
//! integer column spans fewer than 20 values, else 20 equal bins), so the two agree.
//! With a series column, each series gets its own counts over the same bins.

use std::collections::BTreeMap;

use arrow_array::Array;

use crate::chart::grouped::numbers;
use crate::chart::{
    largest, ChartAggregation, ChartData, ChartDataset, ChartSpec, Columns, Picked, XKind,
    MAX_SERIES,
};
use crate::error::Result;
use crate::job::JobContext;
use crate::profile::numbers::histogram as bin;

pub(super) fn histogram(
    columns: &Columns,
    spec: &ChartSpec,
    ctx: &JobContext,
) -> Result<ChartData> {
    let table = &columns.table;
    ctx.expect_steps(table.num_partitions());
    // Each series' finite values (one unnamed series without a series column).
    let mut values: BTreeMap<Option<String>, Vec<f64>> = BTreeMap::new();
    let mut left_out = 0u64;
    for batch in table.partitions()?.iter() {
        ctx.check()?;
        let x = numbers(batch.column(0))?;
        let series = columns.series_of(batch)?;
        for (i, s) in series.into_iter().enumerate() {
            let v = x.value(i);
            if x.is_valid(i) && v.is_finite() {
                values.entry(s).or_default().push(v);
            } else {
                left_out += 1;
            }
        }
        ctx.advance();
    }
    let (min, max) = values
        .values()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let integers = columns.x_type.is_integer();
    let order: Vec<(Option<String>, Vec<f64>)> = values.into_iter().collect();
    let weights: Vec<f64> = order.iter().map(|(_, v)| v.len() as f64).collect();
    let kept = largest(&weights, MAX_SERIES);
    let mut datasets = Vec::with_capacity(kept.len());
    let mut edges = None;
    for &i in &kept {
        let (series, values) = &order[i];
        let h = bin(values.iter().map(|&v| (v, 1)), min, max, integers, 1.0);
        let name = columns.series_name(series).map(str::to_string);
        datasets.push(ChartDataset {
            label: name.clone().unwrap_or_else(|| "count".to_string()),
            y: "count".to_string(),
            series: name,
            values: h.counts.iter().map(|&c| Some(c)).collect(),
        });
        edges = Some((h.start, h.width, h.counts.len()));
    }
    let (start, width, bins) = edges.unwrap_or((0.0, 1.0, 0));
    // The profile's rule: one bin per integer over a span of fewer than 20.
    let integer_bins = integers && max - min < 20.0;
    let labels = (0..bins)
        .map(|b| bin_label(start, width, b, bins, integer_bins))
        .collect();
    let (series_shown, series_total) = columns.series_counts(kept.len(), order.len());
    Ok(ChartData {
        kind: spec.kind,
        aggregation: ChartAggregation::Count,
        x: spec.x.clone(),
        x_kind: XKind::Number,
        labels,
        x_values: Some((0..bins).map(|b| Some(start + width * b as f64)).collect()),
        datasets,
        x_shown: bins as u64,
        x_total: bins as u64,
        picked: Picked::All,
        series_shown,
        series_total,
        left_out,
    })
}

/// A bin as a reader names it: the integer it counts, or its range (`[10, 20)`; the last
/// bin includes its upper edge).
fn bin_label(start: f64, width: f64, bin: usize, bins: usize, integer: bool) -> String {
    let lo = start + width * bin as f64;
    if integer {
        return format!("{}", (lo + 0.5).round());
    }
    let hi = start + width * (bin + 1) as f64;
    let close = if bin + 1 == bins { ']' } else { ')' };
    format!("[{}, {}{close}", edge(lo, width), edge(hi, width))
}

/// An edge with as many decimals as the bin width needs (3 significant digits of it).
fn edge(value: f64, width: f64) -> String {
    let decimals = if width > 0.0 && width.is_finite() {
        (2.0 - width.log10().floor()).clamp(0.0, 12.0) as usize
    } else {
        0
    };
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_labelled_by_their_range() {
        assert_eq!(bin_label(0.0, 2.5, 0, 4, false), "[0, 2.5)");
        assert_eq!(bin_label(0.0, 2.5, 3, 4, false), "[7.5, 10]");
        assert_eq!(bin_label(0.5, 1.0, 2, 5, true), "3");
        assert_eq!(bin_label(-0.001, 0.0005, 0, 4, false), "[-0.001, -0.0005)");
    }
}
