//! `to_number` / `try_to_number` and `to_char` / `to_varchar` of numbers: text read and
//! decimals printed with a number format (`sql::number_format`). The planner checks the
//! format, which must be a constant, and fixes the decimal type it gives; the format
//! itself stays the call's second argument.

use arrow_schema::DataType;

use super::signature::{type_error, Args};
use super::Signature;
use crate::error::Result;
use crate::sql::decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormatOp {
    /// Text read with the format as a `decimal(precision, scale)`; text that does not
    /// match is an error (`to_number`) or NULL (`try_to_number`, `fail` false).
    ToNumber {
        precision: u8,
        scale: u8,
        fail: bool,
    },
    /// A decimal printed with the format (`to_char`, `to_varchar`).
    ToChar,
}

impl NumberFormatOp {
    pub fn name(self) -> &'static str {
        match self {
            NumberFormatOp::ToNumber { fail: true, .. } => "to_number",
            NumberFormatOp::ToNumber { fail: false, .. } => "try_to_number",
            NumberFormatOp::ToChar => "to_char",
        }
    }

    pub fn signature(self, a: &Args) -> Result<Signature> {
        a.arity(2, 2)?;
        match self {
            NumberFormatOp::ToNumber {
                precision, scale, ..
            } => Signature::new(
                vec![a.string(0)?, a.string(1)?],
                Decimal::new(precision, scale).data_type(),
            ),
            NumberFormatOp::ToChar => {
                let t = &a.types[0];
                if Decimal::of(t).is_none() {
                    return Err(type_error(self.name(), 0, "a decimal", t));
                }
                Signature::new(vec![t.clone(), a.string(1)?], DataType::Utf8)
            }
        }
    }
}
