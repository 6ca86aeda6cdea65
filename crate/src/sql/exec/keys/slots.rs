//! Grouping rows by the slot their key columns' codes make, for an aggregation whose
//! states are kept per slot.
//!
//! When every key column is coded ([`crate::frame::codes`], often kept from the load:
//! [`crate::frame::kept_codes`]) and the product of their numbers of distinct values is
//! small (`region` × `plan` is 6 × 4), a row's slot is `((c₀ × n₁) + c₁) × n₂ + c₂ …`: one
//! arithmetic loop per column over all rows, which the compiler vectorises, with no table
//! lookup, no branch and no numbering per row. The aggregation then updates its states
//! by slot, and the slots are numbered as groups only once, from the first few rows
//! (each slot's first row), so the groups it reports are exactly those
//! [`super::group_rows`] gives, in the same order.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray};

use crate::frame::codes::{code_column, ColumnCodes, NO_LIMIT};
use crate::frame::kept_codes::{kept_codes, KeptCodes};

/// Most slots an aggregation keeps states for, whatever the number of rows: beyond it
/// the states of empty slots would cost more than numbering groups row by row.
const MAX_SLOTS: usize = 4096;

/// Slots allowed however few the rows (a small partition): merging a partial's states
/// costs a step per slot, so more slots than rows are allowed only up to this many.
const MIN_SLOTS: usize = 256;

/// Rows numbered by slots, and which group each slot holds.
pub struct Slots {
    /// The slot of each row; rows a selection drops are all in the last slot (the sink).
    pub ids: Vec<u32>,
    /// The group of each slot, the sink's last (there is a sink only under a
    /// selection): the slots holding selected rows are numbered in order of first
    /// appearance among those rows, as [`super::group_rows`] over the selected rows
    /// numbers groups; a slot without selected rows, and the sink, have the number of
    /// groups (no group).
    pub group_of_slot: Vec<u32>,
    /// The first row of each group (a row of the whole input).
    pub firsts: Vec<u32>,
}

/// One key column's codes: kept from the load (one byte a row) or computed.
pub(super) enum KeyCodes {
    Kept(Arc<KeptCodes>),
    Coded(ColumnCodes),
}

impl KeyCodes {
    /// The column's codes, `None` for a type without a typed coder.
    pub(super) fn of(column: &ArrayRef) -> Option<Self> {
        match kept_codes(column) {
            Some(kept) => Some(KeyCodes::Kept(kept)),
            None => code_column(column, NO_LIMIT).map(KeyCodes::Coded),
        }
    }

    fn distinct(&self) -> usize {
        match self {
            KeyCodes::Kept(kept) => kept.distinct(),
            KeyCodes::Coded(coded) => coded.distinct(),
        }
    }

    /// The codes as the coder gives them (32 bits a row).
    pub(super) fn into_codes(self) -> ColumnCodes {
        match self {
            KeyCodes::Kept(kept) => kept.widen(),
            KeyCodes::Coded(coded) => coded,
        }
    }

    /// `slots[i] = slots[i] × radix + code[i]` for every row.
    fn fold_into(&self, slots: &mut [u32], radix: u32) {
        match self {
            KeyCodes::Kept(kept) => slots
                .iter_mut()
                .zip(kept.codes())
                .for_each(|(s, &c)| *s = *s * radix + u32::from(c)),
            KeyCodes::Coded(coded) => slots
                .iter_mut()
                .zip(&coded.codes)
                .for_each(|(s, &c)| *s = *s * radix + c),
        }
    }
}

/// The codes of every key column, `None` when one has no typed coder.
pub(super) fn key_codes(columns: &[ArrayRef]) -> Option<Vec<KeyCodes>> {
    columns.iter().map(KeyCodes::of).collect()
}

/// The rows of `codes` (`rows` of them, at least one column) in slots, the rows
/// `selected` drops in the sink; the codes back when their slots would be too many.
pub(super) fn slot_rows(
    codes: Vec<KeyCodes>,
    rows: usize,
    selected: Option<&BooleanArray>,
) -> Result<Slots, Vec<KeyCodes>> {
    let product = codes
        .iter()
        .try_fold(1usize, |slots, column| slots.checked_mul(column.distinct()));
    let limit = MAX_SLOTS.min(rows.max(MIN_SLOTS));
    let slots = match product {
        Some(slots) if slots <= limit && !codes.is_empty() => slots,
        _ => return Err(codes),
    };
    let mut codes = codes.into_iter();
    let Some(first) = codes.next() else {
        return Err(vec![]);
    };
    let single = codes.as_slice().is_empty();
    let first = first.into_codes();
    let mut ids = first.codes;
    for column in codes {
        column.fold_into(&mut ids, column.distinct() as u32);
    }
    let sink = slots as u32;
    if let Some(mask) = selected {
        sink_dropped(&mut ids, mask, sink);
    }
    let (group_of_slot, firsts) = match selected {
        // One column, every row: its codes are numbered in order of first appearance.
        None if single => ((0..sink).collect(), first.firsts),
        None => {
            let (mut numbers, firsts) = number_slots(&ids, slots);
            numbers.pop();
            (numbers, firsts)
        }
        Some(_) => number_slots(&ids, slots),
    };
    Ok(Slots {
        ids,
        group_of_slot,
        firsts,
    })
}

/// Puts the rows `mask` drops in slot `sink`, visiting the dropped rows only.
fn sink_dropped(ids: &mut [u32], mask: &BooleanArray, sink: u32) {
    let bits = mask.values().bit_chunks();
    let mut visit = |start: usize, mut dropped: u64| {
        while dropped != 0 {
            ids[start + dropped.trailing_zeros() as usize] = sink;
            dropped &= dropped - 1;
        }
    };
    for (c, word) in bits.iter().enumerate() {
        visit(c * 64, !word);
    }
    let tail = bits.remainder_len();
    if tail > 0 {
        visit(
            bits.chunk_len() * 64,
            !bits.remainder_bits() & ((1u64 << tail) - 1),
        );
    }
}

/// The group of each of `slots` slots (sink last) and each group's first row, groups
/// numbered in order of first appearance: rows are read until every slot has been seen
/// (within the first few hundred rows when the keys are few and all present).
fn number_slots(ids: &[u32], slots: usize) -> (Vec<u32>, Vec<u32>) {
    const UNSEEN: u32 = u32::MAX;
    let mut group_of_slot = vec![UNSEEN; slots + 1];
    // The sink is marked seen so its rows are skipped, then given "no group" below.
    group_of_slot[slots] = 0;
    let mut firsts: Vec<u32> = Vec::new();
    for (row, &slot) in ids.iter().enumerate() {
        let group = &mut group_of_slot[slot as usize];
        if *group == UNSEEN {
            *group = firsts.len() as u32;
            firsts.push(row as u32);
            if firsts.len() == slots {
                break;
            }
        }
    }
    let none = firsts.len() as u32;
    group_of_slot[slots] = none;
    for group in &mut group_of_slot[..slots] {
        if *group == UNSEEN {
            *group = none;
        }
    }
    (group_of_slot, firsts)
}
