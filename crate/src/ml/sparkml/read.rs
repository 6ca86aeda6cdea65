//! Reading a fitted stage's `data/` Parquet files as PySpark wrote them: the other way of
//! [`super::stage_data_parquet`], for importing a `PipelineModel` made by Spark.
//!
//! Spark may split a stage's data over several part files (a forest's nodes, a KMeans
//! model's centres); the caller passes every part, in name order, and the rows are read
//! as one table. Vectors and matrices are read in both of Spark's layouts, dense and sparse
//! (Spark stores LogisticRegression's coefficients compressed, so a model with many zero
//! coefficients arrives sparse). Every length, index and child pointer is checked: a
//! damaged or hostile file is a `MODEL_IMPORT` error, never a panic or a huge allocation.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StructArray};
use arrow_schema::DataType;
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::ml::sparkml::SparkStageData;
use crate::ml::tree::{Split, TreeNode};

/// The most values one vector or matrix of an imported model may hold: far above any
/// model Brasa trains, low enough that a damaged `size` cannot exhaust memory.
const MAX_VALUES: usize = 1 << 24;

/// Which of a stage's Parquet directories the files come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SparkDataPart {
    /// `data/`: the model itself.
    Data,
    /// `treesMetadata/`: a tree ensemble's per-tree metadata and weights.
    TreesMetadata,
}

fn import_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ModelImport, message)
}

/// The rows of every part file, in order.
fn read_parts(files: &[Vec<u8>], what: &str) -> Result<Vec<RecordBatch>> {
    if files.is_empty() {
        return Err(import_error(format!(
            "{what} has no data file (its data/ folder is empty or missing from the zip)"
        )));
    }
    let mut batches = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let damaged = |e: &dyn std::fmt::Display| {
            import_error(format!(
                "data file {} of {what} is not a readable Parquet file ({e})",
                i + 1
            ))
        };
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(file.clone()))
            .map_err(|e| damaged(&e))?
            .build()
            .map_err(|e| damaged(&e))?;
        for batch in reader {
            batches.push(batch.map_err(|e| damaged(&e))?);
        }
    }
    Ok(batches)
}

/// A named column of a stage's rows, across every batch.
struct Rows<'a> {
    batches: &'a [RecordBatch],
    what: &'a str,
}

impl<'a> Rows<'a> {
    fn count(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The column `name` of each batch.
    fn column(&self, name: &str) -> Result<Vec<&'a ArrayRef>> {
        self.batches
            .iter()
            .map(|b| {
                b.column_by_name(name).ok_or_else(|| {
                    import_error(format!(
                        "the data of {} has no column `{name}`; was it saved by Spark ML?",
                        self.what
                    ))
                })
            })
            .collect()
    }

    /// Every row's value of a column, through `read` (the column's array, a row index).
    fn each<T>(
        &self,
        name: &str,
        mut read: impl FnMut(&'a ArrayRef, usize) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::with_capacity(self.count());
        for column in self.column(name)? {
            for i in 0..column.len() {
                out.push(read(column, i)?);
            }
        }
        Ok(out)
    }

    /// The one row a single-row model (a scaler, a linear model) has.
    fn single(&self) -> Result<()> {
        match self.count() {
            1 => Ok(()),
            n => Err(import_error(format!(
                "the data of {} has {n} rows where Spark writes one",
                self.what
            ))),
        }
    }
}

fn wrong_type(what: &str, name: &str, found: &DataType) -> Error {
    import_error(format!(
        "column `{name}` of {what}'s data has type {found}, not the one Spark writes"
    ))
}

fn not_null(array: &dyn Array, i: usize, what: &str, name: &str) -> Result<()> {
    if array.is_null(i) {
        Err(import_error(format!(
            "column `{name}` of {what}'s data is empty (NULL) in row {}",
            i + 1
        )))
    } else {
        Ok(())
    }
}

fn double_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<f64> {
    let values = array
        .as_primitive_opt::<Float64Type>()
        .ok_or_else(|| wrong_type(what, name, array.data_type()))?;
    not_null(values, i, what, name)?;
    Ok(values.value(i))
}

fn int_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<i64> {
    if let Some(values) = array.as_primitive_opt::<Int32Type>() {
        not_null(values, i, what, name)?;
        return Ok(values.value(i) as i64);
    }
    if let Some(values) = array.as_primitive_opt::<Int64Type>() {
        not_null(values, i, what, name)?;
        return Ok(values.value(i));
    }
    if let Some(values) = array.as_primitive_opt::<Int8Type>() {
        not_null(values, i, what, name)?;
        return Ok(values.value(i) as i64);
    }
    Err(wrong_type(what, name, array.data_type()))
}

fn bool_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<bool> {
    let values: &BooleanArray = array
        .as_boolean_opt()
        .ok_or_else(|| wrong_type(what, name, array.data_type()))?;
    not_null(values, i, what, name)?;
    Ok(values.value(i))
}

/// A non-negative count or index that fits this machine and Spark's limits.
fn count_of(n: i64, what: &str, name: &str) -> Result<usize> {
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= MAX_VALUES)
        .ok_or_else(|| {
            import_error(format!(
                "`{name}` of {what}'s data is {n}, which is not a valid size"
            ))
        })
}

