//! Reading a loaded table's cells in tests: every partition as one batch, and a column's
//! values as Rust options (NULL as `None`), so assertions compare plain vectors.
#![allow(dead_code)] // each test uses its own part

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, RecordBatch};
use arrow_select::concat::concat_batches;
use brasa::Table;

/// Every partition's rows, in order, as one batch.
pub fn all_rows(table: &Table) -> RecordBatch {
    concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap()
}

/// A string column's values.
pub fn strings(batch: &RecordBatch, col: usize) -> Vec<Option<String>> {
    let array = batch.column(col).as_string::<i32>();
    (0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i).to_string()))
        .collect()
}

/// An int column's values.
pub fn ints(batch: &RecordBatch, col: usize) -> Vec<Option<i32>> {
    let array = batch.column(col).as_primitive::<Int32Type>();
    (0..array.len())
        .map(|i| array.is_valid(i).then(|| array.value(i)))
        .collect()
}
