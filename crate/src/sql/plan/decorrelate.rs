//! Correlated subqueries as joins, as Spark's optimizer rewrites them
//! (`RewritePredicateSubquery`, `RewriteCorrelatedScalarSubquery`); `subquery.rs` plans
//! the subquery itself with its correlation keys as extra output columns.
//!
//! - `[NOT] EXISTS` as an AND condition of WHERE: a left semi (anti) join on the
//!   correlation keys, other correlated conditions as the join's residual filter.
//! - `x IN (subquery)` there: a semi join on the keys and `x = value`. `x NOT IN`: an anti
//!   join on the keys whose filter is `x = value OR (x = value) IS NULL`, Spark's
//!   null-aware anti join: a NULL `x`, or a NULL among the correlated group's values,
//!   makes the row's NOT IN NULL (filtered out), and an empty group keeps the row.
//! - A scalar subquery anywhere in WHERE, the SELECT list, HAVING or ORDER BY: a left
//!   join on the keys to the subquery grouped by them. A subquery that aggregates
//!   without GROUP BY gives a row even for an outer row nothing matches: there the value
//!   is the aggregate over no rows (`count(*)` is 0, not NULL: the "count bug"), computed
//!   once by running the subquery over no rows. One that does not aggregate (or groups
//!   by more) is checked to give at most one row per outer row, as it is used, like
//!   Spark's `SCALAR_SUBQUERY_TOO_MANY_ROWS`.
//! - `EXISTS` elsewhere (under OR, NOT, in the SELECT list): a left join to the distinct
//!   keys, true where one matched.
//!
//! The scalar and existence joins of a clause are collected while its expressions are
//! planned (`correlation::PendingJoins`) and put under the clause afterwards.

use arrow_schema::DataType;
use sqlparser::ast::{self, BinaryOperator, Query, SetExpr, Spanned, UnaryOperator, Value};

