//! Spark 4's `TIME` functions over Arrow columns (`Time64(Microsecond)`: microseconds
//! since midnight). Spark raises where a time would leave the day (`make_time(25, 0, 0)`,
//! `time_from_seconds(86400)`, `TIME '23:00' + INTERVAL 2 HOURS`) and where `to_time`
//! cannot read its text, even in non-ANSI mode, so these are errors here too; only
//! `try_to_time` answers NULL.

use std::sync::Arc;

use arrow_array::types::Time64MicrosecondType;
use arrow_array::{
    Array, ArrayRef, Decimal128Array, Int32Array, Int64Array, Time64MicrosecondArray,
};

use super::columns::{as_strings, doubles, ints, longs};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::functions::DateTimeFunction;
use crate::temporal::pattern::PatternCache;
use crate::temporal::time_of_day::{
    format_time_spark, is_time_of_day, parse_time_spark, MICROS_PER_DAY,
};

/// The pattern `to_time` reads without one (how Spark names it in its error).
const DEFAULT_PATTERN: &str = "HH:mm:ss.SSSSSS";

pub fn times(array: &ArrayRef) -> Result<&Time64MicrosecondArray> {
    array
        .as_any()
        .downcast_ref::<Time64MicrosecondArray>()
        .ok_or_else(|| {
            Error::new(
                ErrorCode::Internal,
                format!("expected times, got {}", array.data_type()),
            )
        })
}

fn out_of_day(micros: i64) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!(
            "invalid TIME value: must be between 00:00:00 and 23:59:59.999999, but got \
             {micros} microseconds"
        ),
    )
}

/// A time of `micros`, or Spark's error if it is not within the day.
fn in_day(micros: Option<i64>) -> Result<i64> {
    match micros {
        Some(m) if is_time_of_day(m) => Ok(m),
        Some(m) => Err(out_of_day(m)),
        None => Err(Error::new(
            ErrorCode::SqlExecution,
            "TIME value out of range: the arithmetic overflows",
        )),
    }
}

/// Microseconds in one of `time_trunc`'s and `time_diff`'s units (Spark's names).
fn unit_micros(function: &str, unit: &str) -> Result<i64> {
    Ok(match unit.to_ascii_uppercase().as_str() {
        "HOUR" => 3_600_000_000,
        "MINUTE" => 60_000_000,
        "SECOND" => 1_000_000,
        "MILLISECOND" => 1_000,
        "MICROSECOND" => 1,
        _ => {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                format!(
                    "the unit of `{function}` must be one of 'HOUR', 'MINUTE', 'SECOND', \
                     'MILLISECOND', 'MICROSECOND', got '{unit}'"
                ),
            ))
        }
    })
}

/// Each row of `values` through `f` (NULL stays NULL), into a time column.
fn map_times<T>(
    values: impl Iterator<Item = Option<T>>,
    mut f: impl FnMut(T) -> Result<i64>,
) -> Result<ArrayRef> {
    let out = values
        .map(|v| v.map(&mut f).transpose())
        .collect::<Result<Time64MicrosecondArray>>()?;
    Ok(Arc::new(out))
}

/// The hour, minute or second (`func`: `Hour`, `Minute`, else the second) of a time of
/// day `seconds` seconds after midnight: a timestamp's, or a TIME's.
pub(super) fn clock_field(func: DateTimeFunction, seconds: i64) -> i32 {
    (match func {
        DateTimeFunction::Hour => seconds / 3600,
        DateTimeFunction::Minute => seconds / 60 % 60,
        _ => seconds % 60,
    }) as i32
}

