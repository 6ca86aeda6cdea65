//! Text to dates and timestamps as Spark's `CAST(s AS DATE)` and `CAST(s AS TIMESTAMP)`
//! read it (`DateTimeUtils.stringToDate` / `stringToTimestamp`), which accept more than
//! ISO 8601 and more than Arrow's parser: surrounding blanks, a year alone (`2024`), a
//! year and month (`2024-3`), one-digit months, days and time fields, a time without
//! seconds (`2024-03-10 01:00`) or with only an hour (`2024-03-10 01`), a date followed
//! by anything after a blank or `T` (for a date), a time alone (today's date), and a zone
//! after the seconds: `Z`, an offset, `UTC`/`GMT`/`UT` with or without one, a region
//! (`Europe/Paris`) or one of Java's short ids (`PST`). What does not parse is `None`
//! (Spark's non-ANSI cast gives NULL).
//!
//! ```
//! use brasa::temporal::spark_text::{text_to_date, text_to_timestamp};
//! assert_eq!(text_to_date(" 2024-3 "), text_to_date("2024-03-01"));
//! assert_eq!(
//!     text_to_timestamp("2024-03-10 01:00", 0),
//!     text_to_timestamp("2024-03-10T01:00:00Z", 0)
//! );
//! assert_eq!(text_to_timestamp("2024-03-10 01:00Z", 0), None);
//! ```

use crate::temporal::checked_days_from_civil;
use crate::temporal::zone::Zone;

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// What Spark trims around a date or timestamp: blanks and control characters.
fn blank(b: u8) -> bool {
    b <= b' '
}

fn trimmed(text: &str) -> (usize, &[u8]) {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|&b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !blank(b))
        .map_or(start, |e| e + 1);
    (start, &bytes[start..end])
}

