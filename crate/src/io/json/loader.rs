//! Loading a JSON file: its text is gathered as it is read, its records found, the schema
//! inferred from all of them in parallel, and pieces of records decoded in parallel into
//! partitions. JSON lines and a multiLine document's array elements are surveyed and
//! decoded while the text still arrives (`ahead.rs`).

use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::compressed::ByteSink;
use crate::io::csv::{ParseMode, PARTITION_BYTES};
use crate::io::json::ahead::{Decoded, Found, RecordsAhead};
use crate::io::json::decode::Decoding;
use crate::io::json::given::{DecodedPiece, GivenJsonSchema};
use crate::io::json::infer::JsonType;
use crate::io::json::line_sep::RecordEnd;
use crate::io::json::options::JsonOptions;
use crate::io::json::records::{
    document, line_of, looks_multi_line, piece_text_bytes, without_bom,
};
use crate::io::json::sample::sampled_records;
use crate::io::json::scan::skip_space;
use crate::io::json::schema::{no_fields, JsonSchema};
use crate::io::json::survey::{merged_of, survey_pieces, Survey, Surveying};
use crate::io::json::transcode::Transcoder;
use crate::io::json::typing::Typing;
use crate::memory;

/// Malformed records named one by one in the load report.
const REPORTED_EXAMPLES: usize = 3;
/// Bytes at the start of the file looked at for signs that it is not text.
const TEXT_CHECK_BYTES: usize = 64 << 10;

/// A JSON file given in chunks, in order; the table is made by [`JsonLoader::finish`]
/// (Spark infers a JSON schema from every record, so no table can be made before the last
/// one is seen).
pub struct JsonLoader {
    options: JsonOptions,
    /// The schema the options give (read with it, no inference).
    given: Option<Arc<GivenJsonSchema>>,
    /// The file's bytes as UTF-8 text (Spark's `encoding`).
    input: Transcoder,
    /// Where records of JSON lines end (Spark's `lineSep`).
    record_end: RecordEnd,
    text: Vec<u8>,
    ahead: Ahead,
    /// Text per piece (a partition of the table, a task of each pass).
    piece_bytes: usize,
}

/// What is read before the last chunk is in.
enum Ahead {
    /// Not known yet how the records are found (the first line is not all in).
    Undecided,
    /// JSON lines, or the elements of a multiLine document's array, read as they arrive.
    Records(Box<RecordsAhead>),
    /// Nothing: a document that is not an array (one record), a file that does not start
    /// as text, or a loader told so.
    Off,
}

impl JsonLoader {
    /// `size_hint`: the file's size when known, so its text is gathered without copies.
    /// A schema the options give is checked here (`JSON_BAD_OPTION`).
    pub fn new(options: JsonOptions, size_hint: usize) -> Result<Self> {
        memory::check(
            size_hint.saturating_mul(2),
            "loading this JSON file",
            "load a smaller file, or drop other tables first",
        )?;
        let given = GivenJsonSchema::of(&options)?.map(Arc::new);
        // A separator ends records of JSON lines, so it makes the file JSON lines unless
        // told it is a document (read whole, the separator ignored, as in Spark).
        let record_end = RecordEnd::of(options.line_sep.as_deref())?;
        let mut options = options;
        if record_end.is_separator() && options.multi_line.is_none() {
            options.multi_line = Some(false);
        }
        // Checks the inference options (a `timestampFormat` that cannot be read).
        Typing::of(&options)?;
        // A sample's schema is known only once every line is in (the draws run over the
        // whole file), so nothing is read ahead.
        let ahead = match options.sample()? {
            Some(_) => Ahead::Off,
            None => Ahead::Undecided,
        };
        Ok(JsonLoader {
            input: Transcoder::new(options.encoding.as_deref())?,
            record_end,
            options,
            given,
            text: Vec::with_capacity(size_hint),
            ahead,
            piece_bytes: PARTITION_BYTES,
        })
    }

    /// Whether the options give the schema (then [`JsonLoader::finish`] reads with it,
    /// and a folder's files are each read with it, not surveyed).
    pub fn has_given_schema(&self) -> bool {
        self.given.is_some()
    }

    /// Reads nothing before the last chunk is in (every record then read at once, as
    /// before JSON lines were read as they arrived: the benchmark's passes, timed apart).
    pub fn reading_at_the_end(mut self) -> Self {
        self.ahead = Ahead::Off;
        self
    }

    /// Pieces of about `bytes` of text: many pieces from little text, for tests and
    /// fuzzing (the page's pieces are a partition's worth).
    pub fn with_piece_bytes(mut self, bytes: usize) -> Self {
        self.piece_bytes = bytes;
        self
    }

    /// Bytes of text read so far.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }

    /// Records found so far (none before the end in a document that is not an array).
    pub fn records_found(&self) -> usize {
        match &self.ahead {
            Ahead::Records(ahead) => ahead.records(),
            _ => 0,
        }
    }

