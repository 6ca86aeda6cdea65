//! Subqueries in expressions: `x [NOT] IN (SELECT ...)`, `[NOT] EXISTS (SELECT ...)` and
//! scalar `(SELECT ...)`.
//!
//! An uncorrelated subquery runs once while the query is planned and its result becomes
//! constants. A correlated one (its WHERE reads columns of the query around it, Spark's
//! outer references) is planned the way Spark's optimizer rewrites it
//! (`RewritePredicateSubquery`, `RewriteCorrelatedScalarSubquery`): its correlated
//! conditions are taken out of its WHERE, the inner sides of `inner = outer` conditions
//! become extra output columns (and grouping keys when it aggregates), and
//! `decorrelate.rs` (EXISTS and IN conditions of WHERE) or `value_joins.rs` (subqueries
//! giving values to expressions) join its plan to the outer query on them.
//!
//! Name resolution follows Spark: in the subquery's WHERE a name is looked up in its own
//! FROM first, then in the outer query. Outer columns anywhere else in the subquery, or two
//! levels out, are refused with a message saying what is supported.

use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use sqlparser::ast::{Query, SetExpr};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::spark_type_name;
use crate::sql::plan::correlation::{Correlation, OuterScope, Shape, SubqueryKind};
use crate::sql::plan::domain::join_domain;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::functions::{ConditionalFunction, ScalarFunction};
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};

