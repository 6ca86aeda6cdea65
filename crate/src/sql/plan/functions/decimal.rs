//! Operations on `DECIMAL` values that the planner makes out of operators and functions
//! once it sees decimal operands (`a * b`, `-a`, `abs(a)`, `round(a, 2)`, `a < b`): each
//! carries what its kernel needs, and its result type follows Spark's rules
//! (`sql::decimal`). They have no SQL names of their own.

use arrow_schema::DataType;

use super::signature::{type_error, Args};
use super::Signature;
use crate::error::Result;
use crate::sql::decimal::{Arithmetic, Comparison, Decimal};

/// How `round`-like functions drop digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// `round`: ties away from zero.
    HalfUp,
    /// `bround`: ties to the even neighbour.
    HalfEven,
    /// `floor`.
    Floor,
    /// `ceil`.
    Ceil,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Negate,
    Abs,
    /// To this many fraction digits (negative: tens, hundreds...).
    Round(i32, Rounding),
    /// A comparison of two decimals of different types, done exactly.
    Compare(Comparison),
}

impl DecimalOp {
    /// The arithmetic this operation is, if it is one.
    pub fn arithmetic(self) -> Option<Arithmetic> {
        Some(match self {
            DecimalOp::Add => Arithmetic::Add,
            DecimalOp::Subtract => Arithmetic::Subtract,
            DecimalOp::Multiply => Arithmetic::Multiply,
            DecimalOp::Divide => Arithmetic::Divide,
            DecimalOp::Remainder => Arithmetic::Remainder,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            DecimalOp::Negate => "negative",
            DecimalOp::Abs => "abs",
            DecimalOp::Round(_, Rounding::HalfUp) => "round",
            DecimalOp::Round(_, Rounding::HalfEven) => "bround",
            DecimalOp::Round(_, Rounding::Floor) => "floor",
            DecimalOp::Round(_, Rounding::Ceil) => "ceil",
            _ => "decimal_arithmetic",
        }
    }

    pub fn signature(self, a: &Args) -> Result<Signature> {
        let decimal = |i: usize| {
            Decimal::of(&a.types[i])
                .ok_or_else(|| type_error(self.name(), i, "a decimal", &a.types[i]))
        };
        match self {
            DecimalOp::Negate | DecimalOp::Abs => {
                a.arity(1, 1)?;
                let t = decimal(0)?.data_type();
                Signature::new(vec![t.clone()], t)
            }
            DecimalOp::Round(digits, rounding) => {
                a.arity(1, 1)?;
                let d = decimal(0)?;
                // floor and ceil of a whole decimal keep its type (Spark's Ceil/Floor).
                let out = match rounding {
                    Rounding::Floor | Rounding::Ceil if d.scale == 0 => d,
                    _ => d.rounded(digits),
                };
                Signature::new(vec![d.data_type()], out.data_type())
            }
            DecimalOp::Compare(_) => {
                a.arity(2, 2)?;
                let (l, r) = (decimal(0)?, decimal(1)?);
                Signature::new(vec![l.data_type(), r.data_type()], DataType::Boolean)
            }
            _ => {
                a.arity(2, 2)?;
                let (l, r) = (decimal(0)?, decimal(1)?);
                let op = self.arithmetic().unwrap_or(Arithmetic::Add);
                let out = Decimal::arithmetic(op, l, r);
                Signature::new(vec![l.data_type(), r.data_type()], out.data_type())
            }
        }
    }
}
