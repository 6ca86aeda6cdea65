//! Which field values mean null.

/// The null spellings of a CSV read (Spark's `nullValue`, generalised to a list).
///
/// Only unquoted fields are compared, so `""` stays an empty string in a string column.
/// In typed columns an empty field is always null, quoted or not, as in Spark.
#[derive(Debug, Clone)]
pub struct NullTokens {
    tokens: Vec<Vec<u8>>,
    longest: usize,
    /// Tokens of at most 8 bytes packed as `(length, little-endian u64)`: a field is
    /// checked with integer compares instead of a `memcmp` call per token.
    packed: Vec<(usize, u64)>,
    /// Spark's `nanValue` when it is not `NaN` (which parses as a double anyway).
    nan: Option<Box<[u8]>>,
}

impl NullTokens {
    pub fn new(values: &[String]) -> Self {
        let tokens: Vec<Vec<u8>> = values.iter().map(|v| v.as_bytes().to_vec()).collect();
        let longest = tokens.iter().map(Vec::len).max().unwrap_or(0);
        let packed = tokens
            .iter()
            .filter(|t| t.len() <= 8)
            .map(|t| (t.len(), pack(t)))
            .collect();
        NullTokens {
            tokens,
            longest,
            packed,
            nan: None,
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
        let nulls = NullTokens::new(&["".into(), "NA".into()]);
        assert!(nulls.is_null_text(b"", false));
        assert!(!nulls.is_null_text(b"", true));
        assert!(nulls.is_null_text(b"NA", false));
        assert!(!nulls.is_null_text(b"NA", true));
        assert!(nulls.is_null_typed(b"", true));
        assert!(!nulls.is_null_text(b"NAN", false));
        assert!(!nulls.is_null_text(b"N", false));
        let long = NullTokens::new(&["missing value".into()]);
        assert!(long.is_null_text(b"missing value", false));
        assert!(!long.is_null_text(b"missing_value", false));
    }
}
