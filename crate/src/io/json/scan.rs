//! Finding where JSON values end in text already known to be JSON (or, for a multiLine
//! document, text whose records are checked later): strings and nesting only.

/// Where the JSON value starting at `at` ends. Inside an object or array a `'` also
/// opens a string (Spark's `allowSingleQuotes`, on by default: standard JSON has no `'`
/// outside strings), so a bracket in `{'a': 'x]'}` does not end the value.
pub fn value_end(bytes: &[u8], at: usize) -> usize {
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
