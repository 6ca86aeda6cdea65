//! Spark's bitwise operators: `&`, `|`, `^`, `~` and the shifts `<<`, `>>`, `>>>`.
//!
//! `&`, `|` and `^` take two integers and give the wider of their types (`tinyint |
//! smallint` is a `smallint`, as in Spark, where arithmetic would give an `int`); a
//! boolean, decimal, double or string is refused, as Spark refuses it. `~x` keeps `x`'s
//! type and is planned as `x ^ -1`. The shifts are Spark's `shiftleft`, `shiftright` and
//! `shiftrightunsigned`.

use arrow_schema::DataType;
use sqlparser::ast::BinaryOperator;

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::dialect::UNSIGNED_SHIFT;
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::functions::{MathFunction, ScalarFunction};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::integer_rank;

/// `left op right` when `op` is one of Spark's bitwise operators; otherwise the operands
/// back, for the other operators.
#[allow(clippy::result_large_err)]
pub(crate) fn bitwise_binary(
    op: &BinaryOperator,
    left: Expr,
    right: Expr,
    scope: &PlanSchema,
) -> std::result::Result<Result<Expr>, (Expr, Expr)> {
    use BinaryOperator as B;
    let shift_function = match op {
        B::PGBitwiseShiftLeft => Some(MathFunction::ShiftLeft),
        B::PGBitwiseShiftRight => Some(MathFunction::ShiftRight),
        B::Custom(custom) if custom == UNSIGNED_SHIFT => Some(MathFunction::ShiftRightUnsigned),
        _ => None,
    };
    if let Some(func) = shift_function {
        return Ok(shift(func, left, right, scope));
    }
    let (bits, sql) = match op {
        B::BitwiseAnd => (BinaryOp::BitAnd, "&"),
        B::BitwiseOr => (BinaryOp::BitOr, "|"),
        B::BitwiseXor => (BinaryOp::BitXor, "^"),
        _ => return Err((left, right)),
    };
    let types = [left.data_type(scope), right.data_type(scope)];
    Ok(integers(sql, &types)
        .map(|common| Expr::binary(bits, left.cast(&common, scope), right.cast(&common, scope))))
}

/// `~x`: every bit of the integer `x` flipped, as `x ^ -1` in `x`'s type.
pub(crate) fn bitwise_not(inner: Expr, scope: &PlanSchema) -> Result<Expr> {
    let t = integers("~", &[inner.data_type(scope)])?;
    let all_ones = Expr::literal(ScalarValue::Int64(-1)).cast(&t, scope);
    Ok(Expr::binary(
        BinaryOp::BitXor,
        inner.cast(&t, scope),
        all_ones,
    ))
}

/// The type integer operands are computed in: the widest of them, a NULL taking the
/// others' type (only NULLs: an `int`).
fn integers(op: &str, types: &[DataType]) -> Result<DataType> {
    let mut widest: Option<&DataType> = None;
    for t in types {
        match t {
            DataType::Null => {}
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
                if widest.is_none_or(|w| integer_rank(t) > integer_rank(w)) {
                    widest = Some(t);
                }
            }
            _ => {
                return Err(Error::analysis(format!(
                    "the operator {op} takes integers (tinyint, smallint, int or bigint), not \
                     {}; cast it first, e.g. CAST(x AS BIGINT)",
                    spark_type_name(t)
                )))
            }
        }
    }
    Ok(widest.cloned().unwrap_or(DataType::Int32))
}

/// A shift, typed as the function of the same name.
fn shift(func: MathFunction, left: Expr, right: Expr, scope: &PlanSchema) -> Result<Expr> {
    let func = ScalarFunction::Math(func);
    let types = [left.data_type(scope), right.data_type(scope)];
    let signature = func.signature(&types)?;
    Ok(Expr::signed_call(func, vec![left, right], signature, scope))
}
