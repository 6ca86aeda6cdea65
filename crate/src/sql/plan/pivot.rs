//! `PIVOT` and `UNPIVOT` in FROM, planned with the operators Brasa already has.
//!
//! `t PIVOT (agg(x) [AS a], ... FOR col IN (v1 [AS n1], ...))` groups `t` by every column
//! the aggregates and `col` do not read (Spark's implicit grouping) and computes each
//! aggregate once per value with `FILTER (WHERE col <=> v)`; a cell whose value has no
//! rows in the group is NULL, as Spark's pivot gives it (even for `count`). Columns are
//! named after the value (its alias, or its text), then `_` and the aggregate's alias or
//! text when there are several aggregates, as in Spark.
//!
//! `t UNPIVOT [INCLUDE | EXCLUDE NULLS] (v FOR name IN (c1 [AS n1], ...))` is the union of
//! one projection per listed column: the other columns, the column's name (or alias) as
//! `name` and its value, in the columns' common type, as `v`; rows whose value is NULL are
//! left out unless `INCLUDE NULLS` (Spark's default is to exclude them).

use sqlparser::ast::{self, ExprWithAlias, NullInclusion, PivotValueSource};

use crate::error::{Error, Result};
use crate::sql::plan::aggregates::aggregate_call;
use crate::sql::plan::expr::{AggregateCall, BinaryOp, Expr};
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{
    common_type, AggregateFunction, ConditionalFunction, ScalarFunction,
};
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};

