//! Loading a CSV file chunk by chunk into a partitioned table.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, PrimitiveArray, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema, SchemaRef};
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::{compact, Table};
use crate::io::csv::decode::{DecodedColumn, PieceFields, Widening};
use crate::io::csv::dialect::detect_newline;
use crate::io::csv::infer::{column_types, infer_schema};
use crate::io::csv::input::InputFilter;
use crate::io::csv::options::{CsvOptions, ParseMode};
use crate::io::csv::schema::parse_ddl;
use crate::io::csv::split::{end_of_record, plan_pieces, quote_state_after};
use crate::io::csv::tokenize::Dialect;
use crate::io::csv::tokenize::{field_text, tokenize, InputEnd, Tokens, UnterminatedQuote};
use crate::io::csv::value_rules::ValueRules;
use crate::io::csv::values::ColumnType;
use crate::io::line_number::line_of;

/// Target size of one partition, in bytes of CSV text. Partitions are cut by size, never
/// by thread count, so a table (and everything computed from it) is the same whatever the
/// number of threads.
pub const PARTITION_BYTES: usize = 4 << 20;
/// Records of the file's head used to infer the schema.
const SAMPLE_ROWS: usize = 20_000;
/// Malformed rows named one by one in the load report.
const REPORTED_EXAMPLES: usize = 3;

/// Reads a CSV file given in chunks, in order, decoding each chunk's complete records in
/// parallel.
///
/// 1. [`CsvLoader::new`] takes the file's head (a megabyte is plenty) and settles the
///    dialect, header and schema;
/// 2. [`CsvLoader::refine_types`] may be given windows from further into the file so a
///    type that only shows up late (a `n/a` in row 900 000) is seen before loading;
/// 3. [`CsvLoader::push`] takes the whole file, head included, chunk by chunk;
/// 4. [`CsvLoader::finish`] decodes the last record and returns the table.
pub struct CsvLoader {
    dialect: Dialect,
    nulls: ValueRules,
    mode: ParseMode,
    names: Vec<String>,
    /// Types from the sample, then widened as chunks show wider values.
    types: Vec<ColumnType>,
    sampled: Vec<ColumnType>,
    /// Quoted fields with line breaks were seen: windows can't be aligned to records.
    multiline_fields: bool,
    /// Bytes of the stream still to skip (byte-order mark and header).
    skip: usize,
    /// Bytes after the last complete record, waiting for the next chunk.
    pending: Vec<u8>,
    parts: Vec<Part>,
    /// Records read so far, including malformed ones dropped: errors and warnings are
    /// numbered by it.
    records: u64,
    report: Report,
    /// The types come from the user's schema: values are never widened.
    given_types: bool,
    /// Decoding and comment dropping ahead of the reader, with its output buffer.
    filter: Option<InputFilter>,
    filtered: Vec<u8>,
    /// The options as given, with what detection settled filled in.
    used: CsvOptions,
    /// Bytes of string columns decoded so far, as text.
    string_bytes: usize,
    /// The partitions' low-cardinality string columns are stored compact as soon as
    /// they are decoded: the strings read so far passed
    /// [`COMPACT_BYTES`](crate::frame::compact::COMPACT_BYTES), so the table will be
    /// compact, and the load itself never holds more text than that.
    compacting: bool,
    /// The whole file's size when the reader knows it ([`CsvLoader::expect_bytes`]), until
    /// the load's memory has been estimated from the first partitions.
    expected_bytes: Option<u64>,
    /// Bytes of CSV text decoded so far.
    text_bytes: u64,
    /// Text decoded before the estimate ([`ESTIMATE_AFTER`]; less in tests).
    estimate_after: u64,
}

/// Text decoded before a load's memory is estimated from what it cost: 8 partitions,
/// enough for the cost per byte to settle, read in a fraction of a second.
const ESTIMATE_AFTER: u64 = 8 * PARTITION_BYTES as u64;

/// A decoded partition with the types it was decoded with.
struct Part {
    batch: RecordBatch,
    types: Vec<ColumnType>,
    /// Per column, the rows of an integer column written `-0` (see [`widen_part`]).
    negative_zeros: Vec<Vec<u32>>,
}

/// What a piece's decoding tells the load report; rows are 0-based within the piece.
struct PieceReport {
    records: usize,
    malformed: Vec<(usize, usize)>,
    malformed_count: usize,
    widenings: Vec<Widening>,
    invalid_utf8: Vec<(usize, usize)>,
    /// Values that did not parse as the given schema's type: column, count and the first
    /// one's row (0-based in the piece; `None` once rows were dropped) and text.
    bad_values: Vec<BadValues>,
}

struct BadValues {
    column: usize,
    count: usize,
    first_row: Option<usize>,
    first_value: String,
}

