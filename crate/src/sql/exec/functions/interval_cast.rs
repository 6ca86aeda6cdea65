//! Casts between intervals and text or integers, as Spark's `Cast` does them for ANSI
//! intervals: text in the type's own form (`'1 12:00:00'` for `DAY TO SECOND`, `'-1-2'`
//! for `YEAR TO MONTH`, `'90'` for `SECOND`, or the whole literal `INTERVAL '3' DAY` with
//! the same fields; case-insensitive, trimmed, the first field unbounded and the others in
//! their range, up to nine digits of a second's fraction cut to microseconds), integers as
//! units of the type's last field, and back (decimals: `interval_decimal`). What does not
//! parse or fit is an error in
//! either mode, as in Spark (`INVALID_INTERVAL_FORMAT`, `CAST_OVERFLOW`).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{DurationMicrosecondType, IntervalYearMonthType};
use arrow_array::{
    new_empty_array, Array, ArrayRef, DurationMicrosecondArray, Int64Array, IntervalYearMonthArray,
};

use super::columns::{as_strings, ints, longs};
use super::interval::field_arg;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::interval_type::{IntervalField, IntervalFields};
use crate::sql::plan::functions::DateTimeFunction;

/// Whether `func` is computed here.
pub fn handles(func: DateTimeFunction) -> bool {
    use DateTimeFunction::*;
    matches!(
        func,
        IntervalFromText | IntervalFromInteger | IntervalToInteger | IntervalToDecimal
    )
}

fn arg(args: &[ArrayRef], i: usize) -> Result<&ArrayRef> {
    args.get(i).ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            "an interval cast without its arguments",
        )
    })
}

pub fn compute(func: DateTimeFunction, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    if len == 0 {
        let t = match func {
            DateTimeFunction::IntervalToInteger => arrow_schema::DataType::Int64,
            DateTimeFunction::IntervalToDecimal => arg(args, 3)?.data_type().clone(),
            _ => arg(args, 1)?.data_type().clone(),
        };
        return Ok(new_empty_array(&t));
    }
    let (start, end) = match func {
        DateTimeFunction::IntervalToInteger | DateTimeFunction::IntervalToDecimal => {
            (field_arg(arg(args, 1)?)?, field_arg(arg(args, 2)?)?)
        }
        _ => (field_arg(arg(args, 2)?)?, field_arg(arg(args, 3)?)?),
    };
    let fields = IntervalFields::new(start, end);
    // Values as microseconds or months, into the type of the second argument.
    let build = |values: Vec<Option<i64>>| -> Result<ArrayRef> {
        if fields.is_year_month() {
            let months = values
                .into_iter()
                .map(|v| {
                    v.map(|m| i32::try_from(m).map_err(|_| out_of_range(fields)))
                        .transpose()
                })
                .collect::<Result<IntervalYearMonthArray>>()?;
            Ok(Arc::new(months))
        } else {
            Ok(Arc::new(DurationMicrosecondArray::from(values)))
        }
    };
    match func {
        DateTimeFunction::IntervalFromText => {
            let texts = as_strings(arg(args, 0)?)?;
            let values = texts
                .iter()
                .map(|t| t.map(|t| parse_text(t, fields)).transpose())
                .collect::<Result<Vec<_>>>()?;
            build(values)
        }
        DateTimeFunction::IntervalFromInteger
            if matches!(
                arg(args, 0)?.data_type(),
                arrow_schema::DataType::Decimal128(_, _)
            ) =>
        {
            let decimals = arg(args, 0)?;
            let arrow_schema::DataType::Decimal128(_, scale) = *decimals.data_type() else {
                return Err(Error::new(
                    ErrorCode::Internal,
                    "a decimal cast without a scale",
                ));
            };
            let values = decimals.as_primitive::<arrow_array::types::Decimal128Type>();
            build(super::interval_decimal::from_decimals(
                values, scale, fields,
            )?)
        }
        DateTimeFunction::IntervalToDecimal => {
            let values = interval_values(arg(args, 0)?)?;
            super::interval_decimal::to_decimals(values, fields, arg(args, 3)?.data_type())
        }
        DateTimeFunction::IntervalFromInteger => {
            let unit = fields.end.micros();
            let values = longs(arg(args, 0)?)?
                .iter()
                .map(|n| {
                    n.map(|n| n.checked_mul(unit).ok_or_else(|| out_of_range(fields)))
                        .transpose()
                })
                .collect::<Result<Vec<_>>>()?;
            build(values)
        }
        _ => {
            let bits = ints(arg(args, 3)?)?.value(0);
            let values = interval_values(arg(args, 0)?)?;
            let unit = fields.end.micros();
            let limit = if (1..64).contains(&bits) {
                1i64 << (bits - 1)
            } else {
                i64::MAX
            };
            let out = values
                .into_iter()
                .map(|v| {
                    v.map(|v| {
                        let n = v / unit;
                        if bits < 64 && !(-limit..limit).contains(&n) {
                            Err(Error::new(
                                ErrorCode::SqlExecution,
                                format!(
                                    "the {} value {n} does not fit a {bits}-bit integer \
                                     (Spark's CAST_OVERFLOW); use try_cast for NULL instead",
                                    fields.spark_name()
                                ),
                            ))
                        } else {
                            Ok(n)
                        }
                    })
                    .transpose()
                })
                .collect::<Result<Int64Array>>()?;
            Ok(Arc::new(out))
        }
    }
}

