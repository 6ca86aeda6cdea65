//! Loading a JSON file: its text is gathered as it is read, then its records are found,
//! the schema inferred from all of them in parallel, and pieces of records decoded in
//! parallel into partitions.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_json::ReaderBuilder;
use arrow_schema::{Schema, SchemaRef};
use rayon::prelude::*;
use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::compressed::ByteSink;
use crate::io::csv::{ParseMode, PARTITION_BYTES};
use crate::io::json::flat::{decode_flat, is_flat};
use crate::io::json::infer::{struct_fields, JsonType};
use crate::io::json::options::JsonOptions;
use crate::io::json::records::{document, line_of, lines, looks_multi_line, without_bom};
use crate::io::json::rewrite::rewrite;
use crate::io::json::survey::{survey, Survey};
use crate::memory;

/// Malformed records named one by one in the load report.
const REPORTED_EXAMPLES: usize = 3;
/// Bytes at the start of the file looked at for signs that it is not text.
const TEXT_CHECK_BYTES: usize = 64 << 10;

/// A JSON file given in chunks, in order; the table is made by [`JsonLoader::finish`]
/// (Spark infers a JSON schema from every record, so nothing can be decoded before the
/// last one is seen).
pub struct JsonLoader {
    options: JsonOptions,
    text: Vec<u8>,
}

impl JsonLoader {
    /// `size_hint`: the file's size when known, so its text is gathered without copies.
    pub fn new(options: JsonOptions, size_hint: usize) -> Result<Self> {
        memory::check(
            size_hint.saturating_mul(2),
            "loading this JSON file",
            "load a smaller file, or drop other tables first",
        )?;
        Ok(JsonLoader {
            options,
            text: Vec::with_capacity(size_hint),
        })
    }

    /// Bytes of text read so far.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }

    /// Reads the records and returns the table with the load's warnings.
    pub fn finish(self) -> Result<(Table, Vec<String>)> {
        let surveyed = self.survey()?;
        let schema = JsonSchema::inferred(
            surveyed.merged_type(),
            surveyed.corrupt_column().map(str::to_string),
        )
        .ok_or_else(|| no_fields("the file", surveyed.records()))?;
        surveyed.decode(&schema)
    }

    /// The first pass: the records found and surveyed in parallel (types, malformed
    /// records), FAILFAST applied. The schema is left to the caller, so a folder's files
    /// can all be decoded with the one schema inferred over every file.
    pub fn survey(self) -> Result<SurveyedJson> {
        let JsonLoader { options, text } = self;
        check_text(&text)?;
        let base = without_bom(&text);
        let multi_line = options
            .multi_line
            .unwrap_or_else(|| looks_multi_line(&text[base..]));
        let records: Vec<Range<usize>> = if multi_line {
            document(&text[base..], base)?
        } else {
            lines(&text[base..])
                .into_iter()
                .map(|r| r.start + base..r.end + base)
                .collect()
        };
        let pieces = plan_pieces(&records);
        let surveys: Vec<Survey> = pieces
            .par_iter()
            .map(|piece| survey(&text, &records[piece.clone()]))
            .collect();
        let malformed: Vec<(usize, String)> = surveys
            .iter()
            .zip(&pieces)
            .flat_map(|(s, p)| {
                s.malformed
                    .iter()
                    .map(|(i, why)| (p.start + i, why.clone()))
            })
            .collect();
        if let (Some((record, why)), ParseMode::FailFast) = (malformed.first(), options.mode) {
            let line = line_of(&text, records[*record].start);
            return Err(Error::new(
                ErrorCode::JsonMalformed,
                format!(
                    "line {line} is not a JSON record ({why}); fix it, or load with mode \
                     PERMISSIVE (kept as text in `{}`) or DROPMALFORMED (left out)",
                    options.column_name_of_corrupt_record
                ),
            )
            .at_row(line));
        }
        Ok(SurveyedJson {
            options,
            text,
            multi_line,
            records,
            pieces,
            surveys,
            malformed,
        })
    }
}

/// A JSON file whose records were found and surveyed ([`JsonLoader::survey`]), waiting
/// for the schema to decode them with.
pub struct SurveyedJson {
    options: JsonOptions,
    text: Vec<u8>,
    multi_line: bool,
    records: Vec<Range<usize>>,
    /// Records grouped into pieces: one partition of the table each.
    pieces: Vec<Range<usize>>,
    surveys: Vec<Survey>,
    /// Malformed records (their index among all records) and why.
    malformed: Vec<(usize, String)>,
}

impl SurveyedJson {
    /// The type of all the file's records merged, not yet made canonical (a folder merges
    /// its files' types first, as one file merges its pieces').
    pub fn merged_type(&self) -> JsonType {
        self.surveys
            .iter()
            .filter_map(|s| s.ty.clone())
            .fold(JsonType::Null, JsonType::merge)
    }