pub fn compute(func: DateTimeFunction, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    use DateTimeFunction::*;
    Ok(match func {
        Hour | Minute | Second => Arc::new(
            times(&args[0])?
                .iter()
                .map(|t| Some(clock_field(func, t? / 1_000_000)))
                .collect::<Int32Array>(),
        ),
        SecondWithFraction => Arc::new(
            times(&args[0])?
                .iter()
                .map(|t| t.map(|t| (t % 60_000_000) as i128))
                .collect::<Decimal128Array>()
                .with_precision_and_scale(8, 6)
                .map_err(kernel_error)?,
        ),
        MakeTime => {
            let (h, m, s) = (ints(&args[0])?, ints(&args[1])?, doubles(&args[2])?);
            let out = (0..len)
                .map(|i| {
                    if h.is_null(i) || m.is_null(i) || s.is_null(i) {
                        return Ok(None);
                    }
                    make_time(h.value(i), m.value(i), s.value(i)).map(Some)
                })
                .collect::<Result<Time64MicrosecondArray>>()?;
            Arc::new(out)
        }
        ToTime | TryToTime => to_time(args, len, func == TryToTime)?,
        TimeTrunc => {
            let (units, values) = (as_strings(&args[0])?, times(&args[1])?);
            let out = (0..len)
                .map(|i| {
                    if units.is_null(i) || values.is_null(i) {
                        return Ok(None);
                    }
                    let unit = unit_micros("time_trunc", units.value(i))?;
                    Ok(Some(values.value(i) / unit * unit))
                })
                .collect::<Result<Time64MicrosecondArray>>()?;
            Arc::new(out)
        }
        TimeDiff => {
            let units = as_strings(&args[0])?;
            let (start, end) = (times(&args[1])?, times(&args[2])?);
            let out = (0..len)
                .map(|i| {
                    if units.is_null(i) || start.is_null(i) || end.is_null(i) {
                        return Ok(None);
                    }
                    let unit = unit_micros("time_diff", units.value(i))?;
                    Ok(Some((end.value(i) - start.value(i)) / unit))
                })
                .collect::<Result<Int64Array>>()?;
            Arc::new(out)
        }
        TimeToMicros | TimeToMillis => {
            let unit = if func == TimeToMicros { 1 } else { 1_000 };
            Arc::new(
                times(&args[0])?
                    .iter()
                    .map(|t| t.map(|t| t / unit))
                    .collect::<Int64Array>(),
            )
        }
        TimeToSeconds => Arc::new(
            times(&args[0])?
                .iter()
                .map(|t| t.map(i128::from))
                .collect::<Decimal128Array>()
                .with_precision_and_scale(14, 6)
                .map_err(kernel_error)?,
        ),
        TimeFromMicros | TimeFromMillis => {
            let unit = if func == TimeFromMicros { 1 } else { 1_000 };
            map_times(longs(&args[0])?.iter(), |v| in_day(v.checked_mul(unit)))?
        }
        TimeFromSeconds => map_times(doubles(&args[0])?.iter(), |seconds| {
            let micros = (seconds * 1e6).round();
            if !micros.is_finite() || !(0.0..MICROS_PER_DAY as f64).contains(&micros) {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    format!(
                        "invalid TIME value: must be between 00:00:00 and 23:59:59.999999, \
                         but got {seconds} seconds"
                    ),
                ));
            }
            Ok(micros as i64)
        })?,
        TimeAddInterval => {
            let (values, delta) = (times(&args[0])?, longs(&args[1])?);
            let out = (0..len)
                .map(|i| {
                    if values.is_null(i) || delta.is_null(i) {
                        return Ok(None);
                    }
                    let (t, d) = (values.value(i), delta.value(i));
                    match t.checked_add(d) {
                        Some(sum) if is_time_of_day(sum) => Ok(Some(sum)),
                        _ => Err(Error::new(
                            ErrorCode::SqlExecution,
                            format!(
                                "datetime operation overflow: {} plus {d} microseconds is \
                                 not a time of day",
                                format_time_spark(t)
                            ),
                        )),
                    }
                })
                .collect::<Result<Time64MicrosecondArray>>()?;
            Arc::new(out)
        }
        TimeToPrecision => {
            let (values, precision) = (times(&args[0])?, ints(&args[1])?);
            let out = (0..len)
                .map(|i| {
                    if values.is_null(i) || precision.is_null(i) {
                        return None;
                    }
                    let unit = 10i64.pow(6 - precision.value(i).clamp(0, 6) as u32);
                    Some(values.value(i) / unit * unit)
                })
                .collect::<Time64MicrosecondArray>();
            Arc::new(out)
        }
        other => {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("{} is not a time function", other.name()),
            ))
        }
    })
}

