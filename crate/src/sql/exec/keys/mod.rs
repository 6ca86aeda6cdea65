//! Row keys for the hashing operators (GROUP BY, DISTINCT aggregates, joins).
//!
//! A key is one or more columns. Rows are hashed column by column with typed loops and
//! compared with arrow's comparators, so no operator has to encode its keys row by row
//! (encoding was most of the time of a GROUP BY on strings). Every hash uses the same
//! fixed seed: hashes computed on different partitions agree. Grouping codes each key
//! column on its own first ([`codes`]) and only hashes whole rows for key types without
//! a typed coder.

mod codes;
mod slots;

use std::hash::BuildHasher;

use arrow_array::cast::AsArray;
use arrow_array::{downcast_primitive_array, Array, ArrayRef, StringArray};
use arrow_ord::ord::{make_comparator, DynComparator};
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, SortOptions};
use hashbrown::HashTable;

use crate::error::Result;
use crate::frame::codes::{hasher, ToBitsU64};
use crate::sql::exec::value::kernel_error;
pub use slots::Slots;

/// The hash of a NULL in any column.
const NULL_HASH: u64 = 0x9e37_79b9_7f4a_7c15;

/// One hash per row of `columns` (all of the same length). Equal keys hash equally,
/// NULLs included, whichever partition they come from.
pub fn hash_rows(columns: &[ArrayRef], rows: usize) -> Result<Vec<u64>> {
    let mut hashes = vec![0u64; rows];
    for (c, column) in columns.iter().enumerate() {
        hash_column(column, &mut hashes, c > 0)?;
    }
    Ok(hashes)
}

/// Folds the hash of each value of `column` into `hashes`.
fn hash_column(column: &ArrayRef, hashes: &mut [u64], combine: bool) -> Result<()> {
    let state = hasher();
    let fold = |h: &mut u64, value: u64| {
        *h = if combine {
            state.hash_one(h.rotate_left(29) ^ value)
        } else {
            value
        };
    };
    let mut each = |value_hash: &dyn Fn(usize) -> u64| match column.logical_nulls() {
        None => hashes
            .iter_mut()
            .enumerate()
            .for_each(|(i, h)| fold(h, value_hash(i))),
        Some(nulls) => hashes.iter_mut().enumerate().for_each(|(i, h)| {
            let v = if nulls.is_valid(i) {
                value_hash(i)
            } else {
                NULL_HASH
            };
            fold(h, v)
        }),
    };
    downcast_primitive_array! {
        column => {
            let values = column.values();
            each(&|i| state.hash_one(values[i].to_bits_u64()));
        }
        DataType::Utf8 => {
            let strings = column.as_string::<i32>();
            each(&|i| state.hash_one(strings.value(i).as_bytes()));
        }
        DataType::LargeUtf8 => {
            let strings = column.as_string::<i64>();
            each(&|i| state.hash_one(strings.value(i).as_bytes()));
        }
        DataType::Binary => {
            let bytes = column.as_binary::<i32>();
            each(&|i| state.hash_one(bytes.value(i)));
        }
        DataType::Boolean => {
            let bools = column.as_boolean();
            each(&|i| state.hash_one(bools.value(i) as u64));
        }
        DataType::Null => each(&|_| NULL_HASH),
        other => {
            // Anything else (lists, structs, ...): hash its row encoding.
            let converter = RowConverter::new(vec![SortField::new(other.clone())])
                .map_err(kernel_error)?;
            let rows = converter
                .convert_columns(std::slice::from_ref(column))
                .map_err(kernel_error)?;
            each(&|i| state.hash_one(rows.row(i).data()));
        }
    }
    Ok(())
}

/// Whether row `l` of one set of key columns equals row `r` of another (same types).
/// NULL equals NULL here: GROUP BY puts NULLs together; joins drop NULL keys before.
pub struct RowEq {
    columns: Vec<ColumnEq>,
}

/// Equality of one key column: strings directly (the common key, and the hot loop),
/// anything else through arrow's comparator.
enum ColumnEq {
    Strings(Box<(StringArray, StringArray)>),
    Other(DynComparator),
}

