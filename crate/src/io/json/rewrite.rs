//! Rewriting a record so that a `string` field of mixed types holds each value's text:
//! Spark keeps a non-string value of such a field as the JSON text it was written as
//! (`{"deep": [1, 2]}`, spaces included), and arrow-json only turns numbers and booleans
//! into strings. The record has been parsed once already, so it is valid JSON here.

use crate::io::json::infer::JsonType;

/// The record with every non-string value that `ty` reads as a mixed `string` replaced
/// by a JSON string of its original text.
pub fn rewrite(record: &[u8], ty: &JsonType) -> Vec<u8> {
    let mut out = Vec::with_capacity(record.len() + 16);
    let mut at = skip_ws(record, 0);
    if record.get(at) == Some(&b'[') {
        // A line that is an array of records: each element has the root's type.
        out.push(b'[');
        at += 1;
        loop {
            at = skip_ws(record, at);
            match record.get(at) {
                Some(b']') | None => break,
                Some(b',') => {
                    out.push(b',');
                    at += 1;
                }
                Some(_) => at = value(record, at, Some(ty), &mut out),
            }
        }
        out.push(b']');
    } else {
        value(record, at, Some(ty), &mut out);
    }
    out
}

/// Copies the value at `at` to `out`, rewritten for `ty` (`None`: a field the schema does
/// not have, copied as it is); returns where it ends.
fn value(bytes: &[u8], at: usize, ty: Option<&JsonType>, out: &mut Vec<u8>) -> usize {
    let end = value_end(bytes, at);
    let text = &bytes[at..end];
    match (ty, bytes[at]) {
        (Some(JsonType::String { mixed: true }), first) if first != b'"' && text != b"null" => {
            let quoted = serde_json::to_string(&String::from_utf8_lossy(text))
                .unwrap_or_else(|_| "null".to_string());
            out.extend_from_slice(quoted.as_bytes());
        }
        (Some(JsonType::Struct(fields)), b'{') => {
            out.push(b'{');
            let mut pos = at + 1;
            loop {
                pos = skip_ws(bytes, pos);
                match bytes.get(pos) {
                    Some(b'}') | None => break,
                    Some(b',') => {
                        out.push(b',');
                        pos += 1;
                    }
                    Some(_) => {
                        let key_end = value_end(bytes, pos);
                        let key: Option<String> = serde_json::from_slice(&bytes[pos..key_end]).ok();
                        out.extend_from_slice(&bytes[pos..key_end]);
                        pos = skip_ws(bytes, key_end);
                        out.push(b':');
                        pos = skip_ws(bytes, pos + 1);
                        let field = key.as_ref().and_then(|k| fields.get(k));
                        pos = value(bytes, pos, field, out);
                    }
                }
            }
            out.push(b'}');
        }
        (Some(JsonType::Array(item)), b'[') => {
            out.push(b'[');
            let mut pos = at + 1;
            loop {
                pos = skip_ws(bytes, pos);
                match bytes.get(pos) {
                    Some(b']') | None => break,
                    Some(b',') => {
                        out.push(b',');
                        pos += 1;
                    }
                    Some(_) => pos = value(bytes, pos, Some(item), out),
                }
            }
            out.push(b']');
        }
        _ => out.extend_from_slice(text),
    }
    end
}

/// Where the JSON value starting at `at` ends.
fn value_end(bytes: &[u8], at: usize) -> usize {
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

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn ty_of(values: &[Value]) -> JsonType {
        values
            .iter()
            .map(JsonType::of)
            .fold(JsonType::Null, JsonType::merge)
    }

    #[test]
    fn mixed_values_keep_their_original_text() {
        let ty = ty_of(&[
            json!({"m": {"d": [1]}, "s": {"x": [1]}}),
            json!({"m": "t", "s": {"x": "y"}}),
        ]);
        let record = br#"{"m": {"deep": [1, 2]}, "s": {"x": [3,  4]}, "other": {"a": 1}}"#;
        let rewritten: Value = serde_json::from_slice(&rewrite(record, &ty)).unwrap();
        assert_eq!(
            rewritten,
            json!({"m": "{\"deep\": [1, 2]}", "s": {"x": "[3,  4]"}, "other": {"a": 1}})
        );
        let line = br#"[{"m": 5, "s": null}, {"m": "a\"b", "s": {"x": true}}]"#;
        let rewritten: Value = serde_json::from_slice(&rewrite(line, &ty)).unwrap();
        assert_eq!(
            rewritten,
            json!([{"m": "5", "s": null}, {"m": "a\"b", "s": {"x": "true"}}])
        );
    }
}
