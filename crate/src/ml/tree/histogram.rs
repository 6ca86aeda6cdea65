//! Per-node histograms of label statistics: for each node being split, each feature and
//! each bin, the [`Stats`] of the rows of the node that fall in the bin.
//!
//! One pass over the binned rows builds the histograms of every node of a level at once,
//! in parallel over fixed-size chunks of each partition; the chunks' histograms are then
//! added in chunk order, so the result does not depend on the number of threads. The hot
//! loop reads a row's bins and adds its statistics in place: no allocation per row.

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

/// A row's node (its slot in the level's list of nodes being split), or none when the
/// row has reached a leaf.
pub const NO_NODE: u32 = u32::MAX;

/// What a histogram pass reads besides the binned rows.
pub struct RowInputs<'a> {
    /// Per partition, the label each row is fitted to (GBT's pseudo-residuals); the
    /// binned labels when `None`.
    pub targets: Option<&'a [Vec<f64>]>,
    /// Per partition, how many times each row is drawn (a forest's bootstrap); once when
    /// `None`.
    pub counts: Option<&'a [Vec<u16>]>,
    /// Per partition, each row's slot in the level ([`NO_NODE`]: in a leaf).
    pub node_of_row: &'a [Vec<u32>],
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
    plan: &BuildPlan,
    ctx: &JobContext,
) -> Result<Vec<Vec<f64>>> {
    let len = node_len(data, stats);
    let built = plan.features.len();
    if built == 0 {
        return Ok(Vec::new());
    }
    let units: Vec<(usize, Range<usize>)> = data
        .parts
        .iter()
        .enumerate()
        .flat_map(|(p, part)| {
            let n = part.len();
            (0..n.div_ceil(CHUNK_ROWS))
                .map(move |c| (p, c * CHUNK_ROWS..((c + 1) * CHUNK_ROWS).min(n)))
        })
        .collect();
    let partials: Vec<Vec<f64>> = units
        .par_iter()
        .map(|(p, rows)| {
            ctx.check()?;
            let mut hist = vec![0.0; built * len];
            let part = &data.parts[*p];
            let chunk = Chunk {
                labels: inputs.targets.map_or(&part.labels, |t| &t[*p]),
                weights: &part.weights,
                counts: inputs.counts.map(|c| c[*p].as_slice()),
                node_of_row: &inputs.node_of_row[*p],
                rows: rows.clone(),
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
trait Code: Copy + Send + Sync {
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
    node_of_row: &'a [u32],
    rows: Range<usize>,
    features: usize,
    offsets: &'a [usize],
}

impl Chunk<'_> {
    fn accumulate<C: Code>(
        &self,
        codes: &[C],
        stats: Stats,
        plan: &BuildPlan,
        hist: &mut [f64],
        len: usize,
    ) {
        let width = stats.width();
        let nf = self.features;
        // Where each histogram's features start in it, in values.
        let bases: Vec<Vec<(usize, usize)>> = plan
            .features
            .iter()
            .map(|fs| fs.iter().map(|&f| (f, self.offsets[f] * width)).collect())
            .collect();
        let rows = self.rows.clone();
        let codes = &codes[rows.start * nf..rows.end * nf];
        for (k, row) in codes.chunks_exact(nf).enumerate() {
            let i = rows.start + k;
            let slot = self.node_of_row[i];
            if slot == NO_NODE {
                continue;
            }
            let h = plan.build_slot[slot as usize];
            if h == NO_NODE {
                continue;
            }
            let n = self.counts.map_or(1.0, |c| c[i] as f64);
            if n == 0.0 {
                continue;
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
}
