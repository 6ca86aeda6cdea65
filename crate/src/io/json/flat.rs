//! Decoding a piece of flat records (every column a `bigint`, `double`, `boolean` or
//! `string`: what most JSON files hold) straight into Arrow arrays, where arrow-json builds
//! a tape of the whole piece first and then looks each key up among the schema's fields by
//! name. Here a record's keys are matched against the keys of the record before, in
//! order (records written by a program repeat their keys), and each value is appended to
//! its column as it is read. Numbers are parsed by lexical-core as arrow-json parses them,
//! and a value a column could not take makes the piece go to arrow-json instead
//! (`None`), so the table is the same either way (`benches/json_load.rs` times both).
//!
//! Only for pieces the survey found clean: every record one object, nothing malformed,
//! no value to rewrite.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};

use crate::io::json::scan::value_end;

/// Whether the schema's columns are all of the types this decoder builds.
pub fn is_flat(schema: &SchemaRef) -> bool {
    schema.fields().iter().all(|f| {
        matches!(
            f.data_type(),
            DataType::Int64 | DataType::Float64 | DataType::Boolean | DataType::Utf8
        )
    })
}

/// The piece's records decoded into one batch of `schema` (flat, see [`is_flat`]); `None`
/// when a record is not a plain object or a value does not fit its column (arrow-json
/// decides then).
pub fn decode_flat(
    text: &[u8],
    records: &[Range<usize>],
    schema: &SchemaRef,
) -> Option<RecordBatch> {
    let (first, last) = (records.first()?, records.last()?);
    // Strings are appended as they are: the piece's text must be UTF-8 (the survey has
    // read every record as such already; this is the check arrow-json makes too).
    std::str::from_utf8(&text[first.start..last.end]).ok()?;
    let mut columns: Vec<Column> = schema
        .fields()
        .iter()
        .map(|f| Column::new(f.data_type(), records.len()))
        .collect::<Option<_>>()?;
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut keys = Keys::default();
    let mut values: Vec<Option<Value>> = vec![None; columns.len()];
    for record in records {
        read_record(text, record.clone(), &names, &mut keys, &mut values)?;
        for (column, value) in columns.iter_mut().zip(values.iter_mut()) {
            column.append(text, value.take())?;
        }
    }
    let arrays: Vec<ArrayRef> = columns.into_iter().map(Column::finish).collect();
    RecordBatch::try_new(Arc::clone(schema), arrays).ok()
}

/// Where a value is in the text, and what it is.
#[derive(Clone, Copy)]
struct Value {
    kind: Kind,
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Null,
    True,
    False,
    Number,
    /// A string without escapes: its text between the quotes is the value.
    Plain,
    /// A string with escapes, quotes included.
    Escaped,
    /// An object or an array (for a key the schema does not have).
    Container,
}

/// The columns of the keys of the last records read, by position: a record with the
/// keys of the one before finds each column with one comparison.
#[derive(Default)]
struct Keys {
    /// Raw key text (quotes included) and its column (`None`: not in the schema).
    at: Vec<(Range<usize>, Option<usize>)>,
}

impl Keys {
    fn column(
        &mut self,
        text: &[u8],
        index: usize,
        raw: Range<usize>,
        names: &[&str],
    ) -> Option<Option<usize>> {
        if let Some((known, column)) = self.at.get(index) {
            if text[known.clone()] == text[raw.clone()] {
                return Some(*column);
            }
        }
        let bytes = &text[raw.clone()];
        let name: std::borrow::Cow<str> = if bytes.contains(&b'\\') {
            serde_json::from_slice::<String>(bytes).ok()?.into()
        } else {
            std::str::from_utf8(&bytes[1..bytes.len() - 1]).ok()?.into()
        };
        let column = names.iter().position(|n| *n == name);
        if index < self.at.len() {
            self.at[index] = (raw, column);
        } else if index == self.at.len() {
            self.at.push((raw, column));
        }
        Some(column)
    }
}