#[derive(Default)]
struct Report {
    malformed_count: u64,
    malformed_examples: Vec<(u64, usize)>,
    /// First widening of each column, with the 1-based data row that caused it.
    widenings: Vec<(u64, Widening)>,
    /// First row with invalid UTF-8, per column index.
    invalid_utf8: Vec<(usize, u64)>,
    /// Per column: values of the given schema's type that did not parse, with the first
    /// (1-based data row when known, text).
    bad_values: Vec<(usize, u64, Option<u64>, String)>,
}

impl CsvLoader {
    /// Settles dialect, header and schema from the start of the file. `head_is_file` says
    /// the head is the whole file (so its last record is complete even without a final
    /// line break).
    pub fn new(head: &[u8], head_is_file: bool, options: &CsvOptions) -> Result<Self> {
        let given = match &options.schema {
            Some(ddl) => parse_ddl(ddl)?,
            None => None,
        };
        let filter = InputFilter::new(options)?;
        let mut filtered_head = Vec::new();
        if let Some(mut head_filter) = InputFilter::new(options)? {
            head_filter.filter(head, head_is_file, &mut filtered_head)?;
        }
        let head = if filter.is_some() {
            &filtered_head[..]
        } else {
            head
        };
        let bom = if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let sample = &head[bom..];
        check_text(sample, filter.as_ref().is_some_and(InputFilter::decodes))?;
        if head_is_file && sample.iter().all(u8::is_ascii_whitespace) {
            return Err(empty_file());
        }
        let dialect = Dialect::resolve(options, sample)?;
        let end = if head_is_file {
            InputEnd::EndOfFile
        } else {
            InputEnd::Truncated
        };
        // An open quote is reported by the load itself, numbered in data rows; inference
        // uses the records before it.
        let tokens = tokenize(sample, &dialect, SAMPLE_ROWS, end).unwrap_or_else(|_| {
            tokenize(sample, &dialect, SAMPLE_ROWS, InputEnd::Truncated).unwrap_or_default()
        });
        if head_is_file && tokens.rows() == 0 {
            return Err(unterminated_quote(UnterminatedQuote { row: 0 }, 0));
        }
        // Without a complete record after the first, neither the header nor the types
        // can be told: the caller retries with a longer head.
        if !head_is_file && tokens.rows() < 2 {
            return Err(Error::new(
                ErrorCode::CsvRecordTooLong,
                format!(
                    "no record ends within the first {} of the file: a quote opened near the \
                     start is never closed, or this is not a CSV file with one record per line",
                    crate::memory::describe_bytes(head.len())
                ),
            ));
        }
        let nulls = ValueRules::new(&options.null_values)
            .with_special_doubles(
                &options.nan_value,
                &options.positive_inf,
                &options.negative_inf,
            )
            .with_empty_value(options.empty_value.as_deref())
            .with_date_formats(
                options.date_format.as_deref(),
                options.timestamp_format.as_deref(),
            )?;
        let mut schema = infer_schema(
            sample,
            &tokens,
            &dialect,
            &nulls,
            options.header,
            options.infer_schema,
        );
        if schema.names.len() > options.max_columns {
            return Err(Error::new(
                ErrorCode::CsvTooManyColumns,
                format!(
                    "the file has {} columns; Brasa reads at most {} (Spark's maxColumns \
                     default). Set maxColumns higher to read it, or select the columns you \
                     need before exporting",
                    schema.names.len(),
                    options.max_columns
                ),
            ));
        }
        if let Some(given) = &given {
            if given.names.len() != schema.names.len() {
                return Err(Error::new(
                    ErrorCode::CsvSchema,
                    format!(
                        "the schema has {} columns but the file's first record has {} fields \
                         (separator `{}`): give one `name TYPE` per column, in the file's order",
                        given.names.len(),
                        schema.names.len(),
                        (dialect.delimiter as char).escape_default()
                    ),
                ));
            }
            schema.names.clone_from(&given.names);
            schema.types.clone_from(&given.types);
        }
        let header_bytes = match (schema.has_header, tokens.rows()) {
            (false, _) => 0,
            (true, 1) => tokens.consumed(),
            (true, _) => tokens.row_start(1),
        };
        Ok(CsvLoader {
            multiline_fields: has_multiline_fields(sample, &tokens, &dialect),
            dialect,
            nulls,
            mode: options.mode,
            types: schema.types.clone(),
            sampled: schema.types,
            names: schema.names,
            skip: bom + header_bytes,
            pending: Vec::new(),
            parts: Vec::new(),
            records: 0,
            report: Report::default(),
            given_types: given.is_some(),
            filter,
            filtered: Vec::new(),
            used: CsvOptions {
                header: Some(schema.has_header),
                delimiter: Some(dialect.delimiter as char),
                ..options.clone()
            },
            string_bytes: 0,
            compacting: false,
            expected_bytes: None,
            text_bytes: 0,
            estimate_after: ESTIMATE_AFTER,
        })
    }

