//! Per-node histograms of label statistics: for each node being split, each feature and
//! each bin, the [`Stats`] of the rows of the node that fall in the bin.
//!
//! One pass per level builds the histograms of the level's nodes, in parallel over
//! fixed-size chunks of each partition's row lists ([`NodeRows`]); each chunk's
//! histograms are then added in chunk order, so the result does not depend on the
//! number of threads. The same pass first moves the rows of each node of the level
//! above to its children ([`Transition`]) and then fills each child's histogram from its
//! own rows: no allocation per row, and only the rows of nodes still being split read.

use std::ops::Range;

use rayon::prelude::*;

use crate::error::Result;
use crate::job::JobContext;

use super::binning::{BinnedData, BinnedPart, Code, Codes};
use super::impurity::{add, Stats};
use super::node_rows::{split_rows, NodeRows, PartRows};

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

/// What a level's pass produces.
pub struct Level {
    /// The planned histograms, each `node_len` values laid out feature by feature (at
    /// the binning's offsets), bin by bin, stat by stat.
    pub histograms: Vec<Vec<f64>>,
    /// The level's rows by slot.
    pub rows: NodeRows,
}

/// One pass over a level: moves the rows of the level above (`rows`, by its slots) to
/// their children with `moves` (when `None`, `rows` are already this level's: the root),
/// tags the rows that reach a leaf in `leaf_of_row` when leaves are tracked, and builds
/// the planned histograms of the level's `slots` nodes from their rows.
#[allow(clippy::too_many_arguments)]
pub fn build(
    data: &BinnedData,
    stats: Stats,
    inputs: &RowInputs,
    rows: &NodeRows,
    moves: Option<&[Transition]>,
    slots: usize,
    plan: &BuildPlan,
    leaf_of_row: Option<&mut [Vec<u32>]>,
    ctx: &JobContext,
) -> Result<Level> {
    let len = node_len(data, stats);
    let units: Vec<(usize, Range<usize>)> = rows
        .parts
        .iter()
        .enumerate()
        .flat_map(|(p, part)| {
            let n = part.order.len();
            (0..n.div_ceil(CHUNK_ROWS))
                .map(move |c| (p, c * CHUNK_ROWS..((c + 1) * CHUNK_ROWS).min(n)))
        })
        .collect();
    let outputs: Vec<UnitOutput> = units
        .into_par_iter()
        .map(|(p, range)| {
            ctx.check()?;
            let unit = Unit {
                part: &data.parts[p],
                labels: inputs.targets.map_or(&data.parts[p].labels, |t| &t[p]),
                counts: inputs.counts.map(|c| c[p].as_slice()),
                features: data.num_features,
                offsets: &data.binning.offsets,
                stats,
                plan,
                len,
            };
            Ok(unit.run(p, &rows.parts[p], range, moves))
        })
        .collect::<Result<_>>()?;
    let mut histograms = vec![vec![0.0; len]; plan.features.len()];
    let mut by_part: Vec<Vec<UnitOutput>> = (0..rows.parts.len()).map(|_| Vec::new()).collect();
    for mut output in outputs {
        for (h, partial) in output.histograms.drain(..) {
            add(&mut histograms[h as usize], &partial);
        }
        by_part[output.part].push(output);
    }
    let mut leaf_parts: Vec<Option<&mut Vec<u32>>> = match leaf_of_row {
        Some(l) => l.iter_mut().map(Some).collect(),
        None => (0..by_part.len()).map(|_| None).collect(),
    };
    let parts = by_part
        .into_par_iter()
        .zip(leaf_parts.par_iter_mut())
        .map(|(outputs, leaf_of_row)| assemble(outputs, slots, leaf_of_row.as_deref_mut()))
        .collect();
    Ok(Level {
        histograms,
        rows: NodeRows { parts },
    })
}

/// What one unit of a pass hands back: its rows by level slot, in slot order, the rows
/// it moved into leaves (with their tags), and the histograms it built.
struct UnitOutput {
    part: usize,
    rows: Vec<(u32, Vec<u32>)>,
    leaves: Vec<(u32, Vec<u32>)>,
    histograms: Vec<(u32, Vec<f64>)>,
}

