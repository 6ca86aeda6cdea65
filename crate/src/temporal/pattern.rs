//! Spark's datetime patterns (`yyyy-MM-dd HH:mm:ss.SSS`, `dd/MM/yy`, `EEE, d MMM yyyy`,
//! `hh:mm a`, quoted literals): formatting and parsing of UTC timestamps, as
//! `date_format`, `from_unixtime`, `to_timestamp`, `to_date` and `unix_timestamp` use
//! them, and as the CSV reader's `dateFormat` / `timestampFormat` read values. Parsing is strict as Spark's (the whole text must match, numbers must fit their
//! field); what does not parse is NULL.

use std::fmt::Write as _;

use crate::error::{Error, ErrorCode, Result};
use crate::temporal::{civil_from_days, days_from_civil, days_in_month};

const MICROS_PER_DAY: i64 = 86_400_000_000;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One element of a pattern: literal text, or a field letter repeated `count` times.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Literal(String),
    Field(char, usize),
}

/// A parsed pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    tokens: Vec<Token>,
}

fn pattern_error(pattern: &str, message: String) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!("the datetime pattern `{pattern}`: {message}"),
    )
}

impl Pattern {
    pub fn new(pattern: &str) -> Result<Pattern> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        let mut literal = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                // '' is a quote; '...' is literal text.
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(pattern_error(pattern, "an unclosed quote".into()));
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            literal.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&other) => {
                            literal.push(other);
                            i += 1;
                        }
                    }
                }
                continue;
            }
            if c.is_ascii_alphabetic() {
                let mut count = 1;
                while chars.get(i + count) == Some(&c) {
                    count += 1;
                }
                if !"GyuDMLdQqEahKkHmsSVzOXxZ".contains(c) {
                    return Err(pattern_error(
                        pattern,
                        format!("the letter `{c}` is not a field Spark knows"),
                    ));
                }
                if "MLE".contains(c) && count > 4 {
                    return Err(pattern_error(
                        pattern,
                        format!(
                            "`{}` has too many letters (at most 4)",
                            c.to_string().repeat(count)
                        ),
                    ));
                }
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                tokens.push(Token::Field(c, count));
                i += count;
                continue;
            }
            if c == '[' || c == ']' {
                return Err(pattern_error(
                    pattern,
                    "optional sections `[...]` are not supported".into(),
                ));
            }
            literal.push(c);
            i += 1;
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Ok(Pattern { tokens })
    }

    /// Whether the pattern has only fields of a time of day (hours, minutes, seconds,
    /// their fraction, AM/PM), as Spark requires to format a `TIME`.
    pub fn is_time_of_day(&self) -> bool {
        self.tokens.iter().all(|t| {
            matches!(
                t,
                Token::Literal(_) | Token::Field('a' | 'h' | 'K' | 'k' | 'H' | 'm' | 's' | 'S', _)
            )
        })
    }

    /// Writes `micros` (since the epoch, UTC) in this pattern.
    pub fn format(&self, micros: i64, out: &mut String) {
        let days = micros.div_euclid(MICROS_PER_DAY);
        let in_day = micros.rem_euclid(MICROS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let seconds = in_day / 1_000_000;
        let fraction = in_day % 1_000_000;
        let (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        let weekday = (days + 3).rem_euclid(7) as usize; // 0 = Monday
        let pad = |out: &mut String, v: i64, width: usize| {
            let _ = write!(out, "{v:0width$}");
        };
        for token in &self.tokens {
            match token {
                Token::Literal(text) => out.push_str(text),
                Token::Field(c, n) => {
                    let n = *n;
                    match c {
                        'G' => out.push_str(if year > 0 { "AD" } else { "BC" }),
                        'y' | 'u' => {
                            let y = if *c == 'y' && year <= 0 {
                                1 - year
                            } else {
                                year
                            };
                            if n == 2 {
                                pad(out, y.rem_euclid(100), 2);
                            } else {
                                // Java signs a year wider than a 4+ letter field.
                                if n >= 4 && y >= 10i64.pow(n as u32) {
                                    out.push('+');
                                }
                                pad(out, y, n);
                            }
                        }
                        'D' => pad(out, days - days_from_civil(year, 1, 1) + 1, n),
                        'M' | 'L' => match n {
                            1 | 2 => pad(out, month as i64, n),
                            3 => out.push_str(&MONTHS[month as usize - 1][..3]),
                            4 => out.push_str(MONTHS[month as usize - 1]),
                            _ => out.push_str(&MONTHS[month as usize - 1][..1]),
                        },
                        'd' => pad(out, day as i64, n),
                        'Q' | 'q' => {
                            let q = (month as i64 - 1) / 3 + 1;
                            match n {
                                1 | 2 => pad(out, q, n),
                                3 => {
                                    let _ = write!(out, "Q{q}");
                                }
                                _ => {
                                    let suffix = ["st", "nd", "rd", "th"][q as usize - 1];
                                    let _ = write!(out, "{q}{suffix} quarter");
                                }
                            }
                        }
                        'E' => match n {
                            1..=3 => out.push_str(&WEEKDAYS[weekday][..3]),
                            4 => out.push_str(WEEKDAYS[weekday]),
                            _ => out.push_str(&WEEKDAYS[weekday][..1]),
                        },
                        'a' => out.push_str(if hour < 12 { "AM" } else { "PM" }),
                        'h' => pad(out, if hour % 12 == 0 { 12 } else { hour % 12 }, n),
                        'K' => pad(out, hour % 12, n),
                        'k' => pad(out, if hour == 0 { 24 } else { hour }, n),
                        'H' => pad(out, hour, n),
                        'm' => pad(out, minute, n),
                        's' => pad(out, second, n),
                        'S' => {
                            let digits = format!("{fraction:06}000");
                            out.push_str(&digits[..n.min(9)]);
                        }
                        'V' | 'z' => out.push_str("UTC"),
                        'O' => out.push_str("GMT"),
                        'X' => out.push('Z'),
                        'x' => out.push_str(match n {
                            1 => "+00",
                            2 | 4 => "+0000",
                            _ => "+00:00",
                        }),
                        'Z' => out.push_str(match n {
                            1..=3 => "+0000",
                            4 => "GMT",
                            _ => "Z",
                        }),
                        _ => {}
                    }
                }
            }
        }
    }

    /// Reads `text` in this pattern as microseconds since the epoch (UTC); `None` if it
    /// does not match or names a date that does not exist.
    pub fn parse(&self, text: &str) -> Option<i64> {
        let mut rest = text;
        let (mut year, mut month, mut day) = (1970i64, 1u32, 1u32);
        let mut day_of_year: Option<i64> = None;
        let (mut hour, mut minute, mut second, mut micros) = (0i64, 0i64, 0i64, 0i64);
        let mut hour12: Option<i64> = None;
        let mut pm: Option<bool> = None;
        let mut offset_seconds = 0i64;
        for (k, token) in self.tokens.iter().enumerate() {
            let next_is_number = matches!(
                self.tokens.get(k + 1),
                Some(Token::Field(c, _)) if "yuDMLdHhKkmsS".contains(*c)
            );
            match token {
                Token::Literal(lit) => {
                    rest = strip_prefix_ignore_case(rest, lit)?;
                }
                Token::Field(c, n) => {
                    let n = *n;
                    match c {
                        'y' | 'u' => {
                            if n == 2 {
                                let (v, r) = digits(rest, 2, 2)?;
                                year = 2000 + v;
                                rest = r;
                            } else {
                                let max = if next_is_number { n.max(4) } else { 10 };
                                let (v, r) = digits(rest, n.max(1), max)?;
                                year = v;
                                rest = r;
                            }
                        }
                        'M' | 'L' if n >= 3 => {
                            let (m, r) = name_prefix(rest, &MONTHS, n == 3)?;
                            month = m as u32 + 1;
                            rest = r;
                        }
                        'E' => {
                            let (_, r) = name_prefix(rest, &WEEKDAYS, n <= 3)?;
                            rest = r;
                        }
                        'a' => {
                            if let Some(r) = strip_prefix_ignore_case(rest, "AM") {
                                pm = Some(false);
                                rest = r;
                            } else {
                                rest = strip_prefix_ignore_case(rest, "PM")?;
                                pm = Some(true);
                            }
                        }
                        'S' => {
                            let (v, r) = digits(rest, 1, n)?;
                            let width = rest.len() - r.len();
                            if width > 6 {
                                micros = v / 10i64.pow(width as u32 - 6);
                            } else {
                                micros = v * 10i64.pow(6 - width as u32);
                            }
                            rest = r;
                        }
                        'X' | 'x' | 'Z' | 'z' | 'V' | 'O' => {
                            let (offset, r) = zone(rest)?;
                            offset_seconds = offset;
                            rest = r;
                        }
                        'G' => {
                            rest = strip_prefix_ignore_case(rest, "AD")?;
                        }
                        _ => {
                            let (min, max) = if n == 1 { (1, 2) } else { (n, n) };
                            let max = if *c == 'D' && n == 1 { 3 } else { max };
                            let (v, r) = digits(rest, min, max)?;
                            rest = r;
                            match c {
                                'M' | 'L' => month = u32::try_from(v).ok()?,
                                'd' => day = u32::try_from(v).ok()?,
                                'D' => day_of_year = Some(v),
                                'H' => hour = v,
                                'k' => hour = if v == 24 { 0 } else { v },
                                'h' | 'K' => hour12 = Some(v),
                                'm' => minute = v,
                                's' => second = v,
                                'Q' | 'q' => {}
                                _ => return None,
                            }
                        }
                    }
                }
            }
        }
        if !rest.is_empty() {
            return None;
        }
        if let Some(h) = hour12 {
            if !(0..=12).contains(&h) {
                return None;
            }
            hour = h % 12 + if pm == Some(true) { 12 } else { 0 };
        } else if let Some(p) = pm {
            if p && hour < 12 {
                hour += 12;
            }
        }
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || !(0..24).contains(&hour)
            || !(0..60).contains(&minute)
            || !(0..60).contains(&second)
        {
            return None;
        }
        let days = match day_of_year {
            Some(d) => {
                let first = days_from_civil(year, 1, 1);
                let length = days_from_civil(year + 1, 1, 1) - first;
                if !(1..=length).contains(&d) {
                    return None;
                }
                first + d - 1
            }
            None => days_from_civil(year, month, day),
        };
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
        seconds.checked_mul(1_000_000)?.checked_add(micros)
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `min..=max` ASCII digits at the start of `text`.
fn digits(text: &str, min: usize, max: usize) -> Option<(i64, &str)> {
    let count = text
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_digit)
        .count();
    if count < min || count > 18 {
        return None;
    }
    Some((text[..count].parse().ok()?, &text[count..]))
}

/// A month or weekday name (or its 3-letter short form) at the start of `text`.
fn name_prefix<'a>(text: &'a str, names: &[&str], short: bool) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(k, name)| {
        let name = if short { &name[..3] } else { name };
        strip_prefix_ignore_case(text, name).map(|r| (k, r))
    })
}

