//! `LATERAL (subquery)` in FROM: a subquery that reads the columns of the relations
//! before it, joined to them row by row (`FROM c, LATERAL (...) s`, `c [INNER | LEFT |
//! CROSS] JOIN LATERAL (...) s [ON ...]`), planned as Spark's optimizer rewrites it:
//!
//! - **Without FROM** (`LATERAL (SELECT c.a * 2 AS d, d + 1 AS e)`): the SELECT list (and
//!   WHERE) computed over each row before it, as `|> EXTEND` does.
//! - **With FROM, correlated in its WHERE**: decorrelated as a correlated subquery is
//!   (`subquery.rs`), then joined on the correlation keys, other correlated conditions
//!   and ON as the join's filter. A LIMIT (with its ORDER BY) is kept per outer row:
//!   `row_number()` over the correlation keys, as Spark's `decorrelateLimit` does.
//! - **Aggregating without GROUP BY**: exactly one row per outer row, even one that no
//!   inner row matches, which gets the aggregates over no rows (`count(*)` is 0): a left
//!   join to the subquery grouped by the keys, the unmatched rows given the subquery's
//!   one row over no rows (the "count bug" a plain join would have).
//! - **Uncorrelated**: an ordinary join with the subquery.
//!
//! As in Spark, RIGHT and FULL joins with a LATERAL subquery are refused. Unlike Spark, a
//! subquery with FROM reads outer columns only in its WHERE (anywhere in one without
//! FROM), and windows in a correlated one are refused (`subquery.rs` says so).

use std::sync::Arc;

use arrow_schema::DataType;
use sqlparser::ast::{self, JoinConstraint, JoinOperator, Query, SetExpr, TableFactor};

use crate::error::{Error, Result};
use crate::sql::plan::correlation::{Correlation, Shape, SubqueryKind};
use crate::sql::plan::expr::{BinaryOp, Expr, WindowCall, WindowFrame};
use crate::sql::plan::functions::WindowFunction;
use crate::sql::plan::logical::{JoinKind, LogicalPlan};
use crate::sql::plan::pipe::template;
use crate::sql::plan::planner::{
    alias, boolean_predicate, join_schema, no_aggregates_or_windows, Planner, PIPE,
};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};

/// The qualifier of a LATERAL subquery's columns when it has no alias.
const UNNAMED: &str = "__subquery";

/// How the rows before a LATERAL subquery meet its rows.
struct LateralJoin<'a> {
    kind: JoinKind,
    on: Option<&'a ast::Expr>,
}

impl<'a> LateralJoin<'a> {
    /// The join a `JOIN` operator asks for (`None`: the comma of `FROM c, LATERAL ...`).
    fn of(operator: Option<&'a JoinOperator>) -> Result<LateralJoin<'a>> {
        use JoinOperator as J;
        let (kind, constraint) = match operator {
            None => return Ok(LateralJoin::inner(None)),
            Some(J::CrossJoin(c) | J::Join(c) | J::Inner(c)) => (JoinKind::Inner, c),
            Some(J::Left(c) | J::LeftOuter(c)) => (JoinKind::Left, c),
            Some(other) => {
                return Err(Error::unsupported(format!(
                    "{} with a LATERAL subquery (Spark refuses it too: the subquery's rows \
                     depend on the row before it); write an INNER or LEFT JOIN",
                    join_name(other)
                )))
            }
        };
        let on = match constraint {
            JoinConstraint::None => None,
            JoinConstraint::On(on) => Some(on),
            JoinConstraint::Using(_) | JoinConstraint::Natural => {
                return Err(Error::unsupported(
                    "USING or NATURAL with a LATERAL subquery; write its condition with ON",
                ))
            }
        };
        Ok(LateralJoin { kind, on })
    }

    fn inner(on: Option<&'a ast::Expr>) -> LateralJoin<'a> {
        LateralJoin {
            kind: JoinKind::Inner,
            on,
        }
    }
}

/// What a SQL join operator is called, for messages.
fn join_name(operator: &JoinOperator) -> &'static str {
    match operator {
        JoinOperator::Right(_) | JoinOperator::RightOuter(_) => "a RIGHT JOIN",
        JoinOperator::FullOuter(_) => "a FULL JOIN",
        JoinOperator::LeftSemi(_) | JoinOperator::Semi(_) => "a SEMI JOIN",
        JoinOperator::LeftAnti(_) | JoinOperator::Anti(_) => "an ANTI JOIN",
        _ => "this join",
    }
}

impl Planner<'_> {
    /// `left` joined with the LATERAL subquery `factor` (see the module's doc);
    /// `operator` is the JOIN that introduces it, `None` for a comma.
    pub(crate) fn lateral_subquery(
        &mut self,
        left: LogicalPlan,
        factor: &TableFactor,
        operator: Option<&JoinOperator>,
    ) -> Result<LogicalPlan> {
        let TableFactor::Derived {
            subquery,
            alias: subquery_alias,
            sample,
            ..
        } = factor
        else {
            return Err(Error::internal("a LATERAL subquery", factor));
        };
        if sample.is_some() {
            return Err(Error::unsupported(
                "TABLESAMPLE on a LATERAL subquery; sample inside the subquery",
            ));
        }
        let join = LateralJoin::of(operator)?;
        let name = Naming(subquery_alias.as_ref());
        if let Some(select) = from_less_select(subquery) {
            return self.lateral_projection(left, subquery, select, &name, &join);
        }
        let scope = left.schema();
        // The outer rows are the domain of a correlation that is not only equalities.
        self.subqueries.sources.push(left.clone());
        let planned = self.plan_correlated(subquery, &scope, SubqueryKind::Lateral);
        self.subqueries.sources.pop();
        let (plan, correlation) = planned?;
        let Some(c) = correlation else {
            let right = name.whole(plan)?;
            return self.lateral_join(left, right, Vec::new(), None, &join);
        };
        let plan = limit_per_outer_row(plan, &c)?;
        match c.shape {
            Shape::Rows | Shape::Grouped => {
                let right = name.first(plan, c.width)?;
                let split = scope.len();
                let keys = key_pairs(&c, &right.schema());
                let filter = c.residual.clone();
                let joined = self.lateral_join(left, right, keys, filter, &join)?;
                Ok(joined.first_columns(split + c.width))
            }
            Shape::Global => self.lateral_aggregate(left, plan, &c, subquery, &name, &join),
        }
    }

