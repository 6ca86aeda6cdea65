//! The first pass over a piece of JSON records: the merged type of its rows, its row
//! count and its malformed records, read with serde_json's streaming deserializer straight
//! into the piece's type (no `Value` tree per record, no allocation for a field already
//! seen). Building a `Value` and a type per record made the pass allocate dozens of times
//! per record, and the engine's allocator is shared by its threads: a second thread made
//! the load slower, not faster.
//!
//! A record is merged as it is read; a malformed one (bad syntax, or not an object nor an
//! array of objects) may already have merged part of itself, so a piece with one is read
//! again checking each record before merging it (malformed records are rare, and Spark
//! infers nothing from them).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::ops::Range;

use rayon::prelude::*;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::io::json::infer::JsonType;
use crate::io::json::lenient::{Leniency, NonNumeric};
use crate::io::json::options::JsonOptions;
use crate::io::json::shape::{Read, Shapes};
use crate::io::json::typing::Typing;

/// What the first pass learns about a piece of records.
#[derive(Default)]
pub struct Survey {
    pub ty: Option<JsonType>,
    /// Malformed records: their index in the piece and why.
    pub malformed: Vec<(usize, String)>,
    /// Malformed records whose values are read all the same, beside their text in the
    /// corrupt-record column (Spark's partial results): those inference refuses only for
    /// a `NaN` or an infinity under `prefersDecimal`. Their index in the piece, in order.
    pub kept_partly: Vec<usize>,
    /// Records that are JSON only under the reader's leniencies (`lenient.rs`): their
    /// index in the piece, in order. They are decoded from their standard rewrite.
    pub lenient: Vec<usize>,
    /// Rows the piece makes, malformed records included (the decoder's batch size).
    pub rows: usize,
    /// Whether some value is an empty string: a null to inference, so a column of
    /// another type may hold it (it is decoded as NULL there, `typed.rs`).
    pub blanks: bool,
    /// The piece was decoded as fitting the schema before it rather than surveyed
    /// ([`Survey::of_fitting`]): nothing about its records was noted.
    pub fitted: bool,
}

impl Survey {
    /// The survey of a piece of `rows` records that were decoded as fitting the schema of
    /// the records before them (`flat::decode_fitting`): each one object, none malformed,
    /// and their type adds nothing to the merged type, so none is given. Should a later
    /// schema make the piece be decoded again, it is surveyed first
    /// ([`Survey::again_if_fitted`]).
    pub fn of_fitting(rows: usize) -> Survey {
        Survey {
            ty: None,
            malformed: Vec::new(),
            kept_partly: Vec::new(),
            lenient: Vec::new(),
            rows,
            blanks: true,
            fitted: true,
        }
    }

    /// For a piece decoded as fitting, a survey of its `records` made now: decoding it
    /// again (a later schema changed) needs what the fitted pass does not note, above all
    /// which records are JSON only under the leniencies (`-INF`, `NaN`), to decode them
    /// from their standard rewrites. `None` for a piece that was surveyed.
    pub fn again_if_fitted(
        &self,
        text: &[u8],
        records: &[Range<usize>],
        surveying: &Surveying,
    ) -> Option<Survey> {
        self.fitted.then(|| survey(text, records, surveying))
    }
}

/// What the first pass takes from the reader's options.
#[derive(Debug, Clone, Default)]
pub struct Surveying {
    /// What is JSON beyond the standard.
    pub leniency: Leniency,
    /// How scalars are typed (the inference options).
    pub typing: Typing,
}

impl Surveying {
    /// For options the loader has checked ([`Typing::of`]).
    pub fn of(options: &JsonOptions) -> Surveying {
        Surveying {
            leniency: Leniency::of(options),
            typing: Typing::of_checked(options),
        }
    }