/// Reads one record (an object) into `values`, a slot per column; a key given twice
/// keeps its last value, as arrow-json does.
fn read_record(
    text: &[u8],
    record: Range<usize>,
    names: &[&str],
    keys: &mut Keys,
    values: &mut [Option<Value>],
) -> Option<()> {
    let end = record.end;
    let mut pos = ws(text, record.start, end);
    if text.get(pos) != Some(&b'{') {
        return None;
    }
    pos = ws(text, pos + 1, end);
    if text.get(pos) == Some(&b'}') {
        return (ws(text, pos + 1, end) == end).then_some(());
    }
    let mut index = 0;
    loop {
        let key_end = string_end(text, pos, end)?;
        let column = keys.column(text, index, pos..key_end.0, names)?;
        pos = ws(text, key_end.0, end);
        if text.get(pos) != Some(&b':') {
            return None;
        }
        pos = ws(text, pos + 1, end);
        let (value, after) = value_at(text, pos, end)?;
        if let Some(column) = column {
            values[column] = Some(value);
        }
        pos = ws(text, after, end);
        index += 1;
        match text.get(pos) {
            Some(b',') if pos < end => pos = ws(text, pos + 1, end),
            Some(b'}') if pos < end => return (ws(text, pos + 1, end) == end).then_some(()),
            _ => return None,
        }
    }
}

fn ws(text: &[u8], mut pos: usize, end: usize) -> usize {
    while pos < end && matches!(text[pos], b' ' | b'\n' | b'\t' | b'\r') {
        pos += 1;
    }
    pos
}

/// Where the string starting at `pos` ends (after its closing quote), and whether it has
/// escapes.
fn string_end(text: &[u8], pos: usize, end: usize) -> Option<(usize, bool)> {
    if pos >= end || text[pos] != b'"' {
        return None;
    }
    let mut at = pos + 1;
    let mut escaped = false;
    loop {
        let found = memchr::memchr2(b'"', b'\\', &text[at..end])? + at;
        if text[found] == b'"' {
            return Some((found + 1, escaped));
        }
        escaped = true;
        at = found + 2;
        if at > end {
            return None;
        }
    }
}

