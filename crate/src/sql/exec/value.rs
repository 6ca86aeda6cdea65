//! The values expressions evaluate to and the small array helpers the evaluator and the
//! scalar functions share (a leaf: it imports neither of them).

use std::sync::Arc;

use arrow_array::{new_null_array, Array, ArrayRef, BooleanArray, Datum, Scalar, StringArray};
use arrow_cast::{cast_with_options, CastOptions};
use arrow_schema::DataType;
use arrow_select::filter::prep_null_mask_filter;

use crate::error::{Error, ErrorCode, Result};

/// The value of an expression over a batch: a column, or one value for every row.
#[derive(Debug, Clone)]
pub enum Value {
    Array(ArrayRef),
    Scalar(Scalar<ArrayRef>),
}

impl Value {
    pub fn scalar(one: ArrayRef) -> Value {
        Value::Scalar(Scalar::new(one))
    }

    pub fn datum(&self) -> &dyn Datum {
        match self {
            Value::Array(a) => a,
            Value::Scalar(s) => s,
        }
    }

    pub fn data_type(&self) -> DataType {
        match self {
            Value::Array(a) => a.data_type().clone(),
            Value::Scalar(s) => s.get().0.data_type().clone(),
        }
    }

    /// The value as a column of `len` rows.
    pub fn into_array(self, len: usize) -> Result<ArrayRef> {
        match self {
            Value::Array(a) => Ok(a),
            Value::Scalar(s) => {
                let one = s.into_inner();
                if one.is_null(0) {
                    return Ok(new_null_array(one.data_type(), len));
                }
                let indices = arrow_array::UInt32Array::from(vec![0u32; len]);
                arrow_select::take::take(&one, &indices, None).map_err(kernel_error)
            }
        }
    }
}

/// The validity of rows from one flag per row; `None` when every row is valid (what
/// Arrow's arrays expect).
pub fn validity(valid: Vec<bool>) -> Option<arrow_buffer::NullBuffer> {
    let nulls = arrow_buffer::NullBuffer::from(valid);
    (nulls.null_count() > 0).then_some(nulls)
}

/// An offset into a partition's flat values (array elements, map entries): Arrow's are
/// 32-bit, so a partition holds at most 2^31 of them.
pub fn offset(len: usize) -> Result<i32> {
    i32::try_from(len).map_err(|_| {
        Error::new(
            ErrorCode::SqlExecution,
            "an array or map function made more than 2^31 elements in one partition; \
             filter the rows first",
        )
    })
}

pub fn kernel_error(e: arrow_schema::ArrowError) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!("a computation failed: {e}"),
    )
}

pub fn as_boolean(array: &ArrayRef) -> Result<&BooleanArray> {
    array
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| {
            Error::new(
                ErrorCode::Internal,
                format!("expected booleans, got {}", array.data_type()),
            )
        })
}

/// A boolean mask with NULL read as false (arrow's helper expects a null buffer).
pub fn nulls_as_false(mask: &BooleanArray) -> BooleanArray {
    if mask.null_count() == 0 {
        mask.clone()
    } else {
        prep_null_mask_filter(mask)
    }
}

pub fn as_strings(array: &ArrayRef) -> Result<&StringArray> {
    array.as_any().downcast_ref::<StringArray>().ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            format!("expected strings, got {}", array.data_type()),
        )
    })
}

/// Spark's non-ANSI cast: what does not convert becomes NULL. A double becomes the text
/// Java prints for it (`1.0`, `1.0E-5`), as in Spark.
pub fn spark_cast(array: &ArrayRef, to: &DataType) -> Result<ArrayRef> {
    if array.data_type() == to {
        return Ok(Arc::clone(array));
    }
    if let (DataType::Float64, DataType::Utf8) = (array.data_type(), to) {
        let doubles = array
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .ok_or_else(|| Error::new(ErrorCode::Internal, "expected doubles"))?;
        let text: StringArray = doubles
            .iter()
            .map(|v| v.map(crate::frame::jvm::java_double))
            .collect();
        return Ok(Arc::new(text));
    }
    if let Some(cast) = crate::sql::exec::text_cast::time_cast(array, to) {
        let cast = cast.map_err(kernel_error)?;
        // A time's seconds, as a number, finish through Spark's cast to the number type.
        return if cast.data_type() == to {
            Ok(cast)
        } else {
            spark_cast(&cast, to)
        };
    }
    if let Some(cast) = nested_cast(array, to) {
        return cast;
    }
    if let Some(cast) = narrowed_integers(array, to) {
        return Ok(cast);
    }
    if let Some(cast) = truncated_floats(array, to) {
        return Ok(cast);
    }
    if let Some(cast) = binary_cast(array, to) {
        return Ok(cast);
    }
    if let Some(cast) = crate::sql::exec::decimal::cast::cast(array, to) {
        return cast;
    }
    if let Some(cast) = crate::sql::exec::text_cast::text_cast(array, to) {
        return Ok(cast);
    }
    let options = CastOptions {
        safe: true,
        ..CastOptions::default()
    };
    cast_with_options(array, to, &options).map_err(kernel_error)
}