impl RowEq {
    pub fn new(left: &[ArrayRef], right: &[ArrayRef]) -> Result<Self> {
        let columns = left
            .iter()
            .zip(right)
            .map(|(l, r)| match (l.data_type(), r.data_type()) {
                (DataType::Utf8, DataType::Utf8) => Ok(ColumnEq::Strings(Box::new((
                    l.as_string::<i32>().clone(),
                    r.as_string::<i32>().clone(),
                )))),
                _ => make_comparator(l, r, SortOptions::default())
                    .map(ColumnEq::Other)
                    .map_err(kernel_error),
            })
            .collect::<Result<_>>()?;
        Ok(RowEq { columns })
    }

    pub fn eq(&self, l: usize, r: usize) -> bool {
        self.columns.iter().all(|column| match column {
            ColumnEq::Strings(pair) => match (pair.0.is_valid(l), pair.1.is_valid(r)) {
                (true, true) => pair.0.value(l).as_bytes() == pair.1.value(r).as_bytes(),
                (valid_l, valid_r) => valid_l == valid_r,
            },
            ColumnEq::Other(cmp) => cmp(l, r).is_eq(),
        })
    }
}

/// Rows put into groups of equal keys, numbered in order of first appearance.
pub struct Grouping {
    /// The group of each row.
    pub ids: Vec<u32>,
    /// The first row of each group: taking the key columns there gives the group keys.
    pub firsts: Vec<u32>,
}

impl Grouping {
    /// The grouping of the rows `mask` selects, their groups renumbered in order of
    /// first appearance among them; `firsts` still name rows of the whole input.
    pub fn select(&self, mask: &arrow_array::BooleanArray) -> Grouping {
        let mut renumbered = vec![u32::MAX; self.firsts.len()];
        let mut firsts = Vec::new();
        let mut ids = Vec::with_capacity(mask.true_count());
        for row in mask.values().set_indices() {
            let group = &mut renumbered[self.ids[row] as usize];
            if *group == u32::MAX {
                *group = firsts.len() as u32;
                firsts.push(row as u32);
            }
            ids.push(*group);
        }
        Grouping { ids, firsts }
    }
}

impl Grouping {
    /// The grouping [`Grouping::select`] gives for the rows `mask` selects, but with an
    /// id for every row: the rows it drops get one more group after the selected ones
    /// (numbered `firsts.len()`, with no entry in `firsts`), so an aggregation can feed
    /// them to that group and cut it off instead of copying the selected rows' arguments.
    pub fn sink_unselected(self, mask: &arrow_array::BooleanArray) -> Grouping {
        let groups = self.firsts.len();
        // The first selected row of each group, scanning selected rows only until every
        // group has one (for a filter keeping most rows, within the first few).
        let mut first_selected = vec![u32::MAX; groups];
        let mut missing = groups;
        for row in mask.values().set_indices() {
            if missing == 0 {
                break;
            }
            let first = &mut first_selected[self.ids[row] as usize];
            if *first == u32::MAX {
                *first = row as u32;
                missing -= 1;
            }
        }
        let mut order: Vec<u32> = (0..groups as u32)
            .filter(|&g| first_selected[g as usize] != u32::MAX)
            .collect();
        order.sort_unstable_by_key(|&g| first_selected[g as usize]);
        let sink = order.len() as u32;
        let mut renumbered = vec![sink; groups];
        for (new, &old) in order.iter().enumerate() {
            renumbered[old as usize] = new as u32;
        }
        let firsts = order.iter().map(|&g| first_selected[g as usize]).collect();
        let mut ids = self.ids;
        if renumbered.iter().enumerate().all(|(g, &n)| n as usize == g) {
            // Every group keeps its number: only the dropped rows change.
            for row in (!mask.values()).set_indices() {
                ids[row] = sink;
            }
        } else {
            let selected = mask.values().bit_chunks();
            let renumber = |chunk: &mut [u32], word: u64| {
                for (j, id) in chunk.iter_mut().enumerate() {
                    let kept = renumbered[*id as usize];
                    *id = if word >> j & 1 == 1 { kept } else { sink };
                }
            };
            let mut chunks = ids.chunks_exact_mut(64);
            for (chunk, word) in (&mut chunks).zip(selected.iter()) {
                renumber(chunk, word);
            }
            renumber(chunks.into_remainder(), selected.remainder_bits());
        }
        Grouping { ids, firsts }
    }
}