    /// The options of this load: those given, with the header and delimiter detection
    /// settled filled in.
    pub fn options_used(&self) -> &CsvOptions {
        &self.used
    }

    /// Widens the schema with the values of a window taken from further into the file
    /// (cut anywhere: its first and last partial records are ignored). Ignored when the
    /// file has quoted line breaks, since a window could then start inside a record.
    pub fn refine_types(&mut self, window: &[u8]) {
        if self.multiline_fields || self.given_types {
            return;
        }
        let mut filtered = Vec::new();
        let window = match &self.filter {
            None => window,
            Some(filter) => match filter.window() {
                Some(mut window_filter) => {
                    if window_filter.filter(window, false, &mut filtered).is_err() {
                        return;
                    }
                    &filtered[..]
                }
                None => return,
            },
        };
        let Some(first_break) = memchr::memchr(self.dialect.newline, window) else {
            return;
        };
        let records = &window[first_break + 1..];
        let Ok(tokens) = tokenize(records, &self.dialect, SAMPLE_ROWS, InputEnd::Truncated) else {
            return;
        };
        let seen = column_types(
            records,
            &tokens,
            &self.dialect,
            &self.nulls,
            self.width(),
            0,
        );
        for (ty, seen) in self.types.iter_mut().zip(seen) {
            *ty = ty.join(seen);
        }
        self.sampled.clone_from(&self.types);
    }

    /// The schema as inferred so far (final once loading is done, unless a value forces
    /// a column wider).
    pub fn schema(&self) -> SchemaRef {
        schema_of(&self.names, &self.types)
    }

    /// Tells the loader the whole file is `total` bytes: once its first partitions are
    /// decoded it estimates what the whole table will take from what they took per byte
    /// of text (compact string columns included when the table will be large enough to
    /// store them so, which it then starts doing at once), and refuses with
    /// `OUT_OF_MEMORY` a file that will not fit, after a fraction of a second of reading
    /// rather than halfway through.
    pub fn expect_bytes(&mut self, total: u64) {
        self.expected_bytes = Some(total);
    }

    /// The estimate of [`CsvLoader::expect_bytes`], once enough text has been decoded.
    fn check_estimate(&mut self) -> Result<()> {
        let Some(total) = self.expected_bytes else {
            return Ok(());
        };
        if self.text_bytes < self.estimate_after.min(total) || self.text_bytes == 0 {
            return Ok(());
        }
        self.expected_bytes = None;
        let scale = total as f64 / self.text_bytes as f64;
        // The table's strings will pass the threshold: store them compact from now on.
        if !self.compacting
            && compact::worth_compacting((self.string_bytes as f64 * scale) as usize)
        {
            self.start_compacting()?;
        }
        let held: usize = self
            .parts
            .iter()
            .map(|p| p.batch.get_array_memory_size())
            .sum();
        let table = held as f64 * scale;
        // Beside the table: the chunk being read and the partitions decoded from it.
        let in_flight = 4 * PARTITION_BYTES * rayon::current_num_threads().max(2);
        let needed = (table as usize).saturating_sub(held) + in_flight;
        crate::memory::check(
            needed,
            &format!(
                "loading this {} CSV file (its first {} took {} in memory)",
                crate::memory::describe_bytes(total as usize),
                crate::memory::describe_bytes(self.text_bytes as usize),
                crate::memory::describe_bytes(held)
            ),
            "drop some tables, or load part of the file (fewer rows or columns); \
             Parquet with fewer columns takes less",
        )
    }

    /// Stores every partition's low-cardinality string columns compact from now on.
    fn start_compacting(&mut self) -> Result<()> {
        self.compacting = true;
        self.parts
            .par_iter_mut()
            .map(|part| {
                part.batch = compact::compact_batch(&part.batch)?;
                Ok(())
            })
            .collect::<Result<()>>()
    }

    /// Data records decoded so far.
    pub fn rows(&self) -> u64 {
        self.parts.iter().map(|p| p.batch.num_rows() as u64).sum()
    }

