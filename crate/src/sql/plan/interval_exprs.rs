//! Planning expressions over Spark's day-time intervals: interval literals' casts
//! (`CAST(x AS INTERVAL DAY)`), `extract` of their fields, and the arithmetic that makes
//! or takes intervals (`ts - ts`, `date - date`, `time - time`, `iv ± iv`, `ts ± iv`,
//! `iv * n`, `iv / n`), each a function of `functions::DateTimeFunction` computed by
//! `exec::functions::interval`.

use arrow_schema::DataType;
use sqlparser::ast::{self, BinaryOperator};

use crate::error::{Error, Result};
use crate::frame::interval_type::{is_day_time, DayTimeField};
use crate::frame::spark_type_name;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::functions::{date_field, DateTimeFunction, ScalarFunction};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::is_numeric;

/// `CAST(x AS INTERVAL <fields>)` to a day-time interval type: an interval keeps the
/// fields down to the new end field (`CAST(INTERVAL '1 12:00:00' DAY TO SECOND AS
/// INTERVAL DAY)` is one day, as Spark), a NULL takes the type. Text, numbers and
/// year-month types are not read yet.
/// A call of the interval function `f` on `args`, cast to its signature's types (the
/// interval functions need no more of `exprs::scalar_call`).
pub fn interval_call(f: DateTimeFunction, args: Vec<Expr>, scope: &PlanSchema) -> Result<Expr> {
    let func = ScalarFunction::DateTime(f);
    let types: Vec<DataType> = args.iter().map(|a| a.data_type(scope)).collect();
    let signature = func.signature(&types)?;
    let args = args
        .into_iter()
        .zip(&signature.arg_types)
        .map(|(arg, t)| arg.cast(t, scope))
        .collect();
    Ok(Expr::Function {
        func,
        args,
        return_type: signature.return_type,
    })
}

pub fn cast_to_interval(
    inner: Expr,
    fields: Option<&ast::IntervalFields>,
    scope: &PlanSchema,
) -> Result<Expr> {
    use ast::IntervalFields as I;
    use DayTimeField as F;
    let (start, end) = match fields {
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
        Some(other) => {
            return Err(Error::unsupported(format!(
                "the year-month interval type INTERVAL {other}"
            )))
        }
        None => return Err(Error::unsupported("the type INTERVAL without its fields")),
    };
    let from = inner.data_type(scope);
    if !(is_day_time(&from) || from == DataType::Null) {
        return Err(Error::unsupported(format!(
            "CAST of {} to an interval",
            spark_type_name(&from)
        )));
    }
    let fields = crate::frame::interval_type::DayTimeFields::new(start, end);
    interval_call(
        DateTimeFunction::IntervalTruncate,
        vec![
            inner,
            // The microseconds the type keeps: an end in seconds keeps all of them.
            Expr::Literal(ScalarValue::DayTime(
                if end == F::Second { 1 } else { end.micros() },
                fields,
            )),
        ],
        scope,
    )
}

/// `extract(field FROM iv)` / `date_part('field', iv)` of a day-time interval: the day
/// (`int`), hour or minute (`tinyint`) or seconds with their fraction (`decimal(8,6)`);
/// a field outside the interval's type is an error, as Spark's `INVALID_EXTRACT_FIELD`.
pub fn extract_interval(field: &str, interval: Expr, scope: &PlanSchema) -> Result<Expr> {
    let fields = interval.day_time_fields(scope).unwrap_or_default();
    let (wanted, func) = match date_field(field) {
        Some(DateTimeFunction::Day) => (DayTimeField::Day, DateTimeFunction::IntervalDays),
        Some(DateTimeFunction::Hour) => (DayTimeField::Hour, DateTimeFunction::IntervalHours),
        Some(DateTimeFunction::Minute) => (DayTimeField::Minute, DateTimeFunction::IntervalMinutes),
        Some(DateTimeFunction::SecondWithFraction) => {
            (DayTimeField::Second, DateTimeFunction::IntervalSeconds)
        }
        _ => {
            return Err(Error::analysis(format!(
                "cannot extract `{field}` from an {}",
                fields.spark_name()
            )))
        }
    };
    if wanted < fields.start || wanted > fields.end {
        return Err(Error::analysis(format!(
            "cannot extract `{}` from an {} (Spark's INVALID_EXTRACT_FIELD)",
            field.to_ascii_uppercase(),
            fields.spark_name()
        )));
    }
    interval_call(func, vec![interval], scope)
}

/// Arithmetic with a day-time interval, as Spark: interval ± interval, a date or timestamp
/// ± an interval (a date stays a date when the interval counts whole days, an `interval
/// day`), interval × or ÷ a number; timestamp − timestamp, date − date and time − time
/// give intervals. `None` when no operand is an interval or a difference of datetimes.
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
    let (li, ri) = (is_day_time(&lt), is_day_time(&rt));
    let datetime = |t: &DataType| matches!(t, T::Date32 | T::Timestamp(_, _));
    let number = |t: &DataType| is_numeric(t) || *t == T::Null;
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
            let fields = interval.day_time_fields(scope).unwrap_or_default();
            let interval = if *op == B::Minus {
                match call(DateTimeFunction::IntervalNegate, vec![interval]) {
                    Ok(e) => e,
                    Err(e) => return Some(Err(e)),
                }
            } else {
                interval
            };
            // A date plus an `interval day` is a date (Spark's `date_add` of its days).
            if value.data_type(scope) == T::Date32 && fields.end == DayTimeField::Day {
                call(DateTimeFunction::IntervalDays, vec![interval])
                    .and_then(|days| call(DateTimeFunction::DateAdd, vec![value, days]))
            } else {
                call(
                    DateTimeFunction::TimestampAddDayTime,
                    vec![
                        value.cast(&crate::sql::types::timestamp_type(), scope),
                        interval,
                    ],
                )
            }
        }
        B::Multiply if (li && number(&rt)) || (ri && number(&lt)) => {
            let (interval, by) = if li {
                (left.clone(), right.clone())
            } else {
                (right.clone(), left.clone())
            };
            call(DateTimeFunction::IntervalMultiply, vec![interval, by])
        }
        B::Divide if li && number(&rt) => call(
            DateTimeFunction::IntervalDivide,
            vec![left.clone(), right.clone()],
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

/// Spark's name of `e`'s type, an interval's fields included.
pub fn type_name_of(e: &Expr, scope: &PlanSchema) -> String {
    crate::sql::plan::day_time::type_name(e, scope)
        .unwrap_or_else(|| spark_type_name(&e.data_type(scope)))
}
