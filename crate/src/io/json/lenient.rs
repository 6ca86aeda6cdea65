//! The JSON that Spark's reader accepts beyond the standard: Jackson's parser features its
//! `allow*` options turn on. Two are on by default (`allowSingleQuotes`,
//! `allowNonNumericNumbers`), so `{'a': 'x'}` and Python's `{"b": NaN}` are records in Spark
//! without any option.
//!
//! Records are read as standard JSON first. Only a record that standard JSON refuses is
//! rewritten here into the standard JSON that means the same, and read again: a file of
//! standard JSON pays nothing. The rewrite follows Jackson's grammar for each feature:
//! - `allowSingleQuotes`: `'…'` strings and names, and the `\'` escape in any string;
//! - `allowNonNumericNumbers`: `NaN`, `Infinity`, `+Infinity`, `-Infinity`, `+INF` and
//!   `-INF` where a value goes (not `INF`, `nan` or `-NaN`);
//! - `allowUnquotedFieldNames`: names of letters, digits, `_` and `$`;
//! - `allowNumericLeadingZeros`: `007` is `7`, `-01.5` is `-1.5`;
//! - `allowBackslashEscapingAnyCharacter`: `\q` is `q`;
//! - `allowUnquotedControlChars`: a tab or other control character inside a string;
//! - `allowComments`: `/* … */` and `// …` between tokens; a record of comments only
//!   makes no row.
//!
//! Standard JSON has no non-finite numbers, so the rewrite writes them for its reader:
//! `0.0` for schema inference (which only needs their type, `double`) and a string of the
//! token for decoding (arrow-json and the given-schema reader read `"NaN"`, `"-INF"`, ...
//! into a `double`, and a `string` column keeps the token as written, as Spark does).

use crate::io::json::options::JsonOptions;

/// Containers nested deeper are left unread (serde_json, which reads the rewrite, stops at
/// 128 anyway), so the rewrite's recursion is bounded.
const MAX_DEPTH: usize = 128;

/// Which of Jackson's leniencies are on (Spark's `allow*` JSON options).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Leniency {
    pub single_quotes: bool,
    pub non_numeric_numbers: bool,
    pub unquoted_field_names: bool,
    pub numeric_leading_zeros: bool,
    pub backslash_escaping_any_character: bool,
    pub unquoted_control_chars: bool,
    pub comments: bool,
}

impl Leniency {
    pub fn of(options: &JsonOptions) -> Leniency {
        Leniency {
            single_quotes: options.allow_single_quotes,
            non_numeric_numbers: options.allow_non_numeric_numbers,
            unquoted_field_names: options.allow_unquoted_field_names,
            numeric_leading_zeros: options.allow_numeric_leading_zeros,
            backslash_escaping_any_character: options.allow_backslash_escaping_any_character,
            unquoted_control_chars: options.allow_unquoted_control_chars,
            comments: options.allow_comments,
        }
    }

    /// Spark's names of the seven options, as [`Leniency::option_mut`] takes them.
    pub const OPTIONS: [&'static str; 7] = [
        "allowSingleQuotes",
        "allowNonNumericNumbers",
        "allowUnquotedFieldNames",
        "allowNumericLeadingZeros",
        "allowBackslashEscapingAnyCharacter",
        "allowUnquotedControlChars",
        "allowComments",
    ];

    /// The setting of Spark's option `name` (`allowSingleQuotes`, ...), to set it; `None`
    /// for a name that is not one of the seven.
    pub fn option_mut(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "allowSingleQuotes" => &mut self.single_quotes,
            "allowNonNumericNumbers" => &mut self.non_numeric_numbers,
            "allowUnquotedFieldNames" => &mut self.unquoted_field_names,
            "allowNumericLeadingZeros" => &mut self.numeric_leading_zeros,
            "allowBackslashEscapingAnyCharacter" => &mut self.backslash_escaping_any_character,
            "allowUnquotedControlChars" => &mut self.unquoted_control_chars,
            "allowComments" => &mut self.comments,
            _ => return None,
        })
    }

    /// Whether anything beyond standard JSON is accepted.
    pub fn any(&self) -> bool {
        *self != Leniency::default()
    }

    /// `record` as standard JSON, when it is JSON under these leniencies (`None`: it is
    /// not, or nothing is accepted beyond the standard). A record of comments only becomes
    /// `[]`: an array of no records, which makes no row, as in Spark.
    pub fn standard_of(&self, record: &[u8], non_numeric: NonNumeric) -> Option<Vec<u8>> {
        if !self.any() {
            return None;
        }
        let mut rewrite = Rewrite {
            bytes: record,
            pos: 0,
            out: Vec::with_capacity(record.len() + 8),
            leniency: *self,
            non_numeric,
        };
        rewrite.space()?;
        if rewrite.pos == record.len() {
            return self.comments.then(|| b"[]".to_vec());
        }
        rewrite.value(0)?;
        rewrite.space()?;
        (rewrite.pos == record.len()).then_some(rewrite.out)
    }
}

