//! The aggregates written with Spark 4's `WITHIN GROUP (ORDER BY ...)`, and `listagg` /
//! `string_agg`, which takes it optionally:
//!
//! - `percentile_cont(p) WITHIN GROUP (ORDER BY x [DESC])`: `percentile(x, p)` over the
//!   values sorted as asked (so `DESC` reads the percentile from the top);
//!   `percentile_disc(p) ...`: the first value in that order whose cumulative
//!   distribution reaches `p`. One percentage, one key, no DISTINCT (as Spark); the key's
//!   NULLs are skipped and the result is a `double`.
//! - `listagg(x [, delimiter]) [WITHIN GROUP (ORDER BY k1 [DESC], ...)]`: the group's
//!   values that are not NULL, as strings, joined by the delimiter (none by default, and
//!   none for a NULL one), in the keys' order, else in row order; NULL for a group
//!   without values. With DISTINCT the keys can only be the value itself (as Spark).
//!
//! - `mode() WITHIN GROUP (ORDER BY x [DESC])`: `mode(x)`, of equally frequent values
//!   the smallest, or the largest with `DESC` (as Spark).
//!
//! Every other aggregate with WITHIN GROUP is refused, as Spark refuses it. The call is
//! planned as an ordinary [`AggregateCall`] whose settings carry the order (see
//! [`AggregateFunction::PercentileCont`] and [`AggregateFunction::ListAgg`]).

use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema};
use sqlparser::ast;

use crate::error::{Error, Result};
use crate::sql::plan::aggregates::{aggregate_call, ignores_nulls};
use crate::sql::plan::expr::{AggregateCall, Expr, SortKey};
use crate::sql::plan::functions::{AggregateFunction, ScalarFunction};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;

impl Planner<'_> {
    /// `function` (called `lower`, with its planned `args`) when it is one of the
    /// aggregates above or is written with WITHIN GROUP; `None` for any other call.
    pub(crate) fn ordered_set_call(
        &mut self,
        function: &ast::Function,
        lower: &str,
        args: &[Expr],
        distinct: bool,
        star: bool,
        scope: &PlanSchema,
    ) -> Result<Option<Expr>> {
        use AggregateFunction::*;
        let func = match lower {
            "percentile_cont" => PercentileCont,
            "percentile_disc" => PercentileDisc,
            "listagg" | "string_agg" => ListAgg,
            _ if function.within_group.is_empty() => return Ok(None),
            "mode" => Mode,
            _ => {
                return Err(Error::analysis(format!(
                    "the function {lower} does not support WITHIN GROUP (ORDER BY ...)"
                )))
            }
        };
        if star {
            return Err(Error::analysis(format!("{lower}(*) is not allowed")));
        }
        if ignores_nulls(function).is_some() {
            return Err(Error::analysis(format!(
                "IGNORE / RESPECT NULLS does not apply to {lower}"
            )));
        }
        let keys = function
            .within_group
            .iter()
            .map(|k| self.sort_key(k, scope))
            .collect::<Result<Vec<_>>>()?;
        let filter = match &function.filter {
            Some(condition) => Some(self.aggregate_filter(condition, lower, scope)?),
            None => None,
        };
        let call = match func {
            ListAgg => listagg(lower, args, distinct, keys, scope)?,
            Mode => mode(args, distinct, keys, scope)?,
            _ => percentile(func, lower, args, distinct, keys, scope)?,
        };
        Ok(Some(match call {
            Expr::Aggregate(call) => Expr::Aggregate(Box::new(AggregateCall {
                filter: filter.map(Box::new),
                ..*call
            })),
            other => other,
        }))
    }
}

/// `percentile_cont(p)` / `percentile_disc(p)` `WITHIN GROUP (ORDER BY key)`, planned as
/// `(key, p, descending)`.
fn percentile(
    func: AggregateFunction,
    name: &str,
    args: &[Expr],
    distinct: bool,
    mut keys: Vec<SortKey>,
    scope: &PlanSchema,
) -> Result<Expr> {
    if keys.is_empty() {
        return Err(Error::analysis(format!(
            "{name} needs WITHIN GROUP (ORDER BY ...)"
        )));
    }
    if distinct {
        return Err(Error::analysis(format!(
            "{name} does not support DISTINCT with WITHIN GROUP"
        )));
    }
    let [percentage] = args else {
        return Err(Error::analysis(format!(
            "{name} takes 1 argument (the percentage), got {}",
            args.len()
        )));
    };
    if keys.len() != 1 {
        return Err(Error::analysis(format!(
            "{name} takes one ORDER BY key in WITHIN GROUP, got {}",
            keys.len()
        )));
    }
    let key = keys.remove(0);
    aggregate_call(
        func,
        vec![
            key.expr,
            percentage.clone(),
            Expr::Literal(ScalarValue::Boolean(!key.ascending)),
        ],
        false,
        false,
        scope,
    )
}

