//! `WITH RECURSIVE name(cols) AS (anchor UNION ALL step)`, as Spark 4.1 runs it: the
//! anchor's rows, then the step run over the rows the previous run added, until a run adds
//! none. Each run is planned and executed here, as the planner runs uncorrelated
//! subqueries, and the CTE becomes a table of every run's rows.
//!
//! As in Spark: the body is one `UNION ALL` of an anchor that does not read the CTE and a
//! step that does (plain `UNION` is refused); the step's columns must have the anchor's
//! types (a NULL takes it); more than 100 runs is `RECURSION_LEVEL_LIMIT_EXCEEDED` and more
//! than a million rows `RECURSION_ROW_LIMIT_EXCEEDED` (Spark's defaults). Spark can stop an
//! endless recursion early for a `LIMIT` over it; Brasa runs it to the limit and reports it.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Field, Schema};
use sqlparser::ast::{self, Query, SetExpr, SetOperator, SetQuantifier, TableFactor};

use crate::error::{Error, Result};
use crate::frame::{spark_type_name, Table};
use crate::sql::plan::expr::Expr;
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::schema::PlanSchema;

/// Most runs of the step (Spark's `spark.sql.cteRecursionLevelLimit`).
const MAX_LEVELS: usize = 100;
/// Most rows a recursive CTE may make (Spark's `spark.sql.cteRecursionRowLimit`).
const MAX_ROWS: usize = 1_000_000;

impl Planner<'_> {
    /// The plan of one CTE of a `WITH RECURSIVE`: its rows as a table when it reads
    /// itself, its plain plan otherwise.
    pub(crate) fn recursive_cte(&mut self, cte: &ast::Cte) -> Result<LogicalPlan> {
        let name = cte.alias.name.value.clone();
        if !query_reads(&cte.query, &name) {
            let plan = self.query(&cte.query)?;
            return super::planner::alias(plan, &cte.alias);
        }
        let (anchor, step) = recursive_parts(&cte.query, &name)?;
        let anchor = super::planner::alias(self.set_expr(anchor)?, &cte.alias)?;
        let anchor_schema = anchor.schema();
        let first = self.runner.run(anchor)?;
        let schema = nullable(first.schema());
        let mut batches = rows_of(&first, &schema)?;
        let mut rows = first.num_rows();
        let mut last = Arc::new(Table::try_new(Arc::clone(&schema), batches.clone())?);
        for level in 1.. {
            self.bind_cte(&name, LogicalPlan::scan_of(Arc::clone(&last), &name));
            let step_plan = self.set_expr(step)?;
            let step_plan = as_anchor(step_plan, &anchor_schema, &name)?;
            let added = self.runner.run(step_plan)?;
            if added.num_rows() == 0 {
                break;
            }
            if level >= MAX_LEVELS {
                return Err(Error::analysis(format!(
                    "the recursive CTE `{name}` still adds rows after {MAX_LEVELS} runs of \
                     its step (Spark's RECURSION_LEVEL_LIMIT_EXCEEDED): give its step a \
                     condition that ends it"
                )));
            }
            rows += added.num_rows();
            if rows > MAX_ROWS {
                return Err(Error::analysis(format!(
                    "the recursive CTE `{name}` makes more than {MAX_ROWS} rows (Spark's \
                     RECURSION_ROW_LIMIT_EXCEEDED): give its step a condition that ends it \
                     sooner"
                )));
            }
            let new = rows_of(&added, &schema)?;
            batches.extend(new.iter().cloned());
            last = Arc::new(Table::try_new(Arc::clone(&schema), new)?);
        }
        let all = Arc::new(Table::try_new(schema, batches)?);
        Ok(LogicalPlan::scan_of(all, &name))
    }
}

/// `schema` with every column nullable: a step may add NULLs where the anchor had none.
fn nullable(schema: &arrow_schema::SchemaRef) -> arrow_schema::SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    Arc::new(Schema::new(fields))
}

