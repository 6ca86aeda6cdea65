//! CSV reading: dialect and header detection, schema inference on a sample, and parallel
//! decoding of chunks split at record boundaries.
//!
//! Follows Spark's CSV reader where it has a rule (null handling, type widening, column
//! naming, PERMISSIVE / DROPMALFORMED / FAILFAST), with quoting as in RFC 4180 (`""`
//! escapes a quote; Spark's `escape` option adds another escape character), and Spark's
//! reader options (`comment`, `encoding`, `nanValue`, whitespace trimming, a `schema`).

mod decode;
mod dialect;
mod infer;
mod input;
mod loader;
mod options;
mod schema;
mod split;
mod stream;
mod tokenize;
mod value_rules;
mod values;

pub use input::{decode_to_utf8, encoding_of};
pub use loader::{read_csv, CsvLoader, PARTITION_BYTES};
pub use options::{CsvOptions, ParseMode};
pub use schema::{parse_ddl, GivenSchema};
pub use stream::CsvStream;
pub use tokenize::Dialect;
pub use value_rules::datetime_option;
pub use values::{parse_f64, parse_i64, ColumnType, SESSION_TIME_ZONE};

/// A `yyyy-MM-dd` date as days since the epoch (SQL's `DATE '...'` literals).
pub fn parse_date_literal(text: &str) -> Option<i32> {
    values::parse_date(text.trim().as_bytes())
}

/// An ISO-8601 timestamp as microseconds since the epoch, UTC (`TIMESTAMP '...'`).
pub fn parse_timestamp_literal(text: &str) -> Option<i64> {
    values::parse_timestamp_micros(text.trim().as_bytes())
}
