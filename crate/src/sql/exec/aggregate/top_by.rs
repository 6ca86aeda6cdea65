//! `max_by(x, ord, k)` and `min_by(x, ord, k)` (Spark 4.1): per group, the values of
//! `x` on the `k` rows with the largest (smallest) `ord`, as an array ordered by `ord`
//! from the best; rows whose `ord` is NULL take no part, and a group with no such row
//! gives NULL. On ties the earlier rows are kept and listed first: Spark keeps the
//! earlier too, but lists tied values in the order its heap left them, which depends on
//! how its partitions arrive (its documentation calls the order non-deterministic).
//!
//! The state keeps at most `k` candidate rows per group as arrow columns (the value, the
//! ordering value) with each row's position in the input. An update or a merge appends
//! the new rows to those columns, keeps each group's best `k`, and takes the kept rows
//! into fresh columns: the state never grows past `k` rows per group, and values of any
//! type are moved by arrow's kernels, never row by row.

use std::any::Any;
use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::{new_empty_array, Array, ArrayRef, ListArray, UInt32Array};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, SortOptions};
use arrow_select::concat::concat;
use arrow_select::take::take;

use super::accumulator::{downcast, Accumulator};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::spark_comparator;
use crate::sql::exec::value::kernel_error;

/// The candidate rows of every group.
pub(super) struct TopBy {
    k: usize,
    /// `max_by` (largest ordering values first) rather than `min_by`.
    largest: bool,
    /// The result type: a list of the value's type.
    list_type: DataType,
    /// The kept rows' values and ordering values (`None` before the first rows).
    columns: Option<[ArrayRef; 2]>,
    /// Each kept row's position among all the rows this state was given.
    positions: Vec<u64>,
    /// Each group's kept rows (indices into `columns`), best first.
    kept: Vec<Vec<u32>>,
    /// How many rows this state has been given: where the next rows' positions start.
    seen: u64,
}

impl TopBy {
    pub fn new(k: usize, largest: bool, list_type: DataType) -> Self {
        TopBy {
            k,
            largest,
            list_type,
            columns: None,
            positions: Vec::new(),
            kept: Vec::new(),
            seen: 0,
        }
    }

    /// Appends `columns` (a value and an ordering value column, their rows at input
    /// positions `positions`), offers its rows `candidates` (row, group) to their groups,
    /// and keeps each group's best `k` of its old and new rows.
    fn absorb(
        &mut self,
        columns: [&ArrayRef; 2],
        positions: impl Iterator<Item = u64>,
        candidates: impl Iterator<Item = (u32, u32)>,
    ) -> Result<()> {
        let base = self.positions.len() as u32;
        let combined = match self.columns.take() {
            Some(old) => [
                concat(&[old[0].as_ref(), columns[0].as_ref()]).map_err(kernel_error)?,
                concat(&[old[1].as_ref(), columns[1].as_ref()]).map_err(kernel_error)?,
            ],
            None => [Arc::clone(columns[0]), Arc::clone(columns[1])],
        };
        let mut all_positions = std::mem::take(&mut self.positions);
        all_positions.extend(positions);
        let mut touched = vec![false; self.kept.len()];
        for (row, g) in candidates {
            self.kept[g as usize].push(base + row);
            touched[g as usize] = true;
        }
        let order = spark_comparator(
            combined[1].as_ref(),
            combined[1].as_ref(),
            SortOptions::default(),
        )
        .map_err(kernel_error)?;
        let largest = self.largest;
        // The better row first: by ordering value, then the earlier.
        let better = |a: u32, b: u32| -> Ordering {
            let by_order = order(a as usize, b as usize);
            let by_order = if largest {
                by_order.reverse()
            } else {
                by_order
            };
            by_order.then(all_positions[a as usize].cmp(&all_positions[b as usize]))
        };
        let mut taken = Vec::new();
        for (rows, touched) in self.kept.iter_mut().zip(touched) {
            // A group without new rows keeps its order.
            if touched {
                rows.sort_by(|&a, &b| better(a, b));
                rows.truncate(self.k);
            }
            for row in rows.iter_mut() {
                taken.push(*row);
                *row = (taken.len() - 1) as u32;
            }
        }
        self.positions = taken.iter().map(|&r| all_positions[r as usize]).collect();
        let indices = UInt32Array::from(taken);
        self.columns = Some([
            take(&combined[0], &indices, None).map_err(kernel_error)?,
            take(&combined[1], &indices, None).map_err(kernel_error)?,
        ]);
        Ok(())
    }
}

impl Accumulator for TopBy {
    fn resize(&mut self, n: usize) {
        self.kept.resize_with(n, Vec::new);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        // Rows whose ordering value is NULL take no part.
        let nulls = args[1].logical_nulls();
        let candidates = (0..groups.len() as u32)
            .filter(|&i| nulls.as_ref().is_none_or(|n| n.is_valid(i as usize)))
            .map(|i| (i, groups[i as usize]));
        let first = self.seen;
        self.seen += groups.len() as u64;
        let positions = (0..groups.len() as u64).map(|i| first + i);
        self.absorb([&args[0], &args[1]], positions, candidates)
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        let other = downcast::<Self>(other)?;
        // The other state's rows came after this one's.
        let offset = self.seen;
        self.seen += other.seen;
        let Some(columns) = &other.columns else {
            return Ok(());
        };
        let positions = other.positions.iter().map(|p| offset + p);
        let candidates = other
            .kept
            .iter()
            .enumerate()
            .flat_map(|(g, rows)| rows.iter().map(move |&row| (row, mapping[g])));
        self.absorb([&columns[0], &columns[1]], positions, candidates)
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let DataType::List(item) = &self.list_type else {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("max_by/min_by with k returning {}", self.list_type),
            ));
        };
        let values = match &self.columns {
            Some([values, _]) => {
                let order: Vec<u32> = self.kept.iter().flatten().copied().collect();
                take(values, &UInt32Array::from(order), None).map_err(kernel_error)?
            }
            None => new_empty_array(item.data_type()),
        };
        let lengths = self.kept.iter().map(Vec::len);
        let nulls = NullBuffer::from(self.kept.iter().map(|k| !k.is_empty()).collect::<Vec<_>>());
        let list = ListArray::try_new(
            Arc::clone(item),
            OffsetBuffer::from_lengths(lengths),
            values,
            Some(nulls),
        )
        .map_err(kernel_error)?;
        Ok(Arc::new(list))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
