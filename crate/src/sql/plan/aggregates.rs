//! Planning aggregate calls: arity and literal settings, `DISTINCT`, `FILTER (WHERE ...)`
//! and `IGNORE NULLS`, with Spark's argument casts.

use arrow_schema::{DataType, Field};
use sqlparser::ast::{self, FunctionArgumentClause, FunctionArguments, NullTreatment};

use crate::error::{Error, Result};
use crate::frame::interval_type::IntervalFields;
use crate::sql::plan::expr::{AggregateCall, Expr};
use crate::sql::plan::functions::{AggregateFunction, ArrayFunction, ScalarFunction};
use crate::sql::plan::interval_exprs::interval_call;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::list_of;

impl Planner<'_> {
    /// The condition of `agg(...) FILTER (WHERE condition)`: a boolean over the rows, with
    /// no aggregate or window inside.
    pub(crate) fn aggregate_filter(
        &mut self,
        condition: &ast::Expr,
        function: &str,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let planned = self.expr(condition, scope)?;
        if planned.contains_aggregate() || planned.contains_window() {
            return Err(Error::analysis(format!(
                "the FILTER (WHERE ...) of {function} cannot contain an aggregate or window function"
            )));
        }
        planned.into_boolean(scope, &format!("the FILTER (WHERE ...) of {function}"))
    }
}

