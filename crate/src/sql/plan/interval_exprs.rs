//! Planning expressions over Spark's ANSI intervals (day-time and year-month): casts to
//! interval types (`CAST(x AS INTERVAL DAY)`), `extract` of their fields, and the
//! arithmetic that makes or takes intervals (`ts - ts`, `date - date`, `time - time`,
//! `iv ± iv`, `ts ± iv`, `date ± iv`, `iv * n`, `iv / n`), each a function of
//! `functions::DateTimeFunction` computed by `exec::functions::interval`.

use arrow_schema::DataType;
use sqlparser::ast::{self, BinaryOperator};

use crate::error::{Error, Result};
use crate::frame::interval_type::IntervalFields;
use crate::frame::interval_type::{is_day_time, is_interval, is_year_month, IntervalField};
use crate::frame::spark_type_name;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::functions::{date_field, DateTimeFunction, ScalarFunction};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::{is_numeric, is_string};

/// A call of the interval function `f` on `args`, cast to its signature's types (the
/// interval functions need no more of `exprs::scalar_call`).
pub fn interval_call(f: DateTimeFunction, args: Vec<Expr>, scope: &PlanSchema) -> Result<Expr> {
    let func = ScalarFunction::DateTime(f);
    let types: Vec<DataType> = args.iter().map(|a| a.data_type(scope)).collect();
    let signature = func.signature(&types)?;
    Ok(Expr::signed_call(func, args, signature, scope))
}

/// A constant interval of one unit of `fields`' last field, typed with `fields`: what
/// `IntervalTruncate` keeps and how `MicrosToInterval` types its result.
fn typed_unit(fields: IntervalFields) -> Expr {
    match fields.end {
        IntervalField::Year | IntervalField::Month => {
            Expr::Literal(ScalarValue::YearMonth(fields.end.micros() as i32, fields))
        }
        // An end in seconds keeps every microsecond.
        IntervalField::Second => Expr::Literal(ScalarValue::DayTime(1, fields)),
        end => Expr::Literal(ScalarValue::DayTime(end.micros(), fields)),
    }
}

/// A constant interval of `fields`' family and fields (its value unused).
pub fn typed_zero(fields: IntervalFields) -> Expr {
    if fields.is_year_month() {
        Expr::Literal(ScalarValue::YearMonth(0, fields))
    } else {
        Expr::Literal(ScalarValue::DayTime(0, fields))
    }
}

/// `CAST(x AS INTERVAL <fields>)`: an interval of the same family keeps its fields down to
/// the new end field (`CAST(INTERVAL '1 12:00:00' DAY TO SECOND AS INTERVAL DAY)` is one
/// day, `CAST(INTERVAL '1-2' YEAR TO MONTH AS INTERVAL YEAR)` one year, as Spark), a NULL
/// takes the type; text is read in the type's form and an integer as units of its last
/// field (`interval_cast`), as Spark.
pub fn cast_to_interval(
    inner: Expr,
    fields: Option<&ast::IntervalFields>,
    scope: &PlanSchema,
) -> Result<Expr> {
    use ast::IntervalFields as I;
    use IntervalField as F;
    let (start, end) = match fields {
        Some(I::Year) => (F::Year, F::Year),
        Some(I::Month) => (F::Month, F::Month),
        Some(I::YearToMonth) => (F::Year, F::Month),
        Some(I::Day) => (F::Day, F::Day),
        Some(I::Hour) => (F::Hour, F::Hour),
        Some(I::Minute) => (F::Minute, F::Minute),
        Some(I::Second) => (F::Second, F::Second),
        Some(I::DayToHour) => (F::Day, F::Hour),
        Some(I::DayToMinute) => (F::Day, F::Minute),
        Some(I::DayToSecond) => (F::Day, F::Second),
        Some(I::HourToMinute) => (F::Hour, F::Minute),
        Some(I::HourToSecond) => (F::Hour, F::Second),
        Some(I::MinuteToSecond) => (F::Minute, F::Second),
        None => return Err(Error::unsupported("the type INTERVAL without its fields")),
    };
    let fields = IntervalFields::new(start, end);
    let from = inner.data_type(scope);
    let same_family = if fields.is_year_month() {
        is_year_month(&from)
    } else {
        is_day_time(&from)
    };
    if is_interval(&from) && !same_family {
        return Err(Error::analysis(format!(
            "cannot cast {} to {}",
            type_name_of(&inner, scope),
            fields.spark_name()
        )));
    }
    let codes = || {
        [
            Expr::Literal(ScalarValue::Int32(fields.start as i32)),
            Expr::Literal(ScalarValue::Int32(fields.end as i32)),
        ]
    };
    let from_value = |f: DateTimeFunction, value: Expr| {
        let mut args = vec![value, typed_zero(fields)];
        args.extend(codes());
        interval_call(f, args, scope)
    };
    if crate::sql::types::is_string(&from) {
        return from_value(DateTimeFunction::IntervalFromText, inner);
    }
    if from.is_integer() || matches!(from, DataType::Decimal128(_, _)) {
        return from_value(DateTimeFunction::IntervalFromInteger, inner);
    }
    if !(same_family || from == DataType::Null) {
        // Spark casts text, integers, decimals and intervals of the family only.
        return Err(Error::analysis(format!(
            "cannot cast {} to {} (text, an integer, a decimal or an interval of the same \
             family casts to an interval)",
            type_name_of(&inner, scope),
            fields.spark_name()
        )));
    }
    interval_call(
        DateTimeFunction::IntervalTruncate,
        vec![inner, typed_unit(fields)],
        scope,
    )
}

