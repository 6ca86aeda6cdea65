//! Hashes, assertions, random numbers and row identity: `hash` (Spark's Murmur3, seed
//! 42), `xxhash64` (seed 42), `assert_true`, `raise_error`, `rand` / `randn` / `uuid`
//! (Spark's generator), `spark_partition_id`, `monotonically_increasing_id`.

use arrow_schema::DataType;

use super::signature::{name_table, Args, Signature};
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MiscFunction {
    Hash,
    XxHash64,
    AssertTrue,
    RaiseError,
    Rand,
    Randn,
    Uuid,
    RandStr,
    Uniform,
    SparkPartitionId,
    MonotonicallyIncreasingId,
}

use MiscFunction::*;

const NAMES: &[(&str, MiscFunction)] = &[
    ("hash", Hash),
    ("xxhash64", XxHash64),
    ("assert_true", AssertTrue),
    ("raise_error", RaiseError),
    ("rand", Rand),
    ("random", Rand),
    ("randn", Randn),
    ("uuid", Uuid),
    ("randstr", RandStr),
    ("uniform", Uniform),
    ("spark_partition_id", SparkPartitionId),
    ("monotonically_increasing_id", MonotonicallyIncreasingId),
];

name_table!(MiscFunction, NAMES);

impl MiscFunction {
    /// Whether two calls with the same arguments may give different values (so a call
    /// with constant arguments is still computed row by row).
    pub fn is_per_row(self) -> bool {
        matches!(
            self,
            Rand | Randn | Uuid | RandStr | Uniform | SparkPartitionId | MonotonicallyIncreasingId
        )
    }

    pub fn signature(self, a: &Args) -> Result<Signature> {
        use DataType::*;
        match self {
            Hash | XxHash64 => {
                a.arity(1, usize::MAX)?;
                // Values are hashed in their own types (an int and a bigint of the same
                // value hash differently, as in Spark).
                let types = a
                    .types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| match t {
                        Int8 | Int16 | Int32 | Int64 | Float32 | Float64 | Boolean | Date32
                        | Null | Binary | Utf8 => Ok(t.clone()),
                        Timestamp(_, _) => Ok(crate::sql::types::timestamp_type()),
                        UInt8 | UInt16 => Ok(Int32),
                        UInt32 => Ok(Int64),
                        t if crate::sql::types::is_string(t) => Ok(Utf8),
                        t => Err(a.error(i, "a number, string, date or timestamp", t)),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Signature::new(types, if self == Hash { Int32 } else { Int64 })
            }
            AssertTrue => {
                a.arity(1, 2)?;
                if !matches!(a.types[0], Boolean | Null) {
                    return Err(a.error(0, "a boolean", &a.types[0]));
                }
                let mut types = vec![Boolean];
                if a.len() == 2 {
                    types.push(a.string(1)?);
                }
                Signature::new(types, Null)
            }
            Rand | Randn => {
                a.arity(1, 1)?;
                Signature::new(vec![a.long(0)?], Float64)
            }
            Uuid => {
                a.arity(1, 1)?;
                Signature::new(vec![a.long(0)?], Utf8)
            }
            RandStr => {
                a.arity(2, 2)?;
                Signature::new(vec![a.integer(0)?, a.long(1)?], Utf8)
            }
            Uniform => {
                a.arity(3, 3)?;
                let (lo, hi) = (a.numeric(0)?, a.numeric(1)?);
                let t = if lo == Float64 || hi == Float64 {
                    Float64
                } else if lo == Int64 || hi == Int64 {
                    Int64
                } else {
                    Int32
                };
                Signature::new(vec![Float64, Float64, a.long(2)?], t)
            }
            SparkPartitionId => {
                a.arity(0, 0)?;
                Signature::new(vec![], Int32)
            }
            MonotonicallyIncreasingId => {
                a.arity(0, 0)?;
                Signature::new(vec![], Int64)
            }
            RaiseError => {
                a.arity(1, 1)?;
                Signature::new(vec![a.string(0)?], Null)
            }
        }
    }
}
