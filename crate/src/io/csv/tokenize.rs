//! Finding field and record boundaries: the hot loop of CSV loading.
//!
//! The tokenizer works on 64-byte blocks. For each block it builds bitmasks of quotes,
//! delimiters and line breaks, turns the quote mask into an "inside quotes" mask with a
//! prefix XOR (a quote toggles the state, so `""` inside a quoted field toggles twice and
//! changes nothing), and walks only the separators that are outside quotes. This is the
//! technique of simdjson/simdcsv; it does the same work per byte whatever the data and
//! lets the compiler use SIMD compares for the masks.
//!
//! Because quote state is parity, a piece of the file can be tokenized on its own as soon
//! as it starts at a record boundary; [`super::split`] finds such boundaries in parallel
//! with the same rule, so the result never depends on how the file was cut.

use std::borrow::Cow;

/// The structural bytes of a CSV file once options and detection are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: u8,
    /// `None` when quoting is off.
    pub quote: Option<u8>,
    /// `\n` (with any `\r` before it trimmed, see `crlf`) or a lone `\r` for classic Mac
    /// files, or the one character of Spark's `lineSep`.
    pub newline: u8,
    /// Whether a `\r` just before a `\n` newline is part of the line break (trimmed from
    /// the last field). `false` only when `lineSep` is `\n` itself: Spark then keeps it.
    pub crlf: bool,
    /// A character other than the quote that escapes a quote (`\"`) or itself (`\\`);
    /// `None` when only a doubled quote escapes one (RFC 4180) or quoting is off.
    pub escape: Option<u8>,
    /// Spark's `ignoreLeadingWhiteSpace` / `ignoreTrailingWhiteSpace`: values are trimmed
    /// of bytes up to `' '` before quotes are looked at.
    pub trim_leading: bool,
    pub trim_trailing: bool,
    /// Spark's `multiLine`: `true` reads a line break inside quotes as part of the field
    /// (RFC 4180); `false` makes every line a record, so a quote still open at the end of
    /// a line is closed by it (Spark's default, which reads a file line by line).
    pub multi_line: bool,
}

impl Dialect {
    /// RFC 4180 with the given delimiter: `"` quotes, `""` escapes, `\n` ends records.
    pub const fn plain(delimiter: u8) -> Dialect {
        Dialect {
            delimiter,
            quote: Some(b'"'),
            newline: b'\n',
            crlf: true,
            escape: None,
            trim_leading: false,
            trim_trailing: false,
            multi_line: true,
        }
    }

    /// The quote that can hold a line break inside a record: `None` when quoting is off
    /// or every line is a record (`multiLine` false). Cutting a file into records needs
    /// only this one.
    pub fn record_quote(&self) -> Option<u8> {
        self.quote.filter(|_| self.multi_line)
    }
}

/// Field boundaries of a run of records, stored flat so that tokenizing allocates three
/// vectors per piece, not one per row.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// Byte offset where each record starts.
    row_starts: Vec<u32>,
    /// `row_fields[r]..row_fields[r + 1]` indexes `field_ends` for record `r`.
    row_fields: Vec<u32>,
    /// Byte offset (exclusive) where each field ends, line-break `\r` trimmed.
    field_ends: Vec<u32>,
    /// Bytes up to the end of the last record (its line break included).
    consumed: usize,
    /// Some record has a different number of fields than the first.
    ragged: bool,
}

/// The input ended inside a quoted field; `row` is the 0-based record it started in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnterminatedQuote {
    pub row: usize,
}

/// How to treat a last record that is not followed by a line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputEnd {
    /// The bytes are the end of the file: the last record counts, an open quote is an
    /// error.
    EndOfFile,
    /// The bytes are a sample cut anywhere: an unfinished last record is dropped.
    Truncated,
}

impl Tokens {
    pub fn rows(&self) -> usize {
        self.row_starts.len()
    }

    pub fn field_count(&self, row: usize) -> usize {
        (self.row_fields[row + 1] - self.row_fields[row]) as usize
    }

    /// Byte range of field `col` of record `row`, or `None` if the record is shorter.
    #[inline]
    pub fn field(&self, row: usize, col: usize) -> Option<(usize, usize)> {
        let first = self.row_fields[row] as usize;
        let count = self.row_fields[row + 1] as usize - first;
        if col >= count {
            return None;
        }
        let start = if col == 0 {
            self.row_starts[row] as usize
        } else {
            self.field_ends[first + col - 1] as usize + 1
        };
        Some((start, self.field_ends[first + col] as usize))
    }

