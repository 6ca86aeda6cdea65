//! Interval arithmetic over Arrow columns, as Spark computes its ANSI intervals: day-time
//! intervals (`Duration(Microsecond)`, `DayTimeIntervalType`) and year-month intervals
//! (`Interval(YearMonth)`, months, `YearMonthIntervalType`). Exact arithmetic that raises
//! on overflow and a division by zero that raises (both ANSI mode or not, as in Spark),
//! products and quotients rounded half away from zero to the microsecond or month (Java's
//! `HALF_UP`), fields taken by truncation towards zero (`extract(HOUR FROM INTERVAL '-1
//! 12:30' ...)` is -12, `extract(MONTH FROM INTERVAL '-1-2' ...)` -2). The same functions
//! take either family: the year-month kernels answer first when given months.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{DurationMicrosecondType, IntervalYearMonthType};
use arrow_array::{
    Array, ArrayRef, Decimal128Array, DurationMicrosecondArray, Int32Array, Int8Array,
    IntervalYearMonthArray, PrimitiveArray, StringArray,
};

use super::columns::{dates, doubles, ints, longs, timestamps};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::interval_type::{
    interval_texts, IntervalField, IntervalFields, MICROS_PER_DAY, MICROS_PER_HOUR,
    MICROS_PER_MINUTE, MICROS_PER_SECOND,
};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::functions::DateTimeFunction;
use crate::sql::types::SESSION_TIME_ZONE;

/// Whether `func` is computed here.
pub fn handles(func: DateTimeFunction) -> bool {
    use DateTimeFunction::*;
    matches!(
        func,
        MakeDtInterval
            | IntervalAdd
            | IntervalSubtract
            | IntervalNegate
            | IntervalAbs
            | IntervalMultiply
            | IntervalDivide
            | TimestampDiffInterval
            | DateDiffInterval
            | TimeDiffInterval
            | TimestampAddDayTime
            | IntervalDays
            | IntervalHours
            | IntervalMinutes
            | IntervalSeconds
            | IntervalToString
            | IntervalTruncate
            | IntervalToMicros
            | MicrosToInterval
            | MakeYmInterval
            | IntervalYears
            | IntervalMonthsPart
    )
}

fn intervals(array: &ArrayRef) -> Result<&DurationMicrosecondArray> {
    array
        .as_primitive_opt::<DurationMicrosecondType>()
        .ok_or_else(|| {
            Error::new(
                ErrorCode::Internal,
                format!("expected day-time intervals, got {}", array.data_type()),
            )
        })
}

/// Spark's `ARITHMETIC_OVERFLOW` / `INTERVAL_ARITHMETIC_OVERFLOW`, raised in any mode.
fn overflow(what: &str) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!("interval arithmetic overflow: {what} is out of the range of intervals"),
    )
}

fn divided_by_zero() -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        "an interval divided by zero (Spark's INTERVAL_DIVIDED_BY_ZERO); use try_divide \
         or NULLIF(x, 0) for NULL instead",
    )
}

/// Row by row over two columns, NULL where either is; `f` may fail.
fn zip2<A, B, O>(
    a: &PrimitiveArray<A>,
    b: &PrimitiveArray<B>,
    len: usize,
    f: impl Fn(A::Native, B::Native) -> Result<O::Native>,
) -> Result<PrimitiveArray<O>>
where
    A: arrow_array::ArrowPrimitiveType,
    B: arrow_array::ArrowPrimitiveType,
    O: arrow_array::ArrowPrimitiveType,
{
    (0..len)
        .map(|i| {
            if a.is_null(i) || b.is_null(i) {
                Ok(None)
            } else {
                f(a.value(i), b.value(i)).map(Some)
            }
        })
        .collect()
}

