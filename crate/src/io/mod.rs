//! Readers that turn file bytes into partitioned tables, and the Arrow IPC writer the UI
//! reads results with.
//!
//! Readers are incremental: the caller feeds bytes as it reads them from the file (so a
//! file is never held twice in memory and the UI can show progress and cancel between
//! chunks), and each chunk is decoded in parallel over partitions.

pub mod arrow_file;
pub mod column_names;
pub mod compressed;
pub mod csv;
pub mod excel;
pub mod hive;
pub mod ipc;
pub mod json;
pub mod line_number;
pub mod parquet;
pub mod plain;
pub mod spark_schema;
pub mod write;