    /// Reads the records and returns the table with the load's warnings.
    pub fn finish(self) -> Result<(Table, Vec<String>)> {
        if self.given.is_some() {
            return self.read_given();
        }
        let mut surveyed = self.survey()?;
        let schema = JsonSchema::inferred(
            surveyed.merged_type(),
            surveyed.corrupt_column().map(str::to_string),
        )
        .ok_or_else(|| no_fields("the file", surveyed.records(), surveyed.sample()))?;
        surveyed.decode(&schema)
    }

    /// The first pass: the records found and surveyed in parallel (types, malformed
    /// records), FAILFAST applied. The schema is left to the caller, so a folder's files
    /// can all be decoded with the one schema inferred over every file.
    pub fn survey(mut self) -> Result<SurveyedJson> {
        self.take_bytes(&[], true)?;
        let JsonLoader {
            options,
            text,
            ahead,
            piece_bytes,
            record_end,
            ..
        } = self;
        check_text(&text)?;
        let (multi_line, mut found, decoded) = match ahead {
            Ahead::Records(ahead) => {
                let multi_line = !ahead.is_lines();
                let (found, decoded) = ahead.finish(&text, &options)?;
                (multi_line, found, decoded)
            }
            Ahead::Undecided | Ahead::Off => {
                let (multi_line, found) = all_records(&text, &options, piece_bytes)?;
                (multi_line, found, None)
            }
        };
        let surveying = Surveying::of(&options);
        let sample = match options.sample()? {
            Some(ratio) => {
                let kept = sampled_records(&text, &found.records, multi_line, &record_end, ratio);
                Some(Sample { ratio, kept })
            }
            None => None,
        };
        let (surveys, malformed) = match &sample {
            None => {
                found.survey_closed(&text, surveying);
                let malformed = malformed_in(&found.surveys, found.pieces.closed(), |i| i);
                (std::mem::take(&mut found.surveys), malformed)
            }
            Some(sample) => {
                let mut sampled = Found::new(piece_bytes);
                sampled.add(sample.kept.iter().map(|&i| found.records[i].clone()));
                sampled.pieces.close(sample.kept.len());
                sampled.survey_closed(&text, surveying);
                let malformed = malformed_in(&sampled.surveys, sampled.pieces.closed(), |i| {
                    sample.kept[i]
                });
                (sampled.surveys, malformed)
            }
        };
        let Found {
            records, pieces, ..
        } = found;
        let pieces = pieces.into_closed();
        fail_fast(
            &text,
            &records,
            &malformed,
            "is not a JSON record",
            &options,
        )?;
        let surveyed = SurveyedJson {
            options,
            text,
            multi_line,
            records,
            pieces,
            surveys,
            malformed,
            decoded,
            sample,
        };
        // A value Spark refuses to type (a negative-scale decimal) fails the read, as in
        // Spark.
        if let Some((field, why)) = surveyed.merged_type().unreadable() {
            return Err(Error::new(
                ErrorCode::JsonBadOption,
                format!("field `{field}`: {why}"),
            ));
        }
        Ok(surveyed)
    }

    /// The records read with the schema the options give, each piece decoded once, in
    /// parallel (`given.rs`): as the text arrives (JSON lines, a multiLine array's
    /// elements), the rest when it is all in.
    fn read_given(mut self) -> Result<(Table, Vec<String>)> {
        self.take_bytes(&[], true)?;
        let JsonLoader {
            options,
            given,
            text,
            ahead,
            piece_bytes,
            ..
        } = self;
        let Some(given) = given else {
            return Err(Error::internal(
                "reading JSON with a schema",
                "no schema given",
            ));
        };
        check_text(&text)?;
        let (found, early) = match ahead {
            Ahead::Records(ahead) => ahead.finish_given(&text, &options)?,
            Ahead::Undecided | Ahead::Off => {
                (all_records(&text, &options, piece_bytes)?.1, Vec::new())
            }
        };
        let Found {
            records, pieces, ..
        } = found;
        let pieces = pieces.into_closed();
        let read = GivenRead {
            given: &given,
            options: &options,
            text: &text,
            records: &records,
            pieces: &pieces,
        };
        read.decode(early)
    }

