//! The cleaning pipeline refitted on each fit's training rows ([`RefitSource`]), as
//! Spark's CrossValidator refits a `Pipeline` on each fold.
//!
//! The pipeline splits at its first estimator that has not learned its state (Imputer,
//! StringIndexer, OneHotEncoder): the steps before it learn nothing, so they run once on
//! the whole table (through the step cache, as previews do), and the rows' folds are
//! assigned on their result. The steps from it on are fitted on each fit's training rows
//! and applied to them and to the held-out rows, each side on its own, as Spark applies
//! a fitted `PipelineModel` to each DataFrame.
//!
//! The fits share their passes over the table ([`FoldFit`]): on the first fit asked for,
//! one parallel pass assigns every row its group and gathers every fit's statistics
//! (each fold's category counts, sums...), and each fit's sides are then cut from the
//! table and cleaned by its fitted steps without fitting anything again. A fit the shared
//! pass does not cover (a pipeline with a filter between two estimators, a fit whose
//! own run fails) is fitted on its own rows as before, which gives the same steps and
//! the same errors.

use std::sync::{Arc, OnceLock};

use arrow_array::{BooleanArray, RecordBatch};
use rayon::prelude::*;

use crate::clean::fold_fit::{FitRows, FoldFit};
use crate::clean::indexer::StringIndexer;
use crate::clean::onehot::slot_columns;
use crate::clean::spec::{HandleInvalid, StringIndexerFitted};
use crate::clean::{run_pipeline_part, PipelineSpec, Step};
use crate::error::{Error, ErrorCode, Result};
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
    /// The rows' groups and the shared fits, made by the first fit asked for.
    pub shared: OnceLock<Shared>,
}

/// What every fit of a [`PipelineRefit`] shares.
pub struct Shared {
    /// Each row's group, partition by partition.
    groups: Vec<Vec<u16>>,
    /// The fits' steps fitted in one pass, when the pipeline allows it.
    fold_fit: Option<FoldFit>,
}

impl RefitSource for PipelineRefit<'_> {
    fn sides(&self, held_out: HeldOut, split: &Split, ctx: &JobContext) -> Result<Sides> {
        let shared = self.shared(split, ctx)?;
        let fit = match held_out {
            HeldOut::Test => 0,
            HeldOut::Fold(f) => 1 + f,
        };
        if let Some(fold_fit) = &shared.fold_fit {
            if let (Some(part), Some((training, held))) = (
                fold_fit.fitted(fit),
                fold_fit.sides(self.catalog, fit, ctx)?,
            ) {
                return self.finish(Arc::new(training), Arc::new(held), part.clone(), ctx);
            }
        }
        self.refit_alone(held_out, split, &shared.groups, ctx)
    }
}