/// A partition's rows of the level from its units' (in unit order), and its leaf rows
/// tagged.
fn assemble(
    outputs: Vec<UnitOutput>,
    slots: usize,
    leaf_of_row: Option<&mut Vec<u32>>,
) -> PartRows {
    let mut starts = vec![0usize; slots + 1];
    for output in &outputs {
        for (slot, rows) in &output.rows {
            starts[*slot as usize + 1] += rows.len();
        }
    }
    for s in 0..slots {
        starts[s + 1] += starts[s];
    }
    let mut order = vec![0u32; starts[slots]];
    let mut next = starts.clone();
    for output in &outputs {
        for (slot, rows) in &output.rows {
            let at = next[*slot as usize];
            order[at..at + rows.len()].copy_from_slice(rows);
            next[*slot as usize] += rows.len();
        }
    }
    if let Some(leaf_of_row) = leaf_of_row {
        for output in &outputs {
            for (tag, rows) in &output.leaves {
                for &row in rows {
                    leaf_of_row[row as usize] = *tag;
                }
            }
        }
    }
    PartRows { order, starts }
}

/// What one unit of a pass reads.
struct Unit<'a> {
    part: &'a BinnedPart,
    labels: &'a [f64],
    counts: Option<&'a [u16]>,
    features: usize,
    offsets: &'a [usize],
    stats: Stats,
    plan: &'a BuildPlan<'a>,
    len: usize,
}

impl Unit<'_> {
    /// Moves the rows at positions `range` of partition `p`'s list to their slots (or
    /// leaves) and builds the histograms of the built slots among them.
    fn run(
        &self,
        p: usize,
        rows: &PartRows,
        range: Range<usize>,
        moves: Option<&[Transition]>,
    ) -> UnitOutput {
        let mut output = UnitOutput {
            part: p,
            rows: Vec::new(),
            leaves: Vec::new(),
            histograms: Vec::new(),
        };
        for (slot, segment) in rows.segments(range) {
            let Some(moves) = moves else {
                self.place(slot as u32, segment.to_vec(), &mut output);
                continue;
            };
            match &moves[slot] {
                Transition::Leaf(tag) => self.place(*tag, segment.to_vec(), &mut output),
                Transition::Split {
                    feature,
                    go_left,
                    left,
                    right,
                } => {
                    let (l, r) = match &self.part.codes {
                        Codes::U8(c) => split_rows(c, self.features, *feature, go_left, segment),
                        Codes::U16(c) => split_rows(c, self.features, *feature, go_left, segment),
                    };
                    self.place(*left, l, &mut output);
                    self.place(*right, r, &mut output);
                }
            }
        }
        output
    }

    /// Puts rows into their slot of the level (adding them to its histogram when it is
    /// built) or, for a leaf's tag, among the leaf rows.
    fn place(&self, target: u32, rows: Vec<u32>, output: &mut UnitOutput) {
        if rows.is_empty() || target == NO_NODE {
            return;
        }
        if target >= LEAF {
            output.leaves.push((target, rows));
            return;
        }
        let h = self.plan.build_slot[target as usize];
        if h != NO_NODE {
            let mut histogram = vec![0.0; self.len];
            match &self.part.codes {
                Codes::U8(c) => {
                    self.accumulate(c, &rows, &self.plan.features[h as usize], &mut histogram)
                }
                Codes::U16(c) => {
                    self.accumulate(c, &rows, &self.plan.features[h as usize], &mut histogram)
                }
            }
            output.histograms.push((h, histogram));
        }
        output.rows.push((target, rows));
    }

    /// Adds `rows` (of one node) to its histogram over `features`.
    fn accumulate<C: Code>(
        &self,
        codes: &[C],
        rows: &[u32],
        features: &[usize],
        histogram: &mut [f64],
    ) {
        let width = self.stats.width();
        let nf = self.features;
        // Where each feature starts in the histogram, in values.
        let bases: Vec<(usize, usize)> = features
            .iter()
            .map(|&f| (f, self.offsets[f] * width))
            .collect();
        let classification = self.stats.is_classification();
        for &i in rows {
            let i = i as usize;
            let n = self.counts.map_or(1.0, |c| c[i] as f64);
            if n == 0.0 {
                continue;
            }
            let row = &codes[i * nf..(i + 1) * nf];
            let w = self.part.weights[i];
            let y = self.labels[i];
            if classification {
                let class = y as usize;
                let wn = n * w;
                for &(f, base) in &bases {
                    let at = base + row[f].index() * width;
                    histogram[at + class] += wn;
                    histogram[at + width - 1] += n;
                }
            } else {
                // Spark's VarianceAggregator: numSamples * label * sampleWeight, …
                let add = [n * w, n * y * w, n * y * y * w, n];
                for &(f, base) in &bases {
                    let at = base + row[f].index() * 4;
                    for (b, a) in histogram[at..at + 4].iter_mut().zip(add) {
                        *b += a;
                    }
                }
            }
        }
    }
}
