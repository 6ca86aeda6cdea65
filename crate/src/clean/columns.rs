//! Column names as Spark resolves them, and the steps that only rearrange columns
//! (`drop`, `select` with aliases). These never copy data: the output batches share the
//! input's arrays.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::clean::spec::SelectColumn;
use crate::error::{Error, Result};
use crate::frame::Table;
use crate::sql::exec::spark_cast;

/// Finds `name` in `schema`: an exact match first, then a case-insensitive one, as Spark's
/// default (`spark.sql.caseSensitive=false`) does.
pub fn resolve(schema: &Schema, name: &str) -> Result<usize> {
    if let Some((i, _)) = schema.column_with_name(name) {
        return Ok(i);
    }
    let lower = name.to_lowercase();
    let matches: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name().to_lowercase() == lower)
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [i] => Ok(*i),
        [] => Err(Error::clean(format!(
            "there is no column `{name}` (the columns are {})",
            list_names(schema)
        ))
        .in_column(name)),
        _ => Err(Error::clean(format!(
            "`{name}` is ambiguous: several columns differ from it only in case"
        ))
        .in_column(name)),
    }
}

/// Resolves several names, in order.
pub fn resolve_all(schema: &Schema, names: &[String]) -> Result<Vec<usize>> {
    names.iter().map(|n| resolve(schema, n)).collect()
}

/// The first columns of `schema`, for error messages.
pub fn list_names(schema: &Schema) -> String {
    const SHOWN: usize = 20;
    let names: Vec<String> = schema
        .fields()
        .iter()
        .take(SHOWN)
        .map(|f| format!("`{}`", f.name()))
        .collect();
    let more = schema.fields().len().saturating_sub(SHOWN);
    if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Fails if `name` is already a column (case-insensitively) other than `except`.
pub fn check_new_name(schema: &Schema, name: &str, except: Option<usize>) -> Result<()> {
    if name.is_empty() {
        return Err(Error::clean("a column name cannot be empty"));
    }
    let lower = name.to_lowercase();
    match schema
        .fields()
        .iter()
        .position(|f| f.name().to_lowercase() == lower)
    {
        Some(i) if Some(i) != except => Err(Error::clean(format!(
            "there is already a column `{}`; choose another output name",
            schema.field(i).name()
        ))
        .in_column(name)),
        _ => Ok(()),
    }
}

/// Checks an estimator's `inputCols` / `outputCols`: at least one, one output per input.
pub fn check_pairs(input_cols: &[String], output_cols: &[String], what: &str) -> Result<()> {
    if input_cols.is_empty() {
        return Err(Error::clean(format!(
            "choose at least one column to {what}"
        )));
    }
    if input_cols.len() != output_cols.len() {
        return Err(Error::clean(format!(
            "{} input columns but {} output columns; give one output per input",
            input_cols.len(),
            output_cols.len()
        )));
    }
    Ok(())
}

/// The schema's fields, to extend or replace into an output schema.
pub fn fields_of(schema: &Schema) -> Vec<Field> {
    schema.fields().iter().map(|f| f.as_ref().clone()).collect()
}

/// A numeric column as doubles (Spark's cast), as estimators read their inputs.
pub fn as_doubles(column: &ArrayRef) -> Result<Float64Array> {
    Ok(spark_cast(column, &DataType::Float64)?
        .as_primitive::<Float64Type>()
        .clone())
}

/// Keeps the columns at `indices`, in that order, renamed to `names`. Shares the arrays.
pub fn project(table: &Table, indices: &[usize], names: &[String]) -> Result<Table> {
    let schema: SchemaRef = Arc::new(Schema::new(
        indices
            .iter()
            .zip(names)
            .map(|(&i, name)| {
                let field = table.schema().field(i);
                Field::new(name, field.data_type().clone(), field.is_nullable())
            })
            .collect::<Vec<_>>(),
    ));
    let partitions = table
        .partitions()?
        .iter()
        .map(|batch| {
            let columns = indices.iter().map(|&i| batch.column(i).clone()).collect();
            RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| Error::internal("selecting columns", e))
        })
        .collect::<Result<Vec<_>>>()?;
    Table::try_new(schema, partitions)
}

/// `df.drop(*columns)`: as in Spark, naming a column that does not exist is not an error,
/// but Brasa reports it so a typo is not silent.
pub fn drop(table: &Table, columns: &[String]) -> Result<(Table, Vec<String>)> {
    let schema = table.schema();
    let mut dropped = vec![false; schema.fields().len()];
    let mut unknown = Vec::new();
    for name in columns {
        match resolve(schema, name) {
            Ok(i) => dropped[i] = true,
            Err(_) => unknown.push(name.clone()),
        }
    }
    let kept: Vec<usize> = (0..dropped.len()).filter(|&i| !dropped[i]).collect();
    let names: Vec<String> = kept
        .iter()
        .map(|&i| schema.field(i).name().clone())
        .collect();
    let warnings = unknown
        .into_iter()
        .map(|n| format!("there was no column `{n}` to drop"))
        .collect();
    Ok((project(table, &kept, &names)?, warnings))
}

/// `df.select(col(name).alias(alias), ...)`.
pub fn select(table: &Table, columns: &[SelectColumn]) -> Result<Table> {
    if columns.is_empty() {
        return Err(Error::clean("select at least one column"));
    }
    let indices = columns
        .iter()
        .map(|c| resolve(table.schema(), &c.name))
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = columns
        .iter()
        .zip(&indices)
        .map(|(c, &i)| match &c.alias {
            Some(alias) if !alias.is_empty() => alias.clone(),
            _ => table.schema().field(i).name().clone(),
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = names.iter().find(|n| !seen.insert(n.to_lowercase())) {
        return Err(Error::clean(format!(
            "the selection has two columns named `{dup}`; give one an alias"
        ))
        .in_column(dup.clone()));
    }
    project(table, &indices, &names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::testing::table_of;

    #[test]
    fn resolves_like_spark() {
        let t = table_of("a:int,B:int", &["1,2"]);
        assert_eq!(resolve(t.schema(), "b").unwrap(), 1);
        assert_eq!(resolve(t.schema(), "a").unwrap(), 0);
        let err = resolve(t.schema(), "c").unwrap_err();
        assert_eq!(err.code(), ErrorCode::CleanInput);
        assert!(err.message().contains("`a`, `B`"), "{}", err.message());
    }

    #[test]
    fn select_renames_and_drop_reports_unknown_names() {
        let t = table_of("a:int,b:string", &["1,x", "2,y"]);
        let s = select(
            &t,
            &[
                SelectColumn {
                    name: "b".into(),
                    alias: Some("label".into()),
                },
                SelectColumn {
                    name: "A".into(),
                    alias: None,
                },
            ],
        )
        .unwrap();
        let names: Vec<&String> = s.schema().fields().iter().map(|f| f.name()).collect();
        assert_eq!(names, ["label", "a"]);
        let (d, warnings) = drop(&t, &["B".into(), "zz".into()]).unwrap();
        assert_eq!(d.schema().fields().len(), 1);
        assert_eq!(warnings, ["there was no column `zz` to drop"]);
        let err = select(
            &t,
            &[
                SelectColumn {
                    name: "a".into(),
                    alias: None,
                },
                SelectColumn {
                    name: "b".into(),
                    alias: Some("A".into()),
                },
            ],
        )
        .unwrap_err();
        assert!(err.message().contains("two columns named"));
    }
}
