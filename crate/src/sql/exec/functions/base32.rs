//! `to_base32` / `from_base32`: RFC 4648 base32 (upper-case alphabet, `=` padding), read
//! as leniently as Spark reads it (Apache Commons Codec's `Base32` decoder): letters of
//! either case, other characters skipped, the first `=` ends the text, and the bits left
//! at the end decoded rather than refused (`'A'` is one zero byte, `'x!'` is `0x05`).

use std::sync::Arc;

use arrow_array::builder::BinaryBuilder;
use arrow_array::{Array, ArrayRef};

use super::columns::{as_strings, build_strings, Bytes};
use crate::error::Result;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `to_base32(bytes)`.
pub fn to_base32(arg: &ArrayRef, len: usize) -> Result<ArrayRef> {
    let bytes = Bytes::new(arg)?;
    build_strings(len, |i, out| {
        let Some(b) = bytes.get(i) else {
            return Ok(false);
        };
        encode(b, out);
        Ok(true)
    })
}

/// `from_base32(text)`.
pub fn from_base32(arg: &ArrayRef, len: usize) -> Result<ArrayRef> {
    let text = as_strings(arg)?;
    let mut builder = BinaryBuilder::with_capacity(len, text.value_data().len() * 5 / 8);
    let mut decoded = Vec::new();
    for i in 0..len {
        if text.is_null(i) {
            builder.append_null();
        } else {
            decode(text.value(i).as_bytes(), &mut decoded);
            builder.append_value(&decoded);
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// Five bytes become eight characters; a last partial group is padded with `=` to eight.
fn encode(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len().div_ceil(5) * 8);
    for group in bytes.chunks(5) {
        let mut block = [0u8; 5];
        block[..group.len()].copy_from_slice(group);
        let bits = block.iter().fold(0u64, |acc, &b| acc << 8 | b as u64);
        // Characters that carry at least one of the group's bits.
        let used = (group.len() * 8).div_ceil(5);
        for k in 0..8 {
            if k < used {
                let index = (bits >> (35 - 5 * k)) & 31;
                out.push(ALPHABET[index as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// The value of a base32 character, `None` for one the decoder skips.
fn value_of(c: u8) -> Option<u64> {
    match c {
        b'A'..=b'Z' => Some((c - b'A') as u64),
        b'a'..=b'z' => Some((c - b'a') as u64),
        b'2'..=b'7' => Some((c - b'2') as u64 + 26),
        _ => None,
    }
}

/// Commons Codec's lenient decoding into `out`: characters are read five bits each, eight
/// of them give five bytes; at the end (or the first `=`) the characters of an unfinished
/// group give the whole bytes their bits make, and also a last byte from a lone
/// character's or three characters' bits, as Commons Codec decodes them.
fn decode(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let (mut bits, mut count) = (0u64, 0usize);
    for &c in text {
        if c == b'=' {
            break;
        }
        let Some(v) = value_of(c) else { continue };
        bits = bits << 5 | v;
        count += 1;
        if count == 8 {
            // The low 40 bits; the older ones stay, as Commons Codec keeps them (a lone
            // character at the end borrows bits from the one before it).
            out.extend_from_slice(&bits.to_be_bytes()[3..]);
            count = 0;
        }
    }
    // (bits dropped, bytes kept) for each count of characters left over.
    let (drop, keep) = match count {
        // One character (5 bits) falls through to the two-character case in Commons
        // Codec: the bits shifted right by 2 make one byte, the character's top three
        // bits below the previous character's five.
        1 | 2 => (2, 1),
        3 => (7, 1),
        4 => (4, 2),
        5 => (1, 3),
        6 => (6, 3),
        7 => (3, 4),
        _ => return,
    };
    let rest = bits >> drop;
    out.extend((0..keep).rev().map(|k| (rest >> (8 * k)) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(bytes: &[u8]) -> String {
        let mut out = String::new();
        encode(bytes, &mut out);
        out
    }

    fn decoded(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        decode(text.as_bytes(), &mut out);
        out
    }

    /// Spark 4.3's answers.
    #[test]
    fn encodes_and_decodes_as_spark() {
        assert_eq!(encoded(b"hello"), "NBSWY3DP");
        assert_eq!(encoded(b""), "");
        assert_eq!(encoded(&[0x00, 0xFF]), "AD7Q====");
        assert_eq!(encoded(&[1, 2, 3, 4, 5, 6]), "AEBAGBAFAY======");
        assert_eq!(decoded("NBSWY3DP"), b"hello");
        assert_eq!(decoded("nbswy3dp"), b"hello");
        assert_eq!(decoded("NBSW Y3DP"), b"hello");
        assert_eq!(decoded("NBSWY3D"), b"hell");
        assert_eq!(decoded("NBSWY3DPE"), b"hello\x79");
        assert_eq!(decoded("x!"), [0x05]);
        assert_eq!(decoded("A"), [0x00]);
        assert_eq!(decoded("ABC"), [0x00]);
        assert_eq!(decoded("AF"), [0x01]);
        assert_eq!(decoded("01"), b"");
        assert_eq!(decoded("AE==AE=="), [0x01]);
        assert_eq!(decoded("MZXW6YR"), b"foob");
        assert_eq!(decoded("123"), [0xD6]);
        assert_eq!(decoded("NBSWé3DP"), [0x68, 0x65, 0x6D, 0x8D]);
    }
}