    /// The byte ranges of column `col`, record by record (`None` where a record is too
    /// short). Decoding walks columns this way; when every record has the same width the
    /// field ends form a dense matrix and the walk is a strided scan.
    #[inline]
    pub fn column_spans(&self, col: usize) -> ColumnSpans<'_> {
        let width = if self.rows() > 0 {
            self.field_count(0)
        } else {
            0
        };
        if !self.ragged && col < width {
            ColumnSpans::Uniform {
                rows: self.field_ends.chunks_exact(width).zip(&self.row_starts),
                col,
            }
        } else {
            ColumnSpans::Ragged {
                tokens: self,
                row: 0,
                col,
            }
        }
    }

    /// Byte offset just past record `row`'s line break (where the next record starts).
    pub fn row_start(&self, row: usize) -> usize {
        self.row_starts[row] as usize
    }

    /// Bytes up to the end of the last tokenized record, its line break included.
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// Keeps only the records for which `keep(row)` is true.
    pub fn retain_rows(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let mut out = Tokens::default();
        out.row_fields.push(0);
        for row in 0..self.rows() {
            if keep(row) {
                let first = self.row_fields[row] as usize;
                let last = self.row_fields[row + 1] as usize;
                out.ragged |= out.rows() > 0 && last - first != out.field_count(0);
                out.field_ends
                    .extend_from_slice(&self.field_ends[first..last]);
                out.row_fields.push(out.field_ends.len() as u32);
                out.row_starts.push(self.row_starts[row]);
            }
        }
        out.consumed = self.consumed;
        *self = out;
    }

    fn end_row(&mut self, bytes: &[u8], at: usize, row_start: &mut usize, dialect: &Dialect) {
        let row_first_field = *self.row_fields.last().unwrap_or(&0) as usize;
        let field_start = if self.field_ends.len() > row_first_field {
            *self.field_ends.last().unwrap_or(&0) as usize + 1
        } else {
            *row_start
        };
        let mut end = at;
        let crlf = dialect.crlf && dialect.newline == b'\n';
        if crlf && end > field_start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let blank = self.field_ends.len() == row_first_field && end == *row_start;
        if !blank {
            self.field_ends.push(end as u32);
            self.row_fields.push(self.field_ends.len() as u32);
            self.row_starts.push(*row_start as u32);
            let width = self.field_ends.len() - row_first_field;
            self.ragged |= width != self.row_fields[1] as usize;
        }
        *row_start = at + 1;
        self.consumed = (*row_start).min(bytes.len());
    }

    /// Drops fields pushed for a record that was never finished.
    fn drop_unfinished_row(&mut self) {
        let kept = *self.row_fields.last().unwrap_or(&0) as usize;
        self.field_ends.truncate(kept);
    }
}

/// Tokenizes up to `max_rows` records of `bytes`, which must start at a record boundary
/// outside quotes. Blank lines are skipped, as Spark does.
pub fn tokenize(
    bytes: &[u8],
    dialect: &Dialect,
    max_rows: usize,
    end: InputEnd,
) -> Result<Tokens, UnterminatedQuote> {
    debug_assert!(
        bytes.len() < u32::MAX as usize,
        "wasm32 slices are below 4 GiB"
    );
    let mut tokens = Tokens {
        row_starts: Vec::with_capacity(bytes.len() / 64),
        row_fields: Vec::with_capacity(bytes.len() / 64 + 1),
        field_ends: Vec::with_capacity(bytes.len() / 8),
        consumed: 0,
        ragged: false,
    };
    tokens.row_fields.push(0);
    let classes = ByteClasses::new(dialect);
    let mut row_start = 0usize;
    let mut quote_carry = 0u64;
    let mut escape_carry = false;
    let mut block_start = 0usize;
    'blocks: while block_start < bytes.len() {
        let mut masks = classes.classify(&bytes[block_start..]);
        if masks.escapes != 0 || escape_carry {
            masks.quotes &= !escaped_bits(masks.escapes, &mut escape_carry);
        }
        let mut inside = prefix_xor(masks.quotes) ^ quote_carry;
        if !dialect.multi_line {
            inside = close_quotes_at_line_ends(inside, masks.newlines);
        }
        quote_carry = ((inside as i64) >> 63) as u64;
        let mut separators = (masks.delimiters | masks.newlines) & !inside;
        while separators != 0 {
            let bit = separators.trailing_zeros();
            separators &= separators - 1;
            let at = block_start + bit as usize;
            if (masks.newlines >> bit) & 1 == 1 {
                tokens.end_row(bytes, at, &mut row_start, dialect);
                if tokens.rows() == max_rows {
                    break 'blocks;
                }
            } else {
                tokens.field_ends.push(at as u32);
            }
        }
        block_start += 64;
    }
    if tokens.rows() < max_rows {
        let open_quote = quote_carry != 0;
        match end {
            InputEnd::Truncated => tokens.drop_unfinished_row(),
            InputEnd::EndOfFile if open_quote && dialect.multi_line => {
                return Err(UnterminatedQuote { row: tokens.rows() })
            }
            InputEnd::EndOfFile if row_start < bytes.len() => {
                tokens.end_row(bytes, bytes.len(), &mut row_start, dialect)
            }
            InputEnd::EndOfFile => {}
        }
    }
    Ok(tokens)
}