    /// Feeds the next chunk of the file and decodes every record it completes.
    ///
    /// The chunk is decoded where it lies; only the record left unfinished by the previous
    /// chunk is copied, together with the first partition of this one, so it is decoded
    /// whole without making a partition of one row.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        let Some(filter) = &mut self.filter else {
            return self.push_text(chunk);
        };
        let mut filtered = std::mem::take(&mut self.filtered);
        let result = filter
            .filter(chunk, false, &mut filtered)
            .and_then(|()| self.push_text(&filtered));
        self.filtered = filtered;
        result
    }

    /// [`CsvLoader::push`] for bytes already decoded and without comments.
    fn push_text(&mut self, chunk: &[u8]) -> Result<()> {
        let skipped = self.skip.min(chunk.len());
        self.skip -= skipped;
        let chunk = &chunk[skipped..];
        let rest_start = if self.pending.is_empty() {
            0
        } else {
            let inside = quote_state_after(&self.pending, &self.dialect);
            match end_of_record(chunk, inside, &self.dialect) {
                Some(end) => end,
                None => {
                    self.pending.extend_from_slice(chunk);
                    return Ok(());
                }
            }
        };
        let rest = &chunk[rest_start..];
        let plan = plan_pieces(rest, &self.dialect, PARTITION_BYTES, false);
        let mut pieces: Vec<&[u8]> = plan.pieces.iter().map(|r| &rest[r.clone()]).collect();
        let mut stitched = std::mem::take(&mut self.pending);
        if !stitched.is_empty() {
            let first_piece = plan.pieces.first().map_or(0, |r| r.end);
            stitched.extend_from_slice(&chunk[..rest_start + first_piece]);
            if first_piece > 0 {
                pieces[0] = &stitched;
            } else {
                pieces.insert(0, &stitched);
            }
        }
        let result = self.decode_pieces(&pieces);
        self.pending = rest[plan.consumed..].to_vec();
        result
    }

    /// Decodes what is left and returns the table with the load's warnings.
    pub fn finish(mut self) -> Result<(Table, Vec<String>)> {
        if let Some(mut filter) = self.filter.take() {
            let mut rest = Vec::new();
            filter.filter(&[], true, &mut rest)?;
            self.push_text(&rest)?;
        }
        let pending = std::mem::take(&mut self.pending);
        let plan = plan_pieces(&pending, &self.dialect, PARTITION_BYTES, true);
        let pieces: Vec<&[u8]> = plan.pieces.iter().map(|r| &pending[r.clone()]).collect();
        self.decode_pieces(&pieces)?;
        drop(pending);

        let final_types: Vec<ColumnType> = (0..self.width())
            .map(|col| {
                self.parts
                    .iter()
                    .fold(self.types[col], |ty, part| ty.join(part.types[col]))
            })
            .collect();
        let schema = schema_of(&self.names, &final_types);
        let mut text_casts = vec![false; self.width()];
        let mut batches = Vec::with_capacity(self.parts.len());
        for part in std::mem::take(&mut self.parts) {
            batches.push(widen_part(part, &schema, &final_types, &mut text_casts)?);
        }
        let warnings = self.warnings(&final_types, &text_casts);
        Ok((Table::try_new(schema, batches)?, warnings))
    }

    fn width(&self) -> usize {
        self.names.len()
    }

    fn decode_pieces(&mut self, pieces: &[&[u8]]) -> Result<()> {
        let compacting = self.compacting;
        let decoded: Vec<Result<(Part, PieceReport, usize), PieceError>> = pieces
            .par_iter()
            .map(|piece| {
                let (mut part, report) = self.decode_piece(piece)?;
                let strings = compact::string_bytes(&part.batch);
                if compacting {
                    part.batch = compact::compact_batch(&part.batch).map_err(PieceError::Other)?;
                }
                Ok((part, report, strings))
            })
            .collect();
        for result in decoded {
            let (part, report, strings) =
                result.map_err(|e| e.numbered(self.records, self.width()))?;
            self.absorb(&part, report);
            self.string_bytes += strings;
            self.parts.push(part);
        }
        self.text_bytes += pieces.iter().map(|p| p.len() as u64).sum::<u64>();
        if !self.compacting && compact::worth_compacting(self.string_bytes) {
            self.start_compacting()?;
        }
        self.check_estimate()
    }

    fn decode_piece(&self, bytes: &[u8]) -> Result<(Part, PieceReport), PieceError> {
        let mut tokens = tokenize(bytes, &self.dialect, usize::MAX, InputEnd::EndOfFile)
            .map_err(|open| PieceError::UnterminatedQuote { row: open.row })?;
        let width = self.width();
        let records = tokens.rows();
        let malformed: Vec<usize> = (0..records)
            .filter(|&row| tokens.field_count(row) != width)
            .collect();
        if let (Some(&row), ParseMode::FailFast) = (malformed.first(), self.mode) {
            return Err(PieceError::Malformed {
                row,
                fields: tokens.field_count(row),
            });
        }
        let examples: Vec<(usize, usize)> = malformed
            .iter()
            .take(REPORTED_EXAMPLES)
            .map(|&row| (row, tokens.field_count(row)))
            .collect();
        if self.mode == ParseMode::DropMalformed && !malformed.is_empty() {
            let keep: Vec<bool> = (0..records)
                .map(|row| tokens.field_count(row) == width)
                .collect();
            tokens.retain_rows(|row| keep[row]);
        }
        let fields = PieceFields {
            bytes,
            tokens: &tokens,
            dialect: &self.dialect,
            nulls: &self.nulls,
        };
        let (columns, bad_values, keep) = if self.given_types {
            self.decode_given(
                &fields,
                self.mode == ParseMode::DropMalformed && !malformed.is_empty(),
            )?
        } else {
            let columns: Vec<DecodedColumn> = (0..width)
                .into_par_iter()
                .map(|col| fields.decode_column(col, self.types[col]))
                .collect::<Result<_>>()
                .map_err(PieceError::Other)?;
            (columns, Vec::new(), None)
        };
        let types: Vec<ColumnType> = columns.iter().map(|c| c.column_type).collect();
        let mut widenings = Vec::new();
        let mut invalid_utf8 = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(width);
        let mut negative_zeros = Vec::with_capacity(width);
        for (col, column) in columns.into_iter().enumerate() {
            if let Some(row) = column.invalid_utf8_row {
                invalid_utf8.push((col, row));
            }
            widenings.extend(column.widening);
            arrays.push(column.array);
            negative_zeros.push(column.negative_zeros);
        }
        let mut batch = RecordBatch::try_new_with_options(
            schema_of(&self.names, &types),
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(tokens.rows())),
        )
        .map_err(|e| PieceError::Other(Error::internal("assembling a CSV partition", e)))?;
        if let Some(keep) = keep {
            batch = arrow_select::filter::filter_record_batch(&batch, &keep).map_err(|e| {
                PieceError::Other(Error::internal("dropping rows with bad values", e))
            })?;
        }
        Ok((
            Part {
                batch,
                types,
                negative_zeros,
            },
            PieceReport {
                records,
                malformed_count: malformed.len(),
                malformed: examples,
                widenings,
                invalid_utf8,
                bad_values,
            },
        ))
    }

    /// Decodes every column with the type of the user's schema. Values that do not parse
    /// are null (PERMISSIVE), an error (FAILFAST) or drop their row (DROPMALFORMED: the
    /// mask of rows to keep is returned). `renumbered` says rows were already dropped, so
    /// row numbers within the piece no longer match the file's.
    #[allow(clippy::type_complexity)]
    fn decode_given(
        &self,
        fields: &PieceFields<'_>,
        renumbered: bool,
    ) -> Result<
        (
            Vec<DecodedColumn>,
            Vec<BadValues>,
            Option<arrow_array::BooleanArray>,
        ),
        PieceError,
    > {
        let decoded: Vec<(DecodedColumn, Vec<usize>)> = (0..self.width())
            .into_par_iter()
            .map(|col| fields.decode_fixed(col, self.types[col]))
            .collect::<Result<_>>()
            .map_err(PieceError::Other)?;
        let value_text = |row: usize, col: usize| {
            fields
                .tokens
                .field(row, col)
                .map(|(start, end)| {
                    let (text, _) = field_text(fields.bytes, start, end, fields.dialect);
                    String::from_utf8_lossy(&text).into_owned()
                })
                .unwrap_or_default()
        };
        if self.mode == ParseMode::FailFast {
            let first = decoded
                .iter()
                .enumerate()
                .filter_map(|(col, (_, rows))| rows.first().map(|&row| (row, col)))
                .min();
            if let Some((row, col)) = first {
                return Err(PieceError::BadValue {
                    row,
                    column: self.names[col].clone(),
                    type_name: self.types[col].name(),
                    value: value_text(row, col),
                });
            }
        }
        let bad_values: Vec<BadValues> = decoded
            .iter()
            .enumerate()
            .filter_map(|(col, (_, rows))| {
                let &first = rows.first()?;
                Some(BadValues {
                    column: col,
                    count: rows.len(),
                    first_row: (!renumbered).then_some(first),
                    first_value: value_text(first, col),
                })
            })
            .collect();
        let keep = (self.mode == ParseMode::DropMalformed && !bad_values.is_empty()).then(|| {
            let mut keep = vec![true; fields.tokens.rows()];
            for (_, rows) in &decoded {
                for &row in rows {
                    keep[row] = false;
                }
            }
            arrow_array::BooleanArray::from(keep)
        });
        let columns = decoded.into_iter().map(|(column, _)| column).collect();
        Ok((columns, bad_values, keep))
    }

    /// Folds a piece's report into the load's, numbering its rows in the whole file.
    fn absorb(&mut self, part: &Part, piece: PieceReport) {
        let base = self.records;
        let report = &mut self.report;
        report.malformed_count += piece.malformed_count as u64;
        for (row, found) in piece.malformed {
            if report.malformed_examples.len() < REPORTED_EXAMPLES {
                report
                    .malformed_examples
                    .push((base + row as u64 + 1, found));
            }
        }
        for widening in piece.widenings {
            if !report
                .widenings
                .iter()
                .any(|(_, w)| w.column == widening.column)
            {
                report
                    .widenings
                    .push((base + widening.misfit.row as u64 + 1, widening));
            }
        }
        for bad in piece.bad_values {
            let first_row = bad.first_row.map(|row| base + row as u64 + 1);
            match report
                .bad_values
                .iter_mut()
                .find(|(col, ..)| *col == bad.column)
            {
                Some(seen) => seen.1 += bad.count as u64,
                None => report.bad_values.push((
                    bad.column,
                    bad.count as u64,
                    first_row,
                    bad.first_value,
                )),
            }
        }
        for (col, row) in piece.invalid_utf8 {
            if !report.invalid_utf8.iter().any(|(c, _)| *c == col) {
                report.invalid_utf8.push((col, base + row as u64 + 1));
            }
        }
        for (ty, part_ty) in self.types.iter_mut().zip(&part.types) {
            *ty = ty.join(*part_ty);
        }
        self.records += piece.records as u64;
    }

    fn warnings(&self, final_types: &[ColumnType], text_casts: &[bool]) -> Vec<String> {
        let mut warnings = Vec::new();
        let report = &self.report;
        if report.malformed_count > 0 {
            let examples: Vec<String> = report
                .malformed_examples
                .iter()
                .map(|(row, found)| format!("row {row} has {found}"))
                .collect();
            let action = match self.mode {
                ParseMode::DropMalformed => "they were dropped (mode DROPMALFORMED)",
                _ => "missing fields were read as null and extra fields ignored (mode PERMISSIVE)",
            };
            warnings.push(format!(
                "{} rows do not have the header's {} fields ({}); {action}",
                report.malformed_count,
                self.width(),
                examples.join(", ")
            ));
        }
        let mut widenings = report.widenings.clone();
        widenings.sort_by_key(|(_, w)| w.column);
        for (row, widening) in widenings {
            let col = widening.column;
            let mut text = format!(
                "column `{}` looked like {} in the sample, but row {row} holds `{}`: it was read as {}",
                self.names[col],
                self.sampled[col].name(),
                String::from_utf8_lossy(&widening.misfit.value),
                final_types[col].name()
            );
            if text_casts[col] {
                text.push_str(
                    "; values of earlier rows were parsed first and turned back into text, \
                     so their formatting may differ from the file (e.g. `007` → `7`)",
                );
            }
            warnings.push(text);
        }
        let mut bad_values: Vec<_> = report.bad_values.iter().collect();
        bad_values.sort_by_key(|(col, ..)| *col);
        for (col, count, first_row, value) in bad_values {
            let at = first_row.map_or(String::new(), |row| format!(" at row {row}"));
            let action = match self.mode {
                ParseMode::DropMalformed => "their rows were dropped (mode DROPMALFORMED)",
                _ => "they were read as NULL (mode PERMISSIVE)",
            };
            warnings.push(format!(
                "{count} values of column `{}` do not parse as {} (the first is `{value}`{at}); \
                 {action}",
                self.names[*col],
                final_types[*col].name()
            ));
        }
        for (col, row) in &report.invalid_utf8 {
            warnings.push(format!(
                "column `{}` has bytes that are not valid UTF-8 (first at row {row}); they \
                 were replaced with U+FFFD (�)",
                self.names[*col]
            ));
        }
        warnings
    }
}

