//! Which state each aggregate call gets.

use arrow_array::types::{Float64Type, Int64Type};
use arrow_schema::DataType;

use super::accumulator::Accumulator;
use super::basic::{Average, Count, Sum};
use super::bitmaps::{BitmapOp, Bitmaps};
use super::bitwise::{bitwise, BitOp};
use super::collect::{CollectList, Mode, Percentiles, Rank};
use super::decimal::DecimalSum;
use super::distinct::Distinct;
use super::listagg::ListAgg;
use super::logical::bool_and_or;
use super::min_max::min_max;
use super::moments::{CoMoments, Moments, ShapeMoments};
use super::pick::{Keep, Pick};
use super::top_by::TopBy;
use super::vectors::VectorFold;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::plan::expr::{AggregateCall, Expr};
use crate::sql::plan::functions::AggregateFunction;
use crate::sql::plan::scalar::ScalarValue;

/// The empty state of `call` (before `DISTINCT`, which wraps it).
pub(super) fn accumulator_for(call: &AggregateCall) -> Result<Box<dyn Accumulator>> {
    let inner = plain_accumulator(call)?;
    Ok(if call.distinct {
        Box::new(Distinct::new(inner))
    } else {
        inner
    })
}

fn plain_accumulator(call: &AggregateCall) -> Result<Box<dyn Accumulator>> {
    use AggregateFunction as F;
    let returns = call.return_type.clone();
    let setting = |i: usize| call.settings().get(i);
    let number = |i: usize| match setting(i) {
        Some(Expr::Literal(ScalarValue::Float64(v))) => Ok(*v),
        _ => Err(Error::new(
            ErrorCode::Internal,
            format!("{} without its literal setting", call.func.name()),
        )),
    };
    let text = |i: usize| match setting(i) {
        Some(Expr::Literal(ScalarValue::Utf8(s))) => Ok(s.clone()),
        _ => Err(Error::new(
            ErrorCode::Internal,
            format!("{} without its literal setting", call.func.name()),
        )),
    };
    let ignore_nulls = matches!(setting(0), Some(Expr::Literal(ScalarValue::Boolean(true))));
    Ok(match call.func {
        F::CountStar => Box::new(Count::rows()),
        // DISTINCT wraps the state (`accumulator_for`).
        F::Count => Box::new(Count::values()),
        // Counting distinct values exactly is within any error bound Spark allows.
        F::ApproxCountDistinct => Box::new(Distinct::new(Box::new(Count::values()))),
        F::Sum | F::Avg if matches!(returns, DataType::Decimal128(_, _)) => {
            Box::new(DecimalSum::new(&returns, call.func == F::Avg)?)
        }
        F::Sum if returns == DataType::Int64 => Box::new(Sum::<Int64Type>::new()),
        F::Sum => Box::new(Sum::<Float64Type>::new()),
        F::Avg => Box::new(Average::default()),
        F::Min | F::Max => min_max(call.func == F::Max, &returns)?,
        F::StddevSamp | F::StddevPop | F::VarSamp | F::VarPop => Box::new(Moments::new(call.func)),
        F::Skewness | F::Kurtosis => Box::new(ShapeMoments::new(call.func == F::Kurtosis)),
        F::Corr | F::CovarPop | F::CovarSamp => Box::new(CoMoments::new(call.func)),
        F::Median => Box::new(Percentiles::new(0.5, Rank::Interpolated, returns)),
        F::Percentile | F::PercentileApprox => {
            let rank = if call.func == F::Percentile {
                Rank::Interpolated
            } else {
                Rank::Nearest
            };
            match setting(0) {
                // `percentile(x, array(...))`: every percentage, an array per group.
                Some(Expr::Function { args, .. }) => {
                    let percentages = args
                        .iter()
                        .map(|a| match a {
                            Expr::Literal(ScalarValue::Float64(p)) => Ok(*p),
                            _ => Err(Error::new(
                                ErrorCode::Internal,
                                format!("{} without its percentages", call.func.name()),
                            )),
                        })
                        .collect::<Result<Vec<f64>>>()?;
                    Box::new(Percentiles::several(percentages, rank, returns)?)
                }
                _ => Box::new(Percentiles::new(number(0)?, rank, returns)),
            }
        }
        F::CollectList => Box::new(CollectList::new(returns)),
        // A set is the list of the distinct values.
        F::CollectSet => Box::new(Distinct::new(Box::new(CollectList::new(returns)))),
        F::First | F::AnyValue => Box::new(Pick::new(Keep::Earlier, ignore_nulls, returns)),
        F::Last => Box::new(Pick::new(Keep::Later, ignore_nulls, returns)),
        // `max_by(x, ord, k)`: the values of the best `k` rows.
        F::MaxBy | F::MinBy if !call.settings().is_empty() => {
            let k = match setting(0) {
                Some(Expr::Literal(ScalarValue::Int64(k))) => *k as usize,
                _ => {
                    return Err(Error::new(
                        ErrorCode::Internal,
                        format!("{} without its k", call.func.name()),
                    ))
                }
            };
            Box::new(TopBy::new(k, call.func == F::MaxBy, returns))
        }
        F::MaxBy | F::MinBy => Box::new(Pick::new(
            Keep::Ordered {
                max: call.func == F::MaxBy,
            },
            false,
            returns,
        )),
        // A second setting is written only by `mode() WITHIN GROUP (ORDER BY x DESC)`.
        F::Mode => Box::new(Mode::new(returns).largest(matches!(
            setting(1),
            Some(Expr::Literal(ScalarValue::Boolean(true)))
        ))),
        F::CountIf => Box::new(Count::trues()),
        F::BoolAnd | F::BoolOr => Box::new(bool_and_or(call.func == F::BoolAnd)),
        F::BitAnd => Box::new(bitwise(BitOp::And, returns)),
        F::BitOr => Box::new(bitwise(BitOp::Or, returns)),
        F::BitXor => Box::new(bitwise(BitOp::Xor, returns)),
        F::PercentileCont | F::PercentileDisc => {
            let rank = if call.func == F::PercentileCont {
                Rank::Interpolated
            } else {
                Rank::Discrete
            };
            let descending = matches!(setting(1), Some(Expr::Literal(ScalarValue::Boolean(true))));
            Box::new(Percentiles::new(number(0)?, rank, returns).descending(descending))
        }
        F::ListAgg => Box::new(ListAgg::new(text(0)?, &text(1)?)?),
        F::VectorSum | F::VectorAvg => {
            Box::new(VectorFold::new(call.func == F::VectorAvg, returns))
        }
        F::BitmapConstructAgg => Box::new(Bitmaps::new(BitmapOp::Construct)),
        F::BitmapOrAgg => Box::new(Bitmaps::new(BitmapOp::Or)),
        F::BitmapAndAgg => Box::new(Bitmaps::new(BitmapOp::And)),
    })
}