    /// What inference reads beyond standard JSON: the reader's leniency, without `NaN`
    /// and infinities when the typing refuses them ([`Typing::refuses_non_numeric`]).
    fn inference_leniency(&self) -> Leniency {
        let mut leniency = self.leniency;
        if self.typing.refuses_non_numeric() {
            leniency.non_numeric_numbers = false;
        }
        leniency
    }
}

/// Each of `pieces` (ranges of `records`) surveyed, in parallel, in order.
pub fn survey_pieces(
    text: &[u8],
    records: &[Range<usize>],
    pieces: &[Range<usize>],
    surveying: &Surveying,
) -> Vec<Survey> {
    pieces
        .par_iter()
        .map(|piece| survey(text, &records[piece.clone()], surveying))
        .collect()
}

/// The type of every surveyed record merged, not yet made canonical.
pub fn merged_of(surveys: &[Survey], drop_field_if_all_null: bool) -> JsonType {
    surveys
        .iter()
        .filter_map(|s| s.ty.clone())
        .fold(JsonType::Null, JsonType::merge)
        .for_schema(drop_field_if_all_null)
}

/// Surveys a piece: records merged as they are read, or, if one is malformed, all checked
/// first (and a record that is not standard JSON read again under the leniencies).
///
/// Numbers are typed from serde_json's reading of them, unless the typing needs their
/// text, or a number that only its text can type turns up (`-0`, or a whole number
/// beyond `bigint` read as a float): the piece is then surveyed again, each value taken
/// as its text first.
pub fn survey(text: &[u8], records: &[Range<usize>], surveying: &Surveying) -> Survey {
    let by_text = surveying.typing.needs_number_text();
    let first = survey_with(text, records, surveying, by_text);
    match first.1 {
        true => survey_with(text, records, surveying, true).0,
        false => first.0,
    }
}

/// The survey, and whether a number needed its text and `by_text` was off.
fn survey_with(
    text: &[u8],
    records: &[Range<usize>],
    surveying: &Surveying,
    by_text: bool,
) -> (Survey, bool) {
    let typed = Typed {
        typing: &surveying.typing,
        by_text,
        ambiguous: Cell::new(false),
        blanks: Cell::new(false),
    };
    let leniency = surveying.inference_leniency();
    let mut survey = merged_as_read(text, records, leniency, &typed)
        .unwrap_or_else(|| checked_first(text, records, surveying, &typed));
    survey.blanks |= typed.blanks.get();
    (survey, typed.ambiguous.get() && !by_text)
}

/// The typing of one survey, and what it met.
struct Typed<'a> {
    typing: &'a Typing,
    /// Each value read as its text first (`RawValue`), scalars typed from it.
    by_text: bool,
    /// A number serde_json read whose type only its text tells.
    ambiguous: Cell<bool>,
    /// An empty string was met.
    blanks: Cell<bool>,
}

/// Every record merged as it is read, but for those of a shape merged before (merging
/// them would change nothing); `None` at the first malformed one.
///
/// A record standard JSON refuses is merged again from its standard rewrite. What its
/// standard reading merged before failing does no harm then: the values read up to that
/// point are the rewrite's own, and merging a value's type twice changes nothing.
///
/// Records are not skipped by their shape when the typing reads values' text: two
/// strings of one shape may then have different types.
fn merged_as_read(
    text: &[u8],
    records: &[Range<usize>],
    leniency: Leniency,
    typed: &Typed,
) -> Option<Survey> {
    let mut ty = JsonType::Null;
    let mut rows = 0;
    let mut lenient = Vec::new();
    let mut shapes = Shapes::new(text);
    let by_shape = !typed.typing.reads_text();
    for (i, record) in records.iter().enumerate() {
        let read = match by_shape {
            true => shapes.read(record.clone()),
            false => Read::Unknown,
        };
        rows += match read {
            Read::Seen { rows } => rows,
            Read::New | Read::Unknown => {
                let bytes = &text[record.clone()];
                match merge_record(bytes, &mut ty, typed) {
                    Ok(rows) => rows,
                    Err(()) => {
                        let standard = leniency.standard_of(bytes, NonNumeric::Double)?;
                        lenient.push(i);
                        merge_record(&standard, &mut ty, typed).ok()?
                    }
                }
            }
        };
    }
    Some(Survey {
        ty: (!records.is_empty()).then_some(ty),
        malformed: Vec::new(),
        kept_partly: Vec::new(),
        lenient,
        rows,
        blanks: shapes.met_blanks(),
        fitted: false,
    })
}

