//! Brasa's engine: Spark-style partitioned tables in Rust, compiled natively for tests and
//! benchmarks and to WebAssembly for the browser.
//!
//! The crate is split by what the code is about, so every piece can be tested natively:
//! - [`frame`]: the partitioned table (Spark's DataFrame partitions) and the catalog of
//!   named tables;
//! - [`io`]: readers that turn CSV and Parquet bytes into tables, in parallel;
//! - [`sql`]: Spark-flavoured SQL over the catalog's tables;
//! - [`clean`]: Spark-style cleaning steps (filter, dropna, fillna, Imputer,
//!   StringIndexer, OneHotEncoder, ...) as a serialisable, replayable pipeline;
//! - [`profile`]: a one-pass data profile of every column;
//! - [`chart`]: what a chart of a result draws, aggregated in the engine;
//! - [`ml`]: VectorAssembler, LinearRegression and parallel cross-validation;
//! - [`warm_up`]: the rehearsal the page runs before the first file, so the browser has
//!   compiled the hot code optimised by then;
//! - [`error`]: the typed error every fallible path returns (a panic in wasm kills the
//!   instance, so nothing here panics on input);
//! - `wasm` (wasm32 only): `#[wasm_bindgen]` exports and nothing else.

pub mod api;
pub mod chart;
pub mod clean;
pub mod clock;
pub mod decimal_digits;
pub mod error;
pub mod frame;
pub mod io;
pub mod job;
pub mod memory;
pub mod ml;
pub mod params;
pub mod profile;
pub mod random;
pub mod sql;
pub mod temporal;
pub mod warm_up;

/// Synthetic datasets for tests, benchmarks and the bundled sample (native only).
#[cfg(not(target_arch = "wasm32"))]
pub mod datagen;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

#[cfg(test)]
pub mod testing;

pub use error::{Error, ErrorCode, Result};
pub use frame::{Catalog, Table};
