//! The one pass over the table's partitions: each step's statistics for every fit at
//! once, following the rows a fit's own run would see from step to step (a skipping
//! indexer's dropped rows are not counted by the steps after it). The estimators' own
//! gathering lives in their files; this is the loop that chains them.

use arrow_array::RecordBatch;

use crate::clean::columns::as_doubles;
use crate::error::Result;

use super::imputer::{self, ImputerStats};
use super::indexer::{self, IndexerStats};
use super::onehot;
use super::plan::Gather;

/// One partition's statistics for one step.
pub(super) enum StepStats {
    /// Per input column.
    Imputer(Vec<ImputerStats>),
    Indexer(IndexerStats),
    /// Per input: the largest index of each group, for the scanned inputs.
    OneHot(Vec<Option<Vec<f64>>>),
    Nothing,
}

impl StepStats {
    pub(super) fn imputer(&self) -> Option<&[ImputerStats]> {
        match self {
            StepStats::Imputer(columns) => Some(columns),
            _ => None,
        }
    }

    pub(super) fn indexer(&self) -> Option<&IndexerStats> {
        match self {
            StepStats::Indexer(stats) => Some(stats),
            _ => None,
        }
    }

    pub(super) fn indexer_mut(&mut self) -> Option<&mut IndexerStats> {
        match self {
            StepStats::Indexer(stats) => Some(stats),
            _ => None,
        }
    }

    pub(super) fn one_hot(&self) -> Option<&[Option<Vec<f64>>]> {
        match self {
            StepStats::OneHot(maxima) => Some(maxima),
            _ => None,
        }
    }
}

/// The one pass's work on a partition.
pub(super) struct Pass<'a> {
    pub(super) gathers: &'a [Gather],
    /// Per group: the fits that train on it.
    pub(super) training_fits: &'a [Vec<usize>],
    pub(super) num_fits: usize,
    pub(super) num_groups: usize,
}

impl Pass<'_> {
    /// Each step's statistics over `batch`, whose row `i` is in group `groups[i]`.
    pub(super) fn partition(&self, batch: &RecordBatch, groups: &[u16]) -> Result<Vec<StepStats>> {
        // Rows still there for the step (a skipping indexer drops rows with a NULL).
        let mut alive: Option<Vec<bool>> = None;
        let mut out = Vec::with_capacity(self.gathers.len());
        for gather in self.gathers {
            let reaches = |i: usize| alive.as_ref().is_none_or(|a| a[i]);
            let stats = match gather {
                Gather::Imputer {
                    columns,
                    strategy,
                    missing_value,
                } => StepStats::Imputer(
                    columns
                        .iter()
                        .map(|&c| {
                            let values = as_doubles(batch.column(c))?;
                            Ok(imputer::gather(
                                &values,
                                groups,
                                *strategy,
                                *missing_value,
                                &reaches,
                                self.training_fits,
                                self.num_fits,
                            ))
                        })
                        .collect::<Result<_>>()?,
                ),
                Gather::Indexer { columns, skips } => {
                    let (stats, null_rows) =
                        indexer::gather(batch, columns, *skips, groups, self.num_groups, &reaches)?;
                    if let Some(null_rows) = null_rows {
                        let a = alive.get_or_insert_with(|| vec![true; groups.len()]);
                        for (a, &n) in a.iter_mut().zip(&null_rows) {
                            *a &= !n;
                        }
                    }
                    StepStats::Indexer(stats)
                }
                Gather::OneHot(scanned) => StepStats::OneHot(onehot::gather(
                    batch,
                    scanned,
                    groups,
                    self.num_groups,
                    &reaches,
                )?),
                Gather::Nothing => StepStats::Nothing,
            };
            out.push(stats);
        }
        Ok(out)
    }
}