/// Row by row over one column, NULL where it is.
fn map1<A, O>(
    a: &PrimitiveArray<A>,
    f: impl Fn(A::Native) -> Result<O::Native>,
) -> Result<PrimitiveArray<O>>
where
    A: arrow_array::ArrowPrimitiveType,
    O: arrow_array::ArrowPrimitiveType,
{
    a.iter().map(|v| v.map(&f).transpose()).collect()
}

/// `n / d` rounded half away from zero (Java's `HALF_UP`), `d` not zero.
pub(super) fn div_half_up(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if r.unsigned_abs() * 2 >= d.unsigned_abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    }
}

pub fn compute(func: DateTimeFunction, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    use DateTimeFunction::*;
    let arg = |i: usize| {
        args.get(i).ok_or_else(|| {
            Error::new(
                ErrorCode::Internal,
                format!("{} is missing argument {i}", func.name()),
            )
        })
    };
    // No rows: no constants to read the fields from either.
    if func == IntervalToString && args.first().is_some_and(|a| a.is_empty()) {
        return Ok(Arc::new(StringArray::new_null(0)));
    }
    if let Some(months) = year_month(func, args, len) {
        return months;
    }
    Ok(match func {
        MakeDtInterval => Arc::new(make_dt_interval(args, len)?),
        IntervalAdd | IntervalSubtract => {
            let (a, b) = (intervals(arg(0)?)?, intervals(arg(1)?)?);
            let out: DurationMicrosecondArray = zip2(a, b, len, |x: i64, y: i64| {
                if func == IntervalAdd {
                    x.checked_add(y)
                } else {
                    x.checked_sub(y)
                }
                .ok_or_else(|| overflow("the sum"))
            })?;
            Arc::new(out)
        }
        IntervalNegate | IntervalAbs => {
            let out: DurationMicrosecondArray = map1(intervals(arg(0)?)?, |x: i64| {
                if func == IntervalNegate {
                    x.checked_neg()
                } else {
                    x.checked_abs()
                }
                .ok_or_else(|| overflow("the negation"))
            })?;
            Arc::new(out)
        }
        IntervalMultiply | IntervalDivide => Arc::new(scale(func, arg(0)?, arg(1)?, len)?),
        TimestampDiffInterval => {
            let (a, b) = (timestamps(arg(0)?)?, timestamps(arg(1)?)?);
            let out: DurationMicrosecondArray = zip2(a, b, len, |x: i64, y: i64| {
                x.checked_sub(y)
                    .ok_or_else(|| overflow("the difference of the timestamps"))
            })?;
            Arc::new(out)
        }
        DateDiffInterval => {
            let (a, b) = (dates(arg(0)?)?, dates(arg(1)?)?);
            let out: DurationMicrosecondArray = zip2(a, b, len, |x: i32, y: i32| {
                (i64::from(x) - i64::from(y))
                    .checked_mul(MICROS_PER_DAY)
                    .ok_or_else(|| overflow("the difference of the dates"))
            })?;
            Arc::new(out)
        }
        TimeDiffInterval => {
            let (a, b) = (super::time::times(arg(0)?)?, super::time::times(arg(1)?)?);
            let out: DurationMicrosecondArray = zip2(a, b, len, |x: i64, y: i64| Ok(x - y))?;
            Arc::new(out)
        }
        TimestampAddDayTime => {
            let (a, b) = (timestamps(arg(0)?)?, intervals(arg(1)?)?);
            let out: arrow_array::TimestampMicrosecondArray = zip2(a, b, len, |t: i64, d: i64| {
                t.checked_add(d).ok_or_else(|| {
                    Error::new(
                        ErrorCode::SqlExecution,
                        "a timestamp plus an interval is out of the range of timestamps",
                    )
                })
            })?;
            Arc::new(out.with_timezone(SESSION_TIME_ZONE))
        }
        IntervalDays => {
            let out: Int32Array =
                map1(
                    intervals(arg(0)?)?,
                    |x: i64| Ok((x / MICROS_PER_DAY) as i32),
                )?;
            Arc::new(out)
        }
        IntervalHours | IntervalMinutes => {
            let (unit, within) = if func == IntervalHours {
                (MICROS_PER_HOUR, 24)
            } else {
                (MICROS_PER_MINUTE, 60)
            };
            let out: Int8Array = map1(intervals(arg(0)?)?, |x: i64| Ok((x / unit % within) as i8))?;
            Arc::new(out)
        }
        IntervalSeconds => Arc::new(
            intervals(arg(0)?)?
                .iter()
                .map(|v| v.map(|x| i128::from(x % MICROS_PER_MINUTE)))
                .collect::<Decimal128Array>()
                .with_precision_and_scale(8, 6)
                .map_err(kernel_error)?,
        ),
        IntervalToString => {
            let values = intervals(arg(0)?)?;
            let field = |i: usize| -> Result<IntervalField> { field_arg(arg(i)?) };
            let fields = IntervalFields::new(field(1)?, field(2)?);
            Arc::new(texts(values, fields)?)
        }
        IntervalTruncate => {
            let units = intervals(arg(1)?)?;
            let unit = if units.is_empty() || units.is_null(0) {
                1
            } else {
                units.value(0).max(1)
            };
            let out: DurationMicrosecondArray =
                map1(intervals(arg(0)?)?, |x: i64| Ok(x - x % unit))?;
            Arc::new(out)
        }
        IntervalToMicros => {
            let out: arrow_array::Int64Array = map1(intervals(arg(0)?)?, Ok)?;
            Arc::new(out)
        }
        MicrosToInterval => {
            let totals = arg(0)?
                .as_primitive_opt::<arrow_array::types::Decimal128Type>()
                .ok_or_else(|| {
                    Error::new(ErrorCode::Internal, "micros_to_interval of a non-decimal")
                })?;
            let out: DurationMicrosecondArray = map1(totals, |v: i128| {
                i64::try_from(v).map_err(|_| overflow("the sum"))
            })?;
            Arc::new(out)
        }
        other => {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("{} reached the interval kernels", other.name()),
            ))
        }
    })
}

