//! One error type for the whole engine.
//!
//! Every error carries a stable [`ErrorCode`] (what the UI and tests match on) and a
//! message written for a person: what went wrong, where (row, column, byte offset when
//! known) and what to do about it. The wasm layer turns it into a JS `Error` with the
//! code attached.

use std::fmt;

use serde::Serialize;
use ts_rs::TS;

/// Stable machine-readable error codes; their string forms are part of the JS API. The
/// last few are raised by the page itself (its worker and its engine client), so that
/// the page's codes and the engine's form one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// A CSV file with nothing in it (or only a byte-order mark / blank lines).
    CsvEmpty,
    /// A quoted CSV field that is never closed.
    CsvUnterminatedQuote,
    /// A CSV row whose field count differs from the header (FAILFAST mode).
    CsvMalformedRow,
    /// The first record is longer than the sample the reader was given; the caller should
    /// retry with a larger sample.
    CsvRecordTooLong,
    /// A CSV option that cannot be used (e.g. a multi-byte delimiter).
    CsvBadOption,
    /// A file that is not UTF-8 text (UTF-16, or binary data with NUL bytes).
    CsvEncoding,
    /// A CSV file with more columns than `maxColumns`.
    CsvTooManyColumns,
    /// A CSV `schema` option that cannot be used: not valid DDL, a type the reader cannot
    /// read, or a number of columns different from the file's.
    CsvSchema,
    /// A CSV value that does not parse as the type the given schema says (FAILFAST mode).
    CsvBadValue,
    /// A Parquet file that cannot be decoded: bad magic, truncated, corrupt footer/page.
    ParquetCorrupt,
    /// A valid Parquet file using a feature the reader does not support.
    ParquetUnsupported,
    /// A compressed file (gzip, zstd, bzip2) whose data is truncated or damaged.
    CompressedCorrupt,
    /// An Arrow IPC file or stream (Feather) that cannot be decoded.
    ArrowCorrupt,
    /// A valid Arrow IPC file using a feature the reader does not support.
    ArrowUnsupported,
    /// A folder of partitioned files whose layout cannot be one table: partition folders
    /// that differ from file to file, an empty partition name or value, a partition column
    /// also stored in the files, or no data file at all.
    HiveLayout,
    /// The files of a partitioned folder do not have the same columns and types.
    HiveSchema,
    /// An Excel workbook (or OpenDocument spreadsheet) that cannot be read: truncated,
    /// damaged, or not a workbook at all although its name or first bytes say so.
    ExcelCorrupt,
    /// A valid workbook Brasa cannot read: password-protected (encrypted), or a sheet
    /// that is a chart rather than cells.
    ExcelUnsupported,
    /// A workbook with no worksheet, or a sheet with no values.
    ExcelEmpty,
    /// A sheet name or index that is not in the workbook.
    ExcelSheetNotFound,
    /// A JSON file with no records.
    JsonEmpty,
    /// A JSON file that cannot be read: a malformed record in FAILFAST mode, a multiLine
    /// document never closed, binary data.
    JsonMalformed,
    /// A JSON reader option that cannot be used: a schema (bad DDL, a corrupt-record
    /// column that is not a string), a date pattern, an encoding.
    JsonBadOption,
    /// A table name that is not in the catalog.
    TableNotFound,
    /// SQL that does not parse.
    SqlSyntax,
    /// SQL that parses but cannot run: unknown column, wrong types, misplaced aggregate.
    SqlAnalysis,
    /// SQL that is valid Spark SQL but that Brasa does not run yet.
    SqlUnsupported,
    /// An expression that failed on the data (e.g. an invalid regular expression).
    SqlExecution,
    /// Training input that cannot be used: a non-numeric feature, a NULL or NaN value
    /// with `handleInvalid = error`, no rows, an invalid parameter.
    MlInput,
    /// A linear system with no unique solution (collinear features without
    /// regularisation).
    MlSingular,
    /// A cleaning step that cannot run on this table: an unknown or mistyped column, a
    /// column with nothing to impute from, an unseen label with `handleInvalid = error`.
    CleanInput,
    /// A running job was cancelled.
    Cancelled,
    /// An argument outside its allowed range (e.g. a row window past the end).
    InvalidArgument,
    /// The work would not fit in the memory the engine may use.
    OutOfMemory,
    /// A bug in Brasa rather than in the input; the message says what broke.
    Internal,
    /// The engine died (a wasm trap, a panic, the worker crashed) and was restarted
    /// (raised by the page).
    EngineCrashed,
    /// A file the page cannot read: compressed, an archive, a format not supported yet
    /// (raised by the page; by the engine for a zip archive that is not a workbook).
    UnsupportedFile,
    /// A call made before the engine started (raised by the worker).
    NotStarted,
    /// A model that cannot be written as a Spark ML `PipelineModel` (an MLflow model):
    /// a cleaning step or estimator Spark's format cannot express yet (raised by the page,
    /// naming the step).
    ModelExport,
    /// A Spark ML model given to the page to import is not one Brasa can read: a file is
    /// missing or damaged, or a stage is not one Brasa supports (named in the message).
    ModelImport,
}

