//! Codes kept for the low-cardinality string columns of loaded tables: a dictionary
//! encoding made once at load, beside the strings rather than instead of them.
//!
//! GROUP BY, DISTINCT and join keys are coded column by column ([`super::codes`]); on a
//! string column that coding is most of a grouped query's time (in wasm, half of each of
//! the benchmark's queries on `region` and `plan`). A loaded table is immutable, so each
//! partition's codes are computed once, when the table is registered, and found again by
//! the identity of the column's buffers whenever a query hands the same array to the
//! coder. The strings stay as they are: every operator, function, export and learner
//! still sees a plain Arrow string column, and a copy of a column (a filter, a slice)
//! simply has no kept codes and is coded as before, with the same result.
//!
//! Soundness: an entry names the exact buffers (offsets, bytes, validity) and the range
//! of them the array covers, and lives no longer than the table holding those buffers
//! (the table owns the codes; the registry only has a weak reference), so no other data
//! can ever be found at the same identity while the codes exist.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, OnceLock, RwLock, Weak};

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, GenericStringArray, OffsetSizeTrait, StringArray};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer};
use arrow_schema::DataType;

use super::codes::{code_column, ColumnCodes, NO_LIMIT};

/// Most distinct values (NULL counting as one) a partition's column may have for its
/// codes to be kept: one byte per row. Beyond that a column is an identifier or free
/// text, rarely a key, and coding it on use is as fast as keeping it would be.
pub const MAX_KEPT_DISTINCT: usize = 256;

/// One partition column's codes, one byte per row, and the first row of each code.
pub struct KeptCodes {
    identity: Identity,
    codes: Vec<u8>,
    firsts: Vec<u32>,
}

impl KeptCodes {
    /// The code of each row, one byte each (the coder's codes, narrowed).
    pub fn codes(&self) -> &[u8] {
        &self.codes
    }

    /// How many distinct values (NULL counting as one) the column has.
    pub fn distinct(&self) -> usize {
        self.firsts.len()
    }

    /// The codes as the coder gives them (32 bits per row).
    pub fn widen(&self) -> ColumnCodes {
        ColumnCodes {
            codes: self.codes.iter().map(|&c| u32::from(c)).collect(),
            firsts: self.firsts.clone(),
        }
    }

    /// Bytes these codes take.
    pub fn memory_size(&self) -> usize {
        self.codes.len() + 4 * self.firsts.len() + std::mem::size_of::<Self>()
    }
}

impl Drop for KeptCodes {
    fn drop(&mut self) {
        let Ok(mut kept) = KEPT.write() else { return };
        // Only this entry's own: another table's codes for the same buffers may have
        // taken the slot since.
        if kept
            .get(&self.identity)
            .is_some_and(|weak| std::ptr::eq(weak.as_ptr(), self))
        {
            kept.remove(&self.identity);
        }
    }
}

impl std::fmt::Debug for KeptCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeptCodes({} rows, {} values)",
            self.codes.len(),
            self.firsts.len()
        )
    }
}

/// What makes two string arrays the same data: the same buffers over the same ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Identity {
    /// Address and length of the array's own offsets (its slice of the offsets buffer).
    offsets: (usize, usize),
    /// Address and length of the bytes buffer.
    bytes: (usize, usize),
    /// Address, bit offset and length of the validity bitmap, if any.
    validity: Option<(usize, usize, usize)>,
    /// 64-bit offsets (LargeUtf8).
    large: bool,
}

fn identity_of<O: OffsetSizeTrait>(strings: &GenericStringArray<O>) -> Identity {
    let offsets = strings.value_offsets();
    let bytes = strings.value_data();
    Identity {
        offsets: (offsets.as_ptr() as usize, offsets.len()),
        bytes: (bytes.as_ptr() as usize, bytes.len()),
        validity: strings
            .nulls()
            .map(|n| (n.buffer().as_ptr() as usize, n.offset(), n.len())),
        large: O::IS_LARGE,
    }
}

/// The identity of a string column; `None` for any other type (nothing else is kept).
fn identity(column: &ArrayRef) -> Option<Identity> {
    match column.data_type() {
        DataType::Utf8 => Some(identity_of(column.as_string::<i32>())),
        DataType::LargeUtf8 => Some(identity_of(column.as_string::<i64>())),
        _ => None,
    }
}

/// Codes for a key column, or `None` for a type without a typed coder (the caller falls
/// back to hashing whole rows): the kept ones copied when this array has them, else
/// computed ([`code_column`]).
pub fn column_codes(column: &ArrayRef) -> Option<ColumnCodes> {
    match lookup(column) {
        Some(kept) => Some(kept.widen()),
        None => code_column(column, NO_LIMIT),
    }
}

/// The codes kept for exactly this array, if any (as the coder gives them).
pub fn kept_column_codes(column: &ArrayRef) -> Option<ColumnCodes> {
    lookup(column).map(|kept| kept.widen())
}

/// The codes kept for exactly this array, as they are kept (one byte per row), so a
/// caller combining several key columns reads them without widening them first.
pub fn kept_codes(column: &ArrayRef) -> Option<Arc<KeptCodes>> {
    lookup(column)
}

/// How often each distinct value of a string column occurs and the first row holding it
/// (NULL is a value of its own), counted from the codes kept for exactly this array
/// without looking at its strings; `None` when none are kept.
pub fn kept_value_counts(column: &ArrayRef) -> Option<(Vec<u64>, Vec<u32>)> {
    let kept = lookup(column)?;
    let mut counts = vec![0u64; kept.firsts.len()];
    for &code in &kept.codes {
        counts[usize::from(code)] += 1;
    }
    Some((counts, kept.firsts.clone()))
}

