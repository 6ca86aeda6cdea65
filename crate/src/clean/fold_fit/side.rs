//! One fit's two sides (its training rows and its held-out rows) cut from the table by
//! the rows' groups and cleaned by the fit's fitted steps partition by partition, then
//! by the steps after the shared part as a pipeline runs them: kept apart from the
//! fitting, which never touches the rows a second time.

use std::sync::Arc;

use arrow_array::{BooleanArray, RecordBatch};
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use crate::clean::imputer::Imputer;
use crate::clean::onehot::OneHotEncoder;
use crate::clean::run_pipeline_part;
use crate::clean::spec::{HandleInvalid, ImputerFitted, OneHotEncoderFitted, PipelineSpec, Step};
use crate::error::Result;
use crate::frame::compact::compact_batch;
use crate::frame::{first_error_in_row_order, Catalog, Table};
use crate::job::JobContext;

use super::indexer::Indexing;
use super::{filter, FitState, FoldFit};

/// A fitted shared step, ready to apply to batches of one fit.
enum Applier {
    Imputer {
        imputer: Imputer,
        fitted: ImputerFitted,
        schema: SchemaRef,
    },
    Indexer(Indexing),
    OneHot {
        encoder: OneHotEncoder,
        fitted: OneHotEncoderFitted,
        slots: Vec<usize>,
        handle_invalid: HandleInvalid,
        schema: SchemaRef,
    },
    Nothing,
}

impl FoldFit {
    /// The rows of groups `keep` cleaned by `state`: the shared steps applied partition
    /// by partition (an indexer looks its rows' codes up), then the steps after them.
    pub(super) fn side(
        &self,
        catalog: &Catalog,
        state: &FitState,
        keep: &(dyn Fn(u16) -> bool + Sync),
        ctx: &JobContext,
    ) -> Result<Table> {
        let steps = self.appliers(state)?;
        ctx.expect_steps(self.table.num_partitions());
        // A compact table's partitions are decoded one at a time and the side's stored
        // compact again, as the pipeline stores a compact table's steps.
        let compact = self.table.is_compact();
        let partitions = (0..self.table.num_partitions())
            .into_par_iter()
            .map(|p| {
                ctx.check()?;
                let out = self
                    .side_partition(p, &self.table.partition(p)?, &steps, keep)
                    .and_then(|b| if compact { compact_batch(&b) } else { Ok(b) });
                ctx.advance();
                out
            })
            .collect::<Vec<_>>();
        let partitions = first_error_in_row_order(partitions)?;
        let schema = state.schemas[self.shared].clone();
        let side = Arc::new(Table::try_new(schema, partitions)?);
        let rest = PipelineSpec {
            version: state.part.version,
            steps: state.part.steps[self.shared..].to_vec(),
        };
        if rest.steps.is_empty() {
            return Ok(Table::clone(&side));
        }
        let run = run_pipeline_part(catalog, &side, &rest, self.steps_before + self.shared, ctx)?;
        Ok(Table::clone(&run.output))
    }

    /// How each shared step of `state` is applied to a batch.
    fn appliers(&self, state: &FitState) -> Result<Vec<Applier>> {
        state.part.steps[..self.shared]
            .iter()
            .enumerate()
            .map(|(s, step)| {
                let input = &state.schemas[s];
                let output = state.schemas[s + 1].clone();
                Ok(match step {
                    Step::Imputer {
                        input_cols,
                        output_cols,
                        missing_value,
                        fitted: Some(fitted),
                        ..
                    } => Applier::Imputer {
                        imputer: Imputer::new(input, input_cols, output_cols, *missing_value)?,
                        fitted: fitted.clone(),
                        schema: output,
                    },
                    Step::StringIndexer {
                        handle_invalid,
                        fitted: Some(fitted),
                        ..
                    } => Applier::Indexer(Indexing::new(
                        &self.labels[s],
                        fitted,
                        *handle_invalid,
                        output,
                    )),
                    Step::OneHotEncoder {
                        input_cols,
                        output_cols,
                        drop_last,
                        handle_invalid,
                        fitted: Some(fitted),
                    } => {
                        let encoder = OneHotEncoder::new(input, input_cols, output_cols)?;
                        let slots = encoder.slot_counts(fitted, *drop_last, *handle_invalid);
                        Applier::OneHot {
                            encoder,
                            fitted: fitted.clone(),
                            slots,
                            handle_invalid: *handle_invalid,
                            schema: output,
                        }
                    }
                    _ => Applier::Nothing,
                })
            })
            .collect()
    }

    /// Partition `p`'s rows of groups `keep` through the shared steps.
    fn side_partition(
        &self,
        p: usize,
        batch: &RecordBatch,
        steps: &[Applier],
        keep: &(dyn Fn(u16) -> bool + Sync),
    ) -> Result<RecordBatch> {
        let groups = &self.groups[p];
        let mask: BooleanArray = groups.iter().map(|&g| Some(keep(g))).collect();
        let mut rows: Vec<u32> = (0..groups.len() as u32)
            .filter(|&i| keep(groups[i as usize]))
            .collect();
        let mut batch = filter(batch, &mask)?;
        for (s, step) in steps.iter().enumerate() {
            batch = match step {
                Applier::Imputer {
                    imputer,
                    fitted,
                    schema,
                } => imputer.transform_batch(&batch, fitted, schema)?,
                Applier::Indexer(indexing) => {
                    indexing.apply(&batch, &mut rows, &self.codes[s][p], &self.labels[s], p)?
                }
                Applier::OneHot {
                    encoder,
                    fitted,
                    slots,
                    handle_invalid,
                    schema,
                } => encoder.encode_batch(&batch, fitted, slots, *handle_invalid, schema, 0)?,
                Applier::Nothing => batch,
            };
        }
        Ok(batch)
    }
}