    /// The column malformed records are kept in, when this file needs one (PERMISSIVE
    /// mode and some record malformed).
    pub fn corrupt_column(&self) -> Option<&str> {
        (self.options.mode == ParseMode::Permissive && !self.malformed.is_empty())
            .then_some(self.options.column_name_of_corrupt_record.as_str())
    }

    /// Records found (malformed ones included).
    pub fn records(&self) -> usize {
        self.records.len()
    }

    /// Bytes of text held.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }

    /// The second pass: the records decoded with `schema` in parallel pieces, and the
    /// load's warnings (malformed records).
    pub fn decode(&self, schema: &JsonSchema) -> Result<(Table, Vec<String>)> {
        let text = &self.text[..];
        let arrow_schema: SchemaRef = Arc::new(Schema::new(struct_fields(&schema.fields)));
        let root = JsonType::Struct(schema.fields.clone());
        memory::check(
            text.len(),
            "decoding this JSON file",
            "load a smaller file, or drop other tables first",
        )?;
        let decoder = Decoding {
            text,
            flat: is_flat(&arrow_schema),
            schema: &arrow_schema,
            root: &root,
            rewrite: root.has_mixed(),
            corrupt_column: schema.corrupt_column.as_deref(),
            lines: !self.multi_line,
        };
        let batches: Vec<RecordBatch> = self
            .pieces
            .par_iter()
            .zip(&self.surveys)
            .map(|(piece, survey)| decoder.decode(&self.records[piece.clone()], survey))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let warnings = warnings(text, &self.records, &self.malformed, &self.options);
        Ok((Table::try_new(arrow_schema, batches)?, warnings))
    }
}

/// The fields JSON records are decoded with: inferred over one file, or over every file
/// of a folder; the corrupt-record column last among them when one is kept.
pub struct JsonSchema {
    fields: BTreeMap<String, JsonType>,
    corrupt_column: Option<String>,
}

impl JsonSchema {
    /// From the merged type of every record read (made canonical here, as Spark does once
    /// all are merged); `None` when that leaves no field at all.
    pub fn inferred(merged: JsonType, corrupt_column: Option<String>) -> Option<JsonSchema> {
        let mut fields = match merged.canonical() {
            Some(JsonType::Struct(fields)) => fields,
            _ => BTreeMap::new(),
        };
        if let Some(name) = &corrupt_column {
            fields.insert(name.clone(), JsonType::String { mixed: false });
        }
        (!fields.is_empty()).then_some(JsonSchema {
            fields,
            corrupt_column,
        })
    }
}

/// Why no table can be made: `what` (the file, a folder's files) has `records` records
/// and none has a field.
pub fn no_fields(what: &str, records: usize) -> Error {
    Error::new(
        ErrorCode::JsonEmpty,
        if records == 0 {
            format!("{what} has no JSON records: it is empty or holds only blank lines")
        } else {
            format!("{what}'s {records} records have no fields (empty objects or arrays)")
        },
    )
}

impl ByteSink for JsonLoader {
    /// Gathers the text; growing it is checked first, since a failed allocation would
    /// abort the wasm engine (a compressed file's size is not known in advance).
    fn push(&mut self, chunk: &[u8]) -> Result<()> {
        if self.text.len() + chunk.len() > self.text.capacity() {
            let grown = (self.text.len() + chunk.len()).max(2 * self.text.capacity());
            memory::check(
                2 * grown,
                "reading this JSON file",
                &format!(
                    "its text is already {}; load a smaller file, or drop other tables first",
                    memory::describe_bytes(self.text.len())
                ),
            )?;
            self.text
                .try_reserve(grown - self.text.len())
                .map_err(|_| {
                    Error::new(
                        ErrorCode::OutOfMemory,
                        "the engine could not get memory for this JSON file's text; load a \
                     smaller file, or drop other tables first",
                    )
                })?;
        }
        self.text.extend_from_slice(chunk);
        Ok(())
    }
}

/// Reads a whole JSON file held in memory (tests and small files).
pub fn read_json(bytes: &[u8], options: &JsonOptions) -> Result<(Table, Vec<String>)> {
    let mut loader = JsonLoader::new(options.clone(), bytes.len())?;
    loader.push(bytes)?;
    loader.finish()
}

/// Records grouped into pieces of about [`PARTITION_BYTES`] of text: a piece is one
/// partition of the table and one task of each pass.
fn plan_pieces(records: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, record) in records.iter().enumerate() {
        bytes += record.len();
        if bytes >= PARTITION_BYTES {
            pieces.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < records.len() {
        pieces.push(start..records.len());
    }
    pieces
}

/// The second pass: pieces of records decoded by arrow-json with the inferred schema.
struct Decoding<'a> {
    text: &'a [u8],
    /// Every column a `bigint`, `double`, `boolean` or `string` (`flat.rs` decodes them).
    flat: bool,
    schema: &'a SchemaRef,
    root: &'a JsonType,
    /// Some values must be rewritten as JSON text first (a field of mixed types).
    rewrite: bool,
    corrupt_column: Option<&'a str>,
    /// JSON lines: a piece's records are one stretch of text, lines apart.
    lines: bool,
}

