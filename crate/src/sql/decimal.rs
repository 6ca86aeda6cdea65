//! Spark's precision and scale rules for `DECIMAL` (its `DecimalPrecision` with
//! `spark.sql.decimalOperations.allowPrecisionLoss=true`, the default): the type each
//! operation on decimals computes, so that Brasa's result columns have Spark's types and
//! its values are rounded where Spark rounds them.
//!
//! Only the types live here; the i128 kernels that compute the values are in
//! `exec::decimal`.

use arrow_schema::DataType;

pub use crate::decimal_digits::MAX_PRECISION;

/// The smallest scale Spark keeps when a result needs more than 38 digits: it gives up
/// fraction digits for integer digits, but never goes below 6 (or below the exact
/// scale, when that is smaller).
const MINIMUM_ADJUSTED_SCALE: u8 = 6;

/// The arithmetic operators on decimals (`+ - * / %`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arithmetic {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}

/// The comparisons of two decimals (`<=>` treats two NULLs as equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    NullSafeEq,
}

/// A decimal type as (precision, scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub precision: u8,
    pub scale: u8,
}

impl Decimal {
    pub fn new(precision: u8, scale: u8) -> Self {
        Decimal { precision, scale }
    }

    /// The decimal type of an Arrow type, if it is one (negative scales are not read).
    pub fn of(t: &DataType) -> Option<Self> {
        match t {
            DataType::Decimal128(p, s) => u8::try_from(*s).ok().map(|s| Decimal::new(*p, s)),
            _ => None,
        }
    }

    pub fn data_type(self) -> DataType {
        // Scales are at most 38, so the conversion cannot fail; 38 is the fallback anyway.
        DataType::Decimal128(self.precision, i8::try_from(self.scale).unwrap_or(38))
    }

    /// Digits before the decimal point.
    fn integer_digits(self) -> u8 {
        self.precision.saturating_sub(self.scale)
    }

    /// The decimal an integer type is read as next to a decimal (Spark's
    /// `DecimalType.forType`): enough digits for every value of the type.
    pub fn for_integer(t: &DataType) -> Option<Self> {
        let digits = match t {
            DataType::Int8 | DataType::UInt8 => 3,
            DataType::Int16 | DataType::UInt16 => 5,
            DataType::Int32 | DataType::UInt32 => 10,
            DataType::Int64 | DataType::UInt64 => 20,
            _ => return None,
        };
        Some(Decimal::new(digits, 0))
    }