    /// How the records are read as they arrive, once that can be told: the first line is
    /// all in (a multiLine document's first line leaves a value open) and is text.
    fn decide(&self) -> Ahead {
        let base = without_bom(&self.text);
        let rest = &self.text[base..];
        let comments = self.options.allow_comments;
        // Where the first value starts, once it can be told (a comment before it may still
        // be arriving).
        let start = skip_space(rest, 0, comments);
        if start == rest.len() {
            return Ahead::Undecided;
        }
        let multi_line = match self.options.multi_line {
            Some(multi_line) => multi_line,
            None if memchr::memchr(b'\n', &rest[start..]).is_none() => return Ahead::Undecided,
            None => looks_multi_line(rest, comments),
        };
        if check_text(&self.text).is_err() {
            return Ahead::Off;
        }
        // Two pieces per thread make a step: the pool's round is worth its wait.
        let step_pieces = 2 * rayon::current_num_threads();
        let ahead = if !multi_line {
            RecordsAhead::lines(base, self.record_end.clone(), self.piece_bytes, step_pieces)
        } else if rest[start] == b'[' {
            RecordsAhead::array(base + start, comments, self.piece_bytes, step_pieces)
        } else {
            return Ahead::Off;
        };
        Ahead::Records(Box::new(ahead.with_given(self.given.clone())))
    }

    /// Reads what the text so far allows.
    fn read_ahead(&mut self) {
        if matches!(self.ahead, Ahead::Undecided) {
            self.ahead = self.decide();
        }
        if let Ahead::Records(ahead) = &mut self.ahead {
            ahead.advance(&self.text, &self.options);
        }
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
    /// Pieces decoded while the text arrived, kept if their schema is the one given.
    decoded: Option<Decoded>,
    /// Spark's `samplingRatio` below 1: the records surveyed (the others are read with
    /// the schema the sample gives, as with a schema given).
    sample: Option<Sample>,
}

/// The records a schema is inferred from, at a `samplingRatio` below 1.
struct Sample {
    ratio: f64,
    /// Their numbers among all records, in order.
    kept: Vec<usize>,
}

impl SurveyedJson {
    /// The type of all the file's records merged, not yet made canonical (a folder merges
    /// its files' types first, as one file merges its pieces').
    pub fn merged_type(&self) -> JsonType {
        merged_of(&self.surveys, self.options.drop_field_if_all_null)
    }

    /// The column malformed records are kept in, when this file needs one (PERMISSIVE
    /// mode and some record malformed).
    pub fn corrupt_column(&self) -> Option<&str> {
        (self.options.mode == ParseMode::Permissive && !self.malformed.is_empty())
            .then_some(self.options.column_name_of_corrupt_record.as_str())
    }

    /// With a `samplingRatio` below 1: the records surveyed, and the ratio.
    pub fn sample(&self) -> Option<(usize, f64)> {
        self.sample.as_ref().map(|s| (s.kept.len(), s.ratio))
    }

    /// Records found (malformed ones included).
    pub fn records(&self) -> usize {
        self.records.len()
    }

    /// Bytes of text held.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }

    /// The second pass: the records decoded with `schema` in parallel pieces (those
    /// decoded early with the same schema kept), and the load's warnings (malformed
    /// records).
    pub fn decode(&mut self, schema: &JsonSchema) -> Result<(Table, Vec<String>)> {
        let Some(sample) = &self.sample else {
            return self.decode_surveyed(schema);
        };
        let note = format!(
            "the schema was inferred from {} of the {} records (samplingRatio {}, drawn as \
             Spark draws a file read as one partition)",
            sample.kept.len(),
            self.records.len(),
            sample.ratio
        );
        let (table, mut warnings) = match schema.nested_field() {
            None => {
                let given = GivenJsonSchema::of_inferred(schema, &self.options)?;
                let read = GivenRead {
                    given: &given,
                    options: &self.options,
                    text: &self.text,
                    records: &self.records,
                    pieces: &self.pieces,
                };
                read.decode(Vec::new())?
            }
            Some(nested) => {
                let nested = nested.to_string();
                self.survey_every_record_fitting(schema, &nested)?;
                self.decode_surveyed(schema)?
            }
        };
        warnings.insert(0, note);
        Ok((table, warnings))
    }

    /// A sample's schema with a nested field, for a file read with it: every record
    /// surveyed, so that the records are decoded as with the schema inferred from all of
    /// them — which they are when every record fits the sample's schema (Spark reads them
    /// so too). A record that does not fit would be read by Spark with partial results
    /// inside nested values, which Brasa reads only into flat columns: `JSON_BAD_OPTION`,
    /// saying so.
    fn survey_every_record_fitting(&mut self, schema: &JsonSchema, nested: &str) -> Result<()> {
        let surveying = Surveying::of(&self.options);
        let (text, records) = (&self.text[..], &self.records);
        let surveys = survey_pieces(text, records, &self.pieces, &surveying);
        let malformed = malformed_in(&surveys, &self.pieces, |i| i);
        fail_fast(
            text,
            records,
            &malformed,
            "is not a JSON record",
            &self.options,
        )?;
        let every = merged_of(&surveys, self.options.drop_field_if_all_null);
        let corrupt = schema.corrupt_column().map(str::to_string);
        let corrupt_unkept = !malformed.is_empty()
            && self.options.mode == ParseMode::Permissive
            && corrupt.is_none();
        let widened = JsonSchema::inferred(schema.root().clone().merge(every), corrupt);
        if corrupt_unkept || widened.as_ref() != Some(schema) {
            return Err(Error::new(
                ErrorCode::JsonBadOption,
                format!(
                    "the sample's schema has the nested field `{nested}`, and records the \
                     sample did not draw do not fit it (a value of another type, a field it \
                     lacks, or a malformed record with no column to keep it in); Spark reads \
                     those with partial results inside nested values, which Brasa does only \
                     for flat columns: set samplingRatio to 1 to infer the schema from every \
                     record"
                ),
            ));
        }
        self.surveys = surveys;
        self.malformed = malformed;
        Ok(())
    }