/// A zone: `Z`, `UTC`, `GMT`, or an offset `+HH`, `+HHMM`, `+HH:MM`; seconds east of UTC.
fn zone(text: &str) -> Option<(i64, &str)> {
    for name in ["UTC", "GMT", "Z"] {
        if let Some(r) = strip_prefix_ignore_case(text, name) {
            if !r.starts_with(['+', '-']) {
                return Some((0, r));
            }
            return zone(r);
        }
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, r) = digits(&text[1..], 2, 2)?;
    let r = r.strip_prefix(':').unwrap_or(r);
    let (m, r) = digits(r, 2, 2).unwrap_or((0, r));
    Some((sign * (h * 3600 + m * 60), r))
}

impl Pattern {
    /// The pattern, if Spark lets it parse: day-of-week and quarter fields (`E`, `Q`, `q`)
    /// only format.
    pub fn check_parsing(&self, pattern: &str) -> Result<()> {
        match self
            .tokens
            .iter()
            .find(|t| matches!(t, Token::Field('E' | 'Q' | 'q', _)))
        {
            Some(Token::Field(c, _)) => Err(pattern_error(
                pattern,
                format!("`{c}` can format dates but not parse them"),
            )),
            _ => Ok(()),
        }
    }
}

/// The pattern of the last call (patterns are nearly always constant).
#[derive(Default)]
pub struct PatternCache {
    last: Option<(String, Pattern)>,
}

