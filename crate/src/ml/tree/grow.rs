//! Growing one tree level by level (Spark's `RandomForest.runBagged` loop for one tree):
//! the nodes of a level are split together from one histogram pass over the rows, each
//! row carrying the slot of the node it is in.
//!
//! A node's histogram is built from its rows only when needed: of two sibling nodes the
//! one with fewer rows is built and the other is its parent's histogram minus it (when
//! every node sees every feature; with a forest's feature subsets each node is built for
//! its own features). Spark decides a split with the same rules, so the tree is the same
//! up to the rounding of the sums: none for class counts, and none for a regression tree
//! on rows that fit one chunk of a histogram pass, whose histograms are all built from the
//! rows in row order as Spark's are on one partition (beyond that Spark's own sums depend
//! on its partitioning, and the subtraction's speed wins).
//!
//! At the end the tree is pruned as Spark prunes it: an internal node whose two children
//! are leaves with the same prediction becomes a leaf.
//!
//! GBT asks for each training row's leaf too ([`grow_with_leaves`]): the rows are moved
//! into their leaves as they were moved down the levels, so boosting updates its
//! predictions without walking the tree again.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::Result;
use crate::job::JobContext;
use crate::random::{bits, mix, Stream};

use super::binning::{BinnedData, FeatureBins};
use super::histogram::{self, BuildPlan, RowInputs, Transition, CHUNK_ROWS, LEAF, NO_NODE};
use super::impurity::{difference, Stats, EPSILON};
use super::model::{DecisionTreeModel, Split, TreeNode};
use super::node_rows::NodeRows;
use super::params::TreeParams;
use super::split::{best_split, Limits, Rule};

/// How one tree is grown.
#[derive(Clone, Copy)]
pub struct GrowOptions<'a> {
    pub stats: Stats,
    pub params: &'a TreeParams,
    /// Features each node may split on: all of them, or a random subset of this size.
    pub features_per_node: usize,
    /// The seed and tree number the node feature subsets are drawn from.
    pub feature_seed: (u64, u64),
}

/// A node while the tree grows.
struct LearnNode {
    depth: usize,
    parent: Option<usize>,
    /// The statistics and impurity its parent's split computed (the root's come from its
    /// own split search).
    stats: Vec<f64>,
    impurity: f64,
    /// False when it was searched and no split was valid.
    valid: bool,
    split: Option<(usize, Rule)>,
    gain: f64,
    children: Option<(usize, usize)>,
}

/// Each training row's leaf in a grown tree.
pub struct Leaves {
    /// Per partition, each row's `LEAF | node` ([`NO_NODE`] for a row never drawn).
    pub of_row: Vec<Vec<u32>>,
    /// Each node's prediction, by node number.
    pub prediction: Vec<f64>,
}

impl Leaves {
    /// The prediction of the leaf `tag` names (`tag` from [`Leaves::of_row`], not
    /// [`NO_NODE`]).
    #[inline]
    pub fn prediction_of(&self, tag: u32) -> f64 {
        self.prediction[(tag & !LEAF) as usize]
    }
}

/// Grows one tree on `data`, fitted to `targets` (the binned labels when `None`), each
/// row counted `counts` times (once when `None`).
pub fn grow(
    data: &BinnedData,
    targets: Option<&[Vec<f64>]>,
    counts: Option<&[Vec<u16>]>,
    options: &GrowOptions,
    ctx: &JobContext,
) -> Result<DecisionTreeModel> {
    Ok(grow_tree(data, targets, counts, options, false, ctx)?.0)
}

/// [`grow`], and the leaf each drawn row ends in.
pub fn grow_with_leaves(
    data: &BinnedData,
    targets: Option<&[Vec<f64>]>,
    counts: Option<&[Vec<u16>]>,
    options: &GrowOptions,
    ctx: &JobContext,
) -> Result<(DecisionTreeModel, Leaves)> {
    grow_tree(data, targets, counts, options, true, ctx)
}

