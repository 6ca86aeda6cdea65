//! The aggregates that pick one row's value per group: `first`, `last` and `any_value`
//! (in row order, optionally skipping NULLs), `max_by` and `min_by` (the row with the
//! largest or smallest ordering value). Values of any type are kept as arrow columns with
//! one row per group, so no value is ever copied row by row.

use std::any::Any;
use std::cmp::Ordering;

use arrow_array::{new_null_array, Array, ArrayRef, UInt32Array};
use arrow_schema::{DataType, SortOptions};
use arrow_select::concat::concat;
use arrow_select::interleave::interleave;
use arrow_select::take::take;

use super::accumulator::{downcast, Accumulator};
use crate::error::Result;
use crate::frame::float_keys::spark_comparator;
use crate::sql::exec::value::kernel_error;

/// The picked row of each group, as columns with one row per group.
#[derive(Default)]
struct Picked {
    /// None until the first rows come (their types are known then).
    columns: Option<Vec<ArrayRef>>,
    set: Vec<bool>,
}

/// Which of two rows of a group is kept, the later one (in row order) being offered
/// against the one kept so far.
#[derive(Clone, Copy)]
pub(super) enum Keep {
    /// The earlier (`first`, `any_value`).
    Earlier,
    /// The later (`last`).
    Later,
    /// The one with the larger (`max_by`) or smaller (`min_by`) ordering value in column
    /// 1; on ties the later, as Spark.
    Ordered { max: bool },
}

impl Keep {
    /// Whether the later row wins; `order` is its ordering value against the kept one's
    /// (for `Ordered` only).
    fn takes_later(self, order: impl FnOnce() -> std::cmp::Ordering) -> bool {
        match self {
            Keep::Earlier => false,
            Keep::Later => true,
            Keep::Ordered { max: true } => order().is_ge(),
            Keep::Ordered { max: false } => order().is_le(),
        }
    }

    /// How many leading arguments the state keeps: the value, and the ordering value.
    fn columns(self) -> usize {
        match self {
            Keep::Ordered { .. } => 2,
            _ => 1,
        }
    }
}

impl Picked {
    fn resize(&mut self, n: usize) {
        self.set.resize(n, false);
    }

    /// The columns, grown with NULLs to one row per group.
    fn padded(columns: Vec<ArrayRef>, n: usize) -> Result<Vec<ArrayRef>> {
        columns
            .into_iter()
            .map(|c| {
                if c.len() >= n {
                    return Ok(c);
                }
                let nulls = new_null_array(c.data_type(), n - c.len());
                concat(&[c.as_ref(), nulls.as_ref()]).map_err(kernel_error)
            })
            .collect()
    }

    /// The rows `chosen` (one per group, or none) of `args` as a state of its own.
    fn of_rows(args: &[ArrayRef], chosen: Vec<Option<u32>>) -> Result<Picked> {
        let set = chosen.iter().map(Option::is_some).collect();
        let indices = UInt32Array::from(chosen);
        let columns = args
            .iter()
            .map(|a| take(a, &indices, None).map_err(kernel_error))
            .collect::<Result<_>>()?;
        Ok(Picked {
            columns: Some(columns),
            set,
        })
    }

    /// Takes `other`'s row of group `g` (a later row) into this state's group
    /// `mapping[g]` where this state has none, or where `keep` prefers it.
    fn absorb(&mut self, other: Picked, mapping: &[u32], keep: Keep) -> Result<()> {
        let Some(theirs) = other.columns else {
            return Ok(());
        };
        let n = self.set.len();
        let mine = match self.columns.take() {
            Some(columns) => Self::padded(columns, n)?,
            None => theirs
                .iter()
                .map(|c| new_null_array(c.data_type(), n))
                .collect(),
        };
        let ordering = match keep {
            Keep::Ordered { .. } => Some(
                spark_comparator(theirs[1].as_ref(), mine[1].as_ref(), SortOptions::default())
                    .map_err(kernel_error)?,
            ),
            _ => None,
        };
        let mut indices: Vec<(usize, usize)> = (0..n).map(|m| (0, m)).collect();
        for (g, _) in other.set.iter().enumerate().filter(|(_, set)| **set) {
            let m = mapping[g] as usize;
            let take_theirs = !self.set[m]
                || keep.takes_later(|| ordering.as_ref().map_or(Ordering::Equal, |cmp| cmp(g, m)));
            if take_theirs {
                indices[m] = (1, g);
                self.set[m] = true;
            }
        }
        let columns = mine
            .iter()
            .zip(&theirs)
            .map(|(a, b)| interleave(&[a.as_ref(), b.as_ref()], &indices).map_err(kernel_error))
            .collect::<Result<_>>()?;
        self.columns = Some(columns);
        Ok(())
    }

    fn finish(self, data_type: &DataType) -> Result<ArrayRef> {
        let n = self.set.len();
        match self.columns {
            Some(columns) if !columns.is_empty() => Ok(Self::padded(columns, n)?.swap_remove(0)),
            _ => Ok(new_null_array(data_type, n)),
        }
    }
}

/// `first` / `any_value`, `last` (optionally skipping NULL values), `max_by` / `min_by`
/// (skipping rows whose ordering value is NULL).
pub(super) struct Pick {
    keep: Keep,
    ignore_nulls: bool,
    data_type: DataType,
    /// Columns: the value, then (`Ordered`) the ordering value.
    picked: Picked,
}

impl Pick {
    pub fn new(keep: Keep, ignore_nulls: bool, data_type: DataType) -> Self {
        Pick {
            keep,
            ignore_nulls,
            data_type,
            picked: Picked::default(),
        }
    }
}

impl Accumulator for Pick {
    fn resize(&mut self, n: usize) {
        self.picked.resize(n);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let columns = &args[..self.keep.columns()];
        let ordering = match self.keep {
            Keep::Ordered { .. } => Some(
                spark_comparator(
                    columns[1].as_ref(),
                    columns[1].as_ref(),
                    SortOptions::default(),
                )
                .map_err(kernel_error)?,
            ),
            _ => None,
        };
        // The rows that take part: those with an ordering value, or a value if NULLs are
        // skipped.
        let nulls = match self.keep {
            Keep::Ordered { .. } => columns[1].logical_nulls(),
            _ => columns[0].logical_nulls().filter(|_| self.ignore_nulls),
        };
        let mut chosen: Vec<Option<u32>> = vec![None; self.picked.set.len()];
        for (i, &g) in groups.iter().enumerate() {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                continue;
            }
            let slot = &mut chosen[g as usize];
            let take = match *slot {
                None => true,
                Some(j) => self.keep.takes_later(|| {
                    ordering
                        .as_ref()
                        .map_or(Ordering::Equal, |cmp| cmp(i, j as usize))
                }),
            };
            if take {
                *slot = Some(i as u32);
            }
        }
        let batch = Picked::of_rows(columns, chosen)?;
        let identity: Vec<u32> = (0..batch.set.len() as u32).collect();
        self.picked.absorb(batch, &identity, self.keep)
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let keep = self.keep;
        let other = downcast::<Self>(other)?;
        self.picked.absorb(other.picked, mapping, keep)
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        self.picked.finish(&self.data_type)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
