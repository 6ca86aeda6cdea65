//! One parallel pass over the training rows that serves many jobs at once: every task of
//! a [`super::fit_many`] call (grid points × folds) asks for what it needs from the rows
//! (a Lloyd step, a k-means|| round, ...) and a single pass answers them all.
//!
//! Partitions run in parallel (rayon); within a partition, rows are read in chunks small
//! enough to stay in cache while every job visits them. Each job's partial results are merged in partition order,
//! so the answer does not depend on the number of threads.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::job::JobContext;
use crate::ml::dataset::{Prepared, Subset};

use super::search::Point;

/// Rows per chunk: 256 rows of a dozen features are ~25 KB, inside a core's L1/L2 cache.
const CHUNK: usize = 256;

/// What one job gathers from the rows of its subset.
pub trait Gather: Sync {
    type Partial: Send;

    /// The rows the job reads.
    fn subset(&self) -> Subset;

    /// An empty partial result.
    fn start(&self) -> Self::Partial;

    /// Reads rows `rows` (indices into the partition, ascending) into `partial`.
    fn visit(&self, partial: &mut Self::Partial, part: &Partition, rows: &[u32]);

    /// Called once a partition's rows were all visited.
    fn finish(&self, _partial: &mut Self::Partial, _part: &Partition) {}

    /// Adds `other` (from later partitions) to `into`.
    fn merge(&self, into: &mut Self::Partial, other: Self::Partial);
}

/// One partition's rows, as jobs read them.
pub struct Partition<'a> {
    values: &'a [f64],
    width: usize,
    features: usize,
    /// Where the weight is in a row, when the rows have one.
    weight_at: Option<usize>,
    row_numbers: &'a [u64],
    /// The partition's place in the table, and its number of rows.
    pub index: usize,
    pub len: usize,
}

impl<'a> Partition<'a> {
    /// Row `i` of the partition.
    #[inline(always)]
    pub fn point(&self, i: u32) -> Point<'a> {
        let i = i as usize;
        let values = &self.values[i * self.width..(i + 1) * self.width];
        Point {
            features: &values[..self.features],
            weight: self.weight_at.map_or(1.0, |w| values[w]),
            row: self.row_numbers[i],
        }
    }
}

/// Runs `jobs` over every row of `parts` and returns each job's merged result.
pub fn run<J: Gather>(parts: &[Prepared], jobs: &[J], ctx: &JobContext) -> Result<Vec<J::Partial>> {
    // Jobs that read the same rows share one list of row indices per chunk.
    let mut subsets: Vec<Subset> = Vec::new();
    let job_subsets: Vec<usize> = jobs
        .iter()
        .map(|job| {
            let subset = job.subset();
            subsets
                .iter()
                .position(|&s| s == subset)
                .unwrap_or_else(|| {
                    subsets.push(subset);
                    subsets.len() - 1
                })
        })
        .collect();
    let per_partition: Vec<Vec<J::Partial>> = parts
        .par_iter()
        .enumerate()
        .map(|(partition, part)| {
            ctx.check()?;
            let partials = scan(partition, part, jobs, &subsets, &job_subsets)?;
            ctx.advance();
            Ok(partials)
        })
        .collect::<Result<_>>()?;
    let mut merged: Vec<J::Partial> = jobs.iter().map(Gather::start).collect();
    for partials in per_partition {
        for ((job, into), other) in jobs.iter().zip(&mut merged).zip(partials) {
            job.merge(into, other);
        }
    }
    Ok(merged)
}

/// One partition's partial results for every job.
fn scan<J: Gather>(
    partition: usize,
    part: &Prepared,
    jobs: &[J],
    subsets: &[Subset],
    job_subsets: &[usize],
) -> Result<Vec<J::Partial>> {
    let values = part
        .rows
        .values
        .as_slice()
        .ok_or_else(|| Error::internal("reading training rows", "rows are not contiguous"))?;
    let layout = part.layout;
    let width = layout.width();
    let n = part.len();
    if values.len() != n * width || part.rows.row_numbers.len() != n || n > u32::MAX as usize {
        return Err(Error::internal(
            "reading training rows",
            "rows, groups and row numbers differ in length",
        ));
    }
    let mut partials: Vec<J::Partial> = jobs.iter().map(Gather::start).collect();
    // Per subset, its rows of the current chunk: the first `in_subset_len` entries.
    let mut in_subset: Vec<[u32; CHUNK]> = vec![[0; CHUNK]; subsets.len()];
    let mut in_subset_len: Vec<usize> = vec![0; subsets.len()];
    let view = Partition {
        values,
        width,
        features: layout.features,
        weight_at: layout
            .weight
            .then_some(layout.features + layout.label as usize),
        row_numbers: &part.rows.row_numbers,
        index: partition,
        len: n,
    };
    for first in (0..n).step_by(CHUNK) {
        let end = (first + CHUNK).min(n);
        for ((rows, len), subset) in in_subset.iter_mut().zip(&mut in_subset_len).zip(subsets) {
            *len = select_rows(&part.groups[first..end], first as u32, subset, rows);
        }
        for ((job, partial), &s) in jobs.iter().zip(&mut partials).zip(job_subsets) {
            job.visit(partial, &view, &in_subset[s][..in_subset_len[s]]);
        }
    }
    for (job, partial) in jobs.iter().zip(&mut partials) {
        job.finish(partial, &view);
    }
    Ok(partials)
}

/// Writes the numbers of the rows of `groups` (numbered from `first`) that are in
/// `subset` to `rows`, and returns how many there are. Without a branch per row: with
/// cross-validation folds, whether a row is in is as good as random.
#[inline]
fn select_rows(groups: &[u16], first: u32, subset: &Subset, rows: &mut [u32; CHUNK]) -> usize {
    let mut len = 0;
    for (i, &group) in (first..).zip(&groups[..groups.len().min(CHUNK)]) {
        rows[len] = i;
        len += subset.contains(group) as usize;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_the_rows_of_a_subset_in_order() {
        let groups = [0u16, 2, 1, 2, 0, 1, 1];
        let mut rows = [0; CHUNK];
        let fold = Subset {
            folds: 3,
            held_out: Some(1),
        };
        let len = select_rows(&groups, 100, &fold, &mut rows);
        assert_eq!(&rows[..len], &[100, 101, 103, 104]);
        let first_two = Subset {
            folds: 2,
            held_out: None,
        };
        let len = select_rows(&groups, 0, &first_two, &mut rows);
        assert_eq!(&rows[..len], &[0, 2, 4, 5, 6]);
    }
}