/// The list at row `i` of a list column, as its values' array.
fn list_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<Option<ArrayRef>> {
    let lists = array
        .as_list_opt::<i32>()
        .ok_or_else(|| wrong_type(what, name, array.data_type()))?;
    Ok((!lists.is_null(i)).then(|| lists.value(i)))
}

fn doubles_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<Vec<f64>> {
    let Some(values) = list_at(array, i, what, name)? else {
        return Ok(Vec::new());
    };
    let values = values
        .as_primitive_opt::<Float64Type>()
        .ok_or_else(|| wrong_type(what, name, values.data_type()))?;
    if values.null_count() > 0 {
        return Err(import_error(format!(
            "`{name}` of {what}'s data holds an empty (NULL) value"
        )));
    }
    Ok(values.values().to_vec())
}

fn ints_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<Vec<usize>> {
    let Some(values) = list_at(array, i, what, name)? else {
        return Ok(Vec::new());
    };
    let values = values
        .as_primitive_opt::<Int32Type>()
        .ok_or_else(|| wrong_type(what, name, values.data_type()))?;
    values
        .iter()
        .map(|v| count_of(v.map_or(-1, i64::from), what, name))
        .collect()
}

fn strings_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<Vec<String>> {
    let Some(values) = list_at(array, i, what, name)? else {
        return Ok(Vec::new());
    };
    if let Some(strings) = values.as_string_opt::<i32>() {
        // Spark's StringIndexer never learns NULL as a label; keep the slot as text.
        return Ok(strings
            .iter()
            .map(|s| s.unwrap_or_default().to_string())
            .collect());
    }
    Err(wrong_type(what, name, values.data_type()))
}

fn struct_of<'a>(array: &'a ArrayRef, what: &str, name: &str) -> Result<&'a StructArray> {
    array
        .as_struct_opt()
        .ok_or_else(|| wrong_type(what, name, array.data_type()))
}

fn field<'a>(s: &'a StructArray, what: &str, name: &str, field: &str) -> Result<&'a ArrayRef> {
    s.column_by_name(field).ok_or_else(|| {
        import_error(format!(
            "`{name}` of {what}'s data has no `{field}`; is it a Spark ML vector or matrix?"
        ))
    })
}

/// Row `i` of a `VectorUDT` column, dense.
fn vector_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<Vec<f64>> {
    let s = struct_of(array, what, name)?;
    not_null(s, i, what, name)?;
    let kind = int_at(field(s, what, name, "type")?, i, what, name)?;
    let values = doubles_at(field(s, what, name, "values")?, i, what, name)?;
    match kind {
        1 => Ok(values),
        0 => {
            let size = count_of(
                int_at(field(s, what, name, "size")?, i, what, name)?,
                what,
                name,
            )?;
            let indices = ints_at(field(s, what, name, "indices")?, i, what, name)?;
            scatter(size, &indices, &values, what, name)
        }
        other => Err(import_error(format!(
            "`{name}` of {what}'s data has a vector of type {other}, where Spark writes 0 (sparse) or 1 (dense)"
        ))),
    }
}

