//! The type Spark's JSON inference gives a scalar (`JsonInferSchema.inferField`), from
//! the value's text where its text matters:
//! - a whole number is a `bigint` when it fits one (Jackson's `INT` / `LONG`; `-0`
//!   included), else a `decimal(digits, 0)` (`BIG_INTEGER`), else (beyond 38 digits) a
//!   `double`; any other number a `double`;
//! - an empty string is a null to inference (a field of `1` and `""` is a `bigint` whose
//!   `""` reads as NULL), any other string a `string`;
//! - with `prefersDecimal`, a number with a point or an exponent is a
//!   `decimal(max(precision, scale), scale)` of its digits as written (`1.50` is
//!   `decimal(3,2)`), and a string Java's `BigDecimal` reads once its commas are dropped
//!   is a `decimal(precision, scale)` when that is a valid type (`"1,234.5"` is
//!   `decimal(5,1)`; `"0.001"`, whose scale exceeds its precision, stays a string). A
//!   number whose scale is negative (`1e3`, `2E+2`) makes Spark refuse the whole read
//!   (`NEGATIVE_SCALE_DISALLOWED`): here too, with a message saying which number;
//! - with `inferTimestamp`, a string read as a timestamp (in `timestampFormat` when one
//!   is given, otherwise as `CAST(s AS TIMESTAMP)` reads it) is a `timestamp`;
//! - with `primitivesAsString`, numbers and booleans are `string`s (strings are still
//!   typed as above, as in Spark, which tries a string's types first).

use crate::error::{ErrorCode, Result};
use crate::io::csv::datetime_option;
use crate::io::json::infer::JsonType;
use crate::io::json::options::JsonOptions;
use crate::temporal::pattern::Pattern;
use crate::temporal::spark_text::text_to_timestamp;

/// Spark's largest decimal precision.
const MAX_PRECISION: u32 = 38;

/// How scalars are typed: the inference options and what reading a timestamp needs.
#[derive(Debug, Clone, Default)]
pub struct Typing {
    prefers_decimal: bool,
    primitives_as_string: bool,
    /// `Some` with Spark's `inferTimestamp`.
    timestamps: Option<TimestampText>,
}

/// How a string is read as a timestamp: `timestampFormat`, or `CAST`'s reading.
#[derive(Debug, Clone)]
struct TimestampText {
    format: Option<Pattern>,
    /// Today, for a time alone (as `CAST` reads one).
    today: i32,
}

impl Typing {
    /// The typing the options ask for; `JSON_BAD_OPTION` for a `timestampFormat` that
    /// cannot be read.
    pub fn of(options: &JsonOptions) -> Result<Typing> {
        let format = datetime_option(
            "timestampFormat",
            options.timestamp_format.as_deref(),
            ErrorCode::JsonBadOption,
        )?;
        Ok(Typing {
            prefers_decimal: options.prefers_decimal,
            primitives_as_string: options.primitives_as_string,
            timestamps: options.infer_timestamp.then(|| TimestampText {
                format,
                today: crate::clock::today_days(),
            }),
        })
    }

    /// [`Typing::of`] for options already checked by it (the loader checks them when it
    /// starts, so a `timestampFormat` here is readable).
    pub fn of_checked(options: &JsonOptions) -> Typing {
        Typing::of(options).unwrap_or_default()
    }

    /// Whether a value's type depends on more of its text than a record's shape tells
    /// (`shape.rs` then vouches for nothing: every record is typed, and the fitted pass
    /// types each value of a `decimal` or `timestamp` column from its text).
    pub fn reads_text(&self) -> bool {
        self.prefers_decimal || self.timestamps.is_some()
    }

    /// Whether numbers must be typed from their text (serde_json's `f64` has lost the
    /// digits `prefersDecimal` counts).
    pub fn needs_number_text(&self) -> bool {
        self.prefers_decimal
    }

    /// Whether a `NaN` or an infinity makes its record malformed: under `prefersDecimal`
    /// Spark's inference asks Jackson for every float's decimal, which a `NaN` has not.
    pub fn refuses_non_numeric(&self) -> bool {
        self.prefers_decimal
    }