/// The "inside quotes" mask of a block when every line is a record (`multiLine` false):
/// a line break is never inside quotes, and each line starts outside them. The prefix XOR
/// carried an odd line's open quote past its line break; flipping every bit after such a
/// break undoes it, line by line.
#[inline]
fn close_quotes_at_line_ends(mut inside: u64, newlines: u64) -> u64 {
    let mut open = newlines & inside;
    while open != 0 {
        let after = (!0u64).checked_shl(open.trailing_zeros() + 1).unwrap_or(0);
        inside ^= after;
        open = newlines & inside & after;
    }
    inside & !newlines
}

/// Iterator returned by [`Tokens::column_spans`].
pub enum ColumnSpans<'a> {
    Uniform {
        rows: std::iter::Zip<std::slice::ChunksExact<'a, u32>, std::slice::Iter<'a, u32>>,
        col: usize,
    },
    Ragged {
        tokens: &'a Tokens,
        row: usize,
        col: usize,
    },
}

impl Iterator for ColumnSpans<'_> {
    type Item = Option<(usize, usize)>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            ColumnSpans::Uniform { rows, col } => {
                let (ends, &row_start) = rows.next()?;
                let start = if *col == 0 {
                    row_start
                } else {
                    ends[*col - 1] + 1
                };
                Some(Some((start as usize, ends[*col] as usize)))
            }
            ColumnSpans::Ragged { tokens, row, col } => {
                if *row >= tokens.rows() {
                    return None;
                }
                *row += 1;
                Some(tokens.field(*row - 1, *col))
            }
        }
    }
}

/// Bits of a block's bytes that an escape character escapes, given the mask of escape
/// characters: each escape not itself escaped escapes the byte after it. `carry` says
/// whether the block's first byte is escaped, and is set for the next block.
#[inline]
fn escaped_bits(escapes: u64, carry: &mut bool) -> u64 {
    let mut escaped = 0u64;
    let mut pending = escapes;
    if *carry {
        escaped |= 1;
        pending &= !1;
    }
    *carry = false;
    while pending != 0 {
        let bit = pending.trailing_zeros();
        pending &= pending - 1;
        if bit == 63 {
            *carry = true;
        } else {
            escaped |= 1 << (bit + 1);
            pending &= !(1 << (bit + 1));
        }
    }
    escaped
}

/// Whether `byte` is trimmed by `ignoreLeadingWhiteSpace` / `ignoreTrailingWhiteSpace`
/// (spaces, tabs and other control characters, as Spark's parser trims).
#[inline(always)]
fn is_white(byte: u8) -> bool {
    byte <= b' '
}

/// A field's bytes with its enclosing quotes removed but escapes left alone: enough for
/// values that can never contain a quote (numbers, dates, booleans). The flag says
/// whether the field was quoted.
#[inline(always)]
pub fn field_bytes<'a>(
    bytes: &'a [u8],
    start: usize,
    end: usize,
    dialect: &Dialect,
) -> (&'a [u8], bool) {
    let mut raw = &bytes[start..end];
    if dialect.trim_leading {
        while let [first, rest @ ..] = raw {
            if !is_white(*first) {
                break;
            }
            raw = rest;
        }
    }
    if dialect.trim_trailing {
        while let [rest @ .., last] = raw {
            if !is_white(*last) {
                break;
            }
            raw = rest;
        }
    }
    match (dialect.quote, raw) {
        (Some(q), [first, inner @ .., last]) if *first == q && *last == q => (inner, true),
        (Some(q), [first, rest @ ..]) if *first == q => (rest, true),
        _ => (raw, false),
    }
}

