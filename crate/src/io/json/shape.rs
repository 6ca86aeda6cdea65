//! A record's shape: its keys and the kinds of its values, in order, read by a scanner that
//! checks the record as serde_json checks it but builds nothing. Merging a record into a
//! type is idempotent, so a record whose shape was merged before adds nothing to the
//! schema: the survey (`survey.rs`) skips its merge. In files written by a program
//! (Spark's `df.write.json`, a logger) a piece of records has a few shapes (a field left
//! out where it is null, a whole number where a double is usual), and the survey then
//! costs one pass of this scanner instead of serde_json reading every value (numbers
//! parsed to `f64`, each key looked up by name).
//!
//! The scanner accepts only what serde_json accepts (it may refuse more: numbers it cannot
//! tell apart cheaply, surrogate escapes, deep nesting): a record it refuses is left to
//! serde_json, which decides.

use std::ops::Range;

use foldhash::HashSet;

/// Containers nested deeper are left to serde_json (whose limit is 127).
const MAX_DEPTH: usize = 100;
/// Digits of a number's integer part plus its exponent up to which it is surely below
/// `f64::MAX` (serde_json refuses a number that overflows).
const SAFE_MAGNITUDE: i64 = 300;
/// Shapes remembered per piece; a piece with more merges the records of the others.
const MAX_SHAPES: usize = 1024;

/// The bytes of a shape: one per value or bracket, a key as its length and raw text
/// (escapes and all: the same raw key is the same name).
const KEY: u8 = b'k';
const NULL: u8 = b'n';
const BOOLEAN: u8 = b'b';
/// A whole number that fits an `i64` (`-0` too): Spark's `bigint`.
const LONG: u8 = b'l';
/// A number with a point or an exponent: Spark's `double`. (A whole number beyond
/// `bigint`, a decimal to Spark, is left to the survey.)
const DOUBLE: u8 = b'd';
const STRING: u8 = b's';
const CLOSE: u8 = b')';

/// The shapes of the records of one piece of text merged so far.
pub struct Shapes<'t> {
    text: &'t [u8],
    seen: HashSet<Box<[u8]>>,
    current: Vec<u8>,
    /// Whether a record read had an empty string value (its shape has a null there: both
    /// are nulls to inference).
    blanks: bool,
}

/// What [`Shapes::read`] found.
pub enum Read {
    /// A valid record of a shape merged before: merging it changes nothing.
    Seen { rows: usize },
    /// A valid record of a new shape, to be merged (it counts as merged from now on).
    New,
    /// Not read: malformed, or beyond what the scanner tells apart; serde_json decides.
    Unknown,
}

impl<'t> Shapes<'t> {
    pub fn new(text: &'t [u8]) -> Self {
        Shapes {
            text,
            seen: HashSet::default(),
            current: Vec::new(),
            blanks: false,
        }
    }

    /// Whether a record read so far had an empty string value.
    pub fn met_blanks(&self) -> bool {
        self.blanks
    }

    /// Reads the record at `range` of the text. A record read as [`Read::New`] must be
    /// merged before the next is read.
    pub fn read(&mut self, range: Range<usize>) -> Read {
        self.current.clear();
        let mut scanner = Scanner {
            text: self.text,
            pos: range.start,
            end: range.end,
            shape: &mut self.current,
            blanks: &mut self.blanks,
        };
        let Some(rows) = scanner.record() else {
            return Read::Unknown;
        };
        if self.seen.contains(self.current.as_slice()) {
            Read::Seen { rows }
        } else {
            if self.seen.len() < MAX_SHAPES {
                self.seen.insert(self.current.as_slice().into());
            }
            Read::New
        }
    }
}

/// Where the string at `pos` ends (after its closing quote) and whether it has escapes,
/// when the scanner vouches for it as serde_json would read it (`None`: malformed, or
/// left to serde_json).
pub fn checked_string(text: &[u8], pos: usize, end: usize) -> Option<(usize, bool)> {
    scan_one(text, pos, end, |scanner| scanner.string())
}

/// Where the number at `pos` ends and whether it is a `bigint` (else a `double`), when the
/// scanner vouches for it (`None`: malformed, or left to the survey).
pub fn checked_number(text: &[u8], pos: usize, end: usize) -> Option<(usize, bool)> {
    scan_one(text, pos, end, |scanner| Some(scanner.number()? == LONG))
}