    /// The records decoded with `schema`, which their surveys fit.
    fn decode_surveyed(&mut self, schema: &JsonSchema) -> Result<(Table, Vec<String>)> {
        // Pieces decoded with another schema are let go before any is decoded again.
        if self.decoded.as_ref().is_some_and(|d| d.schema != *schema) {
            self.decoded = None;
        }
        let text = &self.text[..];
        let early = self.decoded.as_ref();
        let early_batch = |piece: usize| early.and_then(|d| d.batch(piece));
        let to_decode: usize = (0..self.pieces.len())
            .filter(|&piece| early_batch(piece).is_none())
            .map(|piece| self.piece_bytes(piece))
            .sum();
        memory::check(
            to_decode,
            "decoding this JSON file",
            "load a smaller file, or drop other tables first",
        )?;
        let decoding = Decoding::new(text, schema, !self.multi_line, &self.options);
        let surveying = Surveying::of(&self.options);
        let batches: Vec<RecordBatch> = self
            .pieces
            .par_iter()
            .zip(&self.surveys)
            .enumerate()
            .map(|(i, (piece, survey))| match early_batch(i) {
                Some(batch) => Ok(batch.clone()),
                None => {
                    let records = &self.records[piece.clone()];
                    let again = survey.again_if_fitted(text, records, &surveying);
                    decoding.decode(records, again.as_ref().unwrap_or(survey))
                }
            })
            // Every piece's result, so that of several failing pieces the first in the
            // file is the one reported, however the threads ran.
            .collect::<Vec<Result<_>>>()
            .into_iter()
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let warnings = warnings(text, &self.records, &self.malformed, &self.options);
        Ok((Table::try_new(schema.arrow().clone(), batches)?, warnings))
    }

    /// The text piece `piece`'s records span.
    fn piece_bytes(&self, piece: usize) -> usize {
        piece_text_bytes(&self.records, &self.pieces[piece])
    }
}

/// Every record of a file decoded with a given schema (or one a sample gave).
struct GivenRead<'a> {
    given: &'a GivenJsonSchema,
    options: &'a JsonOptions,
    text: &'a [u8],
    records: &'a [Range<usize>],
    pieces: &'a [Range<usize>],
}

impl GivenRead<'_> {
    /// The pieces decoded in parallel (those in `early` already decoded as the text
    /// arrived), FAILFAST applied, with the load's warnings.
    fn decode(&self, early: Vec<Result<DecodedPiece>>) -> Result<(Table, Vec<String>)> {
        let GivenRead {
            given,
            options,
            text,
            records,
            pieces,
        } = *self;
        let rest = &pieces[early.len()..];
        memory::check(
            rest.iter()
                .map(|piece| piece_text_bytes(records, piece))
                .sum(),
            "decoding this JSON file",
            "load a smaller file, or drop other tables first",
        )?;
        let late: Vec<Result<_>> = rest
            .par_iter()
            .map(|piece| given.decode(text, &records[piece.clone()]))
            .collect();
        // Every piece's result, so that of several failing pieces the first in the file is
        // the one reported, however the threads ran.
        let decoded = early.into_iter().chain(late).collect::<Result<Vec<_>>>()?;
        let mut batches = Vec::with_capacity(decoded.len());
        let mut malformed = Vec::new();
        for (piece, decoded) in pieces.iter().zip(decoded) {
            let starts_at = piece.start;
            malformed.extend(
                decoded
                    .malformed
                    .into_iter()
                    .map(|(i, why)| (starts_at + i, why)),
            );
            batches.extend(decoded.batch);
        }
        fail_fast(
            text,
            records,
            &malformed,
            "does not fit the schema",
            options,
        )?;
        let warnings = given_warnings(text, records, &malformed, options, given.keeps_corrupt());
        Ok((Table::try_new(given.arrow().clone(), batches)?, warnings))
    }
}

/// The malformed records the surveys of `pieces` found, numbered by `number` from their
/// index among the surveyed records.
fn malformed_in(
    surveys: &[Survey],
    pieces: &[Range<usize>],
    number: impl Fn(usize) -> usize,
) -> Vec<(usize, String)> {
    surveys
        .iter()
        .zip(pieces)
        .flat_map(|(s, p)| {
            s.malformed
                .iter()
                .map(|(i, why)| (number(p.start + i), why.clone()))
        })
        .collect()
}

