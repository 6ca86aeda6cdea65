//! Spark-flavoured SQL over the catalog's tables: `sqlparser` parses, `plan` turns the
//! AST into an optimized logical plan, `exec` runs it in parallel over partitions.
//!
//! Besides queries: `CREATE [OR REPLACE] TEMP VIEW v AS ...` (planned each time it is
//! used), `CREATE [OR REPLACE] TABLE t AS ...` (materialised, like `df.cache()`), `DROP
//! TABLE|VIEW [IF EXISTS]`, `CACHE TABLE t AS ...`, `SHOW TABLES`, `SHOW COLUMNS IN t`,
//! `SHOW FUNCTIONS [LIKE 'pattern']` and `DESCRIBE t`, as in Spark.

pub mod decimal;
pub mod dialect;
pub mod exec;
pub mod function_names;
pub mod limits;
pub mod nested_type_tokens;
pub mod number_format;
pub mod parse;
pub mod plan;
pub mod settings;
pub mod show;
pub mod string_literals;
pub mod table_clauses;
pub mod table_writes;
pub mod types;

use arrow_schema::SchemaRef;
use sqlparser::ast::{ObjectType, ShowStatementFilter, Statement};

use crate::error::{Error, Result};
use crate::frame::{Catalog, Table};
use crate::job::JobContext;
use crate::sql::exec::execute;
use crate::sql::parse::parse_statements;
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::optimize::optimize;
use crate::sql::plan::planner::{Planner, SubqueryRunner};
use crate::sql::settings::SettingsOutput;
use crate::sql::show::{describe, show_columns, show_functions, show_tables, show_user_functions};

/// What a statement produced.
#[derive(Debug)]
pub enum SqlOutput {
    /// Rows (queries, `SHOW TABLES`, `DESCRIBE`).
    Rows(Table),
    /// A statement that changed the catalog, and what it did.
    Done(String),
    /// `EXPLAIN`: the query's plans as text.
    Plan(String),
}

/// Runs one or more `;`-separated statements; returns the output of the last.
pub fn run_sql(catalog: &mut Catalog, sql: &str, ctx: &JobContext) -> Result<SqlOutput> {
    let statements = parse_statements(sql)?;
    let mut output = SqlOutput::Done(String::new());
    for statement in &statements {
        output = run_statement(catalog, statement, ctx)?;
    }
    Ok(output)
}

/// Plans and runs a query against the catalog.
pub fn query(catalog: &Catalog, sql: &str, ctx: &JobContext) -> Result<Table> {
    match run_sql_readonly(catalog, sql, ctx)? {
        SqlOutput::Rows(table) => Ok(table),
        SqlOutput::Done(_) | SqlOutput::Plan(_) => Err(Error::analysis("expected a query")),
    }
}

fn run_sql_readonly(catalog: &Catalog, sql: &str, ctx: &JobContext) -> Result<SqlOutput> {
    let statements = parse_statements(sql)?;
    match statements.as_slice() {
        [Statement::Query(q)] => Ok(SqlOutput::Rows(run_query(catalog, q, ctx)?)),
        _ => Err(Error::analysis("expected a single query")),
    }
}

struct Runner<'a> {
    ctx: &'a JobContext,
}

impl SubqueryRunner for Runner<'_> {
    fn run(&self, plan: LogicalPlan) -> Result<Table> {
        execute(&optimize(plan), self.ctx)
    }
}

/// The logical plan of a query (before optimization).
pub fn plan_query(
    catalog: &Catalog,
    query: &sqlparser::ast::Query,
    ctx: &JobContext,
) -> Result<LogicalPlan> {
    let runner = Runner { ctx };
    Planner::new(catalog, &runner).query(query)
}

fn run_query(catalog: &Catalog, query: &sqlparser::ast::Query, ctx: &JobContext) -> Result<Table> {
    let plan = plan_query(catalog, query, ctx)?;
    execute(&optimize(plan), ctx)
}

/// The plans of `query` as `EXPLAIN` shows them: the optimized logical plan (the one
/// Brasa executes, operator by operator), and with EXTENDED the plan before the
/// optimizer too.
fn explain(
    catalog: &Catalog,
    query: &sqlparser::ast::Query,
    extended: bool,
    ctx: &JobContext,
) -> Result<String> {
    let plan = plan_query(catalog, query, ctx)?;
    let analyzed = extended.then(|| format!("== Analyzed Logical Plan ==\n{plan}\n"));
    let optimized = optimize(plan);
    Ok(format!(
        "{}== Optimized Logical Plan ==\n{optimized}",
        analyzed.unwrap_or_default()
    ))
}

