//! The tables of Spark's catalog statements (`SHOW TABLES`, `SHOW COLUMNS`, `DESCRIBE`,
//! `SHOW FUNCTIONS`), with Spark's column names and types.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use regex::RegexBuilder;

use crate::error::{Error, Result};
use crate::frame::{spark_type_name, Catalog, Table};
use crate::sql::function_names::FUNCTION_NAMES;

/// `SHOW TABLES` as Spark prints it: namespace, tableName, isTemporary.
pub(crate) fn show_tables(catalog: &Catalog) -> Result<Table> {
    let mut names: Vec<(String, bool)> = catalog.names().into_iter().map(|n| (n, false)).collect();
    names.extend(catalog.view_names().into_iter().map(|n| (n, true)));
    names.sort_by_key(|(n, _)| n.to_lowercase());
    let schema = Arc::new(Schema::new(vec![
        Field::new("namespace", DataType::Utf8, false),
        Field::new("tableName", DataType::Utf8, false),
        Field::new("isTemporary", DataType::Boolean, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(names.iter().map(|_| ""))),
        Arc::new(StringArray::from_iter_values(names.iter().map(|(n, _)| n))),
        Arc::new(BooleanArray::from(
            names.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
        )),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| Error::internal("SHOW TABLES", e))?;
    Table::try_new(schema, vec![batch])
}

/// `SHOW COLUMNS IN t` as Spark prints it: one row per column, `col_name`.
pub(crate) fn show_columns(schema: &Schema) -> Result<Table> {
    let out = Arc::new(Schema::new(vec![Field::new(
        "col_name",
        DataType::Utf8,
        false,
    )]));
    let names = StringArray::from_iter_values(schema.fields().iter().map(|f| f.name()));
    let batch = RecordBatch::try_new(out.clone(), vec![Arc::new(names)])
        .map_err(|e| Error::internal("SHOW COLUMNS", e))?;
    Table::try_new(out, vec![batch])
}

/// `DESCRIBE t` as Spark prints it: col_name, data_type, comment.
pub(crate) fn describe(schema: &Schema) -> Result<Table> {
    let out = Arc::new(Schema::new(vec![
        Field::new("col_name", DataType::Utf8, false),
        Field::new("data_type", DataType::Utf8, false),
        Field::new("comment", DataType::Utf8, true),
    ]));
    let fields = schema.fields();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            fields.iter().map(|f| f.name()),
        )),
        Arc::new(StringArray::from_iter_values(
            fields.iter().map(|f| spark_type_name(f.data_type())),
        )),
        Arc::new(StringArray::from(vec![None::<&str>; fields.len()])),
    ];
    let batch =
        RecordBatch::try_new(out.clone(), columns).map_err(|e| Error::internal("DESCRIBE", e))?;
    Table::try_new(out, vec![batch])
}

/// `SHOW FUNCTIONS [LIKE] 'pattern'` as Spark prints it: one `function` column, the
/// names in Spark's order. Spark's pattern: alternatives split by `|`, `*` for any
/// characters, the rest a regular expression matched whole and ignoring case.
pub(crate) fn show_functions(pattern: Option<&str>) -> Result<Table> {
    let matcher = match pattern {
        Some(pattern) => {
            let alternatives: Vec<String> = pattern
                .split('|')
                .map(|p| format!("(?:{})", p.trim().replace('*', ".*")))
                .collect();
            let regex = RegexBuilder::new(&format!("^(?:{})$", alternatives.join("|")))
                .case_insensitive(true)
                .build()
                .map_err(|e| {
                    Error::analysis(format!(
                        "SHOW FUNCTIONS LIKE '{pattern}': the pattern is not one Spark reads \
                         ({e}); use * for any characters and | between alternatives"
                    ))
                })?;
            Some(regex)
        }
        None => None,
    };
    let names = FUNCTION_NAMES
        .iter()
        .filter(|name| matcher.as_ref().is_none_or(|m| m.is_match(name)));
    function_list(names)
}

/// `SHOW USER FUNCTIONS`: Brasa has no user-defined functions, so none.
pub(crate) fn show_user_functions() -> Result<Table> {
    function_list(std::iter::empty::<&&str>())
}

/// The table of `SHOW FUNCTIONS`: one `function` column.
fn function_list<'a>(names: impl Iterator<Item = &'a &'a str>) -> Result<Table> {
    let out = Arc::new(Schema::new(vec![Field::new(
        "function",
        DataType::Utf8,
        false,
    )]));
    let batch = RecordBatch::try_new(
        out.clone(),
        vec![Arc::new(StringArray::from_iter_values(names))],
    )
    .map_err(|e| Error::internal("SHOW FUNCTIONS", e))?;
    Table::try_new(out, vec![batch])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(pattern: &str) -> Vec<String> {
        let table = show_functions(Some(pattern)).unwrap();
        let batch = &table.partitions().unwrap()[0];
        let names = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        names.iter().map(|n| n.unwrap().to_string()).collect()
    }

    #[test]
    fn patterns_read_as_spark_reads_them() {
        assert_eq!(listed("sum"), ["sum"]);
        assert_eq!(listed("SUM"), ["sum"]);
        assert!(listed("date*").iter().all(|n| n.starts_with("date")));
        assert!(listed("date*").contains(&"date_format".to_string()));
        let either = listed("to_json | from_json");
        assert_eq!(either, ["from_json", "to_json"]);
        assert!(listed("nothing_like_this*").is_empty());
        assert!(show_functions(Some("(")).is_err());
    }
}
