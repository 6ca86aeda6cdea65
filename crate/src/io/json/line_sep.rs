//! Where the records of JSON lines end: at line breaks (Spark's default: `\n`, a `\r`
//! before it not part of the record), or at the text Spark's `lineSep` gives (`|`, `||`,
//! `\r\n`), found as Spark finds it, before any JSON is parsed: a separator inside a
//! string ends its record too, and a line break is then an ordinary character of the
//! record (whitespace to JSON).
//!
//! The records are ranges of the file's text, which is never rewritten, so a record's
//! text (a malformed record's `_corrupt_record`, a value kept as its JSON text) is the
//! file's own.

use std::ops::Range;

use crate::error::{Error, ErrorCode, Result};
use crate::io::json::records::lines;

/// How the records of JSON lines end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RecordEnd {
    /// At `\n` (Spark's default).
    #[default]
    LineBreak,
    /// At the text of Spark's `lineSep`.
    Separator(Box<[u8]>),
}

impl RecordEnd {
    /// For Spark's `lineSep` (`None`: line breaks); `JSON_BAD_OPTION` for an empty one,
    /// which Spark refuses too.
    pub fn of(line_sep: Option<&str>) -> Result<RecordEnd> {
        match line_sep {
            None => Ok(RecordEnd::LineBreak),
            Some("") => Err(Error::new(
                ErrorCode::JsonBadOption,
                "lineSep cannot be empty: leave it unset to end records at line breaks, or give \
                 the text that ends each record",
            )),
            Some(sep) => Ok(RecordEnd::Separator(sep.as_bytes().into())),
        }
    }

    /// The records of `text[span]` that are not blank, as ranges of `text`; `span` ends
    /// at the end of `text` or just past a record's end.
    pub fn records(&self, text: &[u8], span: Range<usize>) -> Vec<Range<usize>> {
        let RecordEnd::Separator(sep) = self else {
            return lines(text, span);
        };
        let mut records = Vec::new();
        let mut start = span.start;
        let ends = memchr::memmem::find_iter(&text[span.clone()], &sep[..]);
        let ends = ends.map(|at| span.start + at).chain([span.end]);
        // Matches never overlap, so each `end` is at or past `start`.
        for end in ends {
            // Spark keeps a record's text as it is; a blank one is no record.
            if !text[start..end].iter().all(u8::is_ascii_whitespace) {
                records.push(start..end);
            }
            start = end + sep.len();
        }
        records
    }

    /// Where the last record that is surely complete in `text[from..]` ends, just past
    /// its end (`from` being a record's start); `None` when no record has ended yet.
    pub fn complete_to(&self, text: &[u8], from: usize) -> Option<usize> {
        match self {
            RecordEnd::LineBreak => memchr::memrchr(b'\n', &text[from..]).map(|at| from + at + 1),
            // Found from the front, as `records` finds them: `|||` with `||` is a
            // separator then a `|`, not the other way round.
            RecordEnd::Separator(sep) => memchr::memmem::find_iter(&text[from..], &sep[..])
                .last()
                .map(|at| from + at + sep.len()),
        }
    }

    /// How many records end in `text` (line breaks, or separators found from the front):
    /// the number of Spark's text lines it closes.
    pub fn ends_in(&self, text: &[u8]) -> usize {
        match self {
            RecordEnd::LineBreak => memchr::memchr_iter(b'\n', text).count(),
            RecordEnd::Separator(sep) => memchr::memmem::find_iter(text, &sep[..]).count(),
        }
    }

    /// Whether records end at a `lineSep` (then the file is read as JSON lines).
    pub fn is_separator(&self) -> bool {
        matches!(self, RecordEnd::Separator(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'t>(end: &RecordEnd, text: &'t [u8]) -> Vec<&'t [u8]> {
        end.records(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn records_end_at_the_separator_and_line_breaks_stay_inside() {
        let pipe = RecordEnd::of(Some("|")).unwrap();
        assert_eq!(
            texts(&pipe, b"{\"a\":1}|{\"a\":\n2}\r|| \n|{\"s\":\"x|y\"}"),
            [&b"{\"a\":1}"[..], b"{\"a\":\n2}\r", b"{\"s\":\"x", b"y\"}"]
        );
        let two = RecordEnd::of(Some("||")).unwrap();
        assert_eq!(texts(&two, b"a|||b||"), [&b"a"[..], b"|b"]);
        let crlf = RecordEnd::of(Some("\r\n")).unwrap();
        assert_eq!(texts(&crlf, b"a\nb\r\nc\r\n"), [&b"a\nb"[..], b"c"]);
        assert_eq!(texts(&RecordEnd::LineBreak, b"a\r\nb"), [&b"a"[..], b"b"]);
    }

    #[test]
    fn complete_records_are_told_as_the_text_arrives() {
        let two = RecordEnd::of(Some("||")).unwrap();
        assert_eq!(two.complete_to(b"a||b|", 0), Some(3));
        assert_eq!(two.complete_to(b"a||b|||", 3), Some(6));
        assert_eq!(two.complete_to(b"a|", 0), None);
        assert_eq!(RecordEnd::LineBreak.complete_to(b"a\nb\nc", 0), Some(4));
        // Records found in steps are those found at once.
        let text = b"{\"a\":1}|||{}||x||||y|";
        for step in 1..text.len() {
            let (mut from, mut found) = (0, Vec::new());
            for seen in (step..text.len()).step_by(step) {
                if let Some(end) = two.complete_to(&text[..seen], from) {
                    found.extend(two.records(text, from..end));
                    from = end;
                }
            }
            found.extend(two.records(text, from..text.len()));
            assert_eq!(found, two.records(text, 0..text.len()), "{step}");
        }
    }

    #[test]
    fn an_empty_separator_is_refused() {
        let err = RecordEnd::of(Some("")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonBadOption);
        assert!(!RecordEnd::of(None).unwrap().is_separator());
    }
}
