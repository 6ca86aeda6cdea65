//! Spark's JSON schema inference (`JsonInferSchema`): a type per value, merged over every
//! record.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields};

use crate::decimal_digits::{self, LONG_DIGITS};
use crate::io::csv::ColumnType;
#[cfg(test)]
use serde_json::Value;

/// The type inferred for a JSON value. Struct fields are kept sorted by name, as Spark
/// sorts them.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonType {
    /// Only nulls (or empty arrays' elements) seen so far; a `string` in the end.
    Null,
    Boolean,
    Long,
    Double,
    /// `mixed` marks a string made from disagreeing types where one was an object or an
    /// array: its values must be written back as JSON text before decoding.
    String {
        mixed: bool,
    },
    Array(Box<JsonType>),
    Struct(BTreeMap<String, JsonType>),
    /// A whole number beyond `bigint`, or with `prefersDecimal` a number's or a numeric
    /// string's digits (`typing.rs`).
    Decimal {
        precision: u8,
        scale: u8,
    },
    /// With `inferTimestamp`, strings that read as timestamps.
    Timestamp,
    /// A value Spark refuses to infer a type for (a negative-scale decimal): the read
    /// fails with this message. It absorbs every type it is merged with.
    Unreadable(String),
}

impl JsonType {
    /// The merged type of several values (an array's items, a piece's records). The
    /// loader merges types as it reads (`survey.rs`); this is its reference in tests.
    #[cfg(test)]
    pub fn of_all<'a>(values: impl IntoIterator<Item = &'a Value>) -> JsonType {
        values
            .into_iter()
            .map(JsonType::of)
            .fold(JsonType::Null, JsonType::merge)
    }

    #[cfg(test)]
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() => JsonType::Long,
            // A whole number beyond `i64`: a decimal of its digits.
            Value::Number(n) => match n.as_u64() {
                Some(v) => JsonType::Decimal {
                    precision: (v.ilog10() + 1) as u8,
                    scale: 0,
                },
                None => JsonType::Double,
            },
            Value::String(s) if s.is_empty() => JsonType::Null,
            Value::String(_) => JsonType::String { mixed: false },
            Value::Array(items) => JsonType::Array(Box::new(JsonType::of_all(items))),
            Value::Object(map) => JsonType::Struct(
                map.iter()
                    .map(|(k, v)| (k.clone(), JsonType::of(v)))
                    .collect(),
            ),
        }
    }

    /// Spark's `compatibleType`: the narrowest type both values fit, else `string`.
    pub fn merge(self, other: JsonType) -> JsonType {
        use JsonType::*;
        match (self, other) {
            (Unreadable(why), _) | (_, Unreadable(why)) => Unreadable(why),
            (a, b) if a == b => a,
            (Null, t) | (t, Null) => t,
            (Long, Double) | (Double, Long) => Double,
            (Double, Decimal { .. }) | (Decimal { .. }, Double) => Double,
            (Long, Decimal { precision, scale }) | (Decimal { precision, scale }, Long) => {
                wider_decimal((LONG_DIGITS, 0), (precision, scale))
            }
            (
                Decimal {
                    precision: p1,
                    scale: s1,
                },
                Decimal {
                    precision: p2,
                    scale: s2,
                },
            ) => wider_decimal((p1, s1), (p2, s2)),
            (String { mixed: a }, String { mixed: b }) => String { mixed: a || b },
            (Array(a), Array(b)) => Array(Box::new(a.merge(*b))),
            (Struct(mut a), Struct(b)) => {
                for (name, ty) in b {
                    let merged = match a.remove(&name) {
                        Some(old) => old.merge(ty),
                        None => ty,
                    };
                    a.insert(name, merged);
                }
                Struct(a)
            }
            (a, b) => String {
                mixed: a.is_container() || b.is_container() || a.is_mixed() || b.is_mixed(),
            },
        }
    }

    fn is_container(&self) -> bool {
        matches!(self, JsonType::Array(_) | JsonType::Struct(_))
    }

    fn is_mixed(&self) -> bool {
        matches!(self, JsonType::String { mixed: true })
    }

    /// Whether some value must be rewritten as JSON text to fit this type.
    pub fn has_mixed(&self) -> bool {
        match self {
            JsonType::String { mixed } => *mixed,
            JsonType::Array(item) => item.has_mixed(),
            JsonType::Struct(fields) => fields.values().any(JsonType::has_mixed),
            _ => false,
        }
    }

    /// Why Spark would refuse to read the records, when a value of this type makes it:
    /// the field's path (`a.b`, empty at the top) and the message of the first such
    /// value merged there.
    pub fn unreadable(&self) -> Option<(String, &str)> {
        match self {
            JsonType::Unreadable(why) => Some((String::new(), why)),
            JsonType::Array(item) => item.unreadable(),
            JsonType::Struct(fields) => fields.iter().find_map(|(name, ty)| {
                let (path, why) = ty.unreadable()?;
                let path = match path.is_empty() {
                    true => name.clone(),
                    false => format!("{name}.{path}"),
                };
                Some((path, why))
            }),
            _ => None,
        }
    }

    /// Spark's `dropFieldIfAllNull`: fields only ever null, and arrays of nothing else,
    /// left out (a struct left with no field is then dropped by [`JsonType::canonical`]);
    /// `None` when the type itself is only null.
    pub fn without_all_null(self) -> Option<JsonType> {
        match self {
            JsonType::Null => None,
            JsonType::Array(item) => item
                .without_all_null()
                .map(|item| JsonType::Array(Box::new(item))),
            JsonType::Struct(fields) => Some(JsonType::Struct(
                fields
                    .into_iter()
                    .filter_map(|(name, ty)| Some((name, ty.without_all_null()?)))
                    .collect(),
            )),
            other => Some(other),
        }
    }

    /// The merged type a schema is made from: with Spark's `dropFieldIfAllNull`
    /// (`drop_all_null`), fields only ever null left out ([`JsonType::without_all_null`]).
    pub fn for_schema(self, drop_all_null: bool) -> JsonType {
        match drop_all_null {
            true => self.without_all_null().unwrap_or(JsonType::Null),
            false => self,
        }
    }

    /// Spark's `canonicalizeType`: fields with an empty name and structs with no fields
    /// left are dropped (SPARK-8093), `None` if nothing is left.
    pub fn canonical(self) -> Option<JsonType> {
        match self {
            JsonType::Array(item) => item.canonical().map(|t| JsonType::Array(Box::new(t))),
            JsonType::Struct(fields) => {
                let fields: BTreeMap<String, JsonType> = fields
                    .into_iter()
                    .filter(|(name, _)| !name.is_empty())
                    .filter_map(|(name, ty)| Some((name, ty.canonical()?)))
                    .collect();
                (!fields.is_empty()).then_some(JsonType::Struct(fields))
            }
            other => Some(other),
        }
    }

    /// The Arrow type of a column of this type (Spark's names: `bigint`, `double`,
    /// `array<...>`, `struct<...>`).
    pub fn data_type(&self) -> DataType {
        match self {
            JsonType::Null | JsonType::String { .. } | JsonType::Unreadable(_) => DataType::Utf8,
            JsonType::Boolean => DataType::Boolean,
            JsonType::Decimal { precision, scale } => {
                DataType::Decimal128(*precision, *scale as i8)
            }
            JsonType::Timestamp => ColumnType::Timestamp.data_type(),
            JsonType::Long => DataType::Int64,
            JsonType::Double => DataType::Float64,
            JsonType::Array(item) => {
                DataType::List(Arc::new(Field::new("element", item.data_type(), true)))
            }
            JsonType::Struct(fields) => DataType::Struct(struct_fields(fields)),
        }
    }
}