/// A sparse vector's values in a dense one of `size`.
fn scatter(
    size: usize,
    indices: &[usize],
    values: &[f64],
    what: &str,
    name: &str,
) -> Result<Vec<f64>> {
    if indices.len() != values.len() || indices.iter().any(|&k| k >= size) {
        return Err(import_error(format!(
            "`{name}` of {what}'s data has a sparse vector whose indices do not fit its size {size}"
        )));
    }
    let mut dense = vec![0.0; size];
    for (&k, &v) in indices.iter().zip(values) {
        dense[k] = v;
    }
    Ok(dense)
}

/// Row `i` of a `MatrixUDT` column, as rows of values.
fn matrix_at(array: &ArrayRef, i: usize, what: &str, name: &str) -> Result<Vec<Vec<f64>>> {
    let s = struct_of(array, what, name)?;
    not_null(s, i, what, name)?;
    let int = |f: &str| int_at(field(s, what, name, f)?, i, what, name);
    let kind = int("type")?;
    let rows = count_of(int("numRows")?, what, name)?;
    let cols = count_of(int("numCols")?, what, name)?;
    if rows.saturating_mul(cols) > MAX_VALUES {
        return Err(import_error(format!(
            "`{name}` of {what}'s data is a {rows} × {cols} matrix, too large to import"
        )));
    }
    let transposed = bool_at(field(s, what, name, "isTransposed")?, i, what, name)?;
    let values = doubles_at(field(s, what, name, "values")?, i, what, name)?;
    let mut out = vec![vec![0.0; cols]; rows];
    let bad = || {
        import_error(format!(
            "`{name}` of {what}'s data has a {rows} × {cols} matrix whose values do not fit its shape"
        ))
    };
    match kind {
        1 => {
            if values.len() != rows * cols {
                return Err(bad());
            }
            for (r, row) in out.iter_mut().enumerate() {
                for (c, cell) in row.iter_mut().enumerate() {
                    *cell = if transposed {
                        values[r * cols + c]
                    } else {
                        values[c * rows + r]
                    };
                }
            }
        }
        0 => {
            // Compressed columns (CSC), or compressed rows (CSR) when transposed.
            let pointers = ints_at(field(s, what, name, "colPtrs")?, i, what, name)?;
            let indices = ints_at(field(s, what, name, "rowIndices")?, i, what, name)?;
            let (outer, inner) = if transposed { (rows, cols) } else { (cols, rows) };
            if pointers.len() != outer + 1
                || pointers.windows(2).any(|w| w[0] > w[1])
                || pointers.last() != Some(&values.len())
                || indices.len() != values.len()
                || indices.iter().any(|&k| k >= inner)
            {
                return Err(bad());
            }
            for o in 0..outer {
                for k in pointers[o]..pointers[o + 1] {
                    let (r, c) = if transposed {
                        (o, indices[k])
                    } else {
                        (indices[k], o)
                    };
                    out[r][c] = values[k];
                }
            }
        }
        other => {
            return Err(import_error(format!(
                "`{name}` of {what}'s data has a matrix of type {other}, where Spark writes 0 (sparse) or 1 (dense)"
            )))
        }
    }
    Ok(out)
}

/// The simple name of a Spark class (`org.apache.spark.ml.feature.ImputerModel` → `ImputerModel`).
fn simple_name(class_name: &str) -> &str {
    class_name.rsplit('.').next().unwrap_or(class_name)
}