/// `CAST(iv AS to)` of an interval `inner` to a type other than an interval: text as Spark
/// prints it, an integer type the value in units of the interval's last field (truncated;
/// an error when it does not fit, as Spark's `CAST_OVERFLOW`), a decimal the same with a
/// second's fraction (`IntervalToDecimal`); Spark refuses the other types.
pub fn cast_from_interval(inner: Expr, to: &DataType, scope: &PlanSchema) -> Result<Expr> {
    if crate::sql::types::is_string(to) {
        return Ok(inner.cast(to, scope));
    }
    let fields = inner.interval_fields(scope).unwrap_or_default();
    let bits = match to {
        DataType::Int8 => 8,
        DataType::Int16 => 16,
        DataType::Int32 => 32,
        DataType::Int64 => 64,
        DataType::Decimal128(_, _) => {
            return interval_call(
                DateTimeFunction::IntervalToDecimal,
                vec![
                    inner,
                    Expr::Literal(ScalarValue::Int32(fields.start as i32)),
                    Expr::Literal(ScalarValue::Int32(fields.end as i32)),
                    Expr::Literal(ScalarValue::Null(to.clone())),
                ],
                scope,
            )
        }
        _ => {
            return Err(Error::analysis(format!(
                "cannot cast {} to {}",
                fields.spark_name(),
                spark_type_name(to)
            )))
        }
    };
    let call = interval_call(
        DateTimeFunction::IntervalToInteger,
        vec![
            inner,
            Expr::Literal(ScalarValue::Int32(fields.start as i32)),
            Expr::Literal(ScalarValue::Int32(fields.end as i32)),
            Expr::Literal(ScalarValue::Int32(bits)),
        ],
        scope,
    )?;
    Ok(call.cast(to, scope))
}

