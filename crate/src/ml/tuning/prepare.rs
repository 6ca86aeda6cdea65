//! Turning cleaned tables into the rows estimators read: VectorAssembler over every
//! partition (in parallel), each row given its group, and what the job learns from the
//! rows before fitting anything (their counts per group, a classifier's classes).

use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::assemble::Assembler;
use crate::ml::dataset::{GroupOf, OnDemand, Parts, Prepared, RowLayout};

use super::plan::{plan_rows, Footprint, RowPlan};
use super::MAX_CLASSES;

/// A job's rows: assembled once and kept, or assembled again by each pass that reads
/// them (when keeping them would not fit, for the estimators that read them few times).
pub(super) enum Assembled<'a> {
    Kept(Vec<Prepared>),
    OnDemand(OnDemand<'a>),
}

impl Assembled<'_> {
    pub(super) fn parts(&self) -> Parts<'_> {
        match self {
            Assembled::Kept(parts) => Parts::Kept(parts),
            Assembled::OnDemand(source) => Parts::OnDemand(source),
        }
    }
}

/// The partitions of `tables` to assemble, numbered as if the tables were one after
/// another; a row's group is `group_of(table index, row number)`.
fn source<'a>(
    tables: &[&Table],
    assembler: &'a Assembler,
    layout: RowLayout,
    group_of: &'a GroupOf<'a>,
) -> OnDemand<'a> {
    let mut batches = Vec::new();
    let mut first = 0u64;
    for (t, table) in tables.iter().enumerate() {
        // As stored: the assembler reads numeric columns only, so a compact table's
        // string columns are never decoded for training.
        for batch in table.stored_partitions() {
            batches.push((t, batch.clone(), first));
            first += batch.num_rows() as u64;
        }
    }
    OnDemand::new(batches, assembler, layout, group_of)
}

/// Every partition of `source` assembled, in parallel.
fn assemble_all(source: &OnDemand, ctx: &JobContext) -> Result<Vec<Prepared>> {
    ctx.expect_steps(source.len());
    let parts: Vec<Result<Prepared>> = (0..source.len())
        .into_par_iter()
        .map(|p| {
            ctx.check()?;
            let part = source.assemble(p)?;
            ctx.advance();
            Ok(part)
        })
        .collect();
    parts.into_iter().collect()
}

/// The rows of `tables` (see [`source`]) for a job of `footprint` within `available`
/// bytes: kept, or left to be assembled on each pass when keeping them would not fit
/// (see [`plan_rows`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn assemble<'a>(
    tables: &[&Table],
    assembler: &'a Assembler,
    layout: RowLayout,
    group_of: &'a GroupOf<'a>,
    footprint: Footprint,
    available: usize,
    ctx: &JobContext,
) -> Result<Assembled<'a>> {
    let rows: usize = tables.iter().map(|t| t.num_rows()).sum();
    let plan = plan_rows(rows, layout, footprint, available, true)?;
    let source = source(tables, assembler, layout, group_of);
    Ok(match plan {
        RowPlan::AssembleOnDemand => Assembled::OnDemand(source),
        RowPlan::Keep => Assembled::Kept(assemble_all(&source, ctx)?),
    })
}

/// The rows of `tables` (see [`source`]) assembled and kept, refused when they would
/// not fit in `available` bytes next to the job's own state (`footprint`).
pub(super) fn assemble_kept(
    tables: &[&Table],
    assembler: &Assembler,
    layout: RowLayout,
    group_of: &GroupOf,
    footprint: Footprint,
    available: usize,
    ctx: &JobContext,
) -> Result<Vec<Prepared>> {
    let rows: usize = tables.iter().map(|t| t.num_rows()).sum();
    plan_rows(rows, layout, footprint, available, false)?;
    assemble_all(&source(tables, assembler, layout, group_of), ctx)
}

/// Rows per group.
pub(super) fn count_groups(parts: Parts, groups: usize, ctx: &JobContext) -> Result<Vec<u64>> {
    let per_part = parts.map(|_, part| {
        ctx.check()?;
        let mut counts = vec![0u64; groups];
        for &g in &part.groups {
            counts[g as usize] += 1;
        }
        Ok(counts)
    })?;
    let mut counts = vec![0u64; groups];
    for part in per_part {
        for (total, n) in counts.iter_mut().zip(part) {
            *total += n;
        }
    }
    Ok(counts)
}

/// Fails unless a fit has at least two rows to learn from.
pub(super) fn check_enough_training_rows(rows: u64) -> Result<()> {
    if rows < 2 {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!("only {rows} usable rows to train on; load more data or drop fewer rows"),
        ));
    }
    Ok(())
}

/// Fails when validation fold `fold` (0-based) has no rows.
pub(super) fn empty_fold(fold: usize) -> Error {
    Error::new(
        ErrorCode::MlInput,
        format!(
            "validation fold {} has no rows; use fewer folds or more data",
            fold + 1
        ),
    )
}

/// A classifier's class labels: the indexer's, or `0, 1, …` up to the largest class
/// index in the label column (which must hold whole numbers from 0, as in Spark).
pub(super) fn class_labels(
    parts: Parts,
    known: Vec<String>,
    label: Option<&str>,
) -> Result<Vec<String>> {
    let name = label.unwrap_or("label");
    let largest_per_part = parts.map(|_, part| {
        let mut largest = 0.0f64;
        for row in part.iter() {
            let y = row.label;
            if y < 0.0 || y.fract() != 0.0 {
                return Err(Error::new(
                    ErrorCode::MlInput,
                    format!(
                        "`{name}` is {y} in row {}; a classifier's label must be a class index 0, 1, 2, … Index the label (StringIndexer) instead",
                        row.row + 1
                    ),
                )
                .at_row(row.row + 1)
                .in_column(name));
            }
            largest = largest.max(y);
        }
        Ok(largest)
    })?;
    let largest = largest_per_part.into_iter().fold(0.0f64, f64::max);
    let classes = largest as usize + 1;
    if !known.is_empty() {
        return Ok(known);
    }
    if classes > MAX_CLASSES {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!("`{name}` has class indices up to {largest}; a classifier takes at most {MAX_CLASSES} classes"),
        )
        .in_column(name));
    }
    Ok((0..classes.max(2)).map(|c| c.to_string()).collect())
}
