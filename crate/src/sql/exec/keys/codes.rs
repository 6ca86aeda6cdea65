//! Dense codes for the values of one key column, and grouping by several columns' codes
//! without hashing rows.
//!
//! Most GROUP BY keys are a few low-cardinality columns (region, plan, a flag). Coding
//! each column on its own runs one typed loop per column with a hash table of that
//! column's distinct values only (a few entries, hot in cache); the codes of several
//! columns then combine into one index of a flat lookup table when the product of their
//! cardinalities is small, so no row is hashed twice and no row is compared through a
//! dynamic comparator.

use std::hash::BuildHasher;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, GenericStringArray, OffsetSizeTrait};
use arrow_schema::DataType;
use hashbrown::HashTable;

use super::{hasher, Grouping, ToBitsU64};

/// Largest product of column cardinalities grouped through a flat lookup table.
const MAX_LOOKUP_SLOTS: usize = 1 << 20;

/// The codes of one column: `codes[i]` numbers row `i`'s value among the column's
/// distinct values (NULL is one value of its own), in order of first appearance.
pub(super) struct ColumnCodes {
    pub codes: Vec<u32>,
    /// The first row of each code.
    pub firsts: Vec<u32>,
}

impl ColumnCodes {
    fn distinct(&self) -> usize {
        self.firsts.len()
    }
}

/// Codes for `column`, or `None` for a type without a typed coder (the caller falls back
/// to hashing whole rows).
pub(super) fn column_codes(column: &ArrayRef) -> Option<ColumnCodes> {
    macro_rules! primitive {
        ($t:ty) => {
            Some(code_primitive(column.as_primitive::<$t>()))
        };
    }
    match column.data_type() {
        DataType::Utf8 => Some(code_strings(column.as_string::<i32>())),
        DataType::LargeUtf8 => Some(code_strings(column.as_string::<i64>())),
        DataType::Boolean => Some(code_booleans(column)),
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Float32 => primitive!(Float32Type),
        DataType::Float64 => primitive!(Float64Type),
        DataType::Date32 => primitive!(Date32Type),
        DataType::Date64 => primitive!(Date64Type),
        DataType::Timestamp(unit, _) => match unit {
            arrow_schema::TimeUnit::Second => primitive!(TimestampSecondType),
            arrow_schema::TimeUnit::Millisecond => primitive!(TimestampMillisecondType),
            arrow_schema::TimeUnit::Microsecond => primitive!(TimestampMicrosecondType),
            arrow_schema::TimeUnit::Nanosecond => primitive!(TimestampNanosecondType),
        },
        _ => None,
    }
}

/// Assigns codes in order of first appearance: `code_of(row, next)` gives the code of a
/// row's value, taking `next` for a value not seen before; NULL rows share one code.
fn assign_codes(
    len: usize,
    nulls: Option<&arrow_buffer::NullBuffer>,
    mut code_of: impl FnMut(usize, u32) -> u32,
) -> ColumnCodes {
    let mut codes = Vec::with_capacity(len);
    let mut firsts: Vec<u32> = Vec::new();
    let mut null_code: Option<u32> = None;
    for i in 0..len {
        let next = firsts.len() as u32;
        let code = if nulls.is_some_and(|n| n.is_null(i)) {
            *null_code.get_or_insert(next)
        } else {
            code_of(i, next)
        };
        if code == next {
            firsts.push(i as u32);
        }
        codes.push(code);
    }
    ColumnCodes { codes, firsts }
}

fn code_strings<O: OffsetSizeTrait>(strings: &GenericStringArray<O>) -> ColumnCodes {
    let state = hasher();
    let offsets = strings.value_offsets();
    let bytes = strings.value_data();
    // Short strings (most keys: regions, plans, flags) are coded by their packed bits,
    // compared as one integer; longer ones by hash and bytes.
    let mut short: HashTable<(u128, u32)> = HashTable::new();
    // A direct-mapped cache in front of `short`: a column of few distinct values codes
    // almost every row with one multiply and one compare. Slots start empty as
    // `u128::MAX`, which no string packs to (its length byte would say 255).
    let mut recent = [(u128::MAX, 0u32); RECENT_SLOTS];
    let mut long: HashTable<(u64, u32, u32)> = HashTable::new();
    let value = |i: usize| &bytes[offsets[i].as_usize()..offsets[i + 1].as_usize()];
    assign_codes(strings.len(), strings.nulls(), |i, next| {
        let (start, end) = (offsets[i].as_usize(), offsets[i + 1].as_usize());
        if let Some(packed) = pack_short(bytes, start, end) {
            let slot = &mut recent[recent_slot(packed)];
            if slot.0 == packed {
                return slot.1;
            }
            let hash = state.hash_one(packed);
            let entry = short
                .entry(hash, |&(p, _)| p == packed, |&(p, _)| state.hash_one(p))
                .or_insert((packed, next));
            *slot = *entry.get();
            return entry.get().1;
        }
        let v = &bytes[start..end];
        let hash = state.hash_one(v);
        let entry = long
            .entry(
                hash,
                |&(h, _, first)| h == hash && value(first as usize) == v,
                |&(h, _, _)| h,
            )
            .or_insert((hash, next, i as u32));
        entry.get().1
    })
}