impl Decoding<'_> {
    fn decode(&self, records: &[Range<usize>], survey: &Survey) -> Result<Option<RecordBatch>> {
        if self.flat && self.plain(records, survey) {
            if let Some(batch) = decode_flat(self.text, records, self.schema) {
                return Ok(Some(batch));
            }
        }
        if let Some(batch) = self.decode_stretch(records, survey) {
            return Ok(Some(batch));
        }
        self.decode_each(records, survey)
    }

    /// Whether the piece's records need nothing done to them: nothing malformed, no value
    /// to rewrite, one row each.
    fn plain(&self, records: &[Range<usize>], survey: &Survey) -> bool {
        !self.rewrite
            && survey.malformed.is_empty()
            && !records.is_empty()
            && survey.rows == records.len()
    }

    fn decoder(&self, survey: &Survey) -> Result<arrow_json::reader::Decoder> {
        ReaderBuilder::new(Arc::clone(self.schema))
            .with_coerce_primitive(true)
            .with_flatten(true)
            .with_batch_size(survey.rows.max(1))
            .build_decoder()
            .map_err(|e| Error::internal("starting a JSON decoder", e))
    }

    /// The piece's text in one call to the decoder, when its records are lines that need
    /// nothing done to them (no malformed record, no value to rewrite, one row each): most
    /// of the decoder's time per record otherwise went to starting and ending a call.
    /// `None` when that does not apply or the decoder refused the text (then each record is
    /// decoded alone, and an error names its line).
    fn decode_stretch(&self, records: &[Range<usize>], survey: &Survey) -> Option<RecordBatch> {
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return None;
        };
        if !self.lines || !self.plain(records, survey) {
            return None;
        }
        let mut decoder = self.decoder(survey).ok()?;
        let text = &self.text[first.start..last.end];
        let read = decoder.decode(text).ok()?;
        if read != text.len() {
            return None;
        }
        let batch = decoder.flush().ok()??;
        (batch.num_rows() == records.len()).then_some(batch)
    }

    fn decode_each(
        &self,
        records: &[Range<usize>],
        survey: &Survey,
    ) -> Result<Option<RecordBatch>> {
        let mut decoder = self.decoder(survey)?;
        let mut malformed = survey.malformed.iter().map(|(i, _)| *i).peekable();
        for (i, record) in records.iter().enumerate() {
            let bytes = &self.text[record.clone()];
            let rewritten: Option<Vec<u8>> = if malformed.peek() == Some(&i) {
                malformed.next();
                match self.corrupt_column {
                    Some(column) => Some(corrupt_row(column, bytes)?),
                    None => continue,
                }
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

/// A row holding only the malformed record's text, in the corrupt-record column.
fn corrupt_row(column: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    let mut row = serde_json::Map::new();
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

fn warnings(
    text: &[u8],
    records: &[Range<usize>],
    malformed: &[(usize, String)],
    options: &JsonOptions,
) -> Vec<String> {
    if malformed.is_empty() {
        return Vec::new();
    }
    let examples: Vec<String> = malformed
        .iter()
        .take(REPORTED_EXAMPLES)
        .map(|(record, why)| format!("line {}: {why}", line_of(text, records[*record].start)))
        .collect();
    let action = match options.mode {
        ParseMode::DropMalformed => "they were left out (mode DROPMALFORMED)".to_string(),
        _ => format!(
            "their text is in column `{}` and their other fields are null (mode PERMISSIVE)",
            options.column_name_of_corrupt_record
        ),
    };
    vec![format!(
        "{} records are not JSON objects ({}); {action}",
        malformed.len(),
        examples.join("; ")
    )]
}

/// Refuses what is not UTF-8 text, as the CSV reader does.
fn check_text(text: &[u8]) -> Result<()> {
    if text.starts_with(&[0xFF, 0xFE]) || text.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::new(
            ErrorCode::JsonMalformed,
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark); Brasa reads \
             UTF-8 JSON: save it as UTF-8 and load it again",
        ));
    }
    if let Some(at) = memchr::memchr(0, &text[..text.len().min(TEXT_CHECK_BYTES)]) {
        return Err(Error::new(
            ErrorCode::JsonMalformed,
            format!(
                "the file has a NUL byte on line {}: it is binary or UTF-16/UTF-32 text, not \
                 UTF-8 JSON",
                line_of(text, at)
            ),
        ));
    }
    Ok(())
}
