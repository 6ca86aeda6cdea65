//! Conditional and NULL-handling functions: names and Spark's result types (the common
//! type of the branches).

use arrow_schema::DataType;

use super::signature::{name_table, Args, Signature};
use crate::error::Result;
use crate::sql::types::is_numeric;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionalFunction {
    /// The first non-NULL argument; also `nvl` and `ifnull`.
    Coalesce,
    NullIf,
    If,
    /// `nvl2(x, a, b)`: `a` when `x` is not NULL, else `b`.
    Nvl2,
    NullIfZero,
    ZeroIfNull,
}

use ConditionalFunction::*;

const NAMES: &[(&str, ConditionalFunction)] = &[
    ("coalesce", Coalesce),
    ("ifnull", Coalesce),
    ("nvl", Coalesce),
    ("nullif", NullIf),
    ("if", If),
    ("iff", If),
    ("nvl2", Nvl2),
    ("nullifzero", NullIfZero),
    ("zeroifnull", ZeroIfNull),
];

name_table!(ConditionalFunction, NAMES);

impl ConditionalFunction {
    pub fn signature(self, a: &Args) -> Result<Signature> {
        use DataType::*;
        match self {
            Coalesce => {
                a.arity(1, usize::MAX)?;
                let common = a.common(0)?;
                Signature::new(vec![common.clone(); a.len()], common)
            }
            NullIf => {
                a.arity(2, 2)?;
                let common = a.common(0)?;
                Signature::new(vec![common.clone(), common.clone()], common)
            }
            If => {
                a.arity(3, 3)?;
                if !matches!(a.types[0], Boolean | Null) {
                    return Err(a.error(0, "a boolean", &a.types[0]));
                }
                let common = a.common(1)?;
                Signature::new(vec![Boolean, common.clone(), common.clone()], common)
            }
            Nvl2 => {
                a.arity(3, 3)?;
                let common = a.common(1)?;
                Signature::new(
                    vec![a.types[0].clone(), common.clone(), common.clone()],
                    common,
                )
            }
            NullIfZero | ZeroIfNull => {
                a.arity(1, 1)?;
                let t = &a.types[0];
                if !(is_numeric(t) || t == &Null) {
                    return Err(a.error(0, "a number", t));
                }
                let t = if t == &Null { Int32 } else { a.numeric(0)? };
                Signature::new(vec![t.clone()], t)
            }
        }
    }
}
