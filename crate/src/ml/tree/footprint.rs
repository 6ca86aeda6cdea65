//! What a tree learner keeps per training row while it fits, so a training job can be
//! sized before it reads a row (the tuning's memory plan): the binned rows, and each
//! learner's own per-row state. Checked against `cargo bench --bench tree_memory`
//! (BENCHMARKS.md, "Memory at 10M rows × 20 features"): at 9.1M training rows of 20
//! features a forest of 20 trees took 0.77 GB besides its table (this estimate: 0.80 GB
//! on two threads), GBT 0.94 GB (estimate: 0.96 GB).

use rayon::current_num_threads;

/// Bytes per training row of the binned rows ([`super::binning::BinnedPart`]): one bin
/// code per feature (two above 256 bins), the label, the weight and the row's number.
fn binned_row(features: usize, max_bins: usize) -> usize {
    let code = if max_bins > 256 { 2 } else { 1 };
    features * code + 3 * 8
}

/// Bytes per row of one tree growing: a level's row lists (the level's, the chunks' as
/// they are split, the next level's: 4 bytes a row each) and the allocator's slack
/// around them.
const GROWING_ROW: usize = 4 * 4;

/// Bytes per row of a forest's tree besides its growing: its bootstrap counts.
const BAGGED_ROW: usize = 2;

/// Bytes per row of boosting: the labels mapped to ±1, the predictions and the
/// pseudo-residuals (8 bytes each), each row's leaf (4), and the evaluation's scores
/// that follow the fits (8).
const BOOSTED_ROW: usize = 4 * 8 + 4;

/// Bytes a decision tree takes while it fits on `rows` rows of `features` features.
pub fn decision_tree_bytes(rows: usize, features: usize, max_bins: usize) -> usize {
    rows.saturating_mul(binned_row(features, max_bins) + GROWING_ROW)
}

/// Bytes a forest of `trees` trees takes while it fits: the trees grow in parallel, one
/// per thread at most at a time.
pub fn forest_bytes(rows: usize, features: usize, max_bins: usize, trees: usize) -> usize {
    let growing = trees.min(current_num_threads()).max(1);
    rows.saturating_mul(binned_row(features, max_bins) + growing * (GROWING_ROW + BAGGED_ROW))
}

/// Bytes GBT takes while it fits (its trees grow one after another).
pub fn gbt_bytes(rows: usize, features: usize, max_bins: usize) -> usize {
    rows.saturating_mul(binned_row(features, max_bins) + GROWING_ROW + BOOSTED_ROW)
}