    /// `left` joined to `right` on the key pairs, with `filter` (over both sides' columns)
    /// and the join's ON condition, planned over the columns it can see.
    fn lateral_join(
        &mut self,
        left: LogicalPlan,
        right: LogicalPlan,
        on: Vec<(Expr, Expr)>,
        filter: Option<Expr>,
        join: &LateralJoin,
    ) -> Result<LogicalPlan> {
        let (ls, rs) = (left.schema(), right.schema());
        let joined = ls.join(&rs);
        let condition = match join.on {
            Some(on) => Some(self.join_condition(on, &joined)?),
            None => None,
        };
        Ok(LogicalPlan::Join {
            schema: join_schema(&ls, &rs, join.kind),
            left: Box::new(left),
            right: Box::new(right),
            kind: join.kind,
            on,
            filter: Expr::and_all(filter.into_iter().chain(condition).collect()),
        })
    }

    /// The ON condition of a join with a LATERAL subquery, over `scope`.
    fn join_condition(&mut self, on: &ast::Expr, scope: &PlanSchema) -> Result<Expr> {
        let predicate = self.expr(on, scope)?;
        no_aggregates_or_windows(&predicate, "ON", on)?;
        boolean_predicate(predicate, scope, "ON")
    }

    /// A LATERAL subquery without FROM: its SELECT list computed over each row of `left`
    /// (the rows its WHERE keeps), as `SELECT *, <its list> FROM left WHERE ...`.
    fn lateral_projection(
        &mut self,
        left: LogicalPlan,
        subquery: &Query,
        select: &ast::Select,
        name: &Naming,
        join: &LateralJoin,
    ) -> Result<LogicalPlan> {
        if join.kind == JoinKind::Left && (select.selection.is_some() || join.on.is_some()) {
            return Err(Error::unsupported(
                "LEFT JOIN LATERAL of a subquery without FROM that has a WHERE or an ON \
                 condition; compute its values with CASE WHEN in an INNER JOIN LATERAL",
            ));
        }
        let mut query = template(&format!("SELECT * FROM {PIPE}"))?;
        let SetExpr::Select(extended) = query.body.as_mut() else {
            return Err(Error::internal("a LATERAL template", "not a SELECT"));
        };
        extended
            .projection
            .extend(select.projection.iter().cloned());
        extended.selection = select.selection.clone();
        query.with = subquery.with.clone();
        let kept = left.schema().fields().iter().filter(|f| !f.hidden).count();
        let plan = self.with_relation(PIPE, left, |planner| planner.query(&query))?;
        let plan = name.after(plan, kept)?;
        match join.on {
            None => Ok(plan),
            Some(on) => {
                let predicate = self.join_condition(on, &plan.schema())?;
                Ok(LogicalPlan::Filter {
                    input: Box::new(plan),
                    predicate,
                })
            }
        }
    }

