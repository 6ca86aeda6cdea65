//! Conditional and NULL-handling functions over Arrow columns, with Arrow's `zip` and
//! `nullif` kernels.

use std::sync::Arc;

use arrow_arith::boolean::is_not_null;
use arrow_array::{Array, ArrayRef, Scalar};
use arrow_schema::DataType;
use arrow_select::zip::zip;

use super::columns::as_boolean;
use crate::error::Result;
use crate::frame::float_keys::spark_normalized;
use crate::sql::exec::value::{kernel_error, nulls_as_false, spark_cast};
use crate::sql::plan::functions::ConditionalFunction;

pub fn compute(
    func: ConditionalFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    _len: usize,
) -> Result<ArrayRef> {
    use ConditionalFunction::*;
    Ok(match func {
        Coalesce => {
            let mut result = Arc::clone(&args[args.len() - 1]);
            for arg in args.iter().rev().skip(1) {
                let present = is_not_null(arg).map_err(kernel_error)?;
                result = zip(&present, arg, &result).map_err(kernel_error)?;
            }
            result
        }
        NullIf => {
            let equal =
                arrow_ord::cmp::eq(&spark_normalized(&args[0]), &spark_normalized(&args[1]))
                    .map_err(kernel_error)?;
            arrow_select::nullif::nullif(&args[0], &equal).map_err(kernel_error)?
        }
        If => {
            let condition = nulls_as_false(as_boolean(&args[0])?);
            zip(&condition, &args[1], &args[2]).map_err(kernel_error)?
        }
        Nvl2 => {
            let present = is_not_null(&args[0]).map_err(kernel_error)?;
            zip(&present, &args[1], &args[2]).map_err(kernel_error)?
        }
        NullIfZero | ZeroIfNull => {
            let zero = zero_of(return_type)?;
            if func == NullIfZero {
                // `-0.0` is zero too.
                let equal =
                    arrow_ord::cmp::eq(&spark_normalized(&args[0]), &zero).map_err(kernel_error)?;
                arrow_select::nullif::nullif(&args[0], &equal).map_err(kernel_error)?
            } else {
                let present = is_not_null(&args[0]).map_err(kernel_error)?;
                zip(&present, &args[0], &zero).map_err(kernel_error)?
            }
        }
    })
}

fn zero_of(data_type: &DataType) -> Result<Scalar<ArrayRef>> {
    let zero: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![0]));
    let zero = spark_cast(&zero, data_type)?;
    debug_assert_eq!(zero.len(), 1);
    Ok(Scalar::new(zero))
}
