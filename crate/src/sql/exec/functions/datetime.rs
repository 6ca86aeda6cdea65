//! Date and time functions over Arrow columns, with Spark's semantics in the session time
//! zone (UTC): weeks start on Monday (ISO weeks for `weekofyear`), `dayofweek` counts from
//! Sunday = 1, `add_months` clamps to the month's last day, `months_between` rounds to
//! 8 digits, and what does not exist or parse (`make_date(2023, 2, 30)`, an unknown
//! `next_day` name, a `trunc` unit it does not know) is NULL.

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Date32Array, Float64Array, Int32Array, Int64Array, TimestampMicrosecondArray,
};
use arrow_schema::DataType;

use super::columns::{
    as_strings, booleans, build_strings, dates, doubles, ints, longs, timestamps,
};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::spark_cast;
use crate::sql::plan::functions::DateTimeFunction;
use crate::sql::types::SESSION_TIME_ZONE;
use crate::temporal::pattern::PatternCache;
use crate::temporal::spark_text::{text_to_date, text_to_local_timestamp, text_to_timestamp};
use crate::temporal::units::{self, DatetimeUnit};
use crate::temporal::zone::Zone;
use crate::temporal::{checked_days_from_civil, civil_from_days, days_from_civil, days_in_month};

const MICROS_PER_DAY: i64 = 86_400_000_000;
const MICROS_PER_SECOND: i64 = 1_000_000;
const DEFAULT_PATTERN: &str = "yyyy-MM-dd HH:mm:ss";
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Monday = 0.
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

fn timestamp_array(values: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(
        values
            .into_iter()
            .collect::<TimestampMicrosecondArray>()
            .with_timezone(SESSION_TIME_ZONE),
    )
}

fn date_part(days: i64, func: DateTimeFunction) -> i32 {
    use DateTimeFunction::*;
    let (y, m, d) = civil_from_days(days);
    (match func {
        Year => y,
        Quarter => (m as i64 - 1) / 3 + 1,
        Month => m as i64,
        Day => d as i64,
        DayOfWeek => (days + 4).rem_euclid(7) + 1,
        Weekday => weekday(days),
        DayOfYear => days - days_from_civil(y, 1, 1) + 1,
        _ => {
            // ISO week: the week (Monday to Sunday) holding the year's first Thursday is 1.
            let thursday = days - weekday(days) + 3;
            let (ty, _, _) = civil_from_days(thursday);
            (thursday - days_from_civil(ty, 1, 1)) / 7 + 1
        }
    }) as i32
}

pub fn compute(
    func: DateTimeFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    if super::time::is_time_call(func, args) {
        return super::time::compute(func, args, len);
    }
    if super::time_window::handles(func) {
        return super::time_window::compute(func, args, return_type, len);
    }
    if super::interval_cast::handles(func) {
        return super::interval_cast::compute(func, args, len);
    }
    if super::interval::handles(func) {
        return super::interval::compute(func, args, len);
    }
    let result = compute_in_session_zone(func, args, len)?;
    // A `timestamp_ntz` result holds the same wall-clock microseconds, in no zone.
    match (return_type, result.data_type()) {
        (DataType::Timestamp(_, None), DataType::Timestamp(_, Some(_))) => Ok(Arc::new(
            timestamps(&result)?
                .clone()
                .with_timezone_opt(None::<String>),
        )),
        _ => Ok(result),
    }
}