/// `mode() WITHIN GROUP (ORDER BY key [DESC])`: `mode(key, true)`, ties going to the
/// largest value when descending (a second setting only this form writes).
fn mode(args: &[Expr], distinct: bool, keys: Vec<SortKey>, scope: &PlanSchema) -> Result<Expr> {
    if !args.is_empty() || distinct {
        return Err(Error::analysis(
            "mode() WITHIN GROUP (ORDER BY ...) takes no arguments and no DISTINCT",
        ));
    }
    let [key] = <[SortKey; 1]>::try_from(keys).map_err(|keys| {
        Error::analysis(format!(
            "mode takes one ORDER BY key in WITHIN GROUP, got {}",
            keys.len()
        ))
    })?;
    let call = aggregate_call(
        AggregateFunction::Mode,
        vec![key.expr, Expr::Literal(ScalarValue::Boolean(true))],
        false,
        false,
        scope,
    )?;
    Ok(match call {
        Expr::Aggregate(mut call) => {
            call.args
                .push(Expr::Literal(ScalarValue::Boolean(!key.ascending)));
            Expr::Aggregate(call)
        }
        other => other,
    })
}

/// `listagg(value [, delimiter]) [WITHIN GROUP (ORDER BY keys)]`, planned as `(value,
/// the keys as a struct or a NULL, delimiter, the keys' directions)`.
fn listagg(
    name: &str,
    args: &[Expr],
    distinct: bool,
    keys: Vec<SortKey>,
    scope: &PlanSchema,
) -> Result<Expr> {
    let (value, delimiter) = match args {
        [value] => (value.clone(), String::new()),
        [value, delimiter] => (value.clone(), delimiter_of(name, delimiter)?),
        _ => {
            return Err(Error::analysis(format!(
                "{name} takes 1 or 2 arguments, got {}",
                args.len()
            )))
        }
    };
    if distinct && keys.iter().any(|k| k.expr != value) {
        return Err(Error::analysis(format!(
            "{name} with DISTINCT can only be ordered WITHIN GROUP by its value"
        )));
    }
    let order = if keys.is_empty() {
        Expr::Literal(ScalarValue::Null(DataType::Null))
    } else {
        let fields: Vec<Field> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| Field::new(format!("k{}", i + 1), k.expr.data_type(scope), true))
            .collect();
        Expr::Function {
            func: ScalarFunction::MakeStruct,
            args: keys.iter().map(|k| k.expr.clone()).collect(),
            return_type: DataType::Struct(fields.into()),
        }
    };
    let directions = keys
        .iter()
        .map(|k| direction_name(k.ascending, k.nulls_first))
        .collect::<Vec<_>>()
        .join(", ");
    aggregate_call(
        AggregateFunction::ListAgg,
        vec![
            value,
            order,
            Expr::Literal(ScalarValue::Utf8(delimiter)),
            Expr::Literal(ScalarValue::Utf8(directions)),
        ],
        distinct,
        false,
        scope,
    )
}

/// How one order key of `listagg` is written in its directions setting.
pub fn direction_name(ascending: bool, nulls_first: bool) -> &'static str {
    match (ascending, nulls_first) {
        (true, true) => "asc nulls first",
        (true, false) => "asc nulls last",
        (false, true) => "desc nulls first",
        (false, false) => "desc nulls last",
    }
}

/// The delimiter of `listagg`: a constant, as its string (none for NULL), as Spark
/// requires a foldable one and casts it to a string.
fn delimiter_of(name: &str, delimiter: &Expr) -> Result<String> {
    let Expr::Literal(value) = delimiter else {
        return Err(Error::analysis(format!(
            "the delimiter of {name} must be a constant"
        )));
    };
    if let ScalarValue::Utf8(s) = value {
        return Ok(s.clone());
    }
    if value.is_null() {
        return Ok(String::new());
    }
    let one = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .map_err(|e| Error::internal("a one-row batch", e))?;
    let cast = Expr::Cast {
        expr: Box::new(delimiter.clone()),
        to: DataType::Utf8,
    };
    let text = crate::sql::exec::evaluate_array(&cast, &one)?;
    match crate::sql::exec::scalar_from_array(&text, 0) {
        Some(ScalarValue::Utf8(s)) => Ok(s),
        _ => Ok(String::new()),
    }
}