/// The text of a field: quotes removed and `""` (or the escape's `\"`) turned into `"`
/// when it is quoted. The flag says whether the field was quoted (a quoted empty string
/// is not null).
#[inline]
pub fn field_text<'a>(
    bytes: &'a [u8],
    start: usize,
    end: usize,
    dialect: &Dialect,
) -> (Cow<'a, [u8]>, bool) {
    let quote = dialect.quote.unwrap_or(0);
    let needs_unescape = |inner: &[u8]| match dialect.escape {
        None => memchr::memchr(quote, inner).is_some(),
        Some(escape) => memchr::memchr2(quote, escape, inner).is_some(),
    };
    match field_bytes(bytes, start, end, dialect) {
        (inner, true) if needs_unescape(inner) => (
            Cow::Owned(unescape_quotes(inner, quote, dialect.escape)),
            true,
        ),
        (text, quoted) => (Cow::Borrowed(text), quoted),
    }
}

/// `a""b` → `a"b`, and with an escape `e`: `ae"b` → `a"b`, `aeeb` → `aeb`; a lone quote
/// or escape (malformed input) is kept as is.
fn unescape_quotes(inner: &[u8], quote: u8, escape: Option<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let byte = inner[i];
        if Some(byte) == escape {
            if let Some(&next) = inner.get(i + 1) {
                if next == quote || Some(next) == escape {
                    out.push(next);
                    i += 2;
                    continue;
                }
            }
        }
        out.push(byte);
        if byte == quote && inner.get(i + 1) == Some(&quote) {
            i += 1;
        }
        i += 1;
    }
    out
}

/// Bitmasks of the structural bytes of one 64-byte block (bit `i` is byte `i`).
struct BlockMasks {
    quotes: u64,
    delimiters: u64,
    newlines: u64,
    /// Escape characters (0 unless the dialect has an escape other than the quote).
    escapes: u64,
}

struct ByteClasses {
    quote: u8,
    has_quote: bool,
    delimiter: u8,
    newline: u8,
    escape: Option<u8>,
}

impl ByteClasses {
    fn new(dialect: &Dialect) -> Self {
        ByteClasses {
            quote: dialect.quote.unwrap_or(0),
            has_quote: dialect.quote.is_some(),
            delimiter: dialect.delimiter,
            newline: dialect.newline,
            escape: dialect.quote.and(dialect.escape),
        }
    }

    /// Masks for the first 64 bytes of `bytes` (zero-padded past the end: NUL is never
    /// structural).
    #[inline]
    fn classify(&self, bytes: &[u8]) -> BlockMasks {
        let mut padded = [0u8; 64];
        let block: &[u8; 64] = match bytes.first_chunk::<64>() {
            Some(full) => full,
            None => {
                padded[..bytes.len()].copy_from_slice(bytes);
                &padded
            }
        };
        let (quotes, delimiters, newlines) =
            simd::eq_masks(block, [self.quote, self.delimiter, self.newline]);
        let escapes = match self.escape {
            Some(escape) => simd::eq_masks(block, [escape, escape, escape]).0,
            None => 0,
        };
        BlockMasks {
            quotes: if self.has_quote { quotes } else { 0 },
            delimiters,
            newlines,
            escapes,
        }
    }
}

