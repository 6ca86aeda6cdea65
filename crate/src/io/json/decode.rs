//! The second pass over JSON records: pieces decoded into record batches with a schema
//! (flat records by `flat.rs`, the rest by arrow-json).
//!
//! Columns whose values are read from their text as Spark reads them (`decimal`,
//! `timestamp`; and in a piece with an empty string, every column not a `string`, where
//! `""` is NULL) are decoded as strings first and converted (`typed.rs`).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_json::ReaderBuilder;
use arrow_schema::SchemaRef;
use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};
use crate::io::json::flat::{decode_flat, is_flat};
use crate::io::json::infer::JsonType;
use crate::io::json::lenient::{Leniency, NonNumeric};
use crate::io::json::options::JsonOptions;
use crate::io::json::records::line_of;
use crate::io::json::rewrite::rewrite;
use crate::io::json::schema::JsonSchema;
use crate::io::json::survey::Survey;
use crate::io::json::typed::{as_text, from_text};
use crate::io::json::typing::Typing;

/// The second pass: pieces of records decoded by arrow-json with the inferred schema.
pub struct Decoding<'a> {
    text: &'a [u8],
    schema: &'a SchemaRef,
    /// The schema decoded when converting from text: `decimal` and `timestamp` columns as
    /// `string`s (`None`: none has them).
    texts: Option<SchemaRef>,
    /// The same for a piece with an empty string: every column but the `string`s.
    blank_texts: Option<SchemaRef>,
    /// How text is read as a timestamp.
    typing: Typing,
    root: &'a JsonType,
    /// Some values must be rewritten as JSON text first (a field of mixed types).
    rewrite: bool,
    corrupt_column: Option<&'a str>,
    /// JSON lines: a piece's records are one stretch of text, lines apart.
    lines: bool,
    /// What the reader accepts beyond standard JSON (the surveys' `lenient` records).
    leniency: Leniency,
}

impl<'a> Decoding<'a> {
    /// Decoding of `text`'s records with `schema`, read with `options` (checked by the
    /// loader); `lines`: the records are JSON lines.
    pub fn new(text: &'a [u8], schema: &'a JsonSchema, lines: bool, options: &JsonOptions) -> Self {
        let arrow = schema.arrow();
        Decoding {
            text,
            schema: arrow,
            texts: as_text(arrow, false),
            blank_texts: as_text(arrow, true),
            typing: Typing::of_checked(options),
            root: schema.root(),
            rewrite: schema.root().has_mixed(),
            corrupt_column: schema.corrupt_column(),
            lines,
            leniency: Leniency::of(options),
        }
    }
}