fn compute_in_session_zone(
    func: DateTimeFunction,
    args: &[ArrayRef],
    len: usize,
) -> Result<ArrayRef> {
    use DateTimeFunction::*;
    Ok(match func {
        MakeTime
        | CurrentTime
        | ToTime
        | TryToTime
        | TimeTrunc
        | TimeDiff
        | TimeToMicros
        | TimeToMillis
        | TimeToSeconds
        | TimeFromMicros
        | TimeFromMillis
        | TimeFromSeconds
        | TimeAddInterval
        | TimeToPrecision
        | TimeWindow
        | TimeWindows
        | WindowTime
        | MakeDtInterval
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
        | IntervalFromText
        | IntervalFromInteger
        | IntervalToInteger
        | IntervalToDecimal => {
            // Computed by `time::compute` (`current_time` is planned as a literal),
            // `time_window::compute` and `interval::compute`.
            return Err(Error::new(
                ErrorCode::Internal,
                format!("{} reached the timestamp kernels", func.name()),
            ));
        }
        Year | Quarter | Month | Day | DayOfWeek | DayOfYear | Weekday | WeekOfYear => Arc::new(
            dates(&args[0])?
                .iter()
                .map(|d| d.map(|d| date_part(d as i64, func)))
                .collect::<Int32Array>(),
        ),
        SecondWithFraction => Arc::new(
            timestamps(&args[0])?
                .iter()
                .map(|t| t.map(|t| t.rem_euclid(60 * MICROS_PER_SECOND) as i128))
                .collect::<arrow_array::Decimal128Array>()
                .with_precision_and_scale(8, 6)
                .map_err(crate::sql::exec::value::kernel_error)?,
        ),
        DayName | MonthName => {
            let days = dates(&args[0])?;
            build_strings(len, |i, out| {
                if days.is_null(i) {
                    return Ok(false);
                }
                let d = days.value(i) as i64;
                out.push_str(if func == DayName {
                    DAY_NAMES[weekday(d) as usize]
                } else {
                    MONTH_NAMES[civil_from_days(d).1 as usize - 1]
                });
                Ok(true)
            })?
        }
        Hour | Minute | Second => Arc::new(
            timestamps(&args[0])?
                .iter()
                .map(|t| {
                    let seconds = t?.rem_euclid(MICROS_PER_DAY) / MICROS_PER_SECOND;
                    Some(super::time::clock_field(func, seconds))
                })
                .collect::<Int32Array>(),
        ),
        DateTrunc => {
            let (units, values) = (as_strings(&args[0])?, timestamps(&args[1])?);
            let out = (0..len)
                .map(|i| {
                    if units.is_null(i) || values.is_null(i) {
                        return Ok(None);
                    }
                    truncate_micros(&units.value(i).to_ascii_uppercase(), values.value(i))
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(out)
        }
        Trunc => {
            let (days, units) = (dates(&args[0])?, as_strings(&args[1])?);
            Arc::new(
                (0..len)
                    .map(|i| {
                        if days.is_null(i) || units.is_null(i) {
                            return None;
                        }
                        let unit = units.value(i).to_ascii_uppercase();
                        let (y, m, _) = civil_from_days(days.value(i) as i64);
                        let d = days.value(i) as i64;
                        Some(match unit.as_str() {
                            "YEAR" | "YYYY" | "YY" => days_from_civil(y, 1, 1),
                            "QUARTER" => days_from_civil(y, (m - 1) / 3 * 3 + 1, 1),
                            "MONTH" | "MM" | "MON" => days_from_civil(y, m, 1),
                            "WEEK" => d - weekday(d),
                            _ => return None,
                        } as i32)
                    })
                    .collect::<Date32Array>(),
            )
        }
        DateDiff => {
            let (end, start) = (dates(&args[0])?, dates(&args[1])?);
            Arc::new(
                end.iter()
                    .zip(start.iter())
                    .map(|(e, s)| Some(e?.wrapping_sub(s?)))
                    .collect::<Int32Array>(),
            )
        }
        DateAdd | DateSub => {
            let (days, n) = (dates(&args[0])?, ints(&args[1])?);
            let sign = if func == DateAdd { 1 } else { -1 };
            Arc::new(
                days.iter()
                    .zip(n.iter())
                    .map(|(d, n)| Some(d?.wrapping_add(sign * n?)))
                    .collect::<Date32Array>(),
            )
        }
        AddMonths => {
            let (days, n) = (dates(&args[0])?, ints(&args[1])?);
            let values = days
                .iter()
                .zip(n.iter())
                .map(|pair| match pair {
                    (Some(d), Some(n)) => add_months(d as i64, n).map(Some).ok_or_else(|| {
                        // Spark's `Math.toIntExact` of the new day: ARITHMETIC_OVERFLOW in any mode.
                        Error::new(
                            ErrorCode::SqlExecution,
                            "arithmetic overflow: a date plus months is out of the range of dates",
                        )
                    }),
                    _ => Ok(None),
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(Date32Array::from(values))
        }
        MonthsBetween => {
            let (a, b) = (timestamps(&args[0])?, timestamps(&args[1])?);
            let round = args.get(2).map(booleans).transpose()?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        if a.is_null(i) || b.is_null(i) || round.is_some_and(|r| r.is_null(i)) {
                            return None;
                        }
                        let round = round.is_none_or(|r| r.value(i));
                        Some(months_between(a.value(i), b.value(i), round))
                    })
                    .collect::<Float64Array>(),
            )
        }
        LastDay => Arc::new(
            dates(&args[0])?
                .iter()
                .map(|d| {
                    let (y, m, _) = civil_from_days(d? as i64);
                    Some(days_from_civil(y, m, days_in_month(y, m)) as i32)
                })
                .collect::<Date32Array>(),
        ),
        NextDay => {
            let (days, names) = (dates(&args[0])?, as_strings(&args[1])?);
            Arc::new(
                (0..len)
                    .map(|i| {
                        if days.is_null(i) || names.is_null(i) {
                            return None;
                        }
                        let target = day_of_week(names.value(i))?;
                        let d = days.value(i) as i64;
                        let ahead = (target - weekday(d) + 6).rem_euclid(7) + 1;
                        i32::try_from(d + ahead).ok()
                    })
                    .collect::<Date32Array>(),
            )
        }
        MakeDate => {
            let (y, m, d) = (ints(&args[0])?, ints(&args[1])?, ints(&args[2])?);
            Arc::new(
                (0..len)
                    .map(|i| {
                        if y.is_null(i) || m.is_null(i) || d.is_null(i) {
                            return None;
                        }
                        make_days(y.value(i), m.value(i), d.value(i)).map(|d| d as i32)
                    })
                    .collect::<Date32Array>(),
            )
        }
        MakeTimestamp | MakeTimestampNtz if args.len() <= 3 => make_timestamp_of_date(args, len)?,
        MakeTimestamp | MakeTimestampNtz => {
            let parts = (0..5).map(|k| ints(&args[k])).collect::<Result<Vec<_>>>()?;
            let seconds = doubles(&args[5])?;
            timestamp_array((0..len).map(|i| {
                if parts.iter().any(|p| p.is_null(i)) || seconds.is_null(i) {
                    return None;
                }
                let v = |k: usize| parts[k].value(i);
                make_timestamp(v(0), v(1), v(2), v(3), v(4), seconds.value(i))
            }))
        }
        ToDate => {
            if args[0].data_type() != &DataType::Utf8 {
                return spark_cast(&args[0], &DataType::Date32);
            }
            let text = as_strings(&args[0])?;
            let format = args.get(1).map(as_strings).transpose()?;
            let mut cache = PatternCache::default();
            let values = (0..len)
                .map(|i| {
                    if text.is_null(i) || format.is_some_and(|f| f.is_null(i)) {
                        return Ok(None);
                    }
                    let value = text.value(i).trim();
                    Ok(match format {
                        // Without a pattern, Spark's cast.
                        None => text_to_date(value),
                        Some(f) => cache
                            .get_for_parsing(f.value(i))?
                            .parse(value)
                            .and_then(|m| i32::try_from(m.div_euclid(MICROS_PER_DAY)).ok()),
                    })
                })
                .collect::<Result<Date32Array>>()?;
            Arc::new(values)
        }
        ToTimestamp | ToTimestampNtz => {
            if args[0].data_type() != &DataType::Utf8 {
                return spark_cast(&args[0], &crate::sql::types::timestamp_type());
            }
            let today = crate::clock::today_days();
            // Without a pattern, Spark's cast (to `timestamp_ntz`, any zone dropped).
            let default_timestamp = |text: &str| match func {
                ToTimestampNtz => text_to_local_timestamp(text),
                _ => text_to_timestamp(text, today),
            };
            let text = as_strings(&args[0])?;
            let format = args.get(1).map(as_strings).transpose()?;
            let mut cache = PatternCache::default();
            let values = (0..len)
                .map(|i| {
                    if text.is_null(i) || format.is_some_and(|f| f.is_null(i)) {
                        return Ok(None);
                    }
                    Ok(match format {
                        None => default_timestamp(text.value(i)),
                        Some(f) => cache.get_for_parsing(f.value(i))?.parse(text.value(i)),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(values)
        }
        UnixTimestamp => {
            if args.is_empty() {
                let now = (crate::clock::now_millis() / 1000.0).floor() as i64;
                return Ok(Arc::new(Int64Array::from_value(now, len)));
            }
            if args[0].data_type() != &DataType::Utf8 {
                return Ok(Arc::new(
                    timestamps(&args[0])?
                        .iter()
                        .map(|t| t.map(|t| t.div_euclid(MICROS_PER_SECOND)))
                        .collect::<Int64Array>(),
                ));
            }
            let text = as_strings(&args[0])?;
            let format = args.get(1).map(as_strings).transpose()?;
            let mut cache = PatternCache::default();
            let values = (0..len)
                .map(|i| {
                    if text.is_null(i) || format.is_some_and(|f| f.is_null(i)) {
                        return Ok(None);
                    }
                    let pattern = format.map_or(DEFAULT_PATTERN, |f| f.value(i));
                    Ok(cache
                        .get_for_parsing(pattern)?
                        .parse(text.value(i))
                        .map(|m| m.div_euclid(MICROS_PER_SECOND)))
                })
                .collect::<Result<Int64Array>>()?;
            Arc::new(values)
        }
        FromUnixtime => {
            let seconds = longs(&args[0])?;
            let format = args.get(1).map(as_strings).transpose()?;
            let mut cache = PatternCache::default();
            build_strings(len, |i, out| {
                if seconds.is_null(i) || format.is_some_and(|f| f.is_null(i)) {
                    return Ok(false);
                }
                let Some(micros) = seconds.value(i).checked_mul(MICROS_PER_SECOND) else {
                    return Ok(false);
                };
                let pattern = format.map_or(DEFAULT_PATTERN, |f| f.value(i));
                cache.get(pattern)?.format(micros, out);
                Ok(true)
            })?
        }
        FromUtcTimestamp | ToUtcTimestamp => {
            let (values, zones) = (timestamps(&args[0])?, as_strings(&args[1])?);
            let mut zone: Option<(String, Zone)> = None;
            let out = (0..len)
                .map(|i| {
                    if values.is_null(i) || zones.is_null(i) {
                        return Ok(None);
                    }
                    let name = zones.value(i);
                    if zone.as_ref().is_none_or(|(n, _)| n != name) {
                        zone = Some((name.to_string(), zone_named(name)?));
                    }
                    let z = &zone.as_ref().expect("just set").1;
                    let micros = values.value(i);
                    Ok(if func == FromUtcTimestamp {
                        micros.checked_add(z.offset_at_utc(micros) * MICROS_PER_SECOND)
                    } else {
                        micros.checked_sub(z.offset_at_local(micros) * MICROS_PER_SECOND)
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(out)
        }
        ConvertTimezone => {
            let n = args.len();
            let values = timestamps(&args[n - 1])?;
            let to = as_strings(&args[n - 2])?;
            let from = if n == 3 {
                Some(as_strings(&args[0])?)
            } else {
                None
            };
            let mut zones: Option<(String, String, Zone, Zone)> = None;
            let out = (0..len)
                .map(|i| {
                    if values.is_null(i) || to.is_null(i) || from.is_some_and(|f| f.is_null(i)) {
                        return Ok(None);
                    }
                    let (f, t) = (from.map_or(SESSION_TIME_ZONE, |f| f.value(i)), to.value(i));
                    if zones
                        .as_ref()
                        .is_none_or(|(pf, pt, _, _)| pf != f || pt != t)
                    {
                        zones =
                            Some((f.to_string(), t.to_string(), zone_named(f)?, zone_named(t)?));
                    }
                    let (_, _, source, target) = zones.as_ref().expect("just set");
                    let wall = values.value(i);
                    let Some(instant) =
                        wall.checked_sub(source.offset_at_local(wall) * MICROS_PER_SECOND)
                    else {
                        return Ok(None);
                    };
                    Ok(instant.checked_add(target.offset_at_utc(instant) * MICROS_PER_SECOND))
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(out)
        }
        // A time in a pattern of its own fields (Spark refuses a date or zone field).
        DateFormat if matches!(args[0].data_type(), DataType::Time64(_)) => {
            let (values, format) = (super::time::times(&args[0])?, as_strings(&args[1])?);
            let mut cache = PatternCache::default();
            build_strings(len, |i, out| {
                if values.is_null(i) || format.is_null(i) {
                    return Ok(false);
                }
                let pattern = cache.get(format.value(i))?;
                if !pattern.is_time_of_day() {
                    return Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!(
                            "the datetime pattern `{}` cannot format a TIME: it may hold only \
                             hours, minutes, seconds, their fraction and AM/PM (H, h, K, k, \
                             m, s, S, a), not dates or zones",
                            format.value(i)
                        ),
                    ));
                }
                pattern.format(values.value(i), out);
                Ok(true)
            })?
        }
        DateFormat => {
            let (values, format) = (timestamps(&args[0])?, as_strings(&args[1])?);
            let mut cache = PatternCache::default();
            build_strings(len, |i, out| {
                if values.is_null(i) || format.is_null(i) {
                    return Ok(false);
                }
                cache.get(format.value(i))?.format(values.value(i), out);
                Ok(true)
            })?
        }
        CurrentDate => Arc::new(Date32Array::from_value(crate::clock::today_days(), len)),
        CurrentTimestamp | LocalTimestamp => {
            let now = crate::clock::now_micros();
            timestamp_array(std::iter::repeat_n(Some(now), len))
        }
        UnixSeconds | UnixMillis | UnixMicros => {
            let unit = match func {
                UnixSeconds => MICROS_PER_SECOND,
                UnixMillis => 1000,
                _ => 1,
            };
            Arc::new(
                timestamps(&args[0])?
                    .iter()
                    .map(|t| t.map(|t| t.div_euclid(unit)))
                    .collect::<Int64Array>(),
            )
        }
        UnixDate => Arc::new(dates(&args[0])?.iter().collect::<Int32Array>()),
        DateFromUnixDate => Arc::new(ints(&args[0])?.iter().collect::<Date32Array>()),
        TimestampSeconds => timestamp_array(doubles(&args[0])?.iter().map(|s| {
            let micros = s? * MICROS_PER_SECOND as f64;
            (micros.is_finite() && micros.abs() < 9.2e18).then_some(micros as i64)
        })),
        TimestampAddInterval => {
            let (ts, months, micros) = (timestamps(&args[0])?, ints(&args[1])?, longs(&args[2])?);
            let values = (0..len)
                .map(|i| {
                    if ts.is_null(i) || months.is_null(i) || micros.is_null(i) {
                        return Ok(None);
                    }
                    let t = ts.value(i);
                    let (day, time) = (t.div_euclid(MICROS_PER_DAY), t.rem_euclid(MICROS_PER_DAY));
                    add_months(day, months.value(i))
                        .and_then(|d| (d as i64).checked_mul(MICROS_PER_DAY))
                        .and_then(|t| t.checked_add(time))
                        .and_then(|t| t.checked_add(micros.value(i)))
                        .map(Some)
                        .ok_or_else(|| {
                            Error::new(
                                ErrorCode::SqlExecution,
                                "a timestamp plus an interval is out of the range of timestamps",
                            )
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(values)
        }
        TimestampAddUnit => {
            let (units, quantities, stamps) = (
                as_strings(&args[0])?,
                longs(&args[1])?,
                timestamps(&args[2])?,
            );
            let values = (0..len)
                .map(|i| {
                    if units.is_null(i) || quantities.is_null(i) || stamps.is_null(i) {
                        return Ok(None);
                    }
                    let (unit, quantity) = (datetime_unit(units.value(i))?, quantities.value(i));
                    units::add(unit, quantity, stamps.value(i))
                        .map(Some)
                        .ok_or_else(|| {
                            Error::new(
                                ErrorCode::SqlExecution,
                                format!(
                                    "timestampadd: adding {quantity} {} to {} is out of the \
                                     range of timestamps (Spark's DATETIME_OVERFLOW)",
                                    unit.name(),
                                    crate::temporal::format_timestamp_spark(stamps.value(i))
                                ),
                            )
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(values)
        }
        TimestampDiffUnit => {
            let (units, starts, ends) = (
                as_strings(&args[0])?,
                timestamps(&args[1])?,
                timestamps(&args[2])?,
            );
            let values = (0..len)
                .map(|i| {
                    if units.is_null(i) || starts.is_null(i) || ends.is_null(i) {
                        return Ok(None);
                    }
                    let unit = datetime_unit(units.value(i))?;
                    units::between(unit, starts.value(i), ends.value(i))
                        .map(Some)
                        .ok_or_else(|| unit_error(units.value(i)))
                })
                .collect::<Result<Int64Array>>()?;
            Arc::new(values)
        }
        TimestampMillis | TimestampMicros => {
            let unit = if func == TimestampMillis { 1000 } else { 1 };
            // An overflow is an error in Spark, ANSI mode or not.
            let values = longs(&args[0])?
                .iter()
                .map(|v| match v {
                    None => Ok(None),
                    Some(v) => v.checked_mul(unit).map(Some).ok_or_else(|| {
                        Error::new(
                            ErrorCode::SqlExecution,
                            format!("{}: {v} is out of the range of timestamps", func.name()),
                        )
                    }),
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(values)
        }
    })
}

/// The unit `plan::datetime_units` wrote as text (it checked the keyword).
fn datetime_unit(name: &str) -> Result<DatetimeUnit> {
    DatetimeUnit::from_name(name).ok_or_else(|| unit_error(name))
}

fn unit_error(name: &str) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("`{name}` reached the timestamp kernels as a unit"),
    )
}

/// `make_timestamp(date[, time[, zone]])`: the date's midnight plus the time (midnight
/// without one), a wall-clock time in `zone` (the session's, UTC, without one) turned
/// into an instant as Java's `ZonedDateTime.of` does; NULL where any argument is. A zone
/// that is not one is an error, as in Spark (`try_make_timestamp` too). For
/// `make_timestamp_ntz(date, time)` the same wall-clock microseconds, in no zone.
fn make_timestamp_of_date(args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let days = dates(&args[0])?;
    let times = args.get(1).map(super::time::times).transpose()?;
    let zones = args.get(2).map(as_strings).transpose()?;
    let mut zone: Option<(String, Zone)> = None;
    let values = (0..len)
        .map(|i| {
            if days.is_null(i)
                || times.is_some_and(|t| t.is_null(i))
                || zones.is_some_and(|z| z.is_null(i))
            {
                return Ok(None);
            }
            let local = i64::from(days.value(i)) * MICROS_PER_DAY + times.map_or(0, |t| t.value(i));
            let Some(name) = zones.map(|z| z.value(i)) else {
                return Ok(Some(local));
            };
            if zone.as_ref().is_none_or(|(n, _)| n != name) {
                zone = Some((name.to_string(), zone_named(name)?));
            }
            let offset = zone.as_ref().map_or(0, |(_, z)| z.offset_at_local(local));
            Ok(Some(local - offset * 1_000_000))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(timestamp_array(values))
}

/// The zone a SQL argument names, or an error saying what a zone looks like.
fn zone_named(name: &str) -> Result<Zone> {
    Zone::parse(name).ok_or_else(|| {
        Error::new(
            ErrorCode::SqlExecution,
            format!(
                "`{name}` is not a time zone (use a region such as 'Europe/Paris' or an offset \
                 such as '+02:00')"
            ),
        )
    })
}

fn make_days(year: i32, month: i32, day: i32) -> Option<i64> {
    let y = year as i64;
    if !(1..=9999).contains(&y) {
        return None;
    }
    checked_days_from_civil(y, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Spark's `make_timestamp`: seconds may have a fraction; 60 (with no fraction) is the
/// next minute; anything out of range is NULL.
fn make_timestamp(y: i32, mo: i32, d: i32, h: i32, mi: i32, sec: f64) -> Option<i64> {
    let days = make_days(y, mo, d)?;
    if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..=60.0).contains(&sec) {
        return None;
    }
    let sec_micros = (sec * 1e6).round() as i64;
    if sec_micros > 60 * MICROS_PER_SECOND
        || (sec_micros >= 60 * MICROS_PER_SECOND && sec_micros % MICROS_PER_SECOND != 0)
    {
        return None;
    }
    Some(
        days * MICROS_PER_DAY + (h as i64 * 3600 + mi as i64 * 60) * MICROS_PER_SECOND + sec_micros,
    )
}

/// `temporal::add_months` for a date column's day numbers.
pub(super) fn add_months(days: i64, months: i32) -> Option<i32> {
    crate::temporal::add_months(days, i64::from(months)).and_then(|d| i32::try_from(d).ok())
}

/// Spark's `months_between` (Hive's): whole months when the days of month match or both
/// are month ends, else the difference in days (and seconds) over 31-day months.
fn months_between(a: i64, b: i64, round: bool) -> f64 {
    let split = |micros: i64| {
        let days = micros.div_euclid(MICROS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let seconds = micros.rem_euclid(MICROS_PER_DAY) / MICROS_PER_SECOND;
        (
            y * 12 + m as i64,
            d as i64,
            d == days_in_month(y, m),
            seconds,
        )
    };
    let (months1, day1, end1, seconds1) = split(a);
    let (months2, day2, end2, seconds2) = split(b);
    let month_diff = (months1 - months2) as f64;
    if day1 == day2 || (end1 && end2) {
        return month_diff;
    }
    let seconds_diff = (day1 - day2) * 86_400 + seconds1 - seconds2;
    let diff = month_diff + seconds_diff as f64 / (31.0 * 86_400.0);
    if round {
        (diff * 1e8 + 0.5).floor() / 1e8
    } else {
        diff
    }
}

/// Monday = 0, from Spark's accepted spellings (`MO`, `MON`, `MONDAY`, any case).
fn day_of_week(name: &str) -> Option<i64> {
    let upper = name.trim().to_ascii_uppercase();
    const DAYS: [(&str, &str, &str); 7] = [
        ("MO", "MON", "MONDAY"),
        ("TU", "TUE", "TUESDAY"),
        ("WE", "WED", "WEDNESDAY"),
        ("TH", "THU", "THURSDAY"),
        ("FR", "FRI", "FRIDAY"),
        ("SA", "SAT", "SATURDAY"),
        ("SU", "SUN", "SUNDAY"),
    ];
    DAYS.iter()
        .position(|(a, b, c)| upper == *a || upper == *b || upper == *c)
        .map(|p| p as i64)
}

/// Spark's `date_trunc` units. An unknown unit is NULL in Spark; here it is an error
/// naming the units, which is more useful than a column of NULLs.
pub fn truncate_micros(unit: &str, micros: i64) -> Result<Option<i64>> {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let (y, m, _) = civil_from_days(days);
    let at_day = |d: i64| Some(d * MICROS_PER_DAY);
    Ok(match unit {
        "YEAR" | "YYYY" | "YY" => at_day(days_from_civil(y, 1, 1)),
        "QUARTER" => at_day(days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)),
        "MONTH" | "MM" | "MON" => at_day(days_from_civil(y, m, 1)),
        "WEEK" => at_day(days - weekday(days)),
        "DAY" | "DD" => at_day(days),
        "HOUR" => Some(micros - micros.rem_euclid(3_600_000_000)),
        "MINUTE" => Some(micros - micros.rem_euclid(60_000_000)),
        "SECOND" => Some(micros - micros.rem_euclid(1_000_000)),
        "MILLISECOND" => Some(micros - micros.rem_euclid(1_000)),
        "MICROSECOND" => Some(micros),
        other => {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                format!("date_trunc: unknown unit `{other}` (use YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND or MICROSECOND)"),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_dates_like_spark() {
        let t = crate::io::csv::parse_timestamp_literal("2024-05-15 13:45:30.5").unwrap();
        let show = |u: &str| {
            crate::temporal::format_timestamp_micros(truncate_micros(u, t).unwrap().unwrap())
        };
        assert_eq!(show("YEAR"), "2024-01-01 00:00:00");
        assert_eq!(show("QUARTER"), "2024-04-01 00:00:00");
        assert_eq!(show("MONTH"), "2024-05-01 00:00:00");
        assert_eq!(show("WEEK"), "2024-05-13 00:00:00");
        assert_eq!(show("HOUR"), "2024-05-15 13:00:00");
        assert!(truncate_micros("FORTNIGHT", t).is_err());
    }

    #[test]
    fn calendar_fields() {
        let d = crate::io::csv::parse_date_literal("2024-12-30").unwrap() as i64;
        assert_eq!(date_part(d, DateTimeFunction::WeekOfYear), 1);
        assert_eq!(date_part(d, DateTimeFunction::DayOfWeek), 2);
        assert_eq!(date_part(d, DateTimeFunction::Weekday), 0);
        let jan31 = crate::io::csv::parse_date_literal("2024-01-31").unwrap() as i64;
        assert_eq!(
            add_months(jan31, 1),
            crate::io::csv::parse_date_literal("2024-02-29")
        );
    }
}
