//! Calendar arithmetic on the proleptic Gregorian calendar (what Spark and Arrow use),
//! shared by the readers and the data generator, and Spark's datetime patterns
//! ([`pattern`]), shared by SQL's date functions and the CSV reader's `dateFormat`.

pub mod pattern;
pub mod spark_text;
pub mod time_of_day;
pub mod units;
pub mod zone;

/// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: `(year, month, day)` (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days since 1970-01-01 of `(year, month, day)`, if it is a real date.
pub fn checked_days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
        .then(|| days_from_civil(year, month, day))
}

/// The day `months` months after the day `days` (before, when negative): the same day of
/// the month, or the month's last day when it is shorter, as `add_months` and Java's
/// `plusMonths`. `None` past a billion years either way.
pub fn add_months(days: i64, months: i64) -> Option<i64> {
    let (year, month, day) = civil_from_days(days);
    let total = (year.checked_mul(12)? + i64::from(month) - 1).checked_add(months)?;
    if total.unsigned_abs() > 12 * 1_000_000_000 {
        return None;
    }
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    Some(days_from_civil(
        year,
        month,
        day.min(days_in_month(year, month)),
    ))
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `yyyy-MM-dd` for a day number (a year before 1 as `-0044`, one after 9999 as
/// `+10237`, as Spark prints them).
pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    let sign = match y {
        ..0 => "-",
        10_000.. => "+",
        _ => "",
    };
    format!("{sign}{:04}-{m:02}-{d:02}", y.unsigned_abs())
}

/// `yyyy-MM-dd HH:mm:ss[.ffffff]` (UTC) for microseconds since the epoch.
pub fn format_timestamp_micros(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let date = format_date(days);
    if fraction == 0 {
        format!("{date} {h:02}:{m:02}:{s:02}")
    } else {
        format!("{date} {h:02}:{m:02}:{s:02}.{fraction:06}")
    }
}

/// A timestamp as Spark prints it (`CAST(ts AS STRING)`, `show()`): `yyyy-MM-dd
/// HH:mm:ss`, then the fraction of a second only when it is not zero, without trailing
/// zeros (`2023-11-14 22:13:20.5`).
pub fn format_timestamp_spark(micros: i64) -> String {
    let mut text = format_timestamp_micros(micros);
    if text.contains('.') {
        let kept = text.trim_end_matches('0').len();
        text.truncate(kept);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_spark() {
        assert_eq!(
            format_timestamp_spark(1_700_000_000_000_000),
            "2023-11-14 22:13:20"
        );
        assert_eq!(
            format_timestamp_spark(1_700_000_000_500_000),
            "2023-11-14 22:13:20.5"
        );
        assert_eq!(format_timestamp_spark(-900), "1969-12-31 23:59:59.9991");
        assert_eq!(
            format_timestamp_spark(123_456),
            "1970-01-01 00:00:00.123456"
        );
    }

    #[test]
    fn round_trips_days() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(format_date(19_782), "2024-02-29");
        assert_eq!(format_date(days_from_civil(10_237, 9, 21)), "+10237-09-21");
        assert_eq!(format_date(days_from_civil(-44, 3, 15)), "-0044-03-15");
        assert_eq!(format_timestamp_micros(-1), "1969-12-31 23:59:59.999999");
    }
}
