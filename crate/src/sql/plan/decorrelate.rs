//! Correlated EXISTS and IN conditions of WHERE as joins, as Spark's optimizer rewrites
//! them (`RewritePredicateSubquery`); `subquery.rs` plans the subquery itself with its
//! correlation keys as extra output columns, `value_joins.rs` joins the subqueries that
//! give values to expressions.
//!
//! - `[NOT] EXISTS` as an AND condition of WHERE: a left semi (anti) join on the
//!   correlation keys, other correlated conditions as the join's residual filter.
//! - `x IN (subquery)` there: a semi join on the keys and `x = value`. `x NOT IN`: an anti
//!   join on the keys whose filter is `x = value OR (x = value) IS NULL`, Spark's
//!   null-aware anti join: a NULL `x`, or a NULL among the correlated group's values,
//!   makes the row's NOT IN NULL (filtered out), and an empty group keeps the row.
//! - A subquery that aggregates without GROUP BY gives one row for every outer row:
//!   EXISTS is then true, and `x IN` is `x = (the aggregate)`, a scalar join.
//! - In a correlated subquery's own WHERE, the conditions that read outer columns are
//!   taken out and recorded (keys `inner = outer`, other conditions as residuals). The
//!   others are planned over the subquery's own columns first, so that subqueries
//!   correlated with it are joined under it in turn.

use sqlparser::ast::{self, BinaryOperator, Query, Spanned, UnaryOperator};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::parse::{at_span, at_span_if_unplaced};
use crate::sql::plan::correlation::{strip_placeholders, Correlation, Shape, SubqueryKind};
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::logical::{JoinKind, LogicalPlan};
use crate::sql::plan::planner::{boolean_predicate, no_aggregates_or_windows, Planner};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::plan::subquery::with_outer;
use crate::sql::plan::value_joins::{apply_joins, in_equality, reads};

/// `[NOT] EXISTS (q)` or `x [NOT] IN (q)` as written.
struct PredicateSubquery<'a> {
    query: &'a Query,
    value: Option<&'a ast::Expr>,
    negated: bool,
}

/// A correlated EXISTS or IN of WHERE, joined once the WHERE is planned.
struct SemiJoin {
    right: LogicalPlan,
    correlation: Correlation,
    /// `x` of `x IN`, over the WHERE's scope.
    value: Option<Expr>,
    negated: bool,
}

enum Conjunct {
    Join(Box<SemiJoin>),
    Condition(Expr),
}

