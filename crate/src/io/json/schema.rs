//! The schema JSON records are decoded with, and the error when there is none.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_schema::{Schema, SchemaRef};

use crate::error::{Error, ErrorCode};
use crate::io::json::infer::{struct_fields, JsonType};

/// The fields JSON records are decoded with: inferred over one file, or over every file
/// of a folder; the corrupt-record column last among them when one is kept.
#[derive(Debug, Clone)]
pub struct JsonSchema {
    /// The records' type: a struct of the fields.
    root: JsonType,
    corrupt_column: Option<String>,
    arrow: SchemaRef,
}

impl JsonSchema {
    /// From the merged type of every record read (made canonical here, as Spark does once
    /// all are merged); `None` when that leaves no field at all.
    pub fn inferred(merged: JsonType, corrupt_column: Option<String>) -> Option<JsonSchema> {
        let mut fields = match merged.canonical() {
            Some(JsonType::Struct(fields)) => fields,
            _ => BTreeMap::new(),
        };
        if let Some(name) = &corrupt_column {
            fields.insert(name.clone(), JsonType::String { mixed: false });
        }
        (!fields.is_empty()).then(|| JsonSchema {
            arrow: Arc::new(Schema::new(struct_fields(&fields))),
            root: JsonType::Struct(fields),
            corrupt_column,
        })
    }

    /// The records' type (a struct of the fields).
    pub fn root(&self) -> &JsonType {
        &self.root
    }

    /// The table's schema.
    pub fn arrow(&self) -> &SchemaRef {
        &self.arrow
    }

    /// The name of the first field that is not a scalar (a struct or an array), if any.
    pub fn nested_field(&self) -> Option<&str> {
        self.arrow
            .fields()
            .iter()
            .find(|f| f.data_type().is_nested())
            .map(|f| f.name().as_str())
    }

    /// The column malformed records are kept in (PERMISSIVE mode, some record malformed).
    pub fn corrupt_column(&self) -> Option<&str> {
        self.corrupt_column.as_deref()
    }
}

/// Two schemas are the same when their fields and corrupt-record column are (the Arrow
/// schema follows from them).
impl PartialEq for JsonSchema {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root && self.corrupt_column == other.corrupt_column
    }
}

/// Why no table can be made: `what` (the file, a folder's files) has `records` records
/// and none has a field. `sample`: the records surveyed and the `samplingRatio`, when the
/// schema came from a sample.
pub fn no_fields(what: &str, records: usize, sample: Option<(usize, f64)>) -> Error {
    // "the file's records", "the folder's 3 JSON files' records".
    let whose = if what.ends_with('s') {
        format!("{what}'")
    } else {
        format!("{what}'s")
    };
    Error::new(
        ErrorCode::JsonEmpty,
        if let Some((surveyed, ratio)) = sample.filter(|_| records > 0) {
            format!(
                "the sample at samplingRatio {ratio} drew {surveyed} of {whose} {records} \
                 records, and they have no fields (Spark would make a table with no columns): \
                 raise samplingRatio, or set it to 1 to infer the schema from every record"
            )
        } else if records == 0 {
            format!("{what} has no JSON records: it is empty or holds only blank lines")
        } else {
            format!("{whose} {records} records have no fields (empty objects or arrays)")
        },
    )
}