    /// The type of a string value.
    pub fn of_string(&self, text: &str) -> JsonType {
        if text.is_empty() {
            return JsonType::Null;
        }
        if self.prefers_decimal {
            if let Some(ty) = string_decimal(text) {
                return ty;
            }
        }
        if self.timestamp(text).is_some() {
            return JsonType::Timestamp;
        }
        JsonType::String { mixed: false }
    }

    /// The microseconds of a string [`Typing::of_string`] types as a `timestamp`, read
    /// once for both (`None` for any other string).
    pub fn timestamp_of_string(&self, text: &str) -> Option<i64> {
        if text.is_empty() || (self.prefers_decimal && string_decimal(text).is_some()) {
            return None;
        }
        self.timestamp(text)
    }

    /// The type of `true` or `false`.
    pub fn of_boolean(&self) -> JsonType {
        match self.primitives_as_string {
            true => JsonType::String { mixed: false },
            false => JsonType::Boolean,
        }
    }

    /// The type of a number from its JSON text.
    pub fn of_number(&self, text: &str) -> JsonType {
        if self.primitives_as_string {
            return JsonType::String { mixed: false };
        }
        let Some(digits) = Digits::of(text) else {
            return JsonType::Double;
        };
        if digits.whole {
            return match text.parse::<i64>() {
                Ok(_) => JsonType::Long,
                // Leading zeros (`allowNumericLeadingZeros`) count for nothing.
                Err(_) => decimal_or_double(digits.precision, 0),
            };
        }
        if !self.prefers_decimal {
            return JsonType::Double;
        }
        let width = i64::from(digits.precision).max(digits.scale);
        if width > i64::from(MAX_PRECISION) {
            return JsonType::Double;
        }
        match u8::try_from(digits.scale) {
            Ok(scale) => JsonType::Decimal {
                precision: width as u8,
                scale,
            },
            Err(_) => JsonType::Unreadable(format!(
                "prefersDecimal reads the number {text} as a decimal of scale {} (its \
                 exponent moves the point right of its digits), and a negative scale is \
                 not allowed, as in Spark (NEGATIVE_SCALE_DISALLOWED); untick \
                 prefersDecimal, or give a schema",
                digits.scale
            )),
        }
    }

    /// The type of a JSON number written without an exponent, in at most 38 digits, and
    /// its digits as a decimal: what [`Typing::of_number`] and `parse_decimal` make of it,
    /// in one look at its digits (the fitted pass reads every number of a decimal column
    /// so). `None` for any other number, or under `primitivesAsString`.
    pub fn of_plain_number(&self, text: &[u8]) -> Option<PlainNumber> {
        if self.primitives_as_string {
            return None;
        }
        let (negative, body) = match text.split_first()? {
            (b'-', rest) => (true, rest),
            _ => (false, text),
        };
        let mut digits: i128 = 0;
        let (mut count, mut significant) = (0u32, 0u32);
        let mut point = None;
        for (at, &byte) in body.iter().enumerate() {
            match byte {
                b'0'..=b'9' => {
                    count += 1;
                    if count > MAX_PRECISION {
                        return None;
                    }
                    digits = digits * 10 + i128::from(byte - b'0');
                    significant += u32::from(significant > 0 || byte != b'0');
                }
                b'.' if point.is_none() => point = Some(at),
                _ => return None,
            }
        }
        if count == 0 {
            return None;
        }
        let scale = point.map_or(0, |at| body.len() - at - 1);
        let digits = if negative { -digits } else { digits };
        let precision = significant.max(1);
        let ty = match point {
            None => match i64::try_from(digits) {
                Ok(_) => JsonType::Long,
                Err(_) => decimal_or_double(precision, 0),
            },
            Some(_) if !self.prefers_decimal => JsonType::Double,
            Some(_) => JsonType::Decimal {
                precision: precision.max(scale as u32) as u8,
                scale: scale as u8,
            },
        };
        Some(PlainNumber {
            ty,
            digits,
            scale: scale as u8,
        })
    }

    /// The type of a whole number that fits a `bigint`.
    pub fn of_long(&self) -> JsonType {
        match self.primitives_as_string {
            true => JsonType::String { mixed: false },
            false => JsonType::Long,
        }
    }

