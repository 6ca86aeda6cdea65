//! Finding where JSON values end in text already known to be JSON (or, for a multiLine
//! document, text whose records are checked later): strings and nesting only, and, in a
//! multiLine document read with Spark's `allowComments`, comments.

/// Where the JSON value starting at `at` ends. Inside an object or array a `'` also
/// opens a string (Spark's `allowSingleQuotes`, on by default: standard JSON has no `'`
/// outside strings), so a bracket in `{'a': 'x]'}` does not end the value.
pub fn value_end(bytes: &[u8], at: usize) -> usize {
    value_end_in(bytes, at, false)
}

/// [`value_end`] in text where `comments` (Spark's `allowComments`) may stand between
/// tokens: a bracket or quote inside one does not count, and one after a scalar ends it.
pub fn value_end_in(bytes: &[u8], at: usize, comments: bool) -> usize {
    let mut pos = at;
    let mut depth = 0usize;
    // The quote of the string the scan is in.
    let mut in_string: Option<u8> = None;
    let mut escaped = false;
    while pos < bytes.len() {
        let b = bytes[pos];
        if let Some(quote) = in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, _) if b == quote => {
                    in_string = None;
                    if depth == 0 {
                        return pos + 1;
                    }
                }
                _ => {}
            }
        } else {
            match b {
                b'/' if comments && comment_end(bytes, pos).is_some() => {
                    if depth == 0 {
                        return pos;
                    }
                    pos = comment_end(bytes, pos).unwrap_or(bytes.len());
                    continue;
                }
                b'"' => in_string = Some(b),
                b'\'' if depth > 0 => in_string = Some(b),
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        return pos + 1;
                    }
                }
                b',' | b']' | b'}' | b':' if depth == 0 => return pos,
                b if b.is_ascii_whitespace() && depth == 0 => return pos,
                _ => {}
            }
        }
        pos += 1;
    }
    pos
}

pub fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// [`skip_ws`], and with `comments` (Spark's `allowComments`) comments too.
pub fn skip_space(bytes: &[u8], mut at: usize, comments: bool) -> usize {
    loop {
        at = skip_ws(bytes, at);
        match comments.then(|| comment_end(bytes, at)).flatten() {
            Some(end) => at = end,
            None => return at,
        }
    }
}

/// Where the comment starting at `at` ends, if one starts there (Jackson's
/// `ALLOW_COMMENTS`: `/* … */`, or `// …` up to the line's end); the end of `bytes` when
/// it is not closed within them, and for a `/` that ends them (a text that is still
/// arriving shows the rest later).
pub fn comment_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'/') {
        return None;
    }
    let Some(&kind) = bytes.get(at + 1) else {
        return Some(bytes.len());
    };
    let body = &bytes[at + 2..];
    match kind {
        b'/' => Some(memchr::memchr(b'\n', body).map_or(bytes.len(), |n| at + 2 + n)),
        b'*' => Some(memchr::memmem::find(body, b"*/").map_or(bytes.len(), |n| at + 2 + n + 2)),
        _ => None,
    }
}

/// Walks the items of an object or array from just after its opening bracket to its
/// `close`, copying the commas to `out`; `item` copies one item (an array element, or an
/// object's `key: value`) starting at a position and returns where it ends.
pub fn items(
    bytes: &[u8],
    mut pos: usize,
    close: u8,
    out: &mut Vec<u8>,
    mut item: impl FnMut(usize, &mut Vec<u8>) -> usize,
) -> usize {
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            None => return pos,
            Some(&b) if b == close => return pos + 1,
            Some(b',') => {
                out.push(b',');
                pos += 1;
            }
            Some(_) => pos = item(pos, out).max(pos + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_skipped_only_when_allowed() {
        let text = b" /* a ] , */ // b ] \n  {\"a\": 1 /* } */, \"b\": \"/* c */\"} // d";
        let start = skip_space(text, 0, true);
        assert_eq!(text[start], b'{');
        assert_eq!(skip_space(text, 0, false), 1);
        let end = value_end_in(text, start, true);
        assert_eq!(&text[end - 2..end], b"\"}");
        assert_eq!(skip_space(text, end, true), text.len());
        // Without comments the `}` inside one ends the object.
        assert_eq!(&text[start..value_end(text, start)], b"{\"a\": 1 /* }");
        // A scalar ends where a comment starts; `/` alone is no comment.
        assert_eq!(value_end_in(b"12/* x */", 0, true), 2);
        assert_eq!(comment_end(b"/x", 0), None);
        assert_eq!(comment_end(b"a", 0), None);
        // Not closed within the text: its end (more may arrive).
        assert_eq!(comment_end(b"/* open", 0), Some(7));
        assert_eq!(comment_end(b"/*/", 0), Some(3));
        assert_eq!(comment_end(b"/", 0), Some(1));
        assert_eq!(comment_end(b"// x\ny", 0), Some(4));
    }
}
