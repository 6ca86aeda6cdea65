//! What a training's charts show, for the test rows when there are any, else the training
//! rows: predicted against actual for a reproducible sample of rows, and the histogram of
//! every row's residual.
//!
//! One parallel pass; the histogram's range comes beforehand from the rows' moments
//! (the residuals' mean ± 4 standard deviations), so partitions bin independently and
//! merge by adding counts.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::job::JobContext;
use crate::ml::dataset::Prepared;
use crate::ml::linear::LinearModel;
use crate::ml::metrics::residuals;
use crate::ml::moments::Moments;
use crate::random::{unit, Stream};

/// About how many (actual, predicted) pairs the scatter gets.
const SAMPLE_SIZE: f64 = 1000.0;
const BINS: usize = 40;

/// Equal-width bins from `start`; values outside them are counted in `below`/`above`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ResidualHistogram")]
pub struct Histogram {
    pub start: f64,
    pub width: f64,
    pub counts: Vec<u64>,
    pub below: u64,
    pub above: u64,
}

impl Histogram {
    fn empty(start: f64, width: f64, bins: usize) -> Self {
        Histogram {
            start,
            width,
            counts: vec![0; bins],
            below: 0,
            above: 0,
        }
    }

    fn add(&mut self, value: f64) {
        let bin = ((value - self.start) / self.width).floor();
        if bin < 0.0 {
            self.below += 1;
        } else if bin >= self.counts.len() as f64 {
            self.above += 1;
        } else {
            self.counts[bin as usize] += 1;
        }
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below += other.below;
        self.above += other.above;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostics {
    /// Which rows: `"test"` or `"train"`.
    pub rows: String,
    pub actual: Vec<f64>,
    pub predicted: Vec<f64>,
    /// Residuals `actual − predicted`.
    pub residuals: Histogram,
}

/// The rows a diagnosis looks at: those whose group `contains` accepts.
pub struct DiagnosedRows<'a> {
    pub name: &'static str,
    pub moments: &'a Moments,
    pub contains: &'a (dyn Fn(u16) -> bool + Sync),
}

pub fn diagnose(
    prepared: &[Prepared],
    model: &LinearModel,
    rows: DiagnosedRows,
    seed: u64,
    ctx: &JobContext,
) -> Result<Diagnostics> {
    let summary = residuals(model, rows.moments);
    let sd = if rows.moments.n > 0.0 {
        (summary.spread / rows.moments.n).sqrt()
    } else {
        0.0
    };
    let width = if sd > 0.0 {
        8.0 * sd / BINS as f64
    } else {
        1.0
    };
    let start = summary.mean - width * BINS as f64 / 2.0;
    let sampled = SAMPLE_SIZE / rows.moments.n.max(1.0);
    let parts: Vec<(Vec<f64>, Vec<f64>, Histogram)> = prepared
        .par_iter()
        .map(|part| {
            ctx.check()?;
            let mut histogram = Histogram::empty(start, width, BINS);
            let (mut actual, mut predicted) = (Vec::new(), Vec::new());
            for (x, y, group, row) in part.labelled() {
                if !(rows.contains)(group) {
                    continue;
                }
                let y_hat = model.predict(x);
                histogram.add(y - y_hat);
                if unit(seed, Stream::ChartSample, row) < sampled {
                    actual.push(y);
                    predicted.push(y_hat);
                }
            }
            ctx.advance();
            Ok((actual, predicted, histogram))
        })
        .collect::<Result<_>>()?;
    let mut diagnostics = Diagnostics {
        rows: rows.name.to_string(),
        actual: Vec::new(),
        predicted: Vec::new(),
        residuals: Histogram::empty(start, width, BINS),
    };
    for (actual, predicted, histogram) in parts {
        diagnostics.actual.extend(actual);
        diagnostics.predicted.extend(predicted);
        diagnostics.residuals.merge(&histogram);
    }
    Ok(diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_their_bins_or_outside() {
        let mut h = Histogram::empty(-2.0, 1.0, 4);
        for v in [-2.5, -2.0, -0.5, 0.0, 1.99, 2.0, 7.0] {
            h.add(v);
        }
        assert_eq!(h.counts, vec![1, 1, 1, 1]);
        assert_eq!((h.below, h.above), (1, 2));
    }
}
