//! Statements that write a table's rows, as Spark runs them on a table it manages:
//!
//! - `CREATE TABLE t (a INT, b STRING, ...)`: an empty table of those columns (Spark's
//!   DDL types, nested ones included; `NOT NULL` and `COMMENT` are read and, as Spark's
//!   file-source tables do, not enforced: every column may hold NULL).
//! - `INSERT INTO [TABLE] t [(columns)] VALUES ... | SELECT ...`: the rows added after
//!   the table's own; `INSERT OVERWRITE [TABLE] t ...` replaces them.
//! - `TRUNCATE TABLE t`: no rows, the same columns. `ALTER TABLE t RENAME TO u` (a view's
//!   name too, as in Spark) and `ALTER TABLE t ADD COLUMN c <type>` (NULL in every row).
//!
//! Values are stored as Spark's ANSI store assignment stores them
//! (`spark.sql.storeAssignmentPolicy = ANSI`, its default): by position (or by the column
//! list, the columns it leaves out NULL); a number into any numeric column, anything
//! simple into a string column, a date or timestamp into either, arrays, maps and structs
//! field by field; anything else, such as a string into an INT column, is refused before a
//! row is written (`INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST`), and a number that
//! does not fit fails the statement (`CAST_OVERFLOW_IN_TABLE_INSERT`) instead of wrapping
//! or becoming NULL. A failed INSERT leaves the table as it was.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use sqlparser::ast::{
    self, AlterTable, AlterTableOperation, CreateTable, Insert, RenameTableNameKind, TableObject,
    Truncate,
};

use crate::error::{Error, Result};
use crate::frame::{spark_type_name, Catalog, Table};
use crate::job::JobContext;
use crate::sql::exec::execute;
use crate::sql::object_name;
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::functions::{MiscFunction, ScalarFunction};
use crate::sql::plan::json_schema::sql_type;
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::optimize::optimize;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::plan::try_eval::try_numeric_cast;
use crate::sql::types::{is_numeric, is_string};

/// The most rows one statement's partitions are gathered into when they are small
/// (`VALUES` makes one per row).
const ROWS_PER_PARTITION: usize = 1 << 16;

/// `CREATE TABLE t (columns) [USING ...]` without a query: an empty table.
pub(crate) fn create_empty_table(
    catalog: &mut Catalog,
    create: &CreateTable,
    name: &str,
) -> Result<String> {
    let mut fields = Vec::with_capacity(create.columns.len());
    for column in &create.columns {
        let column_name = column.name.value.clone();
        if fields
            .iter()
            .any(|f: &Field| f.name().eq_ignore_ascii_case(&column_name))
        {
            return Err(Error::analysis(format!(
                "[COLUMN_ALREADY_EXISTS] CREATE TABLE {name}: the column `{column_name}` is \
                 named twice"
            )));
        }
        let data_type = sql_type(&column.data_type)?;
        fields.push(Field::new(column_name, data_type, true));
    }
    let schema = Arc::new(Schema::new(fields));
    let columns = schema.fields().len();
    catalog.register(name, Table::empty(schema), create.or_replace)?;
    Ok(format!(
        "created table {name} with {columns} column{} and no rows",
        if columns == 1 { "" } else { "s" }
    ))
}

/// `INSERT INTO` / `INSERT OVERWRITE` (see the module's doc).
pub(crate) fn insert(catalog: &mut Catalog, insert: &Insert, ctx: &JobContext) -> Result<String> {
    refuse_other_forms(insert)?;
    let TableObject::TableName(table_name) = &insert.table else {
        return Err(Error::unsupported("INSERT INTO a table function"));
    };
    let name = object_name(table_name)?;
    let target = table_to_change(catalog, &name, "INSERT INTO")?;
    let Some(source) = &insert.source else {
        return Err(Error::analysis("INSERT needs VALUES or a query"));
    };
    let positions = target_positions(&name, target.schema(), &insert.columns)?;
    let plan = crate::sql::plan_query(catalog, source, ctx)?;
    let rows = execute(
        &optimize(stored_rows(&name, target.schema(), plan, &positions)?),
        ctx,
    )?;
    let added = rows.num_rows();
    let kept = if insert.overwrite {
        Vec::new()
    } else {
        target.stored_partitions().to_vec()
    };
    let table = appended(target.schema(), kept, &rows)?;
    let total = table.num_rows();
    catalog.register(&name, table.with_key_codes(), true)?;
    let verb = if insert.overwrite {
        "replaced the rows of"
    } else {
        "inserted into"
    };
    Ok(format!(
        "{verb} {name}: {added} row{} added, {total} in all",
        if added == 1 { "" } else { "s" }
    ))
}

