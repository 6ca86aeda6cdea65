//! Tree models' data as Spark stores it: one row per node (`NodeData`: id, prediction,
//! impurity, impurityStats, rawCount, gain, children, split), with Spark's conventions for
//! leaves (children −1, gain −1, a split of feature −1), and for ensembles a `treeID`
//! beside each node plus a `treesMetadata/` file (each tree's metadata line and weight).

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int32Builder, Int64Builder, ListBuilder};
use arrow_array::{ArrayRef, Float64Array, Int32Array, StringArray, StructArray};
use arrow_schema::{DataType, Field, Fields};

use crate::error::{Error, ErrorCode, Result};
use crate::ml::sparkml::columns::spark_int;
use crate::ml::sparkml::schema::{node_fields, SparkField, SparkType};
use crate::ml::tree::{Split, TreeNode};

/// Spark's value for "none" in a node row: a leaf's children, its split's feature.
const NONE: i32 = -1;

fn doubles_list() -> ListBuilder<Float64Builder> {
    ListBuilder::new(Float64Builder::new()).with_field(Arc::new(Field::new(
        "element",
        DataType::Float64,
        false,
    )))
}

fn fields_of(fields: &[SparkField]) -> Fields {
    Fields::from(fields.iter().map(SparkField::arrow).collect::<Vec<_>>())
}

/// A child index as Spark's `int`, checked to be a node of the tree.
fn child(index: usize, nodes: usize) -> Result<i32> {
    if index >= nodes {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("a tree node points at node {index} of a tree of {nodes} nodes"),
        ));
    }
    spark_int(index, "a tree node's index")
}

/// The nine node columns of the trees' nodes, tree after tree; each node's id and
/// children are its index within its own tree (Brasa keeps nodes in pre-order, as Spark
/// numbers them).
pub fn node_columns(trees: &[&[TreeNode]]) -> Result<Vec<ArrayRef>> {
    let n: usize = trees.iter().map(|t| t.len()).sum();
    let mut id = Int32Builder::with_capacity(n);
    let mut prediction = Float64Builder::with_capacity(n);
    let mut impurity = Float64Builder::with_capacity(n);
    let mut stats = doubles_list();
    let mut raw_count = Int64Builder::with_capacity(n);
    let mut gain = Float64Builder::with_capacity(n);
    let mut left = Int32Builder::with_capacity(n);
    let mut right = Int32Builder::with_capacity(n);
    let mut feature = Int32Builder::with_capacity(n);
    let mut categories = doubles_list();
    let mut num_categories = Int32Builder::with_capacity(n);
    for nodes in trees {
        for (i, node) in nodes.iter().enumerate() {
            id.append_value(spark_int(i, "a tree node's index")?);
            prediction.append_value(node.prediction);
            impurity.append_value(node.impurity);
            stats.values().append_slice(&node.stats);
            stats.append(true);
            raw_count.append_value(node.raw_count.round() as i64);
            match &node.split {
                None => {
                    gain.append_value(-1.0);
                    left.append_value(NONE);
                    right.append_value(NONE);
                    feature.append_value(NONE);
                    categories.append(true);
                    num_categories.append_value(NONE);
                }
                Some(split) => {
                    gain.append_value(node.gain);
                    left.append_value(child(node.left, nodes.len())?);
                    right.append_value(child(node.right, nodes.len())?);
                    feature.append_value(spark_int(split.feature(), "a feature index")?);
                    match split {
                        Split::Continuous { threshold, .. } => {
                            categories.values().append_value(*threshold);
                            num_categories.append_value(NONE);
                        }
                        Split::Categorical {
                            left_categories,
                            num_categories: count,
                            ..
                        } => {
                            for &c in left_categories {
                                categories.values().append_value(c as f64);
                            }
                            num_categories.append_value(spark_int(*count, "a category count")?);
                        }
                    }
                    categories.append(true);
                }
            }
        }
    }
    let fields = node_fields();
    let split_fields = match &fields[8].kind {
        SparkType::Struct(f) => fields_of(f),
        _ => return Err(Error::internal("tree node schema", "split is not a struct")),
    };
    let split = StructArray::try_new(
        split_fields,
        vec![
            Arc::new(feature.finish()) as ArrayRef,
            Arc::new(categories.finish()),
            Arc::new(num_categories.finish()),
        ],
        None,
    )
    .map_err(|e| Error::internal("building tree splits", e))?;
    Ok(vec![
        Arc::new(id.finish()),
        Arc::new(prediction.finish()),
        Arc::new(impurity.finish()),
        Arc::new(stats.finish()),
        Arc::new(raw_count.finish()),
        Arc::new(gain.finish()),
        Arc::new(left.finish()),
        Arc::new(right.finish()),
        Arc::new(split),
    ])
}

/// An ensemble's `data/` columns: `treeID`, and `nodeData` (the node row as a struct).
pub fn ensemble_columns(trees: &[Vec<TreeNode>]) -> Result<(Vec<SparkField>, Vec<ArrayRef>)> {
    let mut tree_id = Int32Builder::new();
    for (t, nodes) in trees.iter().enumerate() {
        let t = spark_int(t, "the number of trees")?;
        for _ in nodes {
            tree_id.append_value(t);
        }
    }
    let slices: Vec<&[TreeNode]> = trees.iter().map(Vec::as_slice).collect();
    let nodes = StructArray::try_new(fields_of(&node_fields()), node_columns(&slices)?, None)
        .map_err(|e| Error::internal("building tree nodes", e))?;
    Ok((
        vec![
            SparkField::new("treeID", SparkType::Int, false),
            SparkField::new("nodeData", SparkType::Struct(node_fields()), true),
        ],
        vec![Arc::new(tree_id.finish()), Arc::new(nodes)],
    ))
}

/// An ensemble's `treesMetadata/` columns: `_1` the tree's index, `_2` its metadata
/// line, `_3` its weight (Spark writes a tuple, hence the names).
pub fn trees_metadata_columns(
    metadata: &[String],
    weights: &[f64],
) -> Result<(Vec<SparkField>, Vec<ArrayRef>)> {
    if metadata.len() != weights.len() {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "{} trees' metadata but {} tree weights",
                metadata.len(),
                weights.len()
            ),
        ));
    }
    let ids = (0..metadata.len())
        .map(|i| spark_int(i, "the number of trees"))
        .collect::<Result<Vec<_>>>()?;
    Ok((
        vec![
            SparkField::new("_1", SparkType::Int, false),
            SparkField::new("_2", SparkType::String, true),
            SparkField::new("_3", SparkType::Double, false),
        ],
        vec![
            Arc::new(Int32Array::from(ids)),
            Arc::new(StringArray::from_iter_values(metadata)),
            Arc::new(Float64Array::from(weights.to_vec())),
        ],
    ))
}
