//! The kernels of `to_number` / `try_to_number` and `to_char` of decimals: the format is
//! the call's constant second argument, read once per batch (the planner checked it).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{Array, ArrayRef, Decimal128Array};

use super::columns::{as_strings, build_strings};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::number_format::{NumberFormat, PrintBuffers};
use crate::sql::plan::functions::NumberFormatOp;

pub fn compute(op: NumberFormatOp, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let format = as_strings(&args[1])?;
    // A NULL format gives NULL, as in Spark.
    let format = match (0..format.len()).find(|&i| format.is_valid(i)) {
        Some(i) => Some(
            NumberFormat::parse(format.value(i))
                .map_err(|message| Error::new(ErrorCode::SqlExecution, message))?,
        ),
        None => None,
    };
    match op {
        NumberFormatOp::ToNumber {
            precision,
            scale,
            fail,
        } => {
            let text = as_strings(&args[0])?;
            let values = (0..len).map(|i| {
                let (Some(format), true) = (&format, text.is_valid(i)) else {
                    return Ok(None);
                };
                match format.read(text.value(i)) {
                    Some(v) => Ok(Some(v)),
                    None if fail => Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!(
                            "to_number: the text '{}' does not match the format '{}' (use \
                             try_to_number to get NULL instead)",
                            text.value(i),
                            format.text()
                        ),
                    )),
                    None => Ok(None),
                }
            });
            let values = values.collect::<Result<Decimal128Array>>()?;
            let typed = values
                .with_precision_and_scale(precision, scale as i8)
                .map_err(|e| Error::internal("to_number's decimal type", e))?;
            Ok(Arc::new(typed))
        }
        NumberFormatOp::ToChar => {
            let decimals = args[0]
                .as_primitive_opt::<Decimal128Type>()
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::Internal,
                        "to_char of a value that is not a decimal",
                    )
                })?;
            let scale = u8::try_from(decimals.scale()).unwrap_or(0);
            let mut buffers = PrintBuffers::default();
            build_strings(len, |i, out| {
                let Some(format) = &format else {
                    return Ok(false);
                };
                if decimals.is_null(i) {
                    return Ok(false);
                }
                format.print(decimals.value(i), scale, &mut buffers, out);
                Ok(true)
            })
        }
    }
}