/// `extract(field FROM iv)` / `date_part('field', iv)` of an interval: the year or day
/// (`int`), month, hour or minute (`tinyint`) or seconds with their fraction
/// (`decimal(8,6)`); a field outside the interval's type is an error, as Spark's
/// `INVALID_EXTRACT_FIELD`.
pub fn extract_interval(field: &str, interval: Expr, scope: &PlanSchema) -> Result<Expr> {
    let fields = interval.interval_fields(scope).unwrap_or_default();
    let (wanted, func) = match date_field(field) {
        Some(DateTimeFunction::Year) => (IntervalField::Year, DateTimeFunction::IntervalYears),
        Some(DateTimeFunction::Month) => {
            (IntervalField::Month, DateTimeFunction::IntervalMonthsPart)
        }
        Some(DateTimeFunction::Day) => (IntervalField::Day, DateTimeFunction::IntervalDays),
        Some(DateTimeFunction::Hour) => (IntervalField::Hour, DateTimeFunction::IntervalHours),
        Some(DateTimeFunction::Minute) => {
            (IntervalField::Minute, DateTimeFunction::IntervalMinutes)
        }
        Some(DateTimeFunction::SecondWithFraction) => {
            (IntervalField::Second, DateTimeFunction::IntervalSeconds)
        }
        _ => {
            return Err(Error::analysis(format!(
                "cannot extract `{field}` from an {} (Spark's INVALID_EXTRACT_FIELD)",
                fields.spark_name()
            )))
        }
    };
    if wanted.is_year_month() != fields.is_year_month()
        || wanted < fields.start
        || wanted > fields.end
    {
        return Err(Error::analysis(format!(
            "cannot extract `{field}` from an {} (Spark's INVALID_EXTRACT_FIELD)",
            fields.spark_name()
        )));
    }
    interval_call(func, vec![interval], scope)
}

/// Arithmetic with intervals, as Spark: interval ± interval of one family, a date or
/// timestamp ± an interval (a date stays a date with a year-month interval, `add_months`'s
/// clamping to the month's end, or an `interval day`: `date_add` of its days; a timestamp
/// plus months clamps the same way), interval × or ÷ a number; timestamp − timestamp,
/// date − date and time − time give day-time intervals. `None` when no operand is an
/// interval or a difference of datetimes.
pub fn interval_arithmetic(
    op: &BinaryOperator,
    left: &Expr,
    right: &Expr,
    scope: &PlanSchema,
) -> Option<Result<Expr>> {
    use BinaryOperator as B;
    use DataType as T;
    let (lt, rt) = (left.data_type(scope), right.data_type(scope));
    let call = |f: DateTimeFunction, args: Vec<Expr>| interval_call(f, args, scope);
    let (li, ri) = (is_interval(&lt), is_interval(&rt));
    let datetime = |t: &DataType| matches!(t, T::Date32 | T::Timestamp(_, _));
    // Spark reads text multiplying or dividing an interval as a double (`'x'` is NULL).
    let number = |t: &DataType| is_numeric(t) || *t == T::Null || is_string(t);
    let as_number = |e: Expr| {
        if is_string(&e.data_type(scope)) {
            e.cast(&T::Float64, scope)
        } else {
            e
        }
    };
    Some(match op {
        B::Minus if lt == T::Date32 && rt == T::Date32 => call(
            DateTimeFunction::DateDiffInterval,
            vec![left.clone(), right.clone()],
        ),
        B::Minus if datetime(&lt) && datetime(&rt) => call(
            DateTimeFunction::TimestampDiffInterval,
            vec![left.clone(), right.clone()],
        ),
        B::Minus if matches!(lt, T::Time64(_)) && matches!(rt, T::Time64(_)) => call(
            DateTimeFunction::TimeDiffInterval,
            vec![left.clone(), right.clone()],
        ),
        B::Plus | B::Minus if (li || lt == T::Null) && (ri || rt == T::Null) && (li || ri) => {
            if li && ri && lt != rt {
                return Some(Err(Error::analysis(format!(
                    "`{op}` of {} and {}: year-month and day-time intervals do not mix",
                    type_name_of(left, scope),
                    type_name_of(right, scope)
                ))));
            }
            let f = if *op == B::Plus {
                DateTimeFunction::IntervalAdd
            } else {
                DateTimeFunction::IntervalSubtract
            };
            call(f, vec![left.clone(), right.clone()])
        }
        B::Plus | B::Minus if (li && datetime(&rt) && *op == B::Plus) || (ri && datetime(&lt)) => {
            let (value, interval) = if ri {
                (left.clone(), right.clone())
            } else {
                (right.clone(), left.clone())
            };
            plus_interval_value(value, interval, *op == B::Minus, scope)
        }
        // Spark reads text beside a day-time interval as a timestamp and gives the result
        // back as text (NULL where the text is no timestamp); with a year-month interval
        // it refuses the operands, as below.
        B::Plus | B::Minus
            if (is_day_time(&lt) && is_string(&rt) && *op == B::Plus)
                || (is_day_time(&rt) && is_string(&lt)) =>
        {
            let (text, interval) = if ri {
                (left.clone(), right.clone())
            } else {
                (right.clone(), left.clone())
            };
            text_plus_interval(text, interval, *op == B::Minus, scope)
        }
        B::Multiply if (li && number(&rt)) || (ri && number(&lt)) => {
            let (interval, by) = if li {
                (left.clone(), right.clone())
            } else {
                (right.clone(), left.clone())
            };
            call(
                DateTimeFunction::IntervalMultiply,
                vec![interval, as_number(by)],
            )
        }
        B::Divide if li && number(&rt) => call(
            DateTimeFunction::IntervalDivide,
            vec![left.clone(), as_number(right.clone())],
        ),
        _ if li || ri => Err(Error::analysis(format!(
            "`{op}` of {} and {}: an interval adds to an interval, a date or a timestamp, \
             and multiplies or divides by a number",
            type_name_of(left, scope),
            type_name_of(right, scope)
        ))),
        _ => return None,
    })
}