/// The INSERT forms of other databases sqlparser also reads, refused.
fn refuse_other_forms(insert: &Insert) -> Result<()> {
    let other = if insert.partitioned.is_some() || !insert.after_columns.is_empty() {
        Some("INSERT ... PARTITION (...): Brasa's tables are not partitioned; insert the rows with every column")
    } else if insert.or.is_some() || insert.ignore || insert.replace_into {
        Some("INSERT OR / IGNORE / REPLACE INTO")
    } else if insert.on.is_some() {
        Some("INSERT ... ON CONFLICT / ON DUPLICATE KEY")
    } else if insert.returning.is_some() {
        Some("INSERT ... RETURNING")
    } else if !insert.assignments.is_empty() {
        Some("INSERT ... SET")
    } else if insert.table_alias.is_some()
        || insert.settings.is_some()
        || insert.format_clause.is_some()
    {
        Some("this form of INSERT")
    } else {
        None
    };
    match other {
        Some(what) => Err(Error::unsupported(what)),
        None => Ok(()),
    }
}

/// For each column of the table, the position of the query's column it takes (`None`:
/// NULL, a column the list leaves out).
fn target_positions(
    table: &str,
    schema: &SchemaRef,
    columns: &[ast::Ident],
) -> Result<Vec<Option<usize>>> {
    if columns.is_empty() {
        return Ok((0..schema.fields().len()).map(Some).collect());
    }
    let mut positions = vec![None; schema.fields().len()];
    for (at, column) in columns.iter().enumerate() {
        let Some(index) = schema
            .fields()
            .iter()
            .position(|f| f.name().eq_ignore_ascii_case(&column.value))
        else {
            let names: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| format!("`{}`", f.name()))
                .collect();
            return Err(Error::analysis(format!(
                "[UNRESOLVED_COLUMN] INSERT INTO {table}: the table has no column `{}` (its \
                 columns: {})",
                column.value,
                names.join(", ")
            )));
        };
        if positions[index].is_some() {
            return Err(Error::analysis(format!(
                "[COLUMN_ALREADY_EXISTS] INSERT INTO {table}: the column `{}` is listed twice",
                column.value
            )));
        }
        positions[index] = Some(at);
    }
    Ok(positions)
}

/// The query's rows as the table stores them: one column per table column, each value
/// assigned as Spark's ANSI store assignment does.
fn stored_rows(
    table: &str,
    schema: &SchemaRef,
    plan: LogicalPlan,
    positions: &[Option<usize>],
) -> Result<LogicalPlan> {
    let scope = plan.schema();
    let expected = positions.iter().flatten().count();
    if scope.len() != expected {
        let reason = if scope.len() < expected {
            "NOT_ENOUGH_DATA_COLUMNS] not enough data columns"
        } else {
            "TOO_MANY_DATA_COLUMNS] too many data columns"
        };
        return Err(Error::analysis(format!(
            "[INSERT_COLUMN_ARITY_MISMATCH.{reason}: INSERT INTO {table} writes {expected} \
             column{} but the query gives {}",
            if expected == 1 { "" } else { "s" },
            scope.len()
        )));
    }
    let mut exprs = Vec::with_capacity(positions.len());
    let mut fields = Vec::with_capacity(positions.len());
    for (field, position) in schema.fields().iter().zip(positions) {
        let to = field.data_type();
        let value = match position {
            None => Expr::Literal(ScalarValue::Null(to.clone())),
            Some(p) => {
                let source = Expr::column(*p, scope.field(*p).name.clone());
                stored_value(table, field, source, &scope)?
            }
        };
        exprs.push(value);
        fields.push(PlanField::new(None, field.name().as_str(), to.clone()));
    }
    Ok(LogicalPlan::Project {
        input: Box::new(plan),
        exprs,
        schema: PlanSchema::new(fields),
    })
}

