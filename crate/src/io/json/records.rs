//! Where the records are in a JSON file's text: its non-blank lines (JSON lines), or the
//! elements of the one document's top-level array (`multiLine`).

use std::ops::Range;

use crate::error::{Error, ErrorCode, Result};
use crate::io::json::scan::{skip_space, value_end_in};

/// The text after a UTF-8 byte-order mark, if there is one.
pub fn without_bom(text: &[u8]) -> usize {
    if text.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    }
}

/// Whether the file looks like one JSON document rather than JSON lines: its first line
/// opens an object or an array that the line does not close. Whether the line is valid
/// JSON does not matter: a first record that is malformed, or JSON only under Spark's
/// leniencies (`{'a': NaN}`), is still a line of JSON lines, Spark's default. With
/// `comments` (Spark's `allowComments`), comments before it are passed over.
pub fn looks_multi_line(text: &[u8], comments: bool) -> bool {
    let start = skip_space(text, 0, comments);
    if !matches!(text.get(start), Some(b'{' | b'[')) {
        return false;
    }
    let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |n| start + n);
    value_end_in(text, start, comments) > end
}

/// The bytes of text the records of `piece` (numbers into `records`) span, from the
/// first's start to the last's end; 0 for a piece with no records.
pub fn piece_text_bytes(records: &[Range<usize>], piece: &Range<usize>) -> usize {
    if piece.is_empty() {
        return 0;
    }
    match (records.get(piece.start), records.get(piece.end - 1)) {
        (Some(first), Some(last)) => last.end - first.start,
        _ => 0,
    }
}

/// The non-blank lines of `text[span]` (without their `\r`), as ranges of `text`; `span`
/// ends at the end of `text` or just past a `\n`.
pub fn lines(text: &[u8], span: Range<usize>) -> Vec<Range<usize>> {
    let mut records = Vec::new();
    let mut start = span.start;
    while start < span.end {
        let end = memchr::memchr(b'\n', &text[start..span.end]).map_or(span.end, |n| start + n);
        let mut line = start..end;
        if line.end > line.start && text[line.end - 1] == b'\r' {
            line.end -= 1;
        }
        // Spark keeps a record's text as it is, spaces included; blank lines are no record.
        if !text[line.clone()].iter().all(u8::is_ascii_whitespace) {
            records.push(line);
        }
        start = end + 1;
    }
    records
}

/// The records of one JSON document starting at `from` (after a byte-order mark): the
/// elements of a top-level array, or the document itself (an object, or anything else,
/// which is then a malformed record). `comments`: Spark's `allowComments`, under which
/// comments may stand before, inside and after the array.
pub fn document(text: &[u8], from: usize, comments: bool) -> Result<Vec<Range<usize>>> {
    let first = skip_space(text, from, comments);
    if first == text.len() {
        return Ok(Vec::new());
    }
    let last = text
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .unwrap_or(first);
    if text[first] != b'[' {
        return Ok(std::iter::once(first..last + 1).collect());
    }
    let mut records = Vec::new();
    ArrayScan::new(first, comments).finish(text, &mut records)?;
    Ok(records)
}

/// The elements of a document's top-level array, found as its text arrives: a scan stops
/// before an element whose end the text so far does not show, and goes on from there when
/// there is more. Finding where a value ends looks at no byte past that end, so scanning
/// the text in parts finds the elements scanning it whole finds.
#[derive(Debug)]
pub struct ArrayScan {
    /// Where the scan goes on: after the last element found, or a comma.
    pos: usize,
    /// The array's closing `]` was found (and `pos` is after it).
    closed: bool,
    /// Elements found so far.
    elements: usize,
    /// Comments may stand between tokens (Spark's `allowComments`).
    comments: bool,
}

impl ArrayScan {
    /// A scan of the array whose `[` is at `open`; `comments`: Spark's `allowComments`.
    pub fn new(open: usize, comments: bool) -> Self {
        ArrayScan {
            pos: open + 1,
            closed: false,
            elements: 0,
            comments,
        }
    }

