//! Cutting a buffer of CSV records into pieces that can be tokenized independently.
//!
//! A piece must start at a record boundary: a line break outside quotes. Whether a byte
//! is inside quotes depends on the parity of the quotes before it, so the buffer is cut
//! into equal segments, the quotes of each segment are counted in parallel, a prefix sum
//! gives the quote state at every cut, and each cut then moves forward to the next line
//! break outside quotes. The tokenizer uses the same parity rule, so pieces agree with a
//! sequential read of the whole file. When every line is a record (`multiLine` false),
//! every line break is a boundary, as without quoting.

use std::ops::Range;

use rayon::prelude::*;

use crate::io::csv::tokenize::Dialect;

/// The pieces of `bytes` to decode, and how many bytes they cover.
#[derive(Debug, PartialEq, Eq)]
pub struct PiecePlan {
    pub pieces: Vec<Range<usize>>,
    /// Bytes covered by `pieces`; the rest is an unfinished record to keep for later.
    pub consumed: usize,
}

/// Plans pieces of about `target` bytes over `bytes`, which starts at a record boundary.
/// Unless `at_eof`, bytes after the last complete record are left out of the plan.
pub fn plan_pieces(bytes: &[u8], dialect: &Dialect, target: usize, at_eof: bool) -> PiecePlan {
    if let Some(walk) = EscapeWalk::of(dialect) {
        return walk.plan_pieces(bytes, target, at_eof);
    }
    let len = bytes.len();
    let segments = len.div_ceil(target.max(1)).max(1);
    let cuts: Vec<usize> = (0..=segments).map(|k| k * len / segments).collect();
    let quote = dialect
        .record_quote()
        .filter(|&q| memchr::memchr(q, bytes).is_some());
    let newline = dialect.newline;

    // Quote state (1 = inside) at each cut.
    let states: Vec<u8> = match quote {
        None => vec![0; segments],
        Some(q) => {
            let counts: Vec<usize> = cuts
                .par_windows(2)
                .map(|w| bytes[w[0]..w[1]].iter().filter(|&&b| b == q).count())
                .collect();
            let mut parity = 0u8;
            counts
                .iter()
                .map(|&count| {
                    let state = parity;
                    parity ^= (count & 1) as u8;
                    state
                })
                .collect()
        }
    };

    let consumed = if at_eof {
        len
    } else {
        let total_parity = match quote {
            None => 0,
            Some(q) => {
                let last = segments - 1;
                states[last] ^ (bytes[cuts[last]..].iter().filter(|&&b| b == q).count() & 1) as u8
            }
        };
        last_record_end(bytes, quote, newline, total_parity)
    };

    let starts: Vec<usize> = (1..segments)
        .into_par_iter()
        .map(|k| next_record_start(bytes, cuts[k], states[k], quote, newline).unwrap_or(len))
        .collect();
    let mut pieces = Vec::with_capacity(segments);
    let mut start = 0;
    for end in starts.into_iter().chain(std::iter::once(consumed)) {
        let end = end.min(consumed);
        if end > start {
            pieces.push(start..end);
            start = end;
        }
    }
    PiecePlan { pieces, consumed }
}

/// Where the record that `bytes` starts in the middle of ends: just past its line break,
/// given `inside`, the quote state at `bytes[0]`. `None` if `bytes` does not finish it.
pub fn end_of_record(bytes: &[u8], inside: u8, dialect: &Dialect) -> Option<usize> {
    if let Some(mut walk) = EscapeWalk::of(dialect) {
        walk.set_state(inside);
        return bytes.iter().position(|&b| walk.step(b)).map(|i| i + 1);
    }
    next_record_start(bytes, 0, inside, dialect.record_quote(), dialect.newline)
}

/// The quote state (1 = inside) at the end of `bytes`, which starts outside quotes.
/// With an escape character, bit 1 says the next byte is escaped.
pub fn quote_state_after(bytes: &[u8], dialect: &Dialect) -> u8 {
    if let Some(mut walk) = EscapeWalk::of(dialect) {
        for &b in bytes {
            walk.step(b);
        }
        return walk.state();
    }
    match dialect.record_quote() {
        Some(q) => (bytes.iter().filter(|&&b| b == q).count() & 1) as u8,
        None => 0,
    }
}

/// The first record start after `from` (just past a line break outside quotes), given
/// the quote state at `from`; `None` if there is none.
fn next_record_start(
    bytes: &[u8],
    from: usize,
    mut inside: u8,
    quote: Option<u8>,
    newline: u8,
) -> Option<usize> {
    match quote {
        None => memchr::memchr(newline, &bytes[from..]).map(|i| from + i + 1),
        Some(q) => bytes[from..].iter().enumerate().find_map(|(i, &b)| {
            if b == q {
                inside ^= 1;
            }
            (b == newline && inside == 0).then_some(from + i + 1)
        }),
    }
}

/// Offset just past the last line break outside quotes, walking back from the end where
/// the quote state is `end_parity`.
fn last_record_end(bytes: &[u8], quote: Option<u8>, newline: u8, end_parity: u8) -> usize {
    match quote {
        None => memchr::memrchr(newline, bytes).map_or(0, |i| i + 1),
        Some(q) => {
            let mut inside = end_parity;
            for (i, &b) in bytes.iter().enumerate().rev() {
                if b == newline && inside == 0 {
                    return i + 1;
                }
                if b == q {
                    inside ^= 1;
                }
            }
            0
        }
    }
}

/// The quote state walked byte by byte when an escape character other than the quote
/// is set: the parity rule of the fast path no longer holds (an escaped quote does not
/// toggle), so such files are cut in one sequential pass, with the tokenizer's rule: an
/// escape not itself escaped escapes the next byte, and an escaped quote is data.
#[derive(Debug, Clone, Copy)]
struct EscapeWalk {
    quote: u8,
    escape: u8,
    newline: u8,
    inside: bool,
    escaped: bool,
}