/// Spark's `compatibleType` of two decimals: a decimal wide enough for both, or a
/// `double`.
fn wider_decimal(a: (u8, u8), b: (u8, u8)) -> JsonType {
    match decimal_digits::wider_decimal(a, b) {
        Some((precision, scale)) => JsonType::Decimal { precision, scale },
        None => JsonType::Double,
    }
}

pub fn struct_fields(fields: &BTreeMap<String, JsonType>) -> Fields {
    fields
        .iter()
        .map(|(name, ty)| Field::new(name, ty.data_type(), true))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn infer(values: &[Value]) -> JsonType {
        JsonType::of_all(values)
    }

    #[test]
    fn numbers_widen_and_conflicts_become_strings() {
        assert_eq!(infer(&[json!(1), json!(2.5)]), JsonType::Double);
        assert_eq!(infer(&[json!(1), json!(null)]), JsonType::Long);
        assert_eq!(
            infer(&[json!(1), json!("a")]),
            JsonType::String { mixed: false }
        );
        assert_eq!(
            infer(&[json!({"a": 1}), json!("a")]),
            JsonType::String { mixed: true }
        );
        assert_eq!(infer(&[json!(true), json!(false)]), JsonType::Boolean);
    }

    #[test]
    fn decimals_widen_as_spark_widens_them() {
        let decimal = |precision, scale| JsonType::Decimal { precision, scale };
        assert_eq!(decimal(2, 1).merge(decimal(4, 3)), decimal(4, 3));
        assert_eq!(decimal(3, 1).merge(decimal(4, 3)), decimal(5, 3));
        assert_eq!(JsonType::Long.merge(decimal(2, 1)), decimal(21, 1));
        assert_eq!(decimal(20, 0).merge(JsonType::Long), decimal(20, 0));
        assert_eq!(decimal(38, 0).merge(decimal(2, 2)), JsonType::Double);
        assert_eq!(decimal(5, 2).merge(JsonType::Double), JsonType::Double);
        assert_eq!(
            decimal(5, 2).merge(JsonType::Timestamp),
            JsonType::String { mixed: false }
        );
        assert_eq!(
            JsonType::Timestamp.merge(JsonType::Null),
            JsonType::Timestamp
        );
        let refused = JsonType::Unreadable("why".into());
        assert_eq!(decimal(5, 2).merge(refused.clone()), refused);
        let nested = JsonType::Struct([("a".to_string(), refused)].into());
        assert_eq!(nested.unreadable(), Some(("a".to_string(), "why")));
    }

    #[test]
    fn empty_structs_and_empty_names_are_dropped() {
        let ty = infer(&[json!({"a": {}, "": 1, "b": [{}], "c": 1})]);
        let JsonType::Struct(fields) = ty.canonical().unwrap() else {
            panic!()
        };
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["c"]);
        assert_eq!(infer(&[json!({"a": {}})]).canonical(), None);
    }

    #[test]
    fn structs_merge_their_fields_sorted_by_name() {
        let ty = infer(&[
            json!({"b": 1, "a": [1]}),
            json!({"c": {"x": 1.5}, "a": [2.5]}),
        ]);
        assert_eq!(
            ty.data_type().to_string(),
            DataType::Struct(Fields::from(vec![
                Field::new(
                    "a",
                    DataType::List(Arc::new(Field::new("element", DataType::Float64, true))),
                    true
                ),
                Field::new("b", DataType::Int64, true),
                Field::new(
                    "c",
                    DataType::Struct(Fields::from(vec![Field::new("x", DataType::Float64, true)])),
                    true
                ),
            ]))
            .to_string()
        );
    }
}
