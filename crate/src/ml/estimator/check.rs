//! Whether a fitted model is whole before it scores: every length, index and child
//! pointer the predictors follow without checking (they index in hot loops). A model
//! trained here always is; one read from a JSON export or imported from a Spark
//! `PipelineModel` may not be, and scoring it must fail with a message, not a panic.

use crate::error::{Error, ErrorCode, Result};
use crate::ml::scale::StandardScalerModel;
use crate::ml::tree::{DecisionTreeModel, Split};

use super::TrainedModel;

fn broken(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::MlInput,
        format!("the model is damaged: {what}; train it again or import it again"),
    )
}

fn check_scaler(scaler: &StandardScalerModel, p: usize) -> Result<()> {
    if scaler.std.len() != p || (scaler.with_mean && scaler.mean.len() != p) {
        return Err(broken(format!(
            "its StandardScaler has {} standard deviations and {} means for {p} features",
            scaler.std.len(),
            scaler.mean.len()
        )));
    }
    Ok(())
}

/// Nodes in pre-order: every child after its parent and inside the tree (so a walk from
/// the root ends), splits on features the model reads, class counts of the right size.
fn check_tree(tree: &DecisionTreeModel, num_features: usize, classes: usize) -> Result<()> {
    let n = tree.nodes.len();
    if n == 0 {
        return Err(broken("a tree has no nodes"));
    }
    if tree.num_features != num_features {
        return Err(broken(format!(
            "a tree reads {} features where the model reads {num_features}",
            tree.num_features
        )));
    }
    for (i, node) in tree.nodes.iter().enumerate() {
        let stats = if classes > 0 { classes } else { 3 };
        if node.stats.len() != stats {
            return Err(broken(format!(
                "node {i} of a tree has {} statistics where {stats} are expected",
                node.stats.len()
            )));
        }
        let Some(split) = &node.split else { continue };
        if !(i < node.left && node.left < n && i < node.right && node.right < n) {
            return Err(broken(format!(
                "node {i} of a tree points outside the tree"
            )));
        }
        if split.feature() >= num_features {
            return Err(broken(format!(
                "node {i} of a tree splits on feature {} of {num_features}",
                split.feature()
            )));
        }
        if let Split::Categorical {
            left_categories, ..
        } = split
        {
            if left_categories.windows(2).any(|w| w[0] >= w[1]) {
                return Err(broken(format!(
                    "node {i} of a tree lists its categories out of order"
                )));
            }
        }
    }
    Ok(())
}

impl TrainedModel {
    /// Checks that the model is whole (see the module's doc).
    pub fn check(&self) -> Result<()> {
        let p = self.num_features();
        if let Some(scaler) = self.scaler() {
            check_scaler(scaler, p)?;
        }
        if let Some(thresholds) = self.thresholds() {
            if thresholds.len() != self.num_classes() {
                return Err(broken(format!(
                    "it has {} thresholds for {} classes",
                    thresholds.len(),
                    self.num_classes()
                )));
            }
        }
        match self {
            TrainedModel::LinearRegression { .. } => Ok(()),
            TrainedModel::LogisticRegression { model, .. } => {
                let sets = if model.is_multinomial {
                    model.num_classes
                } else {
                    1
                };
                if (!model.is_multinomial && model.num_classes > 2)
                    || model.coefficient_matrix.len() != sets
                    || model.intercept_vector.len() != sets
                    || model.coefficient_matrix.iter().any(|r| r.len() != p)
                {
                    return Err(broken(format!(
                        "its coefficients do not fit {} classes and {p} features",
                        model.num_classes
                    )));
                }
                Ok(())
            }
            TrainedModel::KMeans { model, .. } => {
                if model.cluster_centers.is_empty()
                    || model.cluster_centers.iter().any(|c| c.len() != p)
                {
                    return Err(broken("its cluster centres differ in length"));
                }
                Ok(())
            }
            TrainedModel::DecisionTree { model, .. } => check_tree(model, p, model.num_classes),
            TrainedModel::RandomForest { model, .. } => {
                if model.trees.is_empty() {
                    return Err(broken("the forest has no trees"));
                }
                for tree in &model.trees {
                    check_tree(tree, p, model.num_classes)?;
                }
                Ok(())
            }
            TrainedModel::Gbt { model, .. } => {
                if model.trees.is_empty() || model.tree_weights.len() != model.trees.len() {
                    return Err(broken(format!(
                        "{} trees with {} weights",
                        model.trees.len(),
                        model.tree_weights.len()
                    )));
                }
                for tree in &model.trees {
                    check_tree(tree, p, 0)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::linear::LinearModel;
    use crate::ml::logistic::LogisticRegressionModel;
    use crate::ml::tree::TreeNode;

    fn node(split: Option<Split>, left: usize, right: usize) -> TreeNode {
        TreeNode {
            prediction: 1.0,
            impurity: 0.0,
            stats: vec![1.0, 1.0, 1.0],
            raw_count: 1.0,
            split,
            gain: 0.0,
            left,
            right,
        }
    }

    fn tree(nodes: Vec<TreeNode>) -> TrainedModel {
        TrainedModel::DecisionTree {
            scaler: None,
            model: DecisionTreeModel {
                nodes,
                num_features: 2,
                num_classes: 0,
            },
            thresholds: None,
        }
    }

    #[test]
    fn a_whole_model_passes() {
        let split = Some(Split::Continuous {
            feature: 1,
            threshold: 0.5,
        });
        let whole = tree(vec![node(split, 1, 2), node(None, 0, 0), node(None, 0, 0)]);
        assert!(whole.check().is_ok());
        let linear = TrainedModel::LinearRegression {
            scaler: Some(StandardScalerModel {
                with_mean: false,
                with_std: true,
                mean: vec![],
                std: vec![1.0, 2.0],
            }),
            model: LinearModel {
                coefficients: vec![1.0, 2.0],
                intercept: 0.0,
            },
        };
        assert!(linear.check().is_ok(), "withMean off needs no means");
    }

    #[test]
    fn damaged_models_are_refused() {
        let split = |feature| {
            Some(Split::Continuous {
                feature,
                threshold: 0.5,
            })
        };
        let damaged = [
            tree(vec![node(split(0), 0, 0)]),
            tree(vec![node(split(0), 1, 5), node(None, 0, 0)]),
            tree(vec![
                node(split(9), 1, 2),
                node(None, 0, 0),
                node(None, 0, 0),
            ]),
            tree(vec![]),
            TrainedModel::DecisionTree {
                scaler: None,
                model: DecisionTreeModel {
                    nodes: vec![node(None, 0, 0)],
                    num_features: 2,
                    num_classes: 3,
                },
                thresholds: Some(vec![0.5, 0.5]),
            },
            TrainedModel::LogisticRegression {
                scaler: None,
                model: LogisticRegressionModel {
                    num_classes: 3,
                    num_features: 2,
                    is_multinomial: true,
                    coefficient_matrix: vec![vec![1.0, 2.0]],
                    intercept_vector: vec![0.0],
                    threshold: 0.5,
                    thresholds: None,
                    num_iterations: 0,
                    converged: true,
                },
            },
        ];
        for model in damaged {
            let err = model.check().unwrap_err();
            assert_eq!(err.code(), ErrorCode::MlInput, "{err}");
        }
    }
}