/// `source` as a value of the column `target`, or the reason it cannot be stored there.
fn stored_value(table: &str, target: &Field, source: Expr, scope: &PlanSchema) -> Result<Expr> {
    let (from, to) = (source.data_type(scope), target.data_type().clone());
    if from == to {
        return Ok(source);
    }
    if !can_store(&from, &to) {
        return Err(Error::analysis(format!(
            "[INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST] Cannot write incompatible data \
             for the table `{table}`: cannot safely cast `{}` \"{}\" to \"{}\"; CAST the value \
             in the query if that is what you mean",
            target.name(),
            spark_type_name(&from).to_uppercase(),
            spark_type_name(&to).to_uppercase()
        )));
    }
    if !(is_numeric(&from) && is_numeric(&to)) {
        return Ok(source.cast(&to, scope));
    }
    // A number that does not fit fails the statement, as Spark's ANSI cast does.
    let checked = try_numeric_cast(source.clone(), &to, scope)?;
    let fits = Expr::binary(
        BinaryOp::Or,
        Expr::IsNull {
            expr: Box::new(source),
            negated: false,
        },
        Expr::IsNull {
            expr: Box::new(checked.clone()),
            negated: true,
        },
    );
    let message = format!(
        "[CAST_OVERFLOW_IN_TABLE_INSERT] Fail to assign a value of \"{}\" type to the \"{}\" \
         type column `{}` of `{table}` due to an overflow; use try_cast on the value to \
         store NULL instead",
        spark_type_name(&from).to_uppercase(),
        spark_type_name(&to).to_uppercase(),
        target.name()
    );
    let check = Expr::Function {
        func: ScalarFunction::Misc(MiscFunction::AssertTrue),
        args: vec![fits, Expr::Literal(ScalarValue::Utf8(message))],
        return_type: DataType::Null,
    };
    Ok(Expr::Case {
        branches: vec![(
            Expr::IsNull {
                expr: Box::new(check),
                negated: false,
            },
            checked,
        )],
        otherwise: None,
        data_type: to,
    })
}

/// Spark's `Cast.canANSIStoreAssign`: whether a value of type `from` may be stored in a
/// column of type `to`.
fn can_store(from: &DataType, to: &DataType) -> bool {
    use DataType as D;
    let datetime = |t: &DataType| matches!(t, D::Date32 | D::Timestamp(..));
    match (from, to) {
        _ if from == to => true,
        (D::Null, _) => true,
        _ if is_numeric(from) && is_numeric(to) => true,
        _ if is_string(to) => !from.is_nested(),
        _ if datetime(from) && datetime(to) => true,
        (D::List(a), D::List(b)) => can_store(a.data_type(), b.data_type()),
        (D::Map(a, _), D::Map(b, _)) => can_store(a.data_type(), b.data_type()),
        (D::Struct(a), D::Struct(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b.iter())
                    .all(|(x, y)| can_store(x.data_type(), y.data_type()))
        }
        _ => false,
    }
}

/// The table of `schema` holding the stored partitions `kept` then the rows of `added`,
/// small partitions of `added` gathered into few. Every column may hold NULL (as in
/// Spark's tables), so a column a file gave as never NULL takes inserted NULLs.
fn appended(schema: &SchemaRef, kept: Vec<RecordBatch>, added: &Table) -> Result<Table> {
    let nullable = |s: &Schema| {
        Arc::new(Schema::new(
            s.fields()
                .iter()
                .map(|f| f.as_ref().clone().with_nullable(true))
                .collect::<Vec<_>>(),
        ))
    };
    let relax = |batch: &RecordBatch| {
        RecordBatch::try_new(nullable(&batch.schema()), batch.columns().to_vec())
            .map_err(|e| Error::internal("INSERT", e))
    };
    let mut partitions = kept.iter().map(relax).collect::<Result<Vec<_>>>()?;
    let table_schema = nullable(schema);
    let mut pending: Vec<RecordBatch> = Vec::new();
    let mut pending_rows = 0;
    let mut gather = |pending: &mut Vec<RecordBatch>| -> Result<()> {
        if let Some(first) = pending.first() {
            let batch = arrow_select::concat::concat_batches(&first.schema(), pending.iter())
                .map_err(|e| Error::internal("INSERT", e))?;
            partitions.push(
                RecordBatch::try_new(table_schema.clone(), batch.columns().to_vec())
                    .map_err(|e| Error::internal("INSERT", e))?,
            );
        }
        pending.clear();
        Ok(())
    };
    for batch in added.partitions()?.iter().filter(|b| b.num_rows() > 0) {
        if pending_rows + batch.num_rows() > ROWS_PER_PARTITION {
            gather(&mut pending)?;
            pending_rows = 0;
        }
        pending_rows += batch.num_rows();
        pending.push(batch.clone());
    }
    gather(&mut pending)?;
    Table::try_new(table_schema, partitions)
}