/// Reads a whole CSV file held in memory (tests, benchmarks and small files).
pub fn read_csv(bytes: &[u8], options: &CsvOptions) -> Result<(Table, Vec<String>)> {
    let mut loader = CsvLoader::new(bytes, true, options)?;
    loader.push(bytes)?;
    loader.finish()
}

fn schema_of(names: &[String], types: &[ColumnType]) -> SchemaRef {
    Arc::new(Schema::new(
        names
            .iter()
            .zip(types)
            .map(|(name, ty)| Field::new(name, ty.data_type(), true))
            .collect::<Vec<_>>(),
    ))
}

/// Casts the columns of a part decoded with narrower types to the table's final types.
/// Marks in `text_casts` the columns where typed values had to be turned back into text.
fn widen_part(
    part: Part,
    schema: &SchemaRef,
    final_types: &[ColumnType],
    text_casts: &mut [bool],
) -> Result<RecordBatch> {
    if part.types == final_types {
        return compact::stored_batch(schema, part.batch.columns().to_vec(), part.batch.num_rows());
    }
    let mut columns = Vec::with_capacity(final_types.len());
    for (col, array) in part.batch.columns().iter().enumerate() {
        let (from, to) = (part.types[col], final_types[col]);
        if from.data_type() == to.data_type() {
            columns.push(Arc::clone(array));
            continue;
        }
        if to == ColumnType::Utf8 {
            text_casts[col] = true;
        }
        let cast = arrow_cast::cast(array, &to.data_type())
            .map_err(|e| Error::internal("widening a CSV column", e))?;
        let negative_zeros = &part.negative_zeros[col];
        columns.push(match cast.as_primitive_opt::<Float64Type>() {
            Some(doubles) if !negative_zeros.is_empty() => {
                with_negative_zeros(doubles, negative_zeros)
            }
            _ => cast,
        });
    }
    compact::stored_batch(schema, columns, part.batch.num_rows())
}