    /// Adds the elements the text so far shows whole to `records`.
    pub fn advance(&mut self, text: &[u8], records: &mut Vec<Range<usize>>) {
        // Only a scan of the whole text fails.
        let _ = self.scan(text, records, false);
    }

    /// Adds the remaining elements of the whole `text` to `records`; an error when the
    /// array is never closed or text follows it.
    pub fn finish(&mut self, text: &[u8], records: &mut Vec<Range<usize>>) -> Result<()> {
        self.scan(text, records, true)
    }

    fn scan(&mut self, text: &[u8], records: &mut Vec<Range<usize>>, whole: bool) -> Result<()> {
        loop {
            if self.closed {
                return if whole {
                    after_array(text, self.pos, self.comments)
                } else {
                    Ok(())
                };
            }
            let comments = self.comments;
            let pos = skip_space(text, self.pos, comments);
            match text.get(pos) {
                None if whole => return Err(never_closed(self.elements)),
                None => return Ok(()),
                Some(b']') => {
                    self.closed = true;
                    self.pos = pos + 1;
                }
                Some(b',') => self.pos = pos + 1,
                Some(_) => {
                    let mut end = value_end_in(text, pos, comments);
                    // Text after a value up to the next `,` belongs to the same
                    // (malformed) record.
                    loop {
                        let next = skip_space(text, end, comments);
                        match text.get(next) {
                            None if !whole => return Ok(()),
                            None | Some(b',' | b']') => break,
                            Some(_) => end = value_end_in(text, next, comments).max(next + 1),
                        }
                    }
                    records.push(pos..end);
                    self.elements += 1;
                    self.pos = end;
                }
            }
        }
    }
}

fn never_closed(records: usize) -> Error {
    Error::new(
        ErrorCode::JsonMalformed,
        format!(
            "the file is one JSON array (multiLine) that is never closed: it ends inside the \
             array after {records} records; the file is probably truncated"
        ),
    )
}

fn after_array(text: &[u8], from: usize, comments: bool) -> Result<()> {
    let at = skip_space(text, from, comments);
    if at == text.len() {
        return Ok(());
    }
    // A `]` inside a comment closes the array to a scan that does not know comments.
    let has_comment = |mark: &[u8]| memchr::memmem::find(text, mark).is_some();
    let hint = match !comments && (has_comment(b"/*") || has_comment(b"//")) {
        true => "; if it has comments (/* */ or //), tick allowComments",
        false => "",
    };
    Err(Error::new(
        ErrorCode::JsonMalformed,
        format!(
            "the file is one JSON array (multiLine), but text follows its closing `]` on \
             line {}; if the file holds one JSON value per line, load it with multiLine \
             off{hint}",
            line_of(text, at)
        ),
    ))
}

/// Records grouped into pieces of about `target` bytes of text as they are found: a piece
/// is one partition of the table and one task of each pass. The pieces close in the same
/// places whether the records are given all at once or a few at a time.
#[derive(Debug)]
pub struct Pieces {
    target: usize,
    /// The pieces closed so far: ranges of record numbers.
    closed: Vec<Range<usize>>,
    /// The first record of the piece still open, and that piece's bytes so far.
    open_start: usize,
    open_bytes: usize,
}

impl Pieces {
    pub fn new(target: usize) -> Self {
        Pieces {
            target,
            closed: Vec::new(),
            open_start: 0,
            open_bytes: 0,
        }
    }

    /// Adds the record numbered `index` (the one after the last added), `len` bytes long.
    pub fn add(&mut self, index: usize, len: usize) {
        self.open_bytes += len;
        if self.open_bytes >= self.target {
            self.closed.push(self.open_start..index + 1);
            self.open_start = index + 1;
            self.open_bytes = 0;
        }
    }

    /// Closes the open piece, if it has records: the last of `records` records was added.
    pub fn close(&mut self, records: usize) {
        if self.open_start < records {
            self.closed.push(self.open_start..records);
            self.open_start = records;
            self.open_bytes = 0;
        }
    }

    /// The pieces closed so far.
    pub fn closed(&self) -> &[Range<usize>] {
        &self.closed
    }

    pub fn into_closed(self) -> Vec<Range<usize>> {
        self.closed
    }
}

