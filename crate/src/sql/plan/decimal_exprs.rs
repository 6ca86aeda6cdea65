//! Planning operators and functions whose operands are decimals: Spark computes them on
//! decimals (not doubles) when the other side is a decimal or an integer, with the result
//! types of `sql::decimal`. Each entry returns `None` when its operands are not decimal
//! ones, and the caller plans the expression as before.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::decimal::Decimal;
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{DecimalOp, MathFunction, Rounding, ScalarFunction};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::is_integer;

/// The decimal type `e` (of type `t`) takes next to a decimal: its own, an integer's
/// (only the digits of its value for a literal, as Spark's `fromLiteral`), or `None` for
/// anything else (doubles, strings, NULL).
fn as_decimal(e: &Expr, t: &DataType) -> Option<Decimal> {
    if let Some(d) = Decimal::of(t) {
        return Some(d);
    }
    match e {
        Expr::Literal(ScalarValue::Int32(v)) => Some(Decimal::for_integer_literal(i128::from(*v))),
        Expr::Literal(ScalarValue::Int64(v)) => Some(Decimal::for_integer_literal(i128::from(*v))),
        _ if is_integer(t) => Decimal::for_integer(t),
        _ => None,
    }
}

/// Both operands as decimals when one is a decimal and the other a decimal, an integer or
/// NULL (which takes the decimal's type); `None` otherwise.
fn operands(left: &Expr, right: &Expr, scope: &PlanSchema) -> Option<(Decimal, Decimal)> {
    let (lt, rt) = (left.data_type(scope), right.data_type(scope));
    if Decimal::of(&lt).is_none() && Decimal::of(&rt).is_none() {
        return None;
    }
    let l = if lt == DataType::Null {
        Decimal::of(&rt)
    } else {
        as_decimal(left, &lt)
    };
    let r = if rt == DataType::Null {
        Decimal::of(&lt)
    } else {
        as_decimal(right, &rt)
    };
    Some((l?, r?))
}

/// `left op right` for `+ - * / %` on decimal operands (or a decimal and an integer).
/// `div` on decimals is refused.
pub fn arithmetic(
    op: BinaryOp,
    left: Expr,
    right: Expr,
    scope: &PlanSchema,
) -> Result<std::result::Result<Expr, (Expr, Expr)>> {
    let Some((l, r)) = operands(&left, &right, scope) else {
        return Ok(Err((left, right)));
    };
    let Some(op) = DecimalOp::of(op) else {
        return Err(Error::unsupported(format!(
            "`{}` on decimal values (cast them to bigint first)",
            op.sql()
        )));
    };
    let args = vec![
        left.cast(&l.data_type(), scope),
        right.cast(&r.data_type(), scope),
    ];
    scalar_call(ScalarFunction::Decimal(op), args, scope).map(Ok)
}

/// `left op right` for a comparison of decimals of different types (or a decimal and an
/// integer), compared exactly; `None` when the operands are not such a pair.
pub fn comparison(
    op: BinaryOp,
    left: Expr,
    right: Expr,
    scope: &PlanSchema,
) -> Result<std::result::Result<Expr, (Expr, Expr)>> {
    let (lt, rt) = (left.data_type(scope), right.data_type(scope));
    let Some((l, r)) = operands(&left, &right, scope) else {
        return Ok(Err((left, right)));
    };
    if l == r || lt == DataType::Null || rt == DataType::Null {
        return Ok(Err((left, right)));
    }
    let args = vec![
        left.cast(&l.data_type(), scope),
        right.cast(&r.data_type(), scope),
    ];
    scalar_call(ScalarFunction::Decimal(DecimalOp::Compare(op)), args, scope).map(Ok)
}

/// A math function called on a decimal: `abs`, `negative` and `positive` keep the type,
/// `round`, `bround`, `floor` and `ceil` round the decimal itself (Spark's result types);
/// the functions Brasa computes on integers or doubles only are refused rather than
/// answered in another type. `None` when `func` is not one of these or `args[0]` is not
/// a decimal.
pub fn math_call(func: ScalarFunction, args: &[Expr], scope: &PlanSchema) -> Result<Option<Expr>> {
    let ScalarFunction::Math(math) = func else {
        return Ok(None);
    };
    let Some(first) = args.first() else {
        return Ok(None);
    };
    let any_decimal = args
        .iter()
        .any(|a| Decimal::of(&a.data_type(scope)).is_some());
    if Decimal::of(&first.data_type(scope)).is_none() {
        return match math {
            MathFunction::Pmod
            | MathFunction::TryAdd
            | MathFunction::TrySubtract
            | MathFunction::TryMultiply
            | MathFunction::TryMod
                if any_decimal =>
            {
                Err(refused(math))
            }
            _ => Ok(None),
        };
    }
    let unary =
        |op: DecimalOp| scalar_call(ScalarFunction::Decimal(op), vec![first.clone()], scope);
    let digits = |rounding: Rounding| -> Result<DecimalOp> {
        let digits = match args.get(1) {
            None => 0,
            Some(Expr::Literal(ScalarValue::Int32(d))) => *d,
            Some(Expr::Literal(ScalarValue::Int64(d))) => i32::try_from(*d).map_err(|_| {
                Error::analysis(format!("{} digits out of range: {d}", math_name(math)))
            })?,
            Some(other) => {
                return Err(Error::unsupported(format!(
                    "{} of a decimal with digits that are not an integer constant ({})",
                    math_name(math),
                    spark_type_name(&other.data_type(scope))
                )))
            }
        };
        Ok(DecimalOp::Round(digits, rounding))
    };
    Ok(Some(match math {
        MathFunction::Abs => unary(DecimalOp::Abs)?,
        MathFunction::Negative => unary(DecimalOp::Negate)?,
        MathFunction::Positive => first.clone(),
        MathFunction::Round => unary(digits(Rounding::HalfUp)?)?,
        MathFunction::BRound => unary(digits(Rounding::HalfEven)?)?,
        MathFunction::Floor => unary(DecimalOp::Round(0, Rounding::Floor))?,
        MathFunction::Ceil => unary(DecimalOp::Round(0, Rounding::Ceil))?,
        MathFunction::Pmod
        | MathFunction::TryAdd
        | MathFunction::TrySubtract
        | MathFunction::TryMultiply
        | MathFunction::TryMod => return Err(refused(math)),
        _ => return Ok(None),
    }))
}

fn math_name(f: MathFunction) -> &'static str {
    ScalarFunction::Math(f).name()
}

fn refused(f: MathFunction) -> Error {
    Error::unsupported(format!(
        "{} of decimal values (cast them to double or bigint first)",
        math_name(f)
    ))
}
