//! Each stage's data file against what Spark 4.3 writes for the same model class
//! (`tests/fixtures/sparkml/spark_schemas.json`, made by `make_spark_schemas.py` next to
//! it): the Spark SQL schema in the footer, and every Parquet column's path, types and
//! levels.

use bytes::Bytes;
use parquet::basic::LogicalType;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value;

use super::*;

const FIXTURE: &str = include_str!("../../../../tests/fixtures/sparkml/spark_schemas.json");

fn spark_schema(class: &str) -> Value {
    let all: Value = serde_json::from_str(FIXTURE).expect("fixture JSON");
    all[class].clone()
}

fn logical_name(logical: Option<LogicalType>) -> String {
    match logical {
        None => "None".into(),
        Some(LogicalType::String) => "String".into(),
        Some(LogicalType::Integer(int)) => format!(
            "Int(bitWidth={}, isSigned={})",
            int.bit_width, int.is_signed
        ),
        Some(other) => format!("{other:?}"),
    }
}

/// Writes `data` and checks the file against Spark's for `class`.
fn assert_like_spark(class: &str, data: &SparkStageData) {
    let spark = spark_schema(class);
    let bytes = stage_data_parquet(data).expect("written");
    let reader = SerializedFileReader::new(Bytes::from(bytes)).expect("readable");
    let meta = reader.metadata().file_metadata();
    let kv = meta.key_value_metadata().expect("footer metadata");
    let row = kv
        .iter()
        .find(|k| k.key == ROW_METADATA_KEY)
        .and_then(|k| k.value.clone())
        .expect("Spark's schema in the footer");
    let row: Value = serde_json::from_str(&row).expect("schema JSON");
    if class == "ImputerModel" {
        // Its columns are named after the input columns: the shapes must agree.
        assert_eq!(
            row["fields"][0]["type"],
            spark["rowMetadata"]["fields"][0]["type"]
        );
        assert_eq!(
            row["fields"][0]["nullable"],
            spark["rowMetadata"]["fields"][0]["nullable"]
        );
    } else {
        assert_eq!(row, spark["rowMetadata"], "{class}: Spark schema");
    }
    assert!(kv.iter().all(|k| k.key != "ARROW:schema"));
    let schema = meta.schema_descr();
    let expected = spark["columns"].as_array().expect("columns");
    assert_eq!(schema.num_columns(), expected.len(), "{class}: columns");
    for (i, want) in expected.iter().enumerate() {
        let column = schema.column(i);
        if class != "ImputerModel" {
            assert_eq!(
                column.path().string(),
                want["path"].as_str().unwrap(),
                "{class}"
            );
        }
        assert_eq!(
            column.physical_type().to_string(),
            want["physical"].as_str().unwrap(),
            "{class}: {}",
            column.path()
        );
        assert_eq!(
            logical_name(column.logical_type_ref().cloned()),
            want["logical"].as_str().unwrap(),
            "{class}: {}",
            column.path()
        );
        assert_eq!(
            i64::from(column.max_def_level()),
            want["maxDef"].as_i64().unwrap(),
            "{class}: {}",
            column.path()
        );
        assert_eq!(
            i64::from(column.max_rep_level()),
            want["maxRep"].as_i64().unwrap(),
            "{class}: {}",
            column.path()
        );
    }
}

#[test]
fn standard_scaler_as_spark_writes_it() {
    assert_like_spark(
        "StandardScalerModel",
        &SparkStageData::StandardScaler {
            std: vec![1.0, 2.0],
            mean: vec![0.5, 0.25],
        },
    );
}

#[test]
fn linear_regression_as_spark_writes_it() {
    assert_like_spark(
        "LinearRegressionModel",
        &SparkStageData::LinearRegression {
            intercept: 1.5,
            coefficients: vec![0.5, -2.0, 3.0],
        },
    );
}

#[test]
fn logistic_regression_as_spark_writes_it() {
    assert_like_spark(
        "LogisticRegressionModel",
        &SparkStageData::LogisticRegression {
            num_classes: 3,
            num_features: 2,
            intercept_vector: vec![0.1, 0.2, -0.3],
            coefficient_matrix: vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]],
            is_multinomial: true,
        },
    );
}

#[test]
fn kmeans_as_spark_writes_it() {
    assert_like_spark(
        "KMeansModel",
        &SparkStageData::KMeans {
            cluster_centers: vec![vec![1.0, 2.0], vec![3.0, 4.0]],
        },
    );
}

#[test]
fn imputer_string_indexer_one_hot_as_spark_writes_them() {
    assert_like_spark(
        "ImputerModel",
        &SparkStageData::Imputer {
            input_cols: vec!["age".into()],
            surrogates: vec![41.5],
        },
    );
    assert_like_spark(
        "StringIndexerModel",
        &SparkStageData::StringIndexer {
            labels_array: vec![vec!["a".into(), "b".into()]],
        },
    );
    assert_like_spark(
        "OneHotEncoderModel",
        &SparkStageData::OneHotEncoder {
            category_sizes: vec![3, 2],
        },
    );
}

