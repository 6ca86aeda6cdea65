//! A fitted decision tree as Spark's `DecisionTree{Classification,Regression}Model` holds
//! it: nodes with their split, prediction, impurity, gain and label statistics; prediction
//! of rows, feature importances and `toDebugString`.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};

use super::impurity::{argmax, sum_in_order};
use crate::frame::jvm::java_double;

/// How an internal node sends a row left (Spark's `ContinuousSplit` / `CategoricalSplit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Split {
    /// `value <= threshold` goes left.
    Continuous { feature: usize, threshold: f64 },
    /// A category in `left_categories` (ascending) goes left.
    #[serde(rename_all = "camelCase")]
    Categorical {
        feature: usize,
        left_categories: Vec<usize>,
        num_categories: usize,
    },
}

impl Split {
    pub fn feature(&self) -> usize {
        match self {
            Split::Continuous { feature, .. } | Split::Categorical { feature, .. } => *feature,
        }
    }

    /// Spark's `shouldGoLeft`. A category outside the training categories goes the way
    /// Spark sends it: Spark keeps the smaller side's set (the left one when it has at
    /// most half of the categories) and sends values not in it to the other side.
    #[inline]
    pub fn goes_left(&self, features: &[f64]) -> bool {
        match self {
            // A row too short for the model reads NaN (and goes right) rather than panic;
            // the checked entry points refuse such rows first.
            Split::Continuous { feature, threshold } => {
                features.get(*feature).is_some_and(|v| v <= threshold)
            }
            Split::Categorical {
                feature,
                left_categories,
                num_categories,
            } => {
                let v = features.get(*feature).copied().unwrap_or(f64::NAN);
                let known = v >= 0.0 && v < *num_categories as f64 && v.fract() == 0.0;
                if known {
                    left_categories.binary_search(&(v as usize)).is_ok()
                } else {
                    // Spark's isLeft: the stored set is the left one iff it is small.
                    let stores_left = left_categories.len() <= num_categories / 2;
                    !stores_left
                }
            }
        }
    }
}

/// One node of a fitted tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TreeNode {
    pub prediction: f64,
    /// Spark reports −1 for a leaf where no split was valid.
    pub impurity: f64,
    /// Weighted class counts (classification) or [weight, Σw·y, Σw·y²] (regression).
    pub stats: Vec<f64>,
    /// Rows in the node (bootstrap counts included).
    pub raw_count: f64,
    /// Internal nodes: the split, its gain and the children's indices.
    pub split: Option<Split>,
    pub gain: f64,
    pub left: usize,
    pub right: usize,
}

impl TreeNode {
    pub fn is_leaf(&self) -> bool {
        self.split.is_none()
    }
}

/// A fitted decision tree: nodes in pre-order, the root first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTreeModel {
    pub nodes: Vec<TreeNode>,
    pub num_features: usize,
    /// Classes of a classifier; 0 for a regression tree.
    pub num_classes: usize,
}

impl DecisionTreeModel {
    /// The weighted number of rows of a node (Spark's `impurityStats.count`).
    pub fn node_count(&self, node: &TreeNode) -> f64 {
        if self.num_classes > 0 {
            sum_in_order(&node.stats)
        } else {
            node.stats[0]
        }
    }

    /// The leaf a row falls in.
    #[inline]
    pub fn leaf(&self, features: &[f64]) -> &TreeNode {
        let mut node = &self.nodes[0];
        while let Some(split) = &node.split {
            node = &self.nodes[if split.goes_left(features) {
                node.left
            } else {
                node.right
            }];
        }
        node
    }

    /// The tree's prediction for a row (a class index, or a number).
    #[inline]
    pub fn predict(&self, features: &[f64]) -> f64 {
        self.leaf(features).prediction
    }

    /// A classifier's `rawPrediction` for a row: the leaf's weighted class counts.
    pub fn raw_prediction(&self, features: &[f64]) -> Vec<f64> {
        self.leaf(features).stats.clone()
    }

    /// Predictions for row-major rows of `width` values, features first (a partition's
    /// assembled rows), in parallel over blocks of rows.
    pub fn predict_rows(&self, values: &[f64], width: usize) -> Result<Vec<f64>> {
        check_rows(values, width, self.num_features)?;
        Ok(values
            .par_chunks(width * 4096)
            .flat_map_iter(|block| block.chunks_exact(width).map(|row| self.predict(row)))
            .collect())
    }

    /// Depth of the deepest leaf (0 for a lone root).
    pub fn depth(&self) -> usize {
        fn depth(m: &DecisionTreeModel, i: usize) -> usize {
            let n = &m.nodes[i];
            if n.is_leaf() {
                0
            } else {
                1 + depth(m, n.left).max(depth(m, n.right))
            }
        }
        depth(self, 0)
    }

