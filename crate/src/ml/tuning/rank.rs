//! Ranking a grid from its fold scores, as Spark's CrossValidator does: each point's
//! average over folds, the first best point wins.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ml::evaluation::{MetricName, MetricSet};

use super::GridPointResult;

/// The grid's results and its best point, from each (point, fold) evaluation's metrics
/// (`fold_metrics[point * folds + fold]`).
pub(super) struct Ranked {
    pub grid: Vec<GridPointResult>,
    pub best_index: usize,
    /// The best point's metrics averaged over its folds.
    pub validation_metrics: MetricSet,
}

pub(super) fn rank(
    tuned: &[&BTreeMap<String, Value>],
    fold_metrics: &[MetricSet],
    folds: usize,
    metric: MetricName,
) -> Ranked {
    let grid: Vec<GridPointResult> = tuned
        .iter()
        .enumerate()
        .map(|(p, params)| {
            let scores: Vec<f64> = fold_metrics[p * folds..(p + 1) * folds]
                .iter()
                .map(|metrics| metrics.get(metric))
                .collect();
            GridPointResult {
                params: (*params).clone(),
                avg_metric: mean(&scores),
                std_metric: std_population(&scores),
                fold_metrics: scores,
            }
        })
        .collect();
    let best_index = pick_best(
        &grid.iter().map(|g| g.avg_metric).collect::<Vec<_>>(),
        metric.larger_is_better(),
    );
    let validation_metrics =
        MetricSet::average(&fold_metrics[best_index * folds..(best_index + 1) * folds]);
    Ranked {
        grid,
        best_index,
        validation_metrics,
    }
}

/// The first best value (Spark: the first grid point wins ties); NaN never wins.
fn pick_best(values: &[f64], larger_is_better: bool) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate().skip(1) {
        let better = if larger_is_better {
            v > values[best]
        } else {
            v < values[best]
        };
        if better || (values[best].is_nan() && !v.is_nan()) {
            best = i;
        }
    }
    best
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn std_population(values: &[f64]) -> f64 {
    let m = mean(values);
    (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
}
