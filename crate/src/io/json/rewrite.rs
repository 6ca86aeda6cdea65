//! Rewriting a record so that a `string` field of mixed types holds each value's text:
//! Spark keeps a non-string value of such a field as the JSON text it was written as
//! (`{"deep": [1, 2]}`, spaces included), and arrow-json only turns numbers and booleans
//! into strings. The record has been parsed once already, so it is valid JSON here.

use crate::io::json::infer::JsonType;
use crate::io::json::scan::{items, skip_ws, value_end};

/// The record with every non-string value that `ty` reads as a mixed `string` replaced
/// by a JSON string of its original text.
pub fn rewrite(record: &[u8], ty: &JsonType) -> Vec<u8> {
    let mut out = Vec::with_capacity(record.len() + 16);
    let at = skip_ws(record, 0);
    if record.get(at) == Some(&b'[') {
        // A line that is an array of records: each element has the root's type.
        out.push(b'[');
        items(record, at + 1, b']', &mut out, |pos, out| {
            value(record, pos, Some(ty), out)
        });
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
            items(bytes, at + 1, b'}', out, |pos, out| {
                let key_end = value_end(bytes, pos);
                let key: Option<String> = serde_json::from_slice(&bytes[pos..key_end]).ok();
                out.extend_from_slice(&bytes[pos..key_end]);
                out.push(b':');
                let pos = skip_ws(bytes, skip_ws(bytes, key_end) + 1);
                let field = key.as_ref().and_then(|k| fields.get(k));
                value(bytes, pos, field, out)
            });
            out.push(b'}');
        }
        (Some(JsonType::Array(item)), b'[') => {
            out.push(b'[');
            items(bytes, at + 1, b']', out, |pos, out| {
                value(bytes, pos, Some(item), out)
            });
            out.push(b']');
        }
        _ => out.extend_from_slice(text),
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn mixed_values_keep_their_original_text() {
        let ty = JsonType::of_all(&[
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
