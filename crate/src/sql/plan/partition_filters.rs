//! Partition filters: the conditions of a scan that read only columns holding one value
//! throughout each partition of the table (a partitioned folder's `column=value`
//! columns, [`Table::constant_columns`]). Such a condition has one answer per partition,
//! so the scan computes it on one row and skips the partition when it is not true —
//! what Spark's `PartitionFilters` do for the files of a partitioned folder.

use crate::frame::Table;
use crate::sql::plan::expr::Expr;

/// The `filters` of a scan of `table` (over its columns `projection`) that are partition
/// filters: they read at least one column, every column they read is constant in each
/// partition, and their value depends on nothing but those columns (no `rand()`, no
/// lambda, whose body is not inspected here).
pub fn partition_filters<'a>(
    table: &Table,
    projection: &[usize],
    filters: &'a [Expr],
) -> Vec<&'a Expr> {
    let constant = table.constant_columns();
    if constant.is_empty() {
        return Vec::new();
    }
    filters
        .iter()
        .filter(|filter| {
            let mut columns = Vec::new();
            filter.columns(&mut columns);
            !columns.is_empty()
                && columns
                    .iter()
                    .all(|&c| projection.get(c).is_some_and(|t| constant.contains(t)))
                && !filter.any(&|e| match e {
                    Expr::Function { func, .. } => func.is_per_row(),
                    Expr::HigherOrder(_) | Expr::Aggregate(_) | Expr::Window(_) => true,
                    _ => false,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;
    use crate::sql::plan::expr::BinaryOp;
    use crate::sql::plan::functions::ScalarFunction;
    use crate::sql::plan::scalar::ScalarValue;

    /// `x` varies, `region` is constant in each partition.
    fn table() -> Table {
        let schema = Arc::new(Schema::new(vec![
            Field::new("x", DataType::Int64, true),
            Field::new("region", DataType::Utf8, true),
        ]));
        let batch = |region: &str| {
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(vec![1, 2])),
                Arc::new(StringArray::from(vec![region, region])),
            ];
            RecordBatch::try_new(Arc::clone(&schema), columns).unwrap()
        };
        Table::try_new(Arc::clone(&schema), vec![batch("north"), batch("south")])
            .unwrap()
            .with_constant_columns(vec![1])
    }

    fn equals(column: usize, name: &str, value: ScalarValue) -> Expr {
        Expr::binary(
            BinaryOp::Eq,
            Expr::column(column, name),
            Expr::literal(value),
        )
    }

    #[test]
    fn keeps_deterministic_conditions_on_constant_columns_only() {
        let table = table();
        let on_region = equals(1, "region", ScalarValue::Utf8("north".into()));
        let on_x = equals(0, "x", ScalarValue::Int64(1));
        let both = Expr::binary(BinaryOp::Or, on_region.clone(), on_x.clone());
        let random = Expr::binary(
            BinaryOp::Lt,
            Expr::Function {
                func: ScalarFunction::from_name("rand").unwrap(),
                args: vec![Expr::literal(ScalarValue::Int64(1))],
                return_type: DataType::Float64,
            },
            Expr::column(1, "region"),
        );
        let constant_only = Expr::literal(ScalarValue::Boolean(false));
        let filters = [on_region.clone(), on_x, both, random, constant_only];
        assert_eq!(
            partition_filters(&table, &[0, 1], &filters),
            vec![&on_region]
        );
        // Column numbers are the scan's: with `region` projected first, 0 is region.
        let projected = equals(0, "region", ScalarValue::Utf8("north".into()));
        assert_eq!(
            partition_filters(&table, &[1, 0], std::slice::from_ref(&projected)),
            vec![&projected]
        );
        // A table without constant columns has none.
        let plain =
            Table::try_new(table.schema_arc(), table.partitions().unwrap().to_vec()).unwrap();
        assert!(partition_filters(&plain, &[0, 1], &filters).is_empty());
    }
}
