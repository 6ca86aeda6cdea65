//! JSON text: `get_json_object(json, '$.a.b[0]')`, `json_tuple`'s fields,
//! `json_array_length`, `json_object_keys`. A small parser keeps what Spark's Jackson keeps (the order of an
//! object's fields, integers as written) and prints nested results compactly, doubles as
//! Java prints them; text that is not JSON, or a path that finds nothing, is NULL.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{Array, ArrayRef, Int32Array, StringArray, StructArray};
use arrow_schema::{DataType, Field};

use super::columns::{as_strings, build_strings, string_list_builder};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::jvm::java_double;
use crate::io::json::NonNumeric;
use crate::sql::plan::functions::StringFunction;
use crate::sql::plan::text_options::TextOptions;

/// The deepest nesting read; deeper text is treated as invalid rather than recursed into.
const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone)]
pub(super) enum Json {
    Null,
    Bool(bool),
    /// An integer as written.
    Int(String),
    /// A number with a fraction or an exponent, and its text (a decimal reads the text).
    Float(f64, String),
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Whether `NaN`, `Infinity`, `-Infinity` (also `+Infinity`, `INF`, `+INF`, `-INF`)
    /// are numbers, as Spark's JSON reader allows (`allowNonNumericNumbers`) and
    /// `get_json_object` does not.
    non_numeric: bool,
    /// Whether numbers may have leading zeros (`007`, read as `7`), as Spark's
    /// `allowNumericLeadingZeros`.
    leading_zeros: bool,
}

impl Reader<'_> {
    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.skip_space();
        (self.bytes.get(self.at) == Some(&b)).then(|| self.at += 1)
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'{' => {
                self.at += 1;
                let mut fields = Vec::new();
                if self.eat(b'}').is_some() {
                    return Some(Json::Object(fields));
                }
                loop {
                    self.skip_space();
                    let key = self.string()?;
                    self.eat(b':')?;
                    fields.push((key, self.value(depth + 1)?));
                    if self.eat(b',').is_none() {
                        self.eat(b'}')?;
                        return Some(Json::Object(fields));
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_some() {
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b',').is_none() {
                        self.eat(b']')?;
                        return Some(Json::Array(items));
                    }
                }
            }
            b'"' => self.string().map(Json::Text),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            b'N' | b'I' | b'+' | b'-' if self.non_numeric => {
                for (word, x) in [
                    ("NaN", f64::NAN),
                    ("Infinity", f64::INFINITY),
                    ("+Infinity", f64::INFINITY),
                    ("-Infinity", f64::NEG_INFINITY),
                    ("INF", f64::INFINITY),
                    ("+INF", f64::INFINITY),
                    ("-INF", f64::NEG_INFINITY),
                ] {
                    if self.bytes[self.at..].starts_with(word.as_bytes()) {
                        self.at += word.len();
                        return Some(Json::Float(x, word.to_string()));
                    }
                }
                self.number()
            }
            _ => self.number(),
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Option<Json> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            value
        })
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        let digits = text.strip_prefix('-').unwrap_or(text);
        let leading = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
        // A sign only at the start or after the exponent's `e`.
        let well_formed = digits
            .char_indices()
            .all(|(i, c)| !matches!(c, '+' | '-') || digits[..i].ends_with(['e', 'E']));
        if leading && self.leading_zeros && well_formed {
            // `-007.5` is `-7.5`: the zeros dropped, one kept before a point or alone.
            let kept = digits.trim_start_matches('0');
            let kept = if kept.is_empty() || kept.starts_with(['.', 'e', 'E']) {
                format!("0{kept}")
            } else {
                kept.to_string()
            };
            let sign = if text.starts_with('-') { "-" } else { "" };
            return Self::number_text(&format!("{sign}{kept}"));
        }
        if digits.is_empty() || leading {
            return None;
        }
        Self::number_text(text)
    }

    /// A number's checked text as an integer or a float.
    fn number_text(text: &str) -> Option<Json> {
        if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            text[1..]
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| Json::Int(text.to_string()))
        } else {
            text.parse::<f64>()
                .ok()
                .map(|x| Json::Float(x, text.to_string()))
        }
    }

    fn string(&mut self) -> Option<String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while self
                .bytes
                .get(self.at)
                .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.at += 1;
            }
            out.push_str(std::str::from_utf8(&self.bytes[start..self.at]).ok()?);
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                // A control character must be escaped (Jackson's default; Spark's
                // `allowUnquotedControlChars` reads it from the standard rewrite).
                0..=0x1f => return None,
                _ => {
                    let escape = *self.bytes.get(self.at + 1)?;
                    self.at += 2;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = |r: &mut Self| -> Option<u16> {
                                let hex = std::str::from_utf8(r.bytes.get(r.at..r.at + 4)?).ok()?;
                                r.at += 4;
                                u16::from_str_radix(hex, 16).ok()
                            };
                            let first = unit(self)?;
                            let c = if (0xD800..0xDC00).contains(&first)
                                && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
                            {
                                self.at += 2;
                                let second = unit(self)?;
                                char::decode_utf16([first, second]).next()?.ok()?
                            } else {
                                char::from_u32(first as u32)?
                            };
                            out.push(c);
                        }
                        _ => return None,
                    }
                }
            }
        }
    }
}