impl PatternCache {
    pub fn get(&mut self, pattern: &str) -> Result<&Pattern> {
        if self.last.as_ref().is_none_or(|(p, _)| p != pattern) {
            self.last = Some((pattern.to_string(), Pattern::new(pattern)?));
        }
        Ok(&self.last.as_ref().expect("just set").1)
    }

    /// The pattern, checked for parsing.
    pub fn get_for_parsing(&mut self, pattern: &str) -> Result<&Pattern> {
        let parsed = self.get(pattern)?;
        parsed.check_parsing(pattern)?;
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> i64 {
        crate::io::csv::parse_timestamp_literal(text).unwrap()
    }

    #[test]
    fn formats_like_spark() {
        let t = ts("2024-05-07 13:04:09.123456");
        let show = |p: &str| {
            let mut s = String::new();
            Pattern::new(p).unwrap().format(t, &mut s);
            s
        };
        assert_eq!(show("yyyy-MM-dd HH:mm:ss"), "2024-05-07 13:04:09");
        assert_eq!(show("yy/M/d h:mm a"), "24/5/7 1:04 PM");
        assert_eq!(show("EEE, d MMM yyyy"), "Tue, 7 May 2024");
        assert_eq!(show("EEEE MMMM"), "Tuesday May");
        assert_eq!(show("SSS"), "123");
        assert_eq!(show("D 'day' Q"), "128 day 2");
        assert_eq!(show("yyyy-MM-dd'T'HH:mm:ss''"), "2024-05-07T13:04:09'");
    }

    #[test]
    fn parses_strictly() {
        let p = |pattern: &str, text: &str| Pattern::new(pattern).unwrap().parse(text);
        assert_eq!(
            p("yyyy-MM-dd", "2024-05-07"),
            Some(ts("2024-05-07 00:00:00"))
        );
        assert_eq!(
            p("dd/MM/yyyy HH:mm", "07/05/2024 13:04"),
            Some(ts("2024-05-07 13:04:00"))
        );
        assert_eq!(p("yyyy-MM-dd", "2024-5-07"), None);
        assert_eq!(p("yyyy-MM-dd", "2024-02-30"), None);
        assert_eq!(p("yyyy-MM-dd", "2024-05-07 10:00"), None);
        assert_eq!(
            p("d MMM yyyy h:mm a", "7 may 2024 1:04 PM"),
            Some(ts("2024-05-07 13:04:00"))
        );
        assert_eq!(p("yyyyMMdd", "20240507"), Some(ts("2024-05-07 00:00:00")));
        assert!(Pattern::new("yyyy-ww").is_err());
    }
}