fn grow_tree(
    data: &BinnedData,
    targets: Option<&[Vec<f64>]>,
    counts: Option<&[Vec<u16>]>,
    options: &GrowOptions,
    track_leaves: bool,
    ctx: &JobContext,
) -> Result<(DecisionTreeModel, Leaves)> {
    let stats = options.stats;
    let params = options.params;
    let binning = &data.binning;
    let num_features = data.num_features;
    let limits = Limits::new(params, binning.weighted_num_examples);
    let subsampling = options.features_per_node < num_features;
    let mut nodes = vec![LearnNode {
        depth: 0,
        parent: None,
        stats: Vec::new(),
        impurity: 0.0,
        valid: true,
        split: None,
        gain: 0.0,
        children: None,
    }];
    // The root's rows: those drawn at least once (a forest's bootstrap leaves about a
    // third out); each level's pass moves them into the nodes of the next.
    let mut rows = NodeRows::root(data, counts);
    // With leaves tracked, each row's leaf as rows reach them (a row never drawn: none).
    let mut leaf_of_row: Option<Vec<Vec<u32>>> =
        track_leaves.then(|| data.parts.iter().map(|p| vec![NO_NODE; p.len()]).collect());
    let mut frontier: Vec<usize> = vec![0];
    let mut previous_hists: HashMap<usize, Vec<f64>> = HashMap::new();
    let all_features: Vec<usize> = (0..num_features).collect();
    let total_rows: usize = data.parts.iter().map(|p| p.len()).sum();
    let subtract = !subsampling && (stats.is_classification() || total_rows > CHUNK_ROWS);
    // The level above's transitions, applied by the next histogram pass.
    let mut pending: Option<Vec<Transition>> = None;

    while !frontier.is_empty() {
        ctx.check()?;
        let slot_of: HashMap<usize, usize> =
            frontier.iter().enumerate().map(|(s, &n)| (n, s)).collect();
        let features: Vec<Vec<usize>> = frontier
            .iter()
            .map(|&n| {
                if subsampling {
                    node_features(
                        num_features,
                        options.features_per_node,
                        options.feature_seed,
                        n,
                    )
                } else {
                    all_features.clone()
                }
            })
            .collect();
        // Which histograms to build, which to derive as parent − sibling.
        let mut derive: Vec<Option<(usize, usize)>> = vec![None; frontier.len()];
        if subtract {
            for (slot, &n) in frontier.iter().enumerate() {
                let Some(parent) = nodes[n].parent else {
                    continue;
                };
                if !previous_hists.contains_key(&parent) {
                    continue;
                }
                let (l, r) = nodes[parent].children.expect("a parent has children");
                let sibling = if l == n { r } else { l };
                let Some(&sibling_slot) = slot_of.get(&sibling) else {
                    continue;
                };
                let mine = stats.raw_count(&nodes[n].stats);
                let theirs = stats.raw_count(&nodes[sibling].stats);
                // The larger one (the right one on a tie) is derived.
                if mine > theirs || (mine == theirs && n == r) {
                    derive[slot] = Some((parent, sibling_slot));
                }
            }
        }
        let mut build_slot = vec![NO_NODE; frontier.len()];
        let mut build_features = Vec::new();
        for slot in 0..frontier.len() {
            if derive[slot].is_none() {
                build_slot[slot] = build_features.len() as u32;
                build_features.push(features[slot].clone());
            }
        }
        let level = histogram::build(
            data,
            stats,
            &RowInputs { targets, counts },
            &rows,
            pending.as_deref(),
            frontier.len(),
            &BuildPlan {
                build_slot: &build_slot,
                features: &build_features,
            },
            leaf_of_row.as_deref_mut(),
            ctx,
        )?;
        rows = level.rows;
        let built = level.histograms;
        let mut built: Vec<Option<Vec<f64>>> = built.into_iter().map(Some).collect();
        let mut hists: Vec<Vec<f64>> = vec![Vec::new(); frontier.len()];
        for slot in 0..frontier.len() {
            if build_slot[slot] != NO_NODE {
                hists[slot] = built[build_slot[slot] as usize].take().unwrap_or_default();
            }
        }
        for slot in 0..frontier.len() {
            if let Some((parent, sibling_slot)) = derive[slot] {
                let parent_hist = &previous_hists[&parent];
                let mut h = vec![0.0; parent_hist.len()];
                difference(parent_hist, &hists[sibling_slot], &mut h);
                hists[slot] = h;
            }
        }
        previous_hists.clear();
        pending = None;
        let decisions: Vec<_> = frontier
            .par_iter()
            .enumerate()
            .map(|(slot, &n)| {
                let known = (n != 0).then(|| nodes[n].stats.as_slice());
                best_split(
                    &hists[slot],
                    known,
                    &features[slot],
                    binning,
                    stats,
                    &limits,
                )
            })
            .collect();

        let mut next = Vec::new();
        let mut transitions: Vec<Transition> = Vec::with_capacity(frontier.len());
        // A row reaching a leaf: tagged with it when leaves are tracked, else in no node.
        let leaf_tag = |id: usize| {
            if track_leaves {
                LEAF | id as u32
            } else {
                NO_NODE
            }
        };
        for (slot, (&n, decision)) in frontier.iter().zip(decisions).enumerate() {
            let depth = nodes[n].depth;
            nodes[n].stats = decision.stats;
            nodes[n].impurity = decision.impurity;
            nodes[n].valid = decision.valid;
            nodes[n].gain = decision.gain;
            let is_leaf = decision.gain <= 0.0 || depth == params.max_depth;
            let (false, Some((feature, rule))) = (is_leaf, decision.split) else {
                transitions.push(Transition::Leaf(leaf_tag(n)));
                continue;
            };
            let child_is_leaf = depth + 1 == params.max_depth;
            let left_leaf = child_is_leaf || decision.left_impurity.abs() < EPSILON;
            let right_leaf = child_is_leaf || decision.right_impurity.abs() < EPSILON;
            let mut child = |stats: Vec<f64>, impurity: f64| {
                nodes.push(LearnNode {
                    depth: depth + 1,
                    parent: Some(n),
                    stats,
                    impurity,
                    valid: true,
                    split: None,
                    gain: 0.0,
                    children: None,
                });
                nodes.len() - 1
            };
            let l = child(decision.left, decision.left_impurity);
            let r = child(decision.right, decision.right_impurity);
            nodes[n].children = Some((l, r));
            let mut enqueue = |leaf: bool, id: usize| {
                if leaf {
                    leaf_tag(id)
                } else {
                    next.push(id);
                    (next.len() - 1) as u32
                }
            };
            let left_slot = enqueue(left_leaf, l);
            let right_slot = enqueue(right_leaf, r);
            let go_left = go_left(&binning.features[feature], &rule);
            nodes[n].split = Some((feature, rule));
            if !left_leaf && !right_leaf && subtract {
                previous_hists.insert(n, std::mem::take(&mut hists[slot]));
            }
            transitions.push(Transition::Split {
                feature,
                go_left,
                left: left_slot,
                right: right_slot,
            });
        }
        if !next.is_empty() {
            pending = Some(transitions);
        } else if let Some(leaf_of_row) = leaf_of_row.as_deref_mut() {
            // The last level's rows move only to find their leaves.
            histogram::build(
                data,
                stats,
                &RowInputs { targets, counts },
                &rows,
                Some(&transitions),
                0,
                &BuildPlan {
                    build_slot: &[],
                    features: &[],
                },
                Some(leaf_of_row),
                ctx,
            )?;
        }
        frontier = next;
    }
    // Without `track_leaves` there are no rows' leaves: [`grow`] drops them.
    let leaves = Leaves {
        of_row: leaf_of_row.unwrap_or_default(),
        prediction: nodes.iter().map(|n| stats.predict(&n.stats)).collect(),
    };
    Ok((to_model(&nodes, data, stats), leaves))
}

