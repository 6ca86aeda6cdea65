//! Date and time functions: names and Spark's argument and result types. Timestamps are
//! in the session time zone (UTC); patterns are Spark's datetime patterns.

use arrow_schema::DataType;

use super::signature::{lookup, name_of, Args, Signature};
use crate::error::Result;
use crate::frame::interval_type::{day_time_type, year_month_type};
use crate::sql::types::{is_temporal, time_type, timestamp_ntz_type, timestamp_type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeFunction {
    Year,
    Quarter,
    Month,
    Day,
    DayOfWeek,
    DayOfYear,
    Weekday,
    WeekOfYear,
    Hour,
    Minute,
    Second,
    /// `extract(SECOND FROM x)`: the seconds with their fraction, a `decimal(8,6)`.
    SecondWithFraction,
    DayName,
    MonthName,
    DateTrunc,
    Trunc,
    DateDiff,
    DateAdd,
    DateSub,
    AddMonths,
    MonthsBetween,
    LastDay,
    NextDay,
    MakeDate,
    MakeTimestamp,
    ToDate,
    ToTimestamp,
    DateFormat,
    UnixTimestamp,
    FromUnixtime,
    CurrentDate,
    CurrentTimestamp,
    UnixSeconds,
    UnixMillis,
    UnixMicros,
    UnixDate,
    DateFromUnixDate,
    TimestampSeconds,
    TimestampMillis,
    TimestampMicros,
    FromUtcTimestamp,
    ToUtcTimestamp,
    /// `convert_timezone([from,] to, ts)`: a wall-clock time moved between zones.
    ConvertTimezone,
    ToTimestampNtz,
    MakeTimestampNtz,
    LocalTimestamp,
    /// `ts + INTERVAL ...`: a timestamp plus months (the day clamped to the month's end, as
    /// `add_months`), then microseconds; planned from interval arithmetic only.
    TimestampAddInterval,
    /// `timestampadd(unit, n, ts)` (also `dateadd` / `date_add` with a unit first): args
    /// the unit's keyword as text, the quantity and the timestamp, whose type the result
    /// keeps (a date becomes a `timestamp`); planned by `plan::datetime_units` only.
    TimestampAddUnit,
    /// `timestampdiff(unit, start, end)` (also `datediff` / `date_diff` with a unit first):
    /// the whole units between, a `bigint`; planned by `plan::datetime_units` only.
    TimestampDiffUnit,
    /// `make_time(hour, minute, second)`: a time; a field out of range is an error, as in
    /// Spark (not NULL).
    MakeTime,
    /// `current_time([precision])`: read once per query, as `current_timestamp`.
    CurrentTime,
    /// `to_time(s[, pattern])`: text that does not parse is an error, as in Spark.
    ToTime,
    /// `try_to_time(s[, pattern])`: text that does not parse is NULL.
    TryToTime,
    /// `time_trunc(unit, t)`: HOUR to MICROSECOND.
    TimeTrunc,
    /// `time_diff(unit, start, end)`: whole units from `start` to `end`.
    TimeDiff,
    TimeToMicros,
    TimeToMillis,
    /// `time_to_seconds(t)`: a `decimal(14,6)`.
    TimeToSeconds,
    TimeFromMicros,
    TimeFromMillis,
    TimeFromSeconds,
    /// `t + INTERVAL ...` (day-time intervals only): past midnight either way is an error,
    /// as Spark's `DATETIME_OVERFLOW`; planned from interval arithmetic only.
    TimeAddInterval,
    /// `CAST(x AS TIME(p))` with `p` < 6: the time's fraction cut to `p` digits (the
    /// precision a constant); planned from casts only.
    TimeToPrecision,
    /// `window(ts, ...)` of a tumbling window: the window `ts` falls in (args: the time,
    /// then the length, slide and start in microseconds); planned by `plan::time_window`.
    TimeWindow,
    /// `window(ts, ...)` of a sliding window: every window `ts` may fall in, a list the
    /// planner explodes (`plan::time_window`).
    TimeWindows,
    /// `window_time(window)`: the window's end minus one microsecond (Spark's event time
    /// of a window).
    WindowTime,
    /// `make_dt_interval([days[, hours[, mins[, secs]]]])`: a day-time interval
    /// (`interval day to second`); out of range is an error, as in Spark.
    MakeDtInterval,
    /// `iv + iv` of day-time intervals: an error on overflow, as Spark's exact arithmetic
    /// (ANSI mode or not); planned from `+`.
    IntervalAdd,
    /// `iv - iv`, as [`IntervalAdd`]; planned from `-`.
    IntervalSubtract,
    /// `-iv`; planned from unary minus.
    IntervalNegate,
    /// `abs(iv)`.
    IntervalAbs,
    /// `iv * n` (and `n * iv`): rounded half up to the microsecond, an error on overflow;
    /// planned from `*`.
    IntervalMultiply,
    /// `iv / n`: rounded half up, dividing by zero an error (Spark's
    /// `INTERVAL_DIVIDED_BY_ZERO`, ANSI mode or not); planned from `/`.
    IntervalDivide,
    /// `ts - ts`: a day-time interval (`interval day to second`); planned from `-`.
    TimestampDiffInterval,
    /// `date - date`: whole days, an `interval day`; planned from `-`.
    DateDiffInterval,
    /// `time - time`: an `interval hour to second`; planned from `-`.
    TimeDiffInterval,
    /// `ts + iv` for a day-time interval column: an error out of the range of timestamps.
    TimestampAddDayTime,
    /// An interval's whole days, `extract(DAY FROM iv)` (and a date plus an `interval
    /// day`: `date_add(d, days)`, as Spark plans it).
    IntervalDays,
    /// `extract(HOUR FROM iv)`: the hours within the day, a `tinyint`.
    IntervalHours,
    /// `extract(MINUTE FROM iv)`: a `tinyint`.
    IntervalMinutes,
    /// `extract(SECOND FROM iv)`: the seconds within the minute with their fraction, a
    /// `decimal(8,6)`.
    IntervalSeconds,
    /// `CAST(iv AS STRING)`: Spark's text (the type's start and end fields are the second
    /// and third arguments, constants); planned from casts.
    IntervalToString,
    /// `CAST(iv AS INTERVAL ...)` to other fields: cut below the new end field, as Spark
    /// (the second argument a constant interval of one unit of the new end field, typed
    /// with the new fields); planned from casts.
    IntervalTruncate,
    /// An interval's microseconds (a year-month interval's months), a `bigint`: for `sum`
    /// and `avg`, which add them exactly as decimals, and a date or timestamp plus months.
    IntervalToMicros,
    /// Microseconds (months) as an interval of the second argument's type and fields (a
    /// constant interval); out of range an error, as Spark's overflowing sum.
    MicrosToInterval,
    /// `make_ym_interval([years[, months]])`: an `interval year to month`; out of range an
    /// error, as in Spark.
    MakeYmInterval,
    /// `extract(YEAR FROM iv)` of a year-month interval: whole years, an `int`.
    IntervalYears,
    /// `extract(MONTH FROM iv)`: the months within the year, a `tinyint`.
    IntervalMonthsPart,
    /// `CAST(text AS INTERVAL ...)`: Spark's forms for the type's fields (`'1 12:00:00'`,
    /// `'-1-2'`, `INTERVAL '3' DAY`); text that does not match is an error, as in Spark in
    /// either mode. Arguments: the text, a constant of the interval type, the start and end
    /// field codes; planned from casts.
    IntervalFromText,
    /// `CAST(n AS INTERVAL ...)` of an integer or a decimal: `n` units of the type's last
    /// field (a decimal's rounded half up to the microsecond or month, as Spark's
    /// `decimalToDayTimeInterval`; the same arguments after the number); planned from
    /// casts.
    IntervalFromInteger,
    /// `CAST(iv AS <integer>)`: the interval in units of its last field, truncated, an
    /// error when it does not fit the target's bits (Spark's `CAST_OVERFLOW`). Arguments:
    /// the interval, its start and end field codes, the target's bits; planned from casts.
    IntervalToInteger,
    /// `CAST(iv AS DECIMAL(p, s))`: the interval in units of its last field (seconds with
    /// their fraction; days, hours, minutes and years truncated), rounded half up to `s`
    /// digits, an error when it does not fit `p` (Spark's `NUMERIC_VALUE_OUT_OF_RANGE`, in
    /// either mode). Arguments: the interval, its start and end field codes, a constant of
    /// the target type; planned from casts.
    IntervalToDecimal,
}

use DateTimeFunction::*;

const NAMES: &[(&str, DateTimeFunction)] = &[
    ("year", Year),
    ("quarter", Quarter),
    ("month", Month),
    ("day", Day),
    ("dayofmonth", Day),
    ("dayofweek", DayOfWeek),
    ("dayofyear", DayOfYear),
    ("weekday", Weekday),
    ("weekofyear", WeekOfYear),
    ("hour", Hour),
    ("minute", Minute),
    ("second", Second),
    ("dayname", DayName),
    ("monthname", MonthName),
    ("date_trunc", DateTrunc),
    ("trunc", Trunc),
    ("datediff", DateDiff),
    ("date_diff", DateDiff),
    ("date_add", DateAdd),
    ("dateadd", DateAdd),
    ("date_sub", DateSub),
    ("add_months", AddMonths),
    ("months_between", MonthsBetween),
    ("last_day", LastDay),
    ("next_day", NextDay),
    ("make_date", MakeDate),
    ("make_timestamp", MakeTimestamp),
    ("to_date", ToDate),
    ("try_to_date", ToDate),
    ("to_timestamp", ToTimestamp),
    ("try_to_timestamp", ToTimestamp),
    ("date_format", DateFormat),
    ("unix_timestamp", UnixTimestamp),
    ("to_unix_timestamp", UnixTimestamp),
    ("from_unixtime", FromUnixtime),
    ("current_date", CurrentDate),
    ("curdate", CurrentDate),
    ("current_timestamp", CurrentTimestamp),
    ("now", CurrentTimestamp),
    ("localtimestamp", LocalTimestamp),
    ("unix_seconds", UnixSeconds),
    ("unix_millis", UnixMillis),
    ("unix_micros", UnixMicros),
    ("unix_date", UnixDate),
    ("date_from_unix_date", DateFromUnixDate),
    ("timestamp_seconds", TimestampSeconds),
    ("timestamp_millis", TimestampMillis),
    ("timestamp_micros", TimestampMicros),
    ("from_utc_timestamp", FromUtcTimestamp),
    ("to_utc_timestamp", ToUtcTimestamp),
    ("make_timestamp_ltz", MakeTimestamp),
    ("try_make_timestamp", MakeTimestamp),
    ("try_make_timestamp_ltz", MakeTimestamp),
    ("to_timestamp_ltz", ToTimestamp),
    ("convert_timezone", ConvertTimezone),
    ("to_timestamp_ntz", ToTimestampNtz),
    ("make_timestamp_ntz", MakeTimestampNtz),
    ("try_make_timestamp_ntz", MakeTimestampNtz),
    ("make_time", MakeTime),
    ("current_time", CurrentTime),
    ("localtime", CurrentTime),
    ("to_time", ToTime),
    ("try_to_time", TryToTime),
    ("time_trunc", TimeTrunc),
    ("time_diff", TimeDiff),
    ("time_to_micros", TimeToMicros),
    ("time_to_millis", TimeToMillis),
    ("time_to_seconds", TimeToSeconds),
    ("time_from_micros", TimeFromMicros),
    ("time_from_millis", TimeFromMillis),
    ("time_from_seconds", TimeFromSeconds),
    ("window_time", WindowTime),
    ("make_dt_interval", MakeDtInterval),
    ("make_ym_interval", MakeYmInterval),
];

impl DateTimeFunction {
    pub fn from_name(name: &str) -> Option<Self> {
        lookup(NAMES, name)
    }

    pub fn name(self) -> &'static str {
        match self {
            SecondWithFraction => "date_part_second",
            TimestampAddInterval => "timestamp_add_interval",
            TimestampAddUnit => "timestampadd",
            TimestampDiffUnit => "timestampdiff",
            TimeAddInterval => "time_add_interval",
            TimeToPrecision => "time_to_precision",
            TimeWindow => "time_window",
            TimeWindows => "time_windows",
            IntervalAdd => "interval_add",
            IntervalSubtract => "interval_subtract",
            IntervalNegate => "negative",
            IntervalAbs => "abs",
            IntervalMultiply => "interval_multiply",
            IntervalDivide => "interval_divide",
            TimestampDiffInterval => "timestamp_diff",
            DateDiffInterval => "date_diff_interval",
            TimeDiffInterval => "time_diff_interval",
            TimestampAddDayTime => "timestamp_add_interval",
            IntervalDays => "interval_days",
            IntervalHours => "interval_hours",
            IntervalMinutes => "interval_minutes",
            IntervalSeconds => "interval_seconds",
            IntervalToString => "interval_to_string",
            IntervalTruncate => "interval_truncate",
            IntervalToMicros => "interval_to_micros",
            MicrosToInterval => "micros_to_interval",
            IntervalYears => "interval_years",
            IntervalMonthsPart => "interval_months",
            IntervalFromText | IntervalFromInteger => "cast_to_interval",
            IntervalToInteger => "cast_interval_to_integer",
            IntervalToDecimal => "cast_interval_to_decimal",
            _ => name_of(NAMES, self),
        }
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }

    pub fn signature(self, a: &Args) -> Result<Signature> {
        use DataType::*;
        let n = a.len();
        let ts = timestamp_type();
        match self {
            Year | Quarter | Month | Day | DayOfWeek | DayOfYear | Weekday | WeekOfYear => {
                a.arity(1, 1)?;
                Signature::new(vec![a.date(0)?], Int32)
            }
            DayName | MonthName => {
                a.arity(1, 1)?;
                Signature::new(vec![a.date(0)?], Utf8)
            }
            // On a `time`, its own fields; anything else is read as a timestamp.
            Hour | Minute | Second | SecondWithFraction => {
                a.arity(1, 1)?;
                let arg = match a.types[0] {
                    Time64(_) => time_type(),
                    _ => a.timestamp(0)?,
                };
                let result = if self == SecondWithFraction {
                    Decimal128(8, 6)
                } else {
                    Int32
                };
                Signature::new(vec![arg], result)
            }
            DateTrunc => {
                a.arity(2, 2)?;
                Signature::new(vec![a.string(0)?, a.timestamp(1)?], ts)
            }
            Trunc => {
                a.arity(2, 2)?;
                Signature::new(vec![a.date(0)?, a.string(1)?], Date32)
            }
            DateDiff => {
                a.arity(2, 2)?;
                Signature::new(vec![a.date(0)?, a.date(1)?], Int32)
            }
            DateAdd | DateSub | AddMonths => {
                a.arity(2, 2)?;
                Signature::new(vec![a.date(0)?, a.integer(1)?], Date32)
            }
            MonthsBetween => {
                a.arity(2, 3)?;
                let mut types = vec![a.timestamp(0)?, a.timestamp(1)?];
                if n == 3 {
                    if !matches!(a.types[2], Boolean | Null) {
                        return Err(a.error(2, "a boolean", &a.types[2]));
                    }
                    types.push(Boolean);
                }
                Signature::new(types, Float64)
            }
            LastDay => {
                a.arity(1, 1)?;
                Signature::new(vec![a.date(0)?], Date32)
            }
            NextDay => {
                a.arity(2, 2)?;
                Signature::new(vec![a.date(0)?, a.string(1)?], Date32)
            }
            MakeDate => {
                a.arity(3, 3)?;
                Signature::new(vec![a.integer(0)?, a.integer(1)?, a.integer(2)?], Date32)
            }
            // Spark 4's `make_timestamp(date[, time[, timezone]])` (and the `_ltz` and
            // `try_` names), `make_timestamp_ntz(date, time)`: the date must be a date.
            MakeTimestamp | MakeTimestampNtz if n <= 3 => {
                if self == MakeTimestamp {
                    a.arity(1, 3)?;
                } else {
                    a.arity(2, 2)?;
                }
                if !matches!(a.types[0], Date32 | Null) {
                    return Err(a.error(0, "a date", &a.types[0]));
                }
                let mut types = vec![Date32];
                if n >= 2 {
                    if !matches!(a.types[1], Time64(_) | Null) {
                        return Err(a.error(1, "a time", &a.types[1]));
                    }
                    types.push(time_type());
                }
                if n == 3 {
                    types.push(a.string(2)?);
                }
                let result = if self == MakeTimestamp {
                    ts
                } else {
                    timestamp_ntz_type()
                };
                Signature::new(types, result)
            }
            MakeTimestamp | MakeTimestampNtz => {
                a.arity(6, 6)?;
                let mut types = (0..5).map(|i| a.integer(i)).collect::<Result<Vec<_>>>()?;
                types.push(a.double(5)?);
                let result = if self == MakeTimestamp {
                    ts
                } else {
                    timestamp_ntz_type()
                };
                Signature::new(types, result)
            }
            ToDate | ToTimestamp | ToTimestampNtz => {
                a.arity(1, 2)?;
                let result = match self {
                    ToDate => Date32,
                    ToTimestamp => ts,
                    _ => timestamp_ntz_type(),
                };
                // `to_timestamp(t)` of a time is today at that time, as its cast.
                let time_stamp = self == ToTimestamp && n == 1 && matches!(a.types[0], Time64(_));
                let first = if is_temporal(&a.types[0]) || time_stamp {
                    a.types[0].clone()
                } else {
                    a.string(0)?
                };
                let mut types = vec![first];
                if n == 2 {
                    types.push(a.string(1)?);
                }
                Signature::new(types, result)
            }
            FromUtcTimestamp | ToUtcTimestamp => {
                a.arity(2, 2)?;
                Signature::new(vec![a.timestamp(0)?, a.string(1)?], ts)
            }
            DateFormat => {
                a.arity(2, 2)?;
                let value = match a.types[0] {
                    Time64(_) => time_type(),
                    _ => a.timestamp(0)?,
                };
                Signature::new(vec![value, a.string(1)?], Utf8)
            }
            UnixTimestamp => {
                a.arity(0, 2)?;
                let mut types = Vec::new();
                // Spark takes text, dates and timestamps, not a time (no date to count from).
                if n >= 1 && matches!(a.types[0], Time64(_)) {
                    return Err(a.error(0, "a string, date or timestamp", &a.types[0]));
                }
                if n >= 1 {
                    types.push(if is_temporal(&a.types[0]) {
                        ts
                    } else {
                        a.string(0)?
                    });
                }
                if n == 2 {
                    types.push(a.string(1)?);
                }
                Signature::new(types, Int64)
            }
            FromUnixtime => {
                a.arity(1, 2)?;
                let mut types = vec![a.long(0)?];
                if n == 2 {
                    types.push(a.string(1)?);
                }
                Signature::new(types, Utf8)
            }
            CurrentDate => {
                a.arity(0, 0)?;
                Signature::new(vec![], Date32)
            }
            CurrentTimestamp => {
                a.arity(0, 0)?;
                Signature::new(vec![], ts)
            }
            LocalTimestamp => {
                a.arity(0, 0)?;
                Signature::new(vec![], timestamp_ntz_type())
            }
            ConvertTimezone => {
                a.arity(2, 3)?;
                let mut types = (0..n - 1)
                    .map(|i| a.string(i))
                    .collect::<Result<Vec<_>>>()?;
                types.push(a.timestamp(n - 1)?);
                Signature::new(types, timestamp_ntz_type())
            }
            UnixSeconds | UnixMillis | UnixMicros => {
                a.arity(1, 1)?;
                Signature::new(vec![a.timestamp(0)?], Int64)
            }
            UnixDate => {
                a.arity(1, 1)?;
                Signature::new(vec![a.date(0)?], Int32)
            }
            DateFromUnixDate => {
                a.arity(1, 1)?;
                Signature::new(vec![a.integer(0)?], Date32)
            }
            TimestampSeconds => {
                a.arity(1, 1)?;
                Signature::new(vec![a.double(0)?], ts)
            }
            TimestampMillis | TimestampMicros => {
                a.arity(1, 1)?;
                Signature::new(vec![a.long(0)?], ts)
            }
            TimestampAddInterval => {
                a.arity(3, 3)?;
                Signature::new(vec![a.timestamp(0)?, Int32, Int64], ts)
            }
            TimestampAddUnit => {
                a.arity(3, 3)?;
                // A fractional quantity is cut to its whole part, as Spark's implicit cast.
                let quantity = if a.types[1].is_numeric() {
                    Int64
                } else {
                    a.long(1)?
                };
                let stamp = match &a.types[2] {
                    t if crate::sql::types::is_timestamp_ntz(t) => t.clone(),
                    _ => a.timestamp(2)?,
                };
                Signature::new(vec![a.string(0)?, quantity, stamp.clone()], stamp)
            }
            TimestampDiffUnit => {
                a.arity(3, 3)?;
                Signature::new(vec![a.string(0)?, a.timestamp(1)?, a.timestamp(2)?], Int64)
            }
            MakeTime => {
                a.arity(3, 3)?;
                Signature::new(
                    vec![a.integer(0)?, a.integer(1)?, a.double(2)?],
                    time_type(),
                )
            }
            CurrentTime => {
                a.arity(0, 1)?;
                let types = (0..n).map(|i| a.integer(i)).collect::<Result<Vec<_>>>()?;
                Signature::new(types, time_type())
            }
            ToTime | TryToTime => {
                a.arity(1, 2)?;
                let types = (0..n).map(|i| a.string(i)).collect::<Result<Vec<_>>>()?;
                Signature::new(types, time_type())
            }
            TimeTrunc => {
                a.arity(2, 2)?;
                Signature::new(vec![a.string(0)?, a.time(1)?], time_type())
            }
            TimeDiff => {
                a.arity(3, 3)?;
                Signature::new(vec![a.string(0)?, a.time(1)?, a.time(2)?], Int64)
            }
            TimeToMicros | TimeToMillis => {
                a.arity(1, 1)?;
                Signature::new(vec![a.time(0)?], Int64)
            }
            TimeToSeconds => {
                a.arity(1, 1)?;
                Signature::new(vec![a.time(0)?], Decimal128(14, 6))
            }
            TimeFromMicros | TimeFromMillis => {
                a.arity(1, 1)?;
                Signature::new(vec![a.long(0)?], time_type())
            }
            TimeFromSeconds => {
                a.arity(1, 1)?;
                Signature::new(vec![a.double(0)?], time_type())
            }
            TimeAddInterval => {
                a.arity(2, 2)?;
                Signature::new(vec![a.time(0)?, Int64], time_type())
            }
            TimeToPrecision => {
                a.arity(2, 2)?;
                Signature::new(vec![a.time(0)?, Int32], time_type())
            }
            TimeWindow | TimeWindows => {
                a.arity(4, 4)?;
                let time = match &a.types[0] {
                    t @ Timestamp(_, _) => t.clone(),
                    other => return Err(a.error(0, "a timestamp", other)),
                };
                let window = window_type(&time);
                let result = if self == TimeWindow {
                    window
                } else {
                    List(std::sync::Arc::new(arrow_schema::Field::new(
                        "item", window, true,
                    )))
                };
                Signature::new(vec![time, Int64, Int64, Int64], result)
            }
            MakeDtInterval => {
                a.arity(0, 4)?;
                let mut types = (0..n.min(3))
                    .map(|i| a.integer(i))
                    .collect::<Result<Vec<_>>>()?;
                if n == 4 {
                    if !(a.types[3].is_numeric() || matches!(a.types[3], Null)) {
                        return Err(a.error(3, "a number", &a.types[3]));
                    }
                    types.push(Decimal128(18, 6));
                }
                Signature::new(types, day_time_type())
            }
            IntervalAdd | IntervalSubtract => {
                a.arity(2, 2)?;
                let t = a.same_interval(&[0, 1])?;
                Signature::new(vec![t.clone(), t.clone()], t)
            }
            IntervalNegate | IntervalAbs => {
                a.arity(1, 1)?;
                let t = a.same_interval(&[0])?;
                Signature::new(vec![t.clone()], t)
            }
            IntervalMultiply | IntervalDivide => {
                a.arity(2, 2)?;
                // Integers as bigints, decimals as they are, anything else as a double.
                let by = match &a.types[1] {
                    t if t.is_integer() || *t == Null => Int64,
                    t @ Decimal128(_, _) => t.clone(),
                    t if t.is_numeric() => Float64,
                    other => return Err(a.error(1, "a number", other)),
                };
                let t = a.same_interval(&[0])?;
                Signature::new(vec![t.clone(), by], t)
            }
            TimestampDiffInterval => {
                a.arity(2, 2)?;
                Signature::new(vec![a.timestamp(0)?, a.timestamp(1)?], day_time_type())
            }
            DateDiffInterval => {
                a.arity(2, 2)?;
                Signature::new(vec![a.date(0)?, a.date(1)?], day_time_type())
            }
            TimeDiffInterval => {
                a.arity(2, 2)?;
                Signature::new(vec![a.time(0)?, a.time(1)?], day_time_type())
            }
            TimestampAddDayTime => {
                a.arity(2, 2)?;
                Signature::new(vec![a.timestamp(0)?, a.day_time(1)?], ts)
            }
            IntervalDays => {
                a.arity(1, 1)?;
                Signature::new(vec![a.day_time(0)?], Int32)
            }
            IntervalHours | IntervalMinutes => {
                a.arity(1, 1)?;
                Signature::new(vec![a.day_time(0)?], Int8)
            }
            IntervalSeconds => {
                a.arity(1, 1)?;
                Signature::new(vec![a.day_time(0)?], Decimal128(8, 6))
            }
            IntervalToString => {
                a.arity(3, 3)?;
                Signature::new(vec![a.same_interval(&[0])?, Int32, Int32], Utf8)
            }
            IntervalToMicros => {
                a.arity(1, 1)?;
                Signature::new(vec![a.same_interval(&[0])?], Int64)
            }
            // The interval type is the second argument's (a typed constant).
            MicrosToInterval => {
                a.arity(2, 2)?;
                let t = a.same_interval(&[1])?;
                Signature::new(vec![Decimal128(38, 0), t.clone()], t)
            }
            IntervalTruncate => {
                a.arity(2, 2)?;
                let t = a.same_interval(&[0, 1])?;
                Signature::new(vec![t.clone(), t.clone()], t)
            }
            MakeYmInterval => {
                a.arity(0, 2)?;
                let types = (0..n).map(|i| a.integer(i)).collect::<Result<Vec<_>>>()?;
                Signature::new(types, year_month_type())
            }
            IntervalYears => {
                a.arity(1, 1)?;
                Signature::new(vec![a.same_interval(&[0])?], Int32)
            }
            IntervalFromText | IntervalFromInteger => {
                a.arity(4, 4)?;
                let value = match &a.types[0] {
                    _ if self == IntervalFromText => a.string(0)?,
                    t @ Decimal128(_, _) => t.clone(),
                    _ => Int64,
                };
                let t = a.same_interval(&[1])?;
                Signature::new(vec![value, t.clone(), Int32, Int32], t)
            }
            IntervalToInteger => {
                a.arity(4, 4)?;
                Signature::new(vec![a.same_interval(&[0])?, Int32, Int32, Int32], Int64)
            }
            IntervalToDecimal => {
                a.arity(4, 4)?;
                let to = a.types[3].clone();
                if !matches!(to, Decimal128(_, _)) {
                    return Err(a.error(3, "a decimal", &to));
                }
                Signature::new(vec![a.same_interval(&[0])?, Int32, Int32, to.clone()], to)
            }
            IntervalMonthsPart => {
                a.arity(1, 1)?;
                Signature::new(vec![a.same_interval(&[0])?], Int8)
            }
            WindowTime => {
                a.arity(1, 1)?;
                match &a.types[0] {
                    Struct(fields)
                        if fields.len() == 2
                            && fields[0].name() == "start"
                            && fields[1].name() == "end"
                            && matches!(fields[1].data_type(), Timestamp(_, _)) =>
                    {
                        let end = fields[1].data_type().clone();
                        Signature::new(vec![a.types[0].clone()], end)
                    }
                    other => Err(a.error(0, "a window (struct<start, end>)", other)),
                }
            }
        }
    }
}

