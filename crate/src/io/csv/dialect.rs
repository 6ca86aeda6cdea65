//! The bytes that give a CSV file its structure, and detecting them from a sample.

use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::options::CsvOptions;
use crate::io::csv::tokenize::{tokenize, Dialect, InputEnd};

/// Delimiters tried by detection, in order of preference on a tie.
const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
/// Records looked at when detecting the delimiter.
const SNIFF_RECORDS: usize = 64;

impl Dialect {
    /// Resolves the dialect from the options, detecting what the options leave open from
    /// `sample` (the start of the file, BOM already removed).
    pub fn resolve(options: &CsvOptions, sample: &[u8]) -> Result<Dialect> {
        let quote = if options.quoting {
            Some(ascii_option("quote", options.quote)?)
        } else {
            None
        };
        let escape = match quote {
            Some(q) => Some(ascii_option("escape", options.escape)?).filter(|&e| e != q),
            None => None,
        };
        let (newline, crlf) =
            line_separator(options)?.unwrap_or_else(|| (detect_newline(sample), true));
        let base = Dialect {
            delimiter: b',',
            quote,
            newline,
            crlf,
            escape,
            trim_leading: options.ignore_leading_white_space,
            trim_trailing: options.ignore_trailing_white_space,
            multi_line: options.multi_line,
        };
        let delimiter = match options.delimiter {
            Some(c) => ascii_option("delimiter (sep)", c)?,
            None => detect_delimiter(sample, base),
        };
        if Some(delimiter) == quote || delimiter == base.newline {
            return Err(Error::new(
                ErrorCode::CsvBadOption,
                "the delimiter (sep) must differ from the quote character and the line break",
            ));
        }
        if quote == Some(base.newline) || escape == Some(base.newline) {
            return Err(Error::new(
                ErrorCode::CsvBadOption,
                "the line separator (lineSep) must differ from the quote and escape characters",
            ));
        }
        if escape == Some(delimiter) {
            return Err(Error::new(
                ErrorCode::CsvBadOption,
                "the escape character must differ from the delimiter (sep)",
            ));
        }
        Ok(Dialect { delimiter, ..base })
    }
}

pub(crate) fn ascii_option(what: &str, c: char) -> Result<u8> {
    match u8::try_from(c) {
        Ok(b) if b.is_ascii() && b != 0 && b != b'\n' && b != b'\r' => Ok(b),
        _ => Err(Error::new(
            ErrorCode::CsvBadOption,
            format!(
                "the {what} must be a single ASCII character other than a line break, got {c:?}"
            ),
        )),
    }
}

/// The byte that ends a record by the `lineSep` option (`None` when it is not set), and
/// whether a `\r` before it is part of the break ([`Dialect::crlf`]): one ASCII
/// character, `\r\n` as `\n` with the `\r` trimmed (where `\n` alone keeps it, as Spark
/// does). Spark takes one character too (and, undocumented, two); a byte-wise reader
/// takes it when it is ASCII.
pub(crate) fn line_separator(options: &CsvOptions) -> Result<Option<(u8, bool)>> {
    let Some(sep) = options.line_sep.as_deref() else {
        return Ok(None);
    };
    match sep.as_bytes() {
        b"\r\n" => Ok(Some((b'\n', true))),
        &[b] if b.is_ascii() && b != 0 => Ok(Some((b, false))),
        _ => Err(Error::new(
            ErrorCode::CsvBadOption,
            format!(
                "the line separator (lineSep) must be one ASCII character (or \\r\\n), got \
                 {sep:?}; leave it empty to read \\n, \\r\\n and \\r line breaks"
            ),
        )),
    }
}

/// `\n` if the sample has one, else `\r` if it has one (classic Mac), else `\n`.
pub(crate) fn detect_newline(sample: &[u8]) -> u8 {
    if memchr::memchr(b'\n', sample).is_none() && memchr::memchr(b'\r', sample).is_some() {
        b'\r'
    } else {
        b'\n'
    }
}

/// Picks the candidate that splits the sampled records into the same number (> 1) of
/// fields most consistently; ties go to the earlier candidate (comma first).
fn detect_delimiter(sample: &[u8], base: Dialect) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for &delimiter in &CANDIDATE_DELIMITERS {
        let dialect = Dialect { delimiter, ..base };
        // A sample cut mid-quote still tells us about the records before the cut.
        let tokens = match tokenize(sample, &dialect, SNIFF_RECORDS, InputEnd::Truncated) {
            Ok(tokens) => tokens,
            Err(_) => continue,
        };
        let counts: Vec<usize> = (0..tokens.rows()).map(|r| tokens.field_count(r)).collect();
        let Some(modal) = modal_count(&counts) else {
            continue;
        };
        if modal < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == modal).count();
        if (consistent, modal) > (best.1, best.2) {
            best = (delimiter, consistent, modal);
        }
    }
    best.0
}

fn modal_count(counts: &[usize]) -> Option<usize> {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    sorted
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| (run.len(), run[0]))
        .map(|run| run[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(sample: &str) -> u8 {
        Dialect::resolve(&CsvOptions::default(), sample.as_bytes())
            .unwrap()
            .delimiter
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect("a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect("a;b;c\n1,5;2,5;3\n"), b';');
        assert_eq!(detect("a\tb\n1\t2\n"), b'\t');
        assert_eq!(detect("a|b|c\n\"x,y\"|2|3\n"), b'|');
        assert_eq!(detect("single\n1\n2\n"), b',');
    }

    #[test]
    fn detects_classic_mac_newlines() {
        let d = Dialect::resolve(&CsvOptions::default(), b"a,b\r1,2\r").unwrap();
        assert_eq!(d.newline, b'\r');
    }

    #[test]
    fn rejects_bad_options() {
        let options = CsvOptions {
            delimiter: Some('€'),
            ..CsvOptions::default()
        };
        let err = Dialect::resolve(&options, b"a").unwrap_err();
        assert_eq!(err.code(), ErrorCode::CsvBadOption);
        let options = CsvOptions {
            delimiter: Some('"'),
            ..CsvOptions::default()
        };
        assert!(Dialect::resolve(&options, b"a").is_err());
    }
}
