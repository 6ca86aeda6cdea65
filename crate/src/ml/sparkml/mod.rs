//! Spark ML's persistence format for fitted stages: the `data/` Parquet file of each model
//! in a `PipelineModel` directory, with Spark's exact schema (see [`schema`]), so that
//! `PipelineModel.load` in PySpark (and MLflow's `spark` flavor) reads Brasa's models.
//!
//! The page assembles the directory (each stage's `metadata/` JSON line, the pipeline's,
//! MLflow's files around it); the engine writes only what needs a Parquet writer: one
//! [`SparkStageData`] in, one file's bytes out ([`stage_data_parquet`]). Stages without
//! data (VectorAssembler, SQLTransformer, IndexToString) have no file; a tree ensemble
//! has two (`data/` with every tree's nodes, `treesMetadata/`, see `trees.rs`).
//!
//! The other way, [`read_stage_data`] reads the data files of a `PipelineModel` made by
//! PySpark, for the page's import (see `read.rs`).

mod columns;
mod read;
pub mod schema;
mod trees;

pub use read::{read_stage_data, SparkDataPart};

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int32Builder};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch};
use arrow_schema::Schema;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::ml::tree::TreeNode;
use columns::{dense_matrix, dense_vectors, int_list, spark_int, string_list_list};
use schema::{node_fields, row_schema_json, SparkField, SparkType};

/// The Spark version the files say wrote them (the PySpark the tests load them with).
pub const SPARK_VERSION: &str = "4.3.0";

/// The footer key Spark keeps a file's Spark SQL schema under.
const ROW_METADATA_KEY: &str = "org.apache.spark.sql.parquet.row.metadata";
const VERSION_KEY: &str = "org.apache.spark.version";

/// What a fitted stage's `data/` file holds, in Spark's words (each variant is the model
/// class's data row(s)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "stage", rename_all = "camelCase")]
pub enum SparkStageData {
    /// `StandardScalerModel`: `std`, `mean` (vectors).
    #[serde(rename_all = "camelCase")]
    StandardScaler { std: Vec<f64>, mean: Vec<f64> },
    /// `LinearRegressionModel`: `intercept`, `coefficients` (vector), `scale` (1 for the
    /// squared-error loss).
    #[serde(rename_all = "camelCase")]
    LinearRegression {
        intercept: f64,
        coefficients: Vec<f64>,
    },
    /// `LogisticRegressionModel`: `numClasses`, `numFeatures`, `interceptVector`,
    /// `coefficientMatrix` (one row per coefficient set), `isMultinomial`.
    #[serde(rename_all = "camelCase")]
    LogisticRegression {
        num_classes: usize,
        num_features: usize,
        intercept_vector: Vec<f64>,
        coefficient_matrix: Vec<Vec<f64>>,
        is_multinomial: bool,
    },
    /// `KMeansModel`: one row per centre, `clusterIdx` and `clusterCenter` (vector).
    #[serde(rename = "kMeans", rename_all = "camelCase")]
    KMeans { cluster_centers: Vec<Vec<f64>> },
    /// `ImputerModel`: one row, a `double` column per input column holding its surrogate.
    #[serde(rename_all = "camelCase")]
    Imputer {
        input_cols: Vec<String>,
        surrogates: Vec<f64>,
    },
    /// `StringIndexerModel`: `labelsArray`, one label list per input column.
    #[serde(rename_all = "camelCase")]
    StringIndexer { labels_array: Vec<Vec<String>> },
    /// `OneHotEncoderModel`: `categorySizes`, one per input column.
    #[serde(rename_all = "camelCase")]
    OneHotEncoder { category_sizes: Vec<usize> },
    /// `DecisionTree{Classification,Regression}Model`: one row per node.
    #[serde(rename_all = "camelCase")]
    DecisionTree { nodes: Vec<TreeNode> },
    /// A tree ensemble's `data/` (RandomForest, GBT): every tree's nodes, with `treeID`.
    #[serde(rename_all = "camelCase")]
    TreeEnsemble { trees: Vec<Vec<TreeNode>> },
    /// A tree ensemble's `treesMetadata/`: each tree's metadata line and weight.
    #[serde(rename_all = "camelCase")]
    TreesMetadata {
        metadata: Vec<String>,
        weights: Vec<f64>,
    },
}

