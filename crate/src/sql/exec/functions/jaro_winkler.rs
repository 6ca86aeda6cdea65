//! `jaro_winkler_similarity(a, b)`: Spark's Jaro-Winkler similarity (Apache Commons
//! Text's algorithm). Strings are compared as Java sees them, in UTF-16 code units (an
//! emoji is two), case-sensitively; equal strings (two empty ones too) are 1.0, strings
//! with no character in common 0.0. The Winkler bonus (0.1 per common leading unit, at
//! most four) applies at any Jaro score, with no 0.7 threshold, as in Spark. The
//! arithmetic is done in Spark's order, so the doubles are Spark's to the last bit.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array};

use super::columns::as_strings;
use crate::error::Result;

/// The reused buffers of one column's computation.
#[derive(Default)]
struct Scratch {
    left: Vec<u16>,
    right: Vec<u16>,
    /// For each unit of the shorter string, whether it matched.
    matched_short: Vec<bool>,
    /// For each unit of the longer string, whether it was matched.
    matched_long: Vec<bool>,
}

pub fn jaro_winkler(args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let (a, b) = (as_strings(&args[0])?, as_strings(&args[1])?);
    let mut scratch = Scratch::default();
    let values: Float64Array = (0..len)
        .map(|i| {
            if a.is_null(i) || b.is_null(i) {
                return None;
            }
            Some(similarity(a.value(i), b.value(i), &mut scratch))
        })
        .collect();
    Ok(Arc::new(values))
}

fn similarity(a: &str, b: &str, s: &mut Scratch) -> f64 {
    if a == b {
        return 1.0;
    }
    s.left.clear();
    s.left.extend(a.encode_utf16());
    s.right.clear();
    s.right.extend(b.encode_utf16());
    let (first, second) = (&s.left[..], &s.right[..]);
    let (long, short) = if first.len() > second.len() {
        (first, second)
    } else {
        (second, first)
    };
    // A unit of the shorter string matches an equal, not yet matched unit of the longer
    // one at most `range` places away.
    let range = (long.len() / 2).saturating_sub(1);
    s.matched_short.clear();
    s.matched_short.resize(short.len(), false);
    s.matched_long.clear();
    s.matched_long.resize(long.len(), false);
    let mut matches = 0usize;
    for (i, &c) in short.iter().enumerate() {
        let window = i.saturating_sub(range)..(i + range + 1).min(long.len());
        let matched_long = &s.matched_long;
        if let Some(j) = window
            .into_iter()
            .find(|&j| !matched_long[j] && c == long[j])
        {
            s.matched_short[i] = true;
            s.matched_long[j] = true;
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    // The matched units of each string in order; where they differ is half a
    // transposition.
    let short_matched = short
        .iter()
        .zip(&s.matched_short)
        .filter_map(|(c, m)| m.then_some(c));
    let long_matched = long
        .iter()
        .zip(&s.matched_long)
        .filter_map(|(c, m)| m.then_some(c));
    let half_transpositions = short_matched
        .zip(long_matched)
        .filter(|(x, y)| x != y)
        .count();
    let prefix = first
        .iter()
        .zip(second)
        .take(short.len().min(4))
        .take_while(|(x, y)| x == y)
        .count();
    let m = matches as f64;
    let jaro = (m / first.len() as f64
        + m / second.len() as f64
        + (m - half_transpositions as f64 / 2.0) / m)
        / 3.0;
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spark 4.3's answers, bit for bit.
    #[test]
    fn similarities_are_sparks() {
        let mut s = Scratch::default();
        let cases: &[(&str, &str, f64)] = &[
            ("martha", "marhta", 0.9611111111111111),
            ("", "", 1.0),
            ("abc", "", 0.0),
            ("dixon", "dicksonx", 0.8133333333333332),
            ("crate", "trace", 0.7333333333333334),
            ("DwAyNE", "DuANE", 0.8400000000000001),
            ("aaaaaabc", "aaaaaacb", 0.975),
            ("héllo", "hello", 0.88),
            ("ab", "ba", 0.0),
            ("1", "12", 0.8500000000000001),
            ("😀a", "😁a", 0.7999999999999999),
            ("a😀b", "a😀c", 0.8833333333333334),
            ("jellyfish", "smellyfish", 0.8962962962962964),
            ("arnab", "aranb", 0.9466666666666665),
            ("ABC", "abc", 0.0),
            ("Hello World", "Hello Wrold", 0.9818181818181818),
            ("aaaa", "aa", 0.8666666666666667),
            ("1.5", "15", 0.6499999999999999),
            ("ab", "abcdefgh", 0.8),
        ];
        for &(a, b, want) in cases {
            assert_eq!(
                similarity(a, b, &mut s).to_bits(),
                want.to_bits(),
                "{a} {b}"
            );
        }
    }
}