/// Spark's type of a time window over times of type `time`: `struct<start, end>`.
pub fn window_type(time: &DataType) -> DataType {
    DataType::Struct(
        vec![
            arrow_schema::Field::new("start", time.clone(), true),
            arrow_schema::Field::new("end", time.clone(), true),
        ]
        .into(),
    )
}

/// The function computing a field of `extract(field FROM x)` / `date_part('field', x)`,
/// by Spark's field names and abbreviations. `SECOND` keeps its fraction, as a decimal,
/// as in Spark (`second(x)` gives the whole seconds).
pub fn date_field(field: &str) -> Option<DateTimeFunction> {
    Some(match field.to_ascii_uppercase().as_str() {
        "YEAR" | "Y" | "YEARS" | "YR" | "YRS" => Year,
        "QUARTER" | "QTR" => Quarter,
        "MONTH" | "MON" | "MONS" | "MONTHS" => Month,
        "WEEK" | "W" | "WEEKS" => WeekOfYear,
        "DAY" | "D" | "DAYS" | "DAYOFMONTH" => Day,
        "DAYOFWEEK" | "DOW" => DayOfWeek,
        "DOY" | "DAYOFYEAR" => DayOfYear,
        "HOUR" | "H" | "HOURS" | "HR" | "HRS" => Hour,
        "MINUTE" | "M" | "MIN" | "MINS" | "MINUTES" => Minute,
        "SECOND" | "S" | "SEC" | "SECONDS" | "SECS" => SecondWithFraction,
        _ => return None,
    })
}
