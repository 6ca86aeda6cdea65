//! One parallel pass over the training rows that serves many jobs at once: every task of
//! a [`super::fit_many`] call (grid points × folds) asks for what it needs from the rows
//! (a Lloyd step, a k-means|| round, ...) and a single pass answers them all.
//!
//! Partitions run in parallel (rayon); within a partition, rows are read in chunks small
//! enough to stay in cache while every job visits them, and each row's norms are computed
//! once per chunk for all jobs. Each job's partial results are merged in partition order,
//! so the answer does not depend on the number of threads.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::job::JobContext;
use crate::ml::dataset::{Prepared, Subset};

use super::distance::dot;
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

    /// Reads rows `rows` (indices into `chunk`'s partition, ascending) into `partial`.
    fn visit(&self, partial: &mut Self::Partial, chunk: &Chunk, rows: &[u32]);

    /// Adds `other` (from later partitions) to `into`.
    fn merge(&self, into: &mut Self::Partial, other: Self::Partial);
}

/// A run of consecutive rows of one partition, with their norms.
pub struct Chunk<'a> {
    values: &'a [f64],
    width: usize,
    features: usize,
    /// Where the weight is in a row, when the rows have one.
    weight_at: Option<usize>,
    row_numbers: &'a [u64],
    /// The partition index of the chunk's first row.
    first: usize,
    norm2: &'a [f64],
    norm: &'a [f64],
}

impl<'a> Chunk<'a> {
    /// Row `i` of the partition (which must be in this chunk).
    #[inline]
    pub fn point(&self, i: u32) -> Point<'a> {
        let i = i as usize;
        let values = &self.values[i * self.width..(i + 1) * self.width];
        Point {
            features: &values[..self.features],
            norm2: self.norm2[i - self.first],
            norm: self.norm[i - self.first],
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
        .map(|part| {
            ctx.check()?;
            let partials = scan(part, jobs, &subsets, &job_subsets)?;
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
    let mut in_subset: Vec<Vec<u32>> = vec![Vec::with_capacity(CHUNK); subsets.len()];
    let mut norm2 = vec![0.0; CHUNK];
    let mut norm = vec![0.0; CHUNK];
    for first in (0..n).step_by(CHUNK) {
        let end = (first + CHUNK).min(n);
        for (i, row) in values[first * width..end * width]
            .chunks_exact(width)
            .enumerate()
        {
            let features = &row[..layout.features];
            norm2[i] = dot(features, features);
            norm[i] = norm2[i].sqrt();
        }
        for (rows, subset) in in_subset.iter_mut().zip(subsets) {
            rows.clear();
            rows.extend(
                (first..end)
                    .filter(|&i| subset.contains(part.groups[i]))
                    .map(|i| i as u32),
            );
        }
        let chunk = Chunk {
            values,
            width,
            features: layout.features,
            weight_at: layout
                .weight
                .then_some(layout.features + layout.label as usize),
            row_numbers: &part.rows.row_numbers,
            first,
            norm2: &norm2[..end - first],
            norm: &norm[..end - first],
        };
        for ((job, partial), &s) in jobs.iter().zip(&mut partials).zip(job_subsets) {
            job.visit(partial, &chunk, &in_subset[s]);
        }
    }
    Ok(partials)
}
