//! What happens to a file's bytes before they are read as CSV: another character set is
//! decoded to UTF-8 (Spark's `encoding`) and comment lines are dropped (`comment`).
//!
//! Both work on the stream as it comes, chunk by chunk, so the loader's other steps (the
//! head that settles the dialect, the chunks decoded in parallel) see plain UTF-8 CSV.

use encoding_rs::{CoderResult, Decoder, Encoding, UTF_8};

use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::dialect::{ascii_option, line_separator};
use crate::io::csv::options::CsvOptions;

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The state of one pass over a file's bytes.
pub struct InputFilter {
    /// `None` for UTF-8, which is read as it is (invalid bytes are reported per column).
    decoder: Option<Decoder>,
    comment: Option<u8>,
    /// The `lineSep` byte that ends a comment line; `None` ends it at `\n` or `\r`.
    line_sep: Option<u8>,
    /// Bytes of a UTF-8 byte-order mark matched at the start of the stream, until the
    /// first byte that is not part of one (then `None`).
    bom: Option<usize>,
    at_line_start: bool,
    in_comment: bool,
    decoded: Vec<u8>,
}

/// The encoding an `encoding` option names, `None` for UTF-8.
pub fn encoding_of(label: &str) -> Result<Option<&'static Encoding>> {
    let encoding = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        Error::new(
            ErrorCode::CsvBadOption,
            format!(
                "unknown encoding `{label}`: the reader knows UTF-8, UTF-16LE, UTF-16BE, ISO-8859-1 \
                 (latin1), windows-1252 or another WHATWG encoding label"
            ),
        )
    })?;
    Ok((encoding != UTF_8).then_some(encoding))
}

/// Decodes `input` to UTF-8 into `out` (cleared first), growing it as needed: text of a
/// single-byte encoding (or UTF-16) is about its size in UTF-8 or less, so the worst case
/// (three times the bytes) is not reserved up front for every chunk.
pub fn decode_to_utf8(decoder: &mut Decoder, input: &[u8], last: bool, out: &mut Vec<u8>) {
    out.clear();
    out.resize(input.len() + input.len() / 4 + 64, 0);
    let (mut read, mut written) = (0, 0);
    loop {
        let (result, r, w, _) = decoder.decode_to_utf8(&input[read..], &mut out[written..], last);
        read += r;
        written += w;
        match result {
            CoderResult::InputEmpty => break,
            CoderResult::OutputFull => {
                let grown = out.len() + out.len() / 2 + 64;
                out.resize(grown, 0);
            }
        }
    }
    out.truncate(written);
}

impl InputFilter {
    /// The filter a load with these options needs, `None` when the bytes are read as they
    /// are. Checks the `encoding` and `comment` options.
    pub fn new(options: &CsvOptions) -> Result<Option<InputFilter>> {
        let encoding = encoding_of(&options.encoding)?;
        let comment = options
            .comment
            .map(|c| ascii_option("comment character", c))
            .transpose()?;
        let line_sep = line_separator(options)?.map(|(byte, _)| byte);
        if comment.is_some() && comment == line_sep {
            return Err(Error::new(
                ErrorCode::CsvBadOption,
                "the comment character must differ from the line separator (lineSep)",
            ));
        }
        if encoding.is_none() && comment.is_none() {
            return Ok(None);
        }
        Ok(Some(InputFilter {
            // Sniffs a byte-order mark, which wins over the label (as in browsers).
            decoder: encoding.map(|e| e.new_decoder()),
            comment,
            line_sep,
            bom: Some(0),
            at_line_start: true,
            in_comment: false,
            decoded: Vec::new(),
        }))
    }

    /// Whether the bytes are decoded from another character set.
    pub fn decodes(&self) -> bool {
        self.decoder.is_some()
    }

    /// Whether a window cut anywhere in the file can be filtered on its own (not when a
    /// multi-byte encoding could be cut in the middle of a character).
    pub fn window(&self) -> Option<InputFilter> {
        if self.decoder.is_some() {
            return None;
        }
        Some(InputFilter {
            decoder: None,
            comment: self.comment,
            line_sep: self.line_sep,
            bom: None,
            at_line_start: false,
            in_comment: false,
            decoded: Vec::new(),
        })
    }