impl ByteSink for JsonLoader {
    /// Gathers the text (decoded to UTF-8 first when the file is in another character
    /// set) and reads what it allows.
    fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.take_bytes(chunk, false)
    }
}

impl JsonLoader {
    /// The next bytes of the file (`last`: the file ended) through the transcoder.
    fn take_bytes(&mut self, bytes: &[u8], last: bool) -> Result<()> {
        let mut input = std::mem::replace(&mut self.input, Transcoder::Plain);
        let taken = input.push(bytes, last, &mut |text| self.append_text(text));
        self.input = input;
        taken
    }

    /// Appends text; growing it is checked first, since a failed allocation would abort
    /// the wasm engine (a compressed file's size is not known in advance).
    fn append_text(&mut self, chunk: &[u8]) -> Result<()> {
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
        self.read_ahead();
        Ok(())
    }
}

/// Reads a whole JSON file held in memory (tests and small files).
pub fn read_json(bytes: &[u8], options: &JsonOptions) -> Result<(Table, Vec<String>)> {
    let mut loader = JsonLoader::new(options.clone(), bytes.len())?;
    loader.push(bytes)?;
    loader.finish()
}

/// Every record of the whole text, grouped into closed pieces; whether the text is one
/// multiLine document.
fn all_records(text: &[u8], options: &JsonOptions, piece_bytes: usize) -> Result<(bool, Found)> {
    let base = without_bom(text);
    let multi_line = options
        .multi_line
        .unwrap_or_else(|| looks_multi_line(&text[base..], options.allow_comments));
    let records = if multi_line {
        document(text, base, options.allow_comments)?
    } else {
        RecordEnd::of(options.line_sep.as_deref())?.records(text, base..text.len())
    };
    let mut found = Found::new(piece_bytes);
    found.add(records);
    found.pieces.close(found.records.len());
    Ok((multi_line, found))
}

/// FAILFAST's error for the first of the `malformed` records (`is_not`: what is wrong with
/// such a record), when the mode is FAILFAST and there is one.
fn fail_fast(
    text: &[u8],
    records: &[Range<usize>],
    malformed: &[(usize, String)],
    is_not: &str,
    options: &JsonOptions,
) -> Result<()> {
    let (Some((record, why)), ParseMode::FailFast) = (malformed.first(), options.mode) else {
        return Ok(());
    };
    let line = line_of(text, records[*record].start);
    Err(Error::new(
        ErrorCode::JsonMalformed,
        format!(
            "line {line} {is_not} ({why}); fix it, or load with mode PERMISSIVE (kept as \
             text in `{}`) or DROPMALFORMED (left out)",
            options.column_name_of_corrupt_record
        ),
    )
    .at_row(line))
}

/// The first malformed records named by their lines.
fn examples(text: &[u8], records: &[Range<usize>], malformed: &[(usize, String)]) -> String {
    malformed
        .iter()
        .take(REPORTED_EXAMPLES)
        .map(|(record, why)| format!("line {}: {why}", line_of(text, records[*record].start)))
        .collect::<Vec<_>>()
        .join("; ")
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
        examples(text, records, malformed)
    )]
}

/// The warning of a read with a given schema: records whose values did not fit it.
fn given_warnings(
    text: &[u8],
    records: &[Range<usize>],
    malformed: &[(usize, String)],
    options: &JsonOptions,
    keeps_corrupt: bool,
) -> Vec<String> {
    if malformed.is_empty() {
        return Vec::new();
    }
    let action = match (options.mode, keeps_corrupt) {
        (ParseMode::DropMalformed, _) => "they were left out (mode DROPMALFORMED)".to_string(),
        (_, true) => format!(
            "what did not fit is null and their text is in column `{}` (mode PERMISSIVE)",
            options.column_name_of_corrupt_record
        ),
        (_, false) => format!(
            "what did not fit is null (mode PERMISSIVE; add `{} STRING` to the schema to \
             keep their text)",
            options.column_name_of_corrupt_record
        ),
    };
    vec![format!(
        "{} records do not fit the schema ({}); {action}",
        malformed.len(),
        examples(text, records, malformed)
    )]
}

