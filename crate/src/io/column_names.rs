//! Column names every reader gives a table: a name SQL can reach, unique in the table.
//! Spark's CSV reader makes them from a header (`_c<i>` for an empty name, the column's
//! index after a name that occurs more than once); Brasa's other readers (Excel, Parquet,
//! Arrow) use the same rule, so a file's columns are named the same whatever its format.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{Field, Schema, SchemaRef};

/// Column names as Spark's CSV reader makes them from a header: an empty name becomes
/// `_c<i>`, and names that occur more than once (ignoring case, as Spark's analyzer
/// compares them) get their column index appended (`a`, `a` → `a0`, `a1`).
pub fn spark_column_names(header: impl IntoIterator<Item = String>) -> Vec<String> {
    let raw: Vec<String> = header
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            if name.is_empty() {
                format!("_c{i}")
            } else {
                name
            }
        })
        .collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for name in &raw {
        *counts.entry(name.to_lowercase()).or_default() += 1;
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, name)| {
            if counts[&name.to_lowercase()] > 1 {
                format!("{name}{i}")
            } else {
                name
            }
        })
        .collect()
}

/// `schema` with its top-level columns named by [`spark_column_names`] (the same `Arc`
/// when every name is already usable): a file's own schema may have an empty name or the
/// same name twice (Parquet and Arrow allow both), which SQL could not tell apart.
pub fn with_spark_column_names(schema: &SchemaRef) -> SchemaRef {
    let names = spark_column_names(schema.fields().iter().map(|f| f.name().clone()));
    if names
        .iter()
        .zip(schema.fields())
        .all(|(name, f)| name == f.name())
    {
        return Arc::clone(schema);
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .zip(names)
        .map(|(f, name)| f.as_ref().clone().with_name(name))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::DataType;

    fn names(names: &[&str]) -> Vec<String> {
        spark_column_names(names.iter().map(|s| s.to_string()))
    }

    #[test]
    fn empty_and_repeated_names_as_spark_makes_them() {
        assert_eq!(names(&["x", "", "x"]), ["x0", "_c1", "x2"]);
        assert_eq!(names(&["a", "a", "b", "A"]), ["a0", "a1", "b", "A3"]);
        assert_eq!(names(&["id", "name"]), ["id", "name"]);
    }

    #[test]
    fn a_schema_keeps_its_types_and_metadata() {
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("", DataType::Int64, false),
            Field::new("x", DataType::Utf8, true),
        ]));
        let named = with_spark_column_names(&schema);
        assert_eq!(named.field(0).name(), "_c0");
        assert_eq!(named.field(0).data_type(), &DataType::Int64);
        assert!(!named.field(0).is_nullable());
        assert_eq!(named.field(1), schema.field(1));
        let plain: SchemaRef = Arc::new(Schema::new(vec![Field::new("a", DataType::Int8, true)]));
        assert!(Arc::ptr_eq(&with_spark_column_names(&plain), &plain));
    }
}
