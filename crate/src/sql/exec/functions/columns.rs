//! Typed views of the (already cast) argument columns and the small builders the function
//! families share. A wrong column type here is an internal error, never a panic.

use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::ArrowPrimitiveType;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array,
    PrimitiveArray, StringArray, TimestampMicrosecondArray,
};

use arrow_schema::{DataType, Field};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::spark_comparator;
use crate::sql::exec::value::compile_regex;

pub use crate::sql::exec::value::{as_boolean, as_strings};

fn wrong(array: &ArrayRef, expected: &str) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("expected {expected}, got {}", array.data_type()),
    )
}

fn primitive<'a, T: ArrowPrimitiveType>(
    array: &'a ArrayRef,
    what: &str,
) -> Result<&'a PrimitiveArray<T>> {
    array
        .as_primitive_opt::<T>()
        .ok_or_else(|| wrong(array, what))
}

pub fn ints(array: &ArrayRef) -> Result<&Int32Array> {
    primitive::<Int32Type>(array, "ints")
}

pub fn longs(array: &ArrayRef) -> Result<&Int64Array> {
    primitive::<Int64Type>(array, "longs")
}

pub fn doubles(array: &ArrayRef) -> Result<&Float64Array> {
    primitive::<Float64Type>(array, "doubles")
}

pub fn dates(array: &ArrayRef) -> Result<&Date32Array> {
    primitive::<Date32Type>(array, "dates")
}

pub fn timestamps(array: &ArrayRef) -> Result<&TimestampMicrosecondArray> {
    primitive::<TimestampMicrosecondType>(array, "timestamps")
}

pub fn booleans(array: &ArrayRef) -> Result<&BooleanArray> {
    as_boolean(array)
}

/// A column of bytes: strings (their UTF-8) or binary.
pub enum Bytes<'a> {
    Text(&'a StringArray),
    Binary(&'a BinaryArray),
}

impl<'a> Bytes<'a> {
    pub fn new(array: &'a ArrayRef) -> Result<Bytes<'a>> {
        if let Some(s) = array.as_string_opt::<i32>() {
            Ok(Bytes::Text(s))
        } else if let Some(b) = array.as_binary_opt::<i32>() {
            Ok(Bytes::Binary(b))
        } else {
            Err(wrong(array, "strings or bytes"))
        }
    }

    pub fn is_null(&self, i: usize) -> bool {
        match self {
            Bytes::Text(s) => s.is_null(i),
            Bytes::Binary(b) => b.is_null(i),
        }
    }

    pub fn value(&self, i: usize) -> &'a [u8] {
        match self {
            Bytes::Text(s) => s.value(i).as_bytes(),
            Bytes::Binary(b) => b.value(i),
        }
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        (!self.is_null(i)).then(|| self.value(i))
    }
}

/// A string column built row by row through one reused buffer: `row` writes the value
/// into the buffer and says whether there is one (false: NULL).
pub fn build_strings(
    len: usize,
    mut row: impl FnMut(usize, &mut String) -> Result<bool>,
) -> Result<ArrayRef> {
    let mut builder = StringBuilder::with_capacity(len, len * 8);
    let mut buffer = String::new();
    for i in 0..len {
        buffer.clear();
        if row(i, &mut buffer)? {
            builder.append_value(&buffer);
        } else {
            builder.append_null();
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// A string column through a function writing each value into a reused buffer.
pub fn map_strings(values: &StringArray, f: impl Fn(&str, &mut String)) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(values.len(), values.value_data().len());
    let mut buffer = String::new();
    for v in values.iter() {
        match v {
            Some(v) => {
                buffer.clear();
                f(v, &mut buffer);
                builder.append_value(&buffer);
            }
            None => builder.append_null(),
        }
    }
    Arc::new(builder.finish())
}

/// The largest string a function builds (repeat, lpad, space): beyond it the call is an
/// error rather than an allocation that would take the engine down.
/// A builder of `array<string>` values whose element field is Spark's (`element`,
/// nullable), the type the planner gives such functions.
pub fn string_list_builder() -> ListBuilder<StringBuilder> {
    ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "element",
        DataType::Utf8,
        true,
    )))
}

pub const MAX_STRING_BYTES: usize = 1 << 28;

pub fn too_long(function: &str) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!("{function}: the result would be longer than {MAX_STRING_BYTES} bytes"),
    )
}

/// The regular expression of the last pattern seen (patterns are nearly always constant).
#[derive(Default)]
pub struct RegexCache {
    last: Option<(String, regex::Regex)>,
}

impl RegexCache {
    pub fn get(&mut self, pattern: &str) -> Result<&regex::Regex> {
        if self.last.as_ref().is_none_or(|(p, _)| p != pattern) {
            self.last = Some((pattern.to_string(), compile_regex(pattern)?));
        }
        Ok(&self.last.as_ref().expect("just set").1)
    }
}

/// The character index (0-based) of a byte offset in `text`.
pub fn char_index(text: &str, byte: usize) -> usize {
    if text.is_ascii() {
        byte
    } else {
        text[..byte].chars().count()
    }
}

/// Argument `array` as lists; a NULL literal (type `void`) is a column of NULL arrays.
pub fn lists(array: &ArrayRef) -> Result<arrow_array::ListArray> {
    if array.data_type() == &DataType::Null {
        let field = Arc::new(Field::new("element", DataType::Null, true));
        return Ok(arrow_array::ListArray::new_null(field, array.len()));
    }
    array.as_list_opt::<i32>().cloned().ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            format!("expected an array, got {}", array.data_type()),
        )
    })
}

/// Per row of a column of lists (or maps: their keys), given as flat `values` cut at
/// `offsets` with the rows' `nulls`: `None` when the row or its `needle` is NULL, else the
/// index into `values` of the row's first element equal to the needle, if any (a NULL
/// element equals nothing). One comparator serves every row.
pub fn first_equal(
    values: &dyn Array,
    offsets: &[i32],
    nulls: Option<&arrow_buffer::NullBuffer>,
    needle: &dyn Array,
) -> Result<Vec<Option<Option<u32>>>> {
    // Floats compared as Spark compares them (`-0.0` finds `0.0`, NaN finds NaN).
    let compare = spark_comparator(values, needle, Default::default())
        .map_err(crate::sql::exec::value::kernel_error)?;
    Ok((0..offsets.len() - 1)
        .map(|row| {
            if nulls.is_some_and(|n| n.is_null(row)) || needle.is_null(row) {
                return None;
            }
            Some(
                (offsets[row] as usize..offsets[row + 1] as usize)
                    .find(|&e| values.is_valid(e) && compare(e, row).is_eq())
                    .map(|e| e as u32),
            )
        })
        .collect())
}