/// Days since the epoch of `(year, month, day)`, if it is a real date.
fn civil_days(year: i64, month: i64, day: i64) -> Option<i64> {
    checked_days_from_civil(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Spark's `CAST(text AS DATE)`: `[+-]yyyy*`, `[+-]yyyy*-[m]m`, `[+-]yyyy*-[m]m-[d]d`,
/// the last followed by anything after a blank or `T`; the year has 4 to 7 digits.
pub fn text_to_date(text: &str) -> Option<i32> {
    let (_, bytes) = trimmed(text);
    let (sign, bytes) = match bytes.first()? {
        b'-' => (-1, &bytes[1..]),
        b'+' => (1, &bytes[1..]),
        _ => (1, bytes),
    };
    let mut fields = [1i64, 1, 1];
    let mut field = 0;
    let mut value = 0i64;
    let mut digits = 0;
    let valid = |field: usize, digits: usize| match field {
        0 => (4..=7).contains(&digits),
        _ => (1..=2).contains(&digits),
    };
    let mut stopped = false;
    for &b in bytes {
        if b == b' ' || b == b'T' {
            stopped = true;
            break;
        }
        match b {
            b'-' if field < 2 => {
                if !valid(field, digits) {
                    return None;
                }
                fields[field] = value;
                (field, value, digits) = (field + 1, 0, 0);
            }
            b'0'..=b'9' => {
                value = value.wrapping_mul(10).wrapping_add((b - b'0') as i64);
                digits += 1;
            }
            _ => return None,
        }
    }
    // A year, or a year and month, must be the whole text.
    if !valid(field, digits) || (field < 2 && stopped) {
        return None;
    }
    fields[field] = value;
    let days = civil_days(sign * fields[0], fields[1], fields[2])?;
    i32::try_from(days).ok()
}

/// A timestamp's fields as Spark's parser leaves them.
#[derive(Debug, Default)]
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
    /// A time without a date: the date is today's.
    time_only: bool,
    zone: Option<String>,
}

/// Spark's `parseTimestampString`: the fields of `[+-]yyyy*[-[m]m[-[d]d[( |T)[h]h[:[m]m[:
/// [s]s[.fraction][zone]]]]]]`, or of a time alone (`[h]h:[m]m...`, `T[h]h...`).
fn timestamp_fields(text: &str) -> Option<Fields> {
    let (start, bytes) = trimmed(text);
    if bytes.is_empty() {
        return None;
    }
    // year, month, day, hour, minute, second, fraction, zone digits
    let mut fields = [1i64, 1, 1, 0, 0, 0, 0, 0];
    let mut field = 0usize;
    let mut value = 0i64;
    let mut digits = 0usize;
    let mut fraction_digits = 0usize;
    let mut time_only = false;
    let mut zone = None;
    let valid = |field: usize, digits: usize| match field {
        0 => (4..=6).contains(&digits),
        6 => true,
        7 => digits <= 2,
        _ => (1..=2).contains(&digits),
    };
    let (signed, year_sign, mut j) = match bytes[0] {
        b'-' => (true, -1, 1),
        b'+' => (true, 1, 1),
        _ => (false, 1, 0),
    };
    while j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_digit() {
            if field == 6 {
                fraction_digits += 1;
            }
            // Fraction digits past the microseconds are dropped.
            if field != 6 || digits < 6 {
                value = value.wrapping_mul(10).wrapping_add((b - b'0') as i64);
            }
            digits += 1;
            j += 1;
            continue;
        }
        // Ends the current field (checking its digits) and moves to `next`.
        let mut end_field = |next: usize, field: &mut usize| -> Option<()> {
            valid(*field, digits).then_some(())?;
            fields[*field] = value;
            (*field, value, digits) = (next, 0, 0);
            Some(())
        };
        match field {
            // Spark looks at the first byte of the text as given, before trimming.
            _ if start + j == 0 && b == b'T' => {
                time_only = true;
                field += 3;
            }
            0 | 1 if b == b'-' => end_field(field + 1, &mut field)?,
            0 if b == b':' && !signed => {
                time_only = true;
                field = 3;
                end_field(4, &mut field)?;
            }
            2 if b == b' ' || b == b'T' => end_field(3, &mut field)?,
            3 | 4 if b == b':' => end_field(field + 1, &mut field)?,
            5 if b == b'.' => end_field(6, &mut field)?,
            5 | 6 => {
                // The zone: everything after the seconds or their fraction.
                end_field(7, &mut field)?;
                zone = Some(String::from_utf8_lossy(&bytes[j..]).trim().to_string());
                break;
            }
            _ => return None,
        }
        j += 1;
    }
    if !valid(field, digits) {
        return None;
    }
    fields[field] = value;
    // The fraction as microseconds.
    for _ in fraction_digits..6 {
        fields[6] *= 10;
    }
    Some(Fields {
        year: year_sign * fields[0],
        month: fields[1],
        day: fields[2],
        hour: fields[3],
        minute: fields[4],
        second: fields[5],
        micros: fields[6],
        time_only,
        zone,
    })
}

impl Fields {
    /// The wall-clock time of these fields on `days` (since the epoch) in microseconds,
    /// if the time of day is a real one.
    fn local_micros(&self, days: i64) -> Option<i64> {
        if self.hour > 23 || self.minute > 59 || self.second > 59 {
            return None;
        }
        let seconds = self.hour * 3600 + self.minute * 60 + self.second;
        days.checked_mul(MICROS_PER_DAY)?
            .checked_add(seconds * MICROS_PER_SECOND + self.micros)
    }
}

/// Spark's `CAST(text AS TIMESTAMP)` as microseconds since the epoch: read in the text's
/// zone, or in the session's (UTC) without one; a time alone is on `today` (days since
/// the epoch, in the session zone).
pub fn text_to_timestamp(text: &str, today: i32) -> Option<i64> {
    let f = timestamp_fields(text)?;
    let zone = match &f.zone {
        Some(name) => Some(Zone::parse(name)?),
        None => None,
    };
    let days = if f.time_only {
        today as i64
    } else {
        civil_days(f.year, f.month, f.day)?
    };
    let local = f.local_micros(days)?;
    let offset = zone.map_or(0, |z| z.offset_at_local(local));
    local.checked_sub(offset.checked_mul(MICROS_PER_SECOND)?)
}