/// `IGNORE NULLS` (`Some(true)`) or `RESPECT NULLS` (`Some(false)`) written after the
/// call or inside its parentheses.
pub fn ignores_nulls(function: &ast::Function) -> Option<bool> {
    let inside = match &function.args {
        FunctionArguments::List(list) => list.clauses.iter().find_map(|c| match c {
            FunctionArgumentClause::IgnoreOrRespectNulls(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    function
        .null_treatment
        .as_ref()
        .or(inside)
        .map(|t| matches!(t, NullTreatment::IgnoreNulls))
}

/// `first(x) IGNORE NULLS` is `first(x, true)`; the clause is refused where it means
/// nothing.
pub fn with_null_treatment(
    func: AggregateFunction,
    mut args: Vec<Expr>,
    ignore_nulls: Option<bool>,
) -> Result<Vec<Expr>> {
    use AggregateFunction::*;
    let Some(ignore) = ignore_nulls else {
        return Ok(args);
    };
    if !matches!(func, First | Last | AnyValue) {
        return Err(Error::analysis(format!(
            "IGNORE / RESPECT NULLS does not apply to {}",
            func.name()
        )));
    }
    if args.len() != 1 {
        return Err(Error::analysis(format!(
            "{} takes IGNORE NULLS or a second argument, not both",
            func.name()
        )));
    }
    args.push(Expr::Literal(ScalarValue::Boolean(ignore)));
    Ok(args)
}

/// `sum` and `avg` of an interval, as Spark: the microseconds (a year-month interval's
/// months) summed exactly (as decimals, so an overflow is caught: Spark raises it), the
/// sum back as an interval of the column's fields, the average the sum divided by the
/// count, rounded half up, with the type's default fields (`day to second`, `year to
/// month`). `None` for other calls.
fn interval_sum_or_avg(
    func: AggregateFunction,
    args: &[Expr],
    distinct: bool,
    scope: &PlanSchema,
) -> Result<Option<Expr>> {
    use crate::sql::plan::functions::DateTimeFunction as D;
    let ([arg], AggregateFunction::Sum | AggregateFunction::Avg) = (args, func) else {
        return Ok(None);
    };
    let Some(fields) = arg.interval_fields(scope) else {
        return Ok(None);
    };
    let call = |f: D, args: Vec<Expr>| interval_call(f, args, scope);
    let micros =
        call(D::IntervalToMicros, vec![arg.clone()])?.cast(&DataType::Decimal128(20, 0), scope);
    let total = aggregate_call(AggregateFunction::Sum, vec![micros], distinct, false, scope)?
        .cast(&DataType::Decimal128(38, 0), scope);
    let as_interval = |total: Expr, fields| {
        call(
            D::MicrosToInterval,
            vec![total, crate::sql::plan::interval_exprs::typed_zero(fields)],
        )
    };
    if func == AggregateFunction::Sum {
        return as_interval(total, fields).map(Some);
    }
    let count = aggregate_call(
        AggregateFunction::Count,
        vec![arg.clone()],
        distinct,
        false,
        scope,
    )?;
    let default = IntervalFields::default_of(&arg.data_type(scope)).unwrap_or(fields);
    let total = as_interval(total, default)?;
    call(D::IntervalDivide, vec![total, count]).map(Some)
}

/// Plans `func(args)`: checks the arity and the literal settings, casts the data
/// arguments to what the function computes in.
pub fn aggregate_call(
    func: AggregateFunction,
    mut args: Vec<Expr>,
    distinct: bool,
    star: bool,
    scope: &PlanSchema,
) -> Result<Expr> {
    let name = func.name();
    let func = match (func, star) {
        (AggregateFunction::Count, true) => AggregateFunction::CountStar,
        (_, true) => return Err(Error::analysis(format!("{name}(*) is not allowed"))),
        (f, false) => f,
    };
    if func == AggregateFunction::Count && args.is_empty() {
        return Err(Error::analysis("count needs an argument or *"));
    }
    // count(1), count('x'): a constant that is never null counts rows.
    let func = match (func, args.as_slice()) {
        (AggregateFunction::Count, [Expr::Literal(v)]) if !v.is_null() && !distinct => {
            args.clear();
            AggregateFunction::CountStar
        }
        (f, _) => f,
    };
    if func == AggregateFunction::Count && args.len() > 1 {
        args = vec![all_present(args, scope)?];
    }
    if let Some(interval) = interval_sum_or_avg(func, &args, distinct, scope)? {
        return Ok(interval);
    }
    let data = func.data_arity();
    let (fewest, most) = func.settings();
    if args.len() < data + fewest || args.len() > data + most {
        let expected = if fewest == most {
            format!("{}", data + most)
        } else {
            format!("{} to {}", data + fewest, data + most)
        };
        return Err(Error::analysis(format!(
            "{name} takes {expected} argument{}, got {}",
            if data + most == 1 { "" } else { "s" },
            args.len()
        )));
    }
    let settings = args.split_off(data);
    let settings = settings
        .into_iter()
        .enumerate()
        .map(|(i, s)| literal_setting(func, i, s))
        .collect::<Result<Vec<_>>>()?;
    let types: Vec<_> = args.iter().map(|a| a.data_type(scope)).collect();
    let signature = func.signature(&types)?;
    crate::sql::plan::interval_fields::check_nested(&args, &signature.returns, scope)?;
    let mut args: Vec<Expr> = args
        .into_iter()
        .zip(&signature.args)
        .map(|(a, t)| a.cast(t, scope))
        .collect();
    // Several percentages at once, or the `k` of `max_by(x, ord, k)`, give an array.
    let returns = match settings.first() {
        Some(Expr::Function {
            func: ScalarFunction::Array(_),
            ..
        }) => list_of(signature.returns),
        Some(_) if matches!(func, AggregateFunction::MaxBy | AggregateFunction::MinBy) => {
            list_of(signature.returns)
        }
        _ => signature.returns,
    };
    args.extend(settings);
    Ok(Expr::Aggregate(Box::new(AggregateCall {
        func,
        args,
        distinct: distinct && func.distinct_matters(),
        filter: None,
        return_type: returns,
    })))
}

/// Spark's `count(a, b, ...)` counts the rows where no argument is NULL, and with
/// DISTINCT the distinct tuples among them: the count of one value that is the tuple
/// where every argument is present, and NULL where one is not.
fn all_present(args: Vec<Expr>, scope: &PlanSchema) -> Result<Expr> {
    let present = Expr::and_all(
        args.iter()
            .map(|a| Expr::IsNull {
                expr: Box::new(a.clone()),
                negated: true,
            })
            .collect(),
    )
    .ok_or_else(|| Error::analysis("count needs an argument or *"))?;
    let fields: Vec<Field> = args
        .iter()
        .enumerate()
        .map(|(i, a)| Field::new(format!("col{}", i + 1), a.data_type(scope), true))
        .collect();
    let data_type = DataType::Struct(fields.into());
    let tuple = Expr::Function {
        func: ScalarFunction::MakeStruct,
        args,
        return_type: data_type.clone(),
    };
    Ok(Expr::Case {
        branches: vec![(present, tuple)],
        otherwise: None,
        data_type,
    })
}

/// The largest `k` of `max_by(x, ord, k)` / `min_by`, as Spark's.
const MAX_BY_K: usize = 100_000;

/// Setting `index` (after the data arguments) of `func` as the literal the executor
/// reads: a percentage in [0, 1], an accuracy or relative error, `ignoreNulls`, the `k`
/// of `max_by`.
fn literal_setting(func: AggregateFunction, index: usize, setting: Expr) -> Result<Expr> {
    use AggregateFunction::*;
    let name = func.name();
    let number = number_literal(&setting);
    match (func, index, percentage_array(&setting)) {
        // `percentile(x, array(0.25, 0.75))`: every percentage at once, an array out.
        (Percentile | PercentileApprox, 0, Some(items)) => {
            let percentages = items
                .into_iter()
                .map(|p| checked_percentage(func, p).map(Expr::literal))
                .collect::<Result<Vec<_>>>()?;
            Ok(Expr::Function {
                func: ScalarFunction::Array(ArrayFunction::Array),
                args: percentages,
                return_type: list_of(DataType::Float64),
            })
        }
        (Percentile | PercentileApprox | PercentileCont | PercentileDisc, 0, _) => {
            checked_percentage(func, percentage(&setting)).map(Expr::literal)
        }
        (PercentileApprox, 1, _) => match number {
            Some(a) if a >= 1.0 && a.fract() == 0.0 => Ok(Expr::Literal(ScalarValue::Float64(a))),
            _ => Err(Error::analysis(format!(
                "the accuracy of {name} must be a positive integer literal"
            ))),
        },
        (ApproxCountDistinct, 0, _) => match number {
            // Brasa counts exactly; Spark's bounds on the relative error still apply.
            Some(rsd) if (0.0..=0.4).contains(&rsd) => Ok(Expr::Literal(ScalarValue::Float64(rsd))),
            _ => Err(Error::analysis(format!(
                "the relative standard deviation of {name} must be a number literal at most 0.4"
            ))),
        },
        // `max_by(x, ord, k)`: Spark's bounds on `k`.
        (MaxBy | MinBy, 0, _) => match (&setting, number) {
            (Expr::Literal(ScalarValue::Int32(_) | ScalarValue::Int64(_)), Some(k))
                if (1.0..=MAX_BY_K as f64).contains(&k) =>
            {
                Ok(Expr::Literal(ScalarValue::Int64(k as i64)))
            }
            (Expr::Literal(ScalarValue::Int32(_) | ScalarValue::Int64(_)), Some(k)) => {
                Err(Error::analysis(format!(
                    "the `k` of {name} must be between 1 and {MAX_BY_K} (current value = {k}), \
                     as Spark's DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE"
                )))
            }
            _ => Err(Error::analysis(format!(
                "the third argument of {name} (`k`, how many values) must be an integer \
                 literal, as Spark's DATATYPE_MISMATCH.NON_FOLDABLE_INPUT"
            ))),
        },
        (First | Last | AnyValue | Mode, 0, _) => match setting {
            Expr::Literal(ScalarValue::Boolean(_)) => Ok(setting),
            _ => Err(Error::analysis(format!(
                "the second argument of {name} ({}) must be true or false",
                if func == Mode {
                    "deterministic"
                } else {
                    "ignoreNulls"
                }
            ))),
        },
        // Made by the planner of WITHIN GROUP: the direction, the delimiter, the
        // directions of the order keys (see `ordered_aggregates`).
        (PercentileCont | PercentileDisc, 1, _) | (ListAgg, 0 | 1, _)
            if matches!(
                setting,
                Expr::Literal(ScalarValue::Boolean(_) | ScalarValue::Utf8(_))
            ) =>
        {
            Ok(setting)
        }
        _ => Err(Error::new(
            crate::error::ErrorCode::Internal,
            format!("{name} has no setting {index}"),
        )),
    }
}

/// A number literal's value (as the planner gives numbers: an int, bigint, double or
/// decimal literal).
fn number_literal(e: &Expr) -> Option<f64> {
    match e {
        Expr::Literal(ScalarValue::Float64(v)) => Some(*v),
        Expr::Literal(ScalarValue::Int32(v)) => Some(*v as f64),
        Expr::Literal(ScalarValue::Int64(v)) => Some(*v as f64),
        Expr::Literal(ScalarValue::Decimal128(v, _, scale)) => {
            Some(*v as f64 / 10f64.powi(*scale as i32))
        }
        _ => None,
    }
}

/// A percentage as Spark reads it: a number literal, or a string one (`'0.3'`); `None`
/// for anything else (a NULL, a column).
fn percentage(e: &Expr) -> Option<f64> {
    number_literal(e).or_else(|| match e {
        Expr::Literal(ScalarValue::Utf8(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    })
}

/// The percentages of an `array(...)`: each must be a number literal (no strings, no
/// NULL, as in Spark), `None` where one is not (the caller reports it); `None` for a
/// setting that is not an array.
fn percentage_array(e: &Expr) -> Option<Vec<Option<f64>>> {
    let Expr::Function {
        func: ScalarFunction::Array(ArrayFunction::Array),
        args,
        ..
    } = e
    else {
        return None;
    };
    let item = |a: &Expr| match a {
        // `array(0.25, 1)` casts its elements to one type.
        Expr::Cast { expr, .. } => number_literal(expr),
        a => number_literal(a),
    };
    Some(args.iter().map(item).collect())
}

fn checked_percentage(func: AggregateFunction, p: Option<f64>) -> Result<ScalarValue> {
    use AggregateFunction::{Percentile, PercentileApprox};
    let name = func.name();
    match p {
        Some(p) if (0.0..=1.0).contains(&p) => Ok(ScalarValue::Float64(p)),
        Some(p) => Err(Error::analysis(format!(
            "the percentage of {name} must be between 0 and 1, got {p}"
        ))),
        None => Err(Error::analysis(format!(
            "the percentage of {name} must be a number literal{}",
            if matches!(func, Percentile | PercentileApprox) {
                " (or an array of them)"
            } else {
                ""
            }
        ))),
    }
}
