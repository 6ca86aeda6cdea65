//! Per-node histograms of label statistics: for each node being split, each feature and
//! each bin, the [`Stats`] of the rows of the node that fall in the bin.
//!
//! One pass over the binned rows builds the histograms of every node of a level at once,
//! in parallel over fixed-size chunks of each partition; the chunks' histograms are then
//! added in chunk order, so the result does not depend on the number of threads. The hot
//! loop reads a row's bins and adds its statistics in place: no allocation per row. The
//! same pass first moves each row from its node of the level above to its child
//! ([`Transition`]), so the row's bins are read once per level.

use std::ops::Range;

use rayon::prelude::*;

use crate::error::Result;
use crate::job::JobContext;

use super::binning::{BinnedData, Codes};
use super::impurity::{add, Stats};

/// Rows per unit of parallel work: large enough that a unit's histograms (nodes × bins
/// × stats) cost little next to its rows, small enough to spread one big partition over
/// the threads.
pub const CHUNK_ROWS: usize = 1 << 16;

/// A row's node (its slot in the level's list of nodes being split), or none: a row
/// a forest's tree never drew, or (when the grower does not track leaves) one that has
/// reached a leaf.
pub const NO_NODE: u32 = u32::MAX;

/// The tag of a row that has reached a leaf, when the grower tracks leaves:
/// `LEAF | the leaf's node number`. Every value from `LEAF` up (and [`NO_NODE`]) is
/// outside the level being split.
pub const LEAF: u32 = 1 << 31;

/// What a histogram pass reads besides the binned rows.
pub struct RowInputs<'a> {
    /// Per partition, the label each row is fitted to (GBT's pseudo-residuals); the
    /// binned labels when `None`.
    pub targets: Option<&'a [Vec<f64>]>,
    /// Per partition, how many times each row is drawn (a forest's bootstrap); once when
    /// `None`.
    pub counts: Option<&'a [Vec<u16>]>,
    /// Per partition, the rows drawn at least once, ascending (a forest's bootstrap leaves
    /// a third of the rows out): the pass visits only these. Every row when `None`.
    pub drawn: Option<&'a [Vec<u32>]>,
}

/// Where the rows of a node of the level above go: into a leaf, or by the bin of the
/// split feature to the level's slots of its children (a leaf's tag for a leaf).
pub enum Transition {
    Leaf(u32),
    Split {
        feature: usize,
        go_left: Vec<bool>,
        left: u32,
        right: u32,
    },
}

impl Transition {
    /// The slot (or leaf tag) of a row with these bin codes.
    #[inline(always)]
    pub fn next<C: Code>(&self, row: &[C]) -> u32 {
        match self {
            Transition::Leaf(tag) => *tag,
            Transition::Split {
                feature,
                go_left,
                left,
                right,
            } => {
                // A select, not a branch: which way a row goes is as good as random.
                let mask = (go_left[row[*feature].index()] as u32).wrapping_neg();
                (*left & mask) | (*right & !mask)
            }
        }
    }
}

/// Each row's place in the level, and the moves that bring the rows there first.
pub struct RowNodes<'a> {
    /// Per partition, each row's slot in the level (from [`LEAF`] up: in no node of it);
    /// before the pass, its slot in the level above when there are `moves`.
    pub node_of_row: &'a mut [Vec<u32>],
    /// The level above's transitions by slot.
    pub moves: Option<&'a [Transition]>,
}

/// Which histograms to build: `build_slot[level slot]` is the histogram's index (or
/// [`NO_NODE`] for nodes not built by this pass), `features[histogram]` the features it
/// covers.
pub struct BuildPlan<'a> {
    pub build_slot: &'a [u32],
    pub features: &'a [Vec<usize>],
}

/// One node's histogram length (in `f64`).
pub fn node_len(data: &BinnedData, stats: Stats) -> usize {
    data.binning.total_bins * stats.width()
}