/// An interval column's values: microseconds, or months.
fn interval_values(interval: &ArrayRef) -> Result<Vec<Option<i64>>> {
    Ok(
        match interval.as_primitive_opt::<DurationMicrosecondType>() {
            Some(micros) => micros.iter().collect(),
            None => interval
                .as_primitive_opt::<IntervalYearMonthType>()
                .ok_or_else(|| Error::new(ErrorCode::Internal, "a cast of a non-interval"))?
                .iter()
                .map(|m| m.map(i64::from))
                .collect(),
        },
    )
}

fn out_of_range(fields: IntervalFields) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!(
            "the value is out of the range of an {} (Spark's INTERVAL_ARITHMETIC_OVERFLOW)",
            fields.spark_name()
        ),
    )
}

fn bad_text(text: &str, fields: IntervalFields, why: &str) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!(
            "cannot read '{text}' as an {}{why} (Spark's INVALID_INTERVAL_FORMAT)",
            fields.spark_name()
        ),
    )
}

/// The interval `text` is, in microseconds (months for a year-month type).
fn parse_text(text: &str, fields: IntervalFields) -> Result<i64> {
    let fail = |why: &str| bad_text(text, fields, why);
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    // `INTERVAL [+|-]'body' FIELDS`, the fields the type's own.
    let (negative, body) = match upper.strip_prefix("INTERVAL") {
        Some(rest) => {
            let (negative, rest) = sign(rest.trim_start());
            let rest = rest.strip_prefix('\'').ok_or_else(|| fail(""))?;
            let close = rest.find('\'').ok_or_else(|| fail(""))?;
            let named: Vec<&str> = rest[close + 1..].split_whitespace().collect();
            let wanted = fields.text().to_ascii_uppercase();
            if named.join(" ") != wanted {
                return Err(fail(&format!(" (the literal must name {wanted})")));
            }
            (negative, rest[..close].trim().to_string())
        }
        None => (false, upper),
    };
    let (inner_negative, body) = sign(&body);
    let value = parse_body(body, fields).map_err(|why| fail(&why))?;
    Ok(if negative != inner_negative {
        -value
    } else {
        value
    })
}

