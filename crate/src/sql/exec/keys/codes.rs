//! Grouping by several key columns' codes ([`crate::frame::codes`]) without hashing
//! rows.
//!
//! Each key column is coded on its own; the codes of several columns then combine into
//! one index of a flat lookup table when the product of their cardinalities is small, so
//! no row is hashed twice and no row is compared through a dynamic comparator.

use std::hash::BuildHasher;

use arrow_array::ArrayRef;
use hashbrown::HashTable;

use super::slots::{key_codes, KeyCodes};
use super::Grouping;
use crate::frame::codes::{hasher, ColumnCodes};

/// Largest product of column cardinalities grouped through a flat lookup table.
const MAX_LOOKUP_SLOTS: usize = 1 << 20;

/// Groups rows by their key columns' codes, or `None` when a column has no typed coder
/// (the caller then hashes whole rows). The groups are numbered in order of first
/// appearance, as [`super::group_rows`] numbers them.
pub(super) fn group_by_codes(columns: &[ArrayRef], rows: usize) -> Option<Grouping> {
    if columns.is_empty() {
        return None;
    }
    Some(group_coded(key_codes(columns)?, rows))
}

/// Groups rows by the codes of their key columns (no columns: one group of every row).
pub(super) fn group_coded(codes: Vec<KeyCodes>, rows: usize) -> Grouping {
    let mut codes = codes.into_iter();
    let prefix = match codes.next() {
        Some(first) => {
            let first = first.into_codes();
            Grouping {
                ids: first.codes,
                firsts: first.firsts,
            }
        }
        None => Grouping {
            ids: vec![0; rows],
            firsts: if rows > 0 { vec![0] } else { vec![] },
        },
    };
    codes.fold(prefix, |grouping, column| {
        combine(&grouping, column.into_codes(), rows)
    })
}

/// Splits the groups of `prefix` further by the codes of `columns`.
pub(super) fn group_within_codes(
    prefix: Grouping,
    columns: &[ArrayRef],
    rows: usize,
) -> Option<Grouping> {
    let codes = key_codes(columns)?;
    Some(codes.into_iter().fold(prefix, |grouping, column| {
        combine(&grouping, column.into_codes(), rows)
    }))
}

/// The groups of (group of `prefix`, code of `column`) pairs, in order of first
/// appearance: through a flat table indexed by both numbers when it is small, else
/// through a hash table of the pairs.
fn combine(prefix: &Grouping, column: ColumnCodes, rows: usize) -> Grouping {
    if prefix.firsts.len() == 1 {
        // One group before (every id 0): the pairs are numbered as the codes are, in
        // order of first appearance (a global `count(DISTINCT x)`, a first key column).
        return Grouping {
            ids: column.codes,
            firsts: column.firsts,
        };
    }
    let radix = column.distinct();
    let mut firsts = Vec::new();
    let mut number = |i: usize, group: &mut u32| {
        if *group == u32::MAX {
            *group = firsts.len() as u32;
            firsts.push(i as u32);
        }
        *group
    };
    let pairs = prefix.ids.iter().zip(&column.codes).enumerate();
    let ids = match prefix.firsts.len().checked_mul(radix) {
        Some(slots) if slots <= rows.clamp(1024, MAX_LOOKUP_SLOTS) => {
            let mut group_of_slot = vec![u32::MAX; slots];
            pairs
                .map(|(i, (&p, &c))| number(i, &mut group_of_slot[p as usize * radix + c as usize]))
                .collect()
        }
        _ => {
            let state = hasher();
            let mut table: HashTable<(u64, u32)> = HashTable::new();
            pairs
                .map(|(i, (&p, &c))| {
                    let pair = ((p as u64) << 32) | c as u64;
                    let hash = state.hash_one(pair);
                    let entry = table
                        .entry(hash, |&(k, _)| k == pair, |&(k, _)| state.hash_one(k))
                        .or_insert((pair, u32::MAX));
                    number(i, &mut entry.into_mut().1)
                })
                .collect()
        }
    };
    Grouping { ids, firsts }
}