    /// The type of a whole number serde_json read as a `u64`.
    pub fn of_u64(&self, value: u64) -> JsonType {
        match (self.primitives_as_string, i64::try_from(value)) {
            (true, _) => JsonType::String { mixed: false },
            (false, Ok(_)) => JsonType::Long,
            (false, Err(_)) => decimal_or_double(value.ilog10() + 1, 0),
        }
    }

    /// The type of a number serde_json read as an `f64`, and whether it may be something
    /// else: `-0` (a `bigint` to Jackson) or a whole number beyond `bigint` (a decimal)
    /// read as a float. Then only the number's text can tell.
    pub fn of_f64(&self, value: f64) -> (JsonType, bool) {
        let whole_beyond_long = value.fract() == 0.0
            && (value >= 9_223_372_036_854_775_808.0 || value <= -9_223_372_036_854_775_808.0);
        let negative_zero = value == 0.0 && value.is_sign_negative();
        let ty = match self.primitives_as_string {
            true => JsonType::String { mixed: false },
            false => JsonType::Double,
        };
        (ty, whole_beyond_long || negative_zero)
    }

    /// The microseconds of a timestamp string, as the inference reads it (`None` without
    /// `inferTimestamp`).
    pub fn timestamp(&self, text: &str) -> Option<i64> {
        let reading = self.timestamps.as_ref()?;
        match &reading.format {
            Some(pattern) => pattern.parse(text),
            None => text_to_timestamp(text, reading.today),
        }
    }
}

/// A number read by [`Typing::of_plain_number`].
#[derive(Debug, PartialEq)]
pub struct PlainNumber {
    /// Its type to inference.
    pub ty: JsonType,
    /// Its digits, as an integer (`-1.50` is -150) ...
    digits: i128,
    /// ... and how many of them follow the point.
    scale: u8,
}

impl PlainNumber {
    /// Its unscaled value as a decimal of `scale` (`None` when its own scale is larger:
    /// the number would be rounded).
    pub fn at_scale(&self, scale: u8) -> Option<i128> {
        let shift = scale.checked_sub(self.scale)?;
        self.digits
            .checked_mul(10i128.checked_pow(u32::from(shift))?)
    }
}

/// A whole number of `precision` digits: a decimal when Spark has one that wide.
fn decimal_or_double(precision: u32, scale: u8) -> JsonType {
    match precision <= MAX_PRECISION {
        true => JsonType::Decimal {
            precision: precision as u8,
            scale,
        },
        false => JsonType::Double,
    }
}

/// A string's type under `prefersDecimal`: Spark drops its commas and reads it with
/// Java's `BigDecimal(String)`, and keeps the type only when `DecimalType(precision,
/// scale)` is valid (scale from 0 to the precision, precision at most 38).
fn string_decimal(text: &str) -> Option<JsonType> {
    let digits = match text.contains(',') {
        true => Digits::of(&text.replace(',', ""))?,
        false => Digits::of(text)?,
    };
    let scale = u8::try_from(digits.scale).ok()?;
    (u32::from(scale) <= digits.precision && digits.precision <= MAX_PRECISION).then_some(
        JsonType::Decimal {
            precision: digits.precision as u8,
            scale,
        },
    )
}

/// A number as Java's `BigDecimal(String)` reads it: an optional sign, digits with an
/// optional point (`5.`, `.5`), an optional exponent; its precision (the unscaled value's
/// digits, at least 1) and scale (fraction digits less the exponent).
#[derive(Debug, PartialEq)]
struct Digits {
    precision: u32,
    scale: i64,
    /// No point and no exponent.
    whole: bool,
}