/// Text plus (minus, when `minus`) a day-time interval value, as Spark: the text read as
/// a timestamp (NULL where it is none), the result given back as text.
pub fn text_plus_interval(
    text: Expr,
    interval: Expr,
    minus: bool,
    scope: &PlanSchema,
) -> Result<Expr> {
    let timestamp = text.cast(&crate::sql::types::timestamp_type(), scope);
    plus_interval_value(timestamp, interval, minus, scope)
        .map(|sum| sum.cast(&DataType::Utf8, scope))
}

/// A date or timestamp `value` plus (minus, when `minus`) an interval value.
fn plus_interval_value(
    value: Expr,
    interval: Expr,
    minus: bool,
    scope: &PlanSchema,
) -> Result<Expr> {
    let call = |f: DateTimeFunction, args: Vec<Expr>| interval_call(f, args, scope);
    let fields = interval.interval_fields(scope).unwrap_or_default();
    let interval = if minus {
        call(DateTimeFunction::IntervalNegate, vec![interval])?
    } else {
        interval
    };
    let value_type = value.data_type(scope);
    let date = value_type == DataType::Date32;
    if fields.is_year_month() {
        let months =
            call(DateTimeFunction::IntervalToMicros, vec![interval])?.cast(&DataType::Int32, scope);
        return if date {
            call(DateTimeFunction::AddMonths, vec![value, months])
        } else {
            call(
                DateTimeFunction::TimestampAddInterval,
                vec![
                    value.cast(&crate::sql::types::timestamp_type(), scope),
                    months,
                    Expr::Literal(ScalarValue::Int64(0)),
                ],
            )
            .map(|sum| keeping_ntz(&value_type, sum, scope))
        };
    }
    // A date plus an `interval day` is a date (Spark's `date_add` of its days).
    if date && fields.end == IntervalField::Day {
        let days = call(DateTimeFunction::IntervalDays, vec![interval])?;
        return call(DateTimeFunction::DateAdd, vec![value, days]);
    }
    call(
        DateTimeFunction::TimestampAddDayTime,
        vec![
            value.cast(&crate::sql::types::timestamp_type(), scope),
            interval,
        ],
    )
    .map(|sum| keeping_ntz(&value_type, sum, scope))
}

/// A timestamp moved by an interval, as a `timestamp_ntz` when the value moved was one
/// (Spark keeps the type). The arithmetic runs on `timestamp`s, whose microseconds are
/// the same wall-clock time in the session zone, UTC.
pub fn keeping_ntz(value_type: &DataType, sum: Expr, scope: &PlanSchema) -> Expr {
    if crate::sql::types::is_timestamp_ntz(value_type) {
        sum.cast(&crate::sql::types::timestamp_ntz_type(), scope)
    } else {
        sum
    }
}

/// Spark's name of `e`'s type, an interval's fields included.
pub fn type_name_of(e: &Expr, scope: &PlanSchema) -> String {
    crate::sql::plan::interval_fields::type_name(e, scope)
        .unwrap_or_else(|| spark_type_name(&e.data_type(scope)))
}
