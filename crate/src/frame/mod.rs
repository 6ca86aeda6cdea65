//! Partitioned tables and the catalog that names them.
//!
//! A [`Table`] is Spark's DataFrame at rest: one schema and a list of partitions, each an
//! Arrow `RecordBatch`. Operators run in parallel over partitions; a partition is the
//! unit of work handed to a thread.

mod catalog;
pub mod codes;
pub mod compact;
mod describe;
mod display;
pub mod float_keys;
pub mod interval_type;
mod json_text;
pub mod jvm;
pub mod kept_codes;
pub mod scalar_builder;
mod table;

pub use catalog::{sanitize_table_name, Catalog};
pub use describe::{spark_field_type_name, spark_type_name, ColumnInfo, TableInfo};
pub use display::{display_array, display_batch, display_field};
pub use json_text::{is_nested, json_text};
pub use table::{first_error_in_row_order, Table};
