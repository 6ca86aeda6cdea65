//! One parallel pass over the training rows that evaluates every model a set of fits
//! needs at once.
//!
//! Partitions are processed in parallel; within one, rows are read in order and
//! gathered into one block per group (fold), and each full block is read by every model
//! whose training subset contains that group. A model's sums are kept per group when
//! asked (a fit on all folds whose per-fold curvature the fold fits reuse), else summed.
//! Partition results are added up in partition order, so the sums do not depend on the
//! thread count.

use rayon::prelude::*;

use crate::error::Result;
use crate::job::JobContext;
use crate::ml::dataset::{Prepared, Subset};
use crate::ml::logistic::kernel::{accumulate, Block, RawModel, Scratch, Sums};

/// One model to evaluate.
pub(crate) struct Request {
    pub model: RawModel,
    pub subset: Subset,
    pub hessian: bool,
    /// One set of sums per group instead of one in total.
    pub per_group: bool,
}

impl Request {
    fn slots(&self, groups: usize) -> usize {
        if self.per_group {
            groups
        } else {
            1
        }
    }
}

/// The sums of each request: one per group (`per_group`), else one.
///
/// `rows[part]` are the positions of the rows to read in each partition (see
/// [`super::summary::scan`]), `groups` the number of groups, `shift` what the kernels
/// subtract from the features.
pub(crate) fn evaluate(
    parts: &[Prepared],
    rows: &[Vec<u32>],
    groups: usize,
    shift: &[f64],
    requests: &[Request],
    ctx: &JobContext,
) -> Result<Vec<Vec<Sums>>> {
    let features = shift.len();
    let width = features + 1;
    let sets = requests
        .iter()
        .map(|r| r.model.offset.len())
        .max()
        .unwrap_or(1);
    // Which requests read each group.
    let readers: Vec<Vec<usize>> = (0..groups)
        .map(|g| {
            (0..requests.len())
                .filter(|&q| requests[q].subset.contains(g as u16))
                .collect()
        })
        .collect();
    let empty = || -> Vec<Vec<Sums>> {
        requests
            .iter()
            .map(|r| {
                let s = Sums::zero(r.model.offset.len(), width, r.hessian);
                vec![s; r.slots(groups)]
            })
            .collect()
    };
    let one_partition = |(part, positions): (&Prepared, &Vec<u32>)| -> Result<Vec<Vec<Sums>>> {
        ctx.check()?;
        let mut sums = empty();
        let mut blocks: Vec<Block> = (0..groups).map(|_| Block::new(features)).collect();
        let mut scratch = Scratch::new(sets);
        let mut flush = |g: usize, block: &mut Block| {
            block.seal();
            for &q in &readers[g] {
                let slot = if requests[q].per_group { g } else { 0 };
                accumulate(block, &requests[q].model, &mut scratch, &mut sums[q][slot]);
            }
            block.clear();
        };
        for &i in positions {
            let row = part.row(i as usize);
            let g = row.group as usize;
            if readers[g].is_empty() {
                continue;
            }
            blocks[g].push(&row, shift);
            if blocks[g].is_full() {
                flush(g, &mut blocks[g]);
            }
        }
        for (g, block) in blocks.iter_mut().enumerate() {
            if !block.is_empty() {
                flush(g, block);
            }
        }
        ctx.advance();
        Ok(sums)
    };
    let mut total = empty();
    // A few partitions per thread at a time bounds the memory the partial sums take.
    let batch = 2 * rayon::current_num_threads().max(1);
    let pairs: Vec<(&Prepared, &Vec<u32>)> = parts.iter().zip(rows).collect();
    for batch in pairs.chunks(batch) {
        let partial: Vec<Result<Vec<Vec<Sums>>>> =
            batch.par_iter().map(|&pair| one_partition(pair)).collect();
        for part in partial {
            for (all, one) in total.iter_mut().zip(part?) {
                for (a, b) in all.iter_mut().zip(&one) {
                    a.add(b);
                }
            }
        }
    }
    Ok(total)
}
