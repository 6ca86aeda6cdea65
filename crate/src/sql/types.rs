//! Spark SQL's type rules as Brasa applies them: which type an operation on two types
//! computes in, and how SQL type names map to Arrow types.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, TimeUnit};
use sqlparser::ast::{self, DataType as SqlType, ExactNumberInfo};

use crate::error::{Error, Result};
use crate::sql::decimal::Decimal;

/// The time zone of `timestamp` values (Spark's session time zone).
pub const SESSION_TIME_ZONE: &str = "UTC";

/// Spark's `timestamp`: microseconds in the session time zone.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from(SESSION_TIME_ZONE)))
}

/// Spark's `timestamp_ntz`: a wall-clock time in no zone, as microseconds. With the
/// session zone UTC its microseconds are those of the `timestamp` of the same wall-clock
/// time, so a cast between the two keeps the value.
pub fn timestamp_ntz_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

/// Whether `t` is Spark's `timestamp_ntz`.
pub fn is_timestamp_ntz(t: &DataType) -> bool {
    matches!(t, DataType::Timestamp(_, None))
}

/// Spark 4's `time`: microseconds since midnight. `TIME(p)` with `p` < 6 cuts the
/// fraction to `p` digits where Spark does (casts), but the type is the same: every Brasa
/// time is named Spark's `time(6)` (Arrow's types cannot carry the precision).
pub fn time_type() -> DataType {
    DataType::Time64(TimeUnit::Microsecond)
}

pub fn is_numeric(t: &DataType) -> bool {
    t.is_numeric()
}

pub fn is_integer(t: &DataType) -> bool {
    t.is_integer()
}

pub fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

pub fn is_temporal(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
    )
}

/// The type two numeric types are combined in: integers widen to the wider integer
/// (`int` + `bigint` is `bigint`), anything with a fraction becomes `double`.
pub fn numeric_common(left: &DataType, right: &DataType) -> Option<DataType> {
    if !is_numeric(left) || !is_numeric(right) {
        return None;
    }
    if left == right
        && !matches!(
            left,
            DataType::Decimal128(_, _) | DataType::Float16 | DataType::Float32
        )
    {
        return Some(left.clone());
    }
    if let Some(decimal) = decimal_common(left, right) {
        return Some(decimal);
    }
    if is_integer(left) && is_integer(right) {
        let widest = integer_rank(left).max(integer_rank(right));
        return Some(if widest <= 4 {
            DataType::Int32
        } else {
            DataType::Int64
        });
    }
    Some(DataType::Float64)
}

/// Where a decimal meets a decimal or an integer, the smallest decimal holding both
/// (Spark's `findWiderTypeForDecimal`); a decimal with a float or double meets in double.
fn decimal_common(left: &DataType, right: &DataType) -> Option<DataType> {
    let as_decimal = |t: &DataType| Decimal::of(t).or_else(|| Decimal::for_integer(t));
    if Decimal::of(left).is_none() && Decimal::of(right).is_none() {
        return None;
    }
    Some(match (as_decimal(left), as_decimal(right)) {
        (Some(l), Some(r)) => l.wider(r).data_type(),
        _ => DataType::Float64,
    })
}

/// Integer width in bytes (unsigned types count as the next signed width).
pub(crate) fn integer_rank(t: &DataType) -> u8 {
    match t {
        DataType::Int8 => 1,
        DataType::Int16 | DataType::UInt8 => 2,
        DataType::Int32 | DataType::UInt16 => 4,
        _ => 8,
    }
}

/// The type two values are compared in, or `None` if Spark would refuse the comparison.
/// Strings compared with numbers, dates or timestamps are read as those, as Spark does
/// (a literal `'2024-01-01'` against a date column is a date; `'1.5' = 1` compares the
/// integers 1 and 1).
pub fn comparison_common(left: &DataType, right: &DataType) -> Option<DataType> {
    use DataType::*;
    if left == right {
        return Some(left.clone());
    }
    match (left, right) {
        (Null, other) | (other, Null) => Some(other.clone()),
        (l, r) if is_numeric(l) && is_numeric(r) => numeric_common(l, r),
        // A string against a decimal compares as doubles, as Spark does (SPARK-22469: no
        // decimal type fits every string).
        (s, DataType::Decimal128(_, _)) | (DataType::Decimal128(_, _), s) if is_string(s) => {
            Some(Float64)
        }
        (s, n) | (n, s) if is_string(s) && is_numeric(n) => Some(n.clone()),
        (s, t) | (t, s) if is_string(s) && (is_temporal(t) || matches!(t, Time64(_))) => {
            Some(t.clone())
        }
        (Date32, t) | (t, Date32) if matches!(t, Timestamp(_, _)) => Some(datetime_common(t, t)),
        (Timestamp(_, _), Timestamp(_, _)) => Some(datetime_common(left, right)),
        (l, r) if is_string(l) && is_string(r) => Some(Utf8),
        _ => None,
    }
}