#[test]
fn values_read_back() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let bytes = stage_data_parquet(&SparkStageData::LogisticRegression {
        num_classes: 2,
        num_features: 2,
        intercept_vector: vec![0.25],
        coefficient_matrix: vec![vec![1.5, -2.5]],
        is_multinomial: false,
    })
    .unwrap();
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(bytes))
        .unwrap()
        .build()
        .unwrap();
    let batch = reader.next().unwrap().unwrap();
    assert_eq!(batch.num_rows(), 1);
    let matrix = batch.column(3).as_struct();
    let values = matrix.column(5).as_list::<i32>().value(0);
    assert_eq!(values.as_primitive::<Float64Type>().values(), &[1.5, -2.5]);
    assert!(matrix.column(3).is_null(0), "a dense matrix has no colPtrs");
}

#[test]
fn mismatched_lengths_are_errors_not_panics() {
    let err = stage_data_parquet(&SparkStageData::LogisticRegression {
        num_classes: 2,
        num_features: 3,
        intercept_vector: vec![0.0],
        coefficient_matrix: vec![vec![1.0]],
        is_multinomial: false,
    })
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    let err = stage_data_parquet(&SparkStageData::Imputer {
        input_cols: vec!["a".into(), "b".into()],
        surrogates: vec![1.0],
    })
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
}

fn leaf(prediction: f64, stats: Vec<f64>) -> crate::ml::tree::TreeNode {
    crate::ml::tree::TreeNode {
        prediction,
        impurity: 0.5,
        raw_count: stats.iter().sum(),
        stats,
        split: None,
        gain: 0.0,
        left: 0,
        right: 0,
    }
}

/// A root splitting on a category set, with two leaves.
fn small_tree() -> Vec<crate::ml::tree::TreeNode> {
    use crate::ml::tree::{Split, TreeNode};
    vec![
        TreeNode {
            prediction: 0.0,
            impurity: 0.48,
            stats: vec![6.0, 4.0],
            raw_count: 10.0,
            split: Some(Split::Categorical {
                feature: 1,
                left_categories: vec![0, 2],
                num_categories: 3,
            }),
            gain: 0.1,
            left: 1,
            right: 2,
        },
        leaf(0.0, vec![5.0, 1.0]),
        leaf(1.0, vec![1.0, 3.0]),
    ]
}

#[test]
fn trees_as_spark_writes_them() {
    assert_like_spark(
        "DecisionTreeClassificationModel",
        &SparkStageData::DecisionTree {
            nodes: small_tree(),
        },
    );
    for class in ["RandomForestRegressionModel", "GBTClassificationModel"] {
        assert_like_spark(
            class,
            &SparkStageData::TreeEnsemble {
                trees: vec![small_tree(), small_tree()],
            },
        );
        assert_like_spark(
            &format!("{class}.treesMetadata"),
            &SparkStageData::TreesMetadata {
                metadata: vec!["{}".into(), "{}".into()],
                weights: vec![1.0, 0.1],
            },
        );
    }
}

#[test]
fn tree_nodes_read_back_with_spark_leaf_conventions() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int32Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let bytes = stage_data_parquet(&SparkStageData::DecisionTree {
        nodes: small_tree(),
    })
    .unwrap();
    let batch = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(bytes))
        .unwrap()
        .build()
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let ints = |c: usize| {
        batch
            .column(c)
            .as_primitive::<Int32Type>()
            .values()
            .to_vec()
    };
    assert_eq!(ints(0), [0, 1, 2]);
    assert_eq!(ints(6), [1, -1, -1], "leftChild, -1 for leaves");
    assert_eq!(ints(7), [2, -1, -1], "rightChild");
    let gain = batch.column(5).as_primitive::<Float64Type>();
    assert_eq!(gain.values().to_vec(), [0.1, -1.0, -1.0]);
    let split = batch.column(8).as_struct();
    assert_eq!(
        split
            .column(0)
            .as_primitive::<Int32Type>()
            .values()
            .to_vec(),
        [1, -1, -1]
    );
    let left = split.column(1).as_list::<i32>().value(0);
    assert_eq!(left.as_primitive::<Float64Type>().values(), &[0.0, 2.0]);
    assert_eq!(
        split
            .column(2)
            .as_primitive::<Int32Type>()
            .values()
            .to_vec(),
        [3, -1, -1]
    );
}

#[test]
fn a_child_outside_the_tree_is_an_error() {
    let mut nodes = small_tree();
    nodes[0].right = 7;
    let err = stage_data_parquet(&SparkStageData::DecisionTree { nodes }).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
}

