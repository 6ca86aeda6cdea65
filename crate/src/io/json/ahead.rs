//! JSON records read while the file is still arriving. The page reads a big file in
//! slices, and copying a slice costs about as much as surveying it; when every record
//! waited for the last slice, that reading was paid before any work began. So complete
//! records (JSON lines, or the elements of a multiLine document's array) are grouped into
//! pieces as the text comes in, a few pieces at a time are surveyed, and they are decoded
//! with the schema the records so far give.
//!
//! Spark infers the schema from every record, so the pieces decoded early are kept only
//! when the whole file's schema turns out to be the one they were decoded with (the usual
//! case: a file's shapes nearly all appear in its first pieces); otherwise they are
//! decoded again once the schema is known. Either way the table is the one the whole
//! text read at once gives: the records are the same (`records::ArrayScan` finds an
//! array's elements in parts as it finds them whole), the pieces close in the same places
//! (`records::Pieces`), each survey and each decoding sees the same records.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use rayon::prelude::*;

use crate::error::Result;
use crate::io::csv::ParseMode;
use crate::io::json::decode::Decoding;
use crate::io::json::flat::{decode_fitting, Fits};
use crate::io::json::given::{DecodedPiece, GivenJsonSchema};
use crate::io::json::infer::JsonType;
use crate::io::json::line_sep::RecordEnd;
use crate::io::json::options::JsonOptions;
use crate::io::json::records::{piece_text_bytes, ArrayScan, Pieces};
use crate::io::json::schema::JsonSchema;
use crate::io::json::survey::{survey, survey_pieces, Survey, Surveying};
use crate::io::json::typing::Typing;
use crate::memory;

/// The records found so far, grouped into pieces, and the first pieces' surveys: what
/// reading a file's text gives, whether it came at once or in slices.
pub struct Found {
    pub records: Vec<Range<usize>>,
    pub pieces: Pieces,
    /// The surveys of the first closed pieces, in order.
    pub surveys: Vec<Survey>,
}

impl Found {
    pub fn new(piece_bytes: usize) -> Self {
        Found {
            records: Vec::new(),
            pieces: Pieces::new(piece_bytes),
            surveys: Vec::new(),
        }
    }

    /// Adds records found (after those already added).
    pub fn add(&mut self, records: impl IntoIterator<Item = Range<usize>>) {
        for record in records {
            self.pieces.add(self.records.len(), record.len());
            self.records.push(record);
        }
    }

    /// The text a piece's records span.
    fn text_bytes(&self, piece: &Range<usize>) -> usize {
        piece_text_bytes(&self.records, piece)
    }

    /// Closed pieces not surveyed yet.
    fn unsurveyed(&self) -> usize {
        self.pieces.closed().len() - self.surveys.len()
    }

    /// The closed pieces from number `first` on.
    fn closed_from(&self, first: usize) -> &[Range<usize>] {
        &self.pieces.closed()[first..]
    }

    /// Surveys the closed pieces not surveyed yet, in parallel.
    pub fn survey_closed(&mut self, text: &[u8], surveying: Surveying) {
        let first = self.surveys.len();
        let new = survey_pieces(
            text,
            &self.records,
            &self.pieces.closed()[first..],
            &surveying,
        );
        self.surveys.extend(new);
    }
}

/// Pieces decoded before the whole file's schema was known, with the schema used.
pub struct Decoded {
    pub schema: JsonSchema,
    /// What the schema's columns take as they are (`None`: not a flat schema), for
    /// pieces decoded as fitting it.
    fits: Option<Fits>,
    /// The number of the first piece decoded with `schema` (those before it were decoded
    /// with another, or not at all).
    first: usize,
    batches: Vec<Option<RecordBatch>>,
}

impl Decoded {
    /// Piece `piece`'s batch (`Some(None)`: decoded, and all its records were left out),
    /// if it was decoded.
    pub fn batch(&self, piece: usize) -> Option<&Option<RecordBatch>> {
        piece
            .checked_sub(self.first)
            .and_then(|at| self.batches.get(at))
    }
}

