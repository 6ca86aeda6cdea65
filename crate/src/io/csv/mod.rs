//! CSV reading: dialect and header detection, schema inference on a sample, and parallel
//! decoding of chunks split at record boundaries.
//!
//! Follows Spark's CSV reader where it has a rule (null handling, type widening, column
//! naming, PERMISSIVE / DROPMALFORMED / FAILFAST), with quoting as in RFC 4180 (`""`
//! escapes a quote).

mod decode;
mod dialect;
mod infer;
mod loader;
mod nulls;
mod options;
mod split;
mod tokenize;
mod values;

pub use dialect::Dialect;
pub use loader::{read_csv, CsvLoader, PARTITION_BYTES};
pub use options::{CsvOptions, ParseMode};
pub use values::ColumnType;
