//! The cleaning pipeline refitted on each fit's training rows ([`RefitSource`]), as
//! Spark's CrossValidator refits a `Pipeline` on each fold.
//!
//! The pipeline splits at its first estimator that has not learned its state (Imputer,
//! StringIndexer, OneHotEncoder): the steps before it learn nothing, so they run once on
//! the whole table (through the step cache, as previews do), and the rows' folds are
//! assigned on their result. The steps from it on are fitted on each fit's training rows
//! and applied to them and to the held-out rows, each side on its own, as Spark applies
//! a fitted `PipelineModel` to each DataFrame.

use std::sync::Arc;

use arrow_array::{BooleanArray, RecordBatch};
use rayon::prelude::*;

use crate::clean::indexer::StringIndexer;
use crate::clean::onehot::slot_columns;
use crate::clean::spec::{HandleInvalid, StringIndexerFitted};
use crate::clean::{run_pipeline_part, PipelineSpec, Step};
use crate::error::{Error, Result};
use crate::frame::compact::compact_batch;
use crate::frame::{first_error_in_row_order, Catalog, Table};
use crate::job::JobContext;
use crate::ml::split::Split;
use crate::ml::tuning::refit::{HeldOut, RefitSource, Sides};

/// Where a pipeline's refitted part starts: its first estimator without fitted state.
pub fn first_refitted_step(steps: &[Step]) -> Option<usize> {
    steps.iter().position(|step| !step.is_fitted())
}

/// A classifier's label indexer, fitted once on the whole table (the classes and their
/// order are the job's, not a fold's) and applied to each side.
pub struct IndexedLabel {
    pub column: String,
    pub output: String,
    pub fitted: StringIndexerFitted,
    pub handle_invalid: HandleInvalid,
}

/// A pipeline whose steps from `steps_before` on are refitted for every fit.
pub struct PipelineRefit<'a> {
    pub catalog: &'a Catalog,
    /// The result of the steps before the refitted ones.
    pub table: Arc<Table>,
    /// Those steps, as they ran.
    pub before: Vec<Step>,
    /// The steps refitted for every fit.
    pub refitted: PipelineSpec,
    pub label: Option<IndexedLabel>,
}

impl RefitSource for PipelineRefit<'_> {
    fn sides(&self, held_out: HeldOut, split: &Split, ctx: &JobContext) -> Result<Sides> {
        let (training, held) = split_rows(&self.table, held_out, split, ctx)?;
        let (what, held_name) = match held_out {
            HeldOut::Fold(f) => (format!("fold {}", f + 1), "validation"),
            HeldOut::Test => ("the final model".to_string(), "test"),
        };
        let fitted = run_pipeline_part(
            self.catalog,
            &Arc::new(training),
            &self.refitted,
            self.before.len(),
            ctx,
        )
        .map_err(|e| {
            in_context(
                e,
                &format!("fitting the pipeline for {what} on its training rows"),
            )
        })?;
        let applied = run_pipeline_part(
            self.catalog,
            &Arc::new(held),
            &fitted.fitted,
            self.before.len(),
            ctx,
        )
        .map_err(|e| {
            in_context(
                e,
                &format!("applying the pipeline fitted for {what} to its {held_name} rows"),
            )
        })?;
        let vectors = fitted
            .fitted
            .steps
            .iter()
            .flat_map(one_hot_vectors)
            .collect();
        let mut pipeline = PipelineSpec {
            version: self.refitted.version,
            steps: self.before.clone(),
        };
        pipeline.steps.extend(fitted.fitted.steps);
        Ok(Sides {
            training: self.index_label(fitted.output, ctx)?,
            held_out: self.index_label(applied.output, ctx)?,
            vectors,
            pipeline,
        })
    }
}

impl PipelineRefit<'_> {
    fn index_label(&self, table: Arc<Table>, ctx: &JobContext) -> Result<Arc<Table>> {
        let Some(label) = &self.label else {
            return Ok(table);
        };
        let indexer = StringIndexer::new(
            table.schema(),
            std::slice::from_ref(&label.column),
            std::slice::from_ref(&label.output),
        )?;
        Ok(Arc::new(indexer.transform(
            &table,
            &label.fitted,
            label.handle_invalid,
            ctx,
        )?))
    }
}

/// The fit's training rows and its held-out rows of `table`, by the rows' groups: one
/// parallel pass, each row's group computed once for both sides.
fn split_rows(
    table: &Table,
    held_out: HeldOut,
    split: &Split,
    ctx: &JobContext,
) -> Result<(Table, Table)> {
    let (subset, held_group) = match held_out {
        HeldOut::Fold(f) => (split.without_fold(f), f as u16),
        HeldOut::Test => (split.all_training(), split.test_group()),
    };
    ctx.expect_steps(table.num_partitions());
    // Partition by partition: a compact table's partitions are decoded one at a time and
    // both sides stored compact again.
    let compact = table.is_compact();
    let sides = (0..table.num_partitions())
        .into_par_iter()
        .zip(table.row_starts())
        .map(|(i, &first)| {
            ctx.check()?;
            let batch = &table.partition(i)?;
            let groups: Vec<u16> = (0..batch.num_rows() as u64)
                .map(|i| split.group_of(first as u64 + i))
                .collect();
            let side = |keep: &dyn Fn(u16) -> bool| -> Result<RecordBatch> {
                let mask: BooleanArray = groups.iter().map(|&g| Some(keep(g))).collect();
                arrow_select::filter::filter_record_batch(batch, &mask)
                    .map_err(|e| Error::internal("splitting rows into folds", e))
            };
            let mut sides = (side(&|g| subset.contains(g))?, side(&|g| g == held_group)?);
            if compact {
                sides = (compact_batch(&sides.0)?, compact_batch(&sides.1)?);
            }
            ctx.advance();
            Ok(sides)
        })
        .collect::<Vec<_>>();
    let (training, held): (Vec<RecordBatch>, Vec<RecordBatch>) =
        first_error_in_row_order(sides)?.into_iter().unzip();
    Ok((
        Table::try_new(table.schema_arc(), training)?,
        Table::try_new(table.schema_arc(), held)?,
    ))
}

/// A fitted OneHotEncoder's output vectors and their slot columns.
fn one_hot_vectors(step: &Step) -> Vec<(String, Vec<String>)> {
    match step {
        Step::OneHotEncoder {
            output_cols,
            drop_last,
            handle_invalid,
            fitted: Some(fitted),
            ..
        } => output_cols
            .iter()
            .cloned()
            .zip(slot_columns(
                output_cols,
                fitted,
                *drop_last,
                *handle_invalid,
            ))
            .collect(),
        _ => Vec::new(),
    }
}

/// Says which fit's cleaning failed, keeping the code and the location.
fn in_context(error: Error, what: &str) -> Error {
    let message = format!("{what}: {}", error.message());
    error.with_message(message)
}