/// Each record checked (syntax and shape) before it is merged.
fn checked_first(
    text: &[u8],
    records: &[Range<usize>],
    surveying: &Surveying,
    typed: &Typed,
) -> Survey {
    let leniency = surveying.inference_leniency();
    let mut survey = Survey::default();
    let mut ty = JsonType::Null;
    let mut merged_any = false;
    for (i, record) in records.iter().enumerate() {
        let bytes = &text[record.clone()];
        match check_record(bytes) {
            Ok(()) => {
                // Checked: merging it cannot fail half-way.
                survey.rows += merge_record(bytes, &mut ty, typed).unwrap_or(1);
                merged_any = true;
            }
            Err(why) => match leniency
                .standard_of(bytes, NonNumeric::Double)
                .filter(|standard| check_record(standard).is_ok())
            {
                Some(standard) => {
                    survey.rows += merge_record(&standard, &mut ty, typed).unwrap_or(1);
                    survey.lenient.push(i);
                    merged_any = true;
                }
                None => {
                    // Refused only for its NaN or infinity: said so (not where JSON
                    // stopped), and its values read all the same, as Spark reads them.
                    let refused_non_numeric = leniency != surveying.leniency
                        && surveying
                            .leniency
                            .standard_of(bytes, NonNumeric::Double)
                            .is_some();
                    let why = match refused_non_numeric {
                        true => {
                            survey.kept_partly.push(i);
                            "a NaN or an infinity, which prefersDecimal cannot make a decimal \
                             (Spark reads the record as malformed too)"
                                .to_string()
                        }
                        false => why,
                    };
                    survey.rows += 1;
                    survey.malformed.push((i, why));
                }
            },
        }
    }
    survey.ty = merged_any.then_some(ty);
    survey
}

/// Why a record is not one: bad JSON, or a value that is neither an object nor an array
/// of objects (the messages of the `Value`-based reading this replaces).
fn check_record(bytes: &[u8]) -> Result<(), String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    match &value {
        Value::Object(_) => Ok(()),
        Value::Array(items) if items.iter().all(Value::is_object) => Ok(()),
        Value::Array(_) => Err("an array whose elements are not all objects".into()),
        _ => Err(format!(
            "`{}` is not a JSON object",
            short(&value.to_string())
        )),
    }
}

/// Merges one record's rows into `ty`: an object is a row, an array of objects a row per
/// element. `Err` when the record is not one (it may have merged part of itself).
fn merge_record(bytes: &[u8], ty: &mut JsonType, typed: &Typed) -> Result<usize, ()> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let rows = Record(ty, typed)
        .deserialize(&mut deserializer)
        .map_err(|_| ())?;
    deserializer.end().map_err(|_| ())?;
    Ok(rows)
}

/// The start of a value's text, for a message.
pub fn short(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A whole record: an object, or an array of objects; its row count.
struct Record<'t, 'a>(&'t mut JsonType, &'t Typed<'a>);

impl<'de> DeserializeSeed<'de> for Record<'_, '_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Record<'_, '_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or an array of objects")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<usize, A::Error> {
        Merge(self.0, self.1).visit_map(map)?;
        Ok(1)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut rows = 0;
        while seq.next_element_seed(Row(&mut *self.0, self.1))?.is_some() {
            rows += 1;
        }
        Ok(rows)
    }
}

/// One element of a record that is an array: it must be an object.
struct Row<'t, 'a>(&'t mut JsonType, &'t Typed<'a>);

impl<'de> DeserializeSeed<'de> for Row<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Row<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Merge(self.0, self.1).visit_map(map)
    }
}