fn run_statement(
    catalog: &mut Catalog,
    statement: &Statement,
    ctx: &JobContext,
) -> Result<SqlOutput> {
    match statement {
        Statement::Query(query) => Ok(SqlOutput::Rows(run_query(catalog, query, ctx)?)),
        Statement::CreateView(view) => {
            if view.materialized || !view.columns.is_empty() {
                return Err(Error::unsupported(
                    "materialized views and view column lists",
                ));
            }
            let name = object_name(&view.name)?;
            // Plan it now so a broken view is reported when it is created.
            plan_query(catalog, &view.query, ctx)?;
            if view.if_not_exists && catalog.view(&name).is_some() {
                return Ok(SqlOutput::Done(format!("view {name} already exists")));
            }
            catalog.register_view(&name, &view.query.to_string(), view.or_replace)?;
            Ok(SqlOutput::Done(format!("created view {name}")))
        }
        Statement::CreateTable(create) => {
            let name = object_name(&create.name)?;
            if create.if_not_exists && catalog.get(&name).is_ok() {
                return Ok(SqlOutput::Done(format!("table {name} already exists")));
            }
            let Some(query) = &create.query else {
                if create.columns.is_empty() {
                    return Err(Error::analysis(
                        "CREATE TABLE needs its columns, CREATE TABLE t (a INT, b STRING), or \
                         a query, CREATE TABLE t AS SELECT ...",
                    ));
                }
                let message = table_writes::create_empty_table(catalog, create, &name)?;
                return Ok(SqlOutput::Done(message));
            };
            if !create.columns.is_empty() {
                return Err(Error::analysis(
                    "CREATE TABLE with both columns and AS SELECT (Spark refuses it too: the \
                     query gives the columns); drop the column list, or CAST in the query",
                ));
            }
            let table = run_query(catalog, query, ctx)?;
            let rows = table.num_rows();
            catalog.register(&name, table.with_key_codes(), create.or_replace)?;
            Ok(SqlOutput::Done(format!(
                "created table {name} with {rows} rows"
            )))
        }
        Statement::Drop {
            object_type,
            if_exists,
            names,
            ..
        } => {
            let mut dropped = Vec::new();
            for name in names {
                let name = object_name(name)?;
                let result = match object_type {
                    ObjectType::Table => catalog.drop_table(&name),
                    ObjectType::View => catalog.drop_view(&name),
                    other => return Err(Error::unsupported(format!("DROP {other}"))),
                };
                match result {
                    Ok(()) => dropped.push(name),
                    Err(_) if *if_exists => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(SqlOutput::Done(if dropped.is_empty() {
                "nothing to drop".into()
            } else {
                format!("dropped {}", dropped.join(", "))
            }))
        }
        Statement::Truncate(truncate) => {
            Ok(SqlOutput::Done(table_writes::truncate(catalog, truncate)?))
        }
        Statement::AlterTable(alter) => {
            Ok(SqlOutput::Done(table_writes::alter_table(catalog, alter)?))
        }
        Statement::Insert(insert) => {
            Ok(SqlOutput::Done(table_writes::insert(catalog, insert, ctx)?))
        }
        Statement::ShowTables { .. } => Ok(SqlOutput::Rows(show_tables(catalog)?)),
        Statement::Explain {
            analyze,
            verbose,
            statement,
            ..
        } => {
            if *analyze {
                return Err(Error::unsupported(
                    "EXPLAIN ANALYZE (run the query: its time is shown with the result)",
                ));
            }
            let Statement::Query(query) = statement.as_ref() else {
                return Err(Error::unsupported(
                    "EXPLAIN of a statement other than a query",
                ));
            };
            Ok(SqlOutput::Plan(explain(catalog, query, *verbose, ctx)?))
        }
        Statement::ExplainTable { table_name, .. } => {
            let schema = relation_schema(catalog, table_name, ctx)?;
            Ok(SqlOutput::Rows(describe(&schema)?))
        }
        Statement::ShowColumns { show_options, .. } => {
            let table = show_options
                .show_in
                .as_ref()
                .and_then(|i| i.parent_name.as_ref())
                .ok_or_else(|| Error::analysis("SHOW COLUMNS needs a table: SHOW COLUMNS IN t"))?;
            let schema = relation_schema(catalog, table, ctx)?;
            Ok(SqlOutput::Rows(show_columns(&schema)?))
        }
        Statement::ShowFunctions { filter } => {
            let pattern = match filter {
                None => None,
                Some(ShowStatementFilter::Like(p) | ShowStatementFilter::NoKeyword(p)) => {
                    Some(p.as_str())
                }
                Some(other) => {
                    return Err(Error::unsupported(format!(
                        "SHOW FUNCTIONS {other} (Spark takes SHOW FUNCTIONS LIKE 'pattern')"
                    )))
                }
            };
            Ok(SqlOutput::Rows(show_functions(pattern)?))
        }
        Statement::Set(set) => Ok(match settings::set(catalog, set)? {
            SettingsOutput::Rows(table) => SqlOutput::Rows(table),
            SettingsOutput::Done(message) => SqlOutput::Done(message),
        }),
        // Spark's `SET`, `SET key` and `SHOW USER FUNCTIONS`, as `settings::bare_settings`
        // rewrote them; any other `SHOW x` is not Spark's.
        Statement::ShowVariable { variable } => match variable.split_first() {
            Some((marker, key)) if marker.value == settings::SET_MARKER => {
                let key = (!key.is_empty()).then(|| settings::dotted(key));
                Ok(SqlOutput::Rows(settings::show(catalog, key.as_deref())?))
            }
            Some((marker, _)) if marker.value == settings::USER_FUNCTIONS_MARKER => {
                Ok(SqlOutput::Rows(show_user_functions()?))
            }
            _ => Err(Error::unsupported(format!(
                "the statement `SHOW {}` (Brasa shows TABLES, COLUMNS, FUNCTIONS and, with \
                 SET, its settings)",
                variable
                    .iter()
                    .map(|part| part.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ))),
        },
        Statement::Reset(reset) => Ok(SqlOutput::Done(settings::reset(catalog, reset))),
        Statement::Cache {
            table_flag,
            table_name,
            options,
            query,
            ..
        } => cache_table(
            catalog,
            table_flag.is_some(),
            table_name,
            !options.is_empty(),
            query.as_deref(),
            ctx,
        ),
        Statement::UNCache {
            table_name,
            if_exists,
        } => {
            let name = object_name(table_name)?;
            if !catalog.contains(&name) {
                return if *if_exists {
                    Ok(SqlOutput::Done(format!(
                        "there is no table `{name}` to uncache"
                    )))
                } else {
                    Err(Error::analysis(format!(
                        "UNCACHE TABLE {name}: there is no table or view `{name}`"
                    )))
                };
            }
            Ok(SqlOutput::Done(format!(
                "{name} stays in memory, where Brasa keeps every table (DROP TABLE {name} \
                 frees it)"
            )))
        }
        other => Err(Error::unsupported(format!(
            "the statement `{}`",
            other.to_string().chars().take(60).collect::<String>()
        ))),
    }
}

/// `CACHE [LAZY] TABLE t [AS] query` makes `t` from the query, held in memory as
/// `CREATE TABLE t AS ...` would; `CACHE TABLE t` of a table or view already
/// known says so, since Brasa keeps every table in memory (a view is still planned each
/// time it is read, its source tables being in memory).
fn cache_table(
    catalog: &mut Catalog,
    lazy: bool,
    name: &sqlparser::ast::ObjectName,
    has_options: bool,
    query: Option<&sqlparser::ast::Query>,
    ctx: &JobContext,
) -> Result<SqlOutput> {
    let name = object_name(name)?;
    if has_options {
        return Err(Error::unsupported(format!(
            "CACHE TABLE {name} OPTIONS (...): Brasa keeps tables in memory as they are, with \
             no storage level to choose; drop the OPTIONS"
        )));
    }
    let Some(query) = query else {
        return if catalog.contains(&name) {
            Ok(SqlOutput::Done(format!(
                "{name} is in memory already: Brasa keeps every table there"
            )))
        } else {
            Err(Error::analysis(format!(
                "CACHE TABLE {name}: there is no table or view `{name}`; \
                 CACHE TABLE {name} AS SELECT ... makes one"
            )))
        };
    };
    let table = run_query(catalog, query, ctx)?;
    let rows = table.num_rows();
    // Spark refuses a name that is taken, so a loaded table is never replaced here.
    catalog.register(&name, table.with_key_codes(), false)?;
    let when = if lazy {
        " (at once: Brasa has no lazy caching)"
    } else {
        ""
    };
    Ok(SqlOutput::Done(format!(
        "cached {name} with {rows} rows{when}"
    )))
}

pub(crate) fn object_name(name: &sqlparser::ast::ObjectName) -> Result<String> {
    name.0
        .iter()
        .filter_map(|p| p.as_ident().map(|i| i.value.clone()))
        .next_back()
        .ok_or_else(|| Error::analysis("missing name"))
}

/// The columns of table or view `name`.
fn relation_schema(
    catalog: &Catalog,
    name: &sqlparser::ast::ObjectName,
    ctx: &JobContext,
) -> Result<SchemaRef> {
    let name = object_name(name)?;
    Ok(match catalog.view(&name) {
        Some(sql) => query(catalog, &sql, ctx)?.schema_arc(),
        None => catalog.get(&name)?.schema_arc(),
    })
}