/// JSON records read as their text arrives: see the module's documentation.
pub struct RecordsAhead {
    finder: Finder,
    found: Found,
    /// The surveyed pieces' types merged, in order.
    merged: JsonType,
    any_malformed: bool,
    decoded: Option<Decoded>,
    /// False once an early decoding failed (the final one will say why, if it fails too).
    decoding: bool,
    /// Closed pieces that make a step worth a round of the pool.
    step_pieces: usize,
    /// With a schema given, closed pieces are decoded with it as they close, in order
    /// (no survey: the schema cannot change).
    given: Option<Arc<GivenJsonSchema>>,
    given_pieces: Vec<Result<DecodedPiece>>,
}

/// How the records are found in the text.
enum Finder {
    /// JSON lines, split up to `split_to` (just past a record's end: a `\n`, or a
    /// `lineSep`).
    Lines { split_to: usize, end: RecordEnd },
    /// The elements of a multiLine document's top-level array.
    Array(ArrayScan),
}

impl RecordsAhead {
    /// JSON lines from `from` (after a byte-order mark), each ending as `end` says, in
    /// pieces of `piece_bytes`, surveyed `step_pieces` or more at a time.
    pub fn lines(from: usize, end: RecordEnd, piece_bytes: usize, step_pieces: usize) -> Self {
        Self::new(
            Finder::Lines {
                split_to: from,
                end,
            },
            piece_bytes,
            step_pieces,
        )
    }

    /// The elements of the array whose `[` is at `open` (a multiLine document, with
    /// comments when Spark's `allowComments` is on), as [`RecordsAhead::lines`].
    pub fn array(open: usize, comments: bool, piece_bytes: usize, step_pieces: usize) -> Self {
        Self::new(
            Finder::Array(ArrayScan::new(open, comments)),
            piece_bytes,
            step_pieces,
        )
    }

    fn new(finder: Finder, piece_bytes: usize, step_pieces: usize) -> Self {
        RecordsAhead {
            finder,
            found: Found::new(piece_bytes),
            merged: JsonType::Null,
            any_malformed: false,
            decoded: None,
            decoding: true,
            step_pieces: step_pieces.max(1),
            given: None,
            given_pieces: Vec::new(),
        }
    }

    /// The same, each piece decoded with `given` as it closes instead of surveyed.
    pub fn with_given(mut self, given: Option<Arc<GivenJsonSchema>>) -> Self {
        self.given = given;
        self
    }

    /// Whether closed pieces are read before the end: always surveyed (decoded while the
    /// schema allows); decoded with a given schema while their batches fit.
    fn steps_ahead(&self) -> bool {
        self.given.is_none() || self.decoding
    }

    /// Closed pieces not read yet (surveyed, or decoded with the given schema).
    fn pending(&self) -> usize {
        match self.given {
            Some(_) => self.found.pieces.closed().len() - self.given_pieces.len(),
            None => self.found.unsurveyed(),
        }
    }

    /// Whether the records are JSON lines (else a multiLine document's elements).
    pub fn is_lines(&self) -> bool {
        matches!(self.finder, Finder::Lines { .. })
    }

    /// Takes the text's new complete records and, once enough pieces are closed, surveys
    /// and decodes them.
    pub fn advance(&mut self, text: &[u8], options: &JsonOptions) {
        match &mut self.finder {
            Finder::Lines { split_to, end } => {
                let Some(complete) = end.complete_to(text, *split_to) else {
                    return;
                };
                let from = std::mem::replace(split_to, complete);
                self.found.add(end.records(text, from..complete));
            }
            Finder::Array(scan) => {
                let mut records = Vec::new();
                scan.advance(text, &mut records);
                self.found.add(records);
            }
        }
        while self.steps_ahead() && self.pending() >= self.step_pieces {
            self.step(text, options);
        }
    }