/// Merges the type of the next value into the type it points to, in place.
struct Merge<'t, 'a>(&'t mut JsonType, &'t Typed<'a>);

impl Merge<'_, '_> {
    /// Merges a value's type that has no parts (a scalar).
    fn scalar(self, ty: JsonType) {
        // The usual case: the field had this type already.
        if *self.0 == ty {
            return;
        }
        let old = std::mem::replace(self.0, JsonType::Null);
        *self.0 = old.merge(ty);
    }

    fn string(self, text: &str) {
        if text.is_empty() {
            self.1.blanks.set(true);
        }
        let ty = self.1.typing.of_string(text);
        self.scalar(ty);
    }

    /// Merges the value whose JSON text is `raw`: a scalar typed from its text, a
    /// container read again from it.
    fn raw<E: serde::de::Error>(self, raw: &str) -> Result<(), E> {
        let typing = self.1.typing;
        match raw.as_bytes().first() {
            Some(b'{' | b'[') => {
                let mut deserializer = serde_json::Deserializer::from_str(raw);
                deserializer.deserialize_any(self).map_err(E::custom)
            }
            Some(b'"') => {
                let inner = &raw[1..raw.len() - 1];
                match inner.contains('\\') {
                    true => self.string(&serde_json::from_str::<String>(raw).map_err(E::custom)?),
                    false => self.string(inner),
                }
                Ok(())
            }
            Some(b't' | b'f') => {
                self.scalar(typing.of_boolean());
                Ok(())
            }
            Some(b'n') | None => Ok(()),
            Some(_) => {
                self.scalar(typing.of_number(raw));
                Ok(())
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Merge<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.1.by_text {
            true => {
                let raw = <&RawValue>::deserialize(deserializer)?;
                self.raw(raw.get())
            }
            false => deserializer.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Merge<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        let ty = self.1.typing.of_boolean();
        self.scalar(ty);
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        let ty = self.1.typing.of_long();
        self.scalar(ty);
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        let ty = self.1.typing.of_u64(v);
        self.scalar(ty);
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        let (ty, ambiguous) = self.1.typing.of_f64(v);
        if ambiguous {
            self.1.ambiguous.set(true);
        }
        self.scalar(ty);
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.string(v);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let typed = self.1;
        match self.0 {
            JsonType::Array(item) => while seq.next_element_seed(Merge(item, typed))?.is_some() {},
            JsonType::Null => {
                let mut item = JsonType::Null;
                while seq.next_element_seed(Merge(&mut item, typed))?.is_some() {}
                *self.0 = JsonType::Array(Box::new(item));
            }
            // Another type here before: the array's own type, merged with it.
            _ => {
                let mut item = JsonType::Null;
                while seq.next_element_seed(Merge(&mut item, typed))?.is_some() {}
                self.scalar(JsonType::Array(Box::new(item)));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if matches!(self.0, JsonType::Null) {
            *self.0 = JsonType::Struct(Default::default());
        }
        if let JsonType::Struct(fields) = self.0 {
            while let Some(key) = map.next_key_seed(Key)? {
                let ty = match fields.get_mut(key.as_ref()) {
                    Some(ty) => ty,
                    None => fields.entry(key.into_owned()).or_insert(JsonType::Null),
                };
                map.next_value_seed(Merge(ty, self.1))?;
            }
            return Ok(());
        }
        // Another type here before: the object's own type, merged with it.
        let mut object = JsonType::Struct(Default::default());
        Merge(&mut object, self.1).visit_map(map)?;
        self.scalar(object);
        Ok(())
    }
}

/// An object's key, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The type the `Value`-based reading gives: each record's type, merged.
    fn by_values(records: &[&str]) -> Option<JsonType> {
        records
            .iter()
            .map(|r| serde_json::from_str::<Value>(r).unwrap())
            .map(|v| match &v {
                Value::Array(items) => JsonType::of_all(items),
                _ => JsonType::of(&v),
            })
            .reduce(JsonType::merge)
    }

    fn surveyed(records: &[&str]) -> Survey {
        let text = records.join("\n");
        let mut ranges = Vec::new();
        let mut at = 0;
        for r in records {
            ranges.push(at..at + r.len());
            at += r.len() + 1;
        }
        survey(text.as_bytes(), &ranges, &Surveying::default())
    }

    #[test]
    fn merges_in_place_as_values_merge() {
        let records = [
            r#"{"a": 1, "b": [1, 2.5], "c": {"x": null}}"#,
            r#"{"a": 2.5, "b": [], "c": {"x": "s", "y": true}, "d": null}"#,
            r#"[{"a": 1}, {"e": [[1], [null]]}]"#,
            r#"{"a": {"k": 1}, "b": "text", "f": 18446744073709551615}"#,
            r#"{"c": [1], "g\u0041": 1}"#,
        ];
        let survey = surveyed(&records);
        assert_eq!(survey.ty, by_values(&records));
        assert_eq!(survey.rows, 6);
        assert!(survey.malformed.is_empty());
    }

    /// Records drawn from a few keys and values, many with the shape of the one before:
    /// skipping those must give the type that merging every record gives.
    #[test]
    fn records_of_a_repeated_shape_give_the_merged_type() {
        let values = [
            "1",
            "2.5",
            "1e3",
            "9223372036854775808",
            "\"s\"",
            "\"\"",
            "\"\\u00e9\"",
            "true",
            "null",
            "[]",
            "[1, 2]",
            "[1.5]",
            "{}",
            "{\"x\": 1}",
            "{\"x\": \"t\"}",
            "[{\"y\": null}]",
        ];
        let keys = ["\"a\"", "\"b\"", "\"\\u0063\"", "\"\""];
        let mut next = crate::testing::indices(7);
        for _ in 0..50 {
            let mut records: Vec<String> = Vec::new();
            for _ in 0..40 {
                let record = match (next(3), records.last()) {
                    (0 | 1, Some(last)) => last.clone(),
                    _ => {
                        // Distinct keys, in a rotated order.
                        let turn = next(keys.len());
                        let mut fields: Vec<String> = Vec::new();
                        for i in 0..keys.len() {
                            if next(2) == 0 {
                                let value = values[next(values.len())];
                                fields.push(format!("{}: {value}", keys[(i + turn) % keys.len()]));
                            }
                        }
                        format!("{{{}}}", fields.join(", "))
                    }
                };
                records.push(if next(8) == 0 && record.starts_with('{') {
                    format!("[{record}, {record}]")
                } else {
                    record
                });
            }
            let records: Vec<&str> = records.iter().map(String::as_str).collect();
            let survey = surveyed(&records);
            assert_eq!(survey.ty, by_values(&records), "{records:?}");
            assert!(survey.malformed.is_empty());
            let rows: usize = records
                .iter()
                .map(|r| if r.starts_with('[') { 2 } else { 1 })
                .sum();
            assert_eq!(survey.rows, rows);
        }
    }

    #[test]
    fn malformed_records_add_nothing_to_the_type() {
        let records = [
            r#"{"a": 1}"#,
            r#"{"b": 1, "c": "#,
            r#"[{"d": 1}, 2]"#,
            r#"7"#,
            r#"{"a": 2.5} x"#,
        ];
        let survey = surveyed(&records);
        assert_eq!(survey.ty, by_values(&records[..1]));
        assert_eq!(survey.rows, 5);
        let why: Vec<&str> = survey.malformed.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            survey.malformed.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert!(why[0].contains("EOF"), "{why:?}");
        assert_eq!(why[1], "an array whose elements are not all objects");
        assert_eq!(why[2], "`7` is not a JSON object");
        assert!(why[3].contains("trailing characters"), "{why:?}");
    }
}
