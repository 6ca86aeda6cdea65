//! Cutting a buffer of CSV records into pieces that can be tokenized independently.
//!
//! A piece must start at a record boundary: a line break outside quotes. Whether a byte
//! is inside quotes depends on the parity of the quotes before it, so the buffer is cut
//! into equal segments, the quotes of each segment are counted in parallel, a prefix sum
//! gives the quote state at every cut, and each cut then moves forward to the next line
//! break outside quotes. The tokenizer uses the same parity rule, so pieces agree with a
//! sequential read of the whole file.

use std::ops::Range;

use rayon::prelude::*;

use crate::io::csv::dialect::Dialect;

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
    let len = bytes.len();
    let segments = len.div_ceil(target.max(1)).max(1);
    let cuts: Vec<usize> = (0..=segments).map(|k| k * len / segments).collect();
    let quote = dialect
        .quote
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
        .map(|k| next_record_start(bytes, cuts[k], states[k], quote, newline))
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

/// The first record start at or after `from`, given the quote state there.
fn next_record_start(
    bytes: &[u8],
    from: usize,
    mut inside: u8,
    quote: Option<u8>,
    newline: u8,
) -> usize {
    match quote {
        None => memchr::memchr(newline, &bytes[from..]).map_or(bytes.len(), |i| from + i + 1),
        Some(q) => {
            for (i, &b) in bytes[from..].iter().enumerate() {
                if b == q {
                    inside ^= 1;
                } else if b == newline && inside == 0 {
                    return from + i + 1;
                }
            }
            bytes.len()
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const COMMA: Dialect = Dialect {
        delimiter: b',',
        quote: Some(b'"'),
        newline: b'\n',
    };

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
}
