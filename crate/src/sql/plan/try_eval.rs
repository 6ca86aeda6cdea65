//! Spark's `TryEval` where Brasa's kernels raise: `try_add`, `try_subtract`,
//! `try_multiply` and `try_divide` with an interval, a date or a timestamp operand (Spark
//! plans them as `TryEval` of the operator: the operator's result type and fields, NULL
//! where it overflows or divides by zero), `TRY_CAST` to or from an interval (the
//! cast, NULL where it fails), and `try_aes_decrypt` (NULL where an argument fails).
//! Computed by `exec::try_eval` (`ScalarFunction::Try`).

use arrow_schema::DataType;
use sqlparser::ast::BinaryOperator;

use crate::error::{Error, Result};
use crate::frame::interval_type::is_interval;
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::functions::ScalarFunction;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::{integer_rank, is_numeric};

/// `body`, NULL in the rows where it fails at run time; `guards` are computed first and
/// raise (the input of a `TRY_CAST`). Refused over a value that changes from one
/// computation to the next (`rand()`, `uuid()`, ...), since a failed batch is computed
/// again in parts.
pub fn try_of(body: Expr, guards: Vec<Expr>, what: &str, scope: &PlanSchema) -> Result<Expr> {
    if body.computed_per_row() {
        return Err(Error::unsupported(format!(
            "{what} over a value computed anew for each row (rand, randn, uuid, \
             monotonically_increasing_id, ...)"
        )));
    }
    let mut args = vec![body];
    args.extend(guards);
    let types: Vec<DataType> = args.iter().map(|a| a.data_type(scope)).collect();
    let signature = ScalarFunction::Try.signature(&types)?;
    Ok(Expr::signed_call(
        ScalarFunction::Try,
        args,
        signature,
        scope,
    ))
}

/// `try_aes_decrypt(...)` from its planned call: Spark's `TryEval` of `aes_decrypt`. The
/// call's own failures (a wrong key, altered data) are NULL row by row in its kernel; a
/// failure in an argument (`try_aes_decrypt(aes_encrypt(x, 'short'), k)`) is NULL through
/// the try. Over a value made anew for each row (`uuid()`), which the try cannot compute
/// twice, only the call's own failures are NULL.
pub fn try_aes_decrypt(call: Expr, scope: &PlanSchema) -> Result<Expr> {
    if call.computed_per_row() {
        return Ok(call);
    }
    try_of(call, vec![], "try_aes_decrypt", scope)
}

/// `TRY_CAST`'s expression from the planned cast `cast` of `input`: the cast's failures
/// are NULL, `input`'s own are raised (Spark's `TryCast`).
pub fn try_cast(cast: Expr, input: Expr, scope: &PlanSchema) -> Result<Expr> {
    let guards = match input {
        Expr::Column { .. } | Expr::Literal(_) => vec![],
        other => vec![other],
    };
    try_of(cast, guards, "TRY_CAST", scope)
}

/// `TRY_CAST(input AS to)` for a number into a numeric type: NULL where the value does
/// not fit (an integer out of range, a float's NaN, a decimal's overflow), as Spark's
/// ANSI cast fails there.
pub fn try_numeric_cast(input: Expr, to: &DataType, scope: &PlanSchema) -> Result<Expr> {
    let cast = Expr::Cast {
        expr: Box::new(input.clone()),
        to: to.clone(),
    };
    match integer_range_guard(cast.clone(), &input, scope)? {
        Some(guarded) => Ok(guarded),
        None => try_cast(cast, input, scope),
    }
}