/// An interval column's values as Spark prints them with `fields` (`IntervalToString`).
fn texts(values: &dyn Array, fields: IntervalFields) -> Result<StringArray> {
    interval_texts(values, Some(fields)).ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            format!("{} is not an interval column", values.data_type()),
        )
    })
}

/// The interval field a constant argument names by its code (`IntervalField::from_code`).
pub(super) fn field_arg(array: &ArrayRef) -> Result<IntervalField> {
    let codes = ints(array)?;
    let code = if codes.is_empty() || codes.is_null(0) {
        -1
    } else {
        codes.value(0)
    };
    IntervalField::from_code(code).ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            format!("{code} is not an interval field"),
        )
    })
}

fn year_months(array: &ArrayRef) -> Option<&IntervalYearMonthArray> {
    array.as_primitive_opt::<IntervalYearMonthType>()
}

fn months_overflow() -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        "integer overflow while operating with intervals: the months are out of the range \
         of year-month intervals (Spark's INTERVAL_ARITHMETIC_OVERFLOW)",
    )
}

fn to_months(v: i128) -> Result<i32> {
    i32::try_from(v).map_err(|_| months_overflow())
}

/// The year-month interval kernels (months as `i32`, Spark's `YearMonthIntervalType`):
/// `None` when `func` is not given a year-month interval.
fn year_month(func: DateTimeFunction, args: &[ArrayRef], len: usize) -> Option<Result<ArrayRef>> {
    use DateTimeFunction::*;
    let first = args.first().and_then(year_months);
    let out: Result<ArrayRef> = match func {
        MakeYmInterval => make_ym_interval(args, len).map(|a| Arc::new(a) as ArrayRef),
        IntervalAdd | IntervalSubtract => {
            let (a, b) = (first?, args.get(1).and_then(year_months)?);
            zip2(a, b, len, |x: i32, y: i32| {
                if func == IntervalAdd {
                    x.checked_add(y)
                } else {
                    x.checked_sub(y)
                }
                .ok_or_else(months_overflow)
            })
            .map(|a: IntervalYearMonthArray| Arc::new(a) as ArrayRef)
        }
        IntervalNegate | IntervalAbs => map1(first?, |x: i32| {
            if func == IntervalNegate {
                x.checked_neg()
            } else {
                x.checked_abs()
            }
            .ok_or_else(months_overflow)
        })
        .map(|a: IntervalYearMonthArray| Arc::new(a) as ArrayRef),
        IntervalMultiply | IntervalDivide => {
            scale_months(func, first?, args.get(1)?, len).map(|a| Arc::new(a) as ArrayRef)
        }
        IntervalToString => {
            let fields = (|| -> Result<IntervalFields> {
                let (start, end) = (
                    field_arg(args.get(1).ok_or_else(months_overflow)?)?,
                    field_arg(args.get(2).ok_or_else(months_overflow)?)?,
                );
                Ok(IntervalFields::new(start, end))
            })();
            let values = first?;
            fields
                .and_then(|fields| texts(values, fields))
                .map(|texts| Arc::new(texts) as ArrayRef)
        }
        IntervalToMicros => map1(first?, |x: i32| Ok(i64::from(x)))
            .map(|a: arrow_array::Int64Array| Arc::new(a) as ArrayRef),
        MicrosToInterval => {
            year_months(args.get(1)?)?;
            let totals = args
                .first()?
                .as_primitive_opt::<arrow_array::types::Decimal128Type>()?;
            map1(totals, |v: i128| to_months(v))
                .map(|a: IntervalYearMonthArray| Arc::new(a) as ArrayRef)
        }
        IntervalTruncate => {
            let units = args.get(1).and_then(year_months)?;
            let unit = if units.is_empty() || units.is_null(0) {
                1
            } else {
                units.value(0).max(1)
            };
            map1(first?, |x: i32| Ok(x - x % unit))
                .map(|a: IntervalYearMonthArray| Arc::new(a) as ArrayRef)
        }
        IntervalYears => {
            map1(first?, |x: i32| Ok(x / 12)).map(|a: Int32Array| Arc::new(a) as ArrayRef)
        }
        IntervalMonthsPart => {
            map1(first?, |x: i32| Ok((x % 12) as i8)).map(|a: Int8Array| Arc::new(a) as ArrayRef)
        }
        _ => return None,
    };
    Some(out)
}

