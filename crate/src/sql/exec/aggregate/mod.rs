//! Hash aggregation: each partition is aggregated on its own thread into partial states,
//! then the partials are merged (Spark's partial + final aggregation).
//!
//! Groups are found with [`keys::group_rows`]; a partial keeps its group keys as arrow
//! columns (one row per group), so merging is grouping the partials' keys once more.
//! Each aggregate keeps its state per group (one module per family of aggregates); an
//! aggregate with `DISTINCT` keeps the distinct rows and feeds them to its state at the
//! end, and `FILTER (WHERE ...)` drops rows before they reach the state.

mod accumulator;
mod basic;
mod bitmaps;
mod bitwise;
mod collect;
mod decimal;
mod distinct;
mod fold;
mod listagg;
mod logical;
mod min_max;
mod moments;
mod pick;
mod states;
mod top_by;
mod vectors;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_schema::{DataType, SchemaRef};
use arrow_select::concat::concat;
use arrow_select::filter::{filter, filter_record_batch};
use arrow_select::take::take;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::frame::float_keys::spark_normalized;
use crate::job::JobContext;
use crate::sql::exec::eval::{evaluate_array, selection};
use crate::sql::exec::keys::{group_rows, group_rows_in_slots};
use crate::sql::exec::value::{as_boolean, kernel_error, nulls_as_false};
use crate::sql::plan::expr::{AggregateCall, Expr};
use accumulator::Accumulator;
use states::accumulator_for;