/// How a non-finite number (`NaN`, `-INF`, ...) is written in standard JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonNumeric {
    /// `0.0`: a `double` to infer the schema from.
    Double,
    /// A string of the token as written: what the decoders read into a `double`.
    Text,
    /// The token as written, for a reader that reads them itself (SQL's `from_json`):
    /// the rewrite is then standard JSON but for them.
    AsWritten,
}

/// The non-numeric tokens Jackson reads, longest first where one starts another.
const NON_NUMERIC: [&[u8]; 6] = [
    b"NaN",
    b"Infinity",
    b"+Infinity",
    b"-Infinity",
    b"+INF",
    b"-INF",
];

/// The length of the non-numeric number `text` starts with (`NaN`, `-INF`, ...), if it
/// does and the token ends there (no letter, digit or `_` follows).
pub fn non_numeric_token(text: &[u8]) -> Option<usize> {
    NON_NUMERIC
        .iter()
        .find(|token| {
            text.starts_with(token)
                && !text
                    .get(token.len())
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        })
        .map(|token| token.len())
}

/// The `double` a non-numeric token stands for.
pub fn non_numeric_value(token: &[u8]) -> f64 {
    match token {
        b"NaN" => f64::NAN,
        [b'-', ..] => f64::NEG_INFINITY,
        _ => f64::INFINITY,
    }
}

struct Rewrite<'a> {
    bytes: &'a [u8],
    pos: usize,
    out: Vec<u8>,
    leniency: Leniency,
    non_numeric: NonNumeric,
}