impl Planner<'_> {
    /// `plan` filtered by WHERE `selection`: correlated EXISTS / IN conditions become
    /// semi and anti joins, correlated scalar subqueries left joins. In a correlated
    /// subquery (`correlated` is its outer scope), the conditions that read outer columns
    /// are taken out and recorded for [`Planner::correlated_outputs`].
    pub(crate) fn where_clause(
        &mut self,
        plan: LogicalPlan,
        selection: &ast::Expr,
        correlated: Option<usize>,
    ) -> Result<LogicalPlan> {
        let scope = plan.schema();
        let width = scope.len();
        let combined = match correlated {
            Some(frame) => with_outer(&scope, &self.subqueries.outer[frame].scope),
            None => scope.clone(),
        };
        let outer_joins = self.open_joins(&scope, true);
        let planned = self.where_conjuncts(selection, &scope, &combined, correlated);
        let joins = self.close_joins(outer_joins);
        let (conditions, semi_joins) = planned?;

        let mut plan = plan;
        let mut joined = false;
        if let Some(joins) = joins.filter(|j| !j.joins.is_empty()) {
            plan = apply_joins(plan, joins);
            joined = true;
        }
        for semi in semi_joins {
            plan = semi_join(plan, semi, width)?;
        }
        let conditions = conditions
            .into_iter()
            .map(|c| strip_placeholders(c, width))
            .collect();
        if let Some(predicate) = Expr::and_all(conditions) {
            plan = LogicalPlan::Filter {
                input: Box::new(plan),
                predicate,
            };
        }
        // The joined columns served the conditions only.
        Ok(if joined {
            plan.first_columns(width)
        } else {
            plan
        })
    }

    fn where_conjuncts(
        &mut self,
        selection: &ast::Expr,
        scope: &PlanSchema,
        combined: &PlanSchema,
        correlated: Option<usize>,
    ) -> Result<(Vec<Expr>, Vec<SemiJoin>)> {
        let mut asts = Vec::new();
        split_and(selection, &mut asts);
        let several = asts.len() > 1;
        let width = scope.len();
        let mut conditions = Vec::new();
        let mut semi_joins = Vec::new();
        for ast in asts {
            // Whether the condition reads outer columns; `None`: tell by its columns.
            let mut reads_outer = None;
            let condition = match predicate_subquery(ast) {
                Some(p) => {
                    // Planned over the outer columns too, so no join may be added: its
                    // columns would be numbered like outer ones.
                    let joins = self.pause_joins(correlated.is_some());
                    let planned = self.predicate_conjunct(p, scope, combined, correlated.is_some());
                    self.resume_joins(joins);
                    match planned {
                        Ok(Conjunct::Join(semi)) => {
                            semi_joins.push(*semi);
                            continue;
                        }
                        Ok(Conjunct::Condition(e)) => e,
                        Err(e) => return Err(at_span_if_unplaced(e, ast.span())),
                    }
                }
                None if correlated.is_none() => self.expr(ast, combined)?,
                // In a correlated subquery: over its own columns first, where its own
                // correlated subqueries can be joined; if it reads an outer column, again
                // over both, without joins.
                None => {
                    let mark = self.joins_mark();
                    match self.expr(ast, scope) {
                        Ok(e) => {
                            reads_outer = Some(false);
                            e
                        }
                        Err(e) if unresolved(&e) => {
                            self.joins_rewind(mark);
                            let joins = self.pause_joins(true);
                            let planned = self.expr(ast, combined);
                            self.resume_joins(joins);
                            planned?
                        }
                        Err(e) => return Err(e),
                    }
                }
            };
            no_aggregates_or_windows(&condition, "WHERE", ast)?;
            let condition = if several {
                condition.into_boolean(combined, "AND")
            } else {
                boolean_predicate(condition, combined, "WHERE")
            }
            .map_err(|e| at_span(e, ast.span()))?;
            let reads_outer = reads_outer.unwrap_or_else(|| reads(&condition, |c| c >= width));
            match correlated {
                Some(frame) if reads_outer => self.record_correlation(frame, condition, width),
                _ => conditions.push(condition),
            }
        }
        Ok((conditions, semi_joins))
    }

    /// A WHERE conjunct of a correlated subquery that reads outer columns: a key when it
    /// is `inner = outer`, else a residual condition.
    fn record_correlation(&mut self, frame: usize, condition: Expr, width: usize) {
        let found = &mut self.subqueries.outer[frame].found;
        found.inner_width = width;
        match condition.split_equality(width) {
            Some((inner, outer)) => found.keys.push((outer, inner)),
            None => found.residual.push(condition),
        }
    }

    /// An EXISTS or IN conjunct of WHERE: a semi or anti join when it is correlated, a
    /// condition otherwise.
    fn predicate_conjunct(
        &mut self,
        p: PredicateSubquery,
        scope: &PlanSchema,
        combined: &PlanSchema,
        in_correlated: bool,
    ) -> Result<Conjunct> {
        let kind = if p.value.is_some() {
            SubqueryKind::In
        } else {
            SubqueryKind::Exists
        };
        let value = p.value.map(|v| self.expr(v, combined)).transpose()?;
        let (plan, correlation) = self.plan_subquery(p.query, scope, kind)?;
        let Some(correlation) = correlation else {
            return Ok(Conjunct::Condition(match value {
                Some(v) => self.in_values(v, plan, p.negated, combined)?,
                None => self.exists_value(plan, p.negated)?,
            }));
        };
        if let Some(v) = &value {
            if in_correlated && reads(v, |c| c >= scope.len()) {
                return Err(Error::unsupported(
                    "`x IN (correlated subquery)` where `x` reads a query two levels out; a \
                     correlated subquery may read only the query right around it",
                ));
            }
            if correlation.width != 1 {
                return Err(Error::analysis(format!(
                    "IN needs a subquery with one column, this one has {}",
                    correlation.width
                )));
            }
        }
        if correlation.shape == Shape::Global {
            match (&value, correlation.has_having) {
                // An aggregate without GROUP BY gives one row for every outer row.
                (None, false) => {
                    return Ok(Conjunct::Condition(Expr::Literal(ScalarValue::Boolean(
                        !p.negated,
                    ))))
                }
                // ... so `x IN (SELECT agg ...)` is `x = (SELECT agg ...)`.
                (Some(v), false) => {
                    let aggregate = self.scalar_join(plan, correlation, p.query, scope)?;
                    let eq = in_equality(v.clone(), aggregate, combined)?;
                    return Ok(Conjunct::Condition(if p.negated {
                        Expr::Not(Box::new(eq))
                    } else {
                        eq
                    }));
                }
                // With HAVING, zero or one row: joining the groups HAVING keeps is right
                // when no rows give none.
                (_, true) => {
                    let empty = self.empty_plan(p.query)?;
                    if self.runner.run(empty.limited(0, Some(1)))?.num_rows() > 0 {
                        return Err(Error::unsupported(
                            "a correlated EXISTS / IN subquery that aggregates without GROUP \
                             BY and whose HAVING holds over no rows; add a GROUP BY on the \
                             correlated columns",
                        ));
                    }
                }
            }
        }
        Ok(Conjunct::Join(Box::new(SemiJoin {
            right: plan,
            correlation,
            value,
            negated: p.negated,
        })))
    }
}

