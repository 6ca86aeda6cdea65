//! Spark's `timestampadd(unit, n, ts)` and `timestampdiff(unit, start, end)` (also written
//! `dateadd` / `date_add` and `datediff` / `date_diff` with a unit first): a timestamp
//! moved by a whole number of units, and the whole units between two timestamps, on the
//! wall clock of the session zone (UTC), as Java's `LocalDateTime` arithmetic does.

use super::civil_from_days;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The units Spark's grammar takes, unquoted, as the first argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatetimeUnit {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    /// A day, for `timestampadd` only (Spark refuses it in `timestampdiff`).
    DayOfYear,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
}

impl DatetimeUnit {
    /// Every unit, in the order Spark's messages list them.
    pub const ALL: [DatetimeUnit; 11] = [
        DatetimeUnit::Year,
        DatetimeUnit::Quarter,
        DatetimeUnit::Month,
        DatetimeUnit::Week,
        DatetimeUnit::Day,
        DatetimeUnit::DayOfYear,
        DatetimeUnit::Hour,
        DatetimeUnit::Minute,
        DatetimeUnit::Second,
        DatetimeUnit::Millisecond,
        DatetimeUnit::Microsecond,
    ];

    /// The unit's keyword, as Spark spells it.
    pub fn name(self) -> &'static str {
        match self {
            DatetimeUnit::Year => "YEAR",
            DatetimeUnit::Quarter => "QUARTER",
            DatetimeUnit::Month => "MONTH",
            DatetimeUnit::Week => "WEEK",
            DatetimeUnit::Day => "DAY",
            DatetimeUnit::DayOfYear => "DAYOFYEAR",
            DatetimeUnit::Hour => "HOUR",
            DatetimeUnit::Minute => "MINUTE",
            DatetimeUnit::Second => "SECOND",
            DatetimeUnit::Millisecond => "MILLISECOND",
            DatetimeUnit::Microsecond => "MICROSECOND",
        }
    }

    /// The unit a keyword names, in any case.
    pub fn from_name(name: &str) -> Option<DatetimeUnit> {
        Self::ALL
            .into_iter()
            .find(|unit| unit.name().eq_ignore_ascii_case(name))
    }

    /// Months in one unit, for the units counted on the calendar.
    fn months(self) -> Option<i64> {
        match self {
            DatetimeUnit::Year => Some(12),
            DatetimeUnit::Quarter => Some(3),
            DatetimeUnit::Month => Some(1),
            _ => None,
        }
    }

    /// Microseconds in one unit, for the others.
    fn micros(self) -> i64 {
        match self {
            DatetimeUnit::Week => 7 * MICROS_PER_DAY,
            DatetimeUnit::Day | DatetimeUnit::DayOfYear => MICROS_PER_DAY,
            DatetimeUnit::Hour => 3_600_000_000,
            DatetimeUnit::Minute => 60_000_000,
            DatetimeUnit::Second => 1_000_000,
            DatetimeUnit::Millisecond => 1_000,
            DatetimeUnit::Microsecond => 1,
            DatetimeUnit::Year | DatetimeUnit::Quarter | DatetimeUnit::Month => 0,
        }
    }
}

/// `micros` moved by `quantity` units; `None` when the result is out of the range of
/// timestamps (Spark's `DATETIME_OVERFLOW`). Months keep the day of month, or take the
/// month's last day when it is shorter, as `LocalDateTime.plusMonths`.
///
/// ```
/// use brasa::temporal::units::{add, DatetimeUnit};
/// let jan_31 = 19_753 * 86_400_000_000; // 2024-01-31
/// let feb_29 = 19_782 * 86_400_000_000;
/// assert_eq!(add(DatetimeUnit::Month, 1, jan_31), Some(feb_29));
/// assert_eq!(add(DatetimeUnit::Day, 29, jan_31), Some(feb_29));
/// ```
pub fn add(unit: DatetimeUnit, quantity: i64, micros: i64) -> Option<i64> {
    match unit.months() {
        Some(per_unit) => add_months(micros, quantity.checked_mul(per_unit)?),
        None => micros.checked_add(quantity.checked_mul(unit.micros())?),
    }
}

fn add_months(micros: i64, months: i64) -> Option<i64> {
    let (days, time) = (
        micros.div_euclid(MICROS_PER_DAY),
        micros.rem_euclid(MICROS_PER_DAY),
    );
    super::add_months(days, months)?
        .checked_mul(MICROS_PER_DAY)?
        .checked_add(time)
}