    /// A correlated LATERAL subquery that aggregates without GROUP BY: one row for every
    /// outer row (see the module's doc). `plan` is the subquery grouped by the
    /// correlation keys.
    fn lateral_aggregate(
        &mut self,
        left: LogicalPlan,
        plan: LogicalPlan,
        c: &Correlation,
        subquery: &Query,
        name: &Naming,
        join: &LateralJoin,
    ) -> Result<LogicalPlan> {
        if c.residual.is_some() || c.keys.is_empty() {
            return Err(Error::internal(
                "a LATERAL subquery that aggregates",
                "a correlation not turned into keys",
            ));
        }
        let split = left.schema().len();
        let width = c.width;
        let right_schema = plan.schema();
        let keys = key_pairs(c, &right_schema);
        // The subquery over no rows: one row (none if HAVING rejects it), what an outer
        // row that no inner row matches gets.
        let empty = self.runner.run(self.empty_plan(subquery)?)?;
        let inner = LateralJoin {
            kind: JoinKind::Left,
            on: None,
        };
        let mut joined = self.lateral_join(left, plan, keys, None, &inner)?;
        let at = |i: usize| Expr::column(split + i, right_schema.field(i).name.clone());
        let marker = at(c.keys[0].1);
        let unmatched = Expr::IsNull {
            expr: Box::new(marker),
            negated: false,
        };
        let having = c.having.map(at);
        let empty_row = (empty.num_rows() > 0).then(|| split + right_schema.len());
        if empty_row.is_some() {
            let one_row = LogicalPlan::scan_of(Arc::new(empty), "__empty");
            let schema = joined.schema().join(&one_row.schema());
            joined = LogicalPlan::Join {
                left: Box::new(joined),
                right: Box::new(one_row),
                kind: JoinKind::Inner,
                on: Vec::new(),
                filter: None,
                schema,
            };
        }
        // Matched rows whose group HAVING rejects, and unmatched ones when the subquery
        // gives no row over no rows, have no row.
        let keep = match (empty_row, having) {
            (Some(_), None) => None,
            (Some(_), Some(h)) => Some(Expr::binary(BinaryOp::Or, unmatched.clone(), h)),
            (None, h) => Expr::and_all(
                std::iter::once(Expr::Not(Box::new(unmatched.clone())))
                    .chain(h)
                    .collect(),
            ),
        };
        if let Some(predicate) = keep {
            joined = LogicalPlan::Filter {
                input: Box::new(joined),
                predicate,
            };
        }
        let scope = joined.schema();
        let mut exprs: Vec<Expr> = (0..split)
            .map(|i| Expr::column(i, scope.field(i).name.clone()))
            .collect();
        let mut fields: Vec<PlanField> = scope.fields()[..split].to_vec();
        for i in 0..width {
            let value = at(i);
            exprs.push(match empty_row {
                Some(e) => Expr::Case {
                    branches: vec![(
                        unmatched.clone(),
                        Expr::column(e + i, scope.field(e + i).name.clone()),
                    )],
                    otherwise: Some(Box::new(value)),
                    data_type: right_schema.field(i).data_type.clone(),
                },
                None => value,
            });
            fields.push(PlanField {
                nullable: true,
                ..right_schema.field(i).clone()
            });
        }
        let values = name.after(
            LogicalPlan::Project {
                input: Box::new(joined),
                exprs,
                schema: PlanSchema::new(fields),
            },
            split,
        )?;
        let Some(on) = join.on else {
            return Ok(values);
        };
        let scope = values.schema();
        let predicate = self.join_condition(on, &scope)?;
        if join.kind == JoinKind::Inner {
            return Ok(LogicalPlan::Filter {
                input: Box::new(values),
                predicate,
            });
        }
        // LEFT JOIN ... ON: the outer row keeps its one row, its values NULL where ON
        // does not hold.
        let exprs = (0..scope.len())
            .map(|i| {
                let column = Expr::column(i, scope.field(i).name.clone());
                if i < split {
                    column
                } else {
                    Expr::Case {
                        branches: vec![(predicate.clone(), column)],
                        otherwise: None,
                        data_type: scope.field(i).data_type.clone(),
                    }
                }
            })
            .collect();
        Ok(LogicalPlan::Project {
            input: Box::new(values),
            exprs,
            schema: scope,
        })
    }
}

/// The SELECT of a subquery that has no FROM (and no set operation).
fn from_less_select(query: &Query) -> Option<&ast::Select> {
    match query.body.as_ref() {
        SetExpr::Select(select) if select.from.is_empty() => Some(select),
        _ => None,
    }
}

/// The correlation's key pairs: the outer expression, and the subquery's key column as
/// the join's right side sees it.
fn key_pairs(c: &Correlation, right: &PlanSchema) -> Vec<(Expr, Expr)> {
    c.keys
        .iter()
        .map(|(outer, k)| {
            (
                outer.clone(),
                Expr::column(*k, right.field(*k).name.clone()),
            )
        })
        .collect()
}

