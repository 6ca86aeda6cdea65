//! The options a user can set when reading a CSV file, named as in Spark's
//! `spark.read.csv(...)` where Spark has the option.

use serde::Deserialize;
use ts_rs::TS;

/// What to do with a row whose number of fields differs from the header (Spark's `mode`,
/// spelt as Spark spells it: `PERMISSIVE`, `DROPMALFORMED`, `FAILFAST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, TS)]
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
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
    /// Unquoted field values that mean null. Spark's default is only the empty string;
    /// ours adds the usual spellings found in exported files.
    pub null_values: Vec<String>,
    /// Infer column types from the data (Spark's `inferSchema`); `false` reads strings.
    pub infer_schema: bool,
    pub mode: ParseMode,
    /// Most columns a file may have (Spark's `maxColumns`, default 20,480): a file with
    /// more is refused rather than loaded into a table nobody can look at.
    pub max_columns: usize,
}

/// Spark's default `maxColumns`.
pub const MAX_COLUMNS: usize = 20_480;

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            header: None,
            delimiter: None,
            quote: '"',
            quoting: true,
            null_values: ["", "NA", "N/A", "null", "NULL"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            infer_schema: true,
            mode: ParseMode::Permissive,
            max_columns: MAX_COLUMNS,
        }
    }
}
