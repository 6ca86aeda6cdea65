//! The types of partition columns, inferred from their values as Spark does
//! (`spark.sql.sources.partitionColumnTypeInference.enabled`, on by default): each value
//! is tried as an int, a bigint, a decimal without fraction, a double, a timestamp, a
//! date, and is a string otherwise; a column takes the widest type of its values (a
//! string when they do not agree), and the values are then read as that type.

use std::sync::Arc;

use arrow_array::{
    new_null_array, ArrayRef, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array,
    StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, TimeUnit};

use crate::error::{Error, Result};
use crate::frame::jvm::parse_java_double;
use crate::io::csv::{parse_date_literal, parse_timestamp_literal, SESSION_TIME_ZONE};

/// Spark's most digits in a decimal.
const MAX_PRECISION: u8 = 38;

/// A partition column's type, narrowest first within each family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionType {
    /// Every value is `__HIVE_DEFAULT_PARTITION__` (Spark's `void`).
    Null,
    Int,
    Long,
    /// An integral decimal: `decimal(precision, 0)`.
    Decimal(u8),
    Double,
    Date,
    Timestamp,
    String,
}

impl PartitionType {
    /// The type Spark gives one value.
    pub fn of(value: Option<&str>) -> PartitionType {
        let Some(text) = value else {
            return PartitionType::Null;
        };
        if java_integer(text).is_some_and(|v| i32::try_from(v).is_ok()) {
            PartitionType::Int
        } else if java_integer(text).is_some_and(|v| i64::try_from(v).is_ok()) {
            PartitionType::Long
        } else if let Some((_, precision)) = integral_decimal(text) {
            PartitionType::Decimal(precision)
        } else if parse_java_double(text).is_some() {
            PartitionType::Double
        } else if partition_timestamp(text).is_some() {
            PartitionType::Timestamp
        } else if parse_date_literal(text).is_some() {
            PartitionType::Date
        } else {
            PartitionType::String
        }
    }

    /// The type two values share (Spark's `findWiderTypeForPartitionColumn`): numbers
    /// widen, a decimal with a double is a double, a date with a timestamp a timestamp;
    /// anything else that differs is a string.
    pub fn wider(self, other: PartitionType) -> PartitionType {
        use PartitionType::*;
        let integral_digits = |t: PartitionType| match t {
            Int => Some(10),
            Long => Some(20),
            Decimal(p) => Some(p),
            _ => None,
        };
        match (self, other) {
            (a, b) if a == b => a,
            (Null, t) | (t, Null) => t,
            (Int, Long) | (Long, Int) => Long,
            (Decimal(_), _) | (_, Decimal(_))
                if integral_digits(self).is_some() && integral_digits(other).is_some() =>
            {
                let digits = integral_digits(self).max(integral_digits(other));
                Decimal(digits.unwrap_or(MAX_PRECISION).min(MAX_PRECISION))
            }
            (Int | Long | Decimal(_), Double) | (Double, Int | Long | Decimal(_)) => Double,
            (Date, Timestamp) | (Timestamp, Date) => Timestamp,
            _ => String,
        }
    }

    pub fn data_type(self) -> DataType {
        match self {
            PartitionType::Null => DataType::Null,
            PartitionType::Int => DataType::Int32,
            PartitionType::Long => DataType::Int64,
            PartitionType::Decimal(p) => DataType::Decimal128(p, 0),
            PartitionType::Double => DataType::Float64,
            PartitionType::Date => DataType::Date32,
            PartitionType::Timestamp => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(SESSION_TIME_ZONE.into()))
            }
            PartitionType::String => DataType::Utf8,
        }
    }

    /// `rows` copies of `value` read as this type (a value whose own type is this one or
    /// narrower, so it always converts).
    pub fn repeat(self, value: Option<&str>, rows: usize) -> Result<ArrayRef> {
        let Some(text) = value else {
            return Ok(new_null_array(&self.data_type(), rows));
        };
        let array: ArrayRef = match self {
            PartitionType::Null => new_null_array(&DataType::Null, rows),
            PartitionType::Int => Arc::new(Int32Array::from_value(
                java_integer(text)
                    .and_then(|v| i32::try_from(v).ok())
                    .unwrap_or_default(),
                rows,
            )),
            PartitionType::Long => Arc::new(Int64Array::from_value(
                java_integer(text)
                    .and_then(|v| i64::try_from(v).ok())
                    .unwrap_or_default(),
                rows,
            )),
            PartitionType::Decimal(p) => Arc::new(
                Decimal128Array::from_value(integral_decimal(text).map_or(0, |(v, _)| v), rows)
                    .with_precision_and_scale(p, 0)
                    .map_err(|e| Error::internal("a decimal partition value", e))?,
            ),
            PartitionType::Double => Arc::new(Float64Array::from_value(
                parse_java_double(text).unwrap_or(f64::NAN),
                rows,
            )),
            PartitionType::Date => Arc::new(Date32Array::from_value(
                parse_date_literal(text).unwrap_or_default(),
                rows,
            )),
            PartitionType::Timestamp => {
                let micros = partition_timestamp(text)
                    .or_else(|| parse_date_literal(text).map(|d| d as i64 * 86_400_000_000))
                    .unwrap_or_default();
                Arc::new(
                    TimestampMicrosecondArray::from_value(micros, rows)
                        .with_timezone(SESSION_TIME_ZONE),
                )
            }
            PartitionType::String => Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
                text, rows,
            ))),
        };
        Ok(array)
    }
}