impl<'a> Rewrite<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips whitespace (copied) and, when allowed, comments (dropped); `None` at a
    /// comment that is never closed.
    fn space(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_whitespace() => {
                    self.out.push(b);
                    self.pos += 1;
                }
                Some(b'/') if self.leniency.comments => {
                    match self.bytes.get(self.pos + 1) {
                        Some(b'/') => {
                            let rest = &self.bytes[self.pos..];
                            self.pos += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                        }
                        Some(b'*') => {
                            let rest = &self.bytes[self.pos + 2..];
                            let close = rest.windows(2).position(|w| w == b"*/")?;
                            self.pos += 2 + close + 2;
                        }
                        _ => return None,
                    }
                    self.out.push(b' ');
                }
                _ => return Some(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string(b'"'),
            b'\'' if self.leniency.single_quotes => self.string(b'\''),
            b'-' | b'+' | b'N' | b'I' if self.non_numeric() => Some(()),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.out.push(b'{');
        self.pos += 1;
        self.space()?;
        if self.peek()? == b'}' {
            self.out.push(b'}');
            self.pos += 1;
            return Some(());
        }
        loop {
            self.name()?;
            self.space()?;
            if self.peek()? != b':' {
                return None;
            }
            self.out.push(b':');
            self.pos += 1;
            self.space()?;
            self.value(depth + 1)?;
            if self.closes(b'}')? {
                return Some(());
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.out.push(b'[');
        self.pos += 1;
        self.space()?;
        if self.peek()? == b']' {
            self.out.push(b']');
            self.pos += 1;
            return Some(());
        }
        loop {
            self.value(depth + 1)?;
            if self.closes(b']')? {
                return Some(());
            }
        }
    }

    /// After an item of an object or array: its `,` (false) or the `close` (true).
    fn closes(&mut self, close: u8) -> Option<bool> {
        self.space()?;
        let b = self.peek()?;
        if b != b',' && b != close {
            return None;
        }
        self.out.push(b);
        self.pos += 1;
        if b == b',' {
            self.space()?;
        }
        Some(b == close)
    }

    /// A field's name: a string, or (when allowed) a run of the characters Jackson takes
    /// in an unquoted name (ASCII letters, digits, `_`, `$`, and any non-ASCII character).
    fn name(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string(b'"'),
            b'\'' if self.leniency.single_quotes => self.string(b'\''),
            _ if self.leniency.unquoted_field_names => {
                let start = self.pos;
                while let Some(b) = self.peek() {
                    if !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80) {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
                self.out.push(b'"');
                self.out.extend_from_slice(&self.bytes[start..self.pos]);
                self.out.push(b'"');
                Some(())
            }
            _ => None,
        }
    }

    /// A string quoted by `quote`, written with double quotes and standard escapes.
    fn string(&mut self, quote: u8) -> Option<()> {
        self.out.push(b'"');
        self.pos += 1;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                _ if b == quote => {
                    self.out.push(b'"');
                    return Some(());
                }
                b'\\' => self.escape()?,
                b'"' => self.out.extend_from_slice(b"\\\""),
                0..=0x1f if self.leniency.unquoted_control_chars => self.control(b),
                0..=0x1f => return None,
                _ => self.out.push(b),
            }
        }
    }

    /// The escape after a backslash.
    fn escape(&mut self) -> Option<()> {
        let c = self.peek()?;
        self.pos += 1;
        match c {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {
                self.out.extend_from_slice(&[b'\\', c]);
            }
            b'u' => {
                let hex = self.bytes.get(self.pos..self.pos + 4)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                self.out.extend_from_slice(b"\\u");
                self.out.extend_from_slice(hex);
                self.pos += 4;
            }
            b'\''
                if self.leniency.single_quotes
                    || self.leniency.backslash_escaping_any_character =>
            {
                self.out.push(b'\'');
            }
            _ if self.leniency.backslash_escaping_any_character => match c {
                0..=0x1f => self.control(c),
                _ => self.out.push(c),
            },
            _ => return None,
        }
        Some(())
    }

    fn control(&mut self, b: u8) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.extend_from_slice(b"\\u00");
        self.out.push(HEX[usize::from(b >> 4)]);
        self.out.push(HEX[usize::from(b & 0xf)]);
    }

    /// A non-numeric number at the current position, when allowed; written as
    /// [`NonNumeric`] says.
    fn non_numeric(&mut self) -> bool {
        if !self.leniency.non_numeric_numbers {
            return false;
        }
        let rest = &self.bytes[self.pos..];
        let Some(token) = non_numeric_token(rest).map(|len| &rest[..len]) else {
            return false;
        };
        match self.non_numeric {
            NonNumeric::Double => self.out.extend_from_slice(b"0.0"),
            NonNumeric::Text => {
                self.out.push(b'"');
                self.out.extend_from_slice(token);
                self.out.push(b'"');
            }
            NonNumeric::AsWritten => self.out.extend_from_slice(token),
        }
        self.pos += token.len();
        true
    }

    /// A number: copied, but for the leading zeros of its integer part when allowed.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.out.push(b'-');
            self.pos += 1;
        }
        let digits = self.digits();
        if digits.is_empty() {
            return None;
        }
        let kept = match digits.iter().position(|&d| d != b'0') {
            _ if digits.len() == 1 || digits[0] != b'0' => digits,
            _ if !self.leniency.numeric_leading_zeros => return None,
            Some(first) => &digits[first..],
            None => &digits[digits.len() - 1..],
        };
        self.out.extend_from_slice(kept);
        if self.peek() == Some(b'.') {
            self.out.push(b'.');
            self.pos += 1;
            let fraction = self.digits();
            if fraction.is_empty() {
                return None;
            }
            self.out.extend_from_slice(fraction);
        }
        if let Some(e @ (b'e' | b'E')) = self.peek() {
            self.out.push(e);
            self.pos += 1;
            if let Some(sign @ (b'+' | b'-')) = self.peek() {
                self.out.push(sign);
                self.pos += 1;
            }
            let exponent = self.digits();
            if exponent.is_empty() {
                return None;
            }
            self.out.extend_from_slice(exponent);
        }
        Some(())
    }

    fn digits(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let bytes = self.bytes;
        &bytes[start..self.pos]
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if !self.bytes[self.pos..].starts_with(word) {
            return None;
        }
        self.out.extend_from_slice(word);
        self.pos += word.len();
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPARK: Leniency = Leniency {
        single_quotes: true,
        non_numeric_numbers: true,
        unquoted_field_names: false,
        numeric_leading_zeros: false,
        backslash_escaping_any_character: false,
        unquoted_control_chars: false,
        comments: false,
    };

    const ALL: Leniency = Leniency {
        single_quotes: true,
        non_numeric_numbers: true,
        unquoted_field_names: true,
        numeric_leading_zeros: true,
        backslash_escaping_any_character: true,
        unquoted_control_chars: true,
        comments: true,
    };

    fn standard(leniency: Leniency, record: &str, non_numeric: NonNumeric) -> Option<String> {
        let out = leniency.standard_of(record.as_bytes(), non_numeric)?;
        let text = String::from_utf8(out).unwrap();
        // Whatever is written is standard JSON.
        serde_json::from_str::<serde_json::Value>(&text).expect(&text);
        Some(text)
    }

    #[test]
    fn every_option_name_sets_its_own_setting() {
        for name in Leniency::OPTIONS {
            let mut leniency = Leniency::default();
            *leniency.option_mut(name).unwrap() = true;
            let set = Leniency::OPTIONS
                .iter()
                .filter(|other| *leniency.option_mut(other).unwrap())
                .count();
            assert_eq!(set, 1, "{name}");
        }
        assert!(Leniency::default().option_mut("allowEverything").is_none());
    }

    #[test]
    fn any_character_escaped_keeps_the_standard_escapes() {
        let backslashes = Leniency {
            backslash_escaping_any_character: true,
            ..Leniency::default()
        };
        assert_eq!(
            standard(backslashes, r#"{"a": "\q\u0041\n"}"#, NonNumeric::Text).unwrap(),
            r#"{"a": "q\u0041\n"}"#
        );
    }

    #[test]
    fn spark_defaults_read_single_quotes_and_non_numeric_numbers() {
        let text = |r| standard(SPARK, r, NonNumeric::Text);
        assert_eq!(
            text(r#"{'a': 'it\'s', 'b': 'say "hi"'}"#).unwrap(),
            r#"{"a": "it's", "b": "say \"hi\""}"#
        );
        assert_eq!(text(r#"{"s": "\'x"}"#).unwrap(), r#"{"s": "'x"}"#);
        assert_eq!(
            text(r#"{"b": NaN, "c": [1, -Infinity, +INF, Infinity, -INF, +Infinity]}"#).unwrap(),
            r#"{"b": "NaN", "c": [1, "-Infinity", "+INF", "Infinity", "-INF", "+Infinity"]}"#
        );
        assert_eq!(
            standard(SPARK, r#"{"b": NaN, "c": [-INF]}"#, NonNumeric::Double).unwrap(),
            r#"{"b": 0.0, "c": [0.0]}"#
        );
        // What Jackson refuses under Spark's defaults.
        for refused in [
            r#"{"b": INF}"#,
            r#"{"b": +NaN}"#,
            r#"{"b": -NaN}"#,
            r#"{"b": nan}"#,
            r#"{"b": NaNa}"#,
            r#"{"b": +1}"#,
            r#"{"c": 007}"#,
            r#"{a: 1}"#,
            r#"{"s": "r\q"}"#,
            "{\"s\": \"tab\there\"}",
            r#"{"c": 1} // end"#,
            r#"{"a": 1,}"#,
            r#"{"a": 1."#,
            r#"{"a": 'x}"#,
            "",
        ] {
            assert_eq!(text(refused), None, "{refused}");
        }
    }

    #[test]
    fn every_option_reads_what_jackson_reads() {
        let text = |r| standard(ALL, r, NonNumeric::Text).unwrap();
        assert_eq!(
            text(r#"{a_1: 1, $b: 2, "c": 3}"#),
            r#"{"a_1": 1, "$b": 2, "c": 3}"#
        );
        assert_eq!(text(r#"{"c": 007}"#), r#"{"c": 7}"#);
        assert_eq!(text(r#"{"c": -01.5e3}"#), r#"{"c": -1.5e3}"#);
        assert_eq!(text(r#"{"c": 00}"#), r#"{"c": 0}"#);
        assert_eq!(text(r#"{"s": "r\q"}"#), r#"{"s": "rq"}"#);
        assert_eq!(text("{\"s\": \"tab\there\"}"), r#"{"s": "tab\u0009here"}"#);
        assert_eq!(
            text(r#"{"c": 1 /* c, } */, "s": "k"} // end"#),
            r#"{"c": 1  , "s": "k"}  "#
        );
        assert_eq!(text("// only a comment"), "[]");
        assert_eq!(text("  /* a */ "), "[]");
        assert_eq!(standard(ALL, "/* never closed", NonNumeric::Text), None);
    }

    #[test]
    fn nothing_is_rewritten_when_nothing_is_allowed() {
        assert_eq!(
            Leniency::default().standard_of(b"{'a': 1}", NonNumeric::Text),
            None
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let deep = "[".repeat(100_000);
        assert_eq!(standard(ALL, &deep, NonNumeric::Text), None);
    }
}