    /// Decodes the closed pieces not decoded yet with the given schema, in parallel;
    /// stops reading ahead (the end decodes the rest) when their batches would not fit.
    fn step_given(&mut self, text: &[u8], given: &GivenJsonSchema) {
        let first = self.given_pieces.len();
        let pieces = self.found.closed_from(first);
        let bytes = pieces
            .iter()
            .map(|piece| self.found.text_bytes(piece))
            .sum();
        if memory::check(bytes, "decoding JSON records", "").is_err() {
            self.decoding = false;
            return;
        }
        let records = &self.found.records;
        let decoded: Vec<Result<DecodedPiece>> = pieces
            .par_iter()
            .map(|piece| given.decode(text, &records[piece.clone()]))
            .collect();
        self.given_pieces.extend(decoded);
    }

    /// Surveys and decodes closed pieces not surveyed yet. Once there is a schema, every
    /// such piece is first decoded as fitting it (`flat::decode_fitting`: one pass that is
    /// both its survey and its decoding, since its records add nothing to the schema);
    /// the others, and before there is a schema one step's pieces, are surveyed, their
    /// types merged, and decoded with the schema that gives.
    fn step(&mut self, text: &[u8], options: &JsonOptions) {
        if let Some(given) = self.given.clone() {
            return self.step_given(text, &given);
        }
        let first = self.found.surveys.len();
        let closed = self.found.pieces.closed().len();
        let fitting = self
            .decoded
            .as_ref()
            .filter(|_| self.decoding)
            .and_then(|d| Some((d.fits.as_ref()?, d.schema.arrow())));
        let end = match fitting {
            Some(_) => closed,
            None => closed.min(first + self.step_pieces),
        };
        let records = &self.found.records;
        let surveying = Surveying::of(options);
        // Decoding as fitting builds the pieces' batches: only with the memory for them.
        let fitting = fitting.filter(|_| {
            let bytes = self.found.pieces.closed()[first..end]
                .iter()
                .map(|piece| self.found.text_bytes(piece))
                .sum();
            memory::check(bytes, "decoding JSON records", "").is_ok()
        });
        let (surveys, fitted): (Vec<Survey>, Vec<Option<RecordBatch>>) = self.found.pieces.closed()
            [first..end]
            .par_iter()
            .map(|piece| {
                let records = &records[piece.clone()];
                let fitted =
                    fitting.and_then(|(fits, schema)| decode_fitting(text, records, schema, fits));
                match fitted {
                    Some(batch) => (Survey::of_fitting(batch.num_rows()), Some(batch)),
                    None => (survey(text, records, &surveying), None),
                }
            })
            .unzip();
        for survey in &surveys {
            self.any_malformed |= !survey.malformed.is_empty();
            if let Some(ty) = &survey.ty {
                self.merged = std::mem::replace(&mut self.merged, JsonType::Null).merge(ty.clone());
            }
        }
        self.found.surveys.extend(surveys);
        if self.decoding {
            self.decode_from(first, fitted, text, options);
        }
    }

