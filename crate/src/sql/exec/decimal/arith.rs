//! `+ - * / %` on decimal columns and rounding of decimals, batch by batch.
//!
//! The planner has already given both operands decimal types and the call Spark's result
//! type ([`crate::sql::decimal::Decimal::arithmetic`]). Each row is computed exactly in
//! i256 at the operands' scales, then brought to the result's scale with HALF_UP rounding;
//! a result with more digits than the type's precision, or a division by zero, is NULL,
//! as Spark's non-ANSI mode answers.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{Array, ArrayRef, Decimal128Array, PrimitiveArray};
use arrow_buffer::i256;

use crate::decimal_digits::{fit, pow10_wide, rescale, spark_divide, to_38_digits};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::decimal::{Arithmetic, Decimal};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::functions::{DecimalOp, Rounding};

/// The decimals of a column the planner typed as decimal.
fn decimals(array: &ArrayRef) -> Result<(&PrimitiveArray<Decimal128Type>, Decimal)> {
    let d = Decimal::of(array.data_type()).ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            format!("a decimal kernel got {}", array.data_type()),
        )
    })?;
    Ok((array.as_primitive::<Decimal128Type>(), d))
}

/// Values (NULL where `f` gives `None` or an input is NULL) as a column of type `out`.
fn collect(values: impl Iterator<Item = Option<i128>>, out: Decimal) -> Result<ArrayRef> {
    let array: Decimal128Array = values.collect();
    Ok(Arc::new(
        array
            .with_precision_and_scale(out.precision, out.scale as i8)
            .map_err(kernel_error)?,
    ))
}

/// Computes `op` over the rows of `args` (two decimal columns of equal length, or one for
/// the unary operations) into a column of type `out`.
pub fn compute(op: DecimalOp, args: &[ArrayRef], out: Decimal) -> Result<ArrayRef> {
    match op {
        DecimalOp::Round(digits, rounding) => {
            let (values, d) = decimals(first(args)?)?;
            collect(
                values
                    .iter()
                    .map(|v| v.and_then(|v| round(v, d, digits, rounding, out))),
                out,
            )
        }
        DecimalOp::Negate | DecimalOp::Abs => {
            let (values, d) = decimals(first(args)?)?;
            // Negating or taking the magnitude never adds a digit; the type is the input's.
            let f = |v: i128| match op {
                DecimalOp::Abs => v.checked_abs(),
                _ => v.checked_neg(),
            };
            collect(
                values.iter().map(|v| {
                    v.and_then(f)
                        .and_then(|v| fit(i256::from_i128(v), d.precision))
                }),
                out,
            )
        }
        _ => {
            let (left, l) = decimals(first(args)?)?;
            let (right, r) = decimals(args.get(1).ok_or_else(missing)?)?;
            if left.len() != right.len() {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "decimal operands of different lengths",
                ));
            }
            collect(
                left.iter().zip(right.iter()).map(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) => binary(op, a, l, b, r, out),
                    _ => None,
                }),
                out,
            )
        }
    }
}

fn missing() -> Error {
    Error::new(
        ErrorCode::Internal,
        "a decimal operation without its operands",
    )
}

fn first(args: &[ArrayRef]) -> Result<&ArrayRef> {
    args.first().ok_or_else(missing)
}

/// One row of `a op b`; `None` is NULL (overflow, division by zero).
fn binary(op: DecimalOp, a: i128, l: Decimal, b: i128, r: Decimal, out: Decimal) -> Option<i128> {
    if op == DecimalOp::Divide {
        return fit(
            spark_divide(a, l.scale, b, r.scale, out.scale)?,
            out.precision,
        );
    }
    let (a, b) = (i256::from_i128(a), i256::from_i128(b));
    let (exact, scale) = match op {
        DecimalOp::Add | DecimalOp::Subtract | DecimalOp::Remainder => {
            let scale = l.scale.max(r.scale);
            let (x, y) = (rescale(a, l.scale, scale)?, rescale(b, r.scale, scale)?);
            let v = match op {
                DecimalOp::Add => x.checked_add(y)?,
                DecimalOp::Subtract => x.checked_sub(y)?,
                // The remainder has the dividend's sign, as Java's BigDecimal.remainder.
                _ => x.checked_rem(y)?,
            };
            (v, scale)
        }
        DecimalOp::Multiply => to_38_digits(a.checked_mul(b)?, l.scale + r.scale)?,
        _ => return None,
    };
    fit(rescale(exact, scale, out.scale)?, out.precision)
}

