//! Spark 4's `TIME` values: a time of day without a date or zone, kept as microseconds
//! since midnight (Arrow's `Time64(Microsecond)`; Spark keeps microseconds too). How
//! Spark reads one from text (`CAST(s AS TIME)`, `TIME '...'` literals) and prints one
//! (`CAST(t AS STRING)`, `show()`, CSV), in one place for the SQL engine, the result grid
//! and the writers.

/// Microseconds in a day: a `TIME` value is in `0..MICROS_PER_DAY`.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Whether `micros` is a time of day Spark accepts (00:00:00 to 23:59:59.999999).
pub fn is_time_of_day(micros: i64) -> bool {
    (0..MICROS_PER_DAY).contains(&micros)
}

/// A time as Spark prints it: `HH:mm:ss`, then the fraction of a second only when it is
/// not zero, without trailing zeros (`12:34:56.1`, `00:00:00.000001`), appended to `out`
/// so a column is written without a string per row.
pub fn write_time_spark(micros: i64, out: &mut String) {
    use std::fmt::Write;
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    // Writing into a String cannot fail.
    let _ = write!(out, "{h:02}:{m:02}:{s:02}");
    if fraction != 0 {
        let mut digits = 6;
        let mut f = fraction;
        while f % 10 == 0 {
            f /= 10;
            digits -= 1;
        }
        let _ = write!(out, ".{f:0digits$}");
    }
}

/// [`write_time_spark`] as a new string.
pub fn format_time_spark(micros: i64) -> String {
    let mut out = String::with_capacity(15);
    write_time_spark(micros, &mut out);
    out
}

/// Reads a time as Spark's `CAST(s AS TIME)` does: an optional leading `T`, surrounding
/// whitespace ignored, then `H[H]:m[m]` with optional `:s[s]` and a fraction of up to
/// nine digits (cut to microseconds; a bare `.` is none). Hours 0-23, minutes and seconds 0-59; anything
/// else (a date, `24:00`, a bare hour) is `None`.
pub fn parse_time_spark(text: &str) -> Option<i64> {
    // The `T` only as the very first character (Spark reads `' T12:34'` and `'t12:34'`
    // as NULL), then whitespace around the rest is ignored.
    let text = text.strip_prefix('T').unwrap_or(text);
    let text = text.trim_matches(|c: char| c <= ' ');
    let (hour, rest) = field(text)?;
    let rest = rest.strip_prefix(':')?;
    let (minute, rest) = field(rest)?;
    let (second, micros) = match rest.strip_prefix(':') {
        None if rest.is_empty() => (0, 0),
        None => return None,
        Some(rest) => {
            let (second, rest) = field(rest)?;
            let micros = match rest.strip_prefix('.') {
                None if rest.is_empty() => 0,
                None => return None,
                // Spark takes `12:34:56.` (a point with no digits) as whole seconds.
                Some("") => 0,
                Some(fraction) => fraction_micros(fraction)?,
            };
            (second, micros)
        }
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(((hour * 60 + minute) * 60 + second) * 1_000_000 + micros)
}

/// One or two digits and what follows them.
fn field(text: &str) -> Option<(i64, &str)> {
    let n = text.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&n) {
        return None;
    }
    Some((text[..n].parse().ok()?, &text[n..]))
}

/// The microseconds of a fraction's digits (one to nine; past six, cut).
fn fraction_micros(digits: &str) -> Option<i64> {
    if !(1..=9).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kept = &digits[..digits.len().min(6)];
    let value: i64 = kept.parse().ok()?;
    Some(value * 10i64.pow(6 - kept.len() as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_spark() {
        assert_eq!(format_time_spark(45_296_000_000), "12:34:56");
        assert_eq!(format_time_spark(45_296_100_000), "12:34:56.1");
        assert_eq!(format_time_spark(1), "00:00:00.000001");
        assert_eq!(format_time_spark(MICROS_PER_DAY - 1), "23:59:59.999999");
    }

    #[test]
    fn reads_as_spark() {
        assert_eq!(parse_time_spark("12:34"), Some(45_240_000_000));
        assert_eq!(parse_time_spark("T1:2:3 "), Some(3_723_000_000));
        assert_eq!(parse_time_spark(" 1:2:3 "), Some(3_723_000_000));
        assert_eq!(parse_time_spark("12:34:56.1234567"), Some(45_296_123_456));
        assert_eq!(parse_time_spark("12:34:56."), Some(45_296_000_000));
        for bad in [
            "25:00",
            "12",
            "abc",
            "2024-01-01 12:34:56",
            "12:34:56Z",
            "12:60",
            " T1:2",
            "t1:2",
        ] {
            assert_eq!(parse_time_spark(bad), None, "{bad}");
        }
    }
}