/// The whole text as one JSON value, or `None` if it is not JSON.
fn parse(text: &str) -> Option<Json> {
    parse_with(text, false)
}

/// As [`parse`], reading `NaN` and the infinities as numbers if `non_numeric`.
pub(super) fn parse_with(text: &str, non_numeric: bool) -> Option<Json> {
    parse_with_options(text, non_numeric, false)
}

/// A JSON function's text as Spark's parser reads it with `options`' `allow*` options (by
/// default `NaN` and the infinities as numbers, and strings and names in single quotes):
/// what is not JSON as written is read from its standard rewrite (`io::json::Leniency`).
pub(super) fn parse_spark(text: &str, options: &TextOptions) -> Option<Json> {
    let leniency = &options.json;
    let non_numeric = leniency.non_numeric_numbers;
    parse_with_options(text, non_numeric, leniency.numeric_leading_zeros).or_else(|| {
        let rewritten = leniency.standard_of(text.as_bytes(), NonNumeric::AsWritten)?;
        parse_with_options(std::str::from_utf8(&rewritten).ok()?, non_numeric, false)
    })
}

/// As [`parse_with`], numbers with leading zeros read too if `leading_zeros`.
pub(super) fn parse_with_options(
    text: &str,
    non_numeric: bool,
    leading_zeros: bool,
) -> Option<Json> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        at: 0,
        non_numeric,
        leading_zeros,
    };
    let value = reader.value(0)?;
    reader.skip_space();
    // Jackson reads the first value and ignores what follows it.
    Some(value)
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn write(value: &Json, out: &mut String) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(t) => out.push_str(t),
        Json::Float(f, _) => out.push_str(&java_double(*f)),
        Json::Text(s) => write_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Json::Object(fields) => {
            out.push('{');
            for (k, (key, item)) in fields.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    Wildcard,
}

/// `$.a.b[0]['c'][*]`; `None` for a path Spark would not read.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']")?;
            steps.push(Step::Key(r[..end].to_string()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inside = &r[..end];
            steps.push(if inside == "*" {
                Step::Wildcard
            } else {
                Step::Index(inside.parse().ok()?)
            });
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() {
                return None;
            }
            steps.push(if key == "*" {
                Step::Wildcard
            } else {
                Step::Key(key.to_string())
            });
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The values a path finds; a wildcard gathers every element of an array.
fn find<'a>(value: &'a Json, steps: &[Step], out: &mut Vec<&'a Json>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(value);
        return;
    };
    match (step, value) {
        (Step::Key(k), Json::Object(fields)) => {
            if let Some((_, v)) = fields.iter().find(|(key, _)| key == k) {
                find(v, rest, out);
            }
        }
        (Step::Index(i), Json::Array(items)) => {
            if let Some(v) = items.get(*i) {
                find(v, rest, out);
            }
        }
        (Step::Wildcard, Json::Array(items)) => {
            for v in items {
                find(v, rest, out);
            }
        }
        _ => {}
    }
}

