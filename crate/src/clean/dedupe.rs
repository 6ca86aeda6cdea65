//! `df.dropDuplicates(subset)`: keeps the first row of each distinct key, in table order.
//! Spark keeps an arbitrary row of each key; keeping the first makes the result the same
//! whatever the partitioning.
//!
//! Keys are encoded per partition in parallel (arrow's row format: NULLs equal NULLs,
//! NaN equals NaN, as in Spark's grouping), then one ordered pass keeps first occurrences.

use arrow_array::BooleanArray;
use arrow_row::{RowConverter, Rows, SortField};
use hashbrown::HashSet;
use rayon::prelude::*;

use crate::clean::columns::resolve;
use crate::error::{Error, Result};
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
            let columns: Vec<_> = keys.iter().map(|&k| batch.column(k).clone()).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::table_in_parts;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::Array;

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
}