/// A fitted stage's data, read from its `data/` (or `treesMetadata/`) part files.
///
/// ```
/// use brasa::ml::sparkml::{read_stage_data, stage_data_parquet, SparkDataPart, SparkStageData};
/// let scaler = SparkStageData::StandardScaler { std: vec![2.0, 0.5], mean: vec![1.0, 3.0] };
/// let file = stage_data_parquet(&scaler).unwrap();
/// let read = read_stage_data(
///     "org.apache.spark.ml.feature.StandardScalerModel",
///     SparkDataPart::Data,
///     &[file],
/// )
/// .unwrap();
/// assert_eq!(read, scaler);
/// ```
pub fn read_stage_data(
    class_name: &str,
    part: SparkDataPart,
    files: &[Vec<u8>],
) -> Result<SparkStageData> {
    let what = simple_name(class_name);
    let batches = read_parts(files, what)?;
    let rows = Rows {
        batches: &batches,
        what,
    };
    if part == SparkDataPart::TreesMetadata {
        return trees_metadata(&rows);
    }
    let d = |a: &ArrayRef, i: usize, name: &str| double_at(a, i, what, name);
    let v = |a: &ArrayRef, i: usize, name: &str| vector_at(a, i, what, name);
    Ok(match what {
        "StandardScalerModel" => {
            rows.single()?;
            SparkStageData::StandardScaler {
                std: rows.each("std", |a, i| v(a, i, "std"))?.remove(0),
                mean: rows.each("mean", |a, i| v(a, i, "mean"))?.remove(0),
            }
        }
        "LinearRegressionModel" => {
            rows.single()?;
            SparkStageData::LinearRegression {
                intercept: rows.each("intercept", |a, i| d(a, i, "intercept"))?[0],
                coefficients: rows
                    .each("coefficients", |a, i| v(a, i, "coefficients"))?
                    .remove(0),
            }
        }
        "LogisticRegressionModel" => logistic(&rows)?,
        "KMeansModel" => {
            let mut centres = rows.each("clusterIdx", |a, i| int_at(a, i, what, "clusterIdx"))?
                .into_iter()
                .zip(rows.each("clusterCenter", |a, i| v(a, i, "clusterCenter"))?)
                .collect::<Vec<_>>();
            centres.sort_by_key(|(index, _)| *index);
            if centres.iter().enumerate().any(|(k, (index, _))| *index != k as i64) {
                return Err(import_error(
                    "KMeansModel's clusterIdx values are not 0, 1, 2, …: the model is incomplete",
                ));
            }
            SparkStageData::KMeans {
                cluster_centers: centres.into_iter().map(|(_, c)| c).collect(),
            }
        }
        "ImputerModel" => {
            rows.single()?;
            let batch = &batches[batches.iter().position(|b| b.num_rows() == 1).unwrap_or(0)];
            let mut input_cols = Vec::new();
            let mut surrogates = Vec::new();
            for (f, column) in batch.schema().fields().iter().zip(batch.columns()) {
                input_cols.push(f.name().clone());
                surrogates.push(double_at(column, 0, what, f.name())?);
            }
            SparkStageData::Imputer {
                input_cols,
                surrogates,
            }
        }
        "StringIndexerModel" => {
            rows.single()?;
            let labels = rows
                .each("labelsArray", |a, i| {
                    let Some(lists) = list_at(a, i, what, "labelsArray")? else {
                        return Ok(Vec::new());
                    };
                    (0..lists.len())
                        .map(|k| strings_at(&lists, k, what, "labelsArray"))
                        .collect::<Result<Vec<_>>>()
                })?
                .remove(0);
            SparkStageData::StringIndexer {
                labels_array: labels,
            }
        }
        "OneHotEncoderModel" => {
            rows.single()?;
            SparkStageData::OneHotEncoder {
                category_sizes: rows
                    .each("categorySizes", |a, i| ints_at(a, i, what, "categorySizes"))?
                    .remove(0),
            }
        }
        "DecisionTreeClassificationModel" | "DecisionTreeRegressionModel" => {
            let ids = rows.each("id", |a, i| int_at(a, i, what, "id"))?;
            let nodes = node_rows(&rows, "", ids.len())?;
            SparkStageData::DecisionTree {
                nodes: tree_of(ids.into_iter().zip(nodes).collect(), what)?,
            }
        }
        "RandomForestClassificationModel"
        | "RandomForestRegressionModel"
        | "GBTClassificationModel"
        | "GBTRegressionModel" => ensemble(&rows)?,
        _ => {
            return Err(import_error(format!(
                "{what} is not a stage Brasa can import (it reads StandardScaler, Imputer, StringIndexer, OneHotEncoder, LinearRegression, LogisticRegression, KMeans, DecisionTree, RandomForest and GBT models)"
            )))
        }
    })
}

