//! Map functions over Arrow map columns, with Spark's semantics: building maps (a NULL
//! or repeated key is an error, Spark's default `mapKeyDedupPolicy`), reading their keys
//! and values, and looking a key up (`element_at`, `m[key]`: NULL when it is missing).

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    new_null_array, Array, ArrayRef, BooleanArray, Int32Array, ListArray, MapArray, StructArray,
    UInt32Array,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_ord::ord::make_comparator;
use arrow_schema::{DataType, SortOptions};

use super::columns::{first_equal, lists};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::{kernel_error, spark_cast, validity};
use crate::sql::plan::functions::MapFunction;

pub fn compute(
    func: MapFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    match func {
        MapFunction::Map => {
            let keys: Vec<&ArrayRef> = args.iter().step_by(2).collect();
            let values: Vec<&ArrayRef> = args.iter().skip(1).step_by(2).collect();
            let pairs = keys.len();
            let interleave = |columns: &[&ArrayRef]| -> Result<ArrayRef> {
                if columns.is_empty() {
                    return Ok(new_null_array(&DataType::Null, 0));
                }
                let parts: Vec<&dyn Array> = columns.iter().map(|a| a.as_ref()).collect();
                let all = arrow_select::concat::concat(&parts).map_err(kernel_error)?;
                let indices: UInt32Array = (0..len)
                    .flat_map(|row| (0..pairs).map(move |p| (p * len + row) as u32))
                    .collect();
                arrow_select::take::take(all.as_ref(), &indices, None).map_err(kernel_error)
            };
            let offsets = (0..=len).map(|row| (row * pairs) as i32).collect();
            build(
                interleave(&keys)?,
                interleave(&values)?,
                offsets,
                None,
                return_type,
            )
        }
        MapFunction::MapFromArrays => {
            let (keys, values) = (lists(&args[0])?, lists(&args[1])?);
            let mut take_keys = Vec::new();
            let mut take_values = Vec::new();
            let mut offsets = vec![0i32];
            let mut valid = Vec::with_capacity(len);
            for i in 0..len {
                let ok = keys.is_valid(i) && values.is_valid(i);
                if ok {
                    if keys.value_length(i) != values.value_length(i) {
                        return Err(Error::new(
                            ErrorCode::SqlExecution,
                            format!(
                                "map_from_arrays: {} keys but {} values in row {}",
                                keys.value_length(i),
                                values.value_length(i),
                                i + 1
                            ),
                        ));
                    }
                    let (k, v) = (keys.value_offsets()[i], values.value_offsets()[i]);
                    for j in 0..keys.value_length(i) {
                        take_keys.push((k + j) as u32);
                        take_values.push((v + j) as u32);
                    }
                }
                valid.push(ok);
                offsets.push(take_keys.len() as i32);
            }
            let take = |a: &ArrayRef, idx: Vec<u32>| {
                arrow_select::take::take(a.as_ref(), &UInt32Array::from(idx), None)
                    .map_err(kernel_error)
            };
            build(
                take(keys.values(), take_keys)?,
                take(values.values(), take_values)?,
                offsets,
                Some(valid),
                return_type,
            )
        }
        MapFunction::MapKeys | MapFunction::MapValues => {
            let map = maps(&args[0])?;
            let column = if func == MapFunction::MapKeys {
                map.keys()
            } else {
                map.values()
            };
            let field = match return_type {
                DataType::List(f) => Arc::clone(f),
                other => return Err(internal(format!("map_keys returning {other}"))),
            };
            let column =
                arrow_cast::cast(column.as_ref(), field.data_type()).map_err(kernel_error)?;
            let list =
                ListArray::try_new(field, map.offsets().clone(), column, map.nulls().cloned())
                    .map_err(kernel_error)?;
            Ok(Arc::new(list))
        }
        MapFunction::MapContainsKey => {
            let map = maps(&args[0])?;
            let found = positions(&map, &args[1])?;
            let out: BooleanArray = (0..len)
                .map(|i| (map.is_valid(i) && args[1].is_valid(i)).then(|| found[i].is_some()))
                .collect();
            Ok(Arc::new(out))
        }
        // Maps made from other values (see `map_conversions`).
        MapFunction::MapConcat
        | MapFunction::MapEntries
        | MapFunction::MapFromEntries
        | MapFunction::StrToMap => Err(internal(format!("{} is not a map lookup", func.name()))),
    }
}