/// Builds the planned histograms, each `node_len` values laid out feature by feature
/// (at the binning's offsets), bin by bin, stat by stat.
pub fn build(
    data: &BinnedData,
    stats: Stats,
    inputs: &RowInputs,
    nodes: RowNodes,
    plan: &BuildPlan,
    ctx: &JobContext,
) -> Result<Vec<Vec<f64>>> {
    let len = node_len(data, stats);
    let built = plan.features.len();
    if built == 0 && nodes.moves.is_none() {
        return Ok(Vec::new());
    }
    let moves = nodes.moves;
    let units: Vec<(usize, Range<usize>, &mut [u32])> = nodes
        .node_of_row
        .iter_mut()
        .enumerate()
        .flat_map(|(p, slots)| {
            let n = slots.len();
            slots
                .chunks_mut(CHUNK_ROWS)
                .enumerate()
                .map(move |(c, slots)| (p, c * CHUNK_ROWS..((c + 1) * CHUNK_ROWS).min(n), slots))
        })
        .collect();
    let partials: Vec<Vec<f64>> = units
        .into_par_iter()
        .map(|(p, rows, node_of_row)| {
            ctx.check()?;
            let mut hist = vec![0.0; built * len];
            let part = &data.parts[p];
            let drawn = inputs.drawn.map(|d| {
                let d = d[p].as_slice();
                let from = d.partition_point(|&i| (i as usize) < rows.start);
                let to = d.partition_point(|&i| (i as usize) < rows.end);
                &d[from..to]
            });
            let mut chunk = Chunk {
                labels: inputs.targets.map_or(&part.labels, |t| &t[p]),
                drawn,
                weights: &part.weights,
                counts: inputs.counts.map(|c| c[p].as_slice()),
                node_of_row,
                moves,
                rows,
                features: data.num_features,
                offsets: &data.binning.offsets,
            };
            match &part.codes {
                Codes::U8(codes) => chunk.accumulate(codes, stats, plan, &mut hist, len),
                Codes::U16(codes) => chunk.accumulate(codes, stats, plan, &mut hist, len),
            }
            Ok(hist)
        })
        .collect::<Result<_>>()?;
    let mut partials = partials.into_iter();
    let mut total = partials.next().unwrap_or_else(|| vec![0.0; built * len]);
    for partial in partials {
        add(&mut total, &partial);
    }
    Ok(total.chunks_exact(len).map(<[f64]>::to_vec).collect())
}

/// A bin code (`u8` or `u16`).
pub trait Code: Copy + Send + Sync {
    fn index(self) -> usize;
}

impl Code for u8 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

impl Code for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}

/// The rows of one unit of work.
struct Chunk<'a> {
    labels: &'a [f64],
    weights: &'a [f64],
    counts: Option<&'a [u16]>,
    /// The rows to visit (numbered in the partition), when not all of them.
    drawn: Option<&'a [u32]>,
    /// The chunk's rows' slots (row `rows.start` first).
    node_of_row: &'a mut [u32],
    moves: Option<&'a [Transition]>,
    rows: Range<usize>,
    features: usize,
    offsets: &'a [usize],
}

impl Chunk<'_> {
    fn accumulate<C: Code>(
        &mut self,
        codes: &[C],
        stats: Stats,
        plan: &BuildPlan,
        hist: &mut [f64],
        len: usize,
    ) {
        let width = stats.width();
        // Where each histogram's features start in it, in values.
        let bases: Vec<Vec<(usize, usize)>> = plan
            .features
            .iter()
            .map(|fs| fs.iter().map(|&f| (f, self.offsets[f] * width)).collect())
            .collect();
        match self.drawn {
            None => {
                for k in 0..self.rows.len() {
                    self.add_row(k, codes, stats, plan, hist, len, &bases);
                }
            }
            Some(drawn) => {
                for &i in drawn {
                    let k = i as usize - self.rows.start;
                    self.add_row(k, codes, stats, plan, hist, len, &bases);
                }
            }
        }
    }

    /// Moves the chunk's row `k` to its slot in the level and adds it to its node's
    /// histogram when that one is built.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn add_row<C: Code>(
        &mut self,
        k: usize,
        codes: &[C],
        stats: Stats,
        plan: &BuildPlan,
        hist: &mut [f64],
        len: usize,
        bases: &[Vec<(usize, usize)>],
    ) {
        let width = stats.width();
        let nf = self.features;
        let i = self.rows.start + k;
        let row = &codes[i * nf..(i + 1) * nf];
        let mut slot = self.node_of_row[k];
        if let Some(moves) = self.moves {
            if slot < LEAF {
                slot = moves[slot as usize].next(row);
                self.node_of_row[k] = slot;
            }
        }
        if slot >= LEAF {
            return;
        }
        let h = plan.build_slot[slot as usize];
        if h == NO_NODE {
            return;
        }
        let n = self.counts.map_or(1.0, |c| c[i] as f64);
        if n == 0.0 {
            return;
        }
        let w = self.weights[i];
        let y = self.labels[i];
        let node = &mut hist[h as usize * len..(h as usize + 1) * len];
        let bases = &bases[h as usize];
        if stats.is_classification() {
            let class = y as usize;
            let wn = n * w;
            for &(f, base) in bases {
                let at = base + row[f].index() * width;
                node[at + class] += wn;
                node[at + width - 1] += n;
            }
        } else {
            // Spark's VarianceAggregator: numSamples * label * sampleWeight, …
            let add = [n * w, n * y * w, n * y * y * w, n];
            for &(f, base) in bases {
                let at = base + row[f].index() * 4;
                for (b, a) in node[at..at + 4].iter_mut().zip(add) {
                    *b += a;
                }
            }
        }
    }
}