/// An array or struct cast element by element (field by field) with Spark's casts, not
/// Arrow's (`CAST(split(s, ',') AS ARRAY<INT>)` reads `' 2'` as 2, and
/// `CAST(array('2024-01-02 03:04') AS ARRAY<TIMESTAMP>)` reads text as Spark does);
/// `None` for other types.
fn nested_cast(array: &ArrayRef, to: &DataType) -> Option<Result<ArrayRef>> {
    use arrow_array::cast::AsArray;
    match (array.data_type(), to) {
        (DataType::List(_), DataType::List(field)) => {
            let list = array.as_list::<i32>();
            Some(
                spark_cast(list.values(), field.data_type()).and_then(|values| {
                    arrow_array::ListArray::try_new(
                        Arc::clone(field),
                        list.offsets().clone(),
                        values,
                        list.nulls().cloned(),
                    )
                    .map(|cast| Arc::new(cast) as ArrayRef)
                    .map_err(kernel_error)
                }),
            )
        }
        (DataType::Struct(from), DataType::Struct(fields)) if from.len() == fields.len() => {
            let parts = array.as_struct();
            let columns = parts
                .columns()
                .iter()
                .zip(fields.iter())
                .map(|(column, field)| spark_cast(column, field.data_type()))
                .collect::<Result<Vec<_>>>();
            Some(columns.and_then(|columns| {
                arrow_array::StructArray::try_new(fields.clone(), columns, parts.nulls().cloned())
                    .map(|cast| Arc::new(cast) as ArrayRef)
                    .map_err(kernel_error)
            }))
        }
        (DataType::Map(_, _), DataType::Map(entries, sorted)) => {
            let DataType::Struct(fields) = entries.data_type() else {
                return None;
            };
            if fields.len() != 2 {
                return None;
            }
            let map = array.as_map();
            let cast = || -> Result<ArrayRef> {
                let keys = spark_cast(map.keys(), fields[0].data_type())?;
                if keys.null_count() > 0 {
                    return Err(Error::internal(
                        "casting a map",
                        "a key became NULL (the plan should have refused this cast)",
                    ));
                }
                let values = spark_cast(map.values(), fields[1].data_type())?;
                let entries_array =
                    arrow_array::StructArray::try_new(fields.clone(), vec![keys, values], None)
                        .map_err(kernel_error)?;
                let cast = arrow_array::MapArray::try_new(
                    Arc::clone(entries),
                    map.offsets().clone(),
                    entries_array,
                    map.nulls().cloned(),
                    *sorted,
                )
                .map_err(kernel_error)?;
                Ok(Arc::new(cast))
            };
            Some(cast())
        }
        _ => None,
    }
}

/// An integer cast to a narrower integer type keeps its low bits, as Spark's non-ANSI
/// cast (Java's `(short) i`): `CAST(2147483647 AS SMALLINT)` is -1, not NULL.
fn narrowed_integers(array: &ArrayRef, to: &DataType) -> Option<ArrayRef> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int16Type, Int32Type, Int64Type, Int8Type};
    macro_rules! wrap {
        ($from:ty, $to:ty, $native:ty) => {
            Some(Arc::new(
                array
                    .as_primitive::<$from>()
                    .unary::<_, $to>(|v| v as $native),
            ) as ArrayRef)
        };
    }
    match (array.data_type(), to) {
        (DataType::Int64, DataType::Int32) => wrap!(Int64Type, Int32Type, i32),
        (DataType::Int64, DataType::Int16) => wrap!(Int64Type, Int16Type, i16),
        (DataType::Int64, DataType::Int8) => wrap!(Int64Type, Int8Type, i8),
        (DataType::Int32, DataType::Int16) => wrap!(Int32Type, Int16Type, i16),
        (DataType::Int32, DataType::Int8) => wrap!(Int32Type, Int8Type, i8),
        (DataType::Int16, DataType::Int8) => wrap!(Int16Type, Int8Type, i8),
        _ => None,
    }
}

