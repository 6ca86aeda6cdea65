//! The Imputer's share of the pass: per partition, what every fit needs for its
//! surrogates (mean: each fit's running sum and count; median: the values with their
//! groups; mode: the counts per value and group), then one fit's surrogates merged from
//! the partitions as the Imputer's own fit merges them, so that they are the same to the
//! last bit.

use std::collections::HashMap;

use arrow_array::Float64Array;

use crate::clean::imputer::{excluded, Partial};
use crate::clean::spec::ImputerStrategy;

use super::FitRows;

/// One partition's statistics for one Imputer input.
pub(super) enum ImputerStats {
    /// Per fit: the sum and count of its usable values, added in row order.
    Mean { sums: Vec<f64>, counts: Vec<u64> },
    /// The usable values and their rows' groups.
    Values { values: Vec<f64>, groups: Vec<u16> },
    /// Counts by (value bits with -0.0 as 0.0, group).
    Mode(HashMap<(u64, u16), u64>),
}

/// One column's statistics for an Imputer, over the rows that reach it.
/// `training_fits[group]` are the fits that train on a group, of `num_fits`.
pub(super) fn gather(
    values: &Float64Array,
    groups: &[u16],
    strategy: ImputerStrategy,
    missing_value: Option<f64>,
    reaches: &dyn Fn(usize) -> bool,
    training_fits: &[Vec<usize>],
    num_fits: usize,
) -> ImputerStats {
    let usable = values
        .iter()
        .enumerate()
        .filter(|(i, _)| reaches(*i))
        .filter_map(|(i, v)| v.map(|v| (groups[i], v)))
        .filter(|&(_, v)| !excluded(v, missing_value));
    match strategy {
        ImputerStrategy::Mean => {
            // Each fit adds its values in row order from 0.0, as its own pass does.
            let mut sums = vec![0.0; num_fits];
            let mut counts = vec![0u64; num_fits];
            for (g, v) in usable {
                for &k in &training_fits[g as usize] {
                    sums[k] += v;
                    counts[k] += 1;
                }
            }
            ImputerStats::Mean { sums, counts }
        }
        ImputerStrategy::Median => {
            let (groups, values) = usable.unzip();
            ImputerStats::Values { values, groups }
        }
        ImputerStrategy::Mode => {
            let mut counts = HashMap::new();
            for (g, v) in usable {
                *counts.entry(((v + 0.0).to_bits(), g)).or_insert(0) += 1;
            }
            ImputerStats::Mode(counts)
        }
    }
}

/// Fit `k`'s surrogates from each partition's statistics of one Imputer (per input),
/// merged as the Imputer merges its partitions (`None` when an input has no usable value).
pub(super) fn surrogates(
    partitions: &[&[ImputerStats]],
    strategy: ImputerStrategy,
    rows: &FitRows,
    k: usize,
) -> Option<Vec<f64>> {
    let inputs = partitions.first()?.len();
    (0..inputs)
        .map(|j| {
            let mut merged = Partial::empty(strategy);
            for columns in partitions {
                let partial = match &columns[j] {
                    ImputerStats::Mean { sums, counts } => Partial::Mean {
                        sum: sums[k],
                        count: counts[k],
                    },
                    ImputerStats::Values { values, groups } => Partial::Median(
                        values
                            .iter()
                            .zip(groups)
                            .filter(|(_, &g)| rows.trains(g))
                            .map(|(&v, _)| v)
                            .collect(),
                    ),
                    ImputerStats::Mode(counts) => {
                        let mut mine = HashMap::new();
                        for (&(bits, g), &n) in counts {
                            if rows.trains(g) {
                                *mine.entry(bits).or_insert(0) += n;
                            }
                        }
                        Partial::Mode(mine)
                    }
                };
                merged = merged.merge(&partial);
            }
            merged.surrogate()
        })
        .collect()
}
