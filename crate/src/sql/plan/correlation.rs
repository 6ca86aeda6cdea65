//! What the planner carries while it decorrelates subqueries (the work itself is in
//! `subquery.rs`, `decorrelate.rs` and `value_joins.rs`). It lives apart so that
//! `planner.rs` can hold it without importing the modules that build on the planner.
//!
//! Two things are tracked:
//! - the stack of *outer scopes*: while a subquery is planned, the columns of the query
//!   around it, which its WHERE may read (Spark's outer references), and what the
//!   subquery's WHERE took from them;
//! - the *pending joins* of the SELECT being planned: a correlated scalar subquery in an
//!   expression becomes a left join that the SELECT adds under itself once the expression
//!   is planned. Until then the expression reads the join's columns through placeholders
//!   (see [`placeholder`]).

use crate::frame::interval_type::{is_day_time, is_year_month};
use crate::sql::plan::expr::Expr;
use crate::sql::plan::functions::{DateTimeFunction, ScalarFunction};
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};

/// What a subquery is used as: it decides how a correlation is joined back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubqueryKind {
    Exists,
    In,
    Scalar,
    /// `LATERAL (subquery)` in FROM: its rows join the outer row's.
    Lateral,
}

/// How the subquery's SELECT produces its rows, which decides what it gives for an outer
/// row no inner row matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// No aggregation: one row per matching inner row.
    Rows,
    /// GROUP BY: one row per group of the matching rows, none when nothing matches.
    Grouped,
    /// Aggregates without GROUP BY: exactly one row per outer row, even when nothing
    /// matches (`count(*)` is then 0: the "count bug" a plain join would have).
    Global,
}

/// A correlation as the subquery's WHERE found it, over the subquery's FROM scope.
#[derive(Debug, Clone, Default)]
pub struct FoundCorrelation {
    /// `inner = outer` conjuncts: (expression over the outer scope, over the inner one).
    pub keys: Vec<(Expr, Expr)>,
    /// Other conjuncts reading outer columns, over the inner scope then the outer one.
    pub residual: Vec<Expr>,
    /// Width of the inner scope (where the outer columns start in `residual`).
    pub inner_width: usize,
}

/// A decorrelated subquery: its plan outputs the SELECT's own columns, then one column
/// per correlation key, then (for `HAVING` kept as a column) the HAVING condition, then
/// the inner columns the residual conjuncts read.
#[derive(Debug, Clone)]
pub struct Correlation {
    /// The SELECT's own columns.
    pub width: usize,
    /// (expression over the outer scope, output column of the subquery's plan).
    pub keys: Vec<(Expr, usize)>,
    /// The other correlated conditions, over the outer scope then the subquery's output.
    pub residual: Option<Expr>,
    pub shape: Shape,
    /// Output column holding the HAVING condition of a correlated scalar subquery that
    /// aggregates without GROUP BY (see `subquery.rs`).
    pub having: Option<usize>,
    /// Whether the SELECT has a HAVING (kept as a filter or as `having`).
    pub has_having: bool,
}

/// One level of the outer-scope stack.
#[derive(Debug)]
pub struct OuterScope {
    /// The columns of the query around the subquery, as its WHERE sees them.
    pub scope: PlanSchema,
    pub kind: SubqueryKind,
    /// Whether the subquery's SELECT has taken this scope; only that SELECT (not one in
    /// its FROM) may read it.
    pub claimed: bool,
    /// What that SELECT's WHERE read from the outer scope.
    pub found: FoundCorrelation,
    /// The finished correlation, once the SELECT has added its outputs.
    pub correlation: Option<Correlation>,
    /// The plan whose rows the outer scope's columns hold (the outer query's FROM), when
    /// it is known: the domain of a correlation that is not only equalities is drawn
    /// from it (see `domain.rs`).
    pub source: Option<LogicalPlan>,
}

impl OuterScope {
    pub fn new(
        scope: PlanSchema,
        kind: SubqueryKind,
        claimed: bool,
        source: Option<LogicalPlan>,
    ) -> Self {
        OuterScope {
            scope,
            kind,
            claimed,
            found: FoundCorrelation::default(),
            correlation: None,
            source,
        }
    }
}

/// A left join waiting to be put under the SELECT whose expression asked for it.
#[derive(Debug, Clone)]
pub struct PendingJoin {
    pub right: LogicalPlan,
    /// (expression over the SELECT's scope, expression over `right`).
    pub on: Vec<(Expr, Expr)>,
}

/// The pending joins of one SELECT clause: `scope` is what its expressions are planned
/// over, `base` the width of the plan the joins go on (their columns follow it).
#[derive(Debug, Clone)]
pub struct PendingJoins {
    pub scope: PlanSchema,
    pub base: usize,
    pub joins: Vec<PendingJoin>,
    /// The joined columns so far, after `base`.
    pub fields: Vec<PlanField>,
}

/// The planner's subquery state.
#[derive(Debug, Default)]
pub struct SubqueryState {
    pub outer: Vec<OuterScope>,
    /// `None` where a correlated scalar subquery cannot be joined in.
    pub pending: Option<PendingJoins>,
    /// The FROM plans of the SELECTs being planned, innermost last: a subquery of a
    /// SELECT finds its outer scope's rows here (by the scope's columns).
    pub sources: Vec<LogicalPlan>,
}

impl SubqueryState {
    /// The innermost source whose columns are `scope`.
    pub fn source_of(&self, scope: &PlanSchema) -> Option<LogicalPlan> {
        self.sources
            .iter()
            .rev()
            .find(|plan| &plan.schema() == scope)
            .cloned()
    }
}

/// A reference to column `index` of a pending join. The column is not in the scope the
/// surrounding expression is planned over, so it is wrapped in a cast to its own type:
/// typing the expression reads the cast's type and never looks the column up. Once the
/// joins are in place, [`strip_placeholders`] unwraps it. An interval's fields (an
/// `interval day` from the subquery) are kept by truncating it to a unit of one
/// microsecond or month, typed with the fields: the value unchanged, its fields read from
/// the unit, never from the column.
pub fn placeholder(index: usize, field: &PlanField) -> Expr {
    let cast = Expr::Cast {
        expr: Box::new(Expr::column(index, field.name.clone())),
        to: field.data_type.clone(),
    };
    let unit = match field.interval {
        Some(f) if is_year_month(&field.data_type) && f.is_year_month() => {
            ScalarValue::YearMonth(1, f)
        }
        Some(f) if is_day_time(&field.data_type) && !f.is_year_month() => {
            ScalarValue::DayTime(1, f)
        }
        _ => return cast,
    };
    Expr::Function {
        func: ScalarFunction::DateTime(DateTimeFunction::IntervalTruncate),
        args: vec![cast, Expr::Literal(unit)],
        return_type: field.data_type.clone(),
    }
}

/// `e` with the placeholders of joined columns (at `base` and after) unwrapped. Nothing
/// else has that shape: the expression was planned over a scope of `base` columns.
pub fn strip_placeholders(e: Expr, base: usize) -> Expr {
    e.rewrite(&mut |node| match node {
        Expr::Cast { expr, .. } => match expr.as_ref() {
            Expr::Column { index, .. } if *index >= base => Some(expr.as_ref().clone()),
            _ => None,
        },
        _ => None,
    })
}
