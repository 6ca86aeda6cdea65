//! A pipeline's estimators fitted for many fits of one table in one parallel pass, as
//! tuning refits a cleaning pipeline on each fold's training rows.
//!
//! Every row of the table belongs to a group (a fold, or the test set), and each fit
//! learns from some groups and is applied to one other ([`FitRows`]). Refitting the
//! pipeline on each fit's training rows would read the table once per fit; here one pass
//! over the partitions gathers every fit's statistics at once, keyed by the rows' groups:
//!
//! - StringIndexer: each value's count per group (a fit's counts are the sum over its
//!   training groups, then ordered by `stringOrderType` with Spark's tie rules); the
//!   pass also codes every row against its partition's values, so applying a fit's
//!   indexer is a lookup of the code, not of the string.
//! - Imputer, mean: each fit's running sum and count, added in row order as the fit's own
//!   pass adds them (so the surrogate is the same to the last bit); median: the values
//!   with their groups, each fit's median selected from its groups' values; mode: the
//!   counts of each value per group.
//! - OneHotEncoder: nothing for an input a StringIndexer of the pipeline made (its labels
//!   are the fit's indexer's), else the largest index per group.
//!
//! Chains follow the rows a fit's own run would see: a StringIndexer that skips invalid
//! values drops rows with a NULL input before the steps after it count anything, and a
//! OneHotEncoder reads the labels its fit's indexer learned. The shared pass covers the
//! steps up to the pipeline's last estimator when they are estimators to fit (or
//! `cache`) reading columns that are the same for every fit ([`FoldFit::new`] says
//! `None` otherwise, e.g. a filter between two estimators or an Imputer of an imputed
//! column, and those pipelines are refitted fit by fit). The steps after the last
//! estimator run on each fit's sides as they are.
//!
//! A fit whose own run would fail (an Imputer with no values in its training rows, a
//! NULL with `handleInvalid = error`, an encoder over its category limit, a name
//! clash...) is not fitted here: [`FoldFit::fitted`] and [`FoldFit::sides`] say `None`
//! and the caller runs that fit on its own, which gives exactly its error.
//!
//! The files: [`plan`] decides what the pass gathers for each step (or that the part is
//! not covered), [`pass`] is the pass over the partitions chaining the steps, one file
//! per estimator ([`imputer`], [`indexer`], [`onehot`]) gathers its statistics and
//! makes a fit's state from them, and [`side`] applies a fit's fitted steps to its rows.

mod imputer;
mod indexer;
mod onehot;
mod pass;
mod plan;
mod side;

use std::sync::Arc;

use arrow_array::{BooleanArray, RecordBatch};
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use crate::clean::pipeline::{apply_step, indexer_labels};
use crate::clean::spec::{
    ImputerFitted, OneHotEncoderFitted, PipelineSpec, Step, StringIndexerFitted,
};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::{first_error_in_row_order, Catalog, Table};
use crate::job::JobContext;

use indexer::Labels;
use pass::{Pass, StepStats};
use plan::{plan, Gather};

/// The rows of one fit: the groups it learns from (`trains[group]`) and the group it is
/// applied to besides them.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRows {
    pub trains: Vec<bool>,
    pub held: u16,
}

impl FitRows {
    fn trains(&self, group: u16) -> bool {
        self.trains.get(group as usize).copied().unwrap_or(false)
    }
}

/// One fit's fitted part and the schemas its shared steps read.
struct FitState {
    part: PipelineSpec,
    /// The input schema of each shared step, then the schema after them.
    schemas: Vec<SchemaRef>,
}

/// The estimators of a pipeline part fitted for every fit in one pass; see the module
/// documentation.
pub struct FoldFit {
    table: Table,
    groups: Vec<Vec<u16>>,
    fits: Vec<FitRows>,
    steps_before: usize,
    /// How many steps of the part the pass fitted (through the last estimator).
    shared: usize,
    gathers: Vec<Gather>,
    /// Per step, per input: the indexer's values (empty for other steps).
    labels: Vec<Vec<Labels>>,
    /// Per step, per partition, per input: the rows' codes (empty for other steps).
    codes: Vec<Vec<Vec<Vec<u32>>>>,
    states: Vec<Option<FitState>>,
}