    /// The decimal of an integer literal next to a decimal (Spark's `fromLiteral`, with
    /// `spark.sql.legacy.literal.pickMinimumPrecision` at its default): only as many
    /// digits as the value has, so `price * 2` does not widen `price` by ten digits.
    pub fn for_integer_literal(value: i128) -> Self {
        let digits = value.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1);
        Decimal::new(u8::try_from(digits).unwrap_or(MAX_PRECISION), 0)
    }

    /// A precision and scale capped at 38 digits each, as they are (Spark's `bounded`).
    pub fn bounded(precision: u32, scale: u32) -> Self {
        let cap = |v: u32| u8::try_from(v.min(u32::from(MAX_PRECISION))).unwrap_or(MAX_PRECISION);
        Decimal::new(cap(precision), cap(scale))
    }

    /// A precision and scale brought within 38 digits the way Spark does when precision
    /// may be lost (`adjustPrecisionScale`): the integer digits are kept and the scale
    /// shrinks, down to `min(scale, 6)`.
    pub fn adjusted(precision: u32, scale: u32) -> Self {
        let max = u32::from(MAX_PRECISION);
        if precision <= max {
            return Decimal::bounded(precision, scale);
        }
        let integer_digits = precision.saturating_sub(scale);
        let minimum_scale = scale.min(u32::from(MINIMUM_ADJUSTED_SCALE));
        let scale = max.saturating_sub(integer_digits).max(minimum_scale);
        Decimal::bounded(max, scale)
    }

    /// The smallest decimal that holds every value of both (Spark's `widerDecimalType`),
    /// used to compare two decimals and for the branches of CASE, COALESCE and UNION.
    pub fn wider(self, other: Self) -> Self {
        let scale = self.scale.max(other.scale);
        let integer_digits = self.integer_digits().max(other.integer_digits());
        Decimal::bounded(
            u32::from(integer_digits) + u32::from(scale),
            u32::from(scale),
        )
    }

    /// The result type of `l <op> r` (Spark's `resultDecimalType` for `+ - * / %`).
    pub fn arithmetic(op: Arithmetic, l: Self, r: Self) -> Self {
        let (p1, s1, p2, s2) = (
            u32::from(l.precision),
            u32::from(l.scale),
            u32::from(r.precision),
            u32::from(r.scale),
        );
        let (i1, i2) = (p1 - s1.min(p1), p2 - s2.min(p2));
        match op {
            Arithmetic::Add | Arithmetic::Subtract => {
                let scale = s1.max(s2);
                Decimal::adjusted(i1.max(i2) + scale + 1, scale)
            }
            Arithmetic::Multiply => Decimal::adjusted(p1 + p2 + 1, s1 + s2),
            Arithmetic::Divide => {
                let scale = u32::from(MINIMUM_ADJUSTED_SCALE).max(s1 + p2 + 1);
                Decimal::adjusted(i1 + s2 + scale, scale)
            }
            Arithmetic::Remainder => {
                let scale = s1.max(s2);
                Decimal::adjusted(i1.min(i2) + scale, scale)
            }
        }
    }

    /// `sum`'s result: ten more integer digits (Spark's `Sum.resultType`).
    pub fn sum(self) -> Self {
        Decimal::bounded(u32::from(self.precision) + 10, u32::from(self.scale))
    }

    /// `avg`'s result: four more digits on both sides (Spark's `Average.resultType`).
    pub fn avg(self) -> Self {
        Decimal::bounded(u32::from(self.precision) + 4, u32::from(self.scale) + 4)
    }

    /// The type of `round(d, digits)` / `bround`: the scale drops to `digits` (not below
    /// 0) and one integer digit is added for the carry (`round(9.9)` is 10), as Spark's
    /// `RoundBase` types it.
    pub fn rounded(self, digits: i32) -> Self {
        let integer_digits = u32::from(self.integer_digits()) + 1;
        if digits < 0 {
            let needed = integer_digits.max(digits.unsigned_abs() + 1);
            Decimal::bounded(needed, 0)
        } else {
            let scale = u32::from(self.scale).min(digits.unsigned_abs());
            Decimal::bounded(integer_digits + scale, scale)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(p: u8, s: u8) -> Decimal {
        Decimal::new(p, s)
    }

    #[test]
    fn arithmetic_types_are_sparks() {
        use Arithmetic::*;
        assert_eq!(Decimal::arithmetic(Add, d(10, 2), d(5, 3)), d(12, 3));
        assert_eq!(Decimal::arithmetic(Multiply, d(10, 2), d(5, 3)), d(16, 5));
        assert_eq!(Decimal::arithmetic(Divide, d(10, 2), d(5, 3)), d(19, 8));
        assert_eq!(Decimal::arithmetic(Remainder, d(10, 2), d(5, 3)), d(5, 3));
        // Beyond 38 digits the scale gives way, down to 6.
        assert_eq!(
            Decimal::arithmetic(Multiply, d(38, 10), d(38, 10)),
            d(38, 6)
        );
        assert_eq!(Decimal::arithmetic(Add, d(38, 10), d(38, 10)), d(38, 9));
        assert_eq!(Decimal::arithmetic(Divide, d(38, 0), d(38, 0)), d(38, 6));
    }

    #[test]
    fn literals_and_aggregates() {
        assert_eq!(Decimal::for_integer_literal(0), d(1, 0));
        assert_eq!(Decimal::for_integer_literal(-100), d(3, 0));
        assert_eq!(d(10, 2).sum(), d(20, 2));
        assert_eq!(d(38, 10).sum(), d(38, 10));
        assert_eq!(d(10, 2).avg(), d(14, 6));
        assert_eq!(d(10, 2).wider(d(5, 3)), d(11, 3));
        assert_eq!(d(10, 2).rounded(1), d(10, 1));
        assert_eq!(d(10, 2).rounded(-1), d(9, 0));
    }
}