impl ErrorCode {
    /// The code as it appears on the JS `Error` (`err.code`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::CsvEmpty => "CSV_EMPTY",
            ErrorCode::CsvUnterminatedQuote => "CSV_UNTERMINATED_QUOTE",
            ErrorCode::CsvMalformedRow => "CSV_MALFORMED_ROW",
            ErrorCode::CsvRecordTooLong => "CSV_RECORD_TOO_LONG",
            ErrorCode::CsvBadOption => "CSV_BAD_OPTION",
            ErrorCode::CsvEncoding => "CSV_ENCODING",
            ErrorCode::CsvTooManyColumns => "CSV_TOO_MANY_COLUMNS",
            ErrorCode::CsvSchema => "CSV_SCHEMA",
            ErrorCode::CsvBadValue => "CSV_BAD_VALUE",
            ErrorCode::ParquetCorrupt => "PARQUET_CORRUPT",
            ErrorCode::ParquetUnsupported => "PARQUET_UNSUPPORTED",
            ErrorCode::CompressedCorrupt => "COMPRESSED_CORRUPT",
            ErrorCode::ArrowCorrupt => "ARROW_CORRUPT",
            ErrorCode::ArrowUnsupported => "ARROW_UNSUPPORTED",
            ErrorCode::HiveLayout => "HIVE_LAYOUT",
            ErrorCode::HiveSchema => "HIVE_SCHEMA",
            ErrorCode::ExcelCorrupt => "EXCEL_CORRUPT",
            ErrorCode::ExcelUnsupported => "EXCEL_UNSUPPORTED",
            ErrorCode::ExcelEmpty => "EXCEL_EMPTY",
            ErrorCode::ExcelSheetNotFound => "EXCEL_SHEET_NOT_FOUND",
            ErrorCode::JsonEmpty => "JSON_EMPTY",
            ErrorCode::JsonMalformed => "JSON_MALFORMED",
            ErrorCode::JsonBadOption => "JSON_BAD_OPTION",
            ErrorCode::TableNotFound => "TABLE_NOT_FOUND",
            ErrorCode::SqlSyntax => "SQL_SYNTAX",
            ErrorCode::SqlAnalysis => "SQL_ANALYSIS",
            ErrorCode::SqlUnsupported => "SQL_UNSUPPORTED",
            ErrorCode::SqlExecution => "SQL_EXECUTION",
            ErrorCode::MlInput => "ML_INPUT",
            ErrorCode::MlSingular => "ML_SINGULAR",
            ErrorCode::CleanInput => "CLEAN_INPUT",
            ErrorCode::Cancelled => "CANCELLED",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::OutOfMemory => "OUT_OF_MEMORY",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::EngineCrashed => "ENGINE_CRASHED",
            ErrorCode::UnsupportedFile => "UNSUPPORTED_FILE",
            ErrorCode::NotStarted => "NOT_STARTED",
            ErrorCode::ModelExport => "MODEL_EXPORT",
            ErrorCode::ModelImport => "MODEL_IMPORT",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the input an error was found. Rows are 1-based data rows (the header is not
/// counted), as a spreadsheet user would number them; positions are 1-based
/// `(line, column)` in a SQL query's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub row: Option<u64>,
    pub column: Option<String>,
    pub position: Option<(u64, u64)>,
    /// The 1-based step of a cleaning pipeline that failed.
    pub step: Option<u64>,
}

/// The engine's error: a code, a human message and, when known, a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    location: Location,
}

