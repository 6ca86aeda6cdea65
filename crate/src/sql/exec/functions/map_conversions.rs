//! Maps made from other values: `map_concat` (maps joined), `map_entries` (a map as an
//! array of `struct<key, value>`), `map_from_entries` (the reverse) and `str_to_map` (a
//! string cut by two regular expressions). New maps go through `maps::build`, so a NULL
//! or repeated key is an error, as with Spark's default `mapKeyDedupPolicy`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{new_null_array, Array, ArrayRef, ListArray, MapArray, StringArray, UInt32Array};
use arrow_schema::DataType;

use super::columns::lists;
use super::maps::build;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::{as_strings, compile_regex, kernel_error, offset, spark_cast};
use crate::sql::plan::functions::MapFunction;

pub fn compute(
    func: MapFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    match func {
        MapFunction::MapConcat => concat(args, return_type, len),
        MapFunction::MapEntries => entries(&args[0], return_type),
        MapFunction::MapFromEntries => from_entries(&args[0], return_type),
        MapFunction::StrToMap => str_to_map(args, return_type, len),
        other => Err(internal(format!(
            "{} is not a map conversion",
            other.name()
        ))),
    }
}

/// Whether `compute` computes `func`.
pub fn handles(func: MapFunction) -> bool {
    matches!(
        func,
        MapFunction::MapConcat
            | MapFunction::MapEntries
            | MapFunction::MapFromEntries
            | MapFunction::StrToMap
    )
}

/// `map_concat(m1, m2, ...)`: each row's entries of every map in order; NULL when any
/// map is.
fn concat(args: &[ArrayRef], return_type: &DataType, len: usize) -> Result<ArrayRef> {
    let maps = args.iter().map(as_maps).collect::<Result<Vec<_>>>()?;
    let (keys, values) = if maps.is_empty() {
        let (key, value) = key_value_types(return_type)?;
        (new_null_array(&key, 0), new_null_array(&value, 0))
    } else {
        let concat =
            |parts: Vec<&dyn Array>| arrow_select::concat::concat(&parts).map_err(kernel_error);
        (
            concat(maps.iter().map(|m| m.keys().as_ref()).collect())?,
            concat(maps.iter().map(|m| m.values().as_ref()).collect())?,
        )
    };
    let mut bases = Vec::with_capacity(maps.len());
    let mut base = 0u32;
    for m in &maps {
        bases.push(base);
        base += m.keys().len() as u32;
    }
    let mut indices: Vec<u32> = Vec::new();
    let mut offsets = Vec::with_capacity(len + 1);
    offsets.push(0i32);
    let mut valid = Vec::with_capacity(len);
    for row in 0..len {
        let ok = maps.iter().all(|m| m.is_valid(row));
        if ok {
            for (m, &b) in maps.iter().zip(&bases) {
                let o = m.value_offsets();
                indices.extend(b + o[row] as u32..b + o[row + 1] as u32);
            }
        }
        valid.push(ok);
        offsets.push(offset(indices.len())?);
    }
    let indices = UInt32Array::from(indices);
    let take =
        |a: &ArrayRef| arrow_select::take::take(a.as_ref(), &indices, None).map_err(kernel_error);
    build(
        take(&keys)?,
        take(&values)?,
        offsets,
        Some(valid),
        return_type,
    )
}

/// `map_entries(m)`: the map's entries as structs, in order.
fn entries(map: &ArrayRef, return_type: &DataType) -> Result<ArrayRef> {
    let map = as_maps(map)?;
    let DataType::List(field) = return_type else {
        return Err(internal(format!("map_entries returning {return_type}")));
    };
    let entries: ArrayRef = Arc::new(map.entries().clone());
    let entries = spark_cast(&entries, field.data_type())?;
    let list = ListArray::try_new(
        Arc::clone(field),
        map.offsets().clone(),
        entries,
        map.nulls().cloned(),
    )
    .map_err(kernel_error)?;
    Ok(Arc::new(list))
}

