//! Aggregates Spark defines through others, planned as the aggregates they are made of:
//! `try_sum` / `try_avg`, and the linear-regression aggregates `regr_*(y, x)`
//!  (as Spark defines them, `RegrCount` ... `RegrR2`): each reads only the rows
//! where both `y` and `x` are present.
//!
//! - `regr_count` — those rows; `regr_avgx` / `regr_avgy` — the mean of `x` / `y` over them;
//! - `regr_sxx`, `regr_syy`, `regr_sxy` — the sums of squared (cross) deviations, the
//!   population (co)variance times the count;
//! - `regr_slope` — `covar_pop(y, x) / var_pop(x)`, NULL when `x` does not vary;
//!   `regr_intercept` — `avg(y) − slope · avg(x)`;
//! - `regr_r2` — NULL when `x` does not vary, 1 when `y` does not, else `corr(y, x)²`.
//!
//! `try_sum` and `try_avg` are `sum` and `avg` that give NULL where the sum of an integer
//! column overflows a `bigint` (which `sum` wraps around, in Spark's default mode): the
//! sum is taken in `decimal(38, 0)`, which cannot overflow, and cast back.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::sql::plan::aggregates::aggregate_call;
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::functions::AggregateFunction;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::is_integer;

/// One of the `regr_*` aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regression {
    Count,
    AvgX,
    AvgY,
    Sxx,
    Syy,
    Sxy,
    Slope,
    Intercept,
    R2,
}

impl Regression {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "regr_count" => Regression::Count,
            "regr_avgx" => Regression::AvgX,
            "regr_avgy" => Regression::AvgY,
            "regr_sxx" => Regression::Sxx,
            "regr_syy" => Regression::Syy,
            "regr_sxy" => Regression::Sxy,
            "regr_slope" => Regression::Slope,
            "regr_intercept" => Regression::Intercept,
            "regr_r2" => Regression::R2,
            _ => return None,
        })
    }
}

/// An aggregate planned through others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Composite {
    TrySum,
    TryAvg,
    Regression(Regression),
}

impl Composite {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "try_sum" => Some(Composite::TrySum),
            "try_avg" => Some(Composite::TryAvg),
            _ => Regression::from_name(name).map(Composite::Regression),
        }
    }
}

/// Plans one aggregate a composite is made of: `func(args)` as an aggregate over the rows a
/// FILTER keeps ([`filtered_aggregate`]), or as a window function over the composite's
/// window.
pub type PieceBuilder<'a> = dyn FnMut(AggregateFunction, Vec<Expr>) -> Result<Expr> + 'a;

/// `name(args)`, the composite aggregate `kind`, its pieces planned by `piece`.
pub fn composite_call(
    kind: Composite,
    name: &str,
    args: Vec<Expr>,
    piece: &mut PieceBuilder<'_>,
    scope: &PlanSchema,
) -> Result<Expr> {
    match kind {
        Composite::TrySum => try_sum_or_avg(false, name, args, piece, scope),
        Composite::TryAvg => try_sum_or_avg(true, name, args, piece, scope),
        Composite::Regression(kind) => regression_call(kind, name, args, piece, scope),
    }
}

/// `try_sum(x)` or `try_avg(x)` (`average`).
fn try_sum_or_avg(
    average: bool,
    name: &str,
    args: Vec<Expr>,
    call: &mut PieceBuilder<'_>,
    scope: &PlanSchema,
) -> Result<Expr> {
    let [value]: [Expr; 1] = args.try_into().map_err(|args: Vec<Expr>| {
        Error::analysis(format!("{name} takes 1 argument, got {}", args.len()))
    })?;
    let plain = if average {
        AggregateFunction::Avg
    } else {
        AggregateFunction::Sum
    };
    if !is_integer(&value.data_type(scope)) {
        return call(plain, vec![value]);
    }
    let wide = value.clone().cast(&DataType::Decimal128(38, 0), scope);
    let exact_sum = call(AggregateFunction::Sum, vec![wide])?;
    let checked = Expr::Cast {
        expr: Box::new(exact_sum),
        to: DataType::Int64,
    };
    if !average {
        return Ok(checked);
    }
    let overflowed = Expr::binary(
        BinaryOp::And,
        Expr::IsNull {
            expr: Box::new(checked),
            negated: false,
        },
        Expr::binary(
            BinaryOp::Gt,
            call(AggregateFunction::Count, vec![value.clone()])?,
            Expr::literal(ScalarValue::Int64(0)),
        ),
    );
    Ok(Expr::Case {
        branches: vec![(
            overflowed,
            Expr::literal(ScalarValue::Null(DataType::Float64)),
        )],
        otherwise: Some(Box::new(call(plain, vec![value])?)),
        data_type: DataType::Float64,
    })
}