/// Groups `partitions` by `group` and computes `aggregates`; output is the grouping
/// columns then one column per aggregate, in one batch. Only rows where `predicate` is
/// true are aggregated: a scan's filter left to the aggregation (see
/// [`selects_in_place`]) so the rows it keeps are never copied.
pub fn aggregate(
    partitions: &[RecordBatch],
    predicate: Option<&Expr>,
    group: &[Expr],
    aggregates: &[AggregateCall],
    schema: SchemaRef,
    ctx: &JobContext,
) -> Result<Vec<RecordBatch>> {
    let key_types: Vec<DataType> = schema.fields()[..group.len()]
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    let partials: Vec<Partial> = partitions
        .par_iter()
        .enumerate()
        .map(|(index, batch)| {
            ctx.check()?;
            let partial = crate::sql::exec::partition::in_partition(index, || {
                Partial::of_batch(batch, predicate, group, aggregates)
            })?;
            ctx.advance();
            Ok(partial)
        })
        .collect::<Result<_>>()?;
    let (keys, accumulators) = merge(partials, aggregates, &key_types)?;
    // A global aggregate has one row, even over no rows.
    let rows = keys.first().map_or(1, |k| k.len());
    let mut columns = keys;
    for acc in accumulators {
        columns.push(acc.finish()?);
    }
    let batch = RecordBatch::try_new_with_options(
        schema,
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(|e| Error::internal("assembling aggregate results", e))?;
    Ok(vec![batch])
}

/// One aggregate's states for groups whose rows are handed over in batches, each batch's
/// rows added in the order given: a window's frames, each frame a group
/// (`exec::window::refold`).
pub struct FedGroups {
    accumulator: Box<dyn Accumulator>,
    data_arity: usize,
}

impl FedGroups {
    /// The states of `groups` groups of `call` over no rows yet.
    pub fn new(call: &AggregateCall, groups: usize) -> Result<Self> {
        let mut accumulator = accumulator_for(call)?;
        accumulator.resize(groups);
        Ok(FedGroups {
            accumulator,
            data_arity: call.data_args().len(),
        })
    }

    /// Adds row `rows[i]` of `args` (the call's arguments over all the rows, settings
    /// after the data arguments) to group `groups[i]`, for every `i`, in that order.
    pub fn add(&mut self, args: &[ArrayRef], rows: &[u32], groups: &[u32]) -> Result<()> {
        let indices = UInt32Array::from(rows.to_vec());
        let taken = args[..self.data_arity.min(args.len())]
            .iter()
            .map(|a| take(a, &indices, None).map_err(kernel_error))
            .collect::<Result<Vec<_>>>()?;
        self.accumulator.update(groups, &taken)
    }

    /// Every group's answer, by group.
    pub fn finish(self) -> Result<ArrayRef> {
        self.accumulator.finish()
    }
}

/// The aggregation state of one partition: its group keys and one accumulator per
/// aggregate, both indexed by group.
struct Partial {
    keys: Vec<ArrayRef>,
    groups: usize,
    accumulators: Vec<Box<dyn Accumulator>>,
    /// States kept per slot ([`group_rows_in_slots`]): the group of each slot, `groups`
    /// for a slot that holds none (its state is dropped when merging). `None`: the
    /// states are the groups'.
    slot_groups: Option<Vec<u32>>,
}

/// Whether an aggregation can take its input's filter as a selection of rows: when
/// its keys and arguments are plain columns (evaluating them on rows the filter drops
/// does no work and raises nothing) and no aggregate has a FILTER clause of its own.
pub fn selects_in_place(group: &[Expr], aggregates: &[AggregateCall]) -> bool {
    let plain = |e: &Expr| matches!(e, Expr::Column { .. } | Expr::Literal(_));
    group.iter().all(plain)
        && aggregates
            .iter()
            .all(|call| call.filter.is_none() && call.data_args().iter().all(&plain))
}

impl Partial {
    fn of_batch(
        batch: &RecordBatch,
        predicate: Option<&Expr>,
        group: &[Expr],
        aggregates: &[AggregateCall],
    ) -> Result<Self> {
        let mut selected = match predicate {
            Some(p) => selection(batch, p)?,
            None => None,
        };
        // A selection keeping few rows copies them: grouping all rows would cost more.
        let copied;
        let batch = match selected.take_if(|mask| mask.true_count() * 4 < mask.len()) {
            Some(mask) => {
                copied = filter_record_batch(batch, &mask).map_err(kernel_error)?;
                &copied
            }
            None => batch,
        };
        let rows = batch.num_rows();
        // Spark groups (and shows) floats normalised: one group for both zeros, one for
        // every NaN.
        let keys = group
            .iter()
            .map(|g| evaluate_array(g, batch).map(|key| spark_normalized(&key)))
            .collect::<Result<Vec<_>>>()?;
        let mut accumulators = new_accumulators(aggregates)?;
        // Grouped, states that take rows in slots are kept per slot (the slot of the
        // keys' codes when they are few, else the group) and the rows the selection
        // drops go to one more slot no group owns, so the arguments are read in place
        // instead of copied (a global aggregate keeps its one-group loops and filters
        // them).
        let slotted = !group.is_empty() && accumulators.iter().all(|a| a.can_sink());
        let (ids, firsts, slot_groups) = if slotted {
            let slots = group_rows_in_slots(&keys, rows, selected.as_ref())?;
            (slots.ids, slots.firsts, Some(slots.group_of_slot))
        } else {
            let grouping = group_rows(&keys, rows)?;
            let grouping = match &selected {
                Some(mask) => grouping.select(mask),
                None => grouping,
            };
            (grouping.ids, grouping.firsts, None)
        };
        let groups = firsts.len();
        let states = slot_groups.as_ref().map_or(groups, Vec::len);
        let firsts = UInt32Array::from(firsts);
        let keys = keys
            .iter()
            .map(|k| take(k, &firsts, None).map_err(kernel_error))
            .collect::<Result<_>>()?;
        for (acc, call) in accumulators.iter_mut().zip(aggregates) {
            let args = call
                .data_args()
                .iter()
                .map(|a| {
                    let arg = evaluate_array(a, batch)?;
                    match &selected {
                        Some(mask) if !slotted => filter(&arg, mask).map_err(kernel_error),
                        _ => Ok(arg),
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            acc.resize(states);
            match &call.filter {
                None => acc.update(&ids, &args)?,
                Some(condition) => {
                    let (ids, args) = filtered(condition, batch, &ids, &args)?;
                    acc.update(&ids, &args)?
                }
            }
        }
        Ok(Partial {
            keys,
            groups,
            accumulators,
            slot_groups,
        })
    }
}

/// One state per aggregate of a query.
type Accumulators = Vec<Box<dyn Accumulator>>;

fn new_accumulators(aggregates: &[AggregateCall]) -> Result<Accumulators> {
    aggregates.iter().map(accumulator_for).collect()
}

/// Merges the partials: their keys are grouped again, and each partial's states are
/// folded into the final ones through the mapping of its groups to final groups.
fn merge(
    partials: Vec<Partial>,
    aggregates: &[AggregateCall],
    key_types: &[DataType],
) -> Result<(Vec<ArrayRef>, Accumulators)> {
    let total: usize = partials.iter().map(|p| p.groups).sum();
    let keys: Vec<ArrayRef> = (0..key_types.len())
        .map(|k| {
            if partials.is_empty() {
                return Ok(arrow_array::new_empty_array(&key_types[k]));
            }
            let columns: Vec<&dyn Array> = partials.iter().map(|p| p.keys[k].as_ref()).collect();
            concat(&columns).map_err(kernel_error)
        })
        .collect::<Result<_>>()?;
    let grouping = group_rows(&keys, total)?;
    // A global aggregate over no rows still has one row (count 0, sum NULL).
    let groups = grouping.firsts.len().max(key_types.is_empty() as usize);
    // The states of slots without a group are merged into one more group, cut off after.
    let slotted = partials.iter().any(|p| p.slot_groups.is_some());
    let sink = groups as u32;
    let mut accumulators = new_accumulators(aggregates)?;
    accumulators
        .iter_mut()
        .for_each(|a| a.resize(groups + usize::from(slotted)));
    let mut offset = 0;
    for partial in partials {
        let mapping = &grouping.ids[offset..offset + partial.groups];
        offset += partial.groups;
        let slot_mapping: Vec<u32>;
        let mapping = match &partial.slot_groups {
            None => mapping,
            Some(slot_groups) => {
                slot_mapping = slot_groups
                    .iter()
                    .map(|&g| mapping.get(g as usize).copied().unwrap_or(sink))
                    .collect();
                &slot_mapping
            }
        };
        for (acc, theirs) in accumulators.iter_mut().zip(partial.accumulators) {
            acc.merge(theirs, mapping)?;
        }
    }
    if slotted {
        accumulators.iter_mut().for_each(|a| a.resize(groups));
    }
    let firsts = UInt32Array::from(grouping.firsts);
    let keys = keys
        .iter()
        .map(|k| take(k, &firsts, None).map_err(kernel_error))
        .collect::<Result<_>>()?;
    Ok((keys, accumulators))
}

/// The rows where `condition` is true (not false or NULL): their groups and arguments.
fn filtered(
    condition: &Expr,
    batch: &RecordBatch,
    groups: &[u32],
    args: &[ArrayRef],
) -> Result<(Vec<u32>, Vec<ArrayRef>)> {
    // NULL is not true: treat it as false.
    let mask = nulls_as_false(as_boolean(&evaluate_array(condition, batch)?)?);
    let ids = groups
        .iter()
        .zip(mask.values().iter())
        .filter_map(|(&g, keep)| keep.then_some(g))
        .collect();
    let args = args
        .iter()
        .map(|a| filter(a, &mask).map_err(kernel_error))
        .collect::<Result<_>>()?;
    Ok((ids, args))
}