/// `map_from_entries(array of structs)`: NULL for a NULL array or one with a NULL entry.
fn from_entries(array: &ArrayRef, return_type: &DataType) -> Result<ArrayRef> {
    let lists = lists(array)?;
    let pairs = lists
        .values()
        .as_struct_opt()
        .ok_or_else(|| internal("map_from_entries of an array that is not of structs".into()))?;
    let offsets = lists.value_offsets();
    let mut indices: Vec<u32> = Vec::with_capacity(pairs.len());
    let mut out = Vec::with_capacity(lists.len() + 1);
    out.push(0i32);
    let mut valid = Vec::with_capacity(lists.len());
    for row in 0..lists.len() {
        let range = offsets[row] as u32..offsets[row + 1] as u32;
        let ok = lists.is_valid(row) && range.clone().all(|e| pairs.is_valid(e as usize));
        if ok {
            indices.extend(range);
        }
        valid.push(ok);
        out.push(offset(indices.len())?);
    }
    let indices = UInt32Array::from(indices);
    let take =
        |a: &ArrayRef| arrow_select::take::take(a.as_ref(), &indices, None).map_err(kernel_error);
    build(
        take(pairs.column(0))?,
        take(pairs.column(1))?,
        out,
        Some(valid),
        return_type,
    )
}

/// `str_to_map(text, pairDelim, keyValueDelim)`: `text` cut into pairs at each match of
/// `pairDelim` (empty pieces kept, as Java's `split(regex, -1)`), each pair cut once at
/// the first match of `keyValueDelim`. NULL when any argument is.
fn str_to_map(args: &[ArrayRef], return_type: &DataType, len: usize) -> Result<ArrayRef> {
    let text = as_strings(&args[0])?;
    let delimiter = |i: usize, default: &str| -> Result<ArrayRef> {
        Ok(match args.get(i) {
            Some(a) => Arc::clone(a),
            None => Arc::new(StringArray::from(vec![default; len])),
        })
    };
    let (pairs, kv) = (delimiter(1, ",")?, delimiter(2, ":")?);
    let (pairs, kv) = (as_strings(&pairs)?, as_strings(&kv)?);
    // The delimiters are nearly always constants: compile each pattern once.
    let mut compiled: Option<(String, regex::Regex, String, regex::Regex)> = None;
    let mut keys: Vec<&str> = Vec::new();
    let mut values: Vec<Option<&str>> = Vec::new();
    let mut offsets = Vec::with_capacity(len + 1);
    offsets.push(0i32);
    let mut valid = Vec::with_capacity(len);
    for row in 0..len {
        let ok = text.is_valid(row) && pairs.is_valid(row) && kv.is_valid(row);
        if ok {
            let (p, k) = (pairs.value(row), kv.value(row));
            let fresh = !matches!(&compiled, Some((cp, _, ck, _)) if cp == p && ck == k);
            if fresh {
                compiled = Some((
                    p.to_string(),
                    compile_regex(p)?,
                    k.to_string(),
                    compile_regex(k)?,
                ));
            }
            if let Some((_, pair_re, _, kv_re)) = &compiled {
                for pair in pair_re.split(text.value(row)) {
                    let mut cut = kv_re.splitn(pair, 2);
                    keys.push(cut.next().unwrap_or(""));
                    values.push(cut.next());
                }
            }
        }
        valid.push(ok);
        offsets.push(offset(keys.len())?);
    }
    let keys: ArrayRef = Arc::new(StringArray::from(keys));
    let values: ArrayRef = Arc::new(StringArray::from(values));
    build(keys, values, offsets, Some(valid), return_type)
}

fn as_maps(array: &ArrayRef) -> Result<MapArray> {
    array
        .as_map_opt()
        .cloned()
        .ok_or_else(|| internal(format!("expected a map, got {}", array.data_type())))
}

fn key_value_types(map: &DataType) -> Result<(DataType, DataType)> {
    crate::sql::plan::functions::map_types(map)
        .ok_or_else(|| internal(format!("expected a map type, got {map}")))
}

fn internal(message: String) -> Error {
    Error::new(ErrorCode::Internal, message)
}