/// The type two timestamps meet in (a date beside a timestamp meets it as that
/// timestamp): `timestamp_ntz` only when both are, `timestamp` otherwise, as Spark's
/// `findWiderDateTimeType`.
fn datetime_common(left: &DataType, right: &DataType) -> DataType {
    if is_timestamp_ntz(left) && is_timestamp_ntz(right) {
        timestamp_ntz_type()
    } else {
        timestamp_type()
    }
}

/// The type `x IN (a, b, ...)` compares in (also against a subquery's column): the
/// comparison's, except that a string beside a number, date, timestamp or time makes
/// every value a string, as Spark's wider type for `IN` (`1 IN ('1.0')` is false,
/// `TIMESTAMP '2024-01-02 00:00:00' IN ('2024-01-02')` too).
pub fn in_list_common(types: &[DataType]) -> Result<DataType> {
    let promoted = |t: &DataType| {
        is_numeric(t)
            || matches!(
                t,
                DataType::Date32 | DataType::Timestamp(_, _) | DataType::Time64(_)
            )
    };
    let mut common = types.first().cloned().unwrap_or(DataType::Null);
    for t in types.iter().skip(1) {
        common = comparison_common(&common, t).ok_or_else(|| {
            Error::analysis(format!(
                "IN compares {} with {}",
                crate::frame::spark_type_name(&common),
                crate::frame::spark_type_name(t)
            ))
        })?;
    }
    if types.iter().any(is_string) && types.iter().any(promoted) {
        return Ok(DataType::Utf8);
    }
    Ok(common)
}

/// The type `x IN (subquery)` compares `value` (x's type) and `column` (the subquery's)
/// in: [`in_list_common`]'s, or an error naming both.
pub fn in_subquery_common(value: &DataType, column: &DataType) -> Result<DataType> {
    in_list_common(&[value.clone(), column.clone()]).map_err(|_| {
        Error::analysis(format!(
            "IN compares {} with a subquery of {}",
            crate::frame::spark_type_name(value),
            crate::frame::spark_type_name(column)
        ))
    })
}

/// The common type of the branches of `CASE`, `COALESCE`, `IN` lists and `UNION` columns.
pub fn branches_common(left: &DataType, right: &DataType) -> Option<DataType> {
    use DataType::*;
    if left == right {
        return Some(left.clone());
    }
    match (left, right) {
        (Null, other) | (other, Null) => Some(other.clone()),
        (l, r) if is_numeric(l) && is_numeric(r) => numeric_common(l, r),
        (Date32, t) | (t, Date32) if matches!(t, Timestamp(_, _)) => Some(datetime_common(t, t)),
        (Timestamp(_, _), Timestamp(_, _)) => Some(datetime_common(left, right)),
        (l, r) if is_string(l) || is_string(r) => Some(Utf8),
        // Arrays meet in the common type of their elements (`array()` is array<void>).
        (List(l), List(r)) => branches_common(l.data_type(), r.data_type())
            .map(|e| List(Arc::new(arrow_schema::Field::new("element", e, true)))),
        _ => None,
    }
}