/// Every kept set of codes, by identity. Weak: the tables own the codes.
static KEPT: LazyLock<RwLock<HashMap<Identity, Weak<KeptCodes>>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

/// The codes kept for exactly this array, if any.
fn lookup(column: &ArrayRef) -> Option<Arc<KeptCodes>> {
    find(&identity(column)?)
}

/// The codes kept under `identity`, if any.
fn find(identity: &Identity) -> Option<Arc<KeptCodes>> {
    KEPT.read().ok()?.get(identity).and_then(Weak::upgrade)
}

/// Codes for a string column with at most [`MAX_KEPT_DISTINCT`] distinct values, kept
/// for as long as the caller holds them (a table holds its partitions' codes); the
/// codes already kept for the same array are shared. `None` for any other column.
pub fn keep(column: &ArrayRef) -> Option<Arc<KeptCodes>> {
    let identity = identity(column)?;
    if let Some(kept) = find(&identity) {
        return Some(kept);
    }
    let coded = code_column(column, MAX_KEPT_DISTINCT)?;
    let codes = Arc::new(KeptCodes {
        identity,
        codes: coded.codes.iter().map(|&c| c as u8).collect(),
        firsts: coded.firsts,
    });
    // No sweep of dead entries is needed: a set of codes removes its own entry when it
    // is dropped (`Drop` above).
    KEPT.write().ok()?.insert(identity, Arc::downgrade(&codes));
    Some(codes)
}

/// A string column built from its text and the codes of its rows (a compact column
/// decoded, [`super::compact`]), with those codes kept for it for exactly as long as its
/// text exists: the text's buffer owns them (and the offsets and validity, so none of the
/// column's buffers can be freed and their addresses reused while the codes are found
/// under them). `codes`/`firsts` must be what [`code_column`] gives for the column.
pub fn decoded_strings(
    offsets: OffsetBuffer<i32>,
    bytes: Vec<u8>,
    nulls: Option<NullBuffer>,
    codes: Vec<u8>,
    firsts: Vec<u32>,
) -> crate::error::Result<ArrayRef> {
    let slot = Arc::new(OnceLock::new());
    let owner = TextOwner {
        _kept: Arc::clone(&slot),
        _offsets: offsets.clone(),
        _nulls: nulls.clone(),
        bytes,
    };
    let text = Buffer::from(bytes::Bytes::from_owner(owner));
    let strings = StringArray::try_new(offsets, text, nulls)
        .map_err(|e| crate::error::Error::internal("decoding a compact string column", e))?;
    let identity = identity_of(&strings);
    let codes = Arc::new(KeptCodes {
        identity,
        codes,
        firsts,
    });
    if slot.set(Arc::clone(&codes)).is_ok() {
        if let Ok(mut kept) = KEPT.write() {
            kept.insert(identity, Arc::downgrade(&codes));
        }
    }
    Ok(Arc::new(strings))
}

/// The owner of a decoded string column's text: dropped with the last array holding the
/// text, it drops the kept codes first (which forget their entry), then the buffers.
struct TextOwner {
    _kept: Arc<OnceLock<Arc<KeptCodes>>>,
    _offsets: OffsetBuffer<i32>,
    _nulls: Option<NullBuffer>,
    bytes: Vec<u8>,
}

impl AsRef<[u8]> for TextOwner {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::regions;
    use arrow_array::StringArray;

    use super::*;

    #[test]
    fn kept_codes_are_the_codes_the_coder_gives() {
        let column = regions(1000);
        let computed = column_codes(&column).unwrap();
        let kept = keep(&column).unwrap();
        let found = column_codes(&column).unwrap();
        assert_eq!(found.codes, computed.codes);
        assert_eq!(found.firsts, computed.firsts);
        assert!(Arc::ptr_eq(&lookup(&column).unwrap(), &kept));
    }

    #[test]
    fn a_copy_slice_or_new_validity_is_not_the_same_array() {
        let column = regions(1000);
        let _kept = keep(&column).unwrap();
        let copy: ArrayRef = Arc::new(column.as_string::<i32>().clone());
        assert!(lookup(&copy).is_some(), "a clone shares the buffers");
        assert!(lookup(&column.slice(0, 999)).is_none());
        assert!(lookup(&column.slice(1, 999)).is_none());
        let strings = column.as_string::<i32>();
        let no_nulls: ArrayRef = Arc::new(StringArray::new(
            strings.offsets().clone(),
            strings.values().clone(),
            None,
        ));
        assert!(lookup(&no_nulls).is_none());
        let sliced = column.slice(10, 500);
        let sliced_codes = column_codes(&sliced).unwrap();
        assert_eq!(sliced_codes.codes.len(), 500);
        assert_eq!(sliced_codes.firsts[0], 0);
    }

    #[test]
    fn codes_are_forgotten_with_their_owner_and_wide_columns_are_not_kept() {
        let column = regions(1000);
        let kept = keep(&column).unwrap();
        drop(kept);
        assert!(lookup(&column).is_none());
        let ids: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..1000).map(|i| format!("id-{i}")),
        ));
        assert!(keep(&ids).is_none());
        let numbers: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1, 2, 3]));
        assert!(keep(&numbers).is_none());
    }
}