/// `k` distinct features out of `n` for node `node` (a partial Fisher–Yates shuffle of
/// the node's own random stream), ascending.
fn node_features(n: usize, k: usize, (seed, tree): (u64, u64), node: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    let mut state = bits(seed ^ mix(tree), Stream::ForestFeatures, node as u64);
    for i in 0..k.min(n) {
        state = mix(state);
        let j = i + (state % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    let mut chosen = all[..k.min(n)].to_vec();
    chosen.sort_unstable();
    chosen
}

fn go_left(bins: &FeatureBins, rule: &Rule) -> Vec<bool> {
    let nb = bins.num_bins();
    match rule {
        Rule::Threshold { bin } => (0..nb).map(|b| b <= *bin).collect(),
        Rule::Categories { left } => {
            let mut go = vec![false; nb];
            for &c in left {
                go[c] = true;
            }
            go
        }
    }
}

/// A node of the pruned tree before it is laid out in pre-order.
enum Built {
    Leaf(TreeNode),
    Internal(TreeNode, Box<Built>, Box<Built>),
}

/// A fitted-tree node from a learning node.
fn tree_node(
    n: &LearnNode,
    stats: Stats,
    prediction: f64,
    impurity: f64,
    split: Option<Split>,
) -> TreeNode {
    TreeNode {
        prediction,
        impurity,
        stats: n.stats[..stats.width() - 1].to_vec(),
        raw_count: stats.raw_count(&n.stats),
        gain: if split.is_some() { n.gain } else { 0.0 },
        split,
        left: 0,
        right: 0,
    }
}

/// The pruned subtree of learning node `i`.
fn build(nodes: &[LearnNode], i: usize, data: &BinnedData, stats: Stats) -> Built {
    let n = &nodes[i];
    match (n.children, &n.split) {
        (Some((l, r)), Some((feature, rule))) => {
            let left = build(nodes, l, data, stats);
            let right = build(nodes, r, data, stats);
            if let (Built::Leaf(a), Built::Leaf(b)) = (&left, &right) {
                if a.prediction == b.prediction {
                    return Built::Leaf(tree_node(n, stats, a.prediction, n.impurity, None));
                }
            }
            let bins = &data.binning.features[*feature];
            let split = match (rule, bins) {
                (Rule::Threshold { bin }, FeatureBins::Continuous { thresholds }) => {
                    Split::Continuous {
                        feature: *feature,
                        threshold: thresholds[*bin],
                    }
                }
                (Rule::Categories { left }, _) => Split::Categorical {
                    feature: *feature,
                    left_categories: left.clone(),
                    num_categories: bins.num_bins(),
                },
                (Rule::Threshold { bin }, _) => Split::Categorical {
                    feature: *feature,
                    left_categories: (0..=*bin).collect(),
                    num_categories: bins.num_bins(),
                },
            };
            let node = tree_node(n, stats, stats.predict(&n.stats), n.impurity, Some(split));
            Built::Internal(node, Box::new(left), Box::new(right))
        }
        _ => {
            let impurity = if n.valid { n.impurity } else { -1.0 };
            Built::Leaf(tree_node(n, stats, stats.predict(&n.stats), impurity, None))
        }
    }
}

/// Lays a pruned subtree out in pre-order; returns its root's index.
fn lay_out(built: Built, out: &mut Vec<TreeNode>) -> usize {
    let at = out.len();
    match built {
        Built::Leaf(n) => out.push(n),
        Built::Internal(n, l, r) => {
            out.push(n);
            let li = lay_out(*l, out);
            let ri = lay_out(*r, out);
            out[at].left = li;
            out[at].right = ri;
        }
    }
    at
}

fn to_model(nodes: &[LearnNode], data: &BinnedData, stats: Stats) -> DecisionTreeModel {
    let mut out = Vec::new();
    lay_out(build(nodes, 0, data, stats), &mut out);
    DecisionTreeModel {
        nodes: out,
        num_features: data.num_features,
        num_classes: stats.num_classes,
    }
}

#[cfg(test)]
mod tests {
    use super::node_features;

    #[test]
    fn node_features_are_distinct_and_reproducible() {
        let a = node_features(11, 4, (42, 3), 7);
        assert_eq!(a.len(), 4);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, node_features(11, 4, (42, 3), 7));
        assert_eq!(node_features(5, 5, (1, 0), 1), vec![0, 1, 2, 3, 4]);
    }
}