/// The whole units from `start` to `end`, truncated toward zero, as Java's
/// `ChronoUnit.between` on local date-times: calendar units count a month only when the
/// day of month and time are reached (`2024-01-31` to `2024-02-29` is 0 months), weeks and
/// smaller units divide the exact difference. `None` for `DAYOFYEAR`, which Spark's
/// `timestampdiff` does not take.
pub fn between(unit: DatetimeUnit, start: i64, end: i64) -> Option<i64> {
    if unit == DatetimeUnit::DayOfYear {
        return None;
    }
    Some(match unit.months() {
        Some(per_unit) => months_between(start, end) / per_unit,
        // The difference of two timestamps fits in an i128; its quotient by a unit of at
        // least a microsecond fits back in an i64 but for the one extreme pair.
        None => {
            let units = (i128::from(end) - i128::from(start)) / i128::from(unit.micros());
            i64::try_from(units).unwrap_or(if units < 0 { i64::MIN } else { i64::MAX })
        }
    })
}

/// Whole months from `start` to `end`, as `LocalDateTime.until(end, MONTHS)`: the end's
/// date steps back a day toward the start when its time of day has not reached the
/// start's, then months count by (month, day) pairs.
fn months_between(start: i64, end: i64) -> i64 {
    let split = |micros: i64| {
        (
            micros.div_euclid(MICROS_PER_DAY),
            micros.rem_euclid(MICROS_PER_DAY),
        )
    };
    let ((start_day, start_time), (mut end_day, end_time)) = (split(start), split(end));
    if end_day > start_day && end_time < start_time {
        end_day -= 1;
    } else if end_day < start_day && end_time > start_time {
        end_day += 1;
    }
    let packed = |days: i64| {
        let (year, month, day) = civil_from_days(days);
        (year * 12 + i64::from(month) - 1) * 32 + i64::from(day)
    };
    (packed(end_day) - packed(start_day)) / 32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::days_from_civil;

    fn at(year: i64, month: u32, day: u32, hour: i64) -> i64 {
        days_from_civil(year, month, day) * MICROS_PER_DAY + hour * 3_600_000_000
    }

    #[test]
    fn months_keep_the_day_or_take_the_months_last() {
        use DatetimeUnit::*;
        assert_eq!(
            add(Month, 1, at(2024, 1, 31, 10)),
            Some(at(2024, 2, 29, 10))
        );
        assert_eq!(
            add(Quarter, -1, at(2024, 5, 31, 10)),
            Some(at(2024, 2, 29, 10))
        );
        assert_eq!(add(Year, 1, at(2024, 2, 29, 1)), Some(at(2025, 2, 28, 1)));
        assert_eq!(add(Week, 2, at(2024, 1, 31, 0)), Some(at(2024, 2, 14, 0)));
        assert_eq!(add(Year, 1_000_000_000, 0), None);
        assert_eq!(add(Microsecond, i64::MAX, 1), None);
        assert_eq!(add(Month, i64::MIN, 0), None);
        assert_eq!(add(Month, i64::MIN + 1, 0), None);
    }

    #[test]
    fn differences_count_whole_units_toward_zero() {
        use DatetimeUnit::*;
        let half_past_ten = at(2024, 1, 1, 10) + 1_800_000_000;
        let cases = [
            (Month, at(2024, 1, 31, 10), at(2024, 2, 29, 11), 0),
            (Month, at(2024, 3, 1, 0), at(2024, 1, 31, 10), -1),
            (Year, at(2020, 2, 29, 0), at(2021, 2, 28, 0), 0),
            (Year, at(2020, 2, 29, 0), at(2024, 2, 29, 0), 4),
            (Quarter, at(2020, 7, 14, 0), at(2020, 1, 15, 0), -1),
            (Day, at(2024, 1, 3, 9), at(2024, 1, 1, 10), -1),
            (Week, at(2024, 1, 15, 0), at(2024, 1, 1, 0), -2),
            (Hour, half_past_ten, at(2024, 1, 1, 8), -2),
        ];
        for (unit, start, end, units) in cases {
            assert_eq!(between(unit, start, end), Some(units), "{unit:?}");
        }
        assert_eq!(between(DayOfYear, 0, 1), None);
    }
}
