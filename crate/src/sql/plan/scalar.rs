//! Literal values in plans.

use std::sync::Arc;

use arrow_array::{
    new_null_array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array,
    Int64Array, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::DataType;

use crate::frame::interval_type::{
    day_time_text, day_time_type, year_month_text, year_month_type, IntervalFields,
};
use crate::sql::types::{timestamp_type, SESSION_TIME_ZONE};

/// A typed constant.
#[derive(Debug, Clone)]
pub enum ScalarValue {
    /// A NULL of the given type (`DataType::Null` until the planner knows better).
    Null(DataType),
    Boolean(bool),
    Int32(i32),
    Int64(i64),
    Float64(f64),
    Utf8(String),
    Date32(i32),
    TimestampMicros(i64),
    /// A `time`: microseconds since midnight.
    TimeMicros(i64),
    Decimal128(i128, u8, i8),
    /// A day-time interval: microseconds, and the fields Spark names and prints it by.
    DayTime(i64, IntervalFields),
    /// A year-month interval: months, and its fields.
    YearMonth(i32, IntervalFields),
}

impl PartialEq for ScalarValue {
    fn eq(&self, other: &Self) -> bool {
        use ScalarValue::*;
        match (self, other) {
            (Null(a), Null(b)) => a == b,
            (Boolean(a), Boolean(b)) => a == b,
            (Int32(a), Int32(b)) => a == b,
            (Int64(a), Int64(b)) => a == b,
            (Float64(a), Float64(b)) => a.to_bits() == b.to_bits(),
            (Utf8(a), Utf8(b)) => a == b,
            (Date32(a), Date32(b)) => a == b,
            (TimestampMicros(a), TimestampMicros(b)) => a == b,
            (TimeMicros(a), TimeMicros(b)) => a == b,
            (Decimal128(a, p, s), Decimal128(b, q, t)) => (a, p, s) == (b, q, t),
            (DayTime(a, f), DayTime(b, g)) => (a, f) == (b, g),
            (YearMonth(a, f), YearMonth(b, g)) => (a, f) == (b, g),
            _ => false,
        }
    }
}

impl ScalarValue {
    pub fn data_type(&self) -> DataType {
        match self {
            ScalarValue::Null(t) => t.clone(),
            ScalarValue::Boolean(_) => DataType::Boolean,
            ScalarValue::Int32(_) => DataType::Int32,
            ScalarValue::Int64(_) => DataType::Int64,
            ScalarValue::Float64(_) => DataType::Float64,
            ScalarValue::Utf8(_) => DataType::Utf8,
            ScalarValue::Date32(_) => DataType::Date32,
            ScalarValue::TimestampMicros(_) => timestamp_type(),
            ScalarValue::TimeMicros(_) => crate::sql::types::time_type(),
            ScalarValue::Decimal128(_, p, s) => DataType::Decimal128(*p, *s),
            ScalarValue::DayTime(_, _) => day_time_type(),
            ScalarValue::YearMonth(_, _) => year_month_type(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, ScalarValue::Null(_))
    }

    /// The value repeated `len` times.
    pub fn to_array(&self, len: usize) -> ArrayRef {
        match self {
            ScalarValue::Null(t) => new_null_array(t, len),
            ScalarValue::Boolean(v) => Arc::new(BooleanArray::from(vec![*v; len])),
            ScalarValue::Int32(v) => Arc::new(Int32Array::from_value(*v, len)),
            ScalarValue::Int64(v) => Arc::new(Int64Array::from_value(*v, len)),
            ScalarValue::Float64(v) => Arc::new(Float64Array::from_value(*v, len)),
            ScalarValue::Utf8(v) => {
                Arc::new(StringArray::from_iter_values(std::iter::repeat_n(v, len)))
            }
            ScalarValue::Date32(v) => Arc::new(Date32Array::from_value(*v, len)),
            ScalarValue::TimestampMicros(v) => Arc::new(
                TimestampMicrosecondArray::from_value(*v, len).with_timezone(SESSION_TIME_ZONE),
            ),
            ScalarValue::TimeMicros(v) => {
                Arc::new(arrow_array::Time64MicrosecondArray::from_value(*v, len))
            }
            ScalarValue::Decimal128(v, p, s) => Arc::new(
                Decimal128Array::from_value(*v, len)
                    .with_precision_and_scale(*p, *s)
                    .unwrap_or_else(|_| Decimal128Array::from_value(*v, len)),
            ),
            ScalarValue::DayTime(v, _) => {
                Arc::new(arrow_array::DurationMicrosecondArray::from_value(*v, len))
            }
            ScalarValue::YearMonth(v, _) => {
                Arc::new(arrow_array::IntervalYearMonthArray::from_value(*v, len))
            }
        }
    }

    /// SQL text of the value, for column names and messages.
    pub fn sql(&self) -> String {
        match self {
            ScalarValue::Null(_) => "NULL".into(),
            ScalarValue::Boolean(v) => v.to_string(),
            ScalarValue::Int32(v) => v.to_string(),
            ScalarValue::Int64(v) => v.to_string(),
            ScalarValue::Float64(v) => v.to_string(),
            ScalarValue::Utf8(v) => v.clone(),
            ScalarValue::Date32(v) => crate::temporal::format_date(*v as i64),
            ScalarValue::TimestampMicros(v) => crate::temporal::format_timestamp_micros(*v),
            ScalarValue::TimeMicros(v) => crate::temporal::time_of_day::format_time_spark(*v),
            ScalarValue::Decimal128(v, _, s) => {
                let scale = 10i128.pow(*s as u32);
                format!(
                    "{}.{:0width$}",
                    v / scale,
                    (v % scale).abs(),
                    width = *s as usize
                )
            }
            ScalarValue::DayTime(v, fields) => day_time_text(*v, *fields),
            ScalarValue::YearMonth(v, fields) => year_month_text(*v, *fields),
        }
    }
}
