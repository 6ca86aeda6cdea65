//! Correlated subqueries that give a value to an expression, as left joins added under
//! the clause whose expression asked for them (Spark's `RewriteCorrelatedScalarSubquery`
//! and existence joins).
//!
//! - A scalar subquery anywhere in WHERE, the SELECT list, HAVING or ORDER BY: a left
//!   join on the correlation keys to the subquery grouped by them. A subquery that
//!   aggregates without GROUP BY gives a row even for an outer row nothing matches: there
//!   the value is the aggregate over no rows (`count(*)` is 0, not NULL: the "count
//!   bug"), computed once by running the subquery over no rows. One that does not
//!   aggregate (or groups by more) is checked to give at most one row per outer row, as
//!   it is used, like Spark's `SCALAR_SUBQUERY_TOO_MANY_ROWS`.
//! - EXISTS and IN under OR, NOT or CASE, or in the SELECT list: Spark's existence joins
//!   (see [`Planner::existence_join`]).
//!
//! The joins of a clause are collected while its expressions are planned
//! (`correlation::PendingJoins`): an expression reads a joined column through a
//! placeholder until the clause puts the joins under itself.

use arrow_schema::DataType;
use sqlparser::ast::{self, Query, SetExpr, Value};

use crate::error::{Error, Result};
use crate::sql::plan::aggregates::aggregate_call;
use crate::sql::plan::correlation::{
    placeholder, strip_placeholders, Correlation, PendingJoin, PendingJoins, Shape,
};
use crate::sql::plan::domain::residual_as_keys;
use crate::sql::plan::expr::{AggregateCall, BinaryOp, Expr, SortKey};
use crate::sql::plan::functions::{AggregateFunction, MiscFunction, ScalarFunction};
use crate::sql::plan::logical::{JoinKind, LogicalPlan};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::types::in_subquery_common;

