//! Scalar functions over Arrow columns, by family (strings, math, dates and times,
//! conditionals), with Spark's semantics. The planner has already cast each argument to
//! the type the function's signature asks for (`plan::functions`), so each family reads
//! its columns in those types.

mod aes;
mod arrays;
mod base32;
mod bitmaps;
mod columns;
mod conditional;
mod csv_text;
mod datetime;
mod encoding;
mod format;
mod from_json;
mod hmac;
mod interval;
mod interval_cast;
mod interval_decimal;
mod jaro_winkler;
mod json;
mod map_conversions;
mod maps;
mod math;
mod mersenne;
mod misc;
mod number_format;
mod regex;
mod schema_of_json;
mod sentences;
mod shuffle;
mod strings;
mod time;
mod time_sequence;
mod time_window;
mod to_json;
mod vectors;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{new_null_array, Array, ArrayRef, Int32Array, ListArray};
use arrow_schema::DataType;

use crate::error::{Error, ErrorCode, Result};
use crate::sql::decimal::Decimal;
use crate::sql::exec::decimal;
use crate::sql::exec::value::{kernel_error, spark_cast, Value};
use crate::sql::plan::functions::{DecimalOp, ScalarFunction};

pub use bitmaps::{BITMAP_BITS, BITMAP_BYTES};
pub use maps::{assemble as map_array, build as build_map};
pub use vectors::dimension_mismatch;

/// Calls `func` on already-cast arguments. Calls whose arguments are all constants are
/// computed once and stay constant.
pub fn call_scalar(
    func: ScalarFunction,
    args: Vec<Value>,
    return_type: &DataType,
    rows: usize,
) -> Result<Value> {
    let all_scalar = args.iter().all(|a| matches!(a, Value::Scalar(_))) && !func.is_per_row();
    let len = if all_scalar { 1 } else { rows };
    let arrays = args
        .into_iter()
        .map(|a| a.into_array(len))
        .collect::<Result<Vec<_>>>()?;
    let result = compute(func, &arrays, return_type, len)?;
    Ok(if all_scalar {
        Value::scalar(result)
    } else {
        Value::Array(result)
    })
}

fn compute(
    func: ScalarFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    match func {
        ScalarFunction::String(f) => strings::compute(f, args, return_type, len),
        ScalarFunction::Math(f) => math::compute(f, args, return_type, len),
        ScalarFunction::DateTime(f) => datetime::compute(f, args, return_type, len),
        ScalarFunction::Conditional(f) => conditional::compute(f, args, return_type, len),
        ScalarFunction::Misc(f) => misc::compute(f, args, return_type, len),
        ScalarFunction::Array(f) => arrays::compute(f, args, return_type, len),
        ScalarFunction::Map(f) if map_conversions::handles(f) => {
            map_conversions::compute(f, args, return_type, len)
        }
        ScalarFunction::Map(f) => maps::compute(f, args, return_type, len),
        ScalarFunction::Vector(f) => vectors::compute(f, args, return_type, len),
        ScalarFunction::Bitmap(f) => bitmaps::compute(f, args, len),
        ScalarFunction::NumberFormat(op) => number_format::compute(op, args, len),
        // The evaluator computes a `Try` itself (`exec::try_eval`), before its arguments.
        ScalarFunction::Try => Err(Error::new(
            ErrorCode::Internal,
            "a try(...) reached the scalar kernels",
        )),
        ScalarFunction::Decimal(DecimalOp::Compare(op)) => decimal::compare::compute(op, args),
        ScalarFunction::Decimal(op) => {
            let out = Decimal::of(return_type).ok_or_else(|| {
                Error::new(
                    ErrorCode::Internal,
                    "a decimal operation without a decimal type",
                )
            })?;
            decimal::arith::compute(op, args, out)
        }
        ScalarFunction::GetItem if matches!(args[0].data_type(), DataType::Map(_, _)) => {
            maps::value_at(&args[0], &args[1], return_type)
        }
        ScalarFunction::GetItem => {
            let lists = args[0].as_list_opt::<i32>().ok_or_else(|| {
                Error::new(
                    ErrorCode::Internal,
                    "get_item of a value that is not a list",
                )
            })?;
            get_item(lists, columns::ints(&args[1])?, return_type)
        }
        ScalarFunction::MakeStruct => {
            let DataType::Struct(fields) = return_type else {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "struct() without a struct type",
                ));
            };
            let values = args
                .iter()
                .zip(fields.iter())
                .map(|(a, f)| spark_cast(a, f.data_type()))
                .collect::<Result<Vec<_>>>()?;
            let built =
                arrow_array::StructArray::try_new_with_length(fields.clone(), values, None, len)
                    .map_err(kernel_error)?;
            Ok(Arc::new(built))
        }
        ScalarFunction::GetField(index) => {
            let parent = args[0].as_struct_opt().ok_or_else(|| {
                Error::new(
                    ErrorCode::Internal,
                    "a field of a value that is not a struct",
                )
            })?;
            let child = parent.column(index);
            // A NULL struct has NULL fields, whatever its children hold.
            let nulls = arrow_buffer::NullBuffer::union(parent.nulls(), child.nulls());
            let data = child
                .to_data()
                .into_builder()
                .nulls(nulls)
                .build()
                .map_err(kernel_error)?;
            Ok(arrow_array::make_array(data))
        }
    }
}

/// `array[i]` and `get(array, i)`: element `i` (0-based) of each array, NULL where the
/// index is negative or past the end.
fn get_item(lists: &ListArray, index: &Int32Array, element: &DataType) -> Result<ArrayRef> {
    let offsets = lists.value_offsets();
    let indices: arrow_array::UInt32Array = (0..lists.len())
        .map(|i| {
            if lists.is_null(i) || index.is_null(i) {
                return None;
            }
            let (start, end) = (offsets[i] as i64, offsets[i + 1] as i64);
            let at = start + index.value(i) as i64;
            (index.value(i) >= 0 && at < end).then_some(at as u32)
        })
        .collect();
    if indices.null_count() == indices.len() {
        return Ok(new_null_array(element, lists.len()));
    }
    arrow_select::take::take(lists.values(), &indices, None).map_err(kernel_error)
}