/// An integer as Java's `Integer.parseInt` / `Long.parseLong` read one (an optional sign,
/// then ASCII digits; leading zeros allowed), in a range wide enough to tell an int from
/// a bigint.
fn java_integer(text: &str) -> Option<i128> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || digits.len() > 30 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A number `java.math.BigDecimal` reads with no digits after the point once its exponent
/// is applied (`123`, `1e3`, but not `1.5` or `1.0`), as its value and precision; `None`
/// beyond Spark's 38 digits.
fn integral_decimal(text: &str) -> Option<(i128, u8)> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let negative = text.starts_with('-');
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    // BigDecimal's scale is the fraction's length less the exponent; Spark takes only
    // scale <= 0, which it then sets to 0 (multiplying out the exponent).
    let scale = fraction.len() as i64 - exponent as i64;
    if scale > 0 {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0');
    let zeros = usize::try_from(-scale).ok()?;
    let precision = if significant.is_empty() {
        1
    } else {
        significant.len() + zeros
    };
    if precision > MAX_PRECISION as usize {
        return None;
    }
    let mut value: i128 = if significant.is_empty() {
        0
    } else {
        significant.parse().ok()?
    };
    for _ in 0..zeros {
        value = value.checked_mul(10)?;
    }
    Some((if negative { -value } else { value }, precision as u8))
}

/// A timestamp as Spark's partition values write one, `yyyy-MM-dd HH:mm:ss[.fraction]`
/// (no zone: read in the session time zone), in microseconds.
fn partition_timestamp(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let fraction_only = bytes.get(19..).is_some_and(|rest| {
        rest.is_empty()
            || (rest[0] == b'.' && rest.len() > 1 && rest[1..].iter().all(u8::is_ascii_digit))
    });
    if bytes.len() < 19 || bytes[10] != b' ' || bytes[16] != b':' || !fraction_only {
        return None;
    }
    parse_timestamp_literal(text)
}

#[cfg(test)]
mod tests {
    use super::PartitionType::{self, *};

    fn column_type(values: &[Option<&str>]) -> PartitionType {
        values
            .iter()
            .map(|v| PartitionType::of(*v))
            .fold(Null, PartitionType::wider)
    }

    #[test]
    fn each_value_gets_the_first_type_that_reads_it() {
        let cases = [
            ("1", Int),
            ("-2", Int),
            ("007", Int),
            ("+5", Int),
            ("3000000000", Long),
            ("99999999999999999999", Decimal(20)),
            ("1e3", Decimal(4)),
            ("1.5", Double),
            ("1.0", Double),
            ("-0.25", Double),
            ("NaN", Double),
            ("2024-01-05", Date),
            ("2024-02-29 00:00:01", Timestamp),
            ("2024-02-30", String),
            ("true", String),
            ("abc", String),
            ("inf", String),
            ("1_000", String),
            (&"9".repeat(39), Double),
        ];
        for (text, expected) in cases {
            assert_eq!(PartitionType::of(Some(text)), expected, "{text}");
        }
        assert_eq!(PartitionType::of(None), Null);
    }

    #[test]
    fn a_column_takes_the_wider_type_of_its_values() {
        assert_eq!(column_type(&[Some("1"), Some("3000000000")]), Long);
        assert_eq!(column_type(&[Some("1e3"), Some("2")]), Decimal(10));
        assert_eq!(
            column_type(&[Some("1"), Some("99999999999999999999")]),
            Decimal(20)
        );
        assert_eq!(column_type(&[Some("1"), Some("1.5")]), Double);
        assert_eq!(column_type(&[Some("1e3"), Some("1.5")]), Double);
        assert_eq!(
            column_type(&[Some("2024-01-05"), Some("2024-01-05 10:00:00")]),
            Timestamp
        );
        assert_eq!(column_type(&[Some("abc"), Some("1")]), String);
        assert_eq!(column_type(&[Some("2024-01-05"), Some("1")]), String);
        assert_eq!(column_type(&[None, Some("3")]), Int);
        assert_eq!(column_type(&[None]), Null);
    }

    #[test]
    fn values_are_read_as_the_column_type() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::{
            Decimal128Type, Float64Type, Int32Type, TimestampMicrosecondType,
        };
        let ints = Int.repeat(Some("007"), 3).unwrap();
        assert_eq!(
            ints.as_primitive::<Int32Type>().values().as_ref(),
            [7, 7, 7]
        );
        let decimals = Decimal(10).repeat(Some("1e3"), 1).unwrap();
        assert_eq!(decimals.as_primitive::<Decimal128Type>().value(0), 1000);
        let doubles = Double.repeat(Some("1e3"), 1).unwrap();
        assert_eq!(doubles.as_primitive::<Float64Type>().value(0), 1000.0);
        let midnight = Timestamp.repeat(Some("1970-01-02"), 1).unwrap();
        assert_eq!(
            midnight.as_primitive::<TimestampMicrosecondType>().value(0),
            86_400_000_000
        );
        let text = String.repeat(Some("007"), 2).unwrap();
        assert_eq!(text.as_string::<i32>().value(1), "007");
        assert_eq!(Int.repeat(None, 2).unwrap().null_count(), 2);
    }
}