impl PipelineRefit<'_> {
    /// The fits of `split`, in the order [`RefitSource::sides`] numbers them: the final
    /// refit, then each evaluated fold.
    fn fits(split: &Split) -> Vec<FitRows> {
        let rows = |subset: crate::ml::dataset::Subset, held: u16| FitRows {
            trains: (0..split.groups() as u16)
                .map(|g| subset.contains(g))
                .collect(),
            held,
        };
        let mut fits = vec![rows(split.all_training(), split.test_group())];
        fits.extend((0..split.evaluated_folds()).map(|f| rows(split.without_fold(f), f as u16)));
        fits
    }

    /// The shared groups and fits, made on the first call.
    fn shared(&self, split: &Split, ctx: &JobContext) -> Result<&Shared> {
        if let Some(shared) = self.shared.get() {
            return Ok(shared);
        }
        let groups = row_groups(&self.table, split, ctx)?;
        let fold_fit = match FoldFit::new(
            self.catalog,
            &self.table,
            groups.clone(),
            Self::fits(split),
            &self.refitted,
            self.before.len(),
            ctx,
        ) {
            Ok(fold_fit) => fold_fit,
            Err(e) if e.code() == ErrorCode::Cancelled => return Err(e),
            // The fits are then refitted one by one, which reports what went wrong.
            Err(_) => None,
        };
        let _ = self.shared.set(Shared { groups, fold_fit });
        self.shared
            .get()
            .ok_or_else(|| Error::new(ErrorCode::Internal, "the shared fits were not kept"))
    }

    /// One fit's sides by fitting the pipeline on its own training rows.
    fn refit_alone(
        &self,
        held_out: HeldOut,
        split: &Split,
        groups: &[Vec<u16>],
        ctx: &JobContext,
    ) -> Result<Sides> {
        let (training, held) = split_rows(&self.table, held_out, split, groups, ctx)?;
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
        self.finish(fitted.output, applied.output, fitted.fitted, ctx)
    }

    /// A fit's sides from its cleaned rows and fitted part: the label indexed, the one-hot
    /// vectors listed, the whole pipeline.
    fn finish(
        &self,
        training: Arc<Table>,
        held: Arc<Table>,
        fitted: PipelineSpec,
        ctx: &JobContext,
    ) -> Result<Sides> {
        let vectors = fitted.steps.iter().flat_map(one_hot_vectors).collect();
        let mut pipeline = PipelineSpec {
            version: self.refitted.version,
            steps: self.before.clone(),
        };
        pipeline.steps.extend(fitted.steps);
        Ok(Sides {
            training: self.index_label(training, ctx)?,
            held_out: self.index_label(held, ctx)?,
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

/// Each row's group, partition by partition, in one parallel pass.
fn row_groups(table: &Table, split: &Split, ctx: &JobContext) -> Result<Vec<Vec<u16>>> {
    ctx.expect_steps(table.num_partitions());
    let groups = table
        .stored_partitions()
        .par_iter()
        .zip(table.row_starts())
        .map(|(batch, &first)| {
            ctx.check()?;
            let groups = (0..batch.num_rows() as u64)
                .map(|i| split.group_of(first as u64 + i))
                .collect();
            ctx.advance();
            Ok(groups)
        })
        .collect::<Vec<_>>();
    first_error_in_row_order(groups)
}

/// The fit's training rows and its held-out rows of `table`, by the rows' `groups`.
fn split_rows(
    table: &Table,
    held_out: HeldOut,
    split: &Split,
    groups: &[Vec<u16>],
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
        .zip(groups)
        .map(|(i, groups)| {
            ctx.check()?;
            let batch = &table.partition(i)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::run_pipeline;
    use crate::clean::StepCache;
    use crate::ml::split::Tuning;
    use crate::testing::table_in_parts;

    fn same(a: &Table, b: &Table, what: &str) {
        assert_eq!(a.schema(), b.schema(), "{what}");
        assert_eq!(a.row_starts(), b.row_starts(), "{what}");
        assert_eq!(a.partitions().unwrap(), b.partitions().unwrap(), "{what}");
    }

    /// Every fit's sides from the shared pass equal the sides of the fit's own run, on a
    /// table a filter made (uneven partitions, one of them empty), under CrossValidator
    /// and TrainValidationSplit, with and without a test set, stored plain and compact.
    #[test]
    fn shared_sides_are_each_fits_own() {
        let rows: Vec<String> = (0..90)
            .map(|i| {
                let age = if i % 7 == 2 {
                    String::new()
                } else {
                    format!("{}", 20 + (i * 13) % 47)
                };
                let plan = ["basic", "pro", "plus", "", "basic"][(i * 5 + i / 3) % 5];
                let region = ["n", "s", "e", "w"][(i * 3) % 4];
                format!("{i},{age},{plan},{region}")
            })
            .collect();
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        let source = Arc::new(table_in_parts(
            "id:int,age:double,plan:string,region:string",
            &refs,
            6,
        ));
        let catalog = Catalog::new();
        let ctx = JobContext::default();
        let pipeline = PipelineSpec::from_json(
            r#"{"version":1,"steps":[
                {"op":"filter","condition":"id < 15 OR id >= 30"},
                {"op":"imputer","inputCols":["age"],"outputCols":["age"]},
                {"op":"stringIndexer","inputCols":["plan","region"],"outputCols":["plan_i","region_i"],"handleInvalid":"skip"},
                {"op":"oneHotEncoder","inputCols":["plan_i","region_i"],"outputCols":["plan_v","region_v"]},
                {"op":"withColumn","column":"age2","expr":"age * age"}
            ]}"#,
        )
        .unwrap();
        let at = first_refitted_step(&pipeline.steps).unwrap();
        let before = PipelineSpec {
            version: 1,
            steps: pipeline.steps[..at].to_vec(),
        };
        let run = run_pipeline(
            &catalog,
            &source,
            &before,
            &mut StepCache::default(),
            false,
            &ctx,
        )
        .unwrap();
        assert!(run
            .output
            .stored_partitions()
            .iter()
            .any(|b| b.num_rows() == 0));
        // The same table stored compact, as a large one is.
        let compact = Arc::new(Table::clone(&run.output).compacted().unwrap());
        assert!(compact.is_compact());
        for (tuning, test_fraction, table) in [
            (Tuning::CrossValidator { num_folds: 3 }, 0.2, &run.output),
            (Tuning::CrossValidator { num_folds: 5 }, 0.0, &run.output),
            (
                Tuning::TrainValidationSplit { train_ratio: 0.7 },
                0.25,
                &run.output,
            ),
            (Tuning::CrossValidator { num_folds: 4 }, 0.1, &compact),
        ] {
            let split = Split::new(&tuning, test_fraction, 7).unwrap();
            let refit = PipelineRefit {
                catalog: &catalog,
                table: Arc::clone(table),
                before: run.fitted.steps.clone(),
                refitted: PipelineSpec {
                    version: 1,
                    steps: pipeline.steps[at..].to_vec(),
                },
                label: None,
                shared: OnceLock::new(),
            };
            let held_outs = std::iter::once(HeldOut::Test)
                .chain((0..split.evaluated_folds()).map(HeldOut::Fold));
            for (fit, held_out) in held_outs.enumerate() {
                let what = format!("{tuning:?}, {held_out:?}");
                let shared = refit.sides(held_out, &split, &ctx).unwrap();
                let state = refit.shared.get().unwrap();
                let fold_fit = state.fold_fit.as_ref().expect("shared");
                assert!(fold_fit.fitted(fit).is_some(), "{what}");
                let alone = refit
                    .refit_alone(held_out, &split, &state.groups, &ctx)
                    .unwrap();
                same(&shared.training, &alone.training, &what);
                same(&shared.held_out, &alone.held_out, &what);
                assert_eq!(shared.vectors, alone.vectors, "{what}");
                assert_eq!(shared.pipeline, alone.pipeline, "{what}");
            }
        }
    }
}
