//! JSON reading as Spark's `spark.read.json`: JSON lines (one record per line, Spark's
//! default) or one JSON document (Spark's `multiLine`: an object, or an array whose
//! elements are the records).
//!
//! The schema is inferred from every record, as Spark does by default (`samplingRatio`
//! 1): integers are `bigint` (a `decimal` beyond it), other numbers `double`,
//! `true`/`false` `boolean`, strings `string` (an empty one a null; Spark 4 infers no
//! timestamps from JSON unless asked: `inferTimestamp`, and `prefersDecimal` makes
//! decimals; `typing.rs`), objects structs with their fields sorted by name, arrays
//! arrays; a field whose types disagree becomes a `string` holding each value's JSON text,
//! and a field that is only ever null a `string`. With a `samplingRatio` below 1 the schema
//! comes from the records Spark's sampler draws (`sample.rs`), and every record is read
//! with it as with a schema given (`given.rs`).
//! Records that are not JSON objects are malformed: kept as text in `_corrupt_record`
//! (PERMISSIVE), dropped (DROPMALFORMED) or an error naming the line (FAILFAST).
//!
//! Records are read twice, as Spark reads them: once in parallel to infer the schema
//! (`survey.rs`; a record of a shape already merged is only scanned, `shape.rs`), then in
//! parallel pieces decoded into the table's partitions (flat records by `flat.rs`, the rest
//! by arrow-json; decimals and timestamps as text, then converted, `typed.rs`). JSON lines are both surveyed and decoded while the file is still read
//! (`ahead.rs`), with the schema their records so far give; pieces decoded with a schema
//! that the later records change are decoded again. A folder's files ([`JsonFiles`]) are
//! all surveyed before any is decoded for good, so that one schema fits them all.

mod ahead;
mod decode;
mod flat;
mod folder;
mod given;
mod infer;
mod lenient;
mod line_sep;
mod loader;
mod options;
mod records;
mod rewrite;
mod sample;
mod scan;
mod schema;
mod shape;
mod survey;
mod transcode;
mod typed;
mod typing;

pub use folder::{JsonFiles, JsonFilesRead};
pub use lenient::{Leniency, NonNumeric};
pub use loader::{read_json, JsonLoader, SurveyedJson};
pub use options::JsonOptions;
pub use schema::JsonSchema;