/// The table `name` a statement changes: a view or a missing name is refused.
fn table_to_change(catalog: &Catalog, name: &str, statement: &str) -> Result<Arc<Table>> {
    if catalog.view(name).is_some() {
        return Err(Error::analysis(format!(
            "[EXPECT_TABLE_NOT_VIEW] {statement} expects a table but `{name}` is a view; \
             make one (CREATE TABLE {name}_rows AS SELECT * FROM {name})"
        )));
    }
    catalog.get(name).map_err(|_| {
        Error::analysis(format!(
            "[TABLE_OR_VIEW_NOT_FOUND] {statement} {name}: there is no table `{name}` (load a \
             file or CREATE TABLE {name} first)"
        ))
    })
}

/// `TRUNCATE TABLE t`: the table keeps its columns and loses its rows.
pub(crate) fn truncate(catalog: &mut Catalog, truncate: &Truncate) -> Result<String> {
    if truncate.partitions.is_some() {
        return Err(Error::unsupported(
            "TRUNCATE TABLE ... PARTITION: Brasa's tables are not partitioned; DELETE the rows \
             with CREATE OR REPLACE TABLE t AS SELECT ... WHERE NOT (...)",
        ));
    }
    let mut names = Vec::with_capacity(truncate.table_names.len());
    for target in &truncate.table_names {
        let name = object_name(&target.name)?;
        let table = table_to_change(catalog, &name, "TRUNCATE TABLE")?;
        catalog.register(&name, Table::empty(table.schema().clone()), true)?;
        names.push(name);
    }
    Ok(format!("truncated {}", names.join(", ")))
}

/// `ALTER TABLE t RENAME TO u` and `ALTER TABLE t ADD COLUMN c <type>`.
pub(crate) fn alter_table(catalog: &mut Catalog, alter: &AlterTable) -> Result<String> {
    let name = object_name(&alter.name)?;
    if alter.if_exists && !catalog.contains(&name) {
        return Ok(format!("there is no table `{name}` to alter"));
    }
    let mut done = Vec::with_capacity(alter.operations.len());
    for operation in &alter.operations {
        done.push(match operation {
            AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::To(to) | RenameTableNameKind::As(to),
            } => {
                let to = object_name(to)?;
                catalog.rename(&name, &to)?;
                format!("renamed {name} to {to}")
            }
            AlterTableOperation::AddColumn { column_def, .. } => {
                add_column(catalog, &name, column_def)?
            }
            other => {
                return Err(Error::unsupported(format!(
                    "ALTER TABLE ... {other} (Brasa alters a table with RENAME TO and ADD \
                     COLUMN; Spark's file-source tables take no more); make the table anew \
                     with CREATE OR REPLACE TABLE {name} AS SELECT ..."
                )))
            }
        });
    }
    Ok(done.join("; "))
}

/// Table `name` with the column `column` added after its own, NULL in every row.
fn add_column(catalog: &mut Catalog, name: &str, column: &ast::ColumnDef) -> Result<String> {
    let table = table_to_change(catalog, name, "ALTER TABLE")?;
    let column_name = column.name.value.clone();
    if table
        .schema()
        .fields()
        .iter()
        .any(|f| f.name().eq_ignore_ascii_case(&column_name))
    {
        return Err(Error::analysis(format!(
            "[COLUMN_ALREADY_EXISTS] ALTER TABLE {name} ADD COLUMN: `{column_name}` is already \
             a column of {name}"
        )));
    }
    let field = Field::new(column_name.as_str(), sql_type(&column.data_type)?, true);
    let widened = |schema: &Schema| {
        let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(field.clone());
        Arc::new(Schema::new(fields))
    };
    let partitions = table
        .stored_partitions()
        .iter()
        .map(|batch| {
            let mut columns = batch.columns().to_vec();
            columns.push(arrow_array::new_null_array(
                field.data_type(),
                batch.num_rows(),
            ));
            RecordBatch::try_new(widened(&batch.schema()), columns)
                .map_err(|e| Error::internal("ALTER TABLE ADD COLUMN", e))
        })
        .collect::<Result<Vec<_>>>()?;
    let altered = Table::try_new(widened(table.schema()), partitions)?;
    catalog.register(name, altered.with_key_codes(), true)?;
    Ok(format!("added column {column_name} to {name}"))
}