/// The value starting at `pos`, and where its text ends.
fn value_at(text: &[u8], pos: usize, end: usize) -> Option<(Value, usize)> {
    let whole = |kind, after| {
        Some((
            Value {
                kind,
                start: pos,
                end: after,
            },
            after,
        ))
    };
    let word = |w: &[u8], kind| {
        let after = pos + w.len();
        if after <= end && &text[pos..after] == w {
            whole(kind, after)
        } else {
            None
        }
    };
    match *text.get(pos)? {
        b'"' => {
            let (after, escaped) = string_end(text, pos, end)?;
            if escaped {
                whole(Kind::Escaped, after)
            } else {
                let value = Value {
                    kind: Kind::Plain,
                    start: pos + 1,
                    end: after - 1,
                };
                Some((value, after))
            }
        }
        b'n' => word(b"null", Kind::Null),
        b't' => word(b"true", Kind::True),
        b'f' => word(b"false", Kind::False),
        b'{' | b'[' => {
            let after = value_end(&text[..end], pos);
            if after > pos {
                whole(Kind::Container, after)
            } else {
                None
            }
        }
        b'-' | b'0'..=b'9' => {
            let mut after = pos + 1;
            while after < end
                && matches!(text[after], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
            {
                after += 1;
            }
            whole(Kind::Number, after)
        }
        _ => None,
    }
}

enum Column {
    Long(Int64Builder),
    Double(Float64Builder),
    Boolean(BooleanBuilder),
    String(StringBuilder),
}

impl Column {
    fn new(data_type: &DataType, rows: usize) -> Option<Column> {
        Some(match data_type {
            DataType::Int64 => Column::Long(Int64Builder::with_capacity(rows)),
            DataType::Float64 => Column::Double(Float64Builder::with_capacity(rows)),
            DataType::Boolean => Column::Boolean(BooleanBuilder::with_capacity(rows)),
            DataType::Utf8 => Column::String(StringBuilder::with_capacity(rows, rows * 8)),
            _ => return None,
        })
    }

    /// Appends a value, or a null for a key the record does not have; `None` when the
    /// value does not fit the column.
    fn append(&mut self, text: &[u8], value: Option<Value>) -> Option<()> {
        let Some(value) = value.filter(|v| v.kind != Kind::Null) else {
            match self {
                Column::Long(b) => b.append_null(),
                Column::Double(b) => b.append_null(),
                Column::Boolean(b) => b.append_null(),
                Column::String(b) => b.append_null(),
            }
            return Some(());
        };
        let bytes = &text[value.start..value.end];
        match (self, value.kind) {
            (Column::Long(b), Kind::Number) => b.append_value(parse_long(bytes)?),
            (Column::Double(b), Kind::Number) => {
                b.append_value(lexical_core::parse::<f64>(bytes).ok()?)
            }
            (Column::Boolean(b), Kind::True) => b.append_value(true),
            (Column::Boolean(b), Kind::False) => b.append_value(false),
            // Numbers and booleans in a string column keep their text (arrow-json's
            // `coerce_primitive`); the text was checked to be UTF-8.
            (Column::String(b), Kind::Plain | Kind::Number | Kind::True | Kind::False) => {
                b.append_value(std::str::from_utf8(bytes).ok()?)
            }
            (Column::String(b), Kind::Escaped) => {
                b.append_value(serde_json::from_slice::<String>(bytes).ok()?)
            }
            _ => return None,
        }
        Some(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            Column::Long(mut b) => Arc::new(b.finish()),
            Column::Double(mut b) => Arc::new(b.finish()),
            Column::Boolean(mut b) => Arc::new(b.finish()),
            Column::String(mut b) => Arc::new(b.finish()),
        }
    }
}

/// A whole number as arrow-json reads one into an `i64` column (a `bigint` column holds
/// only those: anything else goes to arrow-json).
fn parse_long(bytes: &[u8]) -> Option<i64> {
    lexical_core::parse::<i64>(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{Field, Schema};

    /// The batch arrow-json makes of the same records, as the loader calls it.
    fn by_arrow_json(text: &[u8], schema: &SchemaRef) -> RecordBatch {
        let mut decoder = arrow_json::ReaderBuilder::new(Arc::clone(schema))
            .with_coerce_primitive(true)
            .with_batch_size(1 << 20)
            .build_decoder()
            .unwrap();
        assert_eq!(decoder.decode(text).unwrap(), text.len());
        decoder.flush().unwrap().unwrap()
    }

    fn lines(text: &[u8]) -> Vec<Range<usize>> {
        let mut at = 0;
        let mut records = Vec::new();
        for line in text.split(|&b| b == b'\n') {
            if !line.is_empty() {
                records.push(at..at + line.len());
            }
            at += line.len() + 1;
        }
        records
    }

    #[test]
    fn flat_records_decode_as_arrow_json_decodes_them() {
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("b", DataType::Float64, true),
            Field::new("c", DataType::Boolean, true),
            Field::new("d", DataType::Utf8, true),
            Field::new("e", DataType::Utf8, true),
        ]));
        let text = r#"{"a": 1, "b": 2.5, "c": true, "d": "x", "e": null}
{"e":"only"}
{"d": "caf\u00e9 \"q\" \\ \/ \n", "a": -9223372036854775808, "b": -0, "unknown": {"x": [1, {}]}, "": 3}
{"a":9223372036854775807,"b":1e300,"c":false,"d":12.50,"e":true}
  {"b": 1.7976931348623157e308, "d": false, "a": 7, "b": 5E-324, "\u0061": 8}
{}
{"d": "é漢字🙂", "e": -1.0E-5, "c": null, "b": 123456789012345678901234567890}
{"b": 0.1, "a": 0, "c": true, "d": "", "e": ""}
"#
        .as_bytes();
        let records = lines(text);
        let flat = decode_flat(text, &records, &schema).expect("flat records");
        assert_eq!(flat, by_arrow_json(text, &schema));
        assert_eq!(flat.num_rows(), 8);
    }

    #[test]
    fn numbers_parse_to_the_same_bits() {
        let schema: SchemaRef =
            Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
        let mut seed: u64 = 1;
        let mut text = String::new();
        for i in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let value = f64::from_bits(seed >> 2);
            let written = match i % 4 {
                0 => format!("{value}"),
                1 => format!("{value:e}"),
                2 => format!("{:.17}", (seed >> 11) as f64 / 1e6),
                _ => format!("{}", (seed >> 20) as i64 - (1 << 42)),
            };
            if written.contains("inf") || written.contains("NaN") {
                continue;
            }
            text.push_str(&format!("{{\"x\": {written}}}\n"));
        }
        let text = text.as_bytes();
        let flat = decode_flat(text, &lines(text), &schema).unwrap();
        assert_eq!(flat, by_arrow_json(text, &schema));
    }

    #[test]
    fn what_a_column_cannot_take_is_left_to_arrow_json() {
        let schema: SchemaRef = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, true)]));
        for text in [
            &br#"{"a": 1.5}"#[..],
            br#"{"a": "1"}"#,
            br#"{"a": [1]}"#,
            br#"[{"a": 1}]"#,
            br#"{"a": 1} x"#,
            br#"{"a": 1"#,
        ] {
            let whole = 0..text.len();
            assert!(decode_flat(text, std::slice::from_ref(&whole), &schema).is_none());
        }
    }
}