/// Slots of the cache of recently coded short strings.
const RECENT_SLOTS: usize = 256;

/// A packed string's slot in the cache of recent ones.
#[inline]
fn recent_slot(packed: u128) -> usize {
    let folded = (packed as u64) ^ ((packed >> 64) as u64);
    (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - RECENT_SLOTS.trailing_zeros())) as usize
}

/// The mask keeping the first `len` bytes of a little-endian word, for each `len` < 16
/// (a table: a variable shift of 128 bits is a branchy sequence).
const SHORT_MASKS: [u128; 16] = {
    let mut masks = [0u128; 16];
    let mut len = 1;
    while len < 16 {
        masks[len] = (1u128 << (len * 8)) - 1;
        len += 1;
    }
    masks
};

/// The string `bytes[start..end]` packed into one integer when it is shorter than 16
/// bytes: its bytes, zero-padded, and its length in the top byte, so two short strings
/// are equal exactly when their packings are.
#[inline]
fn pack_short(bytes: &[u8], start: usize, end: usize) -> Option<u128> {
    let len = end - start;
    if len >= 16 {
        return None;
    }
    // Load 16 bytes at once where the buffer has them, then keep the string's own.
    let word = match bytes
        .get(start..start + 16)
        .and_then(|w| <[u8; 16]>::try_from(w).ok())
    {
        Some(wide) => wide,
        None => {
            let mut word = [0u8; 16];
            word[..len].copy_from_slice(&bytes[start..end]);
            word
        }
    };
    let kept = u128::from_le_bytes(word) & SHORT_MASKS[len];
    Some(kept | ((len as u128) << 120))
}

fn code_primitive<T>(array: &arrow_array::PrimitiveArray<T>) -> ColumnCodes
where
    T: ArrowPrimitiveType,
    T::Native: ToBitsU64,
{
    let state = hasher();
    let values = array.values();
    // Values compare by their bits (NaN with NaN, as the row hashing does).
    let mut table: HashTable<(u64, u32)> = HashTable::new();
    assign_codes(array.len(), array.nulls(), |i, next| {
        let bits = values[i].to_bits_u64();
        let hash = state.hash_one(bits);
        let entry = table
            .entry(hash, |&(b, _)| b == bits, |&(b, _)| state.hash_one(b))
            .or_insert((bits, next));
        entry.get().1
    })
}

fn code_booleans(column: &ArrayRef) -> ColumnCodes {
    let bools = column.as_boolean();
    let mut seen: [Option<u32>; 2] = [None, None];
    assign_codes(bools.len(), bools.nulls(), |i, next| {
        *seen[bools.value(i) as usize].get_or_insert(next)
    })
}

/// Groups rows by their key columns' codes, or `None` when a column has no typed coder
/// (the caller then hashes whole rows). The groups are numbered in order of first
/// appearance, as [`super::group_rows`] numbers them.
pub(super) fn group_by_codes(columns: &[ArrayRef], rows: usize) -> Option<Grouping> {
    let (first, rest) = columns.split_first()?;
    let first = column_codes(first)?;
    let prefix = Grouping {
        ids: first.codes,
        firsts: first.firsts,
    };
    group_within_codes(prefix, rest, rows)
}

/// Splits the groups of `prefix` further by the codes of `columns`.
pub(super) fn group_within_codes(
    prefix: Grouping,
    columns: &[ArrayRef],
    rows: usize,
) -> Option<Grouping> {
    let codes: Vec<ColumnCodes> = columns.iter().map(column_codes).collect::<Option<_>>()?;
    Some(
        codes
            .iter()
            .fold(prefix, |grouping, column| combine(&grouping, column, rows)),
    )
}

/// The groups of (group of `prefix`, code of `column`) pairs, in order of first
/// appearance: through a flat table indexed by both numbers when it is small, else
/// through a hash table of the pairs.
fn combine(prefix: &Grouping, column: &ColumnCodes, rows: usize) -> Grouping {
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
