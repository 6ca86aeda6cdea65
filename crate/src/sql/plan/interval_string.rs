//! Interval strings as Spark reads them (`IntervalUtils.stringToInterval`): `'1 hour'`,
//! `'interval 1 day 2 hours'`, `'-5 minutes'`, `'1.5 seconds'`, units spelled out
//! (year, month, week, day, hour, minute, second, millisecond, microsecond, each with an
//! optional `s`), case-insensitive, summed. Only seconds may have a fraction (up to nine
//! digits, cut to microseconds); `window`'s durations are read this way.

/// An interval's months, days and microseconds, kept apart as Spark's `CalendarInterval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CalendarInterval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

const MICROS_PER_SECOND: i64 = 1_000_000;
const UNITS: [(&str, Unit); 9] = [
    ("year", Unit::Months(12)),
    ("week", Unit::Days(7)),
    ("day", Unit::Days(1)),
    ("hour", Unit::Micros(3_600 * MICROS_PER_SECOND)),
    ("second", Unit::Micros(MICROS_PER_SECOND)),
    ("month", Unit::Months(1)),
    ("minute", Unit::Micros(60 * MICROS_PER_SECOND)),
    ("millisecond", Unit::Micros(1_000)),
    ("microsecond", Unit::Micros(1)),
];

#[derive(Debug, Clone, Copy)]
enum Unit {
    Months(i64),
    Days(i64),
    Micros(i64),
}

/// The interval `text` is, or `None` where Spark cannot parse it (its
/// `CANNOT_PARSE_INTERVAL`), a field out of range included.
pub fn parse(text: &str) -> Option<CalendarInterval> {
    let lower = text.trim().to_ascii_lowercase();
    let mut rest = lower.as_str();
    if let Some(after) = rest.strip_prefix("interval") {
        // `interval` alone, or glued to what follows, is not an interval.
        if !after.starts_with(|c: char| c.is_whitespace()) {
            return None;
        }
        rest = after;
    }
    let mut interval = CalendarInterval::default();
    let mut any = false;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return any.then_some(interval);
        }
        let (value, fraction, after) = number(rest)?;
        rest = after.trim_start();
        let (unit, after) = unit(rest)?;
        // Only seconds take a fraction.
        if fraction.is_some() && !matches!(unit, Unit::Micros(MICROS_PER_SECOND)) {
            return None;
        }
        add(&mut interval, value, fraction.unwrap_or(0), unit)?;
        any = true;
        rest = after;
    }
}

/// A signed number with an optional fraction (in microseconds, signed as the number),
/// followed by whitespace; and what follows it.
fn number(text: &str) -> Option<(i64, Option<i64>, &str)> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, text[1..].trim_start()),
        b'+' => (false, text[1..].trim_start()),
        _ => (false, text),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let mut value: i64 = 0;
    for b in rest[..digits].bytes() {
        value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let mut rest = &rest[digits..];
    let mut fraction = None;
    if let Some(after) = rest.strip_prefix('.') {
        let places = after.bytes().take_while(u8::is_ascii_digit).count();
        // `.` alone is no number; more than nanoseconds is out of Spark's range.
        if (digits == 0 && places == 0) || places > 9 {
            return None;
        }
        let mut nanos: i64 = 0;
        for (i, b) in after[..places].bytes().enumerate() {
            nanos += i64::from(b - b'0') * 10i64.pow(8 - i as u32);
        }
        fraction = Some(nanos / 1_000);
        rest = &after[places..];
    } else if digits == 0 {
        return None;
    }
    if !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    let sign = if negative { -1 } else { 1 };
    Some((value * sign, fraction.map(|f| f * sign), rest))
}

/// A unit, with an optional plural `s`, ending at whitespace or the end; and what follows.
fn unit(text: &str) -> Option<(Unit, &str)> {
    let (name, unit) = UNITS.iter().find(|(name, _)| text.starts_with(name))?;
    let rest = &text[name.len()..];
    let rest = rest.strip_prefix('s').unwrap_or(rest);
    if !rest.is_empty() && !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    Some((*unit, rest))
}

fn add(interval: &mut CalendarInterval, value: i64, fraction: i64, unit: Unit) -> Option<()> {
    match unit {
        Unit::Months(n) => {
            let months = i64::from(interval.months).checked_add(value.checked_mul(n)?)?;
            interval.months = i32::try_from(months).ok()?;
        }
        Unit::Days(n) => {
            let days = i64::from(interval.days).checked_add(value.checked_mul(n)?)?;
            interval.days = i32::try_from(days).ok()?;
        }
        Unit::Micros(n) => {
            interval.micros = interval
                .micros
                .checked_add(value.checked_mul(n)?)?
                .checked_add(fraction)?;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(text: &str) -> Option<(i32, i32, i64)> {
        parse(text).map(|i| (i.months, i.days, i.micros))
    }

    /// Each case checked against Spark 4.3's `window(ts, '<text>')`.
    #[test]
    fn reads_spark_interval_strings() {
        let hour = 3_600_000_000;
        assert_eq!(micros("1 hour"), Some((0, 0, hour)));
        assert_eq!(micros("  1   HOURS  "), Some((0, 0, hour)));
        assert_eq!(
            micros("interval 1 hour 30 minutes"),
            Some((0, 0, hour * 3 / 2))
        );
        assert_eq!(micros("1 hour 1 hour"), Some((0, 0, 2 * hour)));
        assert_eq!(micros("1 day -1 hour"), Some((0, 1, -hour)));
        assert_eq!(micros("+1 hour"), Some((0, 0, hour)));
        assert_eq!(micros("- 1 hour"), Some((0, 0, -hour)));
        assert_eq!(micros("1 week 1 microsecond"), Some((0, 7, 1)));
        assert_eq!(micros("0 months 1 hour"), Some((0, 0, hour)));
        assert_eq!(micros("1 month"), Some((1, 0, 0)));
        assert_eq!(micros("1 year"), Some((12, 0, 0)));
        assert_eq!(micros("1.5 seconds"), Some((0, 0, 1_500_000)));
        assert_eq!(micros(".5 seconds"), Some((0, 0, 500_000)));
        assert_eq!(micros("1. seconds"), Some((0, 0, 1_000_000)));
        assert_eq!(micros("1.0000001 seconds"), Some((0, 0, 1_000_000)));
        assert_eq!(micros("-1.5 seconds"), Some((0, 0, -1_500_000)));
        assert_eq!(micros("1 milliseconds"), Some((0, 0, 1_000)));
        for bad in [
            "",
            "interval",
            "abc",
            "1hour",
            "1.5 minutes",
            "1 hr",
            "1 min",
            "1 sec",
            "1 ms",
            "1 h",
            "1 us",
            "1",
            "hour",
            "1 hourx",
            "1.0000000001 seconds",
            ". seconds",
            "intervals 1 hour",
            "99999999999999999999 hours",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
