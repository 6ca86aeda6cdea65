//! `range(...)`'s numbers, made slice by slice in parallel: one partition per slice, so
//! the partition numbers are Spark's.

use std::sync::Arc;

use arrow_array::{Int64Array, RecordBatch};
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::job::JobContext;
use crate::sql::plan::logical::RangeSpec;

/// The batches of `range`, one per slice.
pub(super) fn run(
    range: &RangeSpec,
    schema: &SchemaRef,
    ctx: &JobContext,
) -> Result<Vec<RecordBatch>> {
    let bytes = usize::try_from(range.rows)
        .ok()
        .and_then(|rows| rows.checked_mul(std::mem::size_of::<i64>()))
        .unwrap_or(usize::MAX);
    crate::memory::check(
        bytes,
        &format!("range(...) with {} rows", range.rows),
        "ask for fewer rows, or aggregate over a smaller range and scale up",
    )?;
    (0..range.slices.max(1))
        .into_par_iter()
        .map(|i| {
            ctx.check()?;
            let ids: Int64Array = range.slice(i).map(|p| range.value(p)).collect();
            ctx.advance();
            RecordBatch::try_new(Arc::clone(schema), vec![Arc::new(ids)])
                .map_err(|e| Error::internal("making range(...) rows", e))
        })
        .collect()
}