/// Byte-equality bitmasks of a 64-byte block: one SIMD compare and movemask per 16 bytes
/// and needle. The scalar version is the reference the SIMD versions are tested against.
mod simd {
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub fn eq_masks(block: &[u8; 64], needles: [u8; 3]) -> (u64, u64, u64) {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        };
        let mut masks = [0u64; 3];
        for lane in 0..4 {
            // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned 16-byte load
            // reads bytes `16 * lane .. 16 * lane + 16` of the 64-byte block.
            unsafe {
                let bytes = _mm_loadu_si128(block.as_ptr().add(16 * lane) as *const __m128i);
                for (mask, &needle) in masks.iter_mut().zip(&needles) {
                    let equal = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(needle as i8));
                    *mask |= (_mm_movemask_epi8(equal) as u16 as u64) << (16 * lane);
                }
            }
        }
        (masks[0], masks[1], masks[2])
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    pub fn eq_masks(block: &[u8; 64], needles: [u8; 3]) -> (u64, u64, u64) {
        use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_load};
        let mut masks = [0u64; 3];
        for lane in 0..4 {
            // SAFETY: simd128 is enabled for this build, and the unaligned 16-byte load
            // reads bytes `16 * lane .. 16 * lane + 16` of the 64-byte block.
            let bytes = unsafe { v128_load(block.as_ptr().add(16 * lane) as *const v128) };
            for (mask, &needle) in masks.iter_mut().zip(&needles) {
                let hits = u8x16_bitmask(u8x16_eq(bytes, u8x16_splat(needle)));
                *mask |= (hits as u64) << (16 * lane);
            }
        }
        (masks[0], masks[1], masks[2])
    }

    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    pub fn eq_masks(block: &[u8; 64], needles: [u8; 3]) -> (u64, u64, u64) {
        scalar_eq_masks(block, needles)
    }

    #[cfg_attr(
        any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        ),
        allow(dead_code)
    )]
    pub fn scalar_eq_masks(block: &[u8; 64], needles: [u8; 3]) -> (u64, u64, u64) {
        let mask = |needle: u8| {
            block
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, &b)| m | (((b == needle) as u64) << i))
        };
        (mask(needles[0]), mask(needles[1]), mask(needles[2]))
    }

    #[cfg(test)]
    #[test]
    fn simd_matches_scalar() {
        let alphabet = b",\"\n\rab";
        let mut block = [0u8; 64];
        for seed in 0..200u64 {
            for (i, b) in block.iter_mut().enumerate() {
                let mix = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed;
                *b = alphabet[(mix % alphabet.len() as u64) as usize];
            }
            let needles = [b'"', b',', b'\n'];
            assert_eq!(eq_masks(&block, needles), scalar_eq_masks(&block, needles));
        }
    }
}