/// A float cast to an integer type as Spark's non-ANSI cast does it (Java's `(int) d` or
/// `(long) d`, then for a smaller type its low bits): truncated toward zero, saturated at
/// the int's or long's bounds, NaN as 0 — `CAST(1e30 AS INT)` is 2147483647 and
/// `CAST(1e10 AS SMALLINT)` is -1, not NULL as Arrow's safe cast would give. Rust's `as`
/// from a float is exactly Java's saturating conversion.
fn truncated_floats(array: &ArrayRef, to: &DataType) -> Option<ArrayRef> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type};
    macro_rules! truncate {
        ($from:ty, $to:ty, $convert:expr) => {
            Some(Arc::new(array.as_primitive::<$from>().unary::<_, $to>($convert)) as ArrayRef)
        };
    }
    match (array.data_type(), to) {
        (DataType::Float64, DataType::Int64) => truncate!(Float64Type, Int64Type, |v| v as i64),
        (DataType::Float64, DataType::Int32) => truncate!(Float64Type, Int32Type, |v| v as i32),
        (DataType::Float64, DataType::Int16) => {
            truncate!(Float64Type, Int16Type, |v| v as i32 as i16)
        }
        (DataType::Float64, DataType::Int8) => truncate!(Float64Type, Int8Type, |v| v as i32 as i8),
        (DataType::Float32, DataType::Int64) => truncate!(Float32Type, Int64Type, |v| v as i64),
        (DataType::Float32, DataType::Int32) => truncate!(Float32Type, Int32Type, |v| v as i32),
        (DataType::Float32, DataType::Int16) => {
            truncate!(Float32Type, Int16Type, |v| v as i32 as i16)
        }
        (DataType::Float32, DataType::Int8) => truncate!(Float32Type, Int8Type, |v| v as i32 as i8),
        _ => None,
    }
}

/// Spark's casts between bytes and other values: an integer to its big-endian bytes
/// (`CAST(1 AS BINARY)` is `00000001`; Arrow writes them little-endian), and bytes to text
/// as Java decodes UTF-8, a malformed sequence becoming U+FFFD (Arrow's cast gives NULL).
fn binary_cast(array: &ArrayRef, to: &DataType) -> Option<ArrayRef> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int16Type, Int32Type, Int64Type, Int8Type};
    use arrow_array::BinaryArray;
    macro_rules! big_endian {
        ($from:ty) => {
            Some(Arc::new(
                array
                    .as_primitive::<$from>()
                    .iter()
                    .map(|v| v.map(|v| v.to_be_bytes()))
                    .collect::<BinaryArray>(),
            ) as ArrayRef)
        };
    }
    match (array.data_type(), to) {
        (DataType::Int8, DataType::Binary) => big_endian!(Int8Type),
        (DataType::Int16, DataType::Binary) => big_endian!(Int16Type),
        (DataType::Int32, DataType::Binary) => big_endian!(Int32Type),
        (DataType::Int64, DataType::Binary) => big_endian!(Int64Type),
        (DataType::Binary, DataType::Utf8) => Some(Arc::new(
            array
                .as_binary::<i32>()
                .iter()
                .map(|v| v.map(String::from_utf8_lossy))
                .collect::<StringArray>(),
        ) as ArrayRef),
        _ => None,
    }
}

/// A regular expression, or an error naming the pattern (Java and Rust regex syntax agree
/// on the common constructs; look-around and backreferences are not supported).
pub fn compile_regex(pattern: &str) -> Result<regex::Regex> {
    regex::Regex::new(pattern).map_err(|e| {
        Error::new(
            ErrorCode::SqlExecution,
            format!("invalid regular expression `{pattern}`: {e}"),
        )
    })
}