    /// Decodes the pieces from number `first` on (those `fitted` already decoded with the
    /// schema before this step) with the schema the records so far give.
    fn decode_from(
        &mut self,
        first: usize,
        fitted: Vec<Option<RecordBatch>>,
        text: &[u8],
        options: &JsonOptions,
    ) {
        // Each piece's batch, once decoded (`Some(None)`: all its records left out).
        let mut slots: Vec<Option<Option<RecordBatch>>> =
            fitted.into_iter().map(|batch| batch.map(Some)).collect();
        let corrupt_column = (options.mode == ParseMode::Permissive && self.any_malformed)
            .then(|| options.column_name_of_corrupt_record.clone());
        let merged = self
            .merged
            .clone()
            .for_schema(options.drop_field_if_all_null);
        let Some(schema) = JsonSchema::inferred(merged, corrupt_column) else {
            self.decoded = None;
            return;
        };
        if self.decoded.as_ref().is_none_or(|d| d.schema != schema) {
            // The pieces fitted to the schema before are decoded again with this one.
            slots.iter_mut().for_each(|slot| *slot = None);
            self.decoded = Some(Decoded {
                // Under the typing options a value fits when the typing reads its text
                // as a type its column holds (a string column any string, a decimal
                // column a narrower decimal, a timestamp column a timestamp).
                fits: Fits::new(
                    &self.merged,
                    schema.arrow(),
                    &Typing::of_checked(options),
                    options.allow_non_numeric_numbers,
                ),
                schema,
                first,
                batches: Vec::new(),
            });
        }
        let Some(decoded) = &mut self.decoded else {
            return;
        };
        let pieces = &self.found.pieces.closed()[first..first + slots.len()];
        let to_decode: Vec<usize> = (0..pieces.len()).filter(|&i| slots[i].is_none()).collect();
        let bytes: usize = to_decode
            .iter()
            .map(|&i| self.found.text_bytes(&pieces[i]))
            .sum();
        let decoding = Decoding::new(
            text,
            &decoded.schema,
            matches!(self.finder, Finder::Lines { .. }),
            options,
        );
        let surveys = &self.found.surveys[first..];
        let records = &self.found.records;
        let surveying = Surveying::of(options);
        let batches = memory::check(bytes, "decoding JSON lines", "").and_then(|()| {
            to_decode
                .par_iter()
                .map(|&i| {
                    let records = &records[pieces[i].clone()];
                    let again = surveys[i].again_if_fitted(text, records, &surveying);
                    decoding.decode(records, again.as_ref().unwrap_or(&surveys[i]))
                })
                .collect::<Result<Vec<_>>>()
        });
        match batches {
            Ok(batches) => {
                for (i, batch) in to_decode.into_iter().zip(batches) {
                    slots[i] = Some(batch);
                }
                decoded.batches.extend(slots.into_iter().flatten());
            }
            Err(_) => {
                self.decoded = None;
                self.decoding = false;
            }
        }
    }

    /// The rest of the text (`text` whole): its last records added, the open piece
    /// closed. Returns the records found and the pieces decoded early; an error when a
    /// multiLine document's array is never closed or text follows it.
    pub fn finish(
        mut self,
        text: &[u8],
        options: &JsonOptions,
    ) -> Result<(Found, Option<Decoded>)> {
        self.complete(text)?;
        while self.found.unsurveyed() > 0 {
            self.step(text, options);
        }
        Ok((self.found, self.decoded))
    }

    /// The rest of the text, with a schema given: the records found and the first pieces'
    /// decodings (every piece's, unless reading ahead stopped for memory).
    pub fn finish_given(
        mut self,
        text: &[u8],
        options: &JsonOptions,
    ) -> Result<(Found, Vec<Result<DecodedPiece>>)> {
        self.complete(text)?;
        while self.steps_ahead() && self.pending() > 0 {
            self.step(text, options);
        }
        Ok((self.found, self.given_pieces))
    }

    /// Adds the last records and closes the open piece; an error when a multiLine
    /// document's array is never closed or text follows it.
    fn complete(&mut self, text: &[u8]) -> Result<()> {
        match &mut self.finder {
            Finder::Lines { split_to, end } => {
                self.found.add(end.records(text, *split_to..text.len()));
            }
            Finder::Array(scan) => {
                let mut records = Vec::new();
                scan.finish(text, &mut records)?;
                self.found.add(records);
            }
        }
        let records = self.found.records.len();
        self.found.pieces.close(records);
        Ok(())
    }

    /// Pieces decoded with the given schema so far.
    #[cfg(test)]
    pub fn decoded_given(&self) -> usize {
        self.given_pieces.len()
    }

    /// Records found so far.
    pub fn records(&self) -> usize {
        self.found.records.len()
    }
}