fn logistic(rows: &Rows) -> Result<SparkStageData> {
    let what = rows.what;
    rows.single()?;
    let num_classes = count_of(
        rows.each("numClasses", |a, i| int_at(a, i, what, "numClasses"))?[0],
        what,
        "numClasses",
    )?;
    let num_features = count_of(
        rows.each("numFeatures", |a, i| int_at(a, i, what, "numFeatures"))?[0],
        what,
        "numFeatures",
    )?;
    let intercept_vector = rows
        .each("interceptVector", |a, i| {
            vector_at(a, i, what, "interceptVector")
        })?
        .remove(0);
    let coefficient_matrix = rows
        .each("coefficientMatrix", |a, i| {
            matrix_at(a, i, what, "coefficientMatrix")
        })?
        .remove(0);
    let is_multinomial =
        rows.each("isMultinomial", |a, i| bool_at(a, i, what, "isMultinomial"))?[0];
    let sets = if is_multinomial { num_classes } else { 1 };
    if coefficient_matrix.len() != sets
        || intercept_vector.len() != sets
        || coefficient_matrix.iter().any(|r| r.len() != num_features)
    {
        return Err(import_error(format!(
            "LogisticRegressionModel's coefficients do not match its {num_classes} classes and {num_features} features"
        )));
    }
    Ok(SparkStageData::LogisticRegression {
        num_classes,
        num_features,
        intercept_vector,
        coefficient_matrix,
        is_multinomial,
    })
}

/// A node as Spark stores it: the node, and its children's ids (−1 for a leaf).
struct NodeRow {
    node: TreeNode,
    left: i64,
    right: i64,
}

/// The node rows of a tree model's data: the columns of `NodeData`, at the top level
/// (a single tree) or inside `nodeData` (an ensemble, `prefix` = "nodeData").
fn node_rows(rows: &Rows, prefix: &str, count: usize) -> Result<Vec<NodeRow>> {
    let what = rows.what;
    let mut out = Vec::with_capacity(count);
    let columns: Vec<RecordBatch> = if prefix.is_empty() {
        rows.batches.to_vec()
    } else {
        rows.column(prefix)?
            .into_iter()
            .map(|a| struct_of(a, what, prefix).map(RecordBatch::from))
            .collect::<Result<_>>()?
    };
    for batch in &columns {
        let col = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| {
                import_error(format!(
                    "the tree nodes of {what} have no `{name}`; was the model saved by Spark ML?"
                ))
            })
        };
        let (prediction, impurity, stats) =
            (col("prediction")?, col("impurity")?, col("impurityStats")?);
        let (raw_count, gain) = (col("rawCount")?, col("gain")?);
        let (left, right) = (col("leftChild")?, col("rightChild")?);
        let split = struct_of(col("split")?, what, "split")?;
        let feature = field(split, what, "split", "featureIndex")?;
        let categories = field(split, what, "split", "leftCategoriesOrThreshold")?;
        let num_categories = field(split, what, "split", "numCategories")?;
        for i in 0..batch.num_rows() {
            let left_child = int_at(left, i, what, "leftChild")?;
            let right_child = int_at(right, i, what, "rightChild")?;
            let node_split = if left_child < 0 {
                None
            } else {
                let feature = count_of(
                    int_at(feature, i, what, "featureIndex")?,
                    what,
                    "featureIndex",
                )?;
                let values = doubles_at(categories, i, what, "leftCategoriesOrThreshold")?;
                let n = int_at(num_categories, i, what, "numCategories")?;
                Some(if n < 0 {
                    let [threshold] = values[..] else {
                        return Err(import_error(format!(
                            "a continuous split of {what} has {} thresholds where Spark writes one",
                            values.len()
                        )));
                    };
                    Split::Continuous { feature, threshold }
                } else {
                    let num_categories = count_of(n, what, "numCategories")?;
                    let left_categories = values
                        .iter()
                        .map(|&c| {
                            (c >= 0.0 && c.fract() == 0.0 && (c as usize) < num_categories)
                                .then_some(c as usize)
                                .ok_or_else(|| {
                                    import_error(format!(
                                        "a categorical split of {what} names category {c} of {num_categories}"
                                    ))
                                })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    Split::Categorical {
                        feature,
                        left_categories,
                        num_categories,
                    }
                })
            };
            out.push(NodeRow {
                node: TreeNode {
                    prediction: double_at(prediction, i, what, "prediction")?,
                    impurity: double_at(impurity, i, what, "impurity")?,
                    stats: doubles_at(stats, i, what, "impurityStats")?,
                    raw_count: int_at(raw_count, i, what, "rawCount")? as f64,
                    gain: if node_split.is_some() {
                        double_at(gain, i, what, "gain")?
                    } else {
                        0.0
                    },
                    split: node_split,
                    left: 0,
                    right: 0,
                },
                left: left_child,
                right: right_child,
            });
        }
    }
    Ok(out)
}