/// Result alias used across the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            location: Location::default(),
        }
    }

    /// Attaches the 1-based data row the error refers to.
    pub fn at_row(mut self, row: u64) -> Self {
        self.location.row = Some(row);
        self
    }

    /// Attaches the column the error refers to.
    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.location.column = Some(column.into());
        self
    }

    /// Attaches the `(line, column)` in a query's text the error refers to.
    pub fn at_position(mut self, line: u64, column: u64) -> Self {
        self.location.position = Some((line, column));
        self
    }

    /// Attaches the 1-based pipeline step the error happened in, and names it first in
    /// the message (`step 3 (imputer): ...`).
    pub fn in_step(mut self, step: u64, op: &str) -> Self {
        if self.location.step.is_none() {
            self.location.step = Some(step);
            self.message = format!("step {step} ({op}): {}", self.message);
        }
        self
    }

    /// Replaces the `(line, column)` position.
    pub fn relocate(mut self, line: u64, column: u64) -> Self {
        self.location.position = Some((line, column));
        self
    }

    /// Replaces the message, keeping the code and location.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// The message prefixed with the file it is about (`path: message`), as errors of one
    /// file of a folder are reported; the code and location kept.
    pub fn in_file(self, path: &str) -> Self {
        let message = format!("{path}: {}", self.message);
        self.with_message(message)
    }

    /// Shorthand for a cleaning step's input error.
    pub fn clean(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::CleanInput, message)
    }

    /// Shorthand for an analysis error (a query that cannot run as written).
    pub fn analysis(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::SqlAnalysis, message)
    }

    /// Shorthand for "not supported yet: <construct>".
    pub fn unsupported(construct: impl std::fmt::Display) -> Self {
        Error::new(
            ErrorCode::SqlUnsupported,
            format!("not supported yet: {construct}"),
        )
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Wraps an arrow error raised while building or converting arrays: with inputs
    /// already validated by our readers this is a bug, not bad data.
    pub fn internal(context: &str, err: impl fmt::Display) -> Self {
        Error::new(ErrorCode::Internal, format!("{context}: {err}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page reads codes from the serialised form (the generated `ErrorCode` type) and
    /// from `as_str` (the JS `Error`'s `code`): they must be the same strings.
    #[test]
    fn codes_serialise_as_their_js_names() {
        let all = [
            ErrorCode::CsvEmpty,
            ErrorCode::CsvUnterminatedQuote,
            ErrorCode::CsvMalformedRow,
            ErrorCode::CsvRecordTooLong,
            ErrorCode::CsvBadOption,
            ErrorCode::CsvEncoding,
            ErrorCode::CsvTooManyColumns,
            ErrorCode::CsvSchema,
            ErrorCode::CsvBadValue,
            ErrorCode::ParquetCorrupt,
            ErrorCode::ParquetUnsupported,
            ErrorCode::CompressedCorrupt,
            ErrorCode::JsonEmpty,
            ErrorCode::JsonMalformed,
            ErrorCode::JsonBadOption,
            ErrorCode::ExcelCorrupt,
            ErrorCode::ExcelUnsupported,
            ErrorCode::ExcelEmpty,
            ErrorCode::ExcelSheetNotFound,
            ErrorCode::ArrowCorrupt,
            ErrorCode::ArrowUnsupported,
            ErrorCode::HiveLayout,
            ErrorCode::HiveSchema,
            ErrorCode::TableNotFound,
            ErrorCode::SqlSyntax,
            ErrorCode::SqlAnalysis,
            ErrorCode::SqlUnsupported,
            ErrorCode::SqlExecution,
            ErrorCode::MlInput,
            ErrorCode::MlSingular,
            ErrorCode::CleanInput,
            ErrorCode::Cancelled,
            ErrorCode::InvalidArgument,
            ErrorCode::OutOfMemory,
            ErrorCode::Internal,
            ErrorCode::EngineCrashed,
            ErrorCode::UnsupportedFile,
            ErrorCode::NotStarted,
        ];
        for code in all {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
        }
    }
}