/// `make_ym_interval(years, months)` as Spark's `IntervalUtils.makeYearMonthInterval`:
/// missing arguments are 0, an overflow of the months an error.
fn make_ym_interval(args: &[ArrayRef], len: usize) -> Result<IntervalYearMonthArray> {
    let parts = args
        .iter()
        .map(ints)
        .collect::<Result<Vec<&Int32Array>>>()?;
    (0..len)
        .map(|i| {
            if parts.iter().any(|a| a.is_null(i)) {
                return Ok(None);
            }
            let part = |k: usize| parts.get(k).map_or(0, |a| i128::from(a.value(i)));
            to_months(part(0) * 12 + part(1)).map(Some)
        })
        .collect()
}

/// `iv * n` and `iv / n` of year-month intervals (Spark's `MultiplyYMInterval`,
/// `DivideYMInterval`): [`scale_value`] of the months, an error out of the range of
/// months.
fn scale_months(
    func: DateTimeFunction,
    values: &IntervalYearMonthArray,
    by: &ArrayRef,
    len: usize,
) -> Result<IntervalYearMonthArray> {
    let divide = func == DateTimeFunction::IntervalDivide;
    (0..len)
        .map(|i| -> Result<Option<i32>> {
            if values.is_null(i) || by.is_null(i) {
                return Ok(None);
            }
            scale_value(i64::from(values.value(i)), by, i, divide)?
                .and_then(|v| i32::try_from(v).ok())
                .map(Some)
                .ok_or_else(months_overflow)
        })
        .collect()
}

