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

/// The qualifier (then a number) of the hidden columns a SELECT-list generator makes;
/// `qualifier.*` still lists them.
pub const SELECT_GENERATOR: &str = "__select_generator";

/// Which generator, and how it treats an empty or NULL array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generator {
    /// `posexplode`: each element's 0-based position comes first, as `pos`.
    pub with_position: bool,
    /// `_outer` or `LATERAL VIEW OUTER`: an empty or NULL array still gives one row, of
    /// NULLs, instead of none.
    pub outer: bool,
}

impl Generator {
    pub fn from_name(name: &str) -> Option<Generator> {
        let (with_position, outer) = match name.to_ascii_lowercase().as_str() {
            "explode" => (false, false),
            "explode_outer" => (false, true),
            "posexplode" => (true, false),
            "posexplode_outer" => (true, true),
            _ => return None,
        };
        Some(Generator {
            with_position,
            outer,
        })
    }

    pub fn name(self) -> &'static str {
        match (self.with_position, self.outer) {
            (false, false) => "explode",
            (false, true) => "explode_outer",
            (true, false) => "posexplode",
            (true, true) => "posexplode_outer",
        }
    }

    /// Spark's names for the columns it makes when the query names none: of an array,
    /// `col`; of a map, `key` and `value`; `pos` before them for `posexplode`.
    pub fn default_names(self, of_map: bool) -> &'static [&'static str] {
        match (self.with_position, of_map) {
            (true, false) => &["pos", "col"],
            (false, false) => &["col"],
            (true, true) => &["pos", "key", "value"],
            (false, true) => &["key", "value"],
        }
    }
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
    /// Output: each input row once per element of the array `arg` (once with NULLs for an
    /// empty or NULL array when the generator is `outer`), the input's columns then the
    /// element's position (`posexplode`) and the element.
    Generate {
        input: Box<LogicalPlan>,
        generator: Generator,
        arg: Expr,
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
            | LogicalPlan::Generate { schema, .. }
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
