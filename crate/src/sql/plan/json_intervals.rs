//! `to_json(named_struct('d', d))`, `to_json(array(INTERVAL 3 DAYS))`, `to_json(map(...))`
//! with intervals of other fields than their type's default: Spark writes each interval
//! as the text of its own type (`"INTERVAL '3' DAY"`), but a nested Arrow type cannot
//! keep the fields (`interval_fields::check_nested`). A struct, array or map built inside
//! the call is built with such an interval already as that text (a JSON string either
//! way), and an interval map key as its value with the default fields (Spark writes a
//! key's microseconds or months).

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};

use crate::error::Result;
use crate::frame::interval_type::IntervalFields;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::functions::{DateTimeFunction, ScalarFunction};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;

impl Planner<'_> {
    /// `to_json`'s arguments, the first planned by [`Planner::json_value`]; `None` when
    /// they are not a plain list (the caller plans them as any function's).
    pub(crate) fn json_call_args(
        &mut self,
        args: &FunctionArguments,
        scope: &PlanSchema,
    ) -> Result<Option<Vec<Expr>>> {
        let Some(exprs) = plain_args(args) else {
            return Ok(None);
        };
        let mut planned = Vec::with_capacity(exprs.len());
        for (i, e) in exprs.into_iter().enumerate() {
            planned.push(if i == 0 {
                self.json_value(e, scope)?
            } else {
                self.expr(e, scope)?
            });
        }
        Ok(Some(planned))
    }

    /// `e`, with the intervals of a `named_struct`, `array` or `map` built in it (at any
    /// depth) made JSON-ready as the module says.
    fn json_value(&mut self, e: &ast::Expr, scope: &PlanSchema) -> Result<Expr> {
        let ast::Expr::Function(f) = e else {
            return self.expr(e, scope);
        };
        let name = f.name.to_string().to_ascii_lowercase();
        let (Some(exprs), true, None) = (
            plain_args(&f.args),
            matches!(name.as_str(), "named_struct" | "array" | "map"),
            &f.over,
        ) else {
            return self.expr(e, scope);
        };
        let mut planned = Vec::with_capacity(exprs.len());
        for (i, a) in exprs.into_iter().enumerate() {
            let value = self.json_value(a, scope)?;
            let is_key = name == "map" && i % 2 == 0;
            planned.push(json_ready(value, is_key, scope));
        }
        if let Some(made) = self.named_struct(&name, &planned, scope)? {
            return Ok(made);
        }
        match ScalarFunction::from_name(&name) {
            Some(func) => crate::sql::plan::exprs::scalar_call(func, planned, scope),
            None => self.expr(e, scope),
        }
    }
}

/// The arguments of a call written as a plain list (no names, `*`, `DISTINCT` or
/// clauses).
fn plain_args(args: &FunctionArguments) -> Option<Vec<&ast::Expr>> {
    let FunctionArguments::List(list) = args else {
        return None;
    };
    if !list.clauses.is_empty() || list.duplicate_treatment.is_some() {
        return None;
    }
    list.args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// An interval of other than its type's default fields as its text (a value) or as the
/// same value with the default fields (a map key); anything else as it is.
fn json_ready(value: Expr, is_key: bool, scope: &PlanSchema) -> Expr {
    let t = value.data_type(scope);
    let (Some(fields), Some(default)) =
        (value.interval_fields(scope), IntervalFields::default_of(&t))
    else {
        return value;
    };
    if fields == default {
        return value;
    }
    if !is_key {
        return value.cast(&arrow_schema::DataType::Utf8, scope);
    }
    // Truncating to one microsecond or month keeps the value and types it `default`.
    let unit = if default.is_year_month() {
        ScalarValue::YearMonth(1, default)
    } else {
        ScalarValue::DayTime(1, default)
    };
    Expr::Function {
        func: ScalarFunction::DateTime(DateTimeFunction::IntervalTruncate),
        args: vec![value, Expr::Literal(unit)],
        return_type: t,
    }
}