/// `json_tuple`'s struct: per row, the strings of the top-level fields named by `keys`
/// (field `c{i}` for `keys[i]`), from one parse. As Spark's `JsonTuple`: text that is not a
/// JSON object gives NULL fields; a string is written without its quotes, another value as
/// compact JSON, a JSON `null` as NULL; of repeated fields the last one not `null` wins;
/// names are matched exactly.
fn json_tuple(text: &StringArray, keys: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let keys: Vec<&StringArray> = keys.iter().map(as_strings).collect::<Result<_>>()?;
    let mut builders: Vec<StringBuilder> = keys
        .iter()
        .map(|_| StringBuilder::with_capacity(len, len * 8))
        .collect();
    // Per key, the position of the field that wins among the object's fields.
    let mut found: Vec<Option<usize>> = vec![None; keys.len()];
    let mut buffer = String::new();
    for i in 0..len {
        let object = text.is_valid(i).then(|| parse(text.value(i))).flatten();
        let fields = match &object {
            Some(Json::Object(fields)) => fields.as_slice(),
            _ => &[],
        };
        found.fill(None);
        for (at, (name, value)) in fields.iter().enumerate() {
            if matches!(value, Json::Null) {
                continue;
            }
            for (slot, key) in found.iter_mut().zip(&keys) {
                if key.is_valid(i) && key.value(i) == name {
                    *slot = Some(at);
                }
            }
        }
        for (builder, at) in builders.iter_mut().zip(&found) {
            match at.map(|at| &fields[at].1) {
                None => builder.append_null(),
                Some(Json::Text(s)) => builder.append_value(s),
                Some(value) => {
                    buffer.clear();
                    write(value, &mut buffer);
                    builder.append_value(&buffer);
                }
            }
        }
    }
    let fields: Vec<Field> = (0..keys.len())
        .map(|i| Field::new(format!("c{i}"), DataType::Utf8, true))
        .collect();
    let columns: Vec<ArrayRef> = builders
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    StructArray::try_new(fields.into(), columns, None)
        .map(|s| Arc::new(s) as ArrayRef)
        .map_err(|e| Error::internal("json_tuple's fields", e))
}

pub fn compute(func: StringFunction, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let text = as_strings(&args[0])?;
    Ok(match func {
        StringFunction::GetJsonObject => {
            let paths = as_strings(&args[1])?;
            let mut last: Option<(String, Option<Vec<Step>>)> = None;
            build_strings(len, |i, out| {
                if text.is_null(i) || paths.is_null(i) {
                    return Ok(false);
                }
                let path = paths.value(i);
                if last.as_ref().is_none_or(|(p, _)| p != path) {
                    last = Some((path.to_string(), parse_path(path)));
                }
                let Some(steps) = &last.as_ref().expect("just set").1 else {
                    return Ok(false);
                };
                let Some(value) = parse(text.value(i)) else {
                    return Ok(false);
                };
                let mut found = Vec::new();
                find(&value, steps, &mut found);
                let wildcard = steps.contains(&Step::Wildcard);
                match found.as_slice() {
                    [] => Ok(false),
                    [Json::Null] if !wildcard => Ok(false),
                    [Json::Text(s)] => {
                        out.push_str(s);
                        Ok(true)
                    }
                    [one] => {
                        write(one, out);
                        Ok(true)
                    }
                    many => {
                        write(
                            &Json::Array(many.iter().map(|v| (*v).clone()).collect()),
                            out,
                        );
                        Ok(true)
                    }
                }
            })?
        }
        StringFunction::JsonTuple => json_tuple(text, &args[1..], len)?,
        StringFunction::JsonArrayLength => Arc::new(
            (0..len)
                .map(
                    |i| match text.is_valid(i).then(|| parse(text.value(i))).flatten() {
                        Some(Json::Array(items)) => i32::try_from(items.len()).ok(),
                        _ => None,
                    },
                )
                .collect::<Int32Array>(),
        ),
        StringFunction::JsonObjectKeys => {
            let mut builder = string_list_builder();
            for i in 0..len {
                match text.is_valid(i).then(|| parse(text.value(i))).flatten() {
                    Some(Json::Object(fields)) => {
                        for (key, _) in &fields {
                            builder.values().append_value(key);
                        }
                        builder.append(true);
                    }
                    _ => builder.append(false),
                }
            }
            Arc::new(builder.finish())
        }
        other => {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("{} is not a JSON function", other.name()),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths() {
        assert_eq!(
            parse_path("$.a['b c'][2][*]"),
            Some(vec![
                Step::Key("a".into()),
                Step::Key("b c".into()),
                Step::Index(2),
                Step::Wildcard
            ])
        );
        assert_eq!(parse_path("a.b"), None);
        let mut out = String::new();
        write(
            &parse(r#"{ "z": 1, "a": [1.50, "x\"y", null, true] }"#).unwrap(),
            &mut out,
        );
        assert_eq!(out, r#"{"z":1,"a":[1.5,"x\"y",null,true]}"#);
        assert!(parse("{\"a\":").is_none());
    }
}