/// Bit `i` of the result is the XOR of bits `0..=i` of `x`: set from an opening quote up
/// to (not including) its closing quote.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMA: Dialect = Dialect::plain(b',');

    fn fields(input: &str, end: InputEnd) -> Vec<Vec<String>> {
        let bytes = input.as_bytes();
        let tokens = tokenize(bytes, &COMMA, usize::MAX, end).unwrap();
        (0..tokens.rows())
            .map(|r| {
                (0..tokens.field_count(r))
                    .map(|c| {
                        let (s, e) = tokens.field(r, c).unwrap();
                        let (text, _) = field_text(bytes, s, e, &COMMA);
                        String::from_utf8(text.into_owned()).unwrap()
                    })
                    .collect()
            })
            .collect()
    }

    fn rows(input: &str) -> Vec<Vec<String>> {
        fields(input, InputEnd::EndOfFile)
    }

    #[test]
    fn splits_simple_records() {
        assert_eq!(rows("a,b\n1,2\n"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(rows("a,b\n1,2"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(rows("a,,\n"), vec![vec!["a", "", ""]]);
    }

    #[test]
    fn handles_quotes_crlf_and_blank_lines() {
        assert_eq!(
            rows("\"a,b\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",x\r\n"),
            vec![vec!["a,b", "say \"hi\""], vec!["multi\nline", "x"]]
        );
        assert_eq!(rows("a\r\n\r\nb"), vec![vec!["a"], vec!["b"]]);
        assert_eq!(rows("\"\",x\n"), vec![vec!["", "x"]]);
        // A \r inside quotes is data.
        assert_eq!(rows("\"a\r\",b\r\n"), vec![vec!["a\r", "b"]]);
    }

    #[test]
    fn records_longer_than_a_block() {
        let long = "x".repeat(150);
        let input = format!("{long},\"{long}\n{long}\"\n1,2\n");
        let got = rows(&input);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0][1], format!("{long}\n{long}"));
        assert_eq!(got[1], vec!["1", "2"]);
    }

    #[test]
    fn ragged_rows_keep_their_own_width() {
        let got = rows("a,b,c\n1\n1,2,3,4\n");
        assert_eq!(got[1], vec!["1"]);
        assert_eq!(got[2].len(), 4);
    }

    #[test]
    fn unterminated_quote_is_reported_with_its_record() {
        let err = tokenize(
            b"a,b\n1,\"2\n3,4\n",
            &COMMA,
            usize::MAX,
            InputEnd::EndOfFile,
        )
        .unwrap_err();
        assert_eq!(err, UnterminatedQuote { row: 1 });
    }

    #[test]
    fn truncated_samples_drop_the_unfinished_record() {
        assert_eq!(
            fields("a,b\n1,\"2\n3", InputEnd::Truncated),
            vec![vec!["a", "b"]]
        );
        assert_eq!(
            fields("a,b\n1,2", InputEnd::Truncated),
            vec![vec!["a", "b"]]
        );
    }

    #[test]
    fn max_rows_stops_early() {
        let tokens = tokenize(b"a\nb\nc\n", &COMMA, 2, InputEnd::EndOfFile).unwrap();
        assert_eq!(tokens.rows(), 2);
        assert_eq!(tokens.row_start(1), 2);
    }

    #[test]
    fn without_multi_line_every_line_is_a_record() {
        let dialect = Dialect {
            multi_line: false,
            ..COMMA
        };
        let lines = |input: &str| -> Vec<Vec<String>> {
            let bytes = input.as_bytes();
            let tokens = tokenize(bytes, &dialect, usize::MAX, InputEnd::EndOfFile).unwrap();
            (0..tokens.rows())
                .map(|r| {
                    (0..tokens.field_count(r))
                        .map(|c| {
                            let (s, e) = tokens.field(r, c).unwrap();
                            let text = field_text(bytes, s, e, &dialect).0;
                            String::from_utf8(text.into_owned()).unwrap()
                        })
                        .collect()
                })
                .collect()
        };
        // A quoted line break ends the record; the open quote is closed by it.
        assert_eq!(
            lines("1,\"a\nb\"\n2,\"c,d\"\n"),
            vec![vec!["1", "a"], vec!["b\""], vec!["2", "c,d"]]
        );
        // Across 64-byte blocks, several odd lines in one block, a break at bit 63.
        let long = "x".repeat(62);
        let input = format!("\"{long}\n\"a\n\"b\n1,2\n{long}\"\n3,\"4\"");
        let got = lines(&input);
        assert_eq!(got[0], vec![long.clone()]);
        assert_eq!(got[1..4], [vec!["a"], vec!["b"], vec!["1", "2"]]);
        assert_eq!(got[4], vec![format!("{long}\"")]);
        assert_eq!(got[5], vec!["3", "4"]);
        // A quote open at the end of the file is no error: the line ends it.
        assert_eq!(lines("a\n\"b,c"), vec![vec!["a"], vec!["b,c"]]);
    }

    #[test]
    fn no_quoting_reads_quotes_as_data() {
        let dialect = Dialect {
            quote: None,
            ..COMMA
        };
        let bytes = b"12\" pizza,3\n";
        let tokens = tokenize(bytes, &dialect, usize::MAX, InputEnd::EndOfFile).unwrap();
        let (s, e) = tokens.field(0, 0).unwrap();
        assert_eq!(&bytes[s..e], b"12\" pizza");
    }

    #[test]
    fn column_spans_agree_with_field_for_uniform_and_ragged_rows() {
        for input in [&b"a,b\n1,2\n3,4\n"[..], b"a,b\n1\n3,4,5\n"] {
            let tokens = tokenize(input, &COMMA, usize::MAX, InputEnd::EndOfFile).unwrap();
            for col in 0..3 {
                let spans: Vec<_> = tokens.column_spans(col).collect();
                let fields: Vec<_> = (0..tokens.rows()).map(|r| tokens.field(r, col)).collect();
                assert_eq!(spans, fields);
            }
        }
    }

    #[test]
    fn retain_rows_filters() {
        let bytes = b"a\nb,c\nd\n";
        let mut tokens = tokenize(bytes, &COMMA, usize::MAX, InputEnd::EndOfFile).unwrap();
        tokens.retain_rows(|r| r != 1);
        assert_eq!(tokens.rows(), 2);
        let (s, e) = tokens.field(1, 0).unwrap();
        assert_eq!(&bytes[s..e], b"d");
    }
}