impl FoldFit {
    /// Fits `part` (a pipeline's steps from its first estimator to fit; `steps_before`
    /// steps made `table`) for every fit of `fits`, with `groups[p][i]` the group of row
    /// `i` of partition `p`. `None` when the part has a step the shared pass does not
    /// cover (see the module documentation).
    pub fn new(
        catalog: &Catalog,
        table: &Table,
        groups: Vec<Vec<u16>>,
        fits: Vec<FitRows>,
        part: &PipelineSpec,
        steps_before: usize,
        ctx: &JobContext,
    ) -> Result<Option<FoldFit>> {
        let Some(last) = part.steps.iter().rposition(|s| !s.is_fitted()) else {
            return Ok(None);
        };
        let shared = last + 1;
        let Some(gathers) = plan(table, &part.steps[..shared]) else {
            return Ok(None);
        };
        if groups.len() != table.num_partitions()
            || groups
                .iter()
                .zip(table.stored_partitions())
                .any(|(g, b)| g.len() != b.num_rows())
        {
            return Err(Error::new(
                ErrorCode::Internal,
                "the rows' groups do not match the table's partitions",
            ));
        }
        let num_groups = fits.iter().map(|f| f.trains.len()).max().unwrap_or(0).max(
            1 + groups
                .iter()
                .flatten()
                .copied()
                .max()
                .map_or(0, |g| g as usize),
        );
        // The fits each group trains.
        let training_fits: Vec<Vec<usize>> = (0..num_groups)
            .map(|g| {
                (0..fits.len())
                    .filter(|&k| fits[k].trains(g as u16))
                    .collect()
            })
            .collect();
        let pass = Pass {
            gathers: &gathers,
            training_fits: &training_fits,
            num_fits: fits.len(),
            num_groups,
        };
        ctx.expect_steps(table.num_partitions());
        // Partition by partition: a compact table's partitions are decoded one at a time.
        let stats = (0..table.num_partitions())
            .into_par_iter()
            .zip(&groups)
            .map(|(p, groups)| {
                ctx.check()?;
                let stats = pass.partition(&table.partition(p)?, groups);
                ctx.advance();
                stats
            })
            .collect::<Vec<_>>();
        let mut stats = first_error_in_row_order(stats)?;
        let (labels, codes) = (0..gathers.len())
            .map(|s| {
                let partitions = stats.iter_mut().filter_map(|p| p[s].indexer_mut());
                indexer::merge_codes(partitions, num_groups)
            })
            .unzip();
        let mut fold_fit = FoldFit {
            table: table.clone(),
            groups,
            fits,
            steps_before,
            shared,
            gathers,
            labels,
            codes,
            states: Vec::new(),
        };
        fold_fit.states = (0..fold_fit.fits.len())
            .map(|k| fold_fit.fit_state(catalog, part, &stats, num_groups, k, ctx))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(fold_fit))
    }

    /// Fit `fit`'s part with every estimator fitted, or `None` when that fit is to be run
    /// on its own.
    pub fn fitted(&self, fit: usize) -> Option<&PipelineSpec> {
        self.states.get(fit)?.as_ref().map(|s| &s.part)
    }

    /// Fit `fit`'s training rows and held-out rows, each cleaned by its fitted part, or
    /// `None` when that fit is to be run on its own (its own run then gives the error
    /// this one met). Errors only when the job is cancelled.
    pub fn sides(
        &self,
        catalog: &Catalog,
        fit: usize,
        ctx: &JobContext,
    ) -> Result<Option<(Table, Table)>> {
        let Some(state) = self.states.get(fit).and_then(Option::as_ref) else {
            return Ok(None);
        };
        let rows = &self.fits[fit];
        let both = self
            .side(catalog, state, &|g| rows.trains(g), ctx)
            .and_then(|training| {
                let held = self.side(catalog, state, &|g| g == rows.held, ctx)?;
                Ok((training, held))
            });
        match both {
            Ok(sides) => Ok(Some(sides)),
            Err(e) if e.code() == ErrorCode::Cancelled => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// One fit's state from the merged statistics, checked by running its fitted steps
    /// on no rows (the estimators' own checks of columns and names); `None` where the
    /// fit's own run would fail.
    fn fit_state(
        &self,
        catalog: &Catalog,
        part: &PipelineSpec,
        stats: &[Vec<StepStats>],
        num_groups: usize,
        k: usize,
        ctx: &JobContext,
    ) -> Result<Option<FitState>> {
        let rows = &self.fits[k];
        let mut table = Arc::new(Table::empty(self.table.schema_arc()));
        let mut schemas = Vec::with_capacity(self.shared + 1);
        let mut fitted: Vec<Step> = Vec::with_capacity(part.steps.len());
        for (s, step) in part.steps[..self.shared].iter().enumerate() {
            let learned = match (&self.gathers[s], step) {
                (Gather::Nothing, _) => Some(step.clone()),
                (Gather::Imputer { strategy, .. }, _) => step_stats(stats, s, StepStats::imputer)
                    .and_then(|p| imputer::surrogates(&p, *strategy, rows, k))
                    .map(|surrogates| {
                        with_state(step, State::Imputer(ImputerFitted { surrogates }))
                    }),
                (
                    Gather::Indexer { .. },
                    Step::StringIndexer {
                        string_order_type,
                        handle_invalid,
                        ..
                    },
                ) => indexer::fitted(
                    &stats
                        .iter()
                        .filter_map(|p| p[s].indexer())
                        .collect::<Vec<_>>(),
                    &self.labels[s],
                    num_groups,
                    rows,
                    *string_order_type,
                    *handle_invalid,
                )
                .map(|f| with_state(step, State::Indexer(f))),
                (Gather::OneHot(scanned), Step::OneHotEncoder { input_cols, .. }) => {
                    let known = indexer_labels(&fitted);
                    step_stats(stats, s, StepStats::one_hot)
                        .and_then(|p| onehot::fitted(&p, scanned, input_cols, &known, rows))
                        .map(|f| with_state(step, State::OneHot(f)))
                }
                _ => None,
            };
            let Some(learned) = learned else {
                return Ok(None);
            };
            let labels = indexer_labels(&fitted);
            schemas.push(table.schema_arc());
            match apply_step(catalog, &table, &learned, &labels, ctx) {
                Ok((out, step, _)) => {
                    table = Arc::new(out);
                    fitted.push(step);
                }
                Err(e) if e.code() == ErrorCode::Cancelled => return Err(e),
                Err(_) => return Ok(None),
            }
        }
        schemas.push(table.schema_arc());
        fitted.extend(part.steps[self.shared..].iter().cloned());
        Ok(Some(FitState {
            part: PipelineSpec {
                version: part.version,
                steps: fitted,
            },
            schemas,
        }))
    }
}

/// Step `s`'s statistics in each partition, or `None` when one is not of `pick`'s kind.
fn step_stats<'a, T: ?Sized>(
    stats: &'a [Vec<StepStats>],
    s: usize,
    pick: impl Fn(&'a StepStats) -> Option<&'a T>,
) -> Option<Vec<&'a T>> {
    stats.iter().map(|p| pick(&p[s])).collect()
}

fn filter(batch: &RecordBatch, mask: &BooleanArray) -> Result<RecordBatch> {
    arrow_select::filter::filter_record_batch(batch, mask)
        .map_err(|e| Error::internal("splitting rows into folds", e))
}

enum State {
    Imputer(ImputerFitted),
    Indexer(StringIndexerFitted),
    OneHot(OneHotEncoderFitted),
}

/// `step` carrying `state`.
fn with_state(step: &Step, state: State) -> Step {
    let mut step = step.clone();
    match (&mut step, state) {
        (Step::Imputer { fitted, .. }, State::Imputer(f)) => *fitted = Some(f),
        (Step::StringIndexer { fitted, .. }, State::Indexer(f)) => *fitted = Some(f),
        (Step::OneHotEncoder { fitted, .. }, State::OneHot(f)) => *fitted = Some(f),
        _ => {}
    }
    step
}

#[cfg(test)]
mod tests;
