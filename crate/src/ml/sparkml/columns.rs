//! Arrow columns holding Spark ML values as Spark stores them: dense vectors and matrices
//! as the structs of `VectorUDT` / `MatrixUDT`, arrays as Parquet lists of `element`s.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int32Builder, Int8Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, StructArray};
use arrow_schema::{DataType, Field, Fields};

use crate::error::{Error, ErrorCode, Result};
use crate::ml::sparkml::schema::{matrix_fields, vector_fields, SparkField};

/// VectorUDT's and MatrixUDT's tag of a dense value.
const DENSE: i8 = 1;

fn element(data_type: DataType, contains_null: bool) -> Arc<Field> {
    Arc::new(Field::new("element", data_type, contains_null))
}

fn struct_fields(fields: &[SparkField]) -> Fields {
    Fields::from(fields.iter().map(SparkField::arrow).collect::<Vec<_>>())
}

/// A count Spark stores as an `int`.
pub fn spark_int(n: usize, what: &str) -> Result<i32> {
    i32::try_from(n).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} ({n}) is too large for Spark (at most {})", i32::MAX),
        )
    })
}

/// A list column of doubles or ints that is NULL on every row (a dense value's
/// `indices` / `colPtrs`).
fn null_int_lists(rows: usize) -> ArrayRef {
    let mut lists =
        ListBuilder::new(Int32Builder::new()).with_field(element(DataType::Int32, false));
    for _ in 0..rows {
        lists.append_null();
    }
    Arc::new(lists.finish())
}

fn double_lists<'a>(rows: impl Iterator<Item = &'a [f64]>) -> ArrayRef {
    let mut lists =
        ListBuilder::new(Float64Builder::new()).with_field(element(DataType::Float64, false));
    for row in rows {
        lists.values().append_slice(row);
        lists.append(true);
    }
    Arc::new(lists.finish())
}

/// One dense vector per row.
pub fn dense_vectors(rows: &[&[f64]]) -> Result<ArrayRef> {
    let n = rows.len();
    let mut tags = Int8Builder::with_capacity(n);
    let mut sizes = Int32Builder::with_capacity(n);
    for _ in rows {
        tags.append_value(DENSE);
        sizes.append_null();
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(tags.finish()),
        Arc::new(sizes.finish()),
        null_int_lists(n),
        double_lists(rows.iter().copied()),
    ];
    StructArray::try_new(struct_fields(&vector_fields()), columns, None)
        .map(|a| Arc::new(a) as ArrayRef)
        .map_err(|e| Error::internal("building a vector column", e))
}

/// One dense matrix (a row of `rows` per matrix row), stored row-major
/// (`isTransposed = true`), as Spark stores LogisticRegression's coefficients.
pub fn dense_matrix(rows: &[Vec<f64>], num_cols: usize) -> Result<ArrayRef> {
    if let Some(bad) = rows.iter().find(|r| r.len() != num_cols) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "a matrix row has {} values where the matrix has {num_cols} columns",
                bad.len()
            ),
        ));
    }
    let mut tag = Int8Builder::new();
    tag.append_value(DENSE);
    let mut num_rows_col = Int32Builder::new();
    num_rows_col.append_value(spark_int(rows.len(), "the number of matrix rows")?);
    let mut num_cols_col = Int32Builder::new();
    num_cols_col.append_value(spark_int(num_cols, "the number of matrix columns")?);
    let values: Vec<f64> = rows.iter().flatten().copied().collect();
    let mut transposed = BooleanBuilder::new();
    transposed.append_value(true);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(tag.finish()),
        Arc::new(num_rows_col.finish()),
        Arc::new(num_cols_col.finish()),
        null_int_lists(1),
        null_int_lists(1),
        double_lists(std::iter::once(values.as_slice())),
        Arc::new(transposed.finish()),
    ];
    StructArray::try_new(struct_fields(&matrix_fields()), columns, None)
        .map(|a| Arc::new(a) as ArrayRef)
        .map_err(|e| Error::internal("building a matrix column", e))
}

/// One row holding a list of ints (no nulls), as OneHotEncoder's `categorySizes`.
pub fn int_list(values: &[i32]) -> ArrayRef {
    let mut lists =
        ListBuilder::new(Int32Builder::new()).with_field(element(DataType::Int32, false));
    lists.values().append_slice(values);
    lists.append(true);
    Arc::new(lists.finish())
}

/// One row holding a list of string lists, as StringIndexer's `labelsArray` (Spark
/// declares both levels nullable).
pub fn string_list_list(values: &[Vec<String>]) -> ArrayRef {
    let inner = ListBuilder::new(StringBuilder::new()).with_field(element(DataType::Utf8, true));
    let mut outer = ListBuilder::new(inner)
        .with_field(element(DataType::List(element(DataType::Utf8, true)), true));
    for labels in values {
        for label in labels {
            outer.values().values().append_value(label);
        }
        outer.values().append(true);
    }
    outer.append(true);
    Arc::new(outer.finish())
}