impl Planner<'_> {
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
        // What an outer row no inner row matches gets: the subquery over no rows.
        let empty = match c.shape {
            Shape::Global => {
                let empty = self.empty_plan(subquery)?;
                if has_literals(&value_type) {
                    self.first_value(empty)?
                        .map(|v| Expr::Literal(v).cast(&value_type, scope))
                } else {
                    // An array, map or struct has no literal: the row is joined in as a
                    // one-row table (none if HAVING rejects it: NULL).
                    let (at, fields) = self.add_join(empty, vec![]);
                    Some(placeholder(at, &fields[0]))
                }
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
                    empty,
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
                let eq = in_equality(v.clone(), aggregate, scope)?;
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
        if c.shape == Shape::Global {
            return Err(Error::unsupported(
                "a correlated EXISTS or IN subquery inside OR, NOT, CASE or the SELECT list \
                 that aggregates without GROUP BY but with HAVING; as an AND condition of \
                 WHERE it works",
            ));
        }
        // Other correlated conditions than `inner = outer` become keys on their domain.
        let (plan, c) = residual_as_keys(self.subqueries.source_of(scope), scope, plan, c)?;
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
        let eq = in_equality(
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

    /// Stops joins from being added (when `pause`) until [`Planner::resume_joins`].
    pub(crate) fn pause_joins(&mut self, pause: bool) -> Option<Option<PendingJoins>> {
        pause.then(|| self.subqueries.pending.take())
    }

    pub(crate) fn resume_joins(&mut self, paused: Option<Option<PendingJoins>>) {
        if let Some(joins) = paused {
            self.subqueries.pending = joins;
        }
    }

    /// How many joins are pending, to drop those added after with `joins_rewind`.
    pub(crate) fn joins_mark(&self) -> (usize, usize) {
        self.subqueries
            .pending
            .as_ref()
            .map_or((0, 0), |p| (p.joins.len(), p.fields.len()))
    }

    pub(crate) fn joins_rewind(&mut self, (joins, fields): (usize, usize)) {
        if let Some(pending) = self.subqueries.pending.as_mut() {
            pending.joins.truncate(joins);
            pending.fields.truncate(fields);
        }
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
            if let Some(h) = having.take() {
                *having = Some(group_values_in_having(h, &joins, group)?);
            }
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
             list, HAVING and ORDER BY of a SELECT, not in JOIN ... ON, with GROUPING SETS, or \
             in a condition of a correlated subquery's WHERE that also reads the outer query; \
             compute it in a subquery of FROM first"
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
    pub(crate) fn empty_plan(&mut self, subquery: &Query) -> Result<LogicalPlan> {
        let mut query = subquery.clone();
        if let SetExpr::Select(select) = query.body.as_mut() {
            select.selection = Some(ast::Expr::Value(Value::Boolean(false).with_empty_span()));
        }
        self.query(&query)
    }
}

/// Whether values of type `t` are planned as literals exactly (see
/// `exec::scalar_from_array`); nested ones are not.
fn has_literals(t: &DataType) -> bool {
    t.is_integer()
        || t.is_floating()
        || matches!(
            t,
            DataType::Boolean
                | DataType::Utf8
                | DataType::Null
                | DataType::Date32
                | DataType::Decimal128(..)
                | DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _)
        )
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
pub(crate) fn apply_joins(mut plan: LogicalPlan, joins: PendingJoins) -> LogicalPlan {
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

/// HAVING of a query that groups, where a correlated scalar subquery reads only
/// grouping columns of the outer query (`HAVING count(*) > (SELECT count(*) FROM q
/// WHERE q.g > w.g)`, which Spark plans over the aggregate): the subquery's value is the
/// same for every row of a group, so each part of HAVING that reads only such joined
/// columns is taken as `first(...)` of the group, and the join stays under the
/// aggregation like the others. Other reads are left to fail as Spark's
/// `SCALAR_SUBQUERY_IS_IN_GROUP_BY_OR_AGGREGATE_FUNCTION`.
fn group_values_in_having(having: Expr, joins: &PendingJoins, group: &[Expr]) -> Result<Expr> {
    let base = joins.base;
    // The joined columns whose join reads only grouping columns of the outer query.
    let mut per_group = Vec::with_capacity(joins.fields.len());
    for join in &joins.joins {
        let by_group = join.on.iter().all(|(outer, _)| {
            let outer = strip_placeholders(outer.clone(), base);
            reads_only_groups(&outer, group)
        });
        per_group.extend(std::iter::repeat_n(by_group, join.right.schema().len()));
    }
    let per_group = |c: usize| c >= base && per_group.get(c - base).copied().unwrap_or(false);
    let with_joins = joins.scope.join(&PlanSchema::new(joins.fields.clone()));
    let mut error = None;
    let rewritten = having.rewrite(&mut |node| {
        if node.contains_aggregate()
            || !reads(node, |c| c >= base)
            || reads(node, |c| !per_group(c))
        {
            return None;
        }
        match aggregate_call(
            AggregateFunction::First,
            vec![node.clone()],
            false,
            false,
            &with_joins,
        ) {
            Ok(call) => Some(call),
            Err(e) => {
                error.get_or_insert(e);
                None
            }
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(rewritten),
    }
}

/// Whether every column `e` reads is a grouping column (a plain column of GROUP BY): as
/// in Spark, whose HAVING sees the aggregate's output, not the columns under a grouping
/// expression such as `upper(g)`.
fn reads_only_groups(e: &Expr, group: &[Expr]) -> bool {
    let mut read = Vec::new();
    e.columns(&mut read);
    read.iter().all(|&c| {
        group
            .iter()
            .any(|g| matches!(g, Expr::Column { index, .. } if *index == c))
    })
}

/// Whether `e` reads a column `which` picks.
pub(crate) fn reads(e: &Expr, which: impl Fn(usize) -> bool) -> bool {
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

/// `value = inner` as `value IN (subquery)` compares them: both in IN's common type, so
/// a string beside a number, date or timestamp makes both strings (as Spark: `1 IN
/// (SELECT '1.0')` is false), the same rule as an uncorrelated subquery's.
pub(crate) fn in_equality(value: Expr, inner: Expr, schema: &PlanSchema) -> Result<Expr> {
    let common = in_subquery_common(&value.data_type(schema), &inner.data_type(schema))?;
    Expr::compare(
        BinaryOp::Eq,
        value.cast(&common, schema),
        inner.cast(&common, schema),
        schema,
    )
}