/// An integer column widened to `double`, its `-0` values -0.0 as reading them as doubles
/// gives (the cast made them 0.0).
fn with_negative_zeros(doubles: &PrimitiveArray<Float64Type>, rows: &[u32]) -> ArrayRef {
    let mut values = doubles.values().to_vec();
    for &row in rows {
        values[row as usize] = -0.0;
    }
    Arc::new(PrimitiveArray::<Float64Type>::new(
        values.into(),
        doubles.nulls().cloned(),
    ))
}

/// Bytes at the start of a file looked at for signs that it is not text.
const TEXT_CHECK_BYTES: usize = 64 << 10;

/// Refuses what is not UTF-8 text: UTF-16 (its byte-order mark) and anything with a NUL
/// byte (images, archives, spreadsheets, UTF-16 or UTF-32 text without a mark). Decoding
/// those as CSV would make a table of garbage instead of saying what is wrong.
fn check_text(head: &[u8], decoded: bool) -> Result<()> {
    if !decoded && (head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])) {
        return Err(Error::new(
            ErrorCode::CsvEncoding,
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark); load it with \
             the encoding option set to UTF-16LE (or UTF-16BE), or save it as \"CSV UTF-8\"",
        ));
    }
    if let Some(at) = memchr::memchr(0, &head[..head.len().min(TEXT_CHECK_BYTES)]) {
        let line = line_of(head, at, detect_newline(head));
        return Err(Error::new(
            ErrorCode::CsvEncoding,
            format!(
                "the file has a NUL byte on line {line}: it is binary (an image, an archive, a \
                 spreadsheet?) or UTF-16/UTF-32 text, not a UTF-8 CSV file; if it is text, save \
                 it as UTF-8 or load it with the encoding option set to its character set"
            ),
        ));
    }
    Ok(())
}