    /// Filters the next bytes of the stream into `out` (cleared first); `last` says they
    /// end it.
    pub fn filter(&mut self, input: &[u8], last: bool, out: &mut Vec<u8>) -> Result<()> {
        out.clear();
        let mut decoded = std::mem::take(&mut self.decoded);
        let text: &[u8] = match &mut self.decoder {
            Some(decoder) => {
                decode_to_utf8(decoder, input, last, &mut decoded);
                &decoded
            }
            None => input,
        };
        let text = self.skip_bom(text, out);
        match self.comment {
            Some(comment) => self.drop_comments(text, comment, out),
            None => out.extend_from_slice(text),
        }
        self.decoded = decoded;
        Ok(())
    }

    /// Drops a UTF-8 byte-order mark at the start of the stream (the loader looks for one
    /// itself, but a comment on the first line would hide behind it).
    fn skip_bom<'a>(&mut self, mut text: &'a [u8], out: &mut Vec<u8>) -> &'a [u8] {
        while let Some(matched) = self.bom {
            let Some((&first, rest)) = text.split_first() else {
                break;
            };
            if first == UTF8_BOM[matched] {
                text = rest;
                self.bom = (matched + 1 < UTF8_BOM.len()).then_some(matched + 1);
            } else {
                out.extend_from_slice(&UTF8_BOM[..matched]);
                self.bom = None;
            }
        }
        text
    }

    /// Where the next line break is in `text`.
    fn next_break(&self, text: &[u8]) -> Option<usize> {
        match self.line_sep {
            Some(sep) => memchr::memchr(sep, text),
            None => memchr::memchr2(b'\n', b'\r', text),
        }
    }

    fn drop_comments(&mut self, text: &[u8], comment: u8, out: &mut Vec<u8>) {
        let mut i = 0;
        while i < text.len() {
            if self.in_comment {
                match self.next_break(&text[i..]) {
                    Some(k) => {
                        i += k;
                        self.in_comment = false;
                        self.at_line_start = false;
                    }
                    None => return,
                }
            } else if self.at_line_start && text[i] == comment {
                self.in_comment = true;
                i += 1;
                continue;
            }
            // Copy the rest of the line with its line break.
            match self.next_break(&text[i..]) {
                Some(k) => {
                    out.extend_from_slice(&text[i..i + k + 1]);
                    i += k + 1;
                    self.at_line_start = true;
                }
                None => {
                    out.extend_from_slice(&text[i..]);
                    self.at_line_start = false;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(options: &CsvOptions, input: &[u8], chunk: usize) -> Vec<u8> {
        let mut filter = InputFilter::new(options).unwrap().unwrap();
        let mut all = Vec::new();
        let mut out = Vec::new();
        for piece in input.chunks(chunk) {
            filter.filter(piece, false, &mut out).unwrap();
            all.extend_from_slice(&out);
        }
        filter.filter(&[], true, &mut out).unwrap();
        all.extend_from_slice(&out);
        all
    }

    #[test]
    fn drops_comment_lines_across_chunks() {
        let options = CsvOptions {
            comment: Some('#'),
            ..CsvOptions::default()
        };
        let input = b"\xEF\xBB\xBF# head\na;b\r\n#x;y\r\n1;#2\n# tail";
        for chunk in 1..input.len() + 1 {
            assert_eq!(
                run(&options, input, chunk),
                b"\na;b\r\n\r\n1;#2\n",
                "{chunk}"
            );
        }
    }

    #[test]
    fn decodes_utf16_and_latin1() {
        let options = CsvOptions {
            encoding: "UTF-16LE".into(),
            ..CsvOptions::default()
        };
        let text = "name\nJosé\n";
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        for chunk in [1, 3, 100] {
            assert_eq!(run(&options, &utf16, chunk), text.as_bytes());
        }
        // Text that grows when decoded (2 bytes of UTF-16 → 3 of UTF-8) grows the buffer.
        let wide: String = "日本語,".repeat(500) + "\n";
        let mut wide16: Vec<u8> = Vec::new();
        for unit in wide.encode_utf16() {
            wide16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(run(&options, &wide16, 4096), wide.as_bytes());
        let options = CsvOptions {
            encoding: "ISO-8859-1".into(),
            ..CsvOptions::default()
        };
        assert_eq!(run(&options, b"Jos\xE9\n", 2), "José\n".as_bytes());
        let bad = CsvOptions {
            encoding: "klingon".into(),
            ..CsvOptions::default()
        };
        let err = InputFilter::new(&bad).err().unwrap();
        assert_eq!(err.code(), ErrorCode::CsvBadOption);
        assert!(InputFilter::new(&CsvOptions::default()).unwrap().is_none());
    }
}