/// Whether casting a non-NULL `from` to `to` can give NULL (Spark's `Cast.forceNullable`):
/// text that does not read, a date from a number, a value past a decimal's digits, a
/// NaN or infinity to an integer.
fn cast_may_give_null(from: &DataType, to: &DataType) -> bool {
    use DataType::*;
    let decimal_holds = |digits: i16, scale: i16, p: u8, s: i8| {
        scale <= i16::from(s) && digits - scale <= i16::from(p) - i16::from(s)
    };
    match (from, to) {
        (f, t) if f == t => false,
        (Null, _) => false,
        (f, Binary) if is_string(f) => false,
        (f, _) if is_string(f) => true,
        (_, t) if is_string(t) => false,
        (Timestamp(_, _), Int8 | Int16 | Int32) => true,
        (Float32 | Float64, Timestamp(_, _)) => true,
        (Timestamp(_, _), Date32) => false,
        (_, Date32) => true,
        (Date32, Timestamp(_, _)) => false,
        (Date32, _) => true,
        (Decimal128(p1, s1), Decimal128(p, s)) => {
            !decimal_holds(i16::from(*p1), i16::from(*s1), *p, *s)
        }
        (Int8, Decimal128(p, s)) => !decimal_holds(3, 0, *p, *s),
        (Int16, Decimal128(p, s)) => !decimal_holds(5, 0, *p, *s),
        (Int32, Decimal128(p, s)) => !decimal_holds(10, 0, *p, *s),
        (Int64, Decimal128(p, s)) => !decimal_holds(20, 0, *p, *s),
        (_, Decimal128(_, _)) => true,
        (Float32 | Float64 | Decimal128(_, _), t) if is_integer(t) => true,
        _ => false,
    }
}

/// Whether `CAST(x AS to)` is allowed from `from`: Arrow's casts, and booleans to and
/// from decimals (true is 1; a decimal is true unless zero), which Spark allows too.
pub fn can_cast(from: &DataType, to: &DataType) -> bool {
    use DataType::{Boolean, Decimal128};
    // A time goes to and from text and timestamps, and to integers and decimals (its
    // seconds); Spark refuses the rest (`CAST(t AS DOUBLE)`, `CAST(45296 AS TIME)`).
    match (from, to) {
        (DataType::Time64(_), DataType::Time64(_)) => return true,
        (DataType::Time64(_), to) => {
            return is_string(to)
                || matches!(to, Decimal128(_, _) | DataType::Timestamp(_, _))
                || is_integer(to)
        }
        (from, DataType::Time64(_)) => {
            return is_string(from)
                || matches!(from, DataType::Timestamp(_, Some(_)) | DataType::Null)
        }
        _ => {}
    }
    // Arrays and structs cast element by element (field by field), by Spark's rules.
    match (from, to) {
        (DataType::List(from), DataType::List(to)) => {
            return can_cast(from.data_type(), to.data_type())
        }
        (DataType::Struct(from), DataType::Struct(to)) => {
            return from.len() == to.len()
                && from
                    .iter()
                    .zip(to.iter())
                    .all(|(from, to)| can_cast(from.data_type(), to.data_type()))
        }
        // A map's keys cannot be NULL: Spark refuses a key cast that could make one.
        (DataType::Map(_, _), DataType::Map(_, _)) => {
            return match (map_types(from), map_types(to)) {
                (Some((from_key, from_value)), Some((to_key, to_value))) => {
                    can_cast(&from_key, &to_key)
                        && !cast_may_give_null(&from_key, &to_key)
                        && can_cast(&from_value, &to_value)
                }
                _ => false,
            };
        }
        _ => {}
    }
    // A `timestamp_ntz` goes to and from text, dates and timestamps only: Spark refuses
    // numbers and booleans either way (`CAST(1 AS TIMESTAMP_NTZ)`).
    if is_timestamp_ntz(from) || is_timestamp_ntz(to) {
        let other = if is_timestamp_ntz(from) { to } else { from };
        return is_string(other)
            || matches!(
                other,
                DataType::Date32 | DataType::Timestamp(_, _) | DataType::Null
            );
    }
    matches!(
        (from, to),
        (Boolean, Decimal128(_, _)) | (Decimal128(_, _), Boolean)
    ) || arrow_cast::can_cast_types(from, to)
}

