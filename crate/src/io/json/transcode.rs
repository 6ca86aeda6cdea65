//! A JSON file's bytes as UTF-8 text, as they arrive: a file in another character set is
//! decoded (Spark's `encoding` option: UTF-16, Latin-1, windows-1252, ... by WHATWG
//! label, with encoding_rs), and a UTF-16 file is told by its byte-order mark when no
//! encoding is named (Spark detects a multiLine file's encoding; Windows tools write
//! UTF-16 with a mark). A UTF-8 file is passed through untouched: no copy, no cost.

use encoding_rs::{Decoder, UTF_16LE};

use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::{decode_to_utf8, encoding_of};

/// The first bytes that tell a UTF-16 file: its byte-order mark.
const MARK_BYTES: usize = 2;

/// How a file's bytes become text.
pub enum Transcoder {
    /// No encoding named, and fewer bytes seen than a byte-order mark takes.
    Undecided { head: Vec<u8> },
    /// UTF-8: the bytes are the text.
    Plain,
    /// Another character set, decoded as the bytes arrive.
    Decoding(Box<Decoder>),
    /// The file ended (a decoder must not be used after its last bytes).
    Ended,
}

impl Transcoder {
    /// For Spark's `encoding` option (`None`: UTF-8, or UTF-16 told by a byte-order mark);
    /// `JSON_BAD_OPTION` for a label that names no encoding.
    pub fn new(encoding: Option<&str>) -> Result<Self> {
        let Some(label) = encoding.map(str::trim).filter(|l| !l.is_empty()) else {
            return Ok(Transcoder::Undecided { head: Vec::new() });
        };
        // The CSV reader's lookup (`None` for UTF-8), its error under the JSON option's code.
        let encoding = encoding_of(label).map_err(|e| {
            Error::new(
                ErrorCode::JsonBadOption,
                format!("encoding: {}", e.message()),
            )
        })?;
        Ok(match encoding {
            None => Transcoder::Undecided { head: Vec::new() },
            // The decoder sniffs a byte-order mark, which wins over the label.
            Some(encoding) => Transcoder::Decoding(Box::new(encoding.new_decoder())),
        })
    }

    /// The text of the next bytes of the file (`last`: they end it), handed to `sink`
    /// (nothing while the first bytes are held).
    pub fn push(
        &mut self,
        bytes: &[u8],
        last: bool,
        sink: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        match self {
            Transcoder::Ended if bytes.is_empty() => Ok(()),
            Transcoder::Ended => Err(Error::internal(
                "decoding a JSON file's text",
                "bytes after the end of the file",
            )),
            Transcoder::Plain => {
                sink(bytes)?;
                if last {
                    *self = Transcoder::Ended;
                }
                Ok(())
            }
            Transcoder::Decoding(decoder) => {
                let mut text = Vec::new();
                decode_to_utf8(decoder, bytes, last, &mut text);
                if last {
                    *self = Transcoder::Ended;
                }
                sink(&text)
            }
            Transcoder::Undecided { head } => {
                head.extend_from_slice(bytes);
                if head.len() < MARK_BYTES && !last {
                    return Ok(());
                }
                let head = std::mem::take(head);
                *self = if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
                    Transcoder::Decoding(Box::new(UTF_16LE.new_decoder()))
                } else {
                    Transcoder::Plain
                };
                self.push(&head, last, sink)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bytes` pushed `chunk` bytes at a time, as text.
    fn text(encoding: Option<&str>, bytes: &[u8], chunk: usize) -> String {
        let mut transcoder = Transcoder::new(encoding).unwrap();
        let mut out = Vec::new();
        let mut sink = |text: &[u8]| {
            out.extend_from_slice(text);
            Ok(())
        };
        let parts: Vec<&[u8]> = bytes.chunks(chunk).collect();
        for (i, part) in parts.iter().enumerate() {
            transcoder
                .push(part, i + 1 == parts.len(), &mut sink)
                .unwrap();
        }
        if parts.is_empty() {
            transcoder.push(&[], true, &mut sink).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mark: [u8; 2] = if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        };
        let units = text.encode_utf16().flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        });
        mark.into_iter().chain(units).collect()
    }

    #[test]
    fn utf16_is_told_by_its_mark_and_other_sets_by_their_label() {
        let json = "{\"name\": \"Zoë 日本 😀\"}\n{\"name\": \"b\"}\n";
        for chunk in [1, 2, 3, 7, 1000] {
            assert_eq!(
                text(None, &utf16(json, false), chunk),
                json,
                "LE in {chunk}s"
            );
            assert_eq!(
                text(None, &utf16(json, true), chunk),
                json,
                "BE in {chunk}s"
            );
            assert_eq!(text(Some("utf-16"), &utf16(json, true), chunk), json);
            assert_eq!(
                text(None, json.as_bytes(), chunk),
                json,
                "UTF-8 in {chunk}s"
            );
            let latin1 = b"{\"name\": \"Jos\xE9\"}\n";
            assert_eq!(
                text(Some("ISO-8859-1"), latin1, chunk),
                "{\"name\": \"José\"}\n"
            );
        }
        assert_eq!(text(None, b"{", 1), "{");
        // Ended twice (a loader's survey after its finish) is no second end.
        let mut ended = Transcoder::new(Some("utf-16le")).unwrap();
        let mut sink = |_: &[u8]| Ok(());
        ended.push(b"{\0", true, &mut sink).unwrap();
        ended.push(&[], true, &mut sink).unwrap();
        assert!(ended.push(b"x", false, &mut sink).is_err());
        assert_eq!(text(None, b"", 1), "");
        let err = Transcoder::new(Some("klingon")).err().unwrap();
        assert_eq!(err.code(), ErrorCode::JsonBadOption);
        assert!(err.message().contains("unknown encoding `klingon`"));
    }
}
