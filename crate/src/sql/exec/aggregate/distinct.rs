//! `agg(DISTINCT ...)` for any aggregate: the distinct (group, arguments) rows are kept
//! as arrow columns, each batch's own distinct rows as it comes, and at the end the rows
//! distinct over all partitions are fed to the aggregate's own state.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use arrow_array::{Array, ArrayRef, UInt32Array};
use arrow_select::concat::concat;
use arrow_select::take::take;

use super::accumulator::{downcast, Accumulator};
use crate::error::Result;
use crate::sql::exec::keys::group_rows;
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

/// The distinct rows of (`groups`, `args`): their groups and arguments.
fn distinct_rows(groups: ArrayRef, args: &[ArrayRef]) -> Result<(UInt32Array, Vec<ArrayRef>)> {
    let mut columns = vec![groups];
    columns.extend(args.iter().cloned());
    let distinct = group_rows(&columns, columns[0].len())?;
    let firsts = UInt32Array::from(distinct.firsts);
    let mut taken = columns
        .iter()
        .map(|c| take(c, &firsts, None).map_err(kernel_error))
        .collect::<Result<Vec<_>>>()?;
    let groups = taken.remove(0).as_primitive::<UInt32Type>().clone();
    Ok((groups, taken))
}

impl Accumulator for Distinct {
    fn resize(&mut self, n: usize) {
        self.groups = n;
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let groups: ArrayRef = Arc::new(UInt32Array::from(groups.to_vec()));
        self.rows.push(distinct_rows(groups, args)?);
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
            groups,
            rows,
        } = *self;
        inner.resize(groups);
        if !rows.is_empty() {
            let (groups, args) = match <[_; 1]>::try_from(rows) {
                // One partition's rows are distinct already.
                Ok([only]) => only,
                Err(rows) => {
                    let parts: Vec<&dyn Array> =
                        rows.iter().map(|(g, _)| g as &dyn Array).collect();
                    let groups: ArrayRef = concat(&parts).map_err(kernel_error)?;
                    let args = (0..rows[0].1.len())
                        .map(|k| {
                            let parts: Vec<&dyn Array> =
                                rows.iter().map(|(_, a)| a[k].as_ref()).collect();
                            concat(&parts).map_err(kernel_error)
                        })
                        .collect::<Result<Vec<_>>>()?;
                    distinct_rows(groups, &args)?
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
