//! How the text of a field is read, as the user's reader options say: which values mean
//! null, which one is NaN, and the patterns of dates and timestamps.

use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::values::{parse_date, parse_timestamp_micros, trim_spaces, ColumnType};
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
/// a list), `nanValue`, and `dateFormat` / `timestampFormat`.
///
/// Only unquoted fields are compared with the null spellings, so `""` stays an empty
/// string in a string column. In typed columns an empty field is always null, quoted or
/// not, as in Spark.
#[derive(Debug, Clone)]
pub struct ValueRules {
    tokens: Vec<Vec<u8>>,
    longest: usize,
    /// Tokens of at most 8 bytes packed as `(length, little-endian u64)`: a field is
    /// checked with integer compares instead of a `memcmp` call per token.
    packed: Vec<(usize, u64)>,
    /// Spark's `nanValue` when it is not `NaN` (which parses as a double anyway).
    nan: Option<Box<[u8]>>,
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
            nan: None,
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

    /// The narrowest type of a non-null value: the user's `nanValue` counts as a double,
    /// dates and timestamps are read in the user's formats.
    pub fn value_type(&self, text: &[u8]) -> ColumnType {
        let trimmed = trim_spaces(text);
        if self.is_nan(trimmed) {
            ColumnType::Float64
        } else {
            ColumnType::of_value_with(trimmed, |t| self.date(t), |t| self.timestamp(t))
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

    /// The same, with `nan` read as NaN in `double` columns.
    pub fn with_nan_value(mut self, nan: &str) -> Self {
        self.nan = (nan != super::options::NAN_VALUE && !nan.is_empty())
            .then(|| nan.as_bytes().to_vec().into_boxed_slice());
        self
    }

    /// Whether a (trimmed) value is the `nanValue` set by the user.
    #[inline(always)]
    pub fn is_nan(&self, text: &[u8]) -> bool {
        self.nan.as_deref() == Some(text)
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