/// `func(args)` planned as an aggregate, over the rows `filter` keeps.
pub fn filtered_aggregate(
    func: AggregateFunction,
    args: Vec<Expr>,
    filter: &Option<Expr>,
    scope: &PlanSchema,
) -> Result<Expr> {
    Ok(match aggregate_call(func, args, false, false, scope)? {
        Expr::Aggregate(mut call) => {
            call.filter = filter.clone().map(Box::new);
            Expr::Aggregate(call)
        }
        other => other,
    })
}

/// `regr_*(y, x)`.
fn regression_call(
    kind: Regression,
    name: &str,
    args: Vec<Expr>,
    call: &mut PieceBuilder<'_>,
    scope: &PlanSchema,
) -> Result<Expr> {
    let [y, x]: [Expr; 2] = args.try_into().map_err(|args: Vec<Expr>| {
        Error::analysis(format!(
            "{name} takes 2 arguments (y, x), got {}",
            args.len()
        ))
    })?;
    for (what, arg) in [("y", &y), ("x", &x)] {
        let t = arg.data_type(scope);
        if !(t.is_numeric() || t == DataType::Null) {
            return Err(Error::analysis(format!(
                "{name} takes numbers; its {what} is {}",
                crate::frame::spark_type_name(&t)
            )));
        }
    }
    let both = Expr::binary(BinaryOp::And, present(&y), present(&x));
    // Each argument where both are present, NULL elsewhere.
    let paired = |value: &Expr| Expr::Case {
        branches: vec![(both.clone(), value.clone().cast(&DataType::Float64, scope))],
        otherwise: None,
        data_type: DataType::Float64,
    };
    let (py, px) = (paired(&y), paired(&x));
    // `regr_avgx` / `regr_avgy` are Spark's `avg` of the paired value in its own type, so
    // a decimal's mean stays a decimal.
    let paired_as_is = |value: &Expr| Expr::Case {
        branches: vec![(both.clone(), value.clone())],
        otherwise: None,
        data_type: value.data_type(scope),
    };
    // One aggregate of the paired values, planned by `call`.
    macro_rules! piece {
        ($func:ident, $($arg:expr),+) => {
            call(AggregateFunction::$func, vec![$($arg.clone()),+])?
        };
    }
    let times = |a: Expr, b: Expr| Expr::binary(BinaryOp::Multiply, a, b);
    let over = |a: Expr, b: Expr| Expr::binary(BinaryOp::Divide, a, b);
    let as_double = |e: Expr| e.cast(&DataType::Float64, scope);
    let zero = || Expr::literal(ScalarValue::Float64(0.0));
    // NULL where `x` does not vary (its variance is 0), as Spark.
    let unless_flat = |variance: Expr, value: Expr| Expr::Case {
        branches: vec![(
            Expr::binary(BinaryOp::Eq, variance, zero()),
            Expr::literal(ScalarValue::Null(DataType::Float64)),
        )],
        otherwise: Some(Box::new(value)),
        data_type: DataType::Float64,
    };
    Ok(match kind {
        Regression::Count => piece!(Count, py),
        Regression::AvgX => piece!(Avg, paired_as_is(&x)),
        Regression::AvgY => piece!(Avg, paired_as_is(&y)),
        Regression::Sxx => times(piece!(VarPop, px), as_double(piece!(Count, py))),
        Regression::Syy => times(piece!(VarPop, py), as_double(piece!(Count, py))),
        Regression::Sxy => times(piece!(CovarPop, py, px), as_double(piece!(Count, py))),
        Regression::Slope => unless_flat(
            piece!(VarPop, px),
            over(piece!(CovarPop, py, px), piece!(VarPop, px)),
        ),
        Regression::Intercept => {
            let slope = over(piece!(CovarPop, py, px), piece!(VarPop, px));
            let intercept = Expr::binary(
                BinaryOp::Subtract,
                piece!(Avg, py),
                times(slope, piece!(Avg, px)),
            );
            unless_flat(piece!(VarPop, px), intercept)
        }
        Regression::R2 => {
            let corr = piece!(Corr, py, px);
            let flat_y = Expr::binary(BinaryOp::Eq, piece!(VarPop, py), zero());
            unless_flat(
                piece!(VarPop, px),
                Expr::Case {
                    branches: vec![(flat_y, Expr::literal(ScalarValue::Float64(1.0)))],
                    otherwise: Some(Box::new(times(corr.clone(), corr))),
                    data_type: DataType::Float64,
                },
            )
        }
    })
}

fn present(value: &Expr) -> Expr {
    Expr::IsNull {
        expr: Box::new(value.clone()),
        negated: true,
    }
}