impl Decoding<'_> {
    /// One piece's records (with its survey) decoded into a batch.
    pub fn decode(&self, records: &[Range<usize>], survey: &Survey) -> Result<Option<RecordBatch>> {
        // The flat decoder reads `""` as NULL in a column that is not a string: no
        // conversion needed when the schema is flat.
        if survey.blanks && self.texts.is_none() {
            if let Some(batch) = self.flat(self.schema, records, survey) {
                return Ok(Some(batch));
            }
        }
        let texts = match survey.blanks {
            true => self.blank_texts.as_ref(),
            false => self.texts.as_ref(),
        };
        let Some(texts) = texts else {
            return self.decode_as(self.schema, records, survey);
        };
        self.decode_as(texts, records, survey)?
            .map(|batch| from_text(&batch, self.schema, &self.typing))
            .transpose()
    }

    /// The piece decoded with `schema`.
    fn decode_as(
        &self,
        schema: &SchemaRef,
        records: &[Range<usize>],
        survey: &Survey,
    ) -> Result<Option<RecordBatch>> {
        if let Some(batch) = self.flat(schema, records, survey) {
            return Ok(Some(batch));
        }
        if let Some(batch) = self.decode_stretch(schema, records, survey) {
            return Ok(Some(batch));
        }
        self.decode_each(schema, records, survey)
    }

    /// The piece by the flat decoder (`flat.rs`), when its schema and records allow.
    fn flat(
        &self,
        schema: &SchemaRef,
        records: &[Range<usize>],
        survey: &Survey,
    ) -> Option<RecordBatch> {
        if !is_flat(schema) || !self.plain(records, survey) || !survey.lenient.is_empty() {
            return None;
        }
        decode_flat(self.text, records, schema)
    }

    /// Whether the piece's records need nothing done to them but, for those standard JSON
    /// refuses, their standard rewrite: nothing malformed, no value to rewrite, one row
    /// each.
    fn plain(&self, records: &[Range<usize>], survey: &Survey) -> bool {
        !self.rewrite
            && survey.malformed.is_empty()
            && !records.is_empty()
            && survey.rows == records.len()
    }

    fn decoder(&self, schema: &SchemaRef, survey: &Survey) -> Result<arrow_json::reader::Decoder> {
        ReaderBuilder::new(Arc::clone(schema))
            .with_coerce_primitive(true)
            .with_flatten(true)
            // One row more than the piece makes: a decoder whose batch is full stops reading,
            // and the last row of a record that is an array of objects comes before its `]`.
            .with_batch_size(survey.rows + 1)
            .build_decoder()
            .map_err(|e| Error::internal("starting a JSON decoder", e))
    }

    /// The piece's text in one call to the decoder, when its records are lines that need
    /// nothing done to them (no malformed record, no value to rewrite, one row each): most
    /// of the decoder's time per record otherwise went to starting and ending a call.
    /// Records standard JSON refuses are replaced by their standard rewrite in a copy of
    /// the text. `None` when that does not apply or the decoder refused the text (then
    /// each record is decoded alone, and an error names its line).
    fn decode_stretch(
        &self,
        schema: &SchemaRef,
        records: &[Range<usize>],
        survey: &Survey,
    ) -> Option<RecordBatch> {
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return None;
        };
        if !self.lines || !self.plain(records, survey) {
            return None;
        }
        let mut decoder = self.decoder(schema, survey).ok()?;
        let text = match survey.lenient.is_empty() {
            true => Cow::Borrowed(&self.text[first.start..last.end]),
            false => Cow::Owned(self.standard_lines(records, &survey.lenient)?),
        };
        let read = decoder.decode(&text).ok()?;
        if read != text.len() {
            return None;
        }
        let batch = decoder.flush().ok()??;
        (batch.num_rows() == records.len()).then_some(batch)
    }

    /// The records as lines, those numbered in `lenient` rewritten as standard JSON.
    fn standard_lines(&self, records: &[Range<usize>], lenient: &[usize]) -> Option<Vec<u8>> {
        let (first, last) = (records.first()?, records.last()?);
        let mut lines = Vec::with_capacity(last.end - first.start + 16 * lenient.len());
        let mut lenient = lenient.iter().copied().peekable();
        for (i, record) in records.iter().enumerate() {
            let bytes = &self.text[record.clone()];
            match lenient.next_if_eq(&i) {
                Some(_) => lines.extend(self.leniency.standard_of(bytes, NonNumeric::Text)?),
                None => lines.extend_from_slice(bytes),
            }
            lines.push(b'\n');
        }
        Some(lines)
    }

    fn decode_each(
        &self,
        schema: &SchemaRef,
        records: &[Range<usize>],
        survey: &Survey,
    ) -> Result<Option<RecordBatch>> {
        let mut decoder = self.decoder(schema, survey)?;
        let mut malformed = survey.malformed.iter().map(|(i, _)| *i).peekable();
        let mut kept_partly = survey.kept_partly.iter().copied().peekable();
        let mut lenient = survey.lenient.iter().copied().peekable();
        for (i, record) in records.iter().enumerate() {
            let as_written = &self.text[record.clone()];
            let standard = lenient
                .next_if_eq(&i)
                .and_then(|_| self.leniency.standard_of(as_written, NonNumeric::Text));
            let bytes = standard.as_deref().unwrap_or(as_written);
            let rewritten: Option<Vec<u8>> = if malformed.peek() == Some(&i) {
                malformed.next();
                let partly = kept_partly.next_if_eq(&i).is_some();
                let column = match self.corrupt_column {
                    Some(column) => column,
                    None => continue,
                };
                let values = match partly {
                    true => self.leniency.standard_of(as_written, NonNumeric::Text),
                    false => None,
                };
                let row = corrupt_row(column, as_written, values.as_deref(), schema)?;
                Some(match partly && self.rewrite {
                    true => rewrite(&row, self.root),
                    false => row,
                })
            } else if self.rewrite {
                Some(rewrite(bytes, self.root))
            } else {
                None
            };
            let bytes = rewritten.as_deref().unwrap_or(bytes);
            let line = || line_of(self.text, record.start);
            let read = decoder
                .decode(bytes)
                .and_then(|n| decoder.decode(b"\n").map(|_| n))
                .map_err(|e| decode_error(line(), e))?;
            if read != bytes.len() {
                return Err(decode_error(line(), "the record was not read whole"));
            }
        }
        decoder.flush().map_err(|e| decode_error(0, e))
    }
}

/// A row holding the malformed record's text in the corrupt-record column, and the
/// record's `values` (a standard JSON object) when it keeps them: those its columns take
/// as they are (a fraction in a `bigint` column is NULL, as Spark's conversion fails on
/// it, where the decoder would cut it to an integer).
fn corrupt_row(
    column: &str,
    bytes: &[u8],
    values: Option<&[u8]>,
    schema: &SchemaRef,
) -> Result<Vec<u8>> {
    let mut row = match values.map(serde_json::from_slice::<Value>) {
        Some(Ok(Value::Object(fields))) => fields,
        _ => serde_json::Map::new(),
    };
    for (name, value) in row.iter_mut() {
        let integer_column = schema
            .field_with_name(name)
            .is_ok_and(|f| f.data_type().is_integer());
        if integer_column && value.is_number() && !(value.is_i64() || value.is_u64()) {
            *value = Value::Null;
        }
    }
    row.insert(
        column.to_string(),
        Value::String(String::from_utf8_lossy(bytes).into_owned()),
    );
    serde_json::to_vec(&Value::Object(row))
        .map_err(|e| Error::internal("writing a malformed JSON record", e))
}

fn decode_error(line: u64, err: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::JsonMalformed,
        format!("line {line} could not be decoded with the inferred schema ({err})"),
    )
    .at_row(line)
}
