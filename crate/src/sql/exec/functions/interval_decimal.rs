//! Casts between intervals and decimals, as Spark's `Cast` does them for ANSI intervals
//! (`IntervalUtils.decimalToDayTimeInterval`, `dayTimeIntervalToDecimal` and their
//! year-month counterparts): a decimal is a number of units of the interval type's last
//! field, rounded half up to the microsecond or month; an interval is a decimal of its
//! last field's units (seconds keep their fraction; days, hours, minutes and years are
//! truncated), rounded half up to the target's scale. A value that does not fit is an
//! error in either mode, as in Spark (`CAST_OVERFLOW`, `NUMERIC_VALUE_OUT_OF_RANGE`).

use std::sync::Arc;

use arrow_array::types::{Decimal128Type, DecimalType};
use arrow_array::{ArrayRef, Decimal128Array, PrimitiveArray};
use arrow_schema::DataType;

use crate::decimal_digits::MAX_PRECISION;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::interval_type::{IntervalField, IntervalFields};
use crate::sql::exec::value::kernel_error;

use super::interval::div_half_up;

/// Each decimal (of scale `scale`) as microseconds or months of `fields`' type: `None`
/// for a NULL, an error for a value out of the type's range.
pub(super) fn from_decimals(
    values: &PrimitiveArray<Decimal128Type>,
    scale: i8,
    fields: IntervalFields,
) -> Result<Vec<Option<i64>>> {
    let overflow = |v: i128| {
        Error::new(
            ErrorCode::SqlExecution,
            format!(
                "the decimal {} cannot be cast to an {}: out of its range (Spark's \
                 CAST_OVERFLOW); use try_cast for NULL instead",
                decimal_text(v, scale),
                fields.spark_name()
            ),
        )
    };
    let unit = i128::from(fields.end.micros());
    let ten = 10i128.checked_pow(u32::from(scale.unsigned_abs()));
    values
        .iter()
        .map(|v| {
            v.map(|v| {
                let scaled = v.checked_mul(unit).ok_or_else(|| overflow(v))?;
                let exact = match ten {
                    Some(ten) if scale >= 0 => div_half_up(scaled, ten),
                    Some(ten) => scaled.checked_mul(ten).ok_or_else(|| overflow(v))?,
                    None => return Err(overflow(v)),
                };
                let fits = if fields.is_year_month() {
                    i32::try_from(exact).is_ok()
                } else {
                    i64::try_from(exact).is_ok()
                };
                if fits {
                    Ok(exact as i64)
                } else {
                    Err(overflow(v))
                }
            })
            .transpose()
        })
        .collect()
}

/// Intervals (microseconds or months, `values`) of `fields`' type as decimals of type
/// `to`.
pub(super) fn to_decimals(
    values: Vec<Option<i64>>,
    fields: IntervalFields,
    to: &DataType,
) -> Result<ArrayRef> {
    let DataType::Decimal128(precision, scale) = *to else {
        return Err(Error::new(
            ErrorCode::Internal,
            format!("an interval cast to {to}, not a decimal"),
        ));
    };
    // The interval as a decimal of its own: (digits, scale).
    let own = |v: i64| -> (i128, i8) {
        let v = i128::from(v);
        match fields.end {
            // Microseconds: a second's millionths.
            IntervalField::Second => (v, 6),
            end => (v / i128::from(end.micros()), 0),
        }
    };
    let limit = 10i128.checked_pow(u32::from(precision));
    let out = values
        .into_iter()
        .map(|v| {
            v.map(|v| {
                let (digits, from) = own(v);
                let shift = i32::from(scale) - i32::from(from);
                let rescaled = if shift >= 0 {
                    10i128
                        .checked_pow(shift.unsigned_abs())
                        .and_then(|t| digits.checked_mul(t))
                } else {
                    10i128
                        .checked_pow(shift.unsigned_abs())
                        .map(|t| div_half_up(digits, t))
                };
                match (rescaled, limit) {
                    (Some(r), Some(limit)) if r.abs() < limit => Ok(r),
                    _ => Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!(
                            "{} cannot be represented as decimal({precision},{scale}) \
                             (Spark's NUMERIC_VALUE_OUT_OF_RANGE); use try_cast for NULL \
                             instead",
                            decimal_text(digits, from)
                        ),
                    )),
                }
            })
            .transpose()
        })
        .collect::<Result<Decimal128Array>>()?
        .with_precision_and_scale(precision, scale)
        .map_err(kernel_error)?;
    Ok(Arc::new(out))
}

/// `digits` at `scale` as text, for messages.
fn decimal_text(digits: i128, scale: i8) -> String {
    Decimal128Type::format_decimal(digits, MAX_PRECISION, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::interval_type::MICROS_PER_DAY;
    use arrow_array::cast::AsArray;
    use arrow_array::Array;

    fn fields(start: IntervalField, end: IntervalField) -> IntervalFields {
        IntervalFields::new(start, end)
    }

    #[test]
    fn decimals_become_units_of_the_last_field_rounded_half_up() {
        let d = Decimal128Array::from(vec![Some(15), Some(-15), None])
            .with_precision_and_scale(3, 1)
            .unwrap();
        let day = fields(IntervalField::Day, IntervalField::Day);
        assert_eq!(
            from_decimals(&d, 1, day).unwrap(),
            vec![
                Some(MICROS_PER_DAY * 3 / 2),
                Some(-MICROS_PER_DAY * 3 / 2),
                None
            ]
        );
        let month = fields(IntervalField::Month, IntervalField::Month);
        assert_eq!(
            from_decimals(&d, 1, month).unwrap(),
            vec![Some(2), Some(-2), None]
        );
        let year = fields(IntervalField::Year, IntervalField::Year);
        assert_eq!(
            from_decimals(&d, 1, year).unwrap(),
            vec![Some(18), Some(-18), None]
        );
        let big = Decimal128Array::from(vec![Some(21474836475)])
            .with_precision_and_scale(11, 1)
            .unwrap();
        assert!(from_decimals(&big, 1, month).is_err());
    }

    #[test]
    fn intervals_become_decimals_of_their_last_field() {
        let second = fields(IntervalField::Second, IntervalField::Second);
        let out = to_decimals(
            vec![Some(-123_500), None],
            second,
            &DataType::Decimal128(5, 3),
        )
        .unwrap();
        let out = out.as_primitive::<Decimal128Type>();
        assert_eq!(out.value(0), -124);
        assert!(out.is_null(1));
        let day = fields(IntervalField::Day, IntervalField::Day);
        let out = to_decimals(
            vec![Some(MICROS_PER_DAY * 3 / 2)],
            day,
            &DataType::Decimal128(4, 2),
        )
        .unwrap();
        assert_eq!(out.as_primitive::<Decimal128Type>().value(0), 100);
        assert!(to_decimals(
            vec![Some(MICROS_PER_DAY * 30)],
            day,
            &DataType::Decimal128(1, 0)
        )
        .is_err());
        assert_eq!(decimal_text(-5, 2), "-0.05");
    }
}
