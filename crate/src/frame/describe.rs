use arrow_schema::{DataType, Field, Schema, TimeUnit};
use serde::Serialize;
use ts_rs::TS;

use crate::frame::Table;

/// What the UI shows about a table: its schema in Spark's words, its size and layout.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TableInfo {
    pub name: String,
    pub rows: usize,
    pub partitions: usize,
    pub memory_bytes: usize,
    pub columns: Vec<ColumnInfo>,
    /// Things the reader did that the user should know about (malformed rows kept or
    /// dropped, columns widened, invalid UTF-8 replaced).
    pub warnings: Vec<String>,
}

/// One column of a [`TableInfo`].
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnInfo {
    pub name: String,
    /// Spark SQL's name for the type (`int`, `bigint`, `double`, `string`, ...).
    pub data_type: String,
    /// Arrow's name for the type, for users who read the Parquet schema.
    pub arrow_type: String,
    pub nullable: bool,
    /// The zone of a timestamp column whose values are shown in another zone than the
    /// session's (UTC): a Parquet or Arrow file written with `Europe/Paris` keeps it, and
    /// its values are shown in it. Spark's type name has no zone, so the page shows it
    /// beside the type (`timestamp (Europe/Paris)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub time_zone: Option<String>,
}

impl TableInfo {
    pub fn describe(name: &str, table: &Table, warnings: Vec<String>) -> Self {
        let columns = ColumnInfo::of_schema(table.schema());
        TableInfo {
            name: name.to_string(),
            rows: table.num_rows(),
            partitions: table.num_partitions(),
            memory_bytes: table.memory_size(),
            columns,
            warnings,
        }
    }
}

impl ColumnInfo {
    pub fn of_field(field: &Field) -> Self {
        ColumnInfo {
            name: field.name().clone(),
            data_type: spark_field_type_name(field),
            arrow_type: field.data_type().to_string(),
            nullable: field.is_nullable(),
            time_zone: match field.data_type() {
                DataType::Timestamp(_, Some(zone)) if !is_session_zone(zone) => {
                    Some(zone.to_string())
                }
                _ => None,
            },
        }
    }

    pub fn of_schema(schema: &Schema) -> Vec<Self> {
        schema.fields().iter().map(|f| Self::of_field(f)).collect()
    }
}

/// Whether a timestamp's zone is the session's (UTC), in which its values are shown as
/// Spark shows them; a column in another zone is shown in its own.
pub(crate) fn is_session_zone(zone: &str) -> bool {
    zone == "UTC" || zone == "+00:00"
}

/// Spark SQL's spelling of a column's type: [`spark_type_name`], with an interval's
/// fields read from the column's metadata (`interval day`, `interval year`).
pub fn spark_field_type_name(field: &Field) -> String {
    if crate::frame::interval_type::is_interval(field.data_type()) {
        return crate::frame::interval_type::fields_of(field).spark_name();
    }
    spark_type_name(field.data_type())
}

/// Spark SQL's spelling of an Arrow type, as `df.printSchema()` would show it.
pub fn spark_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Null => "void".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => "int".into(),
        DataType::Int64 => "bigint".into(),
        DataType::UInt8 => "smallint".into(),
        DataType::UInt16 => "int".into(),
        DataType::UInt32 => "bigint".into(),
        DataType::UInt64 => "decimal(20,0)".into(),
        DataType::Float16 | DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => "binary".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp".into(),
        DataType::Timestamp(_, None) => "timestamp_ntz".into(),
        // Brasa's times keep microseconds, Spark's `time(6)`.
        DataType::Time32(_) | DataType::Time64(_) => "time(6)".into(),
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        // A day-time interval without its fields at hand: Spark's default fields.
        DataType::Duration(TimeUnit::Second | TimeUnit::Millisecond | TimeUnit::Microsecond) => {
            "interval day to second".into()
        }
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => {
            "interval year to month".into()
        }
        DataType::Duration(_) | DataType::Interval(_) => "interval".into(),
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            format!("array<{}>", spark_type_name(item.data_type()))
        }
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name(), spark_type_name(f.data_type())))
                .collect();
            format!("struct<{}>", inner.join(","))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map<{},{}>",
                spark_type_name(kv[0].data_type()),
                spark_type_name(kv[1].data_type())
            ),
            other => format!("map<{other}>"),
        },
        DataType::Dictionary(_, value) => spark_type_name(value),
        other => other.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn spark_names() {
        assert_eq!(spark_type_name(&DataType::Int32), "int");
        assert_eq!(spark_type_name(&DataType::Int64), "bigint");
        assert_eq!(spark_type_name(&DataType::Utf8View), "string");
        assert_eq!(
            spark_type_name(&DataType::Timestamp(TimeUnit::Microsecond, None)),
            "timestamp_ntz"
        );
        let list = DataType::List(Arc::new(arrow_schema::Field::new(
            "item",
            DataType::Float64,
            true,
        )));
        assert_eq!(spark_type_name(&list), "array<double>");
        assert_eq!(
            spark_type_name(&DataType::Decimal128(10, 2)),
            "decimal(10,2)"
        );
    }

    #[test]
    fn a_timestamp_in_another_zone_than_the_session_names_it() {
        let zoned = |zone: Option<&str>| {
            ColumnInfo::of_field(&Field::new(
                "t",
                DataType::Timestamp(TimeUnit::Microsecond, zone.map(Into::into)),
                true,
            ))
        };
        let paris = zoned(Some("Europe/Paris"));
        assert_eq!(paris.data_type, "timestamp");
        assert_eq!(paris.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(zoned(Some("UTC")).time_zone, None);
        assert_eq!(zoned(Some("+00:00")).time_zone, None);
        assert_eq!(zoned(None).time_zone, None);
        // Absent from the page's object when there is none.
        let json = serde_json::to_value(zoned(Some("UTC"))).unwrap();
        assert!(json.get("timeZone").is_none());
        let json = serde_json::to_value(paris).unwrap();
        assert_eq!(json["timeZone"], "Europe/Paris");
    }
}