fn empty_file() -> Error {
    Error::new(
        ErrorCode::CsvEmpty,
        "the file has no records: it is empty or holds only blank lines",
    )
}

/// Why a piece could not be decoded. Pieces are decoded in parallel, before the number of
/// records ahead of them is known, so row errors are numbered within the piece until
/// [`PieceError::numbered`] places them in the file.
enum PieceError {
    UnterminatedQuote {
        row: usize,
    },
    /// A row without the header's number of fields, in FAILFAST mode.
    Malformed {
        row: usize,
        fields: usize,
    },
    /// A value that does not parse as the given schema's type, in FAILFAST mode.
    BadValue {
        row: usize,
        column: String,
        type_name: &'static str,
        value: String,
    },
    Other(Error),
}

impl PieceError {
    /// The error with its row numbered in the whole file (`rows_before` records precede
    /// the piece; the table has `width` columns).
    fn numbered(self, rows_before: u64, width: usize) -> Error {
        match self {
            PieceError::UnterminatedQuote { row } => {
                unterminated_quote(UnterminatedQuote { row }, rows_before)
            }
            PieceError::Malformed { row, fields } => {
                let row = rows_before + row as u64 + 1;
                Error::new(
                    ErrorCode::CsvMalformedRow,
                    format!(
                        "row {row} has {fields} fields but the header has {width}; fix the row, \
                         or load with mode PERMISSIVE (missing fields become null) or \
                         DROPMALFORMED"
                    ),
                )
                .at_row(row)
            }
            PieceError::BadValue {
                row,
                column,
                type_name,
                value,
            } => {
                let row = rows_before + row as u64 + 1;
                Error::new(
                    ErrorCode::CsvBadValue,
                    format!(
                        "row {row}, column `{column}`: `{value}` is not a valid {type_name} (the \
                         schema's type); fix the value, change the column's type, or load with \
                         mode PERMISSIVE (it becomes NULL) or DROPMALFORMED"
                    ),
                )
                .at_row(row)
                .in_column(column)
            }
            PieceError::Other(error) => error,
        }
    }
}

fn unterminated_quote(open: UnterminatedQuote, rows_before: u64) -> Error {
    let row = rows_before + open.row as u64 + 1;
    Error::new(
        ErrorCode::CsvUnterminatedQuote,
        format!(
            "row {row} opens a quoted field that is never closed (the file ends inside \
             quotes); if quotes are ordinary characters in this file, turn quoting off"
        ),
    )
    .at_row(row)
}