/// Spark's `CAST(text AS TIMESTAMP_NTZ)`: the same fields, any zone dropped, a time
/// alone refused.
pub fn text_to_local_timestamp(text: &str) -> Option<i64> {
    let f = timestamp_fields(text)?;
    if f.time_only {
        return None;
    }
    f.local_micros(civil_days(f.year, f.month, f.day)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::days_from_civil;

    fn micros(text: &str) -> Option<i64> {
        text_to_timestamp(text, 19_000)
    }

    fn at(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64, us: i64) -> i64 {
        days_from_civil(y, mo, d) * MICROS_PER_DAY + (h * 3600 + mi * 60 + s) * 1_000_000 + us
    }

    #[test]
    fn dates_as_spark_reads_them() {
        let day = |y, m, d| Some(days_from_civil(y, m, d) as i32);
        assert_eq!(text_to_date("2024-01-05"), day(2024, 1, 5));
        assert_eq!(text_to_date(" 2024-1-5 "), day(2024, 1, 5));
        assert_eq!(text_to_date("2024"), day(2024, 1, 1));
        assert_eq!(text_to_date("2024-03"), day(2024, 3, 1));
        assert_eq!(text_to_date("2024-03-05 anything"), day(2024, 3, 5));
        assert_eq!(text_to_date("2024-03-05Tx"), day(2024, 3, 5));
        assert_eq!(text_to_date("-0044-03-15"), day(-44, 3, 15));
        for bad in [
            "",
            "24-01-01",
            "2024-",
            "2024-13-01",
            "2023-02-29",
            "2024 x",
            "2024-01-01x",
        ] {
            assert_eq!(text_to_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_as_spark_reads_them() {
        let today = 19_000 * MICROS_PER_DAY;
        let read = [
            ("2024-03-10 01:00", at(2024, 3, 10, 1, 0, 0, 0)),
            ("2024-03-10 01", at(2024, 3, 10, 1, 0, 0, 0)),
            (" 2024-01-01 ", at(2024, 1, 1, 0, 0, 0, 0)),
            ("2024-1-2T3:4:5.5", at(2024, 1, 2, 3, 4, 5, 500_000)),
            (
                "2024-01-01 10:00:00.1234567",
                at(2024, 1, 1, 10, 0, 0, 123_456),
            ),
            ("2024-01-01T10:00:00Z", at(2024, 1, 1, 10, 0, 0, 0)),
            ("2024-01-01 10:00:00+01:30", at(2024, 1, 1, 8, 30, 0, 0)),
            ("2024-01-01 10:00:00 UTC-2", at(2024, 1, 1, 12, 0, 0, 0)),
            // Paris is UTC+1 in January, UTC+2 in July.
            (
                "2024-01-01 10:00:00 Europe/Paris",
                at(2024, 1, 1, 9, 0, 0, 0),
            ),
            (
                "2024-07-01 10:00:00Europe/Paris",
                at(2024, 7, 1, 8, 0, 0, 0),
            ),
            ("2024-01-01 10:00:00 EST", at(2024, 1, 1, 15, 0, 0, 0)),
            ("10:30", today + 37_800_000_000),
            ("T10:30:00", today + 37_800_000_000),
        ];
        for (text, expected) in read {
            assert_eq!(micros(text), Some(expected), "{text}");
        }
        for bad in [
            "",
            "x",
            "2024-01-01 10:00Z",
            "2024-01-01Z",
            "2024-01-01 24:00:00",
            "2024-01-01 10:60",
            "2024-01-01 10:00:00 Nowhere/City",
            "2024-01-01 10:00:00+19",
            "2024-01-01 10:00:00+1é1",
            "2024-01-01 10:00:00 é",
            "-10:30",
        ] {
            assert_eq!(micros(bad), None, "{bad}");
        }
    }

    #[test]
    fn local_timestamps_drop_the_zone() {
        assert_eq!(
            text_to_local_timestamp("2024-01-01 10:00:00+01:00"),
            Some(at(2024, 1, 1, 10, 0, 0, 0))
        );
        assert_eq!(text_to_local_timestamp("10:30"), None);
    }
}