impl Planner<'_> {
    /// `x [NOT] IN (subquery)` in an expression other than an AND condition of WHERE
    /// (those are planned in `decorrelate.rs`).
    pub fn in_subquery(
        &mut self,
        expr: Expr,
        subquery: &Query,
        negated: bool,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let (plan, correlation) = self.plan_subquery(subquery, scope, SubqueryKind::In)?;
        match correlation {
            // Spark answers it with an existence join, which is never NULL: FALSE where
            // SQL would say NULL. (As an AND condition of WHERE the two are the same.)
            None => Ok(Expr::Function {
                func: ScalarFunction::Conditional(ConditionalFunction::Coalesce),
                args: vec![
                    self.in_values(expr, plan, negated, scope)?,
                    Expr::Literal(ScalarValue::Boolean(false)),
                ],
                return_type: DataType::Boolean,
            }),
            Some(correlation) => {
                self.existence_join(plan, correlation, Some(expr), negated, subquery, scope)
            }
        }
    }

    /// `(SELECT ...)` as a value.
    pub fn scalar_subquery(&mut self, subquery: &Query, scope: &PlanSchema) -> Result<Expr> {
        let (plan, correlation) = self.plan_subquery(subquery, scope, SubqueryKind::Scalar)?;
        match correlation {
            None => {
                // An interval keeps the subquery column's fields.
                let fields = plan.schema().fields().first().and_then(|f| f.interval);
                let value = scalar_value(self.subquery_column(plan, "a scalar subquery")?)?;
                Ok(match (value, fields) {
                    (Expr::Literal(ScalarValue::DayTime(v, _)), Some(f)) if !f.is_year_month() => {
                        Expr::Literal(ScalarValue::DayTime(v, f))
                    }
                    (Expr::Literal(ScalarValue::YearMonth(v, _)), Some(f)) if f.is_year_month() => {
                        Expr::Literal(ScalarValue::YearMonth(v, f))
                    }
                    (value, _) => value,
                })
            }
            Some(correlation) => self.scalar_join(plan, correlation, subquery, scope),
        }
    }

    /// `[NOT] EXISTS (subquery)` in an expression.
    pub fn exists(&mut self, subquery: &Query, negated: bool, scope: &PlanSchema) -> Result<Expr> {
        let (plan, correlation) = self.plan_subquery(subquery, scope, SubqueryKind::Exists)?;
        match correlation {
            None => self.exists_value(plan, negated),
            Some(correlation) => {
                self.existence_join(plan, correlation, None, negated, subquery, scope)
            }
        }
    }

    /// Plans a subquery of a query whose columns are `outer`: its plan, and how it is
    /// correlated (`None`: it is not, and can run once).
    pub(crate) fn plan_subquery(
        &mut self,
        subquery: &Query,
        outer: &PlanSchema,
        kind: SubqueryKind,
    ) -> Result<(LogicalPlan, Option<Correlation>)> {
        let (plan, correlation) = self.plan_correlated(subquery, outer, kind)?;
        let Some(correlation) = correlation else {
            return Ok((plan, None));
        };
        let plan = match (subquery.limit_clause.is_some(), plan) {
            (false, plan) => plan,
            // A LIMIT that keeps a row does not change whether one exists.
            (
                true,
                LogicalPlan::Limit {
                    input,
                    skip: 0,
                    fetch,
                },
            ) if kind == SubqueryKind::Exists && fetch != Some(0) => *input,
            _ => {
                return Err(Error::unsupported(
                    "LIMIT or OFFSET in a correlated subquery (Brasa decorrelates subqueries \
                     into joins, and a per-row LIMIT has no join form); use an aggregate such \
                     as min or max instead",
                ))
            }
        };
        Ok((plan, Some(correlation)))
    }

    /// Plans a subquery whose WHERE may read the columns `outer`, and how it is
    /// correlated, with its LIMIT as written (under the correlation's extra columns).
    pub(crate) fn plan_correlated(
        &mut self,
        subquery: &Query,
        outer: &PlanSchema,
        kind: SubqueryKind,
    ) -> Result<(LogicalPlan, Option<Correlation>)> {
        // Only a plain SELECT can read outer columns: with WITH or a set operation, the
        // scope is marked taken, so outer names do not resolve and are reported below.
        let plain = subquery.with.is_none() && matches!(subquery.body.as_ref(), SetExpr::Select(_));
        let source = self.subqueries.source_of(outer);
        self.subqueries
            .outer
            .push(OuterScope::new(outer.clone(), kind, !plain, source));
        let planned = self.query(subquery);
        let frame = self.subqueries.outer.pop().expect("pushed above");
        let plan = planned.map_err(|e| self.correlated_hint(e, outer))?;
        Ok((plan, frame.correlation))
    }

    /// The outer scope the SELECT being planned may read, if it is the body of a
    /// correlated subquery: the innermost scope not yet taken.
    pub(crate) fn claim_outer_scope(&mut self) -> Option<usize> {
        let index = self.subqueries.outer.len().checked_sub(1)?;
        let frame = &mut self.subqueries.outer[index];
        if frame.claimed {
            return None;
        }
        frame.claimed = true;
        Some(index)
    }

    /// After the SELECT list of a correlated subquery is planned: the inner sides of its
    /// correlation keys become extra output columns (and grouping keys if it aggregates),
    /// as do the inner columns other correlated conditions read; the result is recorded
    /// in the outer scope for [`Planner::plan_subquery`].
    ///
    /// A subquery that aggregates or gives a value and whose correlation is not only
    /// equalities is first joined to the domain of its other conditions (`domain.rs`):
    /// `plan` and `scope` then extend to the domain's columns.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn correlated_outputs(
        &mut self,
        frame: usize,
        plan: &mut LogicalPlan,
        items: &mut Vec<(Expr, String)>,
        group: &mut Vec<Expr>,
        having: &mut Option<Expr>,
        aggregating: bool,
        scope: &mut PlanSchema,
        refused: Option<&str>,
    ) -> Result<()> {
        let mut found = std::mem::take(&mut self.subqueries.outer[frame].found);
        if found.keys.is_empty() && found.residual.is_empty() {
            return Ok(());
        }
        let kind = self.subqueries.outer[frame].kind;
        let outer_width = self.subqueries.outer[frame].scope.len();
        if let Some(what) = refused {
            return Err(Error::unsupported(format!(
                "a correlated subquery with {what}; compute it in a subquery of FROM first"
            )));
        }
        if items.iter().any(|(e, _)| e.contains_window()) {
            return Err(Error::unsupported(
                "window functions in a correlated subquery (its rows are joined to the outer \
                 query's, so windows would span every outer row); compute the window in a \
                 subquery of FROM first",
            ));
        }
        let shape = match (aggregating, group.is_empty()) {
            (false, _) => Shape::Rows,
            (true, false) => Shape::Grouped,
            (true, true) => Shape::Global,
        };
        if !found.residual.is_empty() && (aggregating || kind == SubqueryKind::Scalar) {
            let outer = &self.subqueries.outer[frame];
            let rows = std::mem::replace(plan, LogicalPlan::OneRow);
            *plan = join_domain(outer.source.clone(), &outer.scope, rows, &mut found)?;
            *scope = plan.schema();
        }
        let width = items.len();
        let mut keys = Vec::with_capacity(found.keys.len());
        for (i, (outer, inner)) in found.keys.into_iter().enumerate() {
            if aggregating {
                group.push(inner.clone());
            }
            keys.push((outer, items.len()));
            items.push((inner, format!("__outer_key{i}")));
        }
        let has_having = having.is_some();
        let mut having_column = None;
        if matches!(kind, SubqueryKind::Scalar | SubqueryKind::Lateral) && shape == Shape::Global {
            // Kept as a column so that an outer row whose group HAVING rejects (NULL) is
            // told from one no row matches (the aggregate's value over no rows).
            if let Some(condition) = having.take() {
                having_column = Some(items.len());
                items.push((condition, "__having".to_string()));
            }
        }
        let residual = if found.residual.is_empty() {
            None
        } else {
            let inner_width = found.inner_width;
            let mut read = Vec::new();
            for r in &found.residual {
                r.columns(&mut read);
            }
            read.retain(|&c| c < inner_width);
            read.sort_unstable();
            read.dedup();
            let mut position = vec![0; inner_width];
            for &c in &read {
                position[c] = items.len();
                items.push((
                    Expr::column(c, scope.field(c).name.clone()),
                    format!("__outer_read{c}"),
                ));
            }
            // Over the outer scope, then the subquery's output.
            let remapped = found
                .residual
                .into_iter()
                .map(|r| {
                    r.remap_columns(&|i| {
                        if i < inner_width {
                            outer_width + position[i]
                        } else {
                            i - inner_width
                        }
                    })
                })
                .collect();
            Expr::and_all(remapped)
        };
        self.subqueries.outer[frame].correlation = Some(Correlation {
            width,
            keys,
            residual,
            shape,
            having: having_column,
            has_having,
        });
        Ok(())
    }

    /// A subquery that fails on a column of a query around it is correlated in a way
    /// Brasa does not decorrelate: say so, and what is supported.
    fn correlated_hint(&self, error: Error, outer: &PlanSchema) -> Error {
        if error.code() != ErrorCode::SqlAnalysis || !error.message().starts_with("column `") {
            return error;
        }
        let name = error.message()["column `".len()..]
            .split('`')
            .next()
            .unwrap_or("");
        let (qualifier, column) = match name.split_once('.') {
            Some((q, c)) => (Some(q), c),
            None => (None, name),
        };
        let resolves = |scope: &PlanSchema| scope.resolve(qualifier, column).is_ok();
        let message = if resolves(outer) {
            format!(
                "correlated subqueries that read `{name}` of the outer query outside their \
                 WHERE (or in a subquery with WITH, UNION, or of its FROM); Brasa \
                 decorrelates outer columns in the WHERE of a plain SELECT subquery: move the \
                 condition there, or rewrite the query as a JOIN"
            )
        } else if self.subqueries.outer.iter().any(|f| resolves(&f.scope)) {
            format!(
                "a subquery that reads `{name}` of a query two or more levels out; a \
                 correlated subquery may read only the query right around it (as in Spark): \
                 join that table into the query in between"
            )
        } else {
            return error;
        };
        let mut hinted = Error::unsupported(message);
        if let Some((line, col)) = error.location().position {
            hinted = hinted.at_position(line, col);
        }
        hinted
    }

    /// `x [NOT] IN (values)` for an uncorrelated subquery: it runs once and membership is
    /// tested against its values.
    pub(crate) fn in_values(
        &mut self,
        expr: Expr,
        plan: LogicalPlan,
        negated: bool,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let values = self.subquery_column(plan, "IN")?;
        let common =
            crate::sql::types::in_subquery_common(&expr.data_type(scope), values.data_type())?;
        let values = crate::sql::exec::spark_cast(&values, &common)?;
        Ok(Expr::InList {
            expr: Box::new(expr.cast(&common, scope)),
            list: values_as_literals(&values)?,
            negated,
        })
    }

    /// `[NOT] EXISTS` of an uncorrelated subquery: whether it has a row.
    pub(crate) fn exists_value(&mut self, plan: LogicalPlan, negated: bool) -> Result<Expr> {
        let rows = self.runner.run(plan.limited(0, Some(1)))?.num_rows();
        Ok(Expr::Literal(ScalarValue::Boolean((rows > 0) != negated)))
    }

    /// The values of a one-column uncorrelated subquery.
    fn subquery_column(&mut self, plan: LogicalPlan, what: &str) -> Result<ArrayRef> {
        if plan.schema().len() != 1 {
            return Err(Error::analysis(format!(
                "{what} needs a subquery with one column, this one has {}",
                plan.schema().len()
            )));
        }
        let table = self.runner.run(plan)?;
        let column = table
            .partitions()?
            .iter()
            .map(|b| std::sync::Arc::clone(b.column(0)))
            .collect::<Vec<_>>();
        if column.is_empty() {
            return Ok(arrow_array::new_empty_array(
                &table.schema().field(0).data_type().clone(),
            ));
        }
        let refs: Vec<&dyn Array> = column.iter().map(|a| a.as_ref()).collect();
        arrow_select::concat::concat(&refs)
            .map_err(|e| Error::internal("collecting subquery results", e))
    }

    /// The first row's first value of `plan` (NULL without rows): what a scalar
    /// subquery that aggregates gives over no rows.
    pub(crate) fn first_value(&mut self, plan: LogicalPlan) -> Result<Option<ScalarValue>> {
        let table = self.runner.run(plan.limited(0, Some(1)))?;
        Ok(table
            .partitions()?
            .iter()
            .find(|b| b.num_rows() > 0)
            .and_then(|b| crate::sql::exec::scalar_from_array(b.column(0), 0))
            .filter(|v| !v.is_null()))
    }
}

