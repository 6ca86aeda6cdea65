//! `timestampadd(unit, n, ts)` and `timestampdiff(unit, start, end)`, with their other
//! names `dateadd` / `date_add` and `datediff` / `date_diff`: Spark's grammar reads the
//! unit as a bare keyword (`timestampadd(HOUR, 2, ts)`), which would otherwise be planned
//! as a column. The call gets the unit as text (`temporal::units` does the arithmetic).

use sqlparser::ast;

use crate::error::{Error, Result};
use crate::sql::plan::expr::Expr;
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{DateTimeFunction, ScalarFunction};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::temporal::units::DatetimeUnit;

/// What a call with a unit first computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnitCall {
    Add,
    Diff,
}

impl UnitCall {
    fn from_name(name: &str) -> Option<UnitCall> {
        match name {
            "timestampadd" | "dateadd" | "date_add" => Some(UnitCall::Add),
            "timestampdiff" | "datediff" | "date_diff" => Some(UnitCall::Diff),
            _ => None,
        }
    }
}

impl Planner<'_> {
    /// The call if `function` is one of these names with three arguments, the first a
    /// bare word or a string; `None` for anything else (`date_add(d, 1)` is the date
    /// function).
    pub(crate) fn datetime_unit_call(
        &mut self,
        function: &ast::Function,
        name: &str,
        scope: &PlanSchema,
    ) -> Result<Option<Expr>> {
        let Some(kind) = UnitCall::from_name(name) else {
            return Ok(None);
        };
        let ast::FunctionArguments::List(list) = &function.args else {
            return Ok(None);
        };
        let [first, quantity, value] = list.args.as_slice() else {
            return Ok(None);
        };
        let unit_name = match first {
            ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(ast::Expr::Identifier(word))) => {
                word.value.clone()
            }
            ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(ast::Expr::Value(v))) => {
                match &v.value {
                    ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => {
                        return Err(unit_error(name, kind, &format!("the string '{s}'")));
                    }
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        let unit = DatetimeUnit::from_name(&unit_name)
            .filter(|unit| kind == UnitCall::Add || *unit != DatetimeUnit::DayOfYear)
            .ok_or_else(|| unit_error(name, kind, &format!("`{unit_name}`")))?;
        if function.over.is_some() || function.filter.is_some() {
            return Err(Error::analysis(format!(
                "{name}(unit, ...) is not an aggregate: it takes no OVER or FILTER"
            )));
        }
        let mut args = vec![Expr::Literal(ScalarValue::Utf8(unit.name().to_string()))];
        for arg in [quantity, value] {
            match arg {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                    args.push(self.expr(e, scope)?)
                }
                other => return Err(Error::unsupported(format!("the argument `{other}`"))),
            }
        }
        let func = match kind {
            UnitCall::Add => DateTimeFunction::TimestampAddUnit,
            UnitCall::Diff => DateTimeFunction::TimestampDiffUnit,
        };
        scalar_call(ScalarFunction::DateTime(func), args, scope).map(Some)
    }
}

/// Spark's `INVALID_PARAMETER_VALUE.DATETIME_UNIT`, with the units it takes.
fn unit_error(name: &str, kind: UnitCall, got: &str) -> Error {
    let units: Vec<&str> = DatetimeUnit::ALL
        .into_iter()
        .filter(|unit| kind == UnitCall::Add || *unit != DatetimeUnit::DayOfYear)
        .map(DatetimeUnit::name)
        .collect();
    Error::analysis(format!(
        "the unit of {name}(unit, ...) must be one of {} written without quotes, got {got}",
        units.join(", ")
    ))
}