/// One tree's nodes in pre-order from `(id, (node, left id, right id))` rows: ids must be
/// 0..n and each child's id larger than its parent's (Spark numbers nodes in pre-order),
/// which also rules out cycles.
fn tree_of(mut nodes: Vec<(i64, NodeRow)>, what: &str) -> Result<Vec<TreeNode>> {
    nodes.sort_by_key(|(id, _)| *id);
    let n = nodes.len();
    if n == 0 {
        return Err(import_error(format!("{what} has a tree without nodes")));
    }
    let bad = |why: &str| import_error(format!("a tree of {what} is damaged: {why}"));
    let mut out = Vec::with_capacity(n);
    for (k, (id, row)) in nodes.into_iter().enumerate() {
        let NodeRow {
            mut node,
            left,
            right,
        } = row;
        if id != k as i64 {
            return Err(bad("its node ids are not 0, 1, 2, …"));
        }
        if node.split.is_some() {
            let child = |c: i64| {
                usize::try_from(c)
                    .ok()
                    .filter(|&c| c > k && c < n)
                    .ok_or_else(|| bad("a node's child is not a later node of the tree"))
            };
            node.left = child(left)?;
            node.right = child(right)?;
        }
        out.push(node);
    }
    Ok(out)
}

/// A forest's or GBT's `data/`: `treeID` and `nodeData` per row.
fn ensemble(rows: &Rows) -> Result<SparkStageData> {
    let what = rows.what;
    let tree_ids = rows.each("treeID", |a, i| int_at(a, i, what, "treeID"))?;
    let ids = rows.each("nodeData", |a, i| {
        let s = struct_of(a, what, "nodeData")?;
        int_at(field(s, what, "nodeData", "id")?, i, what, "id")
    })?;
    let nodes = node_rows(rows, "nodeData", ids.len())?;
    let count = tree_ids.iter().copied().max().map_or(0, |m| m + 1);
    let count = count_of(count, what, "treeID")?;
    if tree_ids.iter().any(|&t| t < 0) {
        return Err(import_error(format!("{what} has a negative treeID")));
    }
    let mut trees: Vec<Vec<(i64, NodeRow)>> = (0..count).map(|_| Vec::new()).collect();
    for ((tree, id), node) in tree_ids.into_iter().zip(ids).zip(nodes) {
        trees[tree as usize].push((id, node));
    }
    Ok(SparkStageData::TreeEnsemble {
        trees: trees
            .into_iter()
            .map(|t| tree_of(t, what))
            .collect::<Result<_>>()?,
    })
}

/// `treesMetadata/`: `_1` the tree's index, `_2` its metadata line, `_3` its weight.
fn trees_metadata(rows: &Rows) -> Result<SparkStageData> {
    let what = rows.what;
    let index = rows.each("_1", |a, i| int_at(a, i, what, "_1"))?;
    let metadata = rows.each("_2", |a, i| {
        let s = a
            .as_string_opt::<i32>()
            .ok_or_else(|| wrong_type(what, "_2", a.data_type()))?;
        Ok(if s.is_valid(i) {
            s.value(i).to_string()
        } else {
            String::new()
        })
    })?;
    let weights = rows.each("_3", |a, i| double_at(a, i, what, "_3"))?;
    let mut trees: Vec<(i64, String, f64)> = index
        .into_iter()
        .zip(metadata)
        .zip(weights)
        .map(|((i, m), w)| (i, m, w))
        .collect();
    trees.sort_by_key(|t| t.0);
    if trees.iter().enumerate().any(|(k, t)| t.0 != k as i64) {
        return Err(import_error(format!(
            "the trees' metadata of {what} does not number its trees 0, 1, 2, …"
        )));
    }
    Ok(SparkStageData::TreesMetadata {
        metadata: trees.iter().map(|t| t.1.clone()).collect(),
        weights: trees.iter().map(|t| t.2).collect(),
    })
}
