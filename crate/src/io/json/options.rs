//! The options a user can set when reading JSON, named as in Spark's
//! `spark.read.json(...)`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::ParseMode;

/// Options for reading a JSON file. Every field has a default, so `{}` is a valid value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct JsonOptions {
    /// Whether the file is one JSON document (Spark's `multiLine`) rather than one record
    /// per line; `None` tells from the file: a first line that is not a whole JSON value
    /// but starts an object or an array means one document.
    pub multi_line: Option<bool>,
    /// What to do with a record that is not a JSON object (Spark's `mode`).
    pub mode: ParseMode,
    /// The column malformed records are kept in, in PERMISSIVE mode (Spark's
    /// `columnNameOfCorruptRecord`).
    pub column_name_of_corrupt_record: String,
    /// The columns as Spark DDL (`id BIGINT, name STRING, at TIMESTAMP`), read instead of
    /// inferring them (Spark's `spark.read.schema(...)`): each value converted to its
    /// column's type as Spark converts it, a record with a value that does not fit malformed.
    pub schema: Option<String>,
    /// Spark's `dateFormat`: the pattern of a given schema's `date` values (otherwise
    /// read as `CAST(s AS DATE)` reads them).
    pub date_format: Option<String>,
    /// Spark's `timestampFormat`: the pattern of a given schema's `timestamp` values, and
    /// of the strings `inferTimestamp` takes for timestamps (otherwise read as
    /// `CAST(s AS TIMESTAMP)` reads them).
    pub timestamp_format: Option<String>,
    /// Spark's `encoding`: the file's character set by WHATWG label (`UTF-16`,
    /// `ISO-8859-1`, `windows-1252`, ...); `None` reads UTF-8, or UTF-16 when the file
    /// starts with its byte-order mark.
    pub encoding: Option<String>,
    /// Spark's `lineSep`: the text that ends each record of JSON lines (`|`, `\r\n`);
    /// `None` ends them at line breaks. Setting it reads the file as JSON lines unless
    /// `multiLine` is `true` (a document, which Spark reads whole, ignoring it).
    pub line_sep: Option<String>,
    /// Spark's `allowSingleQuotes` (on by default): `'…'` strings and names, and `\'`.
    pub allow_single_quotes: bool,
    /// Spark's `allowNonNumericNumbers` (on by default): `NaN`, `Infinity`, `-Infinity`,
    /// `+INF`, `-INF` as `double` values.
    pub allow_non_numeric_numbers: bool,
    /// Spark's `allowUnquotedFieldNames`: `{id: 1}`.
    pub allow_unquoted_field_names: bool,
    /// Spark's `allowNumericLeadingZeros`: `007` is `7`.
    pub allow_numeric_leading_zeros: bool,
    /// Spark's `allowBackslashEscapingAnyCharacter`: `"\q"` is `"q"`.
    pub allow_backslash_escaping_any_character: bool,
    /// Spark's `allowUnquotedControlChars`: a tab or other control character inside a
    /// string.
    pub allow_unquoted_control_chars: bool,
    /// Spark's `allowComments`: block comments (slash-star) and `//` line comments in
    /// records.
    pub allow_comments: bool,
    /// Spark's `primitivesAsString`: every number and boolean inferred as a `string`
    /// holding its text as written (`1.50` stays `1.50`).
    pub primitives_as_string: bool,
    /// Spark's `dropFieldIfAllNull`: a field that is only ever null (or an array of
    /// nothing else) is left out instead of being a `string` column.
    pub drop_field_if_all_null: bool,
    /// Spark's `prefersDecimal`: numbers with a point or an exponent, and strings that
    /// are numbers, inferred as `decimal`s of their digits (`1.50` is `decimal(3,2)`)
    /// instead of `double`s and `string`s.
    pub prefers_decimal: bool,
    /// Spark's `inferTimestamp`: strings that read as timestamps (in `timestampFormat`
    /// when one is given) inferred as `timestamp`s instead of `string`s.
    pub infer_timestamp: bool,
    /// Spark's `samplingRatio`: the fraction of records the schema is inferred from, drawn
    /// as Spark draws them (above 0.99, every record). Every record is then read with that
    /// schema, a value it does not foresee making its record malformed.
    pub sampling_ratio: f64,
}

/// Spark reads every record for the schema above this `samplingRatio`.
const SAMPLE_ALL_ABOVE: f64 = 0.99;

impl JsonOptions {
    /// The `samplingRatio` when the schema is inferred from a sample (`None`: from every
    /// record); `JSON_BAD_OPTION` for one that is not above 0, as Spark requires.
    pub fn sample(&self) -> Result<Option<f64>> {
        let ratio = self.sampling_ratio;
        if ratio.is_nan() || ratio <= 0.0 {
            return Err(Error::new(
                ErrorCode::JsonBadOption,
                format!(
                    "samplingRatio ({ratio}) should be greater than 0 (as Spark requires): give \
                     the fraction of records the schema is inferred from, or 1 for all of them"
                ),
            ));
        }
        Ok((ratio <= SAMPLE_ALL_ABOVE && self.schema.is_none()).then_some(ratio))
    }
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            multi_line: None,
            mode: ParseMode::Permissive,
            column_name_of_corrupt_record: "_corrupt_record".to_string(),
            schema: None,
            date_format: None,
            timestamp_format: None,
            encoding: None,
            line_sep: None,
            allow_single_quotes: true,
            allow_non_numeric_numbers: true,
            allow_unquoted_field_names: false,
            allow_numeric_leading_zeros: false,
            allow_backslash_escaping_any_character: false,
            allow_unquoted_control_chars: false,
            allow_comments: false,
            primitives_as_string: false,
            drop_field_if_all_null: false,
            prefers_decimal: false,
            infer_timestamp: false,
            sampling_ratio: 1.0,
        }
    }
}
