//! The types Spark's JSON functions take: what `to_json` writes (checked when the call
//! is planned, so a query is refused before it runs).

use arrow_schema::{DataType, TimeUnit};

/// Whether `to_json` can write values of this type (checked when the call is planned, so
/// a query is refused before it runs).
pub fn json_writable(t: &DataType) -> bool {
    match t {
        DataType::Null
        | DataType::Binary
        | DataType::Date32
        | DataType::Timestamp(TimeUnit::Microsecond, _) => true,
        // Intervals as Spark prints them; a nested one has its type's default fields.
        t if crate::frame::interval_type::is_interval(t) => true,
        DataType::List(f) => json_writable(f.data_type()),
        DataType::Struct(fields) => fields.iter().all(|f| json_writable(f.data_type())),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                let key = kv[0].data_type();
                (json_map_key(key) || crate::frame::interval_type::is_interval(key))
                    && json_writable(kv[1].data_type())
            }
            _ => false,
        },
        t => json_scalar(t),
    }
}

/// The types JSON holds as a number, a boolean or text of its own: what `to_json` writes
/// as a map key, and (with dates and timestamps, read from text) what `from_json` reads.
pub fn json_scalar(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::Float32
            | DataType::Float64
            | DataType::Decimal128(_, _)
            | DataType::Utf8
            | DataType::LargeUtf8
    )
}

/// Whether `to_json` writes a map key of this type (as its text).
pub fn json_map_key(t: &DataType) -> bool {
    json_scalar(t)
}
