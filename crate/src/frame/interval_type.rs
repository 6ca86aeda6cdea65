//! Spark's ANSI intervals as Brasa holds them. Day-time intervals
//! (`DayTimeIntervalType(start, end)`: `interval day`, `interval hour to second`, ...) are
//! microseconds in an Arrow `Duration(Microsecond)` column, as Spark's own Arrow conversion
//! writes them; year-month intervals (`YearMonthIntervalType`: `interval year`, `interval
//! year to month`, `interval month`) are months in an Arrow `Interval(YearMonth)` column.
//! Arrow's types have no room for the start and end fields, which decide how Spark names
//! and prints the value (`INTERVAL '3' DAY` against `INTERVAL '3 00:00:00' DAY TO
//! SECOND`), so they travel in the column's field metadata ([`FIELDS_KEY`]); a column
//! without it has Spark's default fields (`day to second`, `year to month`).

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{DurationMicrosecondType, IntervalYearMonthType};
use arrow_array::Array;
use arrow_schema::{DataType, Field, IntervalUnit, TimeUnit};

/// The field-metadata key holding an interval column's fields, as Spark names them after
/// `interval ` (`day`, `hour to second`, `year to month`).
pub const FIELDS_KEY: &str = "brasa.interval";

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

/// One field of an interval, from the largest: a year-month interval's (`Year`,
/// `Month`), then a day-time interval's (`Day` to `Second`), in Spark's order within each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IntervalField {
    Year = 4,
    Month = 5,
    Day = 0,
    Hour = 1,
    Minute = 2,
    Second = 3,
}

impl IntervalField {
    /// The field of a constant code (`field as i32`), for plans that pass fields as values.
    pub fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            0 => IntervalField::Day,
            1 => IntervalField::Hour,
            2 => IntervalField::Minute,
            3 => IntervalField::Second,
            4 => IntervalField::Year,
            5 => IntervalField::Month,
            _ => return None,
        })
    }

    /// Whether this is a year-month interval's field.
    pub fn is_year_month(self) -> bool {
        matches!(self, IntervalField::Year | IntervalField::Month)
    }

    /// The order fields are widened in: years, months, days, ..., seconds.
    fn rank(self) -> u8 {
        match self {
            IntervalField::Year => 0,
            IntervalField::Month => 1,
            IntervalField::Day => 2,
            IntervalField::Hour => 3,
            IntervalField::Minute => 4,
            IntervalField::Second => 5,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            IntervalField::Year => "year",
            IntervalField::Month => "month",
            IntervalField::Day => "day",
            IntervalField::Hour => "hour",
            IntervalField::Minute => "minute",
            IntervalField::Second => "second",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "year" => IntervalField::Year,
            "month" => IntervalField::Month,
            "day" => IntervalField::Day,
            "hour" => IntervalField::Hour,
            "minute" => IntervalField::Minute,
            "second" => IntervalField::Second,
            _ => return None,
        })
    }

    /// The microseconds in one unit of a day-time field (months in one unit of a
    /// year-month field).
    pub fn micros(self) -> i64 {
        match self {
            IntervalField::Year => 12,
            IntervalField::Month => 1,
            IntervalField::Day => MICROS_PER_DAY,
            IntervalField::Hour => MICROS_PER_HOUR,
            IntervalField::Minute => MICROS_PER_MINUTE,
            IntervalField::Second => MICROS_PER_SECOND,
        }
    }
}

/// An interval type's start and end fields (`start` the larger), both of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntervalFields {
    pub start: IntervalField,
    pub end: IntervalField,
}

impl Default for IntervalFields {
    /// `interval day to second`, Spark's `DayTimeIntervalType()`.
    fn default() -> Self {
        IntervalFields {
            start: IntervalField::Day,
            end: IntervalField::Second,
        }
    }
}

impl IntervalFields {
    pub fn new(start: IntervalField, end: IntervalField) -> Self {
        let (start, end) = if start.rank() <= end.rank() {
            (start, end)
        } else {
            (end, start)
        };
        IntervalFields { start, end }
    }

    /// `interval year to month`, Spark's `YearMonthIntervalType()`.
    pub fn year_month() -> Self {
        IntervalFields::new(IntervalField::Year, IntervalField::Month)
    }

    /// Spark's default fields of a column of type `t` (`None` if it is no interval).
    pub fn default_of(t: &DataType) -> Option<Self> {
        if is_day_time(t) {
            Some(IntervalFields::default())
        } else if is_year_month(t) {
            Some(IntervalFields::year_month())
        } else {
            None
        }
    }