impl EscapeWalk {
    fn of(dialect: &Dialect) -> Option<EscapeWalk> {
        Some(EscapeWalk {
            quote: dialect.record_quote()?,
            escape: dialect.escape?,
            newline: dialect.newline,
            inside: false,
            escaped: false,
        })
    }

    fn state(&self) -> u8 {
        self.inside as u8 | (self.escaped as u8) << 1
    }

    fn set_state(&mut self, state: u8) {
        self.inside = state & 1 == 1;
        self.escaped = state & 2 == 2;
    }

    /// Takes one byte; true when it ends a record.
    #[inline(always)]
    fn step(&mut self, byte: u8) -> bool {
        let was_escaped = std::mem::take(&mut self.escaped);
        if !was_escaped {
            if byte == self.escape {
                self.escaped = true;
            } else if byte == self.quote {
                self.inside = !self.inside;
            }
        }
        byte == self.newline && !self.inside
    }

    fn plan_pieces(mut self, bytes: &[u8], target: usize, at_eof: bool) -> PiecePlan {
        let target = target.max(1);
        let mut pieces = Vec::new();
        let mut start = 0;
        let mut last_end = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if self.step(b) {
                last_end = i + 1;
                if last_end - start >= target {
                    pieces.push(start..last_end);
                    start = last_end;
                }
            }
        }
        let consumed = if at_eof { bytes.len() } else { last_end };
        if consumed > start {
            pieces.push(start..consumed);
        }
        PiecePlan { pieces, consumed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMA: Dialect = Dialect::plain(b',');

    fn texts(bytes: &[u8], plan: &PiecePlan) -> Vec<String> {
        plan.pieces
            .iter()
            .map(|r| String::from_utf8(bytes[r.clone()].to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn cuts_only_at_line_breaks_outside_quotes() {
        let bytes = b"a,\"x\ny\"\nb,\"\n\n\"\nc,d\n";
        for target in 1..bytes.len() + 2 {
            let plan = plan_pieces(bytes, &COMMA, target, true);
            assert_eq!(plan.consumed, bytes.len());
            let joined: String = texts(bytes, &plan).concat();
            assert_eq!(joined.as_bytes(), bytes);
            for piece in &plan.pieces {
                let p = &bytes[piece.clone()];
                assert_eq!(p.iter().filter(|&&b| b == b'"').count() % 2, 0, "{target}");
                assert_eq!(*p.last().unwrap(), b'\n');
            }
        }
    }

    #[test]
    fn keeps_the_unfinished_record() {
        let bytes = b"a,b\n1,\"2\n3";
        let plan = plan_pieces(bytes, &COMMA, 4, false);
        assert_eq!(plan.consumed, 4);
        assert_eq!(texts(bytes, &plan), vec!["a,b\n"]);
        let plan = plan_pieces(b"no newline yet", &COMMA, 4, false);
        assert_eq!(plan.consumed, 0);
        assert!(plan.pieces.is_empty());
    }

    #[test]
    fn finishes_a_record_started_in_an_earlier_chunk() {
        let head = b"1,\"a\nb";
        let inside = quote_state_after(head, &COMMA);
        assert_eq!(inside, 1);
        // The line break in the tail is still inside the quoted field.
        assert_eq!(end_of_record(b"\nc\",x\n2,y\n", inside, &COMMA), Some(6));
        assert_eq!(end_of_record(b"c\",x", inside, &COMMA), None);
        assert_eq!(end_of_record(b"x\n", 0, &COMMA), Some(2));
        // A chunk without any quote does not close the quote left open before it.
        assert_eq!(end_of_record(b"\nno quotes\n", 1, &COMMA), None);
    }

    #[test]
    fn without_quoting_every_newline_is_a_boundary() {
        let dialect = Dialect {
            quote: None,
            ..COMMA
        };
        let bytes = b"a\"\nb\nc";
        let plan = plan_pieces(bytes, &dialect, 2, false);
        assert_eq!(texts(bytes, &plan), vec!["a\"\n", "b\n"]);
        assert_eq!(plan.consumed, 5);
    }

    #[test]
    fn without_multi_line_every_newline_is_a_boundary() {
        for escape in [None, Some(b'\\')] {
            let dialect = Dialect {
                multi_line: false,
                escape,
                ..COMMA
            };
            let bytes = b"1,\"a\nb\"\n2,c";
            let plan = plan_pieces(bytes, &dialect, 2, false);
            assert_eq!(texts(bytes, &plan), vec!["1,\"a\n", "b\"\n"]);
            assert_eq!(quote_state_after(b"1,\"a", &dialect), 0);
            assert_eq!(end_of_record(b"b\"\n2", 0, &dialect), Some(3));
        }
    }

    #[test]
    fn an_escaped_quote_does_not_open_a_field() {
        let dialect = Dialect {
            escape: Some(b'\\'),
            ..COMMA
        };
        let bytes = b"a,\"x\\\"\ny\"\nb,\\\"\nc,d\n";
        for target in 1..bytes.len() + 2 {
            let plan = plan_pieces(bytes, &dialect, target, true);
            let cuts: Vec<usize> = plan.pieces.iter().map(|r| r.end).collect();
            assert!(
                cuts.iter().all(|&c| c == 10 || c == 15 || c == 19),
                "{cuts:?}"
            );
        }
        let state = quote_state_after(b"a,\"x\\", &dialect);
        assert_eq!(state, 3);
        assert_eq!(end_of_record(b"\"\ny\"\nb", state, &dialect), Some(5));
    }
}