/// The Arrow type of a SQL type name in `CAST(x AS <type>)`.
pub fn arrow_type(sql: &SqlType) -> Result<DataType> {
    use SqlType as S;
    Ok(match sql {
        S::Boolean | S::Bool => DataType::Boolean,
        S::TinyInt(_) => DataType::Int8,
        S::SmallInt(_) => DataType::Int16,
        S::Int(_) | S::Integer(_) => DataType::Int32,
        S::BigInt(_) => DataType::Int64,
        S::Float(_) | S::Real => DataType::Float32,
        S::Double(_) | S::DoublePrecision => DataType::Float64,
        S::String(_) | S::Varchar(_) | S::Char(_) | S::Text => DataType::Utf8,
        S::Date => DataType::Date32,
        S::Binary(_) | S::Varbinary(_) | S::Bytea => DataType::Binary,
        S::TimestampNtz(_) | S::Timestamp(_, ast::TimezoneInfo::WithoutTimeZone) => {
            timestamp_ntz_type()
        }
        S::Timestamp(_, _) | S::Datetime(_) => timestamp_type(),
        S::Custom(name, modifiers)
            if modifiers.is_empty() && name.to_string().eq_ignore_ascii_case("timestamp_ltz") =>
        {
            timestamp_type()
        }
        S::Time(precision, ast::TimezoneInfo::None) => match precision {
            Some(p) if *p > 9 => {
                return Err(Error::analysis(format!(
                    "TIME({p}): the precision of a time must be 0 to 9"
                )))
            }
            _ => time_type(),
        },
        S::Decimal(info) | S::Numeric(info) | S::Dec(info) => match info {
            ExactNumberInfo::None => DataType::Decimal128(10, 0),
            ExactNumberInfo::Precision(p) => DataType::Decimal128(decimal_digits(*p)?, 0),
            ExactNumberInfo::PrecisionAndScale(p, s) => {
                let scale =
                    i8::try_from(*s).map_err(|_| Error::analysis("decimal scale out of range"))?;
                let precision = decimal_digits(*p)?;
                if i16::from(scale) > i16::from(precision) {
                    return Err(Error::analysis(format!(
                        "decimal scale ({s}) cannot be greater than precision ({p})"
                    )));
                }
                DataType::Decimal128(precision, scale)
            }
        },
        // Nested types, as `CAST(NULL AS ARRAY<INT>)` needs them.
        S::Array(
            ast::ArrayElemTypeDef::AngleBracket(element)
            | ast::ArrayElemTypeDef::Parenthesis(element),
        ) => list_of(arrow_type(element)?),
        S::Map(key, value) => map_of(arrow_type(key)?, arrow_type(value)?),
        S::Struct(fields, _) => {
            let fields = fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let name = f
                        .field_name
                        .as_ref()
                        .map_or_else(|| format!("col{}", i + 1), |n| n.value.clone());
                    Ok(Field::new(name, arrow_type(&f.field_type)?, true))
                })
                .collect::<Result<Vec<_>>>()?;
            DataType::Struct(fields.into())
        }
        S::Custom(name, _) if name.to_string().eq_ignore_ascii_case("long") => DataType::Int64,
        S::Custom(name, _) if name.to_string().eq_ignore_ascii_case("short") => DataType::Int16,
        S::Custom(name, _) if name.to_string().eq_ignore_ascii_case("byte") => DataType::Int8,
        other => return Err(Error::unsupported(format!("the type {other}"))),
    })
}

/// The type of an array of `element`s, as every array function builds it.
pub fn list_of(element: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("element", element, true)))
}

/// The key and value types of a map type (what [`map_of`] made).
pub fn map_types(data_type: &DataType) -> Option<(DataType, DataType)> {
    match data_type {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                Some((kv[0].data_type().clone(), kv[1].data_type().clone()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The type of a map from `key` to `value`, as Arrow (and Parquet) write it.
pub fn map_of(key: DataType, value: DataType) -> DataType {
    let entries = Fields::from(vec![
        Field::new("key", key, false),
        Field::new("value", value, true),
    ]);
    DataType::Map(
        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
        false,
    )
}

fn decimal_digits(p: u64) -> Result<u8> {
    match u8::try_from(p) {
        Ok(p) if (1..=38).contains(&p) => Ok(p),
        _ => Err(Error::analysis(format!(
            "decimal precision must be 1 to 38, got {p}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;

    #[test]
    fn numeric_widening() {
        assert_eq!(numeric_common(&Int32, &Int32), Some(Int32));
        assert_eq!(numeric_common(&Int32, &Int64), Some(Int64));
        assert_eq!(numeric_common(&Int16, &Int8), Some(Int32));
        assert_eq!(numeric_common(&Int64, &Float64), Some(Float64));
        assert_eq!(numeric_common(&Utf8, &Int32), None);
    }

    #[test]
    fn comparisons() {
        assert_eq!(comparison_common(&Utf8, &Date32), Some(Date32));
        assert_eq!(comparison_common(&Int32, &Utf8), Some(Int32));
        assert_eq!(comparison_common(&Utf8, &Float64), Some(Float64));
        assert_eq!(comparison_common(&Boolean, &Int32), None);
        assert_eq!(comparison_common(&Null, &Boolean), Some(Boolean));
        assert_eq!(
            comparison_common(&Date32, &timestamp_type()),
            Some(timestamp_type())
        );
    }
}