    /// Sum over the internal nodes of gain × weighted count, per feature (Spark's
    /// `computeFeatureImportance`, in pre-order).
    pub fn raw_importances(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.num_features];
        for node in &self.nodes {
            if let Some(split) = &node.split {
                out[split.feature()] += node.gain * self.node_count(node);
            }
        }
        out
    }

    /// Spark's `featureImportances` of a single tree (normalised to sum 1).
    pub fn feature_importances(&self) -> Vec<f64> {
        ensemble_importances(std::slice::from_ref(self), self.num_features, true)
    }

    /// Spark's `rootNode.subtreeToString(indent)`.
    pub fn subtree_string(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write_node(0, indent, &mut out);
        out
    }

    fn write_node(&self, i: usize, indent: usize, out: &mut String) {
        let node = &self.nodes[i];
        let prefix = " ".repeat(indent);
        match &node.split {
            None => {
                out.push_str(&format!(
                    "{prefix}Predict: {}\n",
                    java_double(node.prediction)
                ));
            }
            Some(split) => {
                out.push_str(&format!("{prefix}If ({})\n", split_string(split, true)));
                self.write_node(node.left, indent + 1, out);
                out.push_str(&format!("{prefix}Else ({})\n", split_string(split, false)));
                self.write_node(node.right, indent + 1, out);
            }
        }
    }

    /// Spark's `toDebugString` for a model with this `uid`.
    pub fn debug_string(&self, uid: &str) -> String {
        let header = if self.num_classes > 0 {
            format!(
                "DecisionTreeClassificationModel: uid={uid}, depth={}, numNodes={}, numClasses={}, numFeatures={}",
                self.depth(),
                self.nodes.len(),
                self.num_classes,
                self.num_features
            )
        } else {
            format!(
                "DecisionTreeRegressionModel: uid={uid}, depth={}, numNodes={}, numFeatures={}",
                self.depth(),
                self.nodes.len(),
                self.num_features
            )
        };
        format!("{header}\n{}", self.subtree_string(2))
    }
}

fn split_string(split: &Split, left: bool) -> String {
    match split {
        Split::Continuous { feature, threshold } => {
            let op = if left { "<=" } else { ">" };
            format!("feature {feature} {op} {}", java_double(*threshold))
        }
        Split::Categorical {
            feature,
            left_categories,
            ..
        } => {
            let set: Vec<String> = left_categories
                .iter()
                .map(|c| java_double(*c as f64))
                .collect();
            let op = if left { "in" } else { "not in" };
            format!("feature {feature} {op} {{{}}}", set.join(","))
        }
    }
}

/// Spark's `toDebugString` of a tree ensemble: its `header` line, then each tree with its
/// weight (`Tree i (weight w):`) and its nodes.
pub fn ensemble_debug_string(header: &str, trees: &[DecisionTreeModel], weights: &[f64]) -> String {
    let mut out = format!("{header}\n");
    for (i, (tree, weight)) in trees.iter().zip(weights).enumerate() {
        out.push_str(&format!("  Tree {i} (weight {}):\n", java_double(*weight)));
        out.push_str(&tree.subtree_string(4));
    }
    out
}

/// Spark's `TreeEnsembleModel.featureImportances`: each tree's importances (normalised to
/// sum 1 when `per_tree_normalization`, as forests and single trees do; GBT does not),
/// summed over trees, then normalised to sum 1.
pub fn ensemble_importances(
    trees: &[DecisionTreeModel],
    num_features: usize,
    per_tree_normalization: bool,
) -> Vec<f64> {
    let mut total = vec![0.0; num_features];
    for tree in trees {
        let raw = tree.raw_importances();
        let norm = if per_tree_normalization {
            raw.iter().sum()
        } else {
            1.0
        };
        if norm != 0.0 {
            for (t, r) in total.iter_mut().zip(&raw) {
                *t += r / norm;
            }
        }
    }
    let sum: f64 = total.iter().sum();
    if sum != 0.0 {
        for t in &mut total {
            *t /= sum;
        }
    }
    total
}

/// A probability vector from class counts (Spark's `normalizeToProbabilitiesInPlace`).
pub fn normalized(counts: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; counts.len()];
    normalize_into(counts, &mut out);
    out
}

/// [`normalized`] written into `out` (as long as `counts`), allocating nothing.
pub fn normalize_into(counts: &[f64], out: &mut [f64]) {
    let sum = sum_in_order(counts);
    for (o, c) in out.iter_mut().zip(counts) {
        *o = if sum == 0.0 { *c } else { c / sum };
    }
}

/// The class a raw prediction votes for (the first largest).
pub fn raw_to_class(raw: &[f64]) -> f64 {
    argmax(raw) as f64
}

impl DecisionTreeModel {
    /// A classifier's `probability` for a row: the leaf's class counts normalised.
    pub fn probability(&self, features: &[f64]) -> Vec<f64> {
        normalized(&self.leaf(features).stats)
    }
}

/// Refuses rows that do not hold the model's features.
pub fn check_rows(values: &[f64], width: usize, num_features: usize) -> Result<()> {
    if width < num_features || width == 0 || !values.len().is_multiple_of(width) {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "the model needs rows of {num_features} features, the rows given have {width} \
                 values each"
            ),
        ));
    }
    Ok(())
}
