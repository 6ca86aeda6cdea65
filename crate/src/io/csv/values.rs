//! Parsing single CSV values, and the lattice of types schema inference walks.
//!
//! The parsers work on raw bytes (no UTF-8 check, no allocation) because they run once per
//! cell on the hot path of loading. They accept what Spark's CSV reader accepts for each
//! type with its default formats (`yyyy-MM-dd` dates, ISO-8601 timestamps), plus
//! surrounding spaces around non-string values.

use arrow_schema::{DataType, TimeUnit};

use crate::decimal_digits::{self, INT_DIGITS, LONG_DIGITS, MAX_PRECISION};
use crate::temporal::checked_days_from_civil;

/// The types CSV inference can produce, ordered so that [`ColumnType::join`] widens,
/// and the narrower ones only a schema given by the user asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Only nulls seen so far.
    Null,
    Boolean,
    Int32,
    Int64,
    Float64,
    Date,
    Timestamp,
    Utf8,
    /// `TINYINT` (given schemas only, as every variant below).
    Int8,
    /// `SMALLINT`.
    Int16,
    /// `FLOAT`.
    Float32,
    /// `DECIMAL(precision, scale)`.
    Decimal {
        precision: u8,
        scale: u8,
    },
}

/// The time zone CSV timestamps are read in (Spark's session time zone; ours is UTC).
pub const SESSION_TIME_ZONE: &str = "UTC";

/// Spark's decimal wide enough for both, or a double.
fn wider_decimal(a: (u8, u8), b: (u8, u8)) -> ColumnType {
    match decimal_digits::wider_decimal(a, b) {
        Some((precision, scale)) => ColumnType::Decimal { precision, scale },
        None => ColumnType::Float64,
    }
}

/// The significant digits of a whole number (`-`/`+`, then digits only; `007` has one),
/// as Java's `BigDecimal` counts its precision; `None` for anything else.
pub fn whole_digits(value: &[u8]) -> Option<u8> {
    let digits = value
        .strip_prefix(b"-")
        .or(value.strip_prefix(b"+"))
        .unwrap_or(value);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let significant = digits.iter().skip_while(|&&d| d == b'0').count();
    Some(u8::try_from(significant.max(1)).unwrap_or(u8::MAX))
}