/// Refuses what is not text, as the CSV reader does (the text is UTF-8 by now: a file
/// in another character set was decoded as it arrived, `transcode.rs`).
fn check_text(text: &[u8]) -> Result<()> {
    if let Some(at) = memchr::memchr(0, &text[..text.len().min(TEXT_CHECK_BYTES)]) {
        return Err(Error::new(
            ErrorCode::JsonMalformed,
            format!(
                "the file has a NUL byte on line {}: it is binary, or UTF-16/UTF-32 text \
                 without a byte-order mark; save it as UTF-8 (or UTF-16 with its mark), or \
                 read it with its `encoding`",
                line_of(text, at)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of this many bytes: dozens of them in a few kilobytes of text.
    const PIECE_BYTES: usize = 96;

    /// `text` pushed in chunks of `chunk` bytes (all at once for 0), read ahead or not.
    fn load(text: &str, options: &JsonOptions, chunk: usize, ahead: bool) -> JsonLoader {
        let mut loader = JsonLoader::new(options.clone(), 0)
            .unwrap()
            .with_piece_bytes(PIECE_BYTES);
        if !ahead {
            loader = loader.reading_at_the_end();
        }
        let bytes = text.as_bytes();
        for part in bytes.chunks(if chunk == 0 {
            bytes.len().max(1)
        } else {
            chunk
        }) {
            loader.push(part).unwrap();
        }
        loader
    }

    fn table_of(result: Result<(Table, Vec<String>)>) -> (Vec<RecordBatch>, Vec<String>) {
        let (table, warnings) = result.unwrap();
        (table.partitions().unwrap().into_owned(), warnings)
    }

    /// Reading ahead in chunks of any size gives the table (and warnings, or error) that
    /// reading the whole text at the end gives.
    fn same_as_at_the_end(text: &str, options: &JsonOptions) {
        let expected = load(text, options, 0, false).finish();
        for chunk in [0, 1, 7, 50, 333, 1000] {
            let got = load(text, options, chunk, true).finish();
            match (&expected, got) {
                (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
                (expected, got) => panic!("chunks of {chunk}: {expected:?} against {got:?}"),
            }
            if let Err(expected) = &expected {
                let got = load(text, options, chunk, true).finish().unwrap_err();
                assert_eq!(got.to_string(), expected.to_string(), "chunks of {chunk}");
                continue;
            }
            let expected = table_of(load(text, options, 0, false).finish());
            let got = table_of(load(text, options, chunk, true).finish());
            assert_eq!(got, expected, "chunks of {chunk}");
        }
    }

    fn records(n: usize, record: impl Fn(usize) -> String) -> String {
        (0..n).map(|i| record(i) + "\n").collect()
    }

    /// Empty strings (nulls to inference) in pieces decoded early as fitting, which a late
    /// record's mixed field makes be decoded again (found by fuzzing).
    #[test]
    fn fitted_pieces_with_empty_strings_decode_again_as_at_the_end() {
        let text = records(200, |i| match i {
            150 => r#"{"d": 2.5, "s": {"k": 1}}"#.to_string(),
            _ if i % 3 == 0 => format!(r#"{{"d": "", "n": "", "s": "s{i}"}}"#),
            _ => format!(r#"{{"d": {i}.5, "n": {i}, "s": "s{i}"}}"#),
        });
        same_as_at_the_end(&text, &JsonOptions::default());
    }

    /// A sample's schema and the table read with it are the same in pieces of any size,
    /// and the warnings say how many records it drew.
    #[test]
    fn a_sampled_read_is_the_same_in_pieces_of_any_size() {
        let text = records(300, |i| match i {
            // Not drawn at 0.3 (lines 2, 3, 6, 7, 11, 12, ... are): its string does not fit
            // the sample's `bigint`.
            0 => r#"{"id": 0, "n": "zero"}"#.to_string(),
            _ => format!(r#"{{"id": {i}, "n": {i}}}"#),
        });
        let options = JsonOptions {
            sampling_ratio: 0.3,
            ..JsonOptions::default()
        };
        let whole = read_json(text.as_bytes(), &options).unwrap();
        for piece_bytes in [20, 96, 4096] {
            let mut loader = JsonLoader::new(options.clone(), 0)
                .unwrap()
                .with_piece_bytes(piece_bytes);
            for chunk in text.as_bytes().chunks(77) {
                loader.push(chunk).unwrap();
            }
            let (table, warnings) = loader.finish().unwrap();
            let rows = |table: &Table| {
                let batches = table.partitions().unwrap().into_owned();
                arrow_select::concat::concat_batches(table.schema(), &batches).unwrap()
            };
            assert_eq!(
                rows(&table),
                rows(&whole.0),
                "pieces of {piece_bytes} bytes"
            );
            assert_eq!(warnings, whole.1);
        }
        let (table, warnings) = whole;
        assert_eq!(
            table.schema().field(1).data_type(),
            &arrow_schema::DataType::Int64
        );
        assert!(
            warnings[0].starts_with("the schema was inferred from "),
            "{warnings:?}"
        );
        assert!(warnings[0].contains(" of the 300 records (samplingRatio 0.3"));
    }

    /// A sample whose schema has a nested field is read when every record fits it (the
    /// table then is the one inferred from every record) and refused with what to do when
    /// one does not; a sample with no field at all, and a ratio of 0, are refused too.
    #[test]
    fn samples_that_cannot_be_read_say_why() {
        let nested = |first: &str| {
            records(50, |i| match i {
                0 => first.to_string(),
                _ => format!(r#"{{"id": {i}, "at": {{"x": {i}, "tags": ["t{i}"]}}}}"#),
            })
        };
        let sampled = |ratio: f64| JsonOptions {
            sampling_ratio: ratio,
            ..JsonOptions::default()
        };
        // Line 0 is not drawn at 0.5 (lines 2, 3, 6, 7, 8, 11, ... are).
        let fitting = nested(r#"{"id": 0, "at": {"x": 0, "tags": []}}"#);
        let (all, _) = read_json(fitting.as_bytes(), &JsonOptions::default()).unwrap();
        let (sample, warnings) = read_json(fitting.as_bytes(), &sampled(0.5)).unwrap();
        assert_eq!(sample.schema(), all.schema());
        assert_eq!(sample.window(0, 50).unwrap(), all.window(0, 50).unwrap());
        assert!(warnings[0].contains(" of the 50 records (samplingRatio 0.5"));
        let unfit = nested(r#"{"id": 0, "at": {"x": "zero"}}"#);
        let err = read_json(unfit.as_bytes(), &sampled(0.5)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonBadOption);
        assert!(err.message().contains("nested field `at`"), "{err}");
        // FAILFAST: a malformed record the sample did not draw stops the read at it, as
        // Spark's read does. (An open first line would make the file a multiLine document.)
        let failfast = JsonOptions {
            mode: ParseMode::FailFast,
            multi_line: Some(false),
            ..sampled(0.5)
        };
        let broken = nested(r#"{"id": 0, "at": "#);
        let err = read_json(broken.as_bytes(), &failfast).unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonMalformed, "{err}");
        assert!(err.message().contains("line 1"), "{err}");
        // Two records, neither drawn at 0.01.
        let err = read_json(b"{\"a\": 1}\n{\"a\": 2}\n", &sampled(0.01)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonEmpty);
        assert!(
            err.message().contains("drew 0 of the file's 2 records"),
            "{err}"
        );
        let err = JsonLoader::new(sampled(0.0), 0).err().unwrap();
        assert_eq!(err.code(), ErrorCode::JsonBadOption);
        assert!(err
            .message()
            .contains("samplingRatio (0) should be greater than 0"));
        // Above 0.99 every record counts.
        assert!(read_json(unfit.as_bytes(), &sampled(0.995)).is_ok());
    }

    /// Pieces decoded early as fitting the schema hold values read under the leniencies
    /// (`-INF`, `NaN`); when a later record changes the schema they are decoded again, from
    /// their records' standard rewrites (found by fuzzing: arrow-json was given `-INF`).
    #[test]
    fn fitted_pieces_with_non_numeric_values_decode_again_as_at_the_end() {
        let text = records(120, |i| match i {
            100 => r#"{"a": "late", "b": 1.5, "m": "text"}"#.to_string(),
            _ if i % 4 == 0 => format!(r#"{{"a": "w{i}", "b": -INF, "m": +INF}}"#),
            _ if i % 4 == 1 => format!(r#"{{"a": "x{i}", "b": NaN, "m": {i}.5}}"#),
            _ => format!(r#"{{"a": "y{i}", "b": {i}.25, "m": -Infinity}}"#),
        });
        same_as_at_the_end(&text, &JsonOptions::default());
    }

    #[test]
    fn json_lines_read_as_they_arrive_make_the_same_table() {
        let options = JsonOptions::default();
        // One shape throughout: the pieces decoded early are kept.
        let steady = records(200, |i| {
            format!(r#"{{"id": {i}, "name": "n{i}", "x": {i}.5}}"#)
        });
        same_as_at_the_end(&steady, &options);
        // The schema changes late: a field widens, a new one appears, one turns mixed.
        let late = records(200, |i| match i {
            150 => r#"{"id": 1.5, "name": "a"}"#.to_string(),
            170 => r#"{"id": 2, "extra": true, "name": "b"}"#.to_string(),
            190 => r#"{"id": 3, "name": {"first": "c"}}"#.to_string(),
            _ => format!(r#"{{"id": {i}, "name": "n{i}"}}"#),
        });
        same_as_at_the_end(&late, &options);
        // The last record changes it: the pieces decoded early are all decoded again.
        same_as_at_the_end(&format!("{steady}{{\"id\": 0.5, \"last\": 1}}\n"), &options);
        // A byte-order mark, carriage returns, blank lines and no final newline.
        let ragged = format!(
            "\u{feff}{}\r\n\n   \n{{\"id\": 7}}",
            records(60, |i| format!(r#"{{"id": {i}}}"#)).replace('\n', "\r\n")
        );
        same_as_at_the_end(&ragged, &options);
        // A multiLine document's array elements are read as they arrive too; a document
        // that is not an array is one record, read at the end.
        let document = format!(
            "[\n{}]",
            records(200, |i| match i {
                100 => "  12 oops ,".to_string(),
                199 => r#"{"id": 0.5, "more": [1]}"#.to_string(),
                _ => format!(r#"{{"id": {i}, "name": "n{i}"}},"#),
            })
        );
        same_as_at_the_end(&document, &options);
        same_as_at_the_end(&format!("{document}\n[1]"), &options);
        same_as_at_the_end(&document[..document.len() - 2], &options);
        same_as_at_the_end(&format!("{{\"a\":\n{}1}}", " ".repeat(500)), &options);
    }

    #[test]
    fn malformed_records_late_in_the_file_are_handled_as_at_the_end() {
        let text = records(200, |i| match i {
            120 => "not json".to_string(),
            _ => format!(r#"{{"id": {i}, "name": "n{i}"}}"#),
        });
        for mode in [
            ParseMode::Permissive,
            ParseMode::DropMalformed,
            ParseMode::FailFast,
        ] {
            same_as_at_the_end(
                &text,
                &JsonOptions {
                    mode,
                    ..JsonOptions::default()
                },
            );
        }
    }

    #[test]
    fn pieces_decoded_early_are_kept_when_the_schema_holds() {
        let text = records(300, |i| format!(r#"{{"id": {i}, "name": "n{i}"}}"#));
        let array = format!("[{}]", text.trim_end().replace('\n', ",\n"));
        for text in [&text, &array] {
            early_pieces_are_kept(text);
        }
    }

    /// A line that is an array of objects makes several rows; alone in its piece, its
    /// decoder's batch used to fill at its last object, before its `]`.
    #[test]
    fn a_record_that_is_an_array_of_objects_decodes_in_a_piece_of_its_own() {
        let text = "{\"a\": 1}\n[{\"a\": 2}, {\"a\": {\"x\": 3}}]\n[{\"a\": 4}, {\"b\": 5}]\n";
        let (whole, _) = read_json(text.as_bytes(), &JsonOptions::default()).unwrap();
        for ahead in [false, true] {
            let mut loader = JsonLoader::new(JsonOptions::default(), 0)
                .unwrap()
                .with_piece_bytes(8);
            if !ahead {
                loader = loader.reading_at_the_end();
            }
            loader.push(text.as_bytes()).unwrap();
            let (table, _) = loader.finish().unwrap();
            assert_eq!(table.num_rows(), 5);
            assert_eq!(
                table.window(0, 5).unwrap(),
                whole.window(0, 5).unwrap(),
                "ahead: {ahead}"
            );
        }
    }

    #[test]
    fn with_a_schema_given_pieces_are_decoded_as_the_text_arrives() {
        let text = records(300, |i| {
            format!(r#"{{"id": {i}, "name": "n{i}", "x": [{i}]}}"#)
        });
        let array = format!("[{}]", text.trim_end().replace('\n', ",\n"));
        let options = JsonOptions {
            schema: Some("name STRING, id INT, x STRING".to_string()),
            ..JsonOptions::default()
        };
        for text in [&text, &array] {
            let loader = load(text, &options, 500, true);
            let Ahead::Records(ahead) = &loader.ahead else {
                panic!("the records are read ahead")
            };
            assert!(ahead.decoded_given() > 10, "{}", ahead.decoded_given());
            let (table, warnings) = loader.finish().unwrap();
            let at_the_end = load(text, &options, 500, false).finish().unwrap();
            assert_eq!(table_of(Ok((table, warnings))), table_of(Ok(at_the_end)));
        }
    }

    fn early_pieces_are_kept(text: &str) {
        let loader = load(text, &JsonOptions::default(), 500, true);
        assert!(loader.records_found() > 250, "{}", loader.records_found());
        let mut surveyed = loader.survey().unwrap();
        let schema = JsonSchema::inferred(surveyed.merged_type(), None).unwrap();
        let decoded = surveyed.decoded.as_ref().expect("pieces decoded early");
        assert_eq!(decoded.schema, schema);
        // After the first step's surveys, the pieces were decoded as fitting the schema
        // (no survey of their own: no type).
        let fitted = surveyed.surveys.iter().filter(|s| s.ty.is_none()).count();
        assert!(
            fitted + 2 * rayon::current_num_threads() >= surveyed.surveys.len() && fitted > 10,
            "{fitted} of {} pieces fitted",
            surveyed.surveys.len()
        );
        assert!(decoded.batch(0).is_some() && decoded.batch(20).is_some());
        // A schema that differs (a folder's, say) decodes every piece again.
        let other = JsonSchema::inferred(
            surveyed.merged_type().merge(JsonType::Struct(
                [("more".to_string(), JsonType::Boolean)].into(),
            )),
            None,
        )
        .unwrap();
        let (table, _) = surveyed.decode(&other).unwrap();
        assert_eq!(table.num_rows(), 300, "{}", &text[..20]);
        assert_eq!(table.schema().fields().len(), 3);
    }
}