/// The value of an uncorrelated scalar subquery: one column, at most one row.
fn scalar_value(values: ArrayRef) -> Result<Expr> {
    match values.len() {
        0 => Ok(Expr::Literal(ScalarValue::Null(values.data_type().clone()))),
        1 => Ok(values_as_literals(&values)?.remove(0)),
        n => Err(Error::analysis(format!(
            "a scalar subquery must return at most one row, this one returned {n}"
        ))),
    }
}

/// An uncorrelated subquery's values as literals of the outer query. Literals hold no
/// arrays, maps or structs: such values are refused rather than turned into something
/// else.
fn values_as_literals(values: &ArrayRef) -> Result<Vec<Expr>> {
    if values.data_type().is_nested() && values.null_count() < values.len() {
        return Err(Error::unsupported(format!(
            "a subquery used as a value that returns {} values; join with the subquery \
             (e.g. `CROSS JOIN (SELECT ...) AS s`) and read its column instead",
            spark_type_name(values.data_type())
        )));
    }
    let schema = PlanSchema::default();
    Ok((0..values.len())
        .map(|i| {
            let one = values.slice(i, 1);
            Expr::Literal(
                crate::sql::exec::scalar_from_array(&one, 0)
                    .unwrap_or(ScalarValue::Null(values.data_type().clone())),
            )
            .cast(values.data_type(), &schema)
        })
        .collect())
}