impl Digits {
    fn of(text: &str) -> Option<Digits> {
        let body = text.strip_prefix(['-', '+']).unwrap_or(text);
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(at) => {
                let exponent = &body[at + 1..];
                let unsigned = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
                if unsigned.is_empty() || unsigned.len() > 10 {
                    return None;
                }
                if !unsigned.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (&body[..at], exponent.parse::<i64>().ok()?)
            }
            None => (body, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return None;
        }
        let significant = whole
            .bytes()
            .chain(fraction.bytes())
            .skip_while(|&b| b == b'0')
            .count();
        let scale = fraction.len() as i64 - exponent;
        // Java's BigDecimal takes a scale that fits an `int`.
        i32::try_from(scale).ok()?;
        Some(Digits {
            precision: (significant as u32).max(1),
            scale,
            whole: !mantissa.contains('.') && !body.contains(['e', 'E']),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(prefers_decimal: bool, infer_timestamp: bool) -> JsonOptions {
        JsonOptions {
            prefers_decimal,
            infer_timestamp,
            ..JsonOptions::default()
        }
    }

    fn decimal(precision: u8, scale: u8) -> JsonType {
        JsonType::Decimal { precision, scale }
    }

    #[test]
    fn digits_count_as_java_big_decimal_counts_them() {
        let of = |t: &str| Digits::of(t).map(|d| (d.precision, d.scale, d.whole));
        assert_eq!(of("1.50"), Some((3, 2, false)));
        assert_eq!(of("100.0"), Some((4, 1, false)));
        assert_eq!(of("0.00"), Some((1, 2, false)));
        assert_eq!(of("-0.5"), Some((1, 1, false)));
        assert_eq!(of("1.5e-3"), Some((2, 4, false)));
        assert_eq!(of("1e3"), Some((1, -3, false)));
        assert_eq!(of(".5"), Some((1, 1, false)));
        assert_eq!(of("5."), Some((1, 0, false)));
        assert_eq!(of("+4.5"), Some((2, 1, false)));
        assert_eq!(of("007"), Some((1, 0, true)));
        for refused in [
            "", ".", "-", "1e", "1e+", "a1", "1.2.3", " 1", "1 ", "NaN", "0x10",
        ] {
            assert_eq!(of(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn numbers_are_typed_as_spark_types_them() {
        let plain = Typing::of(&options(false, false)).unwrap();
        assert_eq!(plain.of_number("12"), JsonType::Long);
        assert_eq!(plain.of_number("-0"), JsonType::Long);
        assert_eq!(plain.of_number("1.5"), JsonType::Double);
        assert_eq!(plain.of_number("18446744073709551615"), decimal(20, 0));
        assert_eq!(plain.of_number("-9223372036854775809"), decimal(19, 0));
        assert_eq!(plain.of_number(&"9".repeat(39)), JsonType::Double);
        assert_eq!(plain.of_u64(u64::MAX), decimal(20, 0));
        assert_eq!(plain.of_u64(1 << 63), decimal(19, 0));
        assert_eq!(plain.of_f64(-0.0), (JsonType::Double, true));
        assert_eq!(plain.of_f64(1e19), (JsonType::Double, true));
        assert_eq!(plain.of_f64(1.5), (JsonType::Double, false));

        let decimals = Typing::of(&options(true, false)).unwrap();
        assert_eq!(decimals.of_number("1.50"), decimal(3, 2));
        assert_eq!(decimals.of_number("0.001"), decimal(3, 3));
        assert_eq!(decimals.of_number("1.5e-3"), decimal(4, 4));
        assert_eq!(decimals.of_number("7"), JsonType::Long);
        assert!(matches!(decimals.of_number("1e3"), JsonType::Unreadable(_)));
        let wide = format!("{}.5", "1".repeat(40));
        assert_eq!(decimals.of_number(&wide), JsonType::Double);
    }

    /// The one-look reading of a number agrees with `of_number` and `parse_decimal`.
    #[test]
    fn plain_numbers_read_in_one_look_as_in_two() {
        let mut next = crate::testing::indices(5);
        let digit = |next: &mut dyn FnMut(usize) -> usize| char::from(b'0' + next(10) as u8);
        for prefers_decimal in [false, true] {
            let typing = Typing::of(&options(prefers_decimal, false)).unwrap();
            let mut texts: Vec<String> = ["0", "-0", "0.0", "-0.50", "9223372036854775807"]
                .iter()
                .map(|t| t.to_string())
                .collect();
            texts.push("9223372036854775808".into());
            texts.push("-9223372036854775809".into());
            texts.push("9".repeat(38));
            texts.push(format!("0.{}", "0".repeat(37)));
            for _ in 0..5000 {
                let whole: String = (0..1 + next(22)).map(|_| digit(&mut next)).collect();
                let fraction: String = (0..next(20)).map(|_| digit(&mut next)).collect();
                let sign = if next(2) == 0 { "-" } else { "" };
                texts.push(match fraction.is_empty() {
                    true => format!("{sign}{whole}"),
                    false => format!("{sign}{whole}.{fraction}"),
                });
            }
            for text in &texts {
                let digits = text.bytes().filter(u8::is_ascii_digit).count();
                let Some(plain) = typing.of_plain_number(text.as_bytes()) else {
                    assert!(digits > 38, "{text}");
                    continue;
                };
                assert_eq!(plain.ty, typing.of_number(text), "{text}");
                // Its value in its own decimal type, and in wider ones.
                if let JsonType::Decimal { precision, scale } = plain.ty {
                    for wider in [0, 1, 5] {
                        let p = (precision + wider).min(38);
                        let s = (scale + wider).min(p);
                        let expected = crate::decimal_digits::parse_decimal(text, p, s);
                        assert!(wider > 0 || expected.is_some(), "{text}");
                        if expected.is_some() {
                            assert_eq!(plain.at_scale(s), expected, "{text} at ({p},{s})");
                        }
                    }
                }
            }
        }
        for not_plain in [
            "1e5",
            "1.5E-3",
            "+1",
            "",
            "-",
            "1.2.3",
            &"1".repeat(39),
            "NaN",
        ] {
            let typing = Typing::of(&options(true, false)).unwrap();
            assert_eq!(
                typing.of_plain_number(not_plain.as_bytes()),
                None,
                "{not_plain}"
            );
        }
    }

    #[test]
    fn strings_are_typed_as_spark_types_them() {
        let plain = Typing::of(&options(false, false)).unwrap();
        assert_eq!(plain.of_string(""), JsonType::Null);
        assert_eq!(plain.of_string("1.5"), JsonType::String { mixed: false });
        assert_eq!(
            plain.of_string("2020-01-01"),
            JsonType::String { mixed: false }
        );

        let both = Typing::of(&options(true, true)).unwrap();
        assert_eq!(both.of_string("1,234.5"), decimal(5, 1));
        assert_eq!(both.of_string(".5"), decimal(1, 1));
        assert_eq!(both.of_string("2020"), decimal(4, 0));
        // DecimalType(1, 3) is not a type: the string is tried as a timestamp, then kept.
        assert_eq!(both.of_string("0.001"), JsonType::String { mixed: false });
        assert_eq!(both.of_string("1e5"), JsonType::String { mixed: false });
        assert_eq!(both.of_string("2021-01"), JsonType::Timestamp);
        assert_eq!(both.of_string(" 12 "), JsonType::String { mixed: false });
        // A string both a decimal and a timestamp (`2020`) is a decimal.
        assert_eq!(both.timestamp_of_string("2020"), None);
        assert!(both.timestamp_of_string("2021-01").is_some());
        assert_eq!(both.timestamp_of_string(""), None);
        let stamps = Typing::of(&options(false, true)).unwrap();
        assert_eq!(stamps.timestamp_of_string("2020"), stamps.timestamp("2020"));
        assert!(stamps.timestamp_of_string("2020").is_some());
    }

    #[test]
    fn a_timestamp_format_decides_which_strings_are_timestamps() {
        let formatted = Typing::of(&JsonOptions {
            infer_timestamp: true,
            timestamp_format: Some("yyyy-MM-dd HH:mm".into()),
            ..JsonOptions::default()
        })
        .unwrap();
        assert_eq!(formatted.of_string("2024-03-01 12:30"), JsonType::Timestamp);
        assert_eq!(
            formatted.of_string("2024-03-01"),
            JsonType::String { mixed: false }
        );
        let bad = JsonOptions {
            infer_timestamp: true,
            timestamp_format: Some("yyyy-MM-dd qqqqqqq".into()),
            ..JsonOptions::default()
        };
        assert_eq!(
            Typing::of(&bad).unwrap_err().code(),
            ErrorCode::JsonBadOption
        );
    }
}
