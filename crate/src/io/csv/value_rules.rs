//! How the text of a field is read, as the user's reader options say: which values mean
//! null, which one is NaN, and the patterns of dates and timestamps.

use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::values::{
    parse_date, parse_f64, parse_timestamp_micros, trim_spaces, ColumnType,
};
use crate::temporal::pattern::Pattern;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The pattern a reader's `dateFormat` / `timestampFormat` option gives (`None` when it
/// is not set or empty); an unusable one is an error with `code`, naming the option.
pub fn datetime_option(
    option: &str,
    text: Option<&str>,
    code: ErrorCode,
) -> Result<Option<Pattern>> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let checked = Pattern::new(text).and_then(|p| p.check_parsing(text).map(|()| p));
    checked.map(Some).map_err(|e| {
        Error::new(
            code,
            format!(
                "{option}: {}; write it with Spark's datetime pattern letters, such as \
                 dd/MM/yyyy or yyyy-MM-dd HH:mm:ss",
                e.message()
            ),
        )
    })
}

/// The value rules of a CSV read: the null spellings (Spark's `nullValue`, generalised to
/// a list), the spellings of special doubles (`nanValue`, `positiveInf`, `negativeInf`),
/// what a quoted empty field reads as (`emptyValue`), and `dateFormat` /
/// `timestampFormat`.
///
/// Only unquoted fields are compared with the null spellings, so `""` stays an empty
/// string in a string column. In typed columns an empty field is null, quoted or not, as
/// in Spark, unless `emptyValue` gives a quoted one a text.
#[derive(Debug, Clone)]
pub struct ValueRules {
    tokens: Vec<Vec<u8>>,
    longest: usize,
    /// Tokens of at most 8 bytes packed as `(length, little-endian u64)`: a field is
    /// checked with integer compares instead of a `memcmp` call per token.
    packed: Vec<(usize, u64)>,
    /// Spark's `nanValue`, `positiveInf` and `negativeInf` (defaults `NaN`, `Inf`, `-Inf`)
    /// with their values, those Java's parser reads anyway left out.
    specials: Vec<(Box<[u8]>, f64)>,
    /// Whether a special spelling is also a number (`nanValue` `0`): it is then looked up
    /// before the number is parsed, as Spark does, instead of after.
    specials_first: bool,
    /// Spark's `emptyValue`: the text of a quoted empty field (`""`); `None` keeps it empty.
    empty_value: Option<Box<[u8]>>,
    /// Spark's `dateFormat` when given; otherwise dates are `yyyy-MM-dd`.
    date_format: Option<Pattern>,
    /// Spark's `timestampFormat` when given; otherwise ISO-8601 timestamps.
    timestamp_format: Option<Pattern>,
}

impl ValueRules {
    pub fn new(values: &[String]) -> Self {
        let tokens: Vec<Vec<u8>> = values.iter().map(|v| v.as_bytes().to_vec()).collect();
        let longest = tokens.iter().map(Vec::len).max().unwrap_or(0);
        let packed = tokens
            .iter()
            .filter(|t| t.len() <= 8)
            .map(|t| (t.len(), pack(t)))
            .collect();
        ValueRules {
            tokens,
            longest,
            packed,
            specials: Vec::new(),
            specials_first: false,
            empty_value: None,
            date_format: None,
            timestamp_format: None,
        }
    }

    /// The same, with dates and timestamps read in these Spark datetime patterns
    /// (`dd/MM/yyyy`, `dd.MM.yyyy HH:mm`); an unusable pattern is a `CSV_BAD_OPTION`.
    pub fn with_date_formats(
        mut self,
        date_format: Option<&str>,
        timestamp_format: Option<&str>,
    ) -> Result<Self> {
        let code = ErrorCode::CsvBadOption;
        self.date_format = datetime_option("dateFormat", date_format, code)?;
        self.timestamp_format = datetime_option("timestampFormat", timestamp_format, code)?;
        Ok(self)
    }

    /// The narrowest type of a non-null value: the special doubles' spellings count as
    /// doubles, dates and timestamps are read in the user's formats.
    pub fn value_type(&self, text: &[u8]) -> ColumnType {
        let trimmed = trim_spaces(text);
        if self.special(trimmed).is_some() {
            ColumnType::Float64
        } else {
            ColumnType::of_value_with(trimmed, |t| self.date(t), |t| self.timestamp(t))
        }
    }

    /// The type of a field for inference: `None` when it is null (an empty field, a null
    /// spelling), a quoted empty field typed as `emptyValue` when one is set.
    pub fn field_type(&self, text: &[u8], quoted: bool) -> Option<ColumnType> {
        self.typed_text(text, quoted)
            .map(|text| self.value_type(text))
    }

    /// A field's text for a typed column: `None` when it is null, `emptyValue` for a
    /// quoted empty field when one is set.
    #[inline(always)]
    pub fn typed_text<'t>(&'t self, text: &'t [u8], quoted: bool) -> Option<&'t [u8]> {
        if quoted && text.is_empty() {
            return self.empty_value.as_deref();
        }
        (!self.is_null_typed(text, quoted)).then_some(text)
    }

    /// A string field's text: `emptyValue` for a quoted empty field when one is set.
    #[inline(always)]
    pub fn string_text<'t>(&'t self, text: &'t [u8], quoted: bool) -> &'t [u8] {
        match &self.empty_value {
            Some(empty) if quoted && text.is_empty() => empty,
            _ => text,
        }
    }