    /// Whether these are a year-month interval's fields.
    pub fn is_year_month(self) -> bool {
        self.start.is_year_month()
    }

    /// The type holding both (Spark's wider interval: the first start, the last end), as
    /// `CASE`, `coalesce` and `interval + interval` give.
    pub fn widen(self, other: IntervalFields) -> IntervalFields {
        let first = |a: IntervalField, b: IntervalField| if a.rank() <= b.rank() { a } else { b };
        let last = |a: IntervalField, b: IntervalField| if a.rank() >= b.rank() { a } else { b };
        IntervalFields {
            start: first(self.start, other.start),
            end: last(self.end, other.end),
        }
    }

    /// `day`, `day to second`: the type's name after `interval `.
    pub fn text(self) -> String {
        if self.start == self.end {
            self.start.name().to_string()
        } else {
            format!("{} to {}", self.start.name(), self.end.name())
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text.split_once(" to ") {
            Some((s, e)) => {
                let (start, end) = (IntervalField::from_name(s)?, IntervalField::from_name(e)?);
                (start.rank() < end.rank() && start.is_year_month() == end.is_year_month())
                    .then_some(IntervalFields { start, end })
            }
            None => {
                let f = IntervalField::from_name(text)?;
                Some(IntervalFields { start: f, end: f })
            }
        }
    }

    /// The fields Spark's type name `interval day to second` names (`None` for another
    /// name).
    pub fn parse_type_name(name: &str) -> Option<Self> {
        IntervalFields::parse(name.strip_prefix("interval ")?)
    }

    /// Spark's name of the type, `interval day to second`.
    pub fn spark_name(self) -> String {
        format!("interval {}", self.text())
    }

    /// The field metadata carrying these fields.
    pub fn metadata(self) -> HashMap<String, String> {
        HashMap::from([(FIELDS_KEY.to_string(), self.text())])
    }
}

/// The Arrow type of every day-time interval.
pub fn day_time_type() -> DataType {
    DataType::Duration(TimeUnit::Microsecond)
}

pub fn is_day_time(t: &DataType) -> bool {
    matches!(t, DataType::Duration(TimeUnit::Microsecond))
}

/// The Arrow type of every year-month interval.
pub fn year_month_type() -> DataType {
    DataType::Interval(IntervalUnit::YearMonth)
}

pub fn is_year_month(t: &DataType) -> bool {
    matches!(t, DataType::Interval(IntervalUnit::YearMonth))
}

/// Whether `t` is one of Spark's ANSI intervals (day-time or year-month).
pub fn is_interval(t: &DataType) -> bool {
    is_day_time(t) || is_year_month(t)
}

/// The fields of an interval column (Spark's default fields of its type when its
/// metadata does not say, or says something of the other family).
pub fn fields_of(field: &Field) -> IntervalFields {
    let default = IntervalFields::default_of(field.data_type()).unwrap_or_default();
    field
        .metadata()
        .get(FIELDS_KEY)
        .and_then(|t| IntervalFields::parse(t))
        .filter(|f| f.is_year_month() == default.is_year_month())
        .unwrap_or(default)
}

/// Spark's text of a year-month interval (`IntervalUtils.toYearMonthIntervalString`,
/// ANSI style): `INTERVAL '1-2' YEAR TO MONTH`, `INTERVAL '-1' YEAR`, `INTERVAL '14' MONTH`.
pub fn format_year_month(months: i32, fields: IntervalFields, out: &mut String) {
    use std::fmt::Write;
    let sign = if months < 0 { "-" } else { "" };
    let abs = i64::from(months).abs();
    out.push_str("INTERVAL '");
    match (fields.start, fields.end) {
        (IntervalField::Year, IntervalField::Year) => {
            let _ = write!(out, "{sign}{}' YEAR", abs / 12);
        }
        (IntervalField::Month, IntervalField::Month) => {
            let _ = write!(out, "{months}' MONTH");
        }
        _ => {
            let _ = write!(out, "{sign}{}-{}' YEAR TO MONTH", abs / 12, abs % 12);
        }
    }
}

/// [`format_year_month`] as a new string.
pub fn year_month_text(months: i32, fields: IntervalFields) -> String {
    let mut out = String::with_capacity(32);
    format_year_month(months, fields, &mut out);
    out
}

/// Spark's text of a day-time interval (`IntervalUtils.toDayTimeIntervalString`, ANSI
/// style), as `CAST(iv AS STRING)`, `show()` and the CSV writer print it:
/// `INTERVAL '1 12:00:00.5' DAY TO SECOND`, `INTERVAL '-90' MINUTE`, `INTERVAL '03' HOUR`.
pub fn format_day_time(micros: i64, fields: IntervalFields, out: &mut String) {
    use std::fmt::Write;
    use IntervalField as F;
    let (start, end) = (fields.start, fields.end);
    let upper = |f: F| f.name().to_ascii_uppercase();
    let postfix = if start == end {
        format!("' {}", upper(start))
    } else {
        format!("' {} TO {}", upper(start), upper(end))
    };
    out.push_str("INTERVAL '");
    if micros == i64::MIN {
        // Negating overflows: Spark spells the minimum out.
        const BASE: &str = "-106751991 04:00:54.775808000";
        out.push_str(match start {
            F::Day => "-106751991",
            F::Hour => "-2562047788",
            F::Minute => "-153722867280",
            // Seconds (a year-month field never reaches here).
            _ => "-9223372036854.775808",
        });
        if start != end {
            let from = match start {
                F::Day => 10,
                F::Hour => 13,
                _ => 16,
            };
            let to = match end {
                F::Hour => 13,
                F::Minute => 16,
                _ => 26,
            };
            out.push_str(&BASE[from..to]);
        }
        out.push_str(&postfix);
        return;
    }
    if micros < 0 {
        out.push('-');
    }
    let mut rest = micros.unsigned_abs() as i64;
    let seconds = |rest: i64, out: &mut String| {
        if rest < 10 * MICROS_PER_SECOND {
            out.push('0');
        }
        let _ = write!(out, "{}", rest / MICROS_PER_SECOND);
        let fraction = rest % MICROS_PER_SECOND;
        if fraction != 0 {
            let digits = format!("{fraction:06}");
            let _ = write!(out, ".{}", digits.trim_end_matches('0'));
        }
    };
    match start {
        F::Day => {
            let _ = write!(out, "{}", rest / MICROS_PER_DAY);
            rest %= MICROS_PER_DAY;
        }
        F::Hour => {
            let _ = write!(out, "{:02}", rest / MICROS_PER_HOUR);
            rest %= MICROS_PER_HOUR;
        }
        F::Minute => {
            let _ = write!(out, "{:02}", rest / MICROS_PER_MINUTE);
            rest %= MICROS_PER_MINUTE;
        }
        _ => seconds(rest, out),
    }
    if start < F::Hour && F::Hour <= end {
        let _ = write!(out, " {:02}", rest / MICROS_PER_HOUR);
        rest %= MICROS_PER_HOUR;
    }
    if start < F::Minute && F::Minute <= end {
        let _ = write!(out, ":{:02}", rest / MICROS_PER_MINUTE);
        rest %= MICROS_PER_MINUTE;
    }
    if start < F::Second && F::Second <= end {
        out.push(':');
        seconds(rest, out);
    }
    out.push_str(&postfix);
}

/// An interval column's values as Spark prints them (NULL stays NULL), with `fields` or
/// the column type's default ones; `None` when the column is no interval.
pub fn interval_texts(
    column: &dyn Array,
    fields: Option<IntervalFields>,
) -> Option<arrow_array::StringArray> {
    let fields = fields
        .filter(|f| {
            Some(f.is_year_month())
                == IntervalFields::default_of(column.data_type()).map(IntervalFields::is_year_month)
        })
        .or_else(|| IntervalFields::default_of(column.data_type()))?;
    let mut text = String::new();
    if let Some(micros) = column.as_primitive_opt::<DurationMicrosecondType>() {
        return Some(
            micros
                .iter()
                .map(|v| {
                    v.map(|v| {
                        text.clear();
                        format_day_time(v, fields, &mut text);
                        text.clone()
                    })
                })
                .collect(),
        );
    }
    let months = column.as_primitive_opt::<IntervalYearMonthType>()?;
    Some(
        months
            .iter()
            .map(|v| {
                v.map(|v| {
                    text.clear();
                    format_year_month(v, fields, &mut text);
                    text.clone()
                })
            })
            .collect(),
    )
}

/// One value of an interval column as Spark prints it with the type's default fields (a
/// nested value's, which has no metadata); `None` when NULL or no interval.
pub fn interval_value_text(column: &dyn Array, i: usize) -> Option<String> {
    if column.is_null(i) {
        return None;
    }
    let fields = IntervalFields::default_of(column.data_type())?;
    if let Some(micros) = column.as_primitive_opt::<DurationMicrosecondType>() {
        return Some(day_time_text(micros.value(i), fields));
    }
    let months = column.as_primitive_opt::<IntervalYearMonthType>()?;
    Some(year_month_text(months.value(i), fields))
}

/// [`format_day_time`] as a new string.
pub fn day_time_text(micros: i64, fields: IntervalFields) -> String {
    let mut out = String::with_capacity(40);
    format_day_time(micros, fields, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntervalField as F;

    fn text(micros: i64, start: F, end: F) -> String {
        day_time_text(micros, IntervalFields::new(start, end))
    }

    #[test]
    fn prints_as_spark() {
        // Spark 4.3's `CAST(... AS STRING)` of each.
        assert_eq!(text(3 * MICROS_PER_DAY, F::Day, F::Day), "INTERVAL '3' DAY");
        assert_eq!(
            text(2 * MICROS_PER_DAY + 43_199_500_000, F::Day, F::Second),
            "INTERVAL '2 11:59:59.5' DAY TO SECOND"
        );
        assert_eq!(
            text(MICROS_PER_DAY + 2 * MICROS_PER_HOUR, F::Day, F::Hour),
            "INTERVAL '1 02' DAY TO HOUR"
        );
        assert_eq!(
            text(-90 * MICROS_PER_MINUTE, F::Minute, F::Minute),
            "INTERVAL '-90' MINUTE"
        );
        assert_eq!(
            text(500_000, F::Second, F::Second),
            "INTERVAL '00.5' SECOND"
        );
        assert_eq!(
            text(-500_000, F::Second, F::Second),
            "INTERVAL '-00.5' SECOND"
        );
        assert_eq!(
            text(3 * MICROS_PER_HOUR, F::Hour, F::Hour),
            "INTERVAL '03' HOUR"
        );
        assert_eq!(
            text(620 * MICROS_PER_SECOND, F::Minute, F::Second),
            "INTERVAL '10:20' MINUTE TO SECOND"
        );
        assert_eq!(
            text(-MICROS_PER_DAY - MICROS_PER_SECOND, F::Day, F::Second),
            "INTERVAL '-1 00:00:01' DAY TO SECOND"
        );
        assert_eq!(
            text(0, F::Day, F::Second),
            "INTERVAL '0 00:00:00' DAY TO SECOND"
        );
        assert_eq!(
            text(i64::MIN, F::Day, F::Second),
            "INTERVAL '-106751991 04:00:54.775808' DAY TO SECOND"
        );
    }

    #[test]
    fn prints_year_months_as_spark() {
        let ym = |months, start, end| year_month_text(months, IntervalFields::new(start, end));
        assert_eq!(ym(14, F::Year, F::Month), "INTERVAL '1-2' YEAR TO MONTH");
        assert_eq!(ym(-14, F::Year, F::Month), "INTERVAL '-1-2' YEAR TO MONTH");
        assert_eq!(ym(-2, F::Year, F::Month), "INTERVAL '-0-2' YEAR TO MONTH");
        assert_eq!(ym(-12, F::Year, F::Year), "INTERVAL '-1' YEAR");
        assert_eq!(ym(14, F::Month, F::Month), "INTERVAL '14' MONTH");
        assert_eq!(
            ym(i32::MIN, F::Year, F::Month),
            "INTERVAL '-178956970-8' YEAR TO MONTH"
        );
    }

    #[test]
    fn fields_travel_in_metadata() {
        let fields = IntervalFields::new(F::Hour, F::Minute);
        let field = Field::new("x", day_time_type(), true).with_metadata(fields.metadata());
        assert_eq!(fields_of(&field), fields);
        assert_eq!(fields.spark_name(), "interval hour to minute");
        let plain = Field::new("x", day_time_type(), true);
        assert_eq!(fields_of(&plain), IntervalFields::default());
        let year = IntervalFields::new(F::Year, F::Year);
        let field = Field::new("y", year_month_type(), true).with_metadata(year.metadata());
        assert_eq!(fields_of(&field), year);
        assert_eq!(year.spark_name(), "interval year");
        // Fields of the other family are not believed.
        let wrong = Field::new("y", year_month_type(), true).with_metadata(fields.metadata());
        assert_eq!(fields_of(&wrong), IntervalFields::year_month());
        assert_eq!(
            IntervalFields::new(F::Day, F::Day).widen(IntervalFields::new(F::Hour, F::Hour)),
            IntervalFields::new(F::Day, F::Hour)
        );
    }
}