/// `make_dt_interval(days, hours, mins, secs)` as Spark's `IntervalUtils.makeDayTimeInterval`:
/// missing arguments are 0, the seconds a `decimal(18,6)`, an overflow an error.
fn make_dt_interval(args: &[ArrayRef], len: usize) -> Result<DurationMicrosecondArray> {
    let whole = args
        .iter()
        .take(3)
        .map(ints)
        .collect::<Result<Vec<&Int32Array>>>()?;
    let seconds = match args.get(3) {
        Some(a) => Some(
            a.as_primitive_opt::<arrow_array::types::Decimal128Type>()
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::Internal,
                        "make_dt_interval: seconds not a decimal",
                    )
                })?,
        ),
        None => None,
    };
    (0..len)
        .map(|i| {
            if whole.iter().any(|a| a.is_null(i)) || seconds.is_some_and(|s| s.is_null(i)) {
                return Ok(None);
            }
            let field = |k: usize| whole.get(k).map_or(0, |a| i64::from(a.value(i)));
            let fraction = seconds.map_or(0, |s| s.value(i));
            let too_big = || {
                Error::new(
                    ErrorCode::SqlExecution,
                    "integer overflow while operating with intervals (Spark's \
                     INTERVAL_ARITHMETIC_OVERFLOW)",
                )
            };
            let minutes = field(0)
                .checked_mul(24 * 60)
                .and_then(|m| m.checked_add(field(1).checked_mul(60)?))
                .and_then(|m| m.checked_add(field(2)))
                .ok_or_else(too_big)?;
            let fraction = i64::try_from(fraction).map_err(|_| too_big())?;
            minutes
                .checked_mul(60 * MICROS_PER_SECOND)
                .and_then(|m| m.checked_add(fraction))
                .map(Some)
                .ok_or_else(too_big)
        })
        .collect()
}

/// `iv * n` and `iv / n` (Spark's `MultiplyDTInterval` and `DivideDTInterval`):
/// [`scale_value`] of the microseconds, an error out of the range of longs.
fn scale(
    func: DateTimeFunction,
    interval: &ArrayRef,
    by: &ArrayRef,
    len: usize,
) -> Result<DurationMicrosecondArray> {
    let values = intervals(interval)?;
    let divide = func == DateTimeFunction::IntervalDivide;
    let what = if divide {
        "the quotient"
    } else {
        "the product"
    };
    (0..len)
        .map(|i| -> Result<Option<i64>> {
            if values.is_null(i) || by.is_null(i) {
                return Ok(None);
            }
            scale_value(values.value(i), by, i, divide)?
                .and_then(|v| i64::try_from(v).ok())
                .map(Some)
                .ok_or_else(|| overflow(what))
        })
        .collect()
}