/// A correlated subquery's LIMIT (after its ORDER BY) applied to each outer row's rows:
/// `row_number()` over the correlation keys, in the ORDER BY's order, kept between the
/// OFFSET and the LIMIT (Spark's `decorrelateLimit`).
fn limit_per_outer_row(plan: LogicalPlan, c: &Correlation) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Limit { input, skip, fetch } => {
            let (rows, order_by) = match *input {
                LogicalPlan::Sort { input, keys, .. } => (*input, keys),
                other => (other, Vec::new()),
            };
            let schema = rows.schema();
            let partition_by = c
                .keys
                .iter()
                .map(|(_, k)| Expr::column(*k, schema.field(*k).name.clone()))
                .collect();
            let window = WindowCall {
                func: WindowFunction::RowNumber,
                args: Vec::new(),
                partition_by,
                frame: WindowFrame::default_for(!order_by.is_empty()),
                order_by,
                ignore_nulls: false,
                return_type: DataType::Int32,
            };
            let mut fields = schema.fields().to_vec();
            fields.push(PlanField::new(None, "__row_number", DataType::Int32));
            let width = schema.len();
            let numbered = LogicalPlan::Window {
                input: Box::new(rows),
                windows: vec![window],
                schema: PlanSchema::new(fields),
            };
            let number = Expr::column(width, "__row_number");
            let bound =
                |n: usize| Expr::Literal(ScalarValue::Int32(i32::try_from(n).unwrap_or(i32::MAX)));
            let mut conditions = vec![Expr::binary(BinaryOp::Gt, number.clone(), bound(skip))];
            if let Some(fetch) = fetch {
                conditions.push(Expr::binary(
                    BinaryOp::LtEq,
                    number,
                    bound(skip.saturating_add(fetch)),
                ));
            }
            let kept = LogicalPlan::Filter {
                input: Box::new(numbered),
                predicate: Expr::and_all(conditions)
                    .unwrap_or(Expr::Literal(ScalarValue::Boolean(true))),
            };
            Ok(kept.first_columns(width))
        }
        LogicalPlan::Project {
            input,
            exprs,
            schema,
        } if matches!(*input, LogicalPlan::Limit { .. }) => {
            // The keys are columns of this projection: the same under it, where the
            // columns it drops (ORDER BY's hidden ones) come after them.
            Ok(LogicalPlan::Project {
                input: Box::new(limit_per_outer_row(*input, c)?),
                exprs,
                schema,
            })
        }
        other => Ok(other),
    }
}

/// How a LATERAL subquery's columns are named: by its alias (`AS s`, `AS s(a, b)`), or
/// unqualified.
struct Naming<'a>(Option<&'a ast::TableAlias>);

impl Naming<'_> {
    /// Every column of `plan`.
    fn whole(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        match self.0 {
            Some(a) => alias(plan, a),
            None => {
                let schema = plan.schema().requalify(UNNAMED);
                Ok(LogicalPlan::Alias {
                    input: Box::new(plan),
                    schema,
                })
            }
        }
    }

    /// The first `width` columns of `plan` (the rest hidden: the correlation's).
    fn first(&self, plan: LogicalPlan, width: usize) -> Result<LogicalPlan> {
        self.rename(plan, 0, width)
    }

    /// The columns of `plan` after the first `from` (those of the rows before it).
    fn after(&self, plan: LogicalPlan, from: usize) -> Result<LogicalPlan> {
        let width = plan.schema().len().saturating_sub(from);
        self.rename(plan, from, width)
    }

    /// Columns `from..from + width` of `plan` named as the subquery's; after them,
    /// hidden.
    fn rename(&self, plan: LogicalPlan, from: usize, width: usize) -> Result<LogicalPlan> {
        let mut fields = plan.schema().fields().to_vec();
        let qualifier = self.0.map_or(UNNAMED, |a| a.name.value.as_str());
        let names = self.0.map(|a| &a.columns).filter(|c| !c.is_empty());
        if let Some(names) = names {
            if names.len() != width {
                return Err(Error::analysis(format!(
                    "alias `{qualifier}` names {} columns but the LATERAL subquery has {width}",
                    names.len()
                )));
            }
        }
        for (i, field) in fields.iter_mut().enumerate().skip(from) {
            if i < from + width {
                field.qualifier = Some(qualifier.to_string());
                if let Some(names) = names {
                    field.name = names[i - from].name.value.clone();
                }
            } else {
                field.hidden = true;
            }
        }
        Ok(LogicalPlan::Alias {
            input: Box::new(plan),
            schema: PlanSchema::new(fields),
        })
    }
}