/// The scope a correlated subquery's WHERE is planned over: its own columns, then the
/// outer query's. As in Spark, its own come first: an outer column is left out of
/// unqualified lookups when the subquery has a column of that name, and out of all
/// lookups when it also has the same table name.
pub(crate) fn with_outer(inner: &PlanSchema, outer: &PlanSchema) -> PlanSchema {
    let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    let mut fields = inner.fields().to_vec();
    for field in outer.fields() {
        let mut field = field.clone();
        let named = |f: &&PlanField| f.name.eq_ignore_ascii_case(&field.name);
        if inner
            .fields()
            .iter()
            .filter(named)
            .any(|f| same(&f.qualifier, &field.qualifier))
        {
            // Hidden and without a qualifier: no name reaches it.
            field.qualifier = None;
            field.hidden = true;
        } else if inner.fields().iter().filter(named).any(|f| !f.hidden) {
            field.hidden = true;
        }
        fields.push(field);
    }
    PlanSchema::new(fields)
}

#[cfg(test)]
mod tests {
    use arrow_schema::DataType;

    use super::*;

    /// Spark's lookup order in a correlated subquery's WHERE: its own FROM first, then
    /// the outer query.
    #[test]
    fn inner_columns_shadow_outer_ones() {
        let inner = PlanSchema::new(vec![
            PlanField::new(Some("q"), "k", DataType::Int32),
            PlanField::new(Some("t"), "v", DataType::Int32),
        ]);
        let outer = PlanSchema::new(vec![
            PlanField::new(Some("w"), "k", DataType::Int32),
            PlanField::new(Some("w"), "id", DataType::Int32),
            PlanField::new(Some("t"), "v", DataType::Int32),
            PlanField::new(Some("t"), "s", DataType::Utf8),
        ]);
        let scope = with_outer(&inner, &outer);
        // `k` is the subquery's, `w.k` and `id` the outer query's.
        assert_eq!(scope.resolve(None, "k").unwrap(), 0);
        assert_eq!(scope.resolve(Some("w"), "k").unwrap(), 2);
        assert_eq!(scope.resolve(None, "id").unwrap(), 3);
        // Same table name and column: only the subquery's is reachable.
        assert_eq!(scope.resolve(Some("t"), "v").unwrap(), 1);
        assert_eq!(scope.resolve(None, "v").unwrap(), 1);
        // Same table name, a column only the outer query has.
        assert_eq!(scope.resolve(Some("t"), "s").unwrap(), 5);
    }
}
