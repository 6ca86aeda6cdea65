//! Logical plans: what a query computes, as a tree of relational operators over
//! resolved expressions. The physical layer (`exec`) decides how, partition by partition.

use std::sync::Arc;

use crate::frame::Table;
use crate::sql::plan::expr::{AggregateCall, Expr, SortKey, WindowCall};
use crate::sql::plan::schema::PlanSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    /// Rows of the left side with a match (from `IN (subquery)`).
    LeftSemi,
    /// Rows of the left side without a match (from `NOT IN (subquery)`).
    LeftAnti,
}

#[derive(Debug, Clone)]
pub enum LogicalPlan {
    /// Rows of a catalog table: only `projection`'s columns, and only rows passing every
    /// filter (pushed down by the optimizer).
    Scan {
        table: Arc<Table>,
        projection: Vec<usize>,
        filters: Vec<Expr>,
        schema: PlanSchema,
    },
    /// One row and no columns: `SELECT 1 + 1` without `FROM`.
    OneRow,
    Filter {
        input: Box<LogicalPlan>,
        predicate: Expr,
    },
    Project {
        input: Box<LogicalPlan>,
        exprs: Vec<Expr>,
        schema: PlanSchema,
    },
    /// Output: the grouping keys, then one column per aggregate.
    Aggregate {
        input: Box<LogicalPlan>,
        group: Vec<Expr>,
        aggregates: Vec<AggregateCall>,
        schema: PlanSchema,
    },
    /// Output: the input's columns, then one column per window function.
    Window {
        input: Box<LogicalPlan>,
        windows: Vec<WindowCall>,
        schema: PlanSchema,
    },
    Sort {
        input: Box<LogicalPlan>,
        keys: Vec<SortKey>,
        /// Only the first `fetch` rows are needed (`ORDER BY ... LIMIT`): a top-k.
        fetch: Option<usize>,
    },
    Limit {
        input: Box<LogicalPlan>,
        skip: usize,
        fetch: Option<usize>,
    },
    /// Equi-join on `on` pairs (left expression, right expression) plus an optional
    /// residual `filter` over the joined row; no pairs is a cross join.
    Join {
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        kind: JoinKind,
        on: Vec<(Expr, Expr)>,
        filter: Option<Expr>,
        schema: PlanSchema,
    },
    Distinct {
        input: Box<LogicalPlan>,
    },
    /// `UNION ALL` of inputs with the same column types.
    Union {
        inputs: Vec<LogicalPlan>,
        schema: PlanSchema,
    },
    /// Renames the qualifier of the input's columns (`(subquery) AS s`, CTEs).
    Alias {
        input: Box<LogicalPlan>,
        schema: PlanSchema,
    },
}

impl LogicalPlan {
    pub fn schema(&self) -> PlanSchema {
        match self {
            LogicalPlan::Scan { schema, .. }
            | LogicalPlan::Project { schema, .. }
            | LogicalPlan::Aggregate { schema, .. }
            | LogicalPlan::Window { schema, .. }
            | LogicalPlan::Join { schema, .. }
            | LogicalPlan::Union { schema, .. }
            | LogicalPlan::Alias { schema, .. } => schema.clone(),
            LogicalPlan::OneRow => PlanSchema::default(),
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Distinct { input } => input.schema(),
        }
    }
}
