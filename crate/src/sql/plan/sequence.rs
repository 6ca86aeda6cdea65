//! `sequence(start, stop[, step])`: of integers (an integer step), or of dates and
//! timestamps with an `INTERVAL` step (one day by default, as in Spark). The interval is
//! read here, as Brasa has no interval values: the call gets it as three constants
//! (months, days, microseconds, split as Spark splits a step).

use arrow_schema::DataType;
use sqlparser::ast;

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{list_of, ArrayFunction, ScalarFunction};
use crate::sql::plan::interval::{interval_sum, is_interval};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::{is_timestamp_ntz, timestamp_ntz_type, timestamp_type};

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Planner<'_> {
    pub(crate) fn sequence_call(
        &mut self,
        function: &ast::Function,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let ast::FunctionArguments::List(list) = &function.args else {
            return Err(Error::analysis("sequence takes 2 or 3 arguments, got 0"));
        };
        let mut asts = Vec::with_capacity(list.args.len());
        for arg in &list.args {
            match arg {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => asts.push(e),
                other => return Err(Error::unsupported(format!("the argument `{other}`"))),
            }
        }
        if !(2..=3).contains(&asts.len()) {
            return Err(Error::analysis(format!(
                "sequence takes 2 or 3 arguments, got {}",
                asts.len()
            )));
        }
        let start = self.expr(asts[0], scope)?;
        let stop = self.expr(asts[1], scope)?;
        let types = [start.data_type(scope), stop.data_type(scope)];
        let temporal = |t: &DataType| matches!(t, DataType::Date32 | DataType::Timestamp(_, _));
        let interval = asts.get(2).copied().filter(|e| is_interval(e));
        if !types.iter().any(temporal) {
            if interval.is_some() {
                return Err(Error::analysis(
                    "sequence of numbers takes an integer step, not an interval",
                ));
            }
            let mut args = vec![start, stop];
            if let Some(step) = asts.get(2) {
                args.push(self.expr(step, scope)?);
            }
            return scalar_call(ScalarFunction::Array(ArrayFunction::Sequence), args, scope);
        }
        if let Some(t) = types.iter().find(|t| !temporal(t) && **t != DataType::Null) {
            return Err(Error::analysis(format!(
                "sequence mixes a date or timestamp with a {}",
                spark_type_name(t)
            )));
        }
        let element = if types
            .iter()
            .any(|t| matches!(t, DataType::Timestamp(_, Some(_))))
        {
            timestamp_type()
        } else if types.iter().any(is_timestamp_ntz) {
            // Only `timestamp_ntz`s (and dates): a sequence of them, as Spark's.
            timestamp_ntz_type()
        } else if types.iter().all(|t| *t != DataType::Date32 && temporal(t)) {
            timestamp_type()
        } else {
            DataType::Date32
        };
        let mut args = vec![start.cast(&element, scope), stop.cast(&element, scope)];
        match (asts.get(2), interval) {
            (None, _) => {}
            (Some(_), Some(interval)) => {
                let (parts, _) = interval_sum(interval).map_err(Error::unsupported)?;
                // Spark's split of a day-time step: whole days, then the rest.
                let days = parts.micros / MICROS_PER_DAY;
                let micros = parts.micros - days * MICROS_PER_DAY;
                args.extend(
                    [parts.months, days, micros].map(|v| Expr::Literal(ScalarValue::Int64(v))),
                );
            }
            (Some(step), None) => {
                return Err(Error::analysis(format!(
                    "the step of a sequence of dates or timestamps must be an interval such as \
                     INTERVAL 1 DAY, got `{step}`"
                )))
            }
        }
        Ok(Expr::Function {
            func: ScalarFunction::Array(ArrayFunction::Sequence),
            args,
            return_type: list_of(element),
        })
    }
}
