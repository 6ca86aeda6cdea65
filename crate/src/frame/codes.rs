//! Dense codes for the values of one column: `codes[i]` numbers row `i`'s value among
//! the column's distinct values in order of first appearance.
//!
//! Most GROUP BY, DISTINCT and join keys are a few low-cardinality columns (region, plan,
//! a flag). Coding a column runs one typed loop with a hash table of that column's
//! distinct values only (a few entries, hot in cache); the SQL engine then combines the
//! codes of several columns (`sql::exec::keys`). Every hash uses the same fixed seed, so
//! hashes computed on different partitions agree.

use std::hash::BuildHasher;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, GenericStringArray, OffsetSizeTrait};
use arrow_schema::DataType;
use foldhash::fast::FixedState;
use hashbrown::HashTable;

/// The hasher of every key: one fixed seed, so hashes computed on different partitions
/// (and threads) agree.
pub fn hasher() -> FixedState {
    FixedState::with_seed(0x5eed_b7a5_a000_0001)
}

/// The bits of a native value, for hashing (floats by their bit pattern: NaN groups with
/// NaN, as in Spark).
pub trait ToBitsU64 {
    fn to_bits_u64(self) -> u64;
}

macro_rules! bits_as_u64 {
    ($($t:ty),*) => {$(impl ToBitsU64 for $t {
        fn to_bits_u64(self) -> u64 { self as u64 }
    })*};
}
bits_as_u64!(i8, i16, i32, i64, u8, u16, u32, u64);

impl ToBitsU64 for i128 {
    fn to_bits_u64(self) -> u64 {
        (self as u64) ^ ((self >> 64) as u64).rotate_left(17)
    }
}

impl ToBitsU64 for arrow_buffer::i256 {
    fn to_bits_u64(self) -> u64 {
        let (low, high) = self.to_parts();
        (low as i128).to_bits_u64() ^ high.to_bits_u64().rotate_left(31)
    }
}

impl ToBitsU64 for half::f16 {
    fn to_bits_u64(self) -> u64 {
        self.to_bits() as u64
    }
}

impl ToBitsU64 for f32 {
    fn to_bits_u64(self) -> u64 {
        self.to_bits() as u64
    }
}

impl ToBitsU64 for f64 {
    fn to_bits_u64(self) -> u64 {
        self.to_bits()
    }
}

impl ToBitsU64 for IntervalDayTime {
    fn to_bits_u64(self) -> u64 {
        ((self.days as u64) << 32) ^ self.milliseconds as u32 as u64
    }
}

impl ToBitsU64 for IntervalMonthDayNano {
    fn to_bits_u64(self) -> u64 {
        ((self.months as u64) << 32) ^ (self.days as u32 as u64) ^ (self.nanoseconds as u64)
    }
}

/// The codes of one column: `codes[i]` numbers row `i`'s value among the column's
/// distinct values (NULL is one value of its own), in order of first appearance.
pub struct ColumnCodes {
    pub codes: Vec<u32>,
    /// The first row of each code.
    pub firsts: Vec<u32>,
}

impl ColumnCodes {
    pub fn distinct(&self) -> usize {
        self.firsts.len()
    }
}

/// No bound on the number of distinct values.
pub const NO_LIMIT: usize = usize::MAX;

/// Codes for `column`, or `None` for a type without a typed coder or when the column has
/// more than `limit` distinct values (NULL counting as one): the coder stops there.
pub fn code_column(column: &ArrayRef, limit: usize) -> Option<ColumnCodes> {
    macro_rules! primitive {
        ($t:ty) => {
            code_primitive(column.as_primitive::<$t>(), limit)
        };
    }
    match column.data_type() {
        DataType::Utf8 => code_strings(column.as_string::<i32>(), limit),
        DataType::LargeUtf8 => code_strings(column.as_string::<i64>(), limit),
        DataType::Boolean => code_booleans(column, limit),
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
/// `None` as soon as there are more than `limit` codes.
fn assign_codes(
    len: usize,
    nulls: Option<&arrow_buffer::NullBuffer>,
    limit: usize,
    mut code_of: impl FnMut(usize, u32) -> u32,
) -> Option<ColumnCodes> {
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
            if firsts.len() == limit {
                return None;
            }
            firsts.push(i as u32);
        }
        codes.push(code);
    }
    Some(ColumnCodes { codes, firsts })
}

fn code_strings<O: OffsetSizeTrait>(
    strings: &GenericStringArray<O>,
    limit: usize,
) -> Option<ColumnCodes> {
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
    assign_codes(strings.len(), strings.nulls(), limit, |i, next| {
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

fn code_primitive<T>(array: &arrow_array::PrimitiveArray<T>, limit: usize) -> Option<ColumnCodes>
where
    T: ArrowPrimitiveType,
    T::Native: ToBitsU64,
{
    let state = hasher();
    let values = array.values();
    // Values compare by their bits (NaN with NaN, as the row hashing does).
    let mut table: HashTable<(u64, u32)> = HashTable::new();
    assign_codes(array.len(), array.nulls(), limit, |i, next| {
        let bits = values[i].to_bits_u64();
        let hash = state.hash_one(bits);
        let entry = table
            .entry(hash, |&(b, _)| b == bits, |&(b, _)| state.hash_one(b))
            .or_insert((bits, next));
        entry.get().1
    })
}

fn code_booleans(column: &ArrayRef, limit: usize) -> Option<ColumnCodes> {
    let bools = column.as_boolean();
    let mut seen: [Option<u32>; 2] = [None, None];
    assign_codes(bools.len(), bools.nulls(), limit, |i, next| {
        *seen[bools.value(i) as usize].get_or_insert(next)
    })
}
