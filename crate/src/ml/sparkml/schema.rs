//! The column types a Spark ML model's `data/` Parquet file uses, each known twice: as the
//! Arrow field the Parquet writer lays out, and as the Spark SQL type JSON that Spark keeps
//! in the file's footer (`org.apache.spark.sql.parquet.row.metadata`). Spark reads that
//! JSON back as the file's schema, which is how a struct column becomes a vector again:
//! without the `udt` entry, `VectorUDT` columns would load as plain structs and the
//! model's loader would not recognise them.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields};
use serde_json::{json, Value};

/// A Spark SQL column type of a model's data.
#[derive(Debug, Clone, PartialEq)]
pub enum SparkType {
    /// `byte` (Arrow Int8, Parquet INT32 annotated INT(8)): the vector and matrix tags.
    Byte,
    /// `int` (Arrow Int32).
    Int,
    /// `long` (Arrow Int64).
    Long,
    /// `double`.
    Double,
    /// `boolean`.
    Boolean,
    /// `string`.
    String,
    /// `array<element>`; `contains_null` as Spark declares it.
    Array(Box<SparkType>, bool),
    /// A `struct` of named fields.
    Struct(Vec<SparkField>),
    /// `org.apache.spark.ml.linalg.VectorUDT`: struct of type (byte), size, indices, values.
    Vector,
    /// `org.apache.spark.ml.linalg.MatrixUDT`: struct of type, numRows, numCols, colPtrs,
    /// rowIndices, values, isTransposed.
    Matrix,
}

/// A named column of a model's data, nullable as Spark declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct SparkField {
    pub name: String,
    pub kind: SparkType,
    pub nullable: bool,
}

impl SparkField {
    pub fn new(name: &str, kind: SparkType, nullable: bool) -> SparkField {
        SparkField {
            name: name.to_string(),
            kind,
            nullable,
        }
    }

    /// The Arrow field the Parquet writer lays out as Spark's parquet-mr would.
    pub fn arrow(&self) -> Field {
        Field::new(&self.name, self.kind.arrow(), self.nullable)
    }

    /// The field in Spark's schema JSON.
    pub fn spark_json(&self) -> Value {
        json!({"name": self.name, "type": self.kind.spark_json(), "nullable": self.nullable, "metadata": {}})
    }
}

/// The element of a Parquet list: Spark's writer names it `element`.
fn list_of(element: DataType, contains_null: bool) -> DataType {
    DataType::List(Arc::new(Field::new("element", element, contains_null)))
}

/// The fields of VectorUDT's struct, as Spark declares them.
pub fn vector_fields() -> Vec<SparkField> {
    vec![
        SparkField::new("type", SparkType::Byte, false),
        SparkField::new("size", SparkType::Int, true),
        SparkField::new(
            "indices",
            SparkType::Array(Box::new(SparkType::Int), false),
            true,
        ),
        SparkField::new(
            "values",
            SparkType::Array(Box::new(SparkType::Double), false),
            true,
        ),
    ]
}

/// The fields of MatrixUDT's struct, as Spark declares them.
pub fn matrix_fields() -> Vec<SparkField> {
    let ints = || SparkType::Array(Box::new(SparkType::Int), false);
    vec![
        SparkField::new("type", SparkType::Byte, false),
        SparkField::new("numRows", SparkType::Int, false),
        SparkField::new("numCols", SparkType::Int, false),
        SparkField::new("colPtrs", ints(), true),
        SparkField::new("rowIndices", ints(), true),
        SparkField::new(
            "values",
            SparkType::Array(Box::new(SparkType::Double), false),
            true,
        ),
        SparkField::new("isTransposed", SparkType::Boolean, false),
    ]
}

fn struct_json(fields: &[SparkField]) -> Value {
    json!({"type": "struct", "fields": fields.iter().map(SparkField::spark_json).collect::<Vec<_>>()})
}

fn arrow_struct(fields: &[SparkField]) -> DataType {
    DataType::Struct(Fields::from(
        fields.iter().map(SparkField::arrow).collect::<Vec<_>>(),
    ))
}

impl SparkType {
    pub fn arrow(&self) -> DataType {
        match self {
            SparkType::Byte => DataType::Int8,
            SparkType::Int => DataType::Int32,
            SparkType::Long => DataType::Int64,
            SparkType::Double => DataType::Float64,
            SparkType::Boolean => DataType::Boolean,
            SparkType::String => DataType::Utf8,
            SparkType::Array(element, contains_null) => list_of(element.arrow(), *contains_null),
            SparkType::Struct(fields) => arrow_struct(fields),
            SparkType::Vector => arrow_struct(&vector_fields()),
            SparkType::Matrix => arrow_struct(&matrix_fields()),
        }
    }

    /// The type in Spark's schema JSON (`DataType.json`).
    pub fn spark_json(&self) -> Value {
        match self {
            SparkType::Byte => json!("byte"),
            SparkType::Int => json!("integer"),
            SparkType::Long => json!("long"),
            SparkType::Double => json!("double"),
            SparkType::Boolean => json!("boolean"),
            SparkType::String => json!("string"),
            SparkType::Array(element, contains_null) => {
                json!({"type": "array", "elementType": element.spark_json(), "containsNull": contains_null})
            }
            SparkType::Struct(fields) => struct_json(fields),
            SparkType::Vector => json!({
                "type": "udt",
                "class": "org.apache.spark.ml.linalg.VectorUDT",
                "pyClass": "pyspark.ml.linalg.VectorUDT",
                "sqlType": struct_json(&vector_fields()),
            }),
            SparkType::Matrix => json!({
                "type": "udt",
                "class": "org.apache.spark.ml.linalg.MatrixUDT",
                "pyClass": "pyspark.ml.linalg.MatrixUDT",
                "sqlType": struct_json(&matrix_fields()),
            }),
        }
    }
}

/// The fields of a tree node's row (Spark's `NodeData`), as Spark declares them.
pub fn node_fields() -> Vec<SparkField> {
    let doubles = || SparkType::Array(Box::new(SparkType::Double), false);
    vec![
        SparkField::new("id", SparkType::Int, false),
        SparkField::new("prediction", SparkType::Double, false),
        SparkField::new("impurity", SparkType::Double, false),
        SparkField::new("impurityStats", doubles(), true),
        SparkField::new("rawCount", SparkType::Long, false),
        SparkField::new("gain", SparkType::Double, false),
        SparkField::new("leftChild", SparkType::Int, false),
        SparkField::new("rightChild", SparkType::Int, false),
        SparkField::new(
            "split",
            SparkType::Struct(vec![
                SparkField::new("featureIndex", SparkType::Int, false),
                SparkField::new("leftCategoriesOrThreshold", doubles(), true),
                SparkField::new("numCategories", SparkType::Int, false),
            ]),
            true,
        ),
    ]
}

/// Spark's schema JSON of a row of `fields` (`StructType.json`).
pub fn row_schema_json(fields: &[SparkField]) -> String {
    struct_json(fields).to_string()
}