/// An optional leading `+` or `-`, and the rest.
fn sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// The digits `text` is (all ASCII digits, at least one), or `None`.
fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The unsigned value of `body` in the type's form: a year-month `y-m`, `y` or `m`, or
/// day-time fields `d h:m:s.f` from the type's start to its end.
fn parse_body(body: &str, fields: IntervalFields) -> std::result::Result<i64, String> {
    use IntervalField as F;
    let unmatched = || String::new();
    if fields.is_year_month() {
        return match (fields.start, fields.end) {
            (F::Year, F::Month) => {
                let (y, m) = body.split_once('-').ok_or_else(unmatched)?;
                if m.len() > 2 {
                    return Err(unmatched());
                }
                let (y, m) = (
                    digits(y).ok_or_else(unmatched)?,
                    digits(m).ok_or_else(unmatched)?,
                );
                if m > 11 {
                    return Err(format!(" (month {m} outside 0 to 11)"));
                }
                y.checked_mul(12)
                    .and_then(|y| y.checked_add(m))
                    .ok_or_else(|| " (out of range)".to_string())
            }
            (F::Year, _) => digits(body)
                .ok_or_else(unmatched)?
                .checked_mul(12)
                .ok_or_else(|| " (out of range)".to_string()),
            _ => digits(body).ok_or_else(unmatched),
        };
    }
    // Day-time: the day before a space, the clock fields separated by colons.
    let (day, clock) = if fields.start == F::Day {
        match fields.end {
            F::Day => (body, ""),
            _ => body.split_once(' ').ok_or_else(unmatched)?,
        }
    } else {
        ("", body)
    };
    let mut micros: i64 = 0;
    let add = |micros: i64, n: i64, unit: i64| {
        n.checked_mul(unit)
            .and_then(|v| micros.checked_add(v))
            .ok_or_else(|| " (out of range)".to_string())
    };
    if fields.start == F::Day {
        micros = add(micros, digits(day).ok_or_else(unmatched)?, F::Day.micros())?;
        if fields.end == F::Day {
            return Ok(micros);
        }
    }
    let first = if fields.start == F::Day {
        F::Hour
    } else {
        fields.start
    };
    let names = [F::Hour, F::Minute, F::Second];
    let wanted: Vec<F> = names
        .into_iter()
        .filter(|f| *f >= first && *f <= fields.end)
        .collect();
    let pieces: Vec<&str> = clock.split(':').collect();
    if pieces.len() != wanted.len() {
        return Err(unmatched());
    }
    for (k, (piece, f)) in pieces.iter().zip(&wanted).enumerate() {
        // The type's leading field is unbounded; the others have one or two digits in range.
        let leading = k == 0 && fields.start != F::Day;
        let (whole, fraction) = match (*f, piece.split_once('.')) {
            (F::Second, Some((w, frac))) => (w, Some(frac)),
            _ => (*piece, None),
        };
        if !leading && whole.len() > 2 {
            return Err(unmatched());
        }
        let n = digits(whole).ok_or_else(unmatched)?;
        let limit = if *f == F::Hour { 23 } else { 59 };
        if !leading && n > limit {
            return Err(format!(" ({} {n} outside 0 to {limit})", f.name()));
        }
        micros = add(micros, n, f.micros())?;
        if let Some(fraction) = fraction {
            if fraction.is_empty()
                || fraction.len() > 9
                || !fraction.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(unmatched());
            }
            let six = &fraction[..fraction.len().min(6)];
            let value: i64 = format!("{six:0<6}").parse().map_err(|_| unmatched())?;
            micros = add(micros, value, 1)?;
        }
    }
    Ok(micros)
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntervalField as F;

    fn read(text: &str, start: F, end: F) -> Option<i64> {
        parse_text(text, IntervalFields::new(start, end)).ok()
    }

    #[test]
    fn reads_spark_forms() {
        // Spark 4.3's CAST(text AS INTERVAL ...) of each.
        let day = 86_400_000_000;
        let hour = 3_600_000_000;
        assert_eq!(read("1 12:00:00", F::Day, F::Second), Some(day + 12 * hour));
        assert_eq!(
            read(" -1 12:00:00.5 ", F::Day, F::Second),
            Some(-(day + 12 * hour + 500_000))
        );
        assert_eq!(
            read("interval '1 12:00:00' day to second", F::Day, F::Second),
            Some(day + 12 * hour)
        );
        assert_eq!(
            read("INTERVAL -'1 12:00:00' DAY TO SECOND", F::Day, F::Second),
            Some(-(day + 12 * hour))
        );
        assert_eq!(read("INTERVAL '1 12' DAY TO HOUR", F::Day, F::Second), None);
        assert_eq!(read("1 12:00", F::Day, F::Second), None);
        assert_eq!(read("1 25:00:00", F::Day, F::Second), None);
        assert_eq!(read("3 days", F::Day, F::Day), None);
        assert_eq!(read("100", F::Hour, F::Hour), Some(100 * hour));
        assert_eq!(
            read("10:20:30.123456789", F::Hour, F::Second),
            Some(37_230_123_456)
        );
        assert_eq!(read("1.5", F::Second, F::Second), Some(1_500_000));
        assert_eq!(read("10:70", F::Hour, F::Minute), None);
        assert_eq!(read("-1-2", F::Year, F::Month), Some(-14));
        assert_eq!(read("1-13", F::Year, F::Month), None);
        assert_eq!(read("3", F::Year, F::Year), Some(36));
        assert_eq!(read("14", F::Month, F::Month), Some(14));
        assert_eq!(read("", F::Day, F::Day), None);
    }
}