impl ColumnType {
    /// The narrowest type holding values of both `self` and `other` (Spark's rules:
    /// int < bigint < double, date < timestamp, an integer and a decimal the decimal
    /// wide enough for both, a decimal and a double a double, anything else mixed a
    /// string).
    pub fn join(self, other: ColumnType) -> ColumnType {
        use ColumnType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Null, x) | (x, Null) => x,
            (Int32, Int64) | (Int64, Int32) => Int64,
            (Int32, Decimal { precision, scale }) | (Decimal { precision, scale }, Int32) => {
                wider_decimal((INT_DIGITS, 0), (precision, scale))
            }
            (Int64, Decimal { precision, scale }) | (Decimal { precision, scale }, Int64) => {
                wider_decimal((LONG_DIGITS, 0), (precision, scale))
            }
            (
                Decimal {
                    precision: p1,
                    scale: s1,
                },
                Decimal {
                    precision: p2,
                    scale: s2,
                },
            ) => wider_decimal((p1, s1), (p2, s2)),
            (Float64, Decimal { .. }) | (Decimal { .. }, Float64) => Float64,
            (Int32 | Int64 | Float64, Int32 | Int64 | Float64) => Float64,
            (Date, Timestamp) | (Timestamp, Date) => Timestamp,
            _ => Utf8,
        }
    }

    /// The narrowest type of one non-null value, dates and timestamps in their default
    /// formats.
    pub fn of_value(value: &[u8]) -> ColumnType {
        Self::of_value_with(value, parse_date, parse_timestamp_micros)
    }

    /// The narrowest type of one non-null value, dates and timestamps read by `date` and
    /// `timestamp` (the reader's `dateFormat` and `timestampFormat`).
    pub fn of_value_with(
        value: &[u8],
        date: impl Fn(&[u8]) -> Option<i32>,
        timestamp: impl Fn(&[u8]) -> Option<i64>,
    ) -> ColumnType {
        let trimmed = trim_spaces(value);
        if parse_i64(trimmed).is_some() {
            return if parse_i32(trimmed).is_some() {
                ColumnType::Int32
            } else {
                ColumnType::Int64
            };
        }
        // Beyond `bigint`, a whole number is a decimal of its digits while Spark has one
        // that wide (Spark's `tryParseDecimal`; it keeps a 20-digit id whole), else a
        // double.
        if let Some(digits) = whole_digits(trimmed).filter(|&d| d <= MAX_PRECISION) {
            return ColumnType::Decimal {
                precision: digits,
                scale: 0,
            };
        }
        if parse_bool(trimmed).is_some() {
            ColumnType::Boolean
        } else if parse_f64(trimmed).is_some() {
            ColumnType::Float64
        } else if date(trimmed).is_some() {
            ColumnType::Date
        } else if timestamp(trimmed).is_some() {
            ColumnType::Timestamp
        } else {
            ColumnType::Utf8
        }
    }

    /// The Arrow type a column of this type is stored as. A column with no values is a
    /// string column, as in Spark.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnType::Boolean => DataType::Boolean,
            ColumnType::Int32 => DataType::Int32,
            ColumnType::Int64 => DataType::Int64,
            ColumnType::Float64 => DataType::Float64,
            ColumnType::Date => DataType::Date32,
            ColumnType::Timestamp => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(SESSION_TIME_ZONE.into()))
            }
            ColumnType::Null | ColumnType::Utf8 => DataType::Utf8,
            ColumnType::Int8 => DataType::Int8,
            ColumnType::Int16 => DataType::Int16,
            ColumnType::Float32 => DataType::Float32,
            ColumnType::Decimal { precision, scale } => {
                DataType::Decimal128(precision, scale as i8)
            }
        }
    }

    /// The type CSV inference gave a column stored as `data_type` (the inverse of
    /// [`ColumnType::data_type`], a string column standing for `Utf8`); `None` for types
    /// inference never makes.
    pub fn of_data_type(data_type: &DataType) -> Option<ColumnType> {
        Some(match data_type {
            DataType::Boolean => ColumnType::Boolean,
            DataType::Int32 => ColumnType::Int32,
            DataType::Int64 => ColumnType::Int64,
            DataType::Float64 => ColumnType::Float64,
            DataType::Date32 => ColumnType::Date,
            DataType::Timestamp(TimeUnit::Microsecond, _) => ColumnType::Timestamp,
            DataType::Utf8 => ColumnType::Utf8,
            DataType::Null => ColumnType::Null,
            DataType::Int8 => ColumnType::Int8,
            DataType::Int16 => ColumnType::Int16,
            DataType::Float32 => ColumnType::Float32,
            DataType::Decimal128(precision, scale) => ColumnType::Decimal {
                precision: *precision,
                scale: u8::try_from(*scale).ok()?,
            },
            _ => return None,
        })
    }

    /// The Spark name, for messages (`decimal` without its precision and scale).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Null => "void",
            ColumnType::Boolean => "boolean",
            ColumnType::Int32 => "int",
            ColumnType::Int64 => "bigint",
            ColumnType::Float64 => "double",
            ColumnType::Date => "date",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Utf8 => "string",
            ColumnType::Int8 => "tinyint",
            ColumnType::Int16 => "smallint",
            ColumnType::Float32 => "float",
            ColumnType::Decimal { .. } => "decimal",
        }
    }
}

/// Strips ASCII spaces and tabs on both sides.
pub fn trim_spaces(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// A base-10 integer with an optional sign; `None` on overflow or any other character.
pub fn parse_i64(value: &[u8]) -> Option<i64> {
    let (negative, digits) = match value {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, value),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    // Accumulate as a negative number so i64::MIN parses without overflow.
    let mut acc: i64 = 0;
    if digits.len() < 19 {
        for &b in digits {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            acc = acc * 10 - d as i64;
        }
    } else {
        for &b in digits {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            acc = acc.checked_mul(10)?.checked_sub(d as i64)?;
        }
    }
    if negative {
        Some(acc)
    } else {
        acc.checked_neg()
    }
}

pub fn parse_i32(value: &[u8]) -> Option<i32> {
    parse_i64(value).and_then(|v| i32::try_from(v).ok())
}

/// A double as Spark's CSV reader reads one (Java's `Double.parseDouble`): `1.5`, `-2e10`,
/// `.5`, `5.`, and `NaN` or `Infinity` (signed) spelled as Java spells them. Rust's parser
/// also takes `inf`, `INF` or `nan`, which Spark reads as text: those are refused here.
/// (The reader's `positiveInf`, `negativeInf` and `nanValue` are the rules' concern,
/// [`super::value_rules::ValueRules`].)
pub fn parse_f64(value: &[u8]) -> Option<f64> {
    if let Some(v) = parse_short_decimal(value) {
        return Some(v);
    }
    let unsigned = match value {
        [b'+' | b'-', rest @ ..] => rest,
        _ => value,
    };
    let spelled = unsigned.first()?.is_ascii_alphabetic();
    if spelled && unsigned != b"NaN" && unsigned != b"Infinity" {
        return None;
    }
    // Every valid float text is ASCII, so a failed UTF-8 check is a failed parse.
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// Clinger's fast path for the common `-123.45`: with at most 15 significant digits the
/// digits form an exact integer `m < 2^53` and `10^k` (k ≤ 15) is exact, so the one IEEE
/// division `m / 10^k` is correctly rounded: the same double the full parser returns.
/// Anything else (exponents, more digits, `.5`, `NaN`) is left to the full parser.
#[inline]
fn parse_short_decimal(value: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, text) = match value {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, value),
    };
    if text.is_empty() || text.len() > 16 || !text[0].is_ascii_digit() {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let mut fraction_digits = None;
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + (b - b'0') as u64;
                digits += 1;
            }
            b'.' if fraction_digits.is_none() && i + 1 < text.len() => {
                fraction_digits = Some(text.len() - i - 1)
            }
            _ => return None,
        }
    }
    if digits > 15 {
        return None;
    }
    let magnitude = mantissa as f64 / POW10[fraction_digits.unwrap_or(0)];
    Some(if negative { -magnitude } else { magnitude })
}