/// Groups the rows of `columns` (`rows` of them; no columns is one group of all rows).
pub fn group_rows(columns: &[ArrayRef], rows: usize) -> Result<Grouping> {
    if columns.is_empty() {
        return Ok(Grouping {
            ids: vec![0; rows],
            firsts: if rows > 0 { vec![0] } else { vec![] },
        });
    }
    match codes::group_by_codes(columns, rows) {
        Some(grouping) => Ok(grouping),
        None => group_by_hashing(columns, rows),
    }
}

/// Groups rows for an aggregation that keeps its states per slot and can take the rows
/// `selected` drops in a slot of their own (see [`Slots`]): by the slot of their key
/// codes when every key is coded and the slots are few, else by group (numbered as
/// [`group_rows`] then [`Grouping::sink_unselected`] number them, each group its own slot).
pub fn group_rows_in_slots(
    columns: &[ArrayRef],
    rows: usize,
    selected: Option<&arrow_array::BooleanArray>,
) -> Result<Slots> {
    let grouping = match slots::key_codes(columns) {
        Some(codes) if !columns.is_empty() => match slots::slot_rows(codes, rows, selected) {
            Ok(slots) => return Ok(slots),
            Err(codes) => codes::group_coded(codes, rows),
        },
        _ => group_rows(columns, rows)?,
    };
    let grouping = match selected {
        Some(mask) => grouping.sink_unselected(mask),
        None => grouping,
    };
    // Group `g` in slot `g`; the sink (and nothing else) has no group.
    let slots = grouping.firsts.len() + usize::from(selected.is_some());
    Ok(Slots {
        ids: grouping.ids,
        group_of_slot: (0..slots as u32).collect(),
        firsts: grouping.firsts,
    })
}

/// Groups rows by their columns' codes only: `None` when a column's type has no typed
/// coder (callers with a cheaper way than hashing whole rows take it then).
pub fn group_rows_coded(columns: &[ArrayRef], rows: usize) -> Option<Grouping> {
    codes::group_by_codes(columns, rows)
}

/// Splits groups further by more key columns: the groups of (`groups[i]`, row `i` of
/// `columns`), where `groups` are numbers below `group_count` (a DISTINCT aggregate's
/// rows within their GROUP BY groups), numbered in order of first appearance.
pub fn group_rows_within(
    groups: &[u32],
    group_count: usize,
    columns: &[ArrayRef],
) -> Result<Grouping> {
    let rows = groups.len();
    if group_count <= 1 {
        // One group (a global aggregate's): the groups are the columns' own, and the
        // prefix need not be copied.
        if let Some(grouping) = codes::group_by_codes(columns, rows) {
            return Ok(grouping);
        }
    }
    if !columns.is_empty() {
        // The prefix's `firsts` only count its groups here; their rows are never read.
        let prefix = Grouping {
            ids: groups.to_vec(),
            firsts: vec![0; group_count],
        };
        if let Some(grouping) = codes::group_within_codes(prefix, columns, rows) {
            return Ok(grouping);
        }
    }
    let mut all: Vec<ArrayRef> = vec![std::sync::Arc::new(arrow_array::UInt32Array::from(
        groups.to_vec(),
    ))];
    all.extend(columns.iter().cloned());
    group_by_hashing(&all, rows)
}