/// The 1-based line of byte `at` (JSON lines end at `\n`).
pub fn line_of(text: &[u8], at: usize) -> u64 {
    crate::io::line_number::line_of(text, at, b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a [u8], ranges: &[Range<usize>]) -> Vec<&'a str> {
        ranges
            .iter()
            .map(|r| std::str::from_utf8(&text[r.clone()]).unwrap())
            .collect()
    }

    #[test]
    fn lines_skip_blanks_and_carriage_returns() {
        let text = b"{\"a\":1}\r\n\n  \n{\"a\":2}";
        assert_eq!(
            texts(text, &lines(text, 0..text.len())),
            ["{\"a\":1}", "{\"a\":2}"]
        );
    }

    #[test]
    fn array_elements_are_records_whatever_they_hold() {
        let text = b"[\n {\"a\": \"x,]\\\"\"},\n {\"b\": [1, {\"c\": 2}]} , 3 ]\n";
        assert_eq!(
            texts(text, &document(text, 0, false).unwrap()),
            ["{\"a\": \"x,]\\\"\"}", "{\"b\": [1, {\"c\": 2}]}", "3"]
        );
        assert!(document(b"[]", 0, false).unwrap().is_empty());
        assert_eq!(
            texts(
                b" {\"a\":\n1} ",
                &document(b" {\"a\":\n1} ", 0, false).unwrap()
            ),
            ["{\"a\":\n1}"]
        );
    }

    #[test]
    fn an_array_scanned_in_parts_gives_the_elements_of_the_whole() {
        let text: &[u8] =
            b" [ {\"a\": \"x,]\\\"\"} ,\n{\"b\": [1, {\"c\": 2}]} x y, 12345 ,true,\"s\" ]\n";
        let whole = document(text, 0, false).unwrap();
        assert_eq!(whole.len(), 5);
        for step in 1..text.len() {
            let mut scan = ArrayScan::new(1, false);
            let mut records = Vec::new();
            for end in (step..text.len()).step_by(step) {
                scan.advance(&text[..end], &mut records);
                assert!(records.iter().all(|r| whole.contains(r)), "step {step}");
            }
            scan.finish(text, &mut records).unwrap();
            assert_eq!(records, whole, "step {step}");
        }
    }

    #[test]
    fn an_unclosed_array_or_trailing_text_is_an_error() {
        let err = document(b"[{\"a\":1},\n{\"a\":2}", 0, false).unwrap_err();
        assert!(err.message().contains("truncated"), "{err}");
        let err = document(b"[{\"a\":1}]\n[{\"a\":2}]", 0, false).unwrap_err();
        assert!(err.message().contains("line 2"), "{err}");
    }

    #[test]
    fn pieces_close_in_the_same_places_however_records_come() {
        let lens = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
        let mut whole = Pieces::new(6);
        for (i, len) in lens.iter().enumerate() {
            whole.add(i, *len);
        }
        whole.close(lens.len());
        assert_eq!(whole.closed(), [0..3, 3..5, 5..6, 6..8, 8..10]);
        let mut empty = Pieces::new(6);
        empty.close(0);
        assert!(empty.into_closed().is_empty());
    }

    #[test]
    fn a_document_is_told_from_json_lines() {
        assert!(looks_multi_line(b"[\n{\"a\":1}\n]", false));
        assert!(looks_multi_line(b"  {\"a\":\n1}", false));
        assert!(looks_multi_line(b"{\"a\": \"}\n\"}", false));
        assert!(!looks_multi_line(b"{\"a\":1}\n{\"a\":2}", false));
        assert!(!looks_multi_line(b"[{\"a\":1}]\n", false));
        assert!(!looks_multi_line(b"oops", false));
        // A first line that closes what it opens is a record, valid JSON or not.
        assert!(!looks_multi_line(b"{'a': NaN, 'b': '}'}\n{\"a\":2}", false));
        assert!(!looks_multi_line(b"{\"a\": nope}\n{\"a\":2}", false));
        assert!(looks_multi_line(b"{'a':\n1}", false));
    }
}
