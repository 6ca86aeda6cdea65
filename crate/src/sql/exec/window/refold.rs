//! Any aggregate over window frames that cannot slide (collect_list, percentiles, first,
//! max_by, corr, ...): the rows of each distinct frame are folded into a fresh state, in
//! window order, as Spark recomputes a frame it cannot update.
//!
//! Consecutive rows with the same frame share one state: a frame over the whole partition
//! (no ORDER BY, or UNBOUNDED on both sides) is folded once per partition, a running frame
//! once per group of peers. Frames that move row by row are folded once per row, so the
//! rows read add up to the sum of the frames' lengths; above [`MOST_ROWS_READ`] the query
//! is refused before any work rather than running for minutes.

use arrow_array::{ArrayRef, UInt32Array};
use arrow_select::take::take;

use crate::error::{Error, Result};
use crate::sql::exec::aggregate::FedGroups;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::{AggregateCall, WindowCall};
use crate::sql::plan::functions::AggregateFunction;

use super::frame::Bounds;

/// Most rows folded for one window call (the frames' lengths summed): 50 M rows is some
/// seconds of work.
const MOST_ROWS_READ: usize = 50_000_000;
/// Rows handed to the aggregate's state at a time, so the indices stay small.
const BATCH_ROWS: usize = 1 << 16;

/// `func` of the call's arguments (`args`, over the input rows) over each row's frame:
/// `order` lists the input rows in window order, `bounds` each position's frame.
pub fn refold_frames(
    func: AggregateFunction,
    call: &WindowCall,
    args: &[ArrayRef],
    order: &[u32],
    bounds: &Bounds,
) -> Result<ArrayRef> {
    let n = order.len();
    // The state of each position: a new one where the frame differs from the one before.
    let mut state_of = vec![0u32; n];
    let mut states = 0usize;
    let mut rows_read = 0usize;
    for (pos, state) in state_of.iter_mut().enumerate() {
        let (lo, hi) = (bounds.lo[pos], bounds.hi[pos]);
        if pos == 0 || (lo, hi) != (bounds.lo[pos - 1], bounds.hi[pos - 1]) {
            states += 1;
            rows_read = rows_read.saturating_add(hi - lo);
        }
        *state = (states - 1) as u32;
    }
    if rows_read > MOST_ROWS_READ {
        return Err(Error::unsupported(format!(
            "{name} over these window frames: each row's frame would be read anew, \
             {rows_read} rows in all (at most {MOST_ROWS_READ}); narrow the frame (ROWS \
             BETWEEN 10 PRECEDING AND CURRENT ROW), or compute it over whole partitions (no \
             ORDER BY)",
            name = func.name()
        )));
    }
    let aggregate = AggregateCall {
        func,
        args: call.args.clone(),
        distinct: false,
        filter: None,
        return_type: call.return_type.clone(),
    };
    let mut fed = FedGroups::new(&aggregate, states)?;
    let mut rows = Vec::with_capacity(BATCH_ROWS);
    let mut groups = Vec::with_capacity(BATCH_ROWS);
    for pos in 0..n {
        if pos > 0 && state_of[pos] == state_of[pos - 1] {
            continue;
        }
        for &row in &order[bounds.lo[pos]..bounds.hi[pos]] {
            rows.push(row);
            groups.push(state_of[pos]);
            if rows.len() == BATCH_ROWS {
                fed.add(args, &rows, &groups)?;
                rows.clear();
                groups.clear();
            }
        }
    }
    if !rows.is_empty() {
        fed.add(args, &rows, &groups)?;
    }
    let answers = fed.finish()?;
    // Each input row takes its position's state's answer.
    let mut answer_of = vec![0u32; n];
    for (pos, &row) in order.iter().enumerate() {
        answer_of[row as usize] = state_of[pos];
    }
    let answers = take(&answers, &UInt32Array::from(answer_of), None).map_err(kernel_error)?;
    if answers.data_type() == &call.return_type {
        Ok(answers)
    } else {
        arrow_cast::cast(&answers, &call.return_type).map_err(kernel_error)
    }
}