/// The rows of `table` as batches of `schema` (same columns, nullable).
fn rows_of(table: &Table, schema: &arrow_schema::SchemaRef) -> Result<Vec<RecordBatch>> {
    table
        .partitions()?
        .iter()
        .filter(|batch| batch.num_rows() > 0)
        .map(|batch| {
            RecordBatch::try_new(Arc::clone(schema), batch.columns().to_vec())
                .map_err(|e| Error::internal("collecting a recursive CTE's rows", e))
        })
        .collect()
}

/// The step's rows in the anchor's columns: the same types (a NULL column cast to its),
/// or Spark's `CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE`.
fn as_anchor(step: LogicalPlan, anchor: &PlanSchema, name: &str) -> Result<LogicalPlan> {
    let schema = step.schema();
    if schema.len() != anchor.len() {
        return Err(Error::analysis(format!(
            "the recursive CTE `{name}`: its step gives {} columns, its anchor {}",
            schema.len(),
            anchor.len()
        )));
    }
    let mut exprs = Vec::with_capacity(schema.len());
    for (i, (got, want)) in schema.fields().iter().zip(anchor.fields()).enumerate() {
        let column = Expr::column(i, got.name.clone());
        if got.data_type == want.data_type {
            exprs.push(column);
        } else if got.data_type == arrow_schema::DataType::Null {
            exprs.push(column.cast(&want.data_type, &schema));
        } else {
            return Err(Error::analysis(format!(
                "the recursive CTE `{name}`: its step gives column {} as {} where its anchor \
                 gives {} (Spark's CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE); CAST one to the other",
                i + 1,
                spark_type_name(&got.data_type),
                spark_type_name(&want.data_type)
            )));
        }
    }
    Ok(LogicalPlan::Project {
        input: Box::new(step),
        exprs,
        schema: anchor.clone(),
    })
}

fn invalid(name: &str) -> Error {
    Error::analysis(format!(
        "the recursive CTE `{name}` must be `anchor UNION ALL step`, with the anchor not \
         reading `{name}` and no ORDER BY or LIMIT around them (Spark's \
         INVALID_RECURSIVE_CTE)"
    ))
}

/// The anchor and the step of a recursive CTE's body.
fn recursive_parts<'q>(query: &'q Query, name: &str) -> Result<(&'q SetExpr, &'q SetExpr)> {
    if query.order_by.is_some() || query.limit_clause.is_some() || query.with.is_some() {
        return Err(invalid(name));
    }
    let SetExpr::SetOperation {
        op: SetOperator::Union,
        set_quantifier,
        left,
        right,
    } = query.body.as_ref()
    else {
        return Err(invalid(name));
    };
    if !matches!(set_quantifier, SetQuantifier::All) {
        return Err(Error::unsupported(format!(
            "UNION without ALL in the recursive CTE `{name}` (as in Spark, \
             UNION_NOT_SUPPORTED_IN_RECURSIVE_CTE); use UNION ALL"
        )));
    }
    if set_reads(left, name) {
        return Err(invalid(name));
    }
    Ok((left, right))
}

/// Whether `query` reads the table `name` in a FROM (its own or a nested query's).
fn query_reads(query: &Query, name: &str) -> bool {
    set_reads(&query.body, name)
}

fn set_reads(body: &SetExpr, name: &str) -> bool {
    match body {
        SetExpr::Select(select) => select.from.iter().any(|from| {
            factor_reads(&from.relation, name)
                || from.joins.iter().any(|j| factor_reads(&j.relation, name))
        }),
        SetExpr::Query(query) => query_reads(query, name),
        SetExpr::SetOperation { left, right, .. } => {
            set_reads(left, name) || set_reads(right, name)
        }
        _ => false,
    }
}

fn factor_reads(factor: &TableFactor, name: &str) -> bool {
    match factor {
        TableFactor::Table { name: table, .. } => table
            .0
            .last()
            .and_then(|part| part.as_ident())
            .is_some_and(|ident| ident.value.eq_ignore_ascii_case(name)),
        TableFactor::Derived { subquery, .. } => query_reads(subquery, name),
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            factor_reads(&table_with_joins.relation, name)
                || table_with_joins
                    .joins
                    .iter()
                    .any(|j| factor_reads(&j.relation, name))
        }
        _ => false,
    }
}