/// `make_time`'s value: hours 0-23, minutes 0-59, seconds in [0, 60) with their
/// fraction rounded to microseconds; anything else is Spark's out-of-bounds error.
fn make_time(hour: i32, minute: i32, second: f64) -> Result<i64> {
    let field = |name: &str, range: &str, value: String| {
        Error::new(
            ErrorCode::SqlExecution,
            format!("invalid value for {name} (valid values {range}): {value}"),
        )
    };
    if !(0..24).contains(&hour) {
        return Err(field("HourOfDay", "0 - 23", hour.to_string()));
    }
    if !(0..60).contains(&minute) {
        return Err(field("MinuteOfHour", "0 - 59", minute.to_string()));
    }
    let micros = (second * 1e6).round();
    if !(0.0..60e6).contains(&micros) {
        return Err(field("SecondOfMinute", "0 - 59", second.to_string()));
    }
    Ok((i64::from(hour) * 60 + i64::from(minute)) * 60_000_000 + micros as i64)
}

/// `to_time` / `try_to_time`: text read as `CAST(s AS TIME)` does, or in a Spark datetime
/// pattern (its time fields; a date in it is read and dropped).
fn to_time(args: &[ArrayRef], len: usize, lenient: bool) -> Result<ArrayRef> {
    let text = as_strings(&args[0])?;
    let format = args.get(1).map(as_strings).transpose()?;
    let mut cache = PatternCache::default();
    let out = (0..len)
        .map(|i| {
            if text.is_null(i) || format.is_some_and(|f| f.is_null(i)) {
                return Ok(None);
            }
            let value = text.value(i);
            let parsed = match format {
                None => parse_time_spark(value),
                Some(f) => cache
                    .get_for_parsing(f.value(i))?
                    .parse(value)
                    .map(|m| m.rem_euclid(MICROS_PER_DAY)),
            };
            match parsed {
                Some(t) => Ok(Some(t)),
                None if lenient => Ok(None),
                None => Err(Error::new(
                    ErrorCode::SqlExecution,
                    format!(
                        "the input string '{value}' cannot be parsed to a TIME value because \
                         it does not match the datetime format '{}' (try_to_time gives NULL)",
                        format.map_or(DEFAULT_PATTERN, |f| f.value(i))
                    ),
                )),
            }
        })
        .collect::<Result<Time64MicrosecondArray>>()?;
    Ok(Arc::new(out))
}

/// Whether `func` on these arguments is computed here: the `time` functions, and `hour`,
/// `minute`, `second` and `extract(SECOND ...)` of a time.
pub fn is_time_call(func: DateTimeFunction, args: &[ArrayRef]) -> bool {
    use DateTimeFunction::*;
    match func {
        Hour | Minute | Second | SecondWithFraction => args.first().is_some_and(|a| {
            a.as_any()
                .is::<arrow_array::PrimitiveArray<Time64MicrosecondType>>()
        }),
        MakeTime | ToTime | TryToTime | TimeTrunc | TimeDiff | TimeToMicros | TimeToMillis
        | TimeToSeconds | TimeFromMicros | TimeFromMillis | TimeFromSeconds | TimeAddInterval
        | TimeToPrecision => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_time_checks_fields() {
        assert_eq!(make_time(12, 34, 56.789).unwrap(), 45_296_789_000);
        assert!(make_time(24, 0, 0.0).is_err());
        assert!(make_time(12, 60, 0.0).is_err());
        assert!(make_time(12, 0, 60.0).is_err());
    }

    #[test]
    fn truncates_and_diffs() {
        let t: ArrayRef = Arc::new(Time64MicrosecondArray::from(vec![
            Some(45_296_789_123),
            None,
        ]));
        let unit: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["millisecond"; 2]));
        let out = compute(DateTimeFunction::TimeTrunc, &[unit.clone(), t.clone()], 2).unwrap();
        let out = times(&out).unwrap();
        assert_eq!(out.value(0), 45_296_789_000);
        assert!(out.is_null(1));
        let bad: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["DAY"; 2]));
        assert!(compute(DateTimeFunction::TimeTrunc, &[bad, t], 2).is_err());
    }
}
