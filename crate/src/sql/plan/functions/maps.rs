//! Map functions: `map(k1, v1, ...)`, `map_from_arrays`, `map_keys`, `map_values`,
//! `map_contains_key`; `size`, `element_at` and `m[key]` read maps too (see `arrays` and
//! `ScalarFunction::GetItem`). Keys and values keep their types, each meeting in the
//! common type of its arguments, as Spark's implicit casts make them.

use arrow_schema::DataType;

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
}

use MapFunction::*;

const NAMES: &[(&str, MapFunction)] = &[
    ("map", Map),
    ("map_from_arrays", MapFromArrays),
    ("map_keys", MapKeys),
    ("map_values", MapValues),
    ("map_contains_key", MapContainsKey),
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
                        Signature::new(vec![a.types[0].clone(), key], DataType::Boolean)
                    }
                }
            }
        }
    }
}

/// The key and value types of argument `i`, which must be a map.
pub fn map_arg(a: &Args, i: usize) -> Result<(DataType, DataType)> {
    map_types(&a.types[i]).ok_or_else(|| a.error(i, "a map", &a.types[i]))
}