/// Each kind of stage data reads back as it was written.
#[test]
fn stage_data_reads_back() {
    use super::{read_stage_data, SparkDataPart};
    let cases = [
        (
            "StandardScalerModel",
            SparkStageData::StandardScaler {
                std: vec![2.0, 0.5],
                mean: vec![1.0, -3.0],
            },
        ),
        (
            "LinearRegressionModel",
            SparkStageData::LinearRegression {
                intercept: -0.75,
                coefficients: vec![1.0, 2.5, 0.0],
            },
        ),
        (
            "LogisticRegressionModel",
            SparkStageData::LogisticRegression {
                num_classes: 3,
                num_features: 2,
                intercept_vector: vec![0.1, 0.2, -0.3],
                coefficient_matrix: vec![vec![1.0, 0.0], vec![0.0, -2.0], vec![0.5, 0.5]],
                is_multinomial: true,
            },
        ),
        (
            "KMeansModel",
            SparkStageData::KMeans {
                cluster_centers: vec![vec![0.0, 1.0], vec![5.0, 6.0], vec![-1.0, 2.0]],
            },
        ),
        (
            "ImputerModel",
            SparkStageData::Imputer {
                input_cols: vec!["age".into(), "tenure".into()],
                surrogates: vec![40.5, 12.0],
            },
        ),
        (
            "StringIndexerModel",
            SparkStageData::StringIndexer {
                labels_array: vec![vec!["basic".into(), "pro".into()], vec!["x".into()]],
            },
        ),
        (
            "OneHotEncoderModel",
            SparkStageData::OneHotEncoder {
                category_sizes: vec![3, 2],
            },
        ),
        (
            "DecisionTreeClassificationModel",
            SparkStageData::DecisionTree {
                nodes: small_tree(),
            },
        ),
        (
            "RandomForestRegressionModel",
            SparkStageData::TreeEnsemble {
                trees: vec![small_tree(), vec![leaf(2.0, vec![1.0, 1.0])]],
            },
        ),
    ];
    for (class, data) in cases {
        let file = stage_data_parquet(&data).unwrap();
        let class = format!("org.apache.spark.ml.x.{class}");
        let read = read_stage_data(&class, SparkDataPart::Data, &[file]).unwrap();
        assert_eq!(read, data, "{class}");
    }
    let metadata = SparkStageData::TreesMetadata {
        metadata: vec!["{\"a\":1}".into(), "{}".into()],
        weights: vec![1.0, 0.1],
    };
    let file = stage_data_parquet(&metadata).unwrap();
    let read = read_stage_data("GBTRegressionModel", SparkDataPart::TreesMetadata, &[file]);
    assert_eq!(read.unwrap(), metadata);
}

/// Spark may split a model over part files; they are read as one table, so a tree whose
/// nodes appear twice (two parts both numbering tree 0) is refused, not merged.
#[test]
fn a_tree_numbered_twice_is_refused() {
    use super::{read_stage_data, SparkDataPart};
    let part = |trees| stage_data_parquet(&SparkStageData::TreeEnsemble { trees }).unwrap();
    // Spark's parts each hold whole rows; tree ids number across parts.
    let first = part(vec![small_tree()]);
    let read = read_stage_data(
        "RandomForestClassificationModel",
        SparkDataPart::Data,
        &[first.clone(), first],
    );
    // Both parts say tree 0: the node ids repeat, which is refused rather than merged.
    assert_eq!(read.unwrap_err().code(), ErrorCode::ModelImport);
}

#[test]
fn damaged_or_unknown_stage_data_is_a_model_import_error() {
    use super::{read_stage_data, SparkDataPart};
    let scaler = stage_data_parquet(&SparkStageData::StandardScaler {
        std: vec![1.0],
        mean: vec![0.0],
    })
    .unwrap();
    let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("StandardScalerModel", vec![]),
        ("StandardScalerModel", vec![b"PAR1 not parquet".to_vec()]),
        (
            "StandardScalerModel",
            vec![scaler[..scaler.len() / 2].to_vec()],
        ),
        ("LinearRegressionModel", vec![scaler.clone()]),
        ("BucketizerModel", vec![scaler.clone()]),
        ("StandardScalerModel", vec![scaler.clone(), scaler.clone()]),
    ];
    for (class, files) in cases {
        let err = read_stage_data(class, SparkDataPart::Data, &files).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ModelImport, "{class}: {err}");
    }
    let mut cyclic = small_tree();
    cyclic[0].split = None;
    let ok = read_stage_data(
        "DecisionTreeRegressionModel",
        SparkDataPart::Data,
        &[stage_data_parquet(&SparkStageData::DecisionTree { nodes: cyclic }).unwrap()],
    );
    assert!(ok.is_ok(), "a root leaf with unreachable nodes still reads");
}