/// `TRY_CAST(x AS integer type)` where `x` may not fit: Spark's ANSI cast gives NULL where
/// the non-ANSI one (Brasa's `CAST`) would wrap or saturate — an integer outside the
/// type's bounds, a float whose whole part is outside them (NaN and infinities too), a
/// decimal whose whole part is. `None` when every value of `x` fits.
pub fn integer_range_guard(cast: Expr, input: &Expr, scope: &PlanSchema) -> Result<Option<Expr>> {
    let to = cast.data_type(scope);
    let from = input.data_type(scope);
    let (min, max): (i128, i128) = match to {
        DataType::Int8 => (i8::MIN.into(), i8::MAX.into()),
        DataType::Int16 => (i16::MIN.into(), i16::MAX.into()),
        DataType::Int32 => (i32::MIN.into(), i32::MAX.into()),
        DataType::Int64 => (i64::MIN.into(), i64::MAX.into()),
        _ => return Ok(None),
    };
    let bound = |value: i128| -> ScalarValue {
        match &from {
            // Spark compares in double: `floor(x) <= Long.MaxValue` holds for 2^63.
            DataType::Float32 | DataType::Float64 => ScalarValue::Float64(value as f64),
            DataType::Decimal128(_, _) => ScalarValue::Decimal128(value, 20, 0),
            _ => ScalarValue::Int64(value as i64),
        }
    };
    // The whole part of `x` is in [min, max]: for an integer min <= x <= max; for a float
    // or a decimal min - 1 < x < max + 1 (in doubles for a bigint: -2^63 <= x <= 2^63).
    let (low, high) = match &from {
        t @ (DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64)
            if integer_rank(t) > integer_rank(&to) =>
        {
            ((BinaryOp::GtEq, bound(min)), (BinaryOp::LtEq, bound(max)))
        }
        DataType::Float32 | DataType::Float64 if to == DataType::Int64 => {
            ((BinaryOp::GtEq, bound(min)), (BinaryOp::LtEq, bound(max)))
        }
        DataType::Float32 | DataType::Float64 | DataType::Decimal128(_, _) => (
            (BinaryOp::Gt, bound(min - 1)),
            (BinaryOp::Lt, bound(max + 1)),
        ),
        _ => return Ok(None),
    };
    if input.computed_per_row() {
        return Err(Error::unsupported(
            "TRY_CAST to an integer type of a value computed anew for each row (rand, randn, \
             ...); CAST it, or compute the value in a subquery first",
        ));
    }
    let within = Expr::binary(
        BinaryOp::And,
        Expr::compare(low.0, input.clone(), Expr::Literal(low.1), scope)?,
        Expr::compare(high.0, input.clone(), Expr::Literal(high.1), scope)?,
    );
    Ok(Some(Expr::Case {
        branches: vec![(within, cast)],
        otherwise: None,
        data_type: to,
    }))
}

/// `try_add(a, b)` / `try_subtract` / `try_multiply` / `try_divide` when an operand is an
/// interval, a date or a timestamp: `binary` (the operator's planner) wrapped in a try;
/// `None` for numbers (`functions::MathFunction`). Spark's `try_add(1, date)` is the
/// date plus the days, as `date + 1`.
pub fn try_arithmetic(
    name: &str,
    args: &[Expr],
    scope: &PlanSchema,
    binary: impl Fn(&BinaryOperator, Expr, Expr, &PlanSchema) -> Result<Expr>,
) -> Result<Option<Expr>> {
    let op = match name {
        "try_add" => BinaryOperator::Plus,
        "try_subtract" => BinaryOperator::Minus,
        "try_multiply" => BinaryOperator::Multiply,
        "try_divide" => BinaryOperator::Divide,
        _ => return Ok(None),
    };
    let [left, right] = args else {
        return Ok(None);
    };
    let (lt, rt) = (left.data_type(scope), right.data_type(scope));
    let temporal =
        |t: &DataType| is_interval(t) || matches!(t, DataType::Date32 | DataType::Timestamp(_, _));
    if !(temporal(&lt) || temporal(&rt)) {
        return Ok(None);
    }
    if [&lt, &rt].iter().any(|t| matches!(t, DataType::Time64(_))) {
        return Err(Error::unsupported(format!("{name} of a time")));
    }
    let (left, right) = if op == BinaryOperator::Plus && lt.is_integer() && rt == DataType::Date32 {
        (right.clone(), left.clone())
    } else {
        (left.clone(), right.clone())
    };
    // A zero divisor gives NULL without a failure to recover from.
    let right = if op == BinaryOperator::Divide && is_numeric(&rt) {
        let zero = Expr::compare(
            BinaryOp::Eq,
            right.clone(),
            Expr::Literal(ScalarValue::Int32(0)),
            scope,
        )?;
        Expr::Case {
            branches: vec![(zero, Expr::Literal(ScalarValue::Null(rt.clone())))],
            otherwise: Some(Box::new(right)),
            data_type: rt,
        }
    } else {
        right
    };
    let body = binary(&op, left, right, scope)?;
    try_of(body, vec![], name, scope).map(Some)
}