/// `value * by[i]` or `value / by[i]`, an interval's microseconds or months scaled by a
/// number as Spark scales both families: by an integer or a decimal exactly (a quotient
/// or a decimal's product rounded half up), by a double in doubles, rounded half up.
/// `None` when the result is past what the caller's range could hold (it raises its
/// overflow, as Spark raises `INTERVAL_ARITHMETIC_OVERFLOW` even for `i64::MIN / -1`);
/// dividing by zero is an error.
fn scale_value(value: i64, by: &ArrayRef, i: usize, divide: bool) -> Result<Option<i128>> {
    let value = i128::from(value);
    Ok(match by.data_type() {
        arrow_schema::DataType::Int64 => {
            let n = i128::from(longs(by)?.value(i));
            if divide {
                if n == 0 {
                    return Err(divided_by_zero());
                }
                Some(div_half_up(value, n))
            } else {
                value.checked_mul(n)
            }
        }
        arrow_schema::DataType::Decimal128(_, s) => {
            let n = by
                .as_primitive::<arrow_array::types::Decimal128Type>()
                .value(i);
            let Some(ten) = 10i128.checked_pow(u32::from(s.unsigned_abs())) else {
                return Ok(None);
            };
            if divide {
                if n == 0 {
                    return Err(divided_by_zero());
                }
                value.checked_mul(ten).map(|m| div_half_up(m, n))
            } else {
                value.checked_mul(n).map(|m| div_half_up(m, ten))
            }
        }
        _ => {
            let n = doubles(by)?.value(i);
            if divide && n == 0.0 {
                return Err(divided_by_zero());
            }
            let x = if divide {
                value as f64 / n
            } else {
                value as f64 * n
            };
            // Past 2^63 (or NaN) is out of range for either family.
            let r = x.round();
            let limit = i64::MAX as f64;
            (-limit..limit).contains(&r).then_some(r as i128)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(div_half_up(7, 2), 4);
        assert_eq!(div_half_up(-7, 2), -4);
        assert_eq!(div_half_up(7, -2), -4);
        assert_eq!(div_half_up(5, 3), 2);
        assert_eq!(div_half_up(-5, 3), -2);
    }

    #[test]
    fn multiplies_and_divides_as_spark() {
        let iv: ArrayRef = Arc::new(DurationMicrosecondArray::from(vec![
            Some(MICROS_PER_DAY),
            None,
            Some(-7),
        ]));
        let by: ArrayRef = Arc::new(arrow_array::Float64Array::from(vec![1.5; 3]));
        let out = scale(DateTimeFunction::IntervalMultiply, &iv, &by, 3).unwrap();
        assert_eq!(out.value(0), MICROS_PER_DAY * 3 / 2);
        assert!(out.is_null(1));
        assert_eq!(out.value(2), -11); // -10.5 rounds away from zero
        let by: ArrayRef = Arc::new(arrow_array::Int64Array::from(vec![0; 3]));
        assert!(scale(DateTimeFunction::IntervalDivide, &iv, &by, 3).is_err());
    }

    /// Both families scale alike, and a result out of the family's range is an error
    /// (Spark's INTERVAL_ARITHMETIC_OVERFLOW), `i64::MIN / -1` and `i32::MIN / -1` too.
    #[test]
    fn scaling_out_of_range_is_an_error_in_both_families() {
        let by = |v: f64| -> ArrayRef { Arc::new(arrow_array::Float64Array::from(vec![v])) };
        let minus_one: ArrayRef = Arc::new(arrow_array::Int64Array::from(vec![-1]));
        let divide = DateTimeFunction::IntervalDivide;
        let multiply = DateTimeFunction::IntervalMultiply;
        let most_negative: ArrayRef = Arc::new(DurationMicrosecondArray::from(vec![i64::MIN]));
        assert!(scale(divide, &most_negative, &minus_one, 1).is_err());
        assert!(scale(multiply, &most_negative, &minus_one, 1).is_err());
        assert!(scale(divide, &most_negative, &by(-1.0), 1).is_err());
        let months = IntervalYearMonthArray::from(vec![i32::MIN]);
        assert!(scale_months(divide, &months, &minus_one, 1).is_err());
        assert!(scale_months(divide, &months, &by(-1.0), 1).is_err());
        let five: ArrayRef = Arc::new(DurationMicrosecondArray::from(vec![-5]));
        let half = scale(multiply, &five, &by(0.5), 1).unwrap();
        assert_eq!(half.value(0), -3); // -2.5 rounds away from zero
        assert!(scale(multiply, &five, &by(f64::NAN), 1).is_err());
        assert!(scale(multiply, &five, &by(1e19), 1).is_err());
        let months = IntervalYearMonthArray::from(vec![-5]);
        assert_eq!(
            scale_months(multiply, &months, &by(0.5), 1)
                .unwrap()
                .value(0),
            -3
        );
    }
}
