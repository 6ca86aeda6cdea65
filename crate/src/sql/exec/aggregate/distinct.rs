//! `agg(DISTINCT ...)` for any aggregate: the distinct (group, arguments) rows are kept
//! as arrow columns, each batch's own distinct rows as it comes, and at the end the rows
//! distinct over all partitions are fed to the aggregate's own state.

use std::any::Any;

use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use arrow_array::{Array, ArrayRef, UInt32Array};
use arrow_select::concat::concat;
use arrow_select::take::take;

use super::accumulator::{downcast, Accumulator};
use crate::error::Result;
use crate::frame::float_keys::spark_normalized_all;
use crate::sql::exec::keys::group_rows_within;
use crate::sql::exec::value::kernel_error;

pub(super) struct Distinct {
    inner: Box<dyn Accumulator>,
    groups: usize,
    /// Per batch or partial: the group of each distinct row, then its arguments.
    rows: Vec<(UInt32Array, Vec<ArrayRef>)>,
}

impl Distinct {
    pub fn new(inner: Box<dyn Accumulator>) -> Self {
        Distinct {
            inner,
            groups: 0,
            rows: vec![],
        }
    }
}

/// The distinct rows of (`groups`, `args`), groups being below `group_count`: their
/// groups and arguments.
fn distinct_rows(
    groups: &[u32],
    group_count: usize,
    args: &[ArrayRef],
) -> Result<(UInt32Array, Vec<ArrayRef>)> {
    // Distinct as Spark sees floats: both zeros one value, every NaN one value.
    let args = spark_normalized_all(args);
    let args = args.as_slice();
    let distinct = group_rows_within(groups, group_count, args)?;
    let distinct_groups: Vec<u32> = distinct
        .firsts
        .iter()
        .map(|&r| groups[r as usize])
        .collect();
    let firsts = UInt32Array::from(distinct.firsts);
    let args = args
        .iter()
        .map(|c| take(c, &firsts, None).map_err(kernel_error))
        .collect::<Result<Vec<_>>>()?;
    Ok((UInt32Array::from(distinct_groups), args))
}

impl Accumulator for Distinct {
    fn resize(&mut self, n: usize) {
        self.groups = n;
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        self.rows.push(distinct_rows(groups, self.groups, args)?);
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (groups, args) in downcast::<Self>(other)?.rows {
            self.rows
                .push((groups.unary(|g| mapping[g as usize]), args));
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let Distinct {
            mut inner,
            groups: group_count,
            rows,
        } = *self;
        inner.resize(group_count);
        if !rows.is_empty() {
            let (groups, args) = match <[_; 1]>::try_from(rows) {
                // One partition's rows are distinct already.
                Ok([only]) => only,
                Err(rows) => {
                    let parts: Vec<&dyn Array> =
                        rows.iter().map(|(g, _)| g as &dyn Array).collect();
                    let groups = concat(&parts).map_err(kernel_error)?;
                    let args = (0..rows[0].1.len())
                        .map(|k| {
                            let parts: Vec<&dyn Array> =
                                rows.iter().map(|(_, a)| a[k].as_ref()).collect();
                            concat(&parts).map_err(kernel_error)
                        })
                        .collect::<Result<Vec<_>>>()?;
                    distinct_rows(
                        groups.as_primitive::<UInt32Type>().values(),
                        group_count,
                        &args,
                    )?
                }
            };
            inner.update(groups.values(), &args)?;
        }
        inner.finish()
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
