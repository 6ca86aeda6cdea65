//! Planning operators and functions whose operands are decimals: Spark computes them on
//! decimals (not doubles) when the other side is a decimal or an integer, with the result
//! types of `sql::decimal`. Each entry returns `None` when its operands are not decimal
//! ones, and the caller plans the expression as before.

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::decimal::Decimal;
use crate::sql::plan::expr::{decimal_call, decimal_operands, BinaryOp, Expr};
use crate::sql::plan::functions::{
    DecimalOp, MathFunction, Rounding, ScalarFunction, StringFunction,
};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;

/// `left op right` for `+ - * / %` on decimal operands (or a decimal and an integer).
/// `div` on decimals is refused.
pub fn arithmetic(
    op: BinaryOp,
    left: Expr,
    right: Expr,
    scope: &PlanSchema,
) -> Result<std::result::Result<Expr, (Expr, Expr)>> {
    let Some((l, r)) = decimal_operands(&left, &right, scope) else {
        return Ok(Err((left, right)));
    };
    let Some(op) = op.on_decimals().filter(|d| d.arithmetic().is_some()) else {
        return Err(Error::unsupported(format!(
            "`{}` on decimal values (cast them to bigint first)",
            op.sql()
        )));
    };
    let args = vec![
        left.cast(&l.data_type(), scope),
        right.cast(&r.data_type(), scope),
    ];
    decimal_call(op, args, scope).map(Ok)
}

/// A math function called on a decimal: `abs`, `negative` and `positive` keep the type,
/// `round`, `bround`, `floor` and `ceil` round the decimal itself (Spark's result types);
/// the functions Brasa computes on integers or doubles only are refused rather than
/// answered in another type. `None` when `func` is not one of these or `args[0]` is not
/// a decimal.
pub fn math_call(func: ScalarFunction, args: &[Expr], scope: &PlanSchema) -> Result<Option<Expr>> {
    refuse_where_decimals_differ(func, args, scope)?;
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
            | MathFunction::TryDivide
                if any_decimal =>
            {
                Err(refused(math))
            }
            _ => Ok(None),
        };
    }
    let unary = |op: DecimalOp| decimal_call(op, vec![first.clone()], scope);
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
        | MathFunction::TryMod
        | MathFunction::TryDivide => return Err(refused(math)),
        _ => return Ok(None),
    }))
}

/// Refuses the string functions whose answer on a decimal is not its answer on the
/// double (or text) Brasa would give them: `format_number` and `format_string` round the
/// exact decimal (HALF_EVEN, HALF_UP) and print its scale, `hex` reads it as a bigint.
fn refuse_where_decimals_differ(
    func: ScalarFunction,
    args: &[Expr],
    scope: &PlanSchema,
) -> Result<()> {
    let ScalarFunction::String(f) = func else {
        return Ok(());
    };
    if !matches!(
        f,
        StringFunction::FormatNumber | StringFunction::FormatString | StringFunction::Hex
    ) {
        return Ok(());
    }
    if args
        .iter()
        .any(|a| Decimal::of(&a.data_type(scope)).is_some())
    {
        return Err(Error::unsupported(format!(
            "{} of a decimal value (cast it to double or string first)",
            func.name()
        )));
    }
    Ok(())
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
