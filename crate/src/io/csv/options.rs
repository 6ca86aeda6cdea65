//! The options a user can set when reading a CSV file, named as in Spark's
//! `spark.read.csv(...)` where Spark has the option.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What to do with a row whose number of fields differs from the header (Spark's `mode`,
/// spelt as Spark spells it: `PERMISSIVE`, `DROPMALFORMED`, `FAILFAST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum ParseMode {
    /// Keep the row: missing fields become null, extra fields are ignored (Spark's
    /// default). The load report says how many rows were affected and where.
    #[default]
    Permissive,
    /// Leave the row out; the load report counts the rows dropped.
    DropMalformed,
    /// Stop at the first such row with an error naming it.
    FailFast,
}

/// Options for reading a CSV file. Every field has a default, so `{}` is a valid value.
/// Serialized back, with what detection chose filled in, as the options a load used
/// (`CsvLoader::options_used`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Whether the first record is a header; `None` detects it from the data.
    pub header: Option<bool>,
    /// Field separator; `None` detects one of `,` `;` tab `|` from the data.
    pub delimiter: Option<char>,
    /// Quote character; `Some('\0')` is not allowed, use `quoting: false` for none.
    pub quote: char,
    /// `false` reads quote characters as ordinary characters.
    pub quoting: bool,
    /// Spark's `multiLine`: a line break inside quotes is part of the field (`true`, ours
    /// by default, as spreadsheets and pandas write such cells), or every line is a
    /// record (`false`, Spark's default: a quote still open at the end of a line is closed
    /// by it, and the next line is the next record).
    pub multi_line: bool,
    /// Unquoted field values that mean null. Spark's default is only the empty string;
    /// ours adds the usual spellings found in exported files.
    pub null_values: Vec<String>,
    /// Infer column types from the data (Spark's `inferSchema`); `false` reads strings.
    pub infer_schema: bool,
    pub mode: ParseMode,
    /// Most columns a file may have (Spark's `maxColumns`, default 20,480): a file with
    /// more is refused rather than loaded into a table nobody can look at.
    pub max_columns: usize,
    /// Lines whose first character is this one are skipped (Spark's `comment`; off by
    /// default). A line inside a quoted multi-line field is skipped too when it starts with
    /// it: the lines are dropped before the file is split into records.
    pub comment: Option<char>,
    /// The character that escapes a quote inside a quoted field (Spark's `escape`). Ours
    /// defaults to the quote itself: `""` inside quotes is one `"` (RFC 4180, what Excel and
    /// most exporters write), where Spark's default is `\`. Any other character `e` makes
    /// `e"` a literal quote and `ee` a literal `e` inside quoted fields; a doubled quote
    /// still reads as one quote.
    pub escape: char,
    /// Trim spaces and control characters before each value, quoted or not (Spark's
    /// `ignoreLeadingWhiteSpace`, `false` when reading).
    pub ignore_leading_white_space: bool,
    /// Trim spaces and control characters after each value (Spark's
    /// `ignoreTrailingWhiteSpace`). Numbers, dates and booleans are read trimmed anyway.
    pub ignore_trailing_white_space: bool,
    /// The text that means NaN in a `double` column (Spark's `nanValue`, default `NaN`).
    pub nan_value: String,
    /// The text that means +∞ in a `double` column (Spark's `positiveInf`, default `Inf`;
    /// `Infinity` is read as Java reads it whatever this says).
    pub positive_inf: String,
    /// The text that means −∞ in a `double` column (Spark's `negativeInf`, default `-Inf`).
    pub negative_inf: String,
    /// The text a quoted empty field (`""`) reads as (Spark's `emptyValue`); `None`
    /// reads it as an empty string (NULL in a typed column).
    pub empty_value: Option<String>,
    /// The character that ends a record (Spark's `lineSep`: one character, or `\r\n`);
    /// `None` reads `\n`, `\r\n` and, in a file without `\n`, `\r`.
    pub line_sep: Option<String>,
    /// The file's character set (Spark's `encoding`): `UTF-8` by default; `UTF-16LE`,
    /// `UTF-16BE`, `ISO-8859-1` / `latin1` (read as windows-1252, which agrees with it on
    /// every printable character), `windows-1252` and the other WHATWG labels.
    pub encoding: String,
    /// The columns as Spark DDL (`id INT, name STRING, amount DOUBLE, d DATE`): replaces
    /// inference (Spark's `schema`). A value that does not parse as its column's type is
    /// NULL (PERMISSIVE), drops its row (DROPMALFORMED) or stops the load (FAILFAST).
    pub schema: Option<String>,
    /// The pattern of date values (Spark's `dateFormat`, Spark's datetime pattern letters:
    /// `dd/MM/yyyy`); `None` reads `yyyy-MM-dd`. Inference takes a column whose values all
    /// match it as a `date` (Spark's `prefersDate`).
    pub date_format: Option<String>,
    /// The pattern of timestamp values (Spark's `timestampFormat`: `dd.MM.yyyy HH:mm`);
    /// `None` reads ISO-8601 (`2024-01-31 10:00:00`, `2024-01-31T10:00:00Z`).
    pub timestamp_format: Option<String>,
}

/// Spark's default `nanValue`.
pub const NAN_VALUE: &str = "NaN";
/// Spark's default `positiveInf` and `negativeInf`.
pub const POSITIVE_INF: &str = "Inf";
pub const NEGATIVE_INF: &str = "-Inf";
/// The default `encoding`.
pub const UTF_8: &str = "UTF-8";

/// Spark's default `maxColumns`.
pub const MAX_COLUMNS: usize = 20_480;

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            header: None,
            delimiter: None,
            quote: '"',
            quoting: true,
            multi_line: true,
            null_values: ["", "NA", "N/A", "null", "NULL"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            infer_schema: true,
            mode: ParseMode::Permissive,
            max_columns: MAX_COLUMNS,
            comment: None,
            escape: '"',
            ignore_leading_white_space: false,
            ignore_trailing_white_space: false,
            nan_value: NAN_VALUE.to_string(),
            positive_inf: POSITIVE_INF.to_string(),
            negative_inf: NEGATIVE_INF.to_string(),
            empty_value: None,
            line_sep: None,
            encoding: UTF_8.to_string(),
            schema: None,
            date_format: None,
            timestamp_format: None,
        }
    }
}
