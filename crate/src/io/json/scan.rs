//! Finding where JSON values end in text already known to be JSON (or, for a multiLine
//! document, text whose records are checked later): strings and nesting only.

/// Where the JSON value starting at `at` ends.
pub fn value_end(bytes: &[u8], at: usize) -> usize {
    let mut pos = at;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    while pos < bytes.len() {
        let b = bytes[pos];
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    in_string = false;
                    if depth == 0 {
                        return pos + 1;
                    }
                }
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
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
