//! `df.dropDuplicates(subset)`: keeps the first row of each distinct key, in table order.
//! Spark keeps an arbitrary row of each key; keeping the first makes the result the same
//! whatever the partitioning.
//!
//! Keys are encoded per partition in parallel (arrow's row format: NULLs equal NULLs),
//! then one ordered pass keeps first occurrences. Float keys are compared as Spark groups
//! them, `-0.0` with `0.0` and every NaN with every other, and come out that way (`0.0`,
//! NaN), as Spark's dropDuplicates gives them.

use std::sync::Arc;

use arrow_array::{BooleanArray, RecordBatch};
use arrow_row::{RowConverter, Rows, SortField};
use hashbrown::HashSet;
use rayon::prelude::*;

use crate::clean::columns::resolve;
use crate::error::{Error, Result};
use crate::frame::float_keys::spark_normalized;
use crate::frame::Table;
use crate::job::JobContext;

pub fn drop_duplicates(
    table: &Table,
    subset: Option<&[String]>,
    ctx: &JobContext,
) -> Result<Table> {
    let schema = table.schema();
    let keys: Vec<usize> = match subset {
        Some(names) if !names.is_empty() => names
            .iter()
            .map(|n| resolve(schema, n))
            .collect::<Result<_>>()?,
        _ => (0..schema.fields().len()).collect(),
    };
    if keys.is_empty() {
        return Ok(table.clone());
    }
    let fields: Vec<SortField> = keys
        .iter()
        .map(|&k| SortField::new(schema.field(k).data_type().clone()))
        .collect();
    let converter =
        RowConverter::new(fields).map_err(|e| Error::clean(format!("dropDuplicates: {e}")))?;
    ctx.expect_steps(2 * table.num_partitions());
    let encoded: Vec<Rows> = table
        .partitions()?
        .par_iter()
        .map(|batch| {
            ctx.check()?;
            let columns: Vec<_> = keys
                .iter()
                .map(|&k| spark_normalized(batch.column(k)))
                .collect();
            let rows = converter
                .convert_columns(&columns)
                .map_err(|e| Error::internal("encoding keys", e))?;
            ctx.advance();
            Ok(rows)
        })
        .collect::<Result<_>>()?;
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let masks: Vec<BooleanArray> = encoded
        .iter()
        .map(|rows| BooleanArray::from_iter(rows.iter().map(|row| Some(seen.insert(row.data())))))
        .collect();
    let partitions = table
        .partitions()?
        .par_iter()
        .zip(&masks)
        .map(|(batch, keep)| {
            ctx.check()?;
            let batch = &with_normalized_keys(batch, &keys)?;
            let out = if keep.true_count() == batch.num_rows() {
                batch.clone()
            } else {
                arrow_select::filter::filter_record_batch(batch, keep)
                    .map_err(|e| Error::internal("dropping duplicates", e))?
            };
            ctx.advance();
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?;
    Table::try_new(table.schema_arc(), partitions)
}

/// `batch` with its float key columns as Spark shows a grouped key (see
/// [`spark_normalized`]); the same batch when none changes.
fn with_normalized_keys(batch: &RecordBatch, keys: &[usize]) -> Result<RecordBatch> {
    let mut columns = batch.columns().to_vec();
    let mut changed = false;
    for &k in keys {
        let normal = spark_normalized(&columns[k]);
        changed |= !Arc::ptr_eq(&normal, &columns[k]);
        columns[k] = normal;
    }
    if !changed {
        return Ok(batch.clone());
    }
    RecordBatch::try_new(batch.schema(), columns)
        .map_err(|e| Error::internal("dropping duplicates", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::table_in_parts;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    use arrow_array::{Array, Float64Array};

    #[test]
    fn keeps_the_first_row_of_each_key_across_partitions() {
        let rows = ["1,a", "2,b", "1,a", ",c", "2,z", ",c", "3,a"];
        for parts in [1, 3, 7] {
            let t = table_in_parts("n:int,s:string", &rows, parts);
            let ctx = JobContext::default();
            let all = drop_duplicates(&t, None, &ctx).unwrap();
            assert_eq!(all.num_rows(), 5);
            let by_n = drop_duplicates(&t, Some(&["N".into()]), &ctx).unwrap();
            let b = by_n.window(0, by_n.num_rows()).unwrap();
            let s: Vec<&str> = b.column(1).as_string::<i32>().iter().flatten().collect();
            assert_eq!(s, ["a", "b", "c", "a"]);
            let n = b.column(0).as_primitive::<Int32Type>();
            assert_eq!(n.null_count(), 1);
        }
    }

    /// As Spark: `-0.0` and `0.0` are one key (shown as `0.0`), and so are all NaNs.
    #[test]
    fn float_keys_are_compared_as_spark_groups_them() {
        let rows = ["-0.0,a", "0.0,b", "NaN,c", "1.5,d", "0.0,e", "NaN,f"];
        for parts in [1, 2, 5] {
            let t = table_in_parts("x:double,s:string", &rows, parts);
            // The reader gives a plain NaN; row c's is made one with its sign bit set.
            let flipped: Vec<RecordBatch> = (0..t.num_partitions())
                .map(|i| {
                    let batch = t.partition(i).unwrap();
                    let x = batch.column(0).as_primitive::<Float64Type>();
                    let s = batch.column(1).as_string::<i32>();
                    let x: Float64Array = (0..batch.num_rows())
                        .map(|r| {
                            Some(if s.value(r) == "c" {
                                -x.value(r)
                            } else {
                                x.value(r)
                            })
                        })
                        .collect();
                    let columns = vec![Arc::new(x) as _, batch.column(1).clone()];
                    RecordBatch::try_new(batch.schema(), columns).unwrap()
                })
                .collect();
            let t = Table::try_new(t.schema_arc(), flipped).unwrap();
            let ctx = JobContext::default();
            let out = drop_duplicates(&t, Some(&["x".into()]), &ctx).unwrap();
            let b = out.window(0, out.num_rows()).unwrap();
            let s: Vec<&str> = b.column(1).as_string::<i32>().iter().flatten().collect();
            assert_eq!(s, ["a", "c", "d"], "{parts} partitions");
            let x = b.column(0).as_primitive::<Float64Type>();
            assert_eq!(x.value(0).to_bits(), 0.0f64.to_bits(), "shown as 0.0");
            assert_eq!(x.value(1).to_bits(), f64::NAN.to_bits());
        }
    }
}