/// One token read by the scanner from `pos`: where it ends, and what `read` says of it.
fn scan_one<T>(
    text: &[u8],
    pos: usize,
    end: usize,
    read: impl FnOnce(&mut Scanner) -> Option<T>,
) -> Option<(usize, T)> {
    let mut shape = Vec::new();
    let mut blanks = false;
    let mut scanner = Scanner {
        text,
        pos,
        end,
        shape: &mut shape,
        blanks: &mut blanks,
    };
    let found = read(&mut scanner)?;
    Some((scanner.pos, found))
}

/// The length of the run of plain ASCII text a string's bytes start with: up to the first
/// quote, backslash, control character or non-ASCII byte. Eight bytes at a time: in each
/// word, a byte below 0x20, equal to `"` or `\\`, or with its high bit set marks its high
/// bit, and the lowest marked byte is the first one (a borrow only moves marks upward).
fn plain_ascii(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let marks = below(word, 0x20)
            | below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | (word & HIGHS);
        if marks != 0 {
            return at + (marks.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| !matches!(b, 0x20..=0x7F) || b == b'"' || b == b'\\')
        .unwrap_or(bytes.len() - at)
}

struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
    end: usize,
    shape: &'a mut Vec<u8>,
    /// Set at an empty string value.
    blanks: &'a mut bool,
}

