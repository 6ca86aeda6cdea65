//! Map functions: `map(k1, v1, ...)`, `map_from_arrays`, `map_keys`, `map_values`,
//! `map_contains_key`, `map_concat`, `map_entries`, `map_from_entries`, `str_to_map`; `size`, `element_at` and `m[key]` read maps too (see `arrays` and
//! `ScalarFunction::GetItem`). Keys and values keep their types, each meeting in the
//! common type of its arguments, as Spark's implicit casts make them.

use arrow_schema::{DataType, Field, Fields};

use super::signature::{common_type, list_of, map_of, map_types, name_table, Args, Signature};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapFunction {
    /// `map(k1, v1, k2, v2, ...)`: a NULL or repeated key is an error, as in Spark.
    Map,
    /// `map_from_arrays(keys, values)`: arrays of the same length.
    MapFromArrays,
    MapKeys,
    MapValues,
    MapContainsKey,
    /// `map_concat(m1, m2, ...)`: the entries of all, NULL when one is NULL; a key in two
    /// maps is an error (Spark's default `mapKeyDedupPolicy=EXCEPTION`).
    MapConcat,
    /// `map_entries(m)`: the entries as an array of `struct<key, value>`.
    MapEntries,
    /// `map_from_entries(array of struct<key, value>)`: NULL when an entry is NULL.
    MapFromEntries,
    /// `str_to_map(text[, pairDelim[, keyValueDelim]])`: delimiters are regular
    /// expressions (`,` and `:` by default); a pair without the second is a NULL value.
    StrToMap,
}

use MapFunction::*;

const NAMES: &[(&str, MapFunction)] = &[
    ("map", Map),
    ("map_from_arrays", MapFromArrays),
    ("map_keys", MapKeys),
    ("map_values", MapValues),
    ("map_contains_key", MapContainsKey),
    ("map_concat", MapConcat),
    ("map_entries", MapEntries),
    ("map_from_entries", MapFromEntries),
    ("str_to_map", StrToMap),
];

name_table!(MapFunction, NAMES);

impl MapFunction {
    pub fn signature(self, a: &Args) -> Result<Signature> {
        match self {
            Map => {
                if !a.len().is_multiple_of(2) {
                    return Err(Error::analysis(format!(
                        "map takes pairs of a key and a value, got {} arguments",
                        a.len()
                    )));
                }
                let keys: Vec<DataType> = a.types.iter().step_by(2).cloned().collect();
                let values: Vec<DataType> = a.types.iter().skip(1).step_by(2).cloned().collect();
                let key = common_type("map keys", &keys)?;
                let value = common_type("map values", &values)?;
                let types = (0..a.len())
                    .map(|i| {
                        if i % 2 == 0 {
                            key.clone()
                        } else {
                            value.clone()
                        }
                    })
                    .collect();
                Signature::new(types, map_of(key, value))
            }
            MapFromArrays => {
                a.arity(2, 2)?;
                let element = |i: usize| match &a.types[i] {
                    DataType::List(f) => Ok(f.data_type().clone()),
                    other => Err(a.error(i, "an array", other)),
                };
                let (key, value) = (element(0)?, element(1)?);
                Signature::new(a.types.to_vec(), map_of(key, value))
            }
            MapKeys | MapValues | MapContainsKey => {
                let (key, value) = map_arg(a, 0)?;
                match self {
                    MapKeys => {
                        a.arity(1, 1)?;
                        Signature::new(a.types.to_vec(), list_of(key))
                    }
                    MapValues => {
                        a.arity(1, 1)?;
                        Signature::new(a.types.to_vec(), list_of(value))
                    }
                    _ => {
                        a.arity(2, 2)?;
                        if a.types[1] == DataType::Null {
                            return Err(a.error(1, "a typed key (CAST the NULL)", &a.types[1]));
                        }
                        Signature::new(vec![a.types[0].clone(), key], DataType::Boolean)
                    }
                }
            }
            MapConcat => {
                if a.len() == 0 {
                    return Signature::new(vec![], map_of(DataType::Utf8, DataType::Utf8));
                }
                let mut keys = Vec::with_capacity(a.len());
                let mut values = Vec::with_capacity(a.len());
                for i in 0..a.len() {
                    let (k, v) = map_arg(a, i)?;
                    keys.push(k);
                    values.push(v);
                }
                let map = map_of(
                    common_type("map_concat keys", &keys)?,
                    common_type("map_concat values", &values)?,
                );
                Signature::new(vec![map.clone(); a.len()], map)
            }
            MapEntries => {
                a.arity(1, 1)?;
                let (key, value) = map_arg(a, 0)?;
                let entry = DataType::Struct(Fields::from(vec![
                    Field::new("key", key, false),
                    Field::new("value", value, true),
                ]));
                Signature::new(a.types.to_vec(), list_of(entry))
            }
            MapFromEntries => {
                a.arity(1, 1)?;
                let pair = match &a.types[0] {
                    DataType::List(f) => match f.data_type() {
                        DataType::Struct(fields) if fields.len() == 2 => Some(fields.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let Some(pair) = pair else {
                    return Err(a.error(0, "an array of struct<key, value>", &a.types[0]));
                };
                let map = map_of(pair[0].data_type().clone(), pair[1].data_type().clone());
                Signature::new(a.types.to_vec(), map)
            }
            StrToMap => {
                a.arity(1, 3)?;
                Signature::new(a.strings(a.len())?, map_of(DataType::Utf8, DataType::Utf8))
            }
        }
    }
}

/// The key and value types of argument `i`, which must be a map.
pub fn map_arg(a: &Args, i: usize) -> Result<(DataType, DataType)> {
    // Checked first so that a call with too few arguments is an error, not a panic.
    a.arity(i + 1, usize::MAX)?;
    map_types(&a.types[i]).ok_or_else(|| a.error(i, "a map", &a.types[i]))
}
