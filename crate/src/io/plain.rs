//! The plain types the engine computes on, for readers of files that may hold others:
//! dictionary-encoded, view and large string or binary columns are read as the plain
//! type of their values.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

/// The schema with view, large and dictionary types replaced by the plain types they
/// hold.
pub fn plain_schema(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_data_type(plain_type(f.data_type())))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

pub fn plain_type(data_type: &DataType) -> DataType {
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        DataType::Dictionary(_, value) => plain_type(value),
        other => other.clone(),
    }
}