/// `m[key]` / `element_at(m, key)`: the value of the first equal key, NULL when missing.
pub fn value_at(map: &ArrayRef, key: &ArrayRef, value_type: &DataType) -> Result<ArrayRef> {
    let map = maps(map)?;
    let found = positions(&map, key)?;
    if found.iter().all(Option::is_none) {
        return Ok(new_null_array(value_type, map.len()));
    }
    arrow_select::take::take(map.values().as_ref(), &UInt32Array::from(found), None)
        .map_err(kernel_error)
}

/// The number of entries of each map (-1 for a NULL map when `null_size` says so).
pub fn sizes(map: &ArrayRef, null_size: Option<i32>) -> Result<ArrayRef> {
    let map = maps(map)?;
    let sizes: Int32Array = (0..map.len())
        .map(|i| {
            if map.is_null(i) {
                null_size
            } else {
                Some(map.value_length(i))
            }
        })
        .collect();
    Ok(Arc::new(sizes))
}

/// Per row, the entry index of the first key equal to `key` (None if none, or NULL).
fn positions(map: &MapArray, key: &ArrayRef) -> Result<Vec<Option<u32>>> {
    let found = first_equal(
        map.keys().as_ref(),
        map.value_offsets(),
        map.nulls(),
        key.as_ref(),
    )?;
    Ok(found.into_iter().map(Option::flatten).collect())
}

/// A map column from its flat keys and values, cut at `offsets`; keys must be non-NULL
/// and distinct within a map, as Spark requires.
pub fn build(
    keys: ArrayRef,
    values: ArrayRef,
    offsets: Vec<i32>,
    valid: Option<Vec<bool>>,
    return_type: &DataType,
) -> Result<ArrayRef> {
    let (key_type, _) = crate::sql::plan::functions::map_types(return_type)
        .ok_or_else(|| internal(format!("a map function returning {return_type}")))?;
    let keys = arrow_cast::cast(keys.as_ref(), &key_type).map_err(kernel_error)?;
    let valid = valid.unwrap_or_else(|| vec![true; offsets.len() - 1]);
    let compare = make_comparator(keys.as_ref(), keys.as_ref(), SortOptions::default())
        .map_err(kernel_error)?;
    for row in 0..offsets.len() - 1 {
        if !valid[row] {
            continue;
        }
        let range = offsets[row] as usize..offsets[row + 1] as usize;
        for e in range.clone() {
            if keys.is_null(e) {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    "a map key cannot be NULL",
                ));
            }
            if (range.start..e).any(|earlier| compare(earlier, e) == Ordering::Equal) {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    "a map cannot have the same key twice (Spark's mapKeyDedupPolicy=EXCEPTION)",
                ));
            }
        }
    }
    assemble(keys, values, offsets, validity(valid), return_type)
}

/// A map column of `return_type` from its flat keys and values, cut at `offsets`, NULL
/// where `nulls` says; the keys are not checked (they come from a valid map).
pub fn assemble(
    keys: ArrayRef,
    values: ArrayRef,
    offsets: Vec<i32>,
    nulls: Option<NullBuffer>,
    return_type: &DataType,
) -> Result<ArrayRef> {
    let DataType::Map(entries_field, sorted) = return_type else {
        return Err(internal(format!("a map function returning {return_type}")));
    };
    let DataType::Struct(fields) = entries_field.data_type() else {
        return Err(internal("map entries that are not a struct".to_string()));
    };
    let keys = spark_cast(&keys, fields[0].data_type())?;
    let values = spark_cast(&values, fields[1].data_type())?;
    let entries =
        StructArray::try_new(fields.clone(), vec![keys, values], None).map_err(kernel_error)?;
    let map = MapArray::try_new(
        Arc::clone(entries_field),
        OffsetBuffer::new(offsets.into()),
        entries,
        nulls,
        *sorted,
    )
    .map_err(kernel_error)?;
    Ok(Arc::new(map))
}

fn maps(array: &ArrayRef) -> Result<MapArray> {
    array
        .as_map_opt()
        .cloned()
        .ok_or_else(|| internal(format!("expected a map, got {}", array.data_type())))
}

fn internal(message: String) -> Error {
    Error::new(ErrorCode::Internal, message)
}