/// The average of `count` values of type `input` that add up to `sum` (at the input's
/// scale), as a decimal of type `out`: Spark divides the sum, typed decimal(p + 10, s), by
/// the count, typed decimal(20, 0), in that division's result type, then casts to the
/// average's type; both steps round HALF_UP. `None` (NULL) if the sum overflows its type.
pub fn average(sum: i128, count: i64, input: Decimal, out: Decimal) -> Option<i128> {
    let sum_type = input.sum();
    let sum = fit(i256::from_i128(sum), sum_type.precision)?;
    let division = Decimal::arithmetic(Arithmetic::Divide, sum_type, Decimal::new(20, 0));
    let quotient = fit(
        spark_divide(sum, sum_type.scale, i128::from(count), 0, division.scale)?,
        division.precision,
    )?;
    fit(
        rescale(i256::from_i128(quotient), division.scale, out.scale)?,
        out.precision,
    )
}

/// `v` (of type `d`) rounded to `digits` fraction digits (negative: to tens, hundreds...)
/// and written at the scale of `out`.
fn round(v: i128, d: Decimal, digits: i32, rounding: Rounding, out: Decimal) -> Option<i128> {
    let v = i256::from_i128(v);
    let drop = i64::from(d.scale) - i64::from(digits);
    if drop <= 0 {
        return fit(rescale(v, d.scale, out.scale)?, out.precision);
    }
    if drop > i64::from(crate::sql::decimal::MAX_PRECISION) + 1 {
        // Every decimal (under 10^38 units) is less than half of 10^drop units: it
        // rounds to zero (floor and ceil drop at most the scale, never this much).
        return Some(0);
    }
    let unit = pow10_wide(u32::try_from(drop).ok()?)?;
    let (q, rem) = v.checked_div_rem(unit)?;
    let q = if rem == i256::ZERO {
        q
    } else {
        let up = if v.is_negative() {
            i256::MINUS_ONE
        } else {
            i256::ONE
        };
        let twice = rem.checked_abs()?.checked_mul(i256::from_i128(2))?;
        let away = match rounding {
            Rounding::HalfUp => twice >= unit,
            Rounding::HalfEven => {
                twice > unit || (twice == unit && q.checked_rem(i256::from_i128(2))? != i256::ZERO)
            }
            Rounding::Floor => v.is_negative(),
            Rounding::Ceil => !v.is_negative(),
        };
        if away {
            q.checked_add(up)?
        } else {
            q
        }
    };
    // q counts units of 10^-digits; the result's scale is max(digits, 0).
    let value = if digits >= 0 {
        rescale(q, u8::try_from(digits).ok()?, out.scale)?
    } else {
        q.checked_mul(pow10_wide(digits.unsigned_abs())?)?
    };
    fit(value, out.precision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(p: u8, s: u8) -> Decimal {
        Decimal::new(p, s)
    }

    #[test]
    fn rows() {
        // 12.35 / 1.500 = 8.23333333 at decimal(19, 8)
        assert_eq!(
            binary(DecimalOp::Divide, 1235, d(10, 2), 1500, d(5, 3), d(19, 8)),
            Some(823_333_333)
        );
        assert_eq!(
            binary(DecimalOp::Divide, 1, d(1, 0), 0, d(1, 0), d(7, 6)),
            None
        );
        // -7.5 % 2 = -1.5
        assert_eq!(
            binary(DecimalOp::Remainder, -75, d(2, 1), 2, d(1, 0), d(2, 1)),
            Some(-15)
        );
        // 99.9 + 0.1 overflows decimal(3, 1)
        assert_eq!(
            binary(DecimalOp::Add, 999, d(3, 1), 1, d(3, 1), d(3, 1)),
            None
        );
    }

    #[test]
    fn rounding() {
        let r = |v, digits, mode| round(v, d(3, 1), digits, mode, d(3, 0));
        assert_eq!(r(25, 0, Rounding::HalfUp), Some(3));
        assert_eq!(r(-25, 0, Rounding::HalfUp), Some(-3));
        assert_eq!(r(25, 0, Rounding::HalfEven), Some(2));
        assert_eq!(r(35, 0, Rounding::HalfEven), Some(4));
        assert_eq!(r(-21, 0, Rounding::Floor), Some(-3));
        assert_eq!(r(21, 0, Rounding::Ceil), Some(3));
        assert_eq!(
            round(995, d(3, 1), -1, Rounding::HalfUp, d(3, 0)),
            Some(100)
        );
    }
}