/// The text Spark names a pivot value's column by when it has no alias.
fn value_name(value: &ExprWithAlias) -> String {
    if let Some(alias) = &value.alias {
        return alias.value.clone();
    }
    match &value.expr {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s.clone(),
            ast::Value::Null => "null".to_string(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

impl Planner<'_> {
    /// `input PIVOT (aggregates FOR column IN (values))`.
    pub(crate) fn pivot(
        &mut self,
        input: LogicalPlan,
        aggregates: &[ExprWithAlias],
        value_column: &[ast::Expr],
        values: &PivotValueSource,
        default_on_null: Option<&ast::Expr>,
    ) -> Result<LogicalPlan> {
        if default_on_null.is_some() {
            return Err(Error::unsupported("PIVOT ... DEFAULT ON NULL"));
        }
        let PivotValueSource::List(values) = values else {
            return Err(Error::unsupported(
                "PIVOT over ANY or a subquery (list the values: IN ('a', 'b'))",
            ));
        };
        let [column] = value_column else {
            return Err(Error::unsupported(
                "PIVOT on several columns at once (pivot on one column, or on a struct of them)",
            ));
        };
        let scope = input.schema();
        let key = self.expr(column, &scope)?;
        if key.contains_aggregate() || key.contains_window() {
            return Err(Error::analysis("the PIVOT column cannot be an aggregate"));
        }
        let key_type = key.data_type(&scope);
        let mut calls: Vec<(AggregateCall, String)> = Vec::with_capacity(aggregates.len());
        for aggregate in aggregates {
            match self.expr(&aggregate.expr, &scope)? {
                Expr::Aggregate(call) if call.filter.is_none() => {
                    let name = match &aggregate.alias {
                        Some(alias) => alias.value.clone(),
                        None => aggregate.expr.to_string().replace("(*)", "(1)"),
                    };
                    calls.push((*call, name));
                }
                _ => {
                    return Err(Error::analysis(format!(
                        "PIVOT needs aggregate function calls, and `{}` is not one",
                        aggregate.expr
                    )))
                }
            }
        }
        let mut keys = Vec::with_capacity(values.len());
        for value in values {
            let planned = self.expr(&value.expr, &scope)?;
            let mut read = Vec::new();
            planned.columns(&mut read);
            if !read.is_empty() || planned.contains_aggregate() {
                return Err(Error::analysis(format!(
                    "PIVOT values must be constants, and `{}` is not",
                    value.expr
                )));
            }
            keys.push((planned.cast(&key_type, &scope), value_name(value)));
        }

        // Spark's implicit grouping: every column neither the aggregates nor the key read.
        let mut read = Vec::new();
        key.columns(&mut read);
        for (call, _) in &calls {
            Expr::Aggregate(Box::new(call.clone())).columns(&mut read);
        }
        let group: Vec<usize> = (0..scope.len())
            .filter(|i| !read.contains(i) && !scope.field(*i).hidden)
            .collect();

        let missing_is_null = calls.iter().all(|(c, _)| {
            c.return_type.is_numeric() || c.return_type == arrow_schema::DataType::Boolean
        });
        // Per value: each aggregate over the value's rows, and (when a value without rows
        // is NULL) how many rows it has.
        let mut fields: Vec<PlanField> = group.iter().map(|&i| scope.field(i).clone()).collect();
        let mut aggregate_calls = Vec::new();
        let rows = match aggregate_call(AggregateFunction::Count, vec![], false, true, &scope)? {
            Expr::Aggregate(call) => *call,
            _ => return Err(Error::analysis("count(*) did not plan as an aggregate")),
        };
        for (value, _) in &keys {
            let matches = Expr::binary(BinaryOp::NullSafeEq, key.clone(), value.clone());
            for (call, _) in &calls {
                aggregate_calls.push(AggregateCall {
                    filter: Some(Box::new(matches.clone())),
                    ..call.clone()
                });
            }
            if missing_is_null {
                aggregate_calls.push(AggregateCall {
                    filter: Some(Box::new(matches)),
                    ..rows.clone()
                });
            }
        }
        fields.extend(
            aggregate_calls
                .iter()
                .map(|c| PlanField::new(None, c.func.name(), c.return_type.clone())),
        );
        let aggregated_schema = PlanSchema::new(fields);
        let aggregated = LogicalPlan::Aggregate {
            input: Box::new(input),
            group: group
                .iter()
                .map(|&i| Expr::column(i, scope.field(i).name.clone()))
                .collect(),
            aggregates: aggregate_calls,
            schema: aggregated_schema.clone(),
        };

        // The cells: NULL where the value has no rows in the group.
        let mut exprs: Vec<Expr> = (0..group.len())
            .map(|i| Expr::column(i, aggregated_schema.field(i).name.clone()))
            .collect();
        let mut out: Vec<PlanField> = aggregated_schema.fields()[..group.len()].to_vec();
        let per_value = calls.len() + usize::from(missing_is_null);
        for (v, (_, value)) in keys.iter().enumerate() {
            let base = group.len() + v * per_value;
            let rows = Expr::column(base + calls.len(), "count(1)");
            let has_rows = Expr::binary(BinaryOp::Gt, rows, Expr::literal(ScalarValue::Int64(0)));
            for (a, (call, aggregate)) in calls.iter().enumerate() {
                let cell = Expr::column(base + a, call.func.name());
                exprs.push(if missing_is_null {
                    let null = Expr::literal(ScalarValue::Null(call.return_type.clone()));
                    let if_fn = ScalarFunction::Conditional(ConditionalFunction::If);
                    scalar_call(
                        if_fn,
                        vec![has_rows.clone(), cell, null],
                        &aggregated_schema,
                    )?
                } else {
                    cell
                });
                let name = if calls.len() == 1 {
                    value.clone()
                } else {
                    format!("{value}_{aggregate}")
                };
                out.push(PlanField::new(None, name, call.return_type.clone()));
            }
        }
        Ok(LogicalPlan::Project {
            input: Box::new(aggregated),
            exprs,
            schema: PlanSchema::new(out),
        })
    }

    /// `input UNPIVOT [INCLUDE | EXCLUDE NULLS] (value FOR name IN (columns))`.
    pub(crate) fn unpivot(
        &mut self,
        input: LogicalPlan,
        value: &ast::Expr,
        name: &ast::Ident,
        columns: &[ExprWithAlias],
        nulls: Option<&NullInclusion>,
    ) -> Result<LogicalPlan> {
        let ast::Expr::Identifier(value_name) = value else {
            return Err(Error::unsupported(format!(
                "UNPIVOT into `{value}` (one value column; several at once are not supported yet)"
            )));
        };
        let scope = input.schema();
        let mut unpivoted = Vec::with_capacity(columns.len());
        for column in columns {
            let planned = self.expr(&column.expr, &scope)?;
            let Expr::Column { index, .. } = planned else {
                return Err(Error::analysis(format!(
                    "UNPIVOT lists columns, and `{}` is not one",
                    column.expr
                )));
            };
            let label = match &column.alias {
                Some(alias) => alias.value.clone(),
                None => scope.field(index).name.clone(),
            };
            unpivoted.push((index, label));
        }
        let types: Vec<_> = unpivoted
            .iter()
            .map(|&(i, _)| scope.field(i).data_type.clone())
            .collect();
        let value_type = common_type("UNPIVOT", &types)?;
        let kept: Vec<usize> = (0..scope.len())
            .filter(|i| !scope.field(*i).hidden && !unpivoted.iter().any(|(u, _)| u == i))
            .collect();
        let mut fields: Vec<PlanField> = kept.iter().map(|&i| scope.field(i).clone()).collect();
        fields.push(PlanField::new(
            None,
            name.value.clone(),
            arrow_schema::DataType::Utf8,
        ));
        fields.push(PlanField::new(
            None,
            value_name.value.clone(),
            value_type.clone(),
        ));
        let schema = PlanSchema::new(fields);
        let include_nulls = matches!(nulls, Some(NullInclusion::IncludeNulls));
        let inputs = unpivoted
            .iter()
            .map(|(index, label)| {
                let cell = Expr::column(*index, scope.field(*index).name.clone());
                let mut exprs: Vec<Expr> = kept
                    .iter()
                    .map(|&i| Expr::column(i, scope.field(i).name.clone()))
                    .collect();
                exprs.push(Expr::literal(ScalarValue::Utf8(label.clone())));
                exprs.push(cell.clone().cast(&value_type, &scope));
                let source = if include_nulls {
                    input.clone()
                } else {
                    LogicalPlan::Filter {
                        input: Box::new(input.clone()),
                        predicate: Expr::IsNull {
                            expr: Box::new(cell),
                            negated: true,
                        },
                    }
                };
                LogicalPlan::Project {
                    input: Box::new(source),
                    exprs,
                    schema: schema.clone(),
                }
            })
            .collect();
        Ok(LogicalPlan::Union { inputs, schema })
    }
}
