//! Spark's day-time intervals (`DayTimeIntervalType(start, end)`: `interval day`,
//! `interval hour to second`, ...) as Brasa holds them: microseconds in an Arrow
//! `Duration(Microsecond)` column, as Spark's own Arrow conversion writes them. Arrow's
//! type has no room for the start and end fields, which decide how Spark names and prints
//! the value (`INTERVAL '3' DAY` against `INTERVAL '3 00:00:00' DAY TO SECOND`), so they
//! travel in the column's field metadata ([`FIELDS_KEY`]); a column without it is
//! `interval day to second`, the type Spark gives an Arrow duration it reads.

use std::collections::HashMap;

use arrow_schema::{DataType, Field, TimeUnit};

/// The field-metadata key holding a day-time interval column's fields, as Spark names
/// them after `interval ` (`day`, `hour to second`).
pub const FIELDS_KEY: &str = "brasa.interval";

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

/// One field of a day-time interval, in Spark's order (`DayTimeIntervalType.DAY` is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayTimeField {
    Day = 0,
    Hour = 1,
    Minute = 2,
    Second = 3,
}

impl DayTimeField {
    pub fn name(self) -> &'static str {
        match self {
            DayTimeField::Day => "day",
            DayTimeField::Hour => "hour",
            DayTimeField::Minute => "minute",
            DayTimeField::Second => "second",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "day" => DayTimeField::Day,
            "hour" => DayTimeField::Hour,
            "minute" => DayTimeField::Minute,
            "second" => DayTimeField::Second,
            _ => return None,
        })
    }

    /// The microseconds in one unit of the field.
    pub fn micros(self) -> i64 {
        match self {
            DayTimeField::Day => MICROS_PER_DAY,
            DayTimeField::Hour => MICROS_PER_HOUR,
            DayTimeField::Minute => MICROS_PER_MINUTE,
            DayTimeField::Second => MICROS_PER_SECOND,
        }
    }
}

/// A day-time interval type's start and end fields (`start <= end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DayTimeFields {
    pub start: DayTimeField,
    pub end: DayTimeField,
}

impl Default for DayTimeFields {
    /// `interval day to second`, Spark's `DayTimeIntervalType()`.
    fn default() -> Self {
        DayTimeFields {
            start: DayTimeField::Day,
            end: DayTimeField::Second,
        }
    }
}

impl DayTimeFields {
    pub fn new(start: DayTimeField, end: DayTimeField) -> Self {
        DayTimeFields {
            start: start.min(end),
            end: start.max(end),
        }
    }

    /// The type holding both (Spark's wider day-time interval: the first start, the last
    /// end), as `CASE`, `coalesce` and `interval + interval` give.
    pub fn widen(self, other: DayTimeFields) -> DayTimeFields {
        DayTimeFields {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
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
                let (start, end) = (DayTimeField::from_name(s)?, DayTimeField::from_name(e)?);
                (start < end).then_some(DayTimeFields { start, end })
            }
            None => {
                let f = DayTimeField::from_name(text)?;
                Some(DayTimeFields { start: f, end: f })
            }
        }
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

/// The fields of a day-time interval column (`interval day to second` when its metadata
/// does not say).
pub fn fields_of(field: &Field) -> DayTimeFields {
    field
        .metadata()
        .get(FIELDS_KEY)
        .and_then(|t| DayTimeFields::parse(t))
        .unwrap_or_default()
}

/// Spark's text of a day-time interval (`IntervalUtils.toDayTimeIntervalString`, ANSI
/// style), as `CAST(iv AS STRING)`, `show()` and the CSV writer print it:
/// `INTERVAL '1 12:00:00.5' DAY TO SECOND`, `INTERVAL '-90' MINUTE`, `INTERVAL '03' HOUR`.
pub fn format_day_time(micros: i64, fields: DayTimeFields, out: &mut String) {
    use std::fmt::Write;
    use DayTimeField as F;
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
            F::Second => "-9223372036854.775808",
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
        F::Second => seconds(rest, out),
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

/// [`format_day_time`] as a new string.
pub fn day_time_text(micros: i64, fields: DayTimeFields) -> String {
    let mut out = String::with_capacity(40);
    format_day_time(micros, fields, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use DayTimeField as F;

    fn text(micros: i64, start: F, end: F) -> String {
        day_time_text(micros, DayTimeFields::new(start, end))
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
    fn fields_travel_in_metadata() {
        let fields = DayTimeFields::new(F::Hour, F::Minute);
        let field = Field::new("x", day_time_type(), true).with_metadata(fields.metadata());
        assert_eq!(fields_of(&field), fields);
        assert_eq!(fields.spark_name(), "interval hour to minute");
        let plain = Field::new("x", day_time_type(), true);
        assert_eq!(fields_of(&plain), DayTimeFields::default());
        assert_eq!(
            DayTimeFields::new(F::Day, F::Day).widen(DayTimeFields::new(F::Hour, F::Hour)),
            DayTimeFields::new(F::Day, F::Hour)
        );
    }
}