/// `true` / `false` in any case, as Spark reads booleans.
pub fn parse_bool(value: &[u8]) -> Option<bool> {
    if value.eq_ignore_ascii_case(b"true") {
        Some(true)
    } else if value.eq_ignore_ascii_case(b"false") {
        Some(false)
    } else {
        None
    }
}

/// A `yyyy-MM-dd` date as days since 1970-01-01.
pub fn parse_date(value: &[u8]) -> Option<i32> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *value else {
        return None;
    };
    let year = digits(&[y0, y1, y2, y3])?;
    let month = digits(&[m0, m1])?;
    let day = digits(&[d0, d1])?;
    checked_days_from_civil(year as i64, month, day).map(|d| d as i32)
}

/// An ISO-8601 timestamp (`yyyy-MM-dd[T ]HH:mm[:ss[.fraction]][Z|±HH[:]mm|±HH]`) as
/// microseconds since the epoch in UTC. Without a zone the value is read in the session
/// time zone, UTC.
pub fn parse_timestamp_micros(value: &[u8]) -> Option<i64> {
    if value.len() < 16 || !matches!(value[10], b'T' | b' ') {
        return None;
    }
    let days = parse_date(&value[..10])? as i64;
    let rest = &value[11..];
    let [h0, h1, b':', n0, n1, ..] = *rest else {
        return None;
    };
    let hour = digits(&[h0, h1])?;
    let minute = digits(&[n0, n1])?;
    let mut rest = &rest[5..];
    let mut second = 0;
    let mut micros = 0i64;
    if let [b':', s0, s1, tail @ ..] = rest {
        second = digits(&[*s0, *s1])?;
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            let count = tail.iter().take_while(|b| b.is_ascii_digit()).count();
            if count == 0 || count > 9 {
                return None;
            }
            for (i, &b) in tail[..count].iter().enumerate() {
                if i < 6 {
                    micros = micros * 10 + (b - b'0') as i64;
                }
            }
            micros *= 10i64.pow(6u32.saturating_sub(count as u32));
            rest = &tail[count..];
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset_seconds = parse_zone(rest)?;
    let seconds = days * 86_400 + (hour * 3600 + minute * 60 + second) as i64 - offset_seconds;
    Some(seconds * 1_000_000 + micros)
}

/// The UTC offset in seconds of a zone suffix: empty, `Z`, `±HH`, `±HHmm` or `±HH:mm`.
fn parse_zone(zone: &[u8]) -> Option<i64> {
    let (sign, rest) = match zone {
        [] | [b'Z'] => return Some(0),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let (hours, minutes) = match *rest {
        [h0, h1] => (digits(&[h0, h1])?, 0),
        [h0, h1, m0, m1] | [h0, h1, b':', m0, m1] => (digits(&[h0, h1])?, digits(&[m0, m1])?),
        _ => return None,
    };
    if hours > 18 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60) as i64)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        let d = b.wrapping_sub(b'0');
        (d <= 9).then_some(acc * 10 + d as u32)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType::*;

    #[test]
    fn whole_numbers_beyond_bigint_are_decimals_that_widen_as_spark_widens_them() {
        let decimal = |precision| Decimal {
            precision,
            scale: 0,
        };
        assert_eq!(ColumnType::of_value(b"18446744073709551615"), decimal(20));
        assert_eq!(ColumnType::of_value(b"-9223372036854775809"), decimal(19));
        assert_eq!(ColumnType::of_value(&[b'9'; 38]), decimal(38));
        assert_eq!(ColumnType::of_value(&[b'9'; 39]), Float64);
        assert_eq!(whole_digits(b"+000123"), Some(3));
        assert_eq!(whole_digits(b"0"), Some(1));
        assert_eq!(whole_digits(b"1.0"), None);
        assert_eq!(Int32.join(decimal(5)), decimal(10));
        assert_eq!(Int64.join(decimal(19)), decimal(20));
        assert_eq!(decimal(25).join(Int64), decimal(25));
        assert_eq!(decimal(25).join(Float64), Float64);
        assert_eq!(decimal(25).join(Boolean), Utf8);
    }

    #[test]
    fn integers() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-42"), Some(-42));
        assert_eq!(parse_i64(b"+7"), Some(7));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"99999999999999999999"), None);
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b"1.0"), None);
        assert_eq!(parse_i64(b"12a"), None);
        assert_eq!(parse_i32(b"2147483648"), None);
        assert_eq!(parse_i32(b"-2147483648"), Some(i32::MIN));
    }

    #[test]
    fn short_decimals_match_the_full_parser() {
        for text in [
            "0.1",
            "71.35",
            "-0.0",
            "30730.50",
            "123456789012345",
            "1.23456789012345",
            "999999999999999.9",
            "9999999999999999",
            "0.000000000000001",
            "5.",
            "007.50",
        ] {
            let full: f64 = text.parse().unwrap();
            let fast = parse_f64(text.as_bytes()).unwrap();
            assert_eq!(fast.to_bits(), full.to_bits(), "{text}");
        }
        // Every cent value of a price column parses to the same double.
        for cents in 0..200_000u64 {
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            assert_eq!(
                parse_f64(text.as_bytes()),
                Some(text.parse::<f64>().unwrap())
            );
        }
        assert_eq!(parse_short_decimal(b"1.2.3"), None);
        assert_eq!(parse_short_decimal(b"1e5"), None);
        assert_eq!(parse_short_decimal(b"9999999999999999"), None);
    }

    #[test]
    fn floats_and_bools() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"-2e3"), Some(-2000.0));
        assert!(parse_f64(b"NaN").unwrap().is_nan());
        assert_eq!(parse_f64(b"-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_f64(b"+NaN").unwrap().is_nan());
        for rust_only in ["inf", "-inf", "INF", "Inf", "nan", "infinity", "+INFINITY"] {
            assert_eq!(parse_f64(rust_only.as_bytes()), None, "{rust_only}");
        }
        assert_eq!(parse_f64(b"1,5"), None);
        assert_eq!(parse_f64(b"\xff"), None);
        assert_eq!(parse_bool(b"TRUE"), Some(true));
        assert_eq!(parse_bool(b"False"), Some(false));
        assert_eq!(parse_bool(b"yes"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
        assert_eq!(parse_date(b"2000-03-01"), Some(11_017));
        assert_eq!(parse_date(b"1969-12-31"), Some(-1));
        assert_eq!(parse_date(b"2024-02-29"), Some(19_782));
        assert_eq!(parse_date(b"2023-02-29"), None);
        assert_eq!(parse_date(b"2023-13-01"), None);
        assert_eq!(parse_date(b"2023-1-01"), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp_micros(b"1970-01-01 00:00"), Some(0));
        assert_eq!(
            parse_timestamp_micros(b"1970-01-02T01:02:03.5"),
            Some((86_400 + 3723) * 1_000_000 + 500_000)
        );
        assert_eq!(
            parse_timestamp_micros(b"1970-01-01T02:00:00+02:00"),
            Some(0)
        );
        assert_eq!(parse_timestamp_micros(b"1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp_micros(b"1970-01-01 00:00:00.123456789"),
            Some(123_456)
        );
        assert_eq!(parse_timestamp_micros(b"1970-01-01 24:00:00"), None);
        assert_eq!(parse_timestamp_micros(b"1970-01-01"), None);
        assert_eq!(parse_timestamp_micros(b"1970-01-01 00:00:00 UTC"), None);
    }

    #[test]
    fn value_types() {
        assert_eq!(ColumnType::of_value(b"12"), Int32);
        assert_eq!(ColumnType::of_value(b" 12 "), Int32);
        assert_eq!(ColumnType::of_value(b"3000000000"), Int64);
        assert_eq!(
            ColumnType::of_value(b"30000000000000000000000"),
            Decimal {
                precision: 23,
                scale: 0
            }
        );
        assert_eq!(ColumnType::of_value(b"1.25"), Float64);
        assert_eq!(ColumnType::of_value(b"true"), Boolean);
        assert_eq!(ColumnType::of_value(b"2024-05-01"), Date);
        assert_eq!(ColumnType::of_value(b"2024-05-01 10:00:00"), Timestamp);
        assert_eq!(ColumnType::of_value(b"hello"), Utf8);
    }

    #[test]
    fn join_widens() {
        assert_eq!(Int32.join(Int64), Int64);
        assert_eq!(Int64.join(Float64), Float64);
        assert_eq!(Null.join(Date), Date);
        assert_eq!(Date.join(Timestamp), Timestamp);
        assert_eq!(Boolean.join(Int32), Utf8);
        assert_eq!(Date.join(Int32), Utf8);
        assert_eq!(Utf8.join(Null), Utf8);
    }
}
