//! Math functions: names and Spark's argument and result types. Most compute in double;
//! `abs`, `round`, `bround`, `pmod`, `greatest`, `least`, `negative`, `positive` and the
//! shifts keep an integer argument's type, as Spark does.

use arrow_schema::DataType;

use super::signature::{name_table, Args, Signature};
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFunction {
    Abs,
    Round,
    BRound,
    Floor,
    Ceil,
    Rint,
    Sqrt,
    Cbrt,
    Exp,
    Expm1,
    Ln,
    /// `log(x)` is `ln(x)`; `log(base, x)`.
    Log,
    Log10,
    Log2,
    Log1p,
    Pow,
    Sign,
    Pmod,
    Degrees,
    Radians,
    Sin,
    Cos,
    Tan,
    Cot,
    Sec,
    Csc,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Hypot,
    Greatest,
    Least,
    Pi,
    E,
    Factorial,
    WidthBucket,
    Negative,
    Positive,
    ShiftLeft,
    ShiftRight,
    ShiftRightUnsigned,
    Conv,
    IsNan,
    NanVl,
    BitCount,
    BitGet,
    TryAdd,
    TrySubtract,
    TryMultiply,
    TryDivide,
    TryMod,
}

use MathFunction::*;

const NAMES: &[(&str, MathFunction)] = &[
    ("abs", Abs),
    ("round", Round),
    ("bround", BRound),
    ("floor", Floor),
    ("ceil", Ceil),
    ("ceiling", Ceil),
    ("rint", Rint),
    ("sqrt", Sqrt),
    ("cbrt", Cbrt),
    ("exp", Exp),
    ("expm1", Expm1),
    ("ln", Ln),
    ("log", Log),
    ("log10", Log10),
    ("log2", Log2),
    ("log1p", Log1p),
    ("pow", Pow),
    ("power", Pow),
    ("sign", Sign),
    ("signum", Sign),
    ("pmod", Pmod),
    ("degrees", Degrees),
    ("radians", Radians),
    ("sin", Sin),
    ("cos", Cos),
    ("tan", Tan),
    ("cot", Cot),
    ("sec", Sec),
    ("csc", Csc),
    ("asin", Asin),
    ("acos", Acos),
    ("atan", Atan),
    ("atan2", Atan2),
    ("sinh", Sinh),
    ("cosh", Cosh),
    ("tanh", Tanh),
    ("asinh", Asinh),
    ("acosh", Acosh),
    ("atanh", Atanh),
    ("hypot", Hypot),
    ("greatest", Greatest),
    ("least", Least),
    ("pi", Pi),
    ("e", E),
    ("factorial", Factorial),
    ("width_bucket", WidthBucket),
    ("negative", Negative),
    ("positive", Positive),
    ("shiftleft", ShiftLeft),
    ("shiftright", ShiftRight),
    ("shiftrightunsigned", ShiftRightUnsigned),
    ("conv", Conv),
    ("isnan", IsNan),
    ("nanvl", NanVl),
    ("bit_count", BitCount),
    ("bit_get", BitGet),
    ("getbit", BitGet),
    ("try_add", TryAdd),
    ("try_subtract", TrySubtract),
    ("try_multiply", TryMultiply),
    ("try_divide", TryDivide),
    ("try_mod", TryMod),
];

name_table!(MathFunction, NAMES);

impl MathFunction {
    pub fn signature(self, a: &Args) -> Result<Signature> {
        use DataType::*;
        let n = a.len();
        match self {
            Abs | Negative | Positive => {
                a.arity(1, 1)?;
                let t = a.numeric(0)?;
                Signature::new(vec![t.clone()], t)
            }
            Round | BRound => {
                a.arity(1, 2)?;
                let t = a.numeric(0)?;
                let mut types = vec![t.clone()];
                if n == 2 {
                    types.push(a.integer(1)?);
                }
                Signature::new(types, t)
            }
            Floor | Ceil => {
                a.arity(1, 1)?;
                a.numeric(0)?;
                Signature::new(vec![Float64], Int64)
            }
            Sqrt | Cbrt | Exp | Expm1 | Ln | Log10 | Log2 | Log1p | Sign | Degrees | Radians
            | Sin | Cos | Tan | Cot | Sec | Csc | Asin | Acos | Atan | Sinh | Cosh | Tanh
            | Asinh | Acosh | Atanh | Rint => {
                a.arity(1, 1)?;
                Signature::new(vec![a.double(0)?], Float64)
            }
            Log => {
                a.arity(1, 2)?;
                let types = (0..n).map(|i| a.double(i)).collect::<Result<Vec<_>>>()?;
                Signature::new(types, Float64)
            }
            Pow | Atan2 | Hypot | NanVl => {
                a.arity(2, 2)?;
                Signature::new(vec![a.double(0)?, a.double(1)?], Float64)
            }
            Pmod | TryAdd | TrySubtract | TryMultiply | TryMod => {
                a.arity(2, 2)?;
                let (l, r) = (a.numeric(0)?, a.numeric(1)?);
                let t = if l == Float64 || r == Float64 {
                    Float64
                } else if l == Int64 || r == Int64 {
                    Int64
                } else {
                    Int32
                };
                Signature::new(vec![t.clone(), t.clone()], t)
            }
            TryDivide => {
                a.arity(2, 2)?;
                Signature::new(vec![a.double(0)?, a.double(1)?], Float64)
            }
            Greatest | Least => {
                a.arity(2, usize::MAX)?;
                let t = a.common(0)?;
                Signature::new(vec![t.clone(); n], t)
            }
            Pi | E => {
                a.arity(0, 0)?;
                Signature::new(vec![], Float64)
            }
            Factorial => {
                a.arity(1, 1)?;
                Signature::new(vec![a.integer(0)?], Int64)
            }
            WidthBucket => {
                a.arity(4, 4)?;
                Signature::new(
                    vec![a.double(0)?, a.double(1)?, a.double(2)?, a.long(3)?],
                    Int64,
                )
            }
            // Spark casts the value to int (or keeps a bigint): `1.5 << 2` and `'8' >> 1`
            // shift 1 and 8.
            ShiftLeft | ShiftRight | ShiftRightUnsigned => {
                a.arity(2, 2)?;
                let t = match a.numeric(0)? {
                    Int64 => Int64,
                    _ => Int32,
                };
                Signature::new(vec![t.clone(), a.integer(1)?], t)
            }
            Conv => {
                a.arity(3, 3)?;
                Signature::new(vec![a.string(0)?, a.integer(1)?, a.integer(2)?], Utf8)
            }
            IsNan => {
                a.arity(1, 1)?;
                Signature::new(vec![a.double(0)?], Boolean)
            }
            BitGet => {
                a.arity(2, 2)?;
                let t = match a.numeric(0)? {
                    Float64 => return Err(a.error(0, "an integer", &a.types[0])),
                    t => t,
                };
                Signature::new(vec![t, a.integer(1)?], Int8)
            }
            BitCount => {
                a.arity(1, 1)?;
                let t = &a.types[0];
                let arg = if t == &Boolean {
                    Boolean
                } else {
                    match a.numeric(0)? {
                        Float64 => return Err(a.error(0, "an integer", t)),
                        t => t,
                    }
                };
                Signature::new(vec![arg], Int32)
            }
        }
    }
}