use crate::error::{Error, Result};
use crate::sql::parse::at_span;
use crate::sql::plan::aggregates::aggregate_call;
use crate::sql::plan::correlation::{
    placeholder, strip_placeholders, Correlation, PendingJoin, PendingJoins, Shape, SubqueryKind,
};
use crate::sql::plan::expr::{AggregateCall, BinaryOp, Expr, SortKey};
use crate::sql::plan::functions::{AggregateFunction, MiscFunction, ScalarFunction};
use crate::sql::plan::logical::{JoinKind, LogicalPlan};
use crate::sql::plan::planner::{
    apply_limit, boolean_predicate, no_aggregates_or_windows, Planner,
};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::plan::subquery::with_outer;

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
        // Inside a correlated subquery's WHERE the scope holds outer columns, which a
        // join under it could not read: scalar subqueries there are not joined.
        let outer_joins = self.open_joins(&scope, correlated.is_none());
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
            keep_prefix(plan, width)
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
            let condition = match predicate_subquery(ast) {
                Some(p) => {
                    match self.predicate_conjunct(p, scope, combined, correlated.is_some()) {
                        Ok(Conjunct::Join(semi)) => {
                            semi_joins.push(*semi);
                            continue;
                        }
                        Ok(Conjunct::Condition(e)) => e,
                        Err(e) if e.location().position.is_none() => {
                            return Err(at_span(e, ast.span()))
                        }
                        Err(e) => return Err(e),
                    }
                }
                None => self.expr(ast, combined)?,
            };
            no_aggregates_or_windows(&condition, "WHERE", ast)?;
            let condition = if several {
                condition.into_boolean(combined, "AND")
            } else {
                boolean_predicate(condition, combined, "WHERE")
            }
            .map_err(|e| at_span(e, ast.span()))?;
            match correlated {
                Some(frame) if reads(&condition, |c| c >= width) => {
                    self.record_correlation(frame, condition, width)
                }
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
        let side = |e: &Expr| {
            let mut columns = Vec::new();
            e.columns(&mut columns);
            if columns.is_empty() {
                None
            } else if columns.iter().all(|&c| c < width) {
                Some(false)
            } else if columns.iter().all(|&c| c >= width) {
                Some(true)
            } else {
                None
            }
        };
        if let Expr::Binary {
            op: BinaryOp::Eq,
            left,
            right,
        } = &condition
        {
            let outer = |e: &Expr| e.clone().remap_columns(&|i| i - width);
            match (side(left), side(right)) {
                (Some(false), Some(true)) => {
                    found.keys.push((outer(right), left.as_ref().clone()));
                    return;
                }
                (Some(true), Some(false)) => {
                    found.keys.push((outer(left), right.as_ref().clone()));
                    return;
                }
                _ => {}
            }
        }
        found.residual.push(condition);
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
                    let eq = Expr::compare(BinaryOp::Eq, v.clone(), aggregate, combined)?;
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
                    if self.runner.run(apply_limit(empty, 0, Some(1)))?.num_rows() > 0 {
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

    /// A correlated scalar subquery's value, read from a left join added to the clause
    /// being planned (see the module's doc).
    pub(crate) fn scalar_join(
        &mut self,
        plan: LogicalPlan,
        c: Correlation,
        subquery: &Query,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        if c.width != 1 {
            return Err(Error::analysis(format!(
                "a scalar subquery must return one column, this one returns {}",
                c.width
            )));
        }
        if c.residual.is_some() || c.keys.is_empty() {
            return Err(Error::unsupported(
                "a correlated scalar subquery with a correlated condition other than `inner = \
                 outer` (Brasa joins the subquery on equality keys); write the correlation \
                 as equalities, or join and aggregate in the outer query",
            ));
        }
        self.require_joins(scope, "a correlated scalar subquery")?;
        let schema = plan.schema();
        let value_type = schema.field(0).data_type.clone();
        let key_columns: Vec<usize> = c.keys.iter().map(|(_, column)| *column).collect();
        let (right, right_keys, value, count) = match c.shape {
            Shape::Global => (plan, key_columns.clone(), 0, None),
            Shape::Rows | Shape::Grouped => {
                // Rows per key counted, so that a second one is an error as it is used.
                let group: Vec<Expr> = key_columns
                    .iter()
                    .map(|&k| Expr::column(k, schema.field(k).name.clone()))
                    .collect();
                let mut fields: Vec<PlanField> = key_columns
                    .iter()
                    .map(|&k| schema.field(k).clone())
                    .collect();
                fields.push(PlanField::new(None, "count", DataType::Int64));
                fields.push(PlanField::new(None, "first", value_type.clone()));
                let count = aggregate(AggregateFunction::CountStar, vec![], &schema)?;
                let value = Expr::column(0, schema.field(0).name.clone());
                let first = aggregate(AggregateFunction::First, vec![value], &schema)?;
                let m = group.len();
                let aggregate = LogicalPlan::Aggregate {
                    input: Box::new(plan),
                    group,
                    aggregates: vec![count, first],
                    schema: PlanSchema::new(fields),
                };
                (aggregate, (0..m).collect(), m + 1, Some(m))
            }
        };
        let empty = match c.shape {
            Shape::Global => {
                let empty = self.empty_plan(subquery)?;
                self.first_value(empty)?
            }
            _ => None,
        };
        let marker = right_keys[0];
        let right_schema = right.schema();
        let on = c
            .keys
            .iter()
            .zip(&right_keys)
            .map(|((outer, _), &k)| {
                (
                    outer.clone(),
                    Expr::column(k, right_schema.field(k).name.clone()),
                )
            })
            .collect();
        let (at, fields) = self.add_join(right, on);
        let column = |i: usize| placeholder(at + i, &fields[i]);
        let mut result = column(value);
        if let Some(count) = count {
            let at_most_one = Expr::binary(
                BinaryOp::Or,
                Expr::compare(
                    BinaryOp::LtEq,
                    column(count),
                    Expr::Literal(ScalarValue::Int64(1)),
                    scope,
                )?,
                Expr::IsNull {
                    expr: Box::new(column(count)),
                    negated: false,
                },
            );
            let check = Expr::Function {
                func: ScalarFunction::Misc(MiscFunction::AssertTrue),
                args: vec![
                    at_most_one,
                    Expr::Literal(ScalarValue::Utf8(
                        "more than one row returned by a subquery used as an expression \
                         (SCALAR_SUBQUERY_TOO_MANY_ROWS); aggregate it (max, first, ...) or \
                         add conditions that leave one row"
                            .to_string(),
                    )),
                ],
                return_type: DataType::Null,
            };
            // The check fails the query if any row has several; it is NULL otherwise.
            result = Expr::Case {
                branches: vec![(
                    Expr::IsNull {
                        expr: Box::new(check),
                        negated: false,
                    },
                    result,
                )],
                otherwise: None,
                data_type: value_type.clone(),
            };
        }
        if let Some(having) = c.having {
            result = Expr::Case {
                branches: vec![(column(having), result)],
                otherwise: None,
                data_type: value_type.clone(),
            };
        }
        if let Some(empty) = empty {
            result = Expr::Case {
                branches: vec![(
                    Expr::IsNull {
                        expr: Box::new(column(marker)),
                        negated: false,
                    },
                    Expr::Literal(empty).cast(&value_type, scope),
                )],
                otherwise: Some(Box::new(result)),
                data_type: value_type,
            };
        }
        Ok(result)
    }

    /// A correlated EXISTS or IN that is not an AND condition of WHERE (under OR, CASE,
    /// in the SELECT list), as Spark's existence join, which is never NULL: EXISTS is a
    /// left join to the subquery's distinct keys, true where one matched; `x IN` a left
    /// join on the keys and `x = value` to the distinct (keys, value) pairs (a NULL `x`
    /// matches nothing: FALSE, where SQL would say NULL); `x NOT IN` is null-aware as
    /// Spark's: FALSE also where the group has a NULL value or `x` is NULL and the group
    /// has rows (a left join on the keys to each group's row and non-NULL value counts).
    pub(crate) fn existence_join(
        &mut self,
        plan: LogicalPlan,
        c: Correlation,
        value: Option<Expr>,
        negated: bool,
        subquery: &Query,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        if let Some(v) = &value {
            if c.width != 1 {
                return Err(Error::analysis(format!(
                    "IN needs a subquery with one column, this one has {}",
                    c.width
                )));
            }
            if c.shape == Shape::Global && !c.has_having {
                // One row per outer row: whether it equals `x`, where a NULL comparison
                // counts as no match for IN and as a match for NOT IN (as Spark's
                // existence join answers).
                let aggregate = self.scalar_join(plan, c, subquery, scope)?;
                let eq = Expr::compare(BinaryOp::Eq, v.clone(), aggregate, scope)?;
                let matched = Expr::Case {
                    branches: vec![(
                        Expr::IsNull {
                            expr: Box::new(eq.clone()),
                            negated: false,
                        },
                        Expr::Literal(ScalarValue::Boolean(negated)),
                    )],
                    otherwise: Some(Box::new(eq)),
                    data_type: DataType::Boolean,
                };
                return Ok(if negated {
                    Expr::Not(Box::new(matched))
                } else {
                    matched
                });
            }
        } else if c.shape == Shape::Global && !c.has_having {
            return Ok(Expr::Literal(ScalarValue::Boolean(!negated)));
        }
        if c.residual.is_some() || c.keys.is_empty() || c.shape == Shape::Global {
            return Err(Error::unsupported(
                "a correlated EXISTS or IN subquery inside OR, NOT, CASE or the SELECT list \
                 whose correlation is not only `inner = outer` equalities, or that aggregates \
                 without GROUP BY but with HAVING; as an AND condition of WHERE it works",
            ));
        }
        self.require_joins(scope, "a correlated EXISTS or IN subquery")?;
        let schema = plan.schema();
        let column = |k: usize| Expr::column(k, schema.field(k).name.clone());
        let keys: Vec<Expr> = c.keys.iter().map(|(_, k)| column(*k)).collect();
        let key_fields: Vec<PlanField> = c
            .keys
            .iter()
            .map(|(_, k)| schema.field(*k).clone())
            .collect();
        let m = keys.len();
        let key_pairs = |at: usize| -> Vec<(Expr, Expr)> {
            c.keys
                .iter()
                .enumerate()
                .map(|(i, (outer, k))| {
                    (
                        outer.clone(),
                        Expr::column(at + i, schema.field(*k).name.clone()),
                    )
                })
                .collect()
        };
        let Some(x) = value else {
            let distinct = LogicalPlan::Distinct {
                input: Box::new(LogicalPlan::Project {
                    input: Box::new(plan),
                    exprs: keys,
                    schema: PlanSchema::new(key_fields),
                }),
            };
            let (at, fields) = self.add_join(distinct, key_pairs(0));
            return Ok(Expr::IsNull {
                expr: Box::new(placeholder(at, &fields[0])),
                negated: !negated,
            });
        };
        // The (keys, value) pairs, joined on the keys and `x = value`.
        let y = column(0);
        let mut fields = key_fields.clone();
        fields.push(schema.field(0).clone());
        let pairs_schema = PlanSchema::new(fields);
        let eq = Expr::compare(
            BinaryOp::Eq,
            x.clone(),
            Expr::column(scope.len() + m, schema.field(0).name.clone()),
            &scope.join(&pairs_schema),
        )?;
        let Expr::Binary {
            op: BinaryOp::Eq,
            left: outer_value,
            right: inner_value,
        } = eq
        else {
            return Err(Error::internal("IN", "a comparison that is not binary"));
        };
        let mut on = key_pairs(0);
        on.push((
            *outer_value,
            inner_value.remap_columns(&|i| i - scope.len()),
        ));
        let pairs = LogicalPlan::Distinct {
            input: Box::new(LogicalPlan::Project {
                input: Box::new(plan.clone()),
                exprs: keys.iter().cloned().chain([y.clone()]).collect(),
                schema: pairs_schema,
            }),
        };
        let (matched_at, matched_fields) = self.add_join(pairs, on);
        let is_null = |e: Expr, negated: bool| Expr::IsNull {
            expr: Box::new(e),
            negated,
        };
        let matched = is_null(placeholder(matched_at, &matched_fields[0]), true);
        if !negated {
            return Ok(matched);
        }
        // NOT IN is null-aware: a group with a NULL value, or a NULL `x` with a group,
        // counts as a match too. Rows and non-NULL values per group tell those apart.
        let rows = aggregate(AggregateFunction::CountStar, vec![], &schema)?;
        let values = aggregate(AggregateFunction::Count, vec![y], &schema)?;
        let mut fields = key_fields;
        fields.push(PlanField::new(None, "count", DataType::Int64));
        fields.push(PlanField::new(None, "count_values", DataType::Int64));
        let counts = LogicalPlan::Aggregate {
            input: Box::new(plan),
            group: keys,
            aggregates: vec![rows, values],
            schema: PlanSchema::new(fields),
        };
        let (counts_at, counts_fields) = self.add_join(counts, key_pairs(0));
        let rows = placeholder(counts_at + m, &counts_fields[m]);
        let values = placeholder(counts_at + m + 1, &counts_fields[m + 1]);
        let null_match = Expr::binary(
            BinaryOp::And,
            is_null(rows.clone(), true),
            Expr::binary(
                BinaryOp::Or,
                is_null(x, false),
                Expr::compare(BinaryOp::Gt, rows, values, scope)?,
            ),
        );
        Ok(Expr::Not(Box::new(Expr::binary(
            BinaryOp::Or,
            matched,
            null_match,
        ))))
    }

    /// Lets the expressions planned over `scope` add joins (when `enabled`); returns
    /// what was open before, for [`Planner::close_joins`].
    pub(crate) fn open_joins(&mut self, scope: &PlanSchema, enabled: bool) -> Option<PendingJoins> {
        let joins = enabled.then(|| PendingJoins {
            scope: scope.clone(),
            base: scope.len(),
            joins: Vec::new(),
            fields: Vec::new(),
        });
        std::mem::replace(&mut self.subqueries.pending, joins)
    }

    /// The joins collected since [`Planner::open_joins`], restoring what was open before.
    pub(crate) fn close_joins(&mut self, previous: Option<PendingJoins>) -> Option<PendingJoins> {
        std::mem::replace(&mut self.subqueries.pending, previous)
    }

    /// Puts the joins the SELECT list, HAVING and ORDER BY asked for under `plan`, and
    /// unwraps their placeholders. In a query that aggregates, they must be read inside
    /// aggregate functions (Spark's rule), and the joins go under the aggregation.
    pub(crate) fn join_pending(
        &mut self,
        plan: LogicalPlan,
        joins: Option<PendingJoins>,
        items: &mut [(Expr, String)],
        group: &[Expr],
        having: &mut Option<Expr>,
        sort_keys: &mut [SortKey],
    ) -> Result<LogicalPlan> {
        let Some(joins) = joins.filter(|j| !j.joins.is_empty()) else {
            return Ok(plan);
        };
        let base = joins.base;
        let aggregating = !group.is_empty()
            || having.is_some()
            || items.iter().any(|(e, _)| e.contains_aggregate())
            || sort_keys.iter().any(|k| k.expr.contains_aggregate());
        if aggregating {
            let outside = |e: &Expr| reads_outside_aggregates(e, base);
            if group.iter().any(|g| reads(g, |c| c >= base))
                || items.iter().any(|(e, _)| outside(e))
                || having.as_ref().is_some_and(outside)
                || sort_keys.iter().any(|k| outside(&k.expr))
            {
                return Err(Error::analysis(
                    "a correlated scalar subquery in a query that groups or aggregates must be \
                     inside an aggregate function (Spark: \
                     SCALAR_SUBQUERY_IS_IN_GROUP_BY_OR_AGGREGATE_FUNCTION); compute it in a \
                     subquery of FROM, then group",
                ));
            }
        }
        for (e, _) in items.iter_mut() {
            *e = strip_placeholders(
                std::mem::replace(e, Expr::Literal(ScalarValue::Null(DataType::Null))),
                base,
            );
        }
        if let Some(h) = having.take() {
            *having = Some(strip_placeholders(h, base));
        }
        for key in sort_keys.iter_mut() {
            key.expr = strip_placeholders(key.expr.clone(), base);
        }
        Ok(apply_joins(plan, joins))
    }

    /// Fails unless expressions over `scope` may add joins here.
    fn require_joins(&self, scope: &PlanSchema, what: &str) -> Result<()> {
        let open = self
            .subqueries
            .pending
            .as_ref()
            .is_some_and(|p| &p.scope == scope);
        if open {
            return Ok(());
        }
        Err(Error::unsupported(format!(
            "{what} here: Brasa turns correlated subqueries into joins in the WHERE, SELECT \
             list, HAVING and ORDER BY of a SELECT, not in JOIN ... ON, GROUP BY ... GROUPING \
             SETS, or in the WHERE of a correlated subquery itself; compute it in a subquery \
             of FROM first"
        )))
    }

    /// Adds a left join to the clause being planned (checked by `require_joins`): where
    /// its columns start, and their fields.
    fn add_join(&mut self, right: LogicalPlan, on: Vec<(Expr, Expr)>) -> (usize, Vec<PlanField>) {
        let pending = self
            .subqueries
            .pending
            .as_mut()
            .expect("checked by require_joins");
        let at = pending.base + pending.fields.len();
        let fields: Vec<PlanField> = right
            .schema()
            .fields()
            .iter()
            .map(|f| PlanField {
                qualifier: None,
                nullable: true,
                hidden: true,
                ..f.clone()
            })
            .collect();
        pending.fields.extend(fields.iter().cloned());
        pending.joins.push(PendingJoin { right, on });
        (at, fields)
    }

    /// The subquery with its WHERE replaced by FALSE: what it gives for an outer row no
    /// inner row matches.
    fn empty_plan(&mut self, subquery: &Query) -> Result<LogicalPlan> {
        let mut query = subquery.clone();
        if let SetExpr::Select(select) = query.body.as_mut() {
            select.selection = Some(ast::Expr::Value(Value::Boolean(false).with_empty_span()));
        }
        self.query(&query)
    }
}

/// The call `func(args)` over rows of `schema`.
fn aggregate(
    func: AggregateFunction,
    args: Vec<Expr>,
    schema: &PlanSchema,
) -> Result<AggregateCall> {
    match aggregate_call(func, args, false, false, schema)? {
        Expr::Aggregate(call) => Ok(*call),
        other => Err(Error::internal("planning an aggregate", other)),
    }
}

/// The pending left joins under `plan`.
fn apply_joins(mut plan: LogicalPlan, joins: PendingJoins) -> LogicalPlan {
    let base = joins.base;
    let mut fields = joins.fields.into_iter();
    for join in joins.joins {
        let right_width = join.right.schema().len();
        let mut schema = plan.schema().fields().to_vec();
        schema.extend(fields.by_ref().take(right_width));
        plan = LogicalPlan::Join {
            left: Box::new(plan),
            right: Box::new(join.right),
            kind: JoinKind::Left,
            on: join
                .on
                .into_iter()
                .map(|(l, r)| (strip_placeholders(l, base), r))
                .collect(),
            filter: None,
            schema: PlanSchema::new(schema),
        };
    }
    plan
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
        let eq = Expr::compare(BinaryOp::Eq, value, inner, &joined)?;
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

/// The first `width` columns of `plan`.
fn keep_prefix(plan: LogicalPlan, width: usize) -> LogicalPlan {
    let schema = plan.schema();
    let exprs = (0..width)
        .map(|i| Expr::column(i, schema.field(i).name.clone()))
        .collect();
    LogicalPlan::Project {
        input: Box::new(plan),
        exprs,
        schema: PlanSchema::new(schema.fields()[..width].to_vec()),
    }
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

/// Whether `e` reads a column `which` picks.
fn reads(e: &Expr, which: impl Fn(usize) -> bool) -> bool {
    let mut columns = Vec::new();
    e.columns(&mut columns);
    columns.into_iter().any(which)
}

/// Whether `e` reads a column at `base` or after outside an aggregate call.
fn reads_outside_aggregates(e: &Expr, base: usize) -> bool {
    match e {
        Expr::Aggregate(_) => false,
        Expr::Column { index, .. } => *index >= base,
        other => other
            .children()
            .into_iter()
            .any(|c| reads_outside_aggregates(c, base)),
    }
}
