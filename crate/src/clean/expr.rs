//! The steps written as SQL expressions (`filter`, `withColumn`, `cast`) run through the
//! SQL engine, so they accept exactly what the SQL tab accepts, with the same functions,
//! types and errors, and run in parallel over partitions.
//!
//! The step's table is registered as [`INPUT`] in a copy of the session's catalog (other
//! tables stay reachable for subqueries), and the user's expression is put on a line of
//! its own, so an error's position is the position in what the user typed.

use std::sync::Arc;

use crate::clean::columns::resolve;
use crate::error::{Error, Result};
use crate::frame::{Catalog, Table};
use crate::job::JobContext;
use crate::sql::query;

/// The name the step's input has inside the generated query.
pub const INPUT: &str = "__brasa_step_input";

/// A name quoted for Spark SQL.
pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The generated query around the user's text: `before` and `after` surround it, and the
/// user's text starts at column `offset + 1` of line 2.
struct Wrapped {
    sql: String,
    offset: u64,
}

impl Wrapped {
    fn new(before: &str, prefix: &str, user: &str, after: &str) -> Self {
        Wrapped {
            sql: format!("{before}\n{prefix}{user}{after}"),
            offset: prefix.chars().count() as u64,
        }
    }

    /// Runs the query on `input` registered as [`INPUT`].
    fn run(&self, catalog: &Catalog, input: &Arc<Table>, ctx: &JobContext) -> Result<Table> {
        let mut catalog = catalog.clone();
        catalog.register(INPUT, Table::clone(input), true)?;
        query(&catalog, &self.sql, ctx).map_err(|e| self.user_position(e))
    }

    /// Moves an error's position from the generated query to the user's text, and drops
    /// the generated query's vocabulary from the message.
    fn user_position(&self, mut error: Error) -> Error {
        if let Some((line, column)) = error.location().position {
            let column = if line == 2 {
                column.saturating_sub(self.offset).max(1)
            } else {
                column
            };
            error = error.relocate(line.saturating_sub(1).max(1), column);
        }
        let message = error
            .message()
            .replace(
                "WHERE needs a boolean condition",
                "the filter needs a boolean condition",
            )
            .replace(INPUT, "the step's input");
        error.with_message(message)
    }
}

/// `df.filter("<condition>")`.
pub fn filter(
    catalog: &Catalog,
    input: &Arc<Table>,
    condition: &str,
    ctx: &JobContext,
) -> Result<Table> {
    if condition.trim().is_empty() {
        return Err(Error::clean("the filter condition is empty"));
    }
    Wrapped::new(&format!("SELECT * FROM {INPUT} WHERE"), "", condition, "\n")
        .run(catalog, input, ctx)
}

/// `df.withColumn(column, expr("<expression>"))`: replaces `column` in place if it exists
/// (matching names case-insensitively, as Spark), else appends it.
pub fn with_column(
    catalog: &Catalog,
    input: &Arc<Table>,
    column: &str,
    expression: &str,
    ctx: &JobContext,
) -> Result<Table> {
    if column.is_empty() {
        return Err(Error::clean("give the new column a name"));
    }
    if expression.trim().is_empty() {
        return Err(Error::clean(format!(
            "the expression for `{column}` is empty"
        )));
    }
    let fields = input.schema().fields();
    let at = resolve(input.schema(), column).unwrap_or(fields.len());
    let quoted = |range: std::ops::Range<usize>| -> Vec<String> {
        fields[range].iter().map(|f| quote(f.name())).collect()
    };
    let before = quoted(0..at);
    let after = quoted((at + 1).min(fields.len())..fields.len());
    let prefix = if before.is_empty() {
        "(".to_string()
    } else {
        format!("{}, (", before.join(", "))
    };
    let suffix = if after.is_empty() {
        format!("\n) AS {}", quote(column))
    } else {
        format!("\n) AS {}, {}", quote(column), after.join(", "))
    };
    Wrapped::new(
        "SELECT",
        &prefix,
        expression,
        &format!("{suffix}\nFROM {INPUT}"),
    )
    .run(catalog, input, ctx)
}

/// `df.withColumn(column, col(column).cast(dataType))`.
pub fn cast(
    catalog: &Catalog,
    input: &Arc<Table>,
    column: &str,
    data_type: &str,
    ctx: &JobContext,
) -> Result<Table> {
    let i = resolve(input.schema(), column)?;
    let name = input.schema().field(i).name().clone();
    if data_type.trim().is_empty() {
        return Err(Error::clean(format!("choose a type to cast `{name}` to")));
    }
    with_column(
        catalog,
        input,
        &name,
        &format!("CAST({} AS {data_type})", quote(&name)),
        ctx,
    )
}