/// Groups rows by hashing whole rows and comparing them column by column (any types).
fn group_by_hashing(columns: &[ArrayRef], rows: usize) -> Result<Grouping> {
    let hashes = hash_rows(columns, rows)?;
    let eq = RowEq::new(columns, columns)?;
    let mut table: HashTable<u32> = HashTable::new();
    let mut firsts: Vec<u32> = Vec::new();
    let ids = (0..rows)
        .map(|i| {
            let hash = hashes[i];
            let found = table.find(hash, |&g| eq.eq(firsts[g as usize] as usize, i));
            match found {
                Some(&g) => g,
                None => {
                    let g = firsts.len() as u32;
                    firsts.push(i as u32);
                    table.insert_unique(hash, g, |&g| hashes[firsts[g as usize] as usize]);
                    g
                }
            }
        })
        .collect();
    Ok(Grouping { ids, firsts })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, Int32Array, StringArray};

    use super::*;

    #[test]
    fn groups_follow_first_appearance_and_nulls_group_together() {
        let a: ArrayRef = Arc::new(StringArray::from(vec![
            Some("x"),
            None,
            Some("y"),
            Some("x"),
            None,
        ]));
        let b: ArrayRef = Arc::new(Int32Array::from(vec![1, 2, 1, 1, 2]));
        let g = group_rows(&[a, b], 5).unwrap();
        assert_eq!(g.ids, vec![0, 1, 2, 0, 1]);
        assert_eq!(g.firsts, vec![0, 1, 2]);
    }

    /// Random keys of every coded kind, NULLs included, low and high cardinality.
    fn random_keys(rows: usize, seed: u64) -> Vec<ArrayRef> {
        let mut state = seed;
        let mut next = move |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        let words = [
            "north",
            "south",
            "",
            "fifteen-letters",
            "sixteen-letters!",
            "a much longer region name",
        ];
        let strings: StringArray = (0..rows)
            .map(|_| match next(8) {
                0 => None,
                w => Some(words[w as usize % words.len()]),
            })
            .collect();
        let wide: Int32Array = (0..rows).map(|_| Some(next(5000) as i32)).collect();
        let floats: Float64Array = (0..rows)
            .map(|_| match next(5) {
                0 => None,
                1 => Some(f64::NAN),
                x => Some(x as f64 * 0.5),
            })
            .collect();
        let flags: arrow_array::BooleanArray = (0..rows)
            .map(|_| [None, Some(true), Some(false)][next(3) as usize])
            .collect();
        vec![
            Arc::new(strings),
            Arc::new(wide),
            Arc::new(floats),
            Arc::new(flags),
        ]
    }

    #[test]
    fn coded_grouping_matches_row_hashing() {
        let keys = random_keys(20_000, 7);
        // Every prefix and a few orders, so both the flat table and the hashed pairs run.
        let orders: [&[usize]; 6] = [&[0], &[1], &[0, 3], &[1, 0], &[2, 1, 3], &[3, 2, 1, 0]];
        for order in orders {
            let columns: Vec<ArrayRef> = order.iter().map(|&k| Arc::clone(&keys[k])).collect();
            let coded = codes::group_by_codes(&columns, 20_000).expect("all coded");
            let hashed = group_by_hashing(&columns, 20_000).unwrap();
            assert_eq!(coded.ids, hashed.ids, "columns {order:?}");
            assert_eq!(coded.firsts, hashed.firsts, "columns {order:?}");
        }
    }

    #[test]
    fn a_selection_renumbers_groups_as_grouping_the_selected_rows_would() {
        let keys = random_keys(5_000, 11);
        let mask: arrow_array::BooleanArray = (0..5_000).map(|i| Some(i % 7 < 3)).collect();
        let columns = [Arc::clone(&keys[0]), Arc::clone(&keys[3])];
        let selected = group_rows(&columns, 5_000).unwrap().select(&mask);
        let filtered: Vec<ArrayRef> = columns
            .iter()
            .map(|c| arrow_select::filter::filter(c, &mask).unwrap())
            .collect();
        let direct = group_rows(&filtered, mask.true_count()).unwrap();
        assert_eq!(selected.ids, direct.ids);
        let rows: Vec<u32> = mask.values().set_indices().map(|r| r as u32).collect();
        let direct_firsts: Vec<u32> = direct.firsts.iter().map(|&f| rows[f as usize]).collect();
        assert_eq!(selected.firsts, direct_firsts);
    }

    #[test]
    fn sinking_dropped_rows_numbers_the_selected_ones_as_a_selection_does() {
        let keys = random_keys(5_000, 13);
        let columns = [Arc::clone(&keys[0]), Arc::clone(&keys[3])];
        let masks: [arrow_array::BooleanArray; 3] = [
            (0..5_000).map(|i| Some(i % 7 < 5)).collect(),
            // Drops the first rows, so groups are renumbered.
            (0..5_000).map(|i| Some(i > 40 && i % 3 > 0)).collect(),
            // Drops every row of some groups.
            (0..5_000).map(|i| Some(i % 2 == 0)).collect(),
        ];
        for mask in &masks {
            let grouping = group_rows(&columns, 5_000).unwrap();
            let selected = grouping.select(mask);
            let sunk = group_rows(&columns, 5_000).unwrap().sink_unselected(mask);
            assert_eq!(sunk.firsts, selected.firsts);
            let sink = sunk.firsts.len() as u32;
            let kept: Vec<u32> = (0..5_000)
                .filter(|&r| mask.value(r))
                .map(|r| sunk.ids[r])
                .collect();
            assert_eq!(kept, selected.ids);
            assert!((0..5_000)
                .filter(|&r| !mask.value(r))
                .all(|r| sunk.ids[r] == sink));
        }
        let all_odd: arrow_array::BooleanArray = (0..5_000).map(|i| Some(i % 2 == 1)).collect();
        let one_key: ArrayRef = Arc::new(Int32Array::from(vec![5; 5_000]));
        let sunk = group_rows(&[one_key], 5_000)
            .unwrap()
            .sink_unselected(&all_odd);
        assert_eq!(sunk.firsts, vec![1]);
        assert_eq!(&sunk.ids[..4], &[1, 0, 1, 0]);
    }

    #[test]
    fn slots_hold_the_groups_of_the_selected_rows_in_their_order() {
        let mut keys = random_keys(20_000, 17);
        // Kept codes (one byte a row) for the string column, as a loaded table has.
        let _kept = crate::frame::kept_codes::keep(&keys[0]).expect("few strings");
        // Two columns of which only 6 of the 6 × 3 pairs occur.
        keys.push(Arc::new(Int32Array::from_iter_values(
            (0..20_000).map(|i| i % 6),
        )));
        keys.push(Arc::new(Int32Array::from_iter_values(
            (0..20_000).map(|i| (i % 6) / 2),
        )));
        let masks: [Option<arrow_array::BooleanArray>; 4] = [
            None,
            Some((0..20_000).map(|i| Some(i % 7 < 5)).collect()),
            // Drops the first rows.
            Some((0..20_000).map(|i| Some(i > 90 && i % 4 != 1)).collect()),
            // Drops every row of some slots.
            Some((0..20_000).map(|i| Some(i % 6 != 2)).collect()),
        ];
        // Few slots (by slot), some never filled, and too many (the wide column: by
        // group).
        let orders: [&[usize]; 8] = [
            &[0],
            &[3],
            &[0, 3],
            &[3, 2, 0],
            &[4, 5],
            &[5, 4, 3],
            &[1],
            &[0, 1],
        ];
        for order in orders {
            let columns: Vec<ArrayRef> = order.iter().map(|&k| Arc::clone(&keys[k])).collect();
            for mask in &masks {
                let slots = group_rows_in_slots(&columns, 20_000, mask.as_ref()).unwrap();
                let grouping = group_rows(&columns, 20_000).unwrap();
                let expected = match mask {
                    Some(mask) => grouping.select(mask),
                    None => grouping,
                };
                assert_eq!(slots.firsts, expected.firsts, "columns {order:?}");
                let groups = expected.firsts.len() as u32;
                let selected = |r: usize| mask.as_ref().is_none_or(|m| m.value(r));
                let kept: Vec<u32> = (0..20_000)
                    .filter(|&r| selected(r))
                    .map(|r| slots.group_of_slot[slots.ids[r] as usize])
                    .collect();
                assert_eq!(kept, expected.ids, "columns {order:?}");
                assert!((0..20_000)
                    .filter(|&r| !selected(r))
                    .all(|r| slots.group_of_slot[slots.ids[r] as usize] == groups));
                // A sink only under a selection, and it has no group.
                let sink = slots.group_of_slot.len() - 1;
                if mask.is_some() {
                    assert_eq!(slots.group_of_slot[sink], groups);
                } else {
                    assert!(slots
                        .ids
                        .iter()
                        .all(|&s| (s as usize) < slots.group_of_slot.len()));
                }
            }
        }
    }

    #[test]
    fn equal_keys_hash_equally_across_arrays() {
        let a: ArrayRef = Arc::new(Float64Array::from(vec![1.5, f64::NAN, 2.0]));
        let b: ArrayRef = Arc::new(Float64Array::from(vec![2.0, 1.5, f64::NAN]));
        let (ha, hb) = (hash_rows(&[a], 3).unwrap(), hash_rows(&[b], 3).unwrap());
        assert_eq!(ha[0], hb[1]);
        assert_eq!(ha[1], hb[2]);
        assert_eq!(ha[2], hb[0]);
    }
}
