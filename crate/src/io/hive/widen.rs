//! One schema for a folder of CSV files. Spark infers a CSV folder's types over all its
//! files at once; Brasa reads the files one by one, each inferring its own types, so a
//! column can come out `int` in one file and `string` in another. [`widened_ddl`] gives
//! the widest type of each column by Spark's CSV rules ([`ColumnType::join`]: int <
//! bigint < double, date < timestamp, a column with no values takes the other's type,
//! anything else mixed is a string), as DDL for the reader's `schema` option: the files
//! are then read again with it, so every value is parsed as the folder's type (a `007`
//! stays `007` in a column that is text elsewhere, as in Spark).

use arrow_array::Array;

use crate::frame::Table;
use crate::io::csv::ColumnType;

/// The type a file's column was inferred as; a string column with no values is `Null`
/// (the reader stores a column it saw no value in as strings).
fn inferred_type(table: &Table, column: usize) -> Option<ColumnType> {
    let ty = ColumnType::of_data_type(table.schema().field(column).data_type())?;
    let empty = table
        .partitions()
        .ok()?
        .iter()
        .all(|batch| batch.column(column).null_count() == batch.num_rows());
    Some(if ty == ColumnType::Utf8 && empty {
        ColumnType::Null
    } else {
        ty
    })
}

/// The DDL (`` `id` int, `code` string ``) of the columns with the widest type each file
/// gives them, when the files disagree; `None` when every file has the same types, or
/// when they cannot be widened by these rules (other column names or order, types CSV
/// inference never makes): the folder's own checks then say what differs.
pub fn widened_ddl(tables: &[&Table]) -> Option<String> {
    let first = tables.first()?;
    let names: Vec<&String> = first.schema().fields().iter().map(|f| f.name()).collect();
    let same_columns = tables.iter().all(|t| {
        t.schema().fields().len() == names.len()
            && t.schema()
                .fields()
                .iter()
                .zip(&names)
                .all(|(f, n)| f.name() == *n)
    });
    if !same_columns {
        return None;
    }
    let mut widened = Vec::with_capacity(names.len());
    let mut disagree = false;
    for column in 0..names.len() {
        let data_type = first.schema().field(column).data_type();
        disagree |= tables
            .iter()
            .any(|t| t.schema().field(column).data_type() != data_type);
        let mut joined = ColumnType::Null;
        for table in tables {
            joined = joined.join(inferred_type(table, column)?);
        }
        widened.push(joined);
    }
    if !disagree {
        return None;
    }
    let columns: Vec<String> = names
        .iter()
        .zip(&widened)
        .map(|(name, ty)| {
            // A column with no value in any file is read as strings, as Spark does.
            let ty = if *ty == ColumnType::Null {
                ColumnType::Utf8
            } else {
                *ty
            };
            format!("`{}` {}", name.replace('`', "``"), ty.name())
        })
        .collect();
    Some(columns.join(", "))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{Field, Schema};

    use super::*;

    fn table(columns: Vec<(&str, ArrayRef)>) -> Table {
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
                .collect::<Vec<_>>(),
        ));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            columns.into_iter().map(|c| c.1).collect(),
        )
        .unwrap();
        Table::try_new(schema, vec![batch]).unwrap()
    }

    #[test]
    fn widens_by_sparks_csv_rules() {
        let a = table(vec![
            ("code", Arc::new(Int32Array::from(vec![7, 12]))),
            ("n", Arc::new(Int32Array::from(vec![5, 2]))),
            (
                "note",
                Arc::new(StringArray::from(vec![None::<&str>, None])),
            ),
        ]);
        let b = table(vec![
            ("code", Arc::new(StringArray::from(vec!["A-3"]))),
            ("n", Arc::new(Int64Array::from(vec![3_000_000_000]))),
            ("note", Arc::new(StringArray::from(vec![None::<&str>]))),
        ]);
        assert_eq!(
            widened_ddl(&[&a, &b]).as_deref(),
            Some("`code` string, `n` bigint, `note` string")
        );
        // A column without values takes the other file's type.
        let c = table(vec![
            ("code", Arc::new(Int32Array::from(vec![1]))),
            ("n", Arc::new(StringArray::from(vec![None::<&str>]))),
            ("note", Arc::new(StringArray::from(vec![None::<&str>]))),
        ]);
        assert_eq!(
            widened_ddl(&[&a, &c]).as_deref(),
            Some("`code` int, `n` int, `note` string")
        );
        // Files that agree, or differ in their columns, are not widened here.
        assert_eq!(widened_ddl(&[&a, &a]), None);
        let other = table(vec![("x", Arc::new(Int32Array::from(vec![1])) as ArrayRef)]);
        assert_eq!(widened_ddl(&[&a, &other]), None);
        let quoted = table(vec![(
            "a`b",
            Arc::new(Int32Array::from(vec![1])) as ArrayRef,
        )]);
        let text = table(vec![(
            "a`b",
            Arc::new(StringArray::from(vec!["x"])) as ArrayRef,
        )]);
        assert_eq!(
            widened_ddl(&[&quoted, &text]).as_deref(),
            Some("`a``b` string")
        );
    }
}
