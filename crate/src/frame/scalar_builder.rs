//! One column of a scalar type built value by value, its builder chosen once from the
//! column's type: readers that convert text to a given schema's types (a JSON schema,
//! SQL's `from_csv`) append typed values without a dynamic dispatch per value.
//!
//! ```
//! use arrow_schema::DataType;
//! use brasa::frame::scalar_builder::ScalarBuilder;
//! let mut ids = ScalarBuilder::new(&DataType::Int32, 2).unwrap();
//! ids.append_int(Some(7));
//! ids.append_int(None);
//! assert_eq!(ids.finish().len(), 2);
//! ```

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder, Float64Builder, Int16Builder,
    Int32Builder, Int64Builder, Int8Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, TimeUnit};

use crate::error::{Error, Result};

/// A scalar column being built: integers, floats, booleans, decimals, dates, timestamps
/// (microseconds) and strings.
pub enum ScalarBuilder {
    Int8(Int8Builder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float32(Float32Builder),
    Float64(Float64Builder),
    Boolean(BooleanBuilder),
    Decimal(Decimal128Builder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
    Utf8(StringBuilder),
}

impl ScalarBuilder {
    /// A builder for `rows` values of type `data_type`; `SQL_UNSUPPORTED` for a type
    /// that is not one of the above.
    pub fn new(data_type: &DataType, rows: usize) -> Result<Self> {
        let t = data_type.clone();
        Ok(match data_type {
            DataType::Int8 => ScalarBuilder::Int8(Int8Builder::with_capacity(rows)),
            DataType::Int16 => ScalarBuilder::Int16(Int16Builder::with_capacity(rows)),
            DataType::Int32 => ScalarBuilder::Int32(Int32Builder::with_capacity(rows)),
            DataType::Int64 => ScalarBuilder::Int64(Int64Builder::with_capacity(rows)),
            DataType::Float32 => ScalarBuilder::Float32(Float32Builder::with_capacity(rows)),
            DataType::Float64 => ScalarBuilder::Float64(Float64Builder::with_capacity(rows)),
            DataType::Boolean => ScalarBuilder::Boolean(BooleanBuilder::with_capacity(rows)),
            DataType::Decimal128(..) => {
                ScalarBuilder::Decimal(Decimal128Builder::with_capacity(rows).with_data_type(t))
            }
            DataType::Date32 => ScalarBuilder::Date(Date32Builder::with_capacity(rows)),
            DataType::Timestamp(TimeUnit::Microsecond, _) => ScalarBuilder::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(rows).with_data_type(t),
            ),
            DataType::Utf8 => ScalarBuilder::Utf8(StringBuilder::with_capacity(rows, rows * 8)),
            other => {
                return Err(Error::unsupported(format!(
                    "a column of type {}",
                    crate::frame::spark_type_name(other)
                )))
            }
        })
    }

    /// Appends an integer, a date's days or a timestamp's microseconds (cast to the
    /// column's width: the caller checked the range); NULL in a column of another kind.
    #[inline]
    pub fn append_int(&mut self, value: Option<i64>) {
        match self {
            ScalarBuilder::Int8(b) => b.append_option(value.map(|v| v as i8)),
            ScalarBuilder::Int16(b) => b.append_option(value.map(|v| v as i16)),
            ScalarBuilder::Int32(b) => b.append_option(value.map(|v| v as i32)),
            ScalarBuilder::Int64(b) => b.append_option(value),
            ScalarBuilder::Date(b) => b.append_option(value.map(|v| v as i32)),
            ScalarBuilder::Timestamp(b) => b.append_option(value),
            _ => self.append_null(),
        }
    }

    /// Appends a float (NULL in a column that is not a float one).
    #[inline]
    pub fn append_float(&mut self, value: Option<f64>) {
        match self {
            ScalarBuilder::Float32(b) => b.append_option(value.map(|v| v as f32)),
            ScalarBuilder::Float64(b) => b.append_option(value),
            _ => self.append_null(),
        }
    }

    /// Appends a boolean (NULL in a column that is not a boolean one).
    #[inline]
    pub fn append_bool(&mut self, value: Option<bool>) {
        match self {
            ScalarBuilder::Boolean(b) => b.append_option(value),
            _ => self.append_null(),
        }
    }

    /// Appends a decimal's unscaled value (NULL in a column that is not a decimal one).
    #[inline]
    pub fn append_decimal(&mut self, value: Option<i128>) {
        match self {
            ScalarBuilder::Decimal(b) => b.append_option(value),
            _ => self.append_null(),
        }
    }

    /// Appends a string (NULL in a column that is not a string one).
    #[inline]
    pub fn append_str(&mut self, value: Option<&str>) {
        match self {
            ScalarBuilder::Utf8(b) => b.append_option(value),
            _ => self.append_null(),
        }
    }

    #[inline]
    pub fn append_null(&mut self) {
        match self {
            ScalarBuilder::Int8(b) => b.append_null(),
            ScalarBuilder::Int16(b) => b.append_null(),
            ScalarBuilder::Int32(b) => b.append_null(),
            ScalarBuilder::Int64(b) => b.append_null(),
            ScalarBuilder::Float32(b) => b.append_null(),
            ScalarBuilder::Float64(b) => b.append_null(),
            ScalarBuilder::Boolean(b) => b.append_null(),
            ScalarBuilder::Decimal(b) => b.append_null(),
            ScalarBuilder::Date(b) => b.append_null(),
            ScalarBuilder::Timestamp(b) => b.append_null(),
            ScalarBuilder::Utf8(b) => b.append_null(),
        }
    }

    pub fn finish(self) -> ArrayRef {
        match self {
            ScalarBuilder::Int8(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Int16(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Int32(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Int64(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Float32(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Float64(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Boolean(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Decimal(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Date(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Timestamp(mut b) => Arc::new(b.finish()),
            ScalarBuilder::Utf8(mut b) => Arc::new(b.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Decimal128Type, TimestampMicrosecondType};
    use arrow_array::Array;

    #[test]
    fn each_kind_lands_in_its_column_and_others_are_null() {
        let decimal = DataType::Decimal128(5, 2);
        let stamp = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let mut d = ScalarBuilder::new(&decimal, 2).unwrap();
        d.append_decimal(Some(1234));
        d.append_str(Some("12.34"));
        let d = d.finish();
        assert_eq!(d.data_type(), &decimal);
        assert_eq!(
            d.as_primitive::<Decimal128Type>().value_as_string(0),
            "12.34"
        );
        assert!(d.is_null(1));
        let mut t = ScalarBuilder::new(&stamp, 1).unwrap();
        t.append_int(Some(1_000_000));
        let t = t.finish();
        assert_eq!(t.data_type(), &stamp);
        assert_eq!(
            t.as_primitive::<TimestampMicrosecondType>().value(0),
            1_000_000
        );
        assert!(ScalarBuilder::new(&DataType::Binary, 1).is_err());
    }
}
