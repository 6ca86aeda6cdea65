//! Line numbers for messages about a file's text: a person finds a problem by line in an
//! editor, not by byte offset. One rule for every reader that names lines.

/// The 1-based line of byte `at` of `text`, lines ending at `newline` (`\n`, which also
/// ends `\r\n` lines, or `\r` for classic Mac text).
pub fn line_of(text: &[u8], at: usize, newline: u8) -> u64 {
    memchr::memchr_iter(newline, &text[..at.min(text.len())]).count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_line_breaks_before_the_byte() {
        let text = b"a\nb\r\nc\n";
        assert_eq!(line_of(text, 0, b'\n'), 1);
        assert_eq!(line_of(text, 2, b'\n'), 2);
        assert_eq!(line_of(text, 5, b'\n'), 3);
        // Past the end: the line after the last break.
        assert_eq!(line_of(text, 100, b'\n'), 4);
        assert_eq!(line_of(b"a\rb\rc", 4, b'\r'), 3);
    }
}