fn has_multiline_fields(sample: &[u8], tokens: &Tokens, dialect: &Dialect) -> bool {
    dialect.quote.is_some()
        && (0..tokens.rows()).any(|row| {
            (0..tokens.field_count(row)).any(|col| {
                let (start, end) = tokens.field(row, col).expect("col < field_count");
                let (text, _) = field_text(sample, start, end, dialect);
                memchr::memchr2(b'\n', b'\r', &text).is_some()
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_select::concat::concat_batches;

    /// 120 000 rows (2.8 MB, one partition per 1 MB chunk): a key column with NULLs, a free-text
    /// column, and a column of numbers until a late `n/a` makes it text.
    fn text() -> Vec<u8> {
        let mut text = b"id,region,note,code\n".to_vec();
        let regions = ["north", "", "south", "far east"];
        for i in 0..120_000 {
            let code = if i == 110_000 {
                "n/a".to_string()
            } else {
                (i % 13).to_string()
            };
            text.extend(
                format!("{i},{},note {i},{code}\n", regions[(i * 7 + i / 5) % 4]).as_bytes(),
            );
        }
        text
    }

    fn load(text: &[u8], start: impl Fn(&mut CsvLoader)) -> (Table, Vec<String>) {
        let options = CsvOptions::default();
        let mut loader = CsvLoader::new(&text[..1 << 20], false, &options).unwrap();
        start(&mut loader);
        for chunk in text.chunks(1 << 20) {
            loader.push(chunk).unwrap();
        }
        loader.finish().unwrap()
    }

    fn rows(table: &Table) -> RecordBatch {
        concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap()
    }

    #[test]
    fn a_load_that_compacts_as_it_goes_reads_the_same_table() {
        let text = text();
        let (plain, plain_warnings) = load(&text, |_| {});
        assert!(!plain.is_compact());
        // From the first partition, and from the middle of the load (the strings read
        // so far pass the threshold after the first chunk).
        for start in [
            (|l: &mut CsvLoader| l.compacting = true) as fn(&mut CsvLoader),
            |l: &mut CsvLoader| l.string_bytes = compact::COMPACT_BYTES - 1000,
        ] {
            let (table, warnings) = load(&text, start);
            assert!(table.is_compact());
            assert_eq!(warnings, plain_warnings);
            assert_eq!(table.schema(), plain.schema());
            assert_eq!(rows(&table), rows(&plain));
            assert!(table.memory_size() < plain.memory_size());
            // `region` is compact everywhere, `note` nowhere (too many values).
            for batch in table.stored_partitions() {
                assert!(compact::is_compact(batch.column(1).as_ref()));
                assert!(!compact::is_compact(batch.column(2).as_ref()));
            }
            let registered = table.with_key_codes();
            assert!(registered
                .stored_partitions()
                .iter()
                .all(|b| compact::is_compact(b.column(3).as_ref())));
            assert_eq!(rows(&registered), rows(&plain));
        }
    }

    #[test]
    fn a_loads_memory_is_estimated_from_its_first_partitions() {
        let text = text();
        let (plain, _) = load(&text, |_| {});
        let expecting = |total: u64| {
            move |l: &mut CsvLoader| {
                l.expect_bytes(total);
                l.estimate_after = 1 << 20;
            }
        };
        // The real size: the same table, plain (its strings are far below the threshold).
        let (table, _) = load(&text, expecting(text.len() as u64));
        assert!(!table.is_compact());
        assert_eq!(rows(&table), rows(&plain));
        // Said to be 400 times bigger (2 GB): its strings would pass the threshold, so it
        // is stored compact from the first estimate, and it fits.
        let (table, _) = load(&text, expecting(400 * text.len() as u64));
        assert!(table.is_compact());
        assert_eq!(rows(&table), rows(&plain));
        // 11 GB cannot fit in 4 GB, even compact: refused after the first partitions.
        let options = CsvOptions::default();
        let mut loader = CsvLoader::new(&text[..1 << 20], false, &options).unwrap();
        expecting(4000 * text.len() as u64)(&mut loader);
        let err = text
            .chunks(1 << 20)
            .try_for_each(|chunk| loader.push(chunk))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::OutOfMemory);
        assert!(
            err.message()
                .starts_with("loading this 11.2 GB CSV file (its first 2.0 MB took "),
            "{}",
            err.message()
        );
        assert!(loader.rows() < 120_000);
    }

    #[test]
    fn a_nul_byte_is_refused_naming_its_line() {
        for (text, line) in [
            (&b"id,name\n1,a\n2,b\x00\n"[..], 3),
            (b"id,name\r\n1,a\x00\r\n", 2),
            (b"id,name\r1,a\r2,b\r3,\x00\r", 4),
            (b"\xEF\xBB\xBF\x00", 1),
        ] {
            let err = read_csv(text, &CsvOptions::default()).unwrap_err();
            assert_eq!(err.code(), ErrorCode::CsvEncoding);
            assert!(
                err.message()
                    .starts_with(&format!("the file has a NUL byte on line {line}:")),
                "{}",
                err.message()
            );
        }
    }
}
