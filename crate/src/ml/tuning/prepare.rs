//! Turning cleaned tables into the rows estimators read: VectorAssembler over every
//! partition (in parallel), each row given its group, and what the job learns from the
//! rows before fitting anything (their counts per group, a classifier's classes).

use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::assemble::Assembler;
use crate::ml::dataset::{Prepared, RowLayout};

use super::MAX_CLASSES;

/// Assembles the rows of `tables`, numbered as if the tables were one after another; a
/// row's group is `group_of(table index, row number)`.
pub(super) fn assemble(
    tables: &[&Table],
    assembler: &Assembler,
    layout: RowLayout,
    group_of: &(dyn Fn(usize, u64) -> u16 + Sync),
    ctx: &JobContext,
) -> Result<Vec<Prepared>> {
    let rows: usize = tables.iter().map(|t| t.num_rows()).sum();
    // The assembled rows are kept for every later pass: 8 bytes per value and the group.
    crate::memory::check(
        rows.saturating_mul(8 * layout.width() + 2),
        "training on this table",
        "choose fewer features, or train on a filtered table (CREATE TABLE ... AS SELECT ... WHERE ...)",
    )?;
    let mut batches = Vec::new();
    let mut first = 0u64;
    for (t, table) in tables.iter().enumerate() {
        for batch in table.partitions() {
            batches.push((t, batch, first));
            first += batch.num_rows() as u64;
        }
    }
    ctx.expect_steps(batches.len());
    batches
        .par_iter()
        .map(|&(t, batch, first)| {
            ctx.check()?;
            let rows = assembler.rows(batch, first)?;
            let groups = rows
                .row_numbers
                .iter()
                .map(|&row| group_of(t, row))
                .collect();
            ctx.advance();
            Ok(Prepared {
                rows,
                groups,
                layout,
            })
        })
        .collect()
}

/// Rows per group.
pub(super) fn count_groups(parts: &[Prepared], groups: usize) -> Vec<u64> {
    let mut counts = vec![0u64; groups];
    for part in parts {
        for &g in &part.groups {
            counts[g as usize] += 1;
        }
    }
    counts
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
    parts: &[Prepared],
    known: Vec<String>,
    label: Option<&str>,
) -> Result<Vec<String>> {
    let name = label.unwrap_or("label");
    let mut largest = 0.0f64;
    for part in parts {
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
    }
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