/// The stage's data as a batch of Spark's schema (the fields and the columns).
fn data_batch(data: &SparkStageData) -> Result<(Vec<SparkField>, Vec<ArrayRef>)> {
    let vector = |name: &str| SparkField::new(name, SparkType::Vector, true);
    Ok(match data {
        SparkStageData::StandardScaler { std, mean } => {
            same_length(std.len(), mean.len(), "StandardScaler's std and mean")?;
            (
                vec![vector("std"), vector("mean")],
                vec![dense_vectors(&[std])?, dense_vectors(&[mean])?],
            )
        }
        SparkStageData::LinearRegression {
            intercept,
            coefficients,
        } => (
            vec![
                SparkField::new("intercept", SparkType::Double, false),
                vector("coefficients"),
                SparkField::new("scale", SparkType::Double, false),
            ],
            vec![
                Arc::new(Float64Array::from(vec![*intercept])),
                dense_vectors(&[coefficients])?,
                Arc::new(Float64Array::from(vec![1.0])),
            ],
        ),
        SparkStageData::LogisticRegression {
            num_classes,
            num_features,
            intercept_vector,
            coefficient_matrix,
            is_multinomial,
        } => {
            same_length(
                intercept_vector.len(),
                coefficient_matrix.len(),
                "LogisticRegression's intercepts and coefficient rows",
            )?;
            (
                vec![
                    SparkField::new("numClasses", SparkType::Int, false),
                    SparkField::new("numFeatures", SparkType::Int, false),
                    vector("interceptVector"),
                    SparkField::new("coefficientMatrix", SparkType::Matrix, true),
                    SparkField::new("isMultinomial", SparkType::Boolean, false),
                ],
                vec![
                    Arc::new(Int32Array::from(vec![spark_int(
                        *num_classes,
                        "the number of classes",
                    )?])),
                    Arc::new(Int32Array::from(vec![spark_int(
                        *num_features,
                        "the number of features",
                    )?])),
                    dense_vectors(&[intercept_vector])?,
                    dense_matrix(coefficient_matrix, *num_features)?,
                    Arc::new(BooleanArray::from(vec![*is_multinomial])),
                ],
            )
        }
        SparkStageData::KMeans { cluster_centers } => {
            let mut index = Int32Builder::with_capacity(cluster_centers.len());
            for i in 0..cluster_centers.len() {
                index.append_value(spark_int(i, "the number of clusters")?);
            }
            let centers: Vec<&[f64]> = cluster_centers.iter().map(Vec::as_slice).collect();
            (
                vec![
                    SparkField::new("clusterIdx", SparkType::Int, false),
                    vector("clusterCenter"),
                ],
                vec![Arc::new(index.finish()), dense_vectors(&centers)?],
            )
        }
        SparkStageData::Imputer {
            input_cols,
            surrogates,
        } => {
            same_length(
                input_cols.len(),
                surrogates.len(),
                "Imputer's columns and surrogates",
            )?;
            let fields = input_cols
                .iter()
                .map(|c| SparkField::new(c, SparkType::Double, false))
                .collect();
            let columns = surrogates
                .iter()
                .map(|&s| {
                    let mut column = Float64Builder::with_capacity(1);
                    column.append_value(s);
                    Arc::new(column.finish()) as ArrayRef
                })
                .collect();
            (fields, columns)
        }
        SparkStageData::StringIndexer { labels_array } => {
            let strings = SparkType::Array(Box::new(SparkType::String), true);
            (
                vec![SparkField::new(
                    "labelsArray",
                    SparkType::Array(Box::new(strings), true),
                    true,
                )],
                vec![string_list_list(labels_array)],
            )
        }
        SparkStageData::OneHotEncoder { category_sizes } => {
            let sizes = category_sizes
                .iter()
                .map(|&n| spark_int(n, "a category count"))
                .collect::<Result<Vec<_>>>()?;
            (
                vec![SparkField::new(
                    "categorySizes",
                    SparkType::Array(Box::new(SparkType::Int), false),
                    true,
                )],
                vec![int_list(&sizes)],
            )
        }
        SparkStageData::DecisionTree { nodes } => (node_fields(), trees::node_columns(&[nodes])?),
        SparkStageData::TreeEnsemble { trees } => trees::ensemble_columns(trees)?,
        SparkStageData::TreesMetadata { metadata, weights } => {
            trees::trees_metadata_columns(metadata, weights)?
        }
    })
}

fn same_length(a: usize, b: usize, what: &str) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} differ in length ({a} and {b})"),
        ))
    }
}

/// The stage's `data/part-00000-….parquet` file: one row group, snappy, Spark's schema in
/// the footer, as Spark's own writer makes it.
pub fn stage_data_parquet(data: &SparkStageData) -> Result<Vec<u8>> {
    let (fields, columns) = data_batch(data)?;
    let schema = Arc::new(Schema::new(
        fields.iter().map(SparkField::arrow).collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| Error::internal("assembling a Spark model's data", e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(vec![
            KeyValue::new(ROW_METADATA_KEY.to_string(), row_schema_json(&fields)),
            KeyValue::new(VERSION_KEY.to_string(), SPARK_VERSION.to_string()),
        ]))
        .build();
    // Spark does not read Arrow's own schema entry; leave it out as Spark's writer does.
    let options = ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true);
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new_with_options(&mut out, schema, options)
        .map_err(|e| Error::internal("starting a Spark model's data file", e))?;
    writer
        .write(&batch)
        .map_err(|e| Error::internal("writing a Spark model's data", e))?;
    writer
        .close()
        .map_err(|e| Error::internal("finishing a Spark model's data file", e))?;
    Ok(out)
}

#[cfg(test)]
mod tests;