    /// A (trimmed) date value as days since the epoch: in `dateFormat` when one is set.
    #[inline]
    pub fn date(&self, text: &[u8]) -> Option<i32> {
        match &self.date_format {
            None => parse_date(text),
            Some(pattern) => {
                let micros = pattern.parse(std::str::from_utf8(text).ok()?)?;
                i32::try_from(micros.div_euclid(MICROS_PER_DAY)).ok()
            }
        }
    }

    /// A (trimmed) timestamp value as microseconds since the epoch: in `timestampFormat`
    /// when one is set.
    #[inline]
    pub fn timestamp(&self, text: &[u8]) -> Option<i64> {
        match &self.timestamp_format {
            None => parse_timestamp_micros(text),
            Some(pattern) => pattern.parse(std::str::from_utf8(text).ok()?),
        }
    }

    /// The same, with `nan`, `positive_inf` and `negative_inf` read as NaN, +∞ and −∞ in
    /// `double` and `float` columns (Spark's `nanValue`, `positiveInf`, `negativeInf`).
    pub fn with_special_doubles(
        mut self,
        nan: &str,
        positive_inf: &str,
        negative_inf: &str,
    ) -> Self {
        let spellings = [
            (nan, f64::NAN),
            (positive_inf, f64::INFINITY),
            (negative_inf, f64::NEG_INFINITY),
        ];
        self.specials = spellings
            .into_iter()
            .filter(|(text, value)| {
                let java = parse_f64(text.as_bytes());
                !text.is_empty() && !java.is_some_and(|v| v.total_cmp(value).is_eq())
            })
            .map(|(text, value)| (text.as_bytes().to_vec().into_boxed_slice(), value))
            .collect();
        self.specials_first = self
            .specials
            .iter()
            .any(|(text, _)| parse_f64(text).is_some());
        self
    }

    /// The same, with a quoted empty field read as `empty` (Spark's `emptyValue`).
    pub fn with_empty_value(mut self, empty: Option<&str>) -> Self {
        self.empty_value = empty.map(|e| e.as_bytes().to_vec().into_boxed_slice());
        self
    }

    /// The double a (trimmed) value spells by the reader's special spellings.
    #[inline]
    fn special(&self, text: &[u8]) -> Option<f64> {
        self.specials
            .iter()
            .find(|(spelling, _)| **spelling == *text)
            .map(|&(_, value)| value)
    }

    /// A (trimmed) `double` or `float` cell: a number as Java reads it, or one of the
    /// reader's special spellings.
    #[inline]
    pub fn double(&self, text: &[u8]) -> Option<f64> {
        if self.specials_first {
            self.special(text).or_else(|| parse_f64(text))
        } else {
            parse_f64(text).or_else(|| self.special(text))
        }
    }

    /// Whether a field of a string column is null.
    #[inline(always)]
    pub fn is_null_text(&self, text: &[u8], quoted: bool) -> bool {
        if quoted || text.len() > self.longest {
            return false;
        }
        if text.len() <= 8 {
            let value = pack(text);
            self.packed
                .iter()
                .any(|&(len, token)| len == text.len() && token == value)
        } else {
            self.tokens.iter().any(|t| t == text)
        }
    }

    /// Whether a field of a typed column (number, boolean, date, timestamp) is null.
    #[inline(always)]
    pub fn is_null_typed(&self, text: &[u8], quoted: bool) -> bool {
        text.is_empty() || self.is_null_text(text, quoted)
    }
}

/// Up to 8 bytes as a little-endian integer (shorter inputs are zero-padded, so the
/// length must be compared too).
#[inline]
fn pack(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .enumerate()
        .fold(0, |acc, (i, &b)| acc | (b as u64) << (8 * i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_never_null_tokens() {
        let nulls = ValueRules::new(&["".into(), "NA".into()]);
        assert!(nulls.is_null_text(b"", false));
        assert!(!nulls.is_null_text(b"", true));
        assert!(nulls.is_null_text(b"NA", false));
        assert!(!nulls.is_null_text(b"NA", true));
        assert!(nulls.is_null_typed(b"", true));
        assert!(!nulls.is_null_text(b"NAN", false));
        assert!(!nulls.is_null_text(b"N", false));
        let long = ValueRules::new(&["missing value".into()]);
        assert!(long.is_null_text(b"missing value", false));
        assert!(!long.is_null_text(b"missing_value", false));
    }

    #[test]
    fn dates_and_timestamps_follow_the_patterns_given() {
        let rules = ValueRules::new(&[])
            .with_date_formats(Some("dd/MM/yyyy"), Some("dd.MM.yyyy HH:mm"))
            .unwrap();
        assert_eq!(rules.date(b"02/01/1970"), Some(1));
        assert_eq!(rules.date(b"1970-01-02"), None);
        assert_eq!(rules.date(b"30/02/2024"), None);
        assert_eq!(rules.timestamp(b"01.01.1970 00:01"), Some(60_000_000));
        assert_eq!(rules.value_type(b" 31/01/2024 "), ColumnType::Date);
        let defaults = ValueRules::new(&[])
            .with_date_formats(None, Some(""))
            .unwrap();
        assert_eq!(defaults.date(b"1970-01-02"), Some(1));
        for (date, timestamp) in [(Some("EEE dd"), None), (None, Some("yyyy-MM-dd'T"))] {
            let err = ValueRules::new(&[])
                .with_date_formats(date, timestamp)
                .unwrap_err();
            assert_eq!(err.code(), ErrorCode::CsvBadOption);
        }
    }
}