/// `left` semi (anti) joined with a correlated EXISTS / IN subquery; `outer_width` is
/// the width of the scope its correlation was planned over (a prefix of `left`'s).
fn semi_join(left: LogicalPlan, semi: SemiJoin, outer_width: usize) -> Result<LogicalPlan> {
    let left_schema = left.schema();
    let lw = left_schema.len();
    let right_schema = semi.right.schema();
    let joined = left_schema.join(&right_schema);
    let c = semi.correlation;
    let mut on: Vec<(Expr, Expr)> = c
        .keys
        .iter()
        .map(|(outer, k)| {
            (
                outer.clone(),
                Expr::column(*k, right_schema.field(*k).name.clone()),
            )
        })
        .collect();
    let mut filters: Vec<Expr> = c
        .residual
        .into_iter()
        .map(|r| {
            r.remap_columns(&|i| {
                if i < outer_width {
                    i
                } else {
                    i - outer_width + lw
                }
            })
        })
        .collect();
    if let Some(value) = semi.value {
        let value = strip_placeholders(value, outer_width);
        let inner = Expr::column(lw, right_schema.field(0).name.clone());
        let eq = in_equality(value, inner, &joined)?;
        match eq {
            Expr::Binary {
                op: BinaryOp::Eq,
                left: l,
                right: r,
            } if !semi.negated => on.push((*l, r.remap_columns(&|i| i - lw))),
            // NOT IN is null-aware: a NULL comparison with any of the group's values
            // rejects the row as a match would.
            eq => filters.push(Expr::binary(
                BinaryOp::Or,
                eq.clone(),
                Expr::IsNull {
                    expr: Box::new(eq),
                    negated: false,
                },
            )),
        }
    }
    Ok(LogicalPlan::Join {
        left: Box::new(left),
        right: Box::new(semi.right),
        kind: if semi.negated {
            JoinKind::LeftAnti
        } else {
            JoinKind::LeftSemi
        },
        on,
        filter: Expr::and_all(filters),
        schema: left_schema,
    })
}

/// Whether `error` is a name that did not resolve.
fn unresolved(error: &Error) -> bool {
    error.code() == ErrorCode::SqlAnalysis && error.message().starts_with("column `")
}

/// The AND conditions of `e`.
fn split_and<'a>(e: &'a ast::Expr, out: &mut Vec<&'a ast::Expr>) {
    match e {
        ast::Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            split_and(left, out);
            split_and(right, out);
        }
        ast::Expr::Nested(inner) => split_and(inner, out),
        other => out.push(other),
    }
}

fn predicate_subquery(e: &ast::Expr) -> Option<PredicateSubquery<'_>> {
    match e {
        ast::Expr::Exists { subquery, negated } => Some(PredicateSubquery {
            query: subquery,
            value: None,
            negated: *negated,
        }),
        ast::Expr::InSubquery {
            expr,
            subquery,
            negated,
        } => Some(PredicateSubquery {
            query: subquery,
            value: Some(expr),
            negated: *negated,
        }),
        ast::Expr::Nested(inner) => predicate_subquery(inner),
        ast::Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => predicate_subquery(expr).map(|p| PredicateSubquery {
            negated: !p.negated,
            ..p
        }),
        _ => None,
    }
}