impl Scanner<'_> {
    /// A whole record, an object or an array of objects, and nothing after it but
    /// whitespace; its row count.
    fn record(&mut self) -> Option<usize> {
        self.skip_ws();
        let rows = match self.peek()? {
            b'{' => {
                self.value(0)?;
                1
            }
            b'[' => {
                self.pos += 1;
                self.shape.push(b'[');
                let mut rows = 0;
                self.items(b']', |s| {
                    s.skip_ws();
                    if s.peek()? != b'{' {
                        return None;
                    }
                    rows += 1;
                    s.value(1)
                })?;
                rows
            }
            _ => return None,
        };
        self.skip_ws();
        (self.pos == self.end).then_some(rows)
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.text[self.pos])
    }

    fn skip_ws(&mut self) {
        while self.pos < self.end && matches!(self.text[self.pos], b' ' | b'\n' | b'\t' | b'\r') {
            self.pos += 1;
        }
    }

    /// The value at the current position (after whitespace), `depth` containers deep.
    fn value(&mut self, depth: usize) -> Option<()> {
        self.skip_ws();
        let token = match self.peek()? {
            b'{' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                self.shape.push(b'{');
                return self.items(b'}', |s| {
                    s.skip_ws();
                    let start = s.pos;
                    s.string()?;
                    let key = &s.text[start..s.pos];
                    s.shape.push(KEY);
                    s.shape.extend_from_slice(&(key.len() as u32).to_le_bytes());
                    s.shape.extend_from_slice(key);
                    s.skip_ws();
                    if s.peek()? != b':' {
                        return None;
                    }
                    s.pos += 1;
                    s.value(depth + 1)
                });
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.pos += 1;
                self.shape.push(b'[');
                return self.items(b']', |s| s.value(depth + 1));
            }
            b'"' => {
                let start = self.pos;
                self.string()?;
                // `""` is a null to inference (`typing.rs`).
                if self.pos == start + 2 {
                    *self.blanks = true;
                    NULL
                } else {
                    STRING
                }
            }
            b't' => self.literal(b"true", BOOLEAN)?,
            b'f' => self.literal(b"false", BOOLEAN)?,
            b'n' => self.literal(b"null", NULL)?,
            _ => self.number()?,
        };
        self.shape.push(token);
        Some(())
    }

    /// The items of an object or an array, from just after its opening bracket to just
    /// after its `close`: none, or items separated by commas.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.skip_ws();
        if self.peek()? == close {
            self.pos += 1;
            self.shape.push(CLOSE);
            return Some(());
        }
        loop {
            item(self)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b if b == close => {
                    self.pos += 1;
                    self.shape.push(CLOSE);
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8], token: u8) -> Option<u8> {
        let end = self.pos + word.len();
        (end <= self.end && &self.text[self.pos..end] == word).then(|| {
            self.pos = end;
            token
        })
    }

    /// A string as serde_json reads one into a `str`: no control characters, valid
    /// escapes, valid UTF-8; whether it has escapes. A `\u` escape of a surrogate is left
    /// to serde_json.
    fn string(&mut self) -> Option<bool> {
        if self.peek()? != b'"' {
            return None;
        }
        let text = &self.text[..self.end];
        let start = self.pos + 1;
        let mut pos = start;
        let mut ascii = true;
        let mut escaped = false;
        loop {
            pos += plain_ascii(&text[pos..]);
            match *text.get(pos)? {
                b'"' => break,
                b'\\' => match *text.get(pos + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {
                        escaped = true;
                        pos += 2;
                    }
                    b'u' => {
                        let hex = text.get(pos + 2..pos + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        let unit = hex
                            .iter()
                            .fold(0u32, |n, &h| n * 16 + (h as char).to_digit(16).unwrap_or(0));
                        if (0xD800..0xE000).contains(&unit) {
                            return None;
                        }
                        escaped = true;
                        pos += 6;
                    }
                    _ => return None,
                },
                0..=0x1F => return None,
                _ => {
                    ascii = false;
                    pos += 1;
                }
            }
        }
        if !ascii && std::str::from_utf8(&text[start..pos]).is_err() {
            return None;
        }
        self.pos = pos + 1;
        Some(escaped)
    }

    /// A number as serde_json reads it, and whether it is a `bigint` or a `double`.
    fn number(&mut self) -> Option<u8> {
        let text = &self.text[..self.end];
        let mut pos = self.pos;
        let negative = text[pos] == b'-';
        if negative {
            pos += 1;
        }
        let digits_start = pos;
        // The integer part's value while it fits a `u64`; only told apart from 1 when it
        // has more than 18 digits (fewer always fit an `i64`).
        let value: Option<u64> = match text.get(pos)? {
            b'0' => {
                pos += 1;
                Some(0)
            }
            b'1'..=b'9' => {
                while text.get(pos).is_some_and(u8::is_ascii_digit) {
                    pos += 1;
                }
                let digits = &text[digits_start..pos];
                if digits.len() <= 18 {
                    Some(1)
                } else {
                    digits.iter().try_fold(0u64, |v, &d| {
                        v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
                    })
                }
            }
            _ => return None,
        };
        let integer_digits = (pos - digits_start) as i64;
        let mut whole = true;
        if text.get(pos) == Some(&b'.') {
            pos += 1;
            let first = pos;
            while text.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            if pos == first {
                return None;
            }
            whole = false;
        }
        let mut exponent: i64 = 0;
        if matches!(text.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            let sign = match text.get(pos) {
                Some(b'+') => {
                    pos += 1;
                    1
                }
                Some(b'-') => {
                    pos += 1;
                    -1
                }
                _ => 1,
            };
            let first = pos;
            while let Some(&d @ b'0'..=b'9') = text.get(pos) {
                exponent = exponent * 10 + i64::from(d - b'0');
                pos += 1;
                if pos - first > 4 {
                    return None;
                }
            }
            if pos == first {
                return None;
            }
            exponent *= sign;
            whole = false;
        }
        // serde_json refuses a number beyond `f64::MAX`; these are surely below it.
        if integer_digits + exponent.max(0) > SAFE_MAGNITUDE {
            return None;
        }
        self.pos = pos;
        if !whole {
            return Some(DOUBLE);
        }
        // As Jackson: a whole number is a `bigint` when it fits one, `-0` included; one
        // beyond is a decimal of its digits, left to the survey (`typing.rs`).
        let long = match (negative, value) {
            (false, Some(v)) => v <= i64::MAX as u64,
            (true, Some(v)) => v <= 1u64 << 63,
            (_, None) => false,
        };
        long.then_some(LONG)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes_of(records: &[&str]) -> Vec<&'static str> {
        let text = records.join("\n");
        let mut shapes = Shapes::new(text.as_bytes());
        let mut at = 0;
        records
            .iter()
            .map(|r| {
                let read = shapes.read(at..at + r.len());
                at += r.len() + 1;
                match read {
                    Read::Seen { .. } => "seen",
                    Read::New => "new",
                    Read::Unknown => "unknown",
                }
            })
            .collect()
    }

    #[test]
    fn a_record_of_a_shape_seen_before_is_known() {
        assert_eq!(
            shapes_of(&[
                r#"{"a": 1, "b": "x", "c": [1.5, null]}"#,
                r#"{"a":2,"b":"yy","c":[2.5,null]}"#,
                r#"{"a": 2.5, "b": "yy", "c": [2.5, null]}"#,
                r#"{"b": 2.5, "a": "yy", "c": [2.5, null]}"#,
                r#"{"b": 2.5, "a": "yy", "c": [2.5]}"#,
                r#"[{"b": 2.5}, {"a": true}]"#,
                r#"[{"b": 3.5}, {"a": false}]"#,
                r#"{"a": 3.5, "b": "z", "c": [2.5, null]}"#,
                r#"{"\u0061": 3.5, "b": "z", "c": [2.5, null]}"#,
            ]),
            ["new", "seen", "new", "new", "new", "new", "seen", "seen", "new"]
        );
    }

    #[test]
    fn numbers_are_told_apart_as_serde_json_does() {
        let kind = |n: &str| {
            let record = format!("{{\"a\": {n}}}");
            let mut shape = Vec::new();
            let mut scanner = Scanner {
                text: record.as_bytes(),
                pos: 0,
                end: record.len(),
                shape: &mut shape,
                blanks: &mut false,
            };
            scanner.record().map(|_| shape[shape.len() - 2])
        };
        for (n, expected) in [
            ("0", Some(LONG)),
            ("-0", Some(LONG)),
            ("9223372036854775807", Some(LONG)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(LONG)),
            ("-9223372036854775809", None),
            ("18446744073709551616", None),
            ("1.5", Some(DOUBLE)),
            ("1e5", Some(DOUBLE)),
            ("1E+5", Some(DOUBLE)),
            ("2.5e-300", Some(DOUBLE)),
            ("1e400", None),
            ("01", None),
            ("1.", None),
            ("-", None),
            ("+1", None),
            (".5", None),
            ("1e", None),
            ("NaN", None),
        ] {
            assert_eq!(kind(n), expected, "{n}");
            let serde = serde_json::from_str::<serde_json::Value>(&format!("{{\"a\": {n}}}"));
            if expected.is_some() {
                assert!(serde.is_ok(), "{n}");
            }
        }
    }

    #[test]
    fn what_serde_json_refuses_is_never_read() {
        for record in [
            r#"{"a": 1,}"#,
            r#"{"a": 1} x"#,
            r#"{"a" 1}"#,
            r#"{a: 1}"#,
            r#"{"a": tru}"#,
            r#"{"a": truex}"#,
            "{\"a\": \"x\u{1}\"}",
            r#"{"a": "\x"}"#,
            r#"{"a": "\u12"}"#,
            r#"{"a": [1, 2}"#,
            r#"{"a": 1"#,
            "{\"a\": 1}\u{c}",
            "[{\"a\": 1}, 2]",
            "7",
            "[]x",
        ] {
            assert_eq!(shapes_of(&[record]), ["unknown"], "{record}");
            let value = serde_json::from_str::<serde_json::Value>(record);
            assert!(value.map_or(true, |v| !v.is_object()), "{record}");
        }
        // Invalid UTF-8 inside a string.
        let text = b"{\"a\": \"\xff\"}";
        assert!(matches!(
            Shapes::new(text).read(0..text.len()),
            Read::Unknown
        ));
        // A surrogate escape is left to serde_json; other escapes are read.
        assert_eq!(shapes_of(&[r#"{"a": "\ud83d\ude00"}"#]), ["unknown"]);
        assert_eq!(shapes_of(&[r#"{"a\u0041": "\n\"\\\/\u00e9é"}"#]), ["new"]);
        assert_eq!(shapes_of(&[" [] "]), ["new"]);
    }

    #[test]
    fn plain_ascii_runs_end_where_a_byte_loop_ends_them() {
        let by_bytes = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| !matches!(b, 0x20..=0x7F) || b == b'"' || b == b'\\')
                .unwrap_or(bytes.len())
        };
        // Runs of plain bytes of every length up to 40, then each kind of stop (or none),
        // then anything: every stop at every place in a word.
        let stops = [
            None,
            Some(b'"'),
            Some(b'\\'),
            Some(0x00),
            Some(0x1F),
            Some(0x80),
            Some(0xFF),
        ];
        let mut next = crate::testing::indices(3);
        for run in 0..40 {
            for stop in stops {
                for _ in 0..8 {
                    let mut bytes: Vec<u8> = (0..run)
                        .map(|_| 0x20 + next(0x60) as u8)
                        .filter(|&b| b != b'"' && b != b'\\')
                        .collect();
                    bytes.extend(stop);
                    bytes.extend((0..next(16)).map(|i| (i * 37) as u8));
                    assert_eq!(plain_ascii(&bytes), by_bytes(&bytes), "{bytes:?}");
                }
            }
        }
    }
}
