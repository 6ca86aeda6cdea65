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

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch};
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use crate::clean::columns::{as_doubles, resolve};
use crate::clean::imputer::{excluded, Imputer, Partial};
use crate::clean::indexer::{as_strings, order_labels};
use crate::clean::onehot::{OneHotEncoder, MAX_CATEGORIES};
use crate::clean::pipeline::{apply_step, indexer_labels};
use crate::clean::run_pipeline_part;
use crate::clean::spec::{
    HandleInvalid, ImputerFitted, ImputerStrategy, OneHotEncoderFitted, PipelineSpec, Step,
    StringIndexerFitted,
};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::compact::compact_batch;
use crate::frame::{first_error_in_row_order, Catalog, Table};
use crate::job::JobContext;

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

/// What the pass gathers for one step of the shared part.
enum Gather {
    Imputer {
        columns: Vec<usize>,
        strategy: ImputerStrategy,
        missing_value: Option<f64>,
    },
    Indexer {
        columns: Vec<usize>,
        /// Rows with a NULL input leave the rows the later steps see (`skip`).
        skips: bool,
    },
    /// Per input: the column whose largest index is learned, or `None` for an input a
    /// StringIndexer of the part made.
    OneHot(Vec<Option<usize>>),
    Nothing,
}

/// One partition's statistics for one step.
enum StepStats {
    /// Per input column.
    Imputer(Vec<ImputerStats>),
    Indexer {
        /// Per input column.
        coded: Vec<Coded>,
        /// Per group: whether a row that reaches the step has a NULL input.
        nulls: Vec<bool>,
    },
    /// Per input: the largest index of each group, for the scanned inputs.
    OneHot(Vec<Option<Vec<f64>>>),
    Nothing,
}

enum ImputerStats {
    /// Per fit: the sum and count of its usable values, added in row order.
    Mean { sums: Vec<f64>, counts: Vec<u64> },
    /// The usable values and their rows' groups.
    Values { values: Vec<f64>, groups: Vec<u16> },
    /// Counts by (value bits with -0.0 as 0.0, group).
    Mode(HashMap<(u64, u16), u64>),
}

/// One partition's values of a column coded against the partition's distinct values.
struct Coded {
    dictionary: Vec<String>,
    /// `counts[code * groups + group]`: rows reaching the step with that value.
    counts: Vec<u64>,
    /// Every row's code ([`NULL_CODE`] for NULL).
    codes: Vec<u32>,
}

const NULL_CODE: u32 = u32::MAX;

/// The values of one StringIndexer input over the whole table.
struct Labels {
    /// By global id, first seen first.
    values: Vec<String>,
    /// `counts[id * groups + group]`.
    counts: Vec<u64>,
    /// Per partition: each local code's global id.
    ids: Vec<Vec<u32>>,
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
        let (labels, codes) = merge_codes(&mut stats, gathers.len(), num_groups);
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
                (Gather::Imputer { strategy, .. }, _) => {
                    imputer_state(stats, s, *strategy, rows, k).map(|surrogates| {
                        with_state(step, State::Imputer(ImputerFitted { surrogates }))
                    })
                }
                (
                    Gather::Indexer { .. },
                    Step::StringIndexer {
                        string_order_type,
                        handle_invalid,
                        ..
                    },
                ) => {
                    let null_in_training = stats.iter().any(|p| match &p[s] {
                        StepStats::Indexer { nulls, .. } => nulls
                            .iter()
                            .enumerate()
                            .any(|(g, &n)| n && rows.trains(g as u16)),
                        _ => false,
                    });
                    if null_in_training && *handle_invalid == HandleInvalid::Error {
                        None
                    } else {
                        let labels = self.labels[s]
                            .iter()
                            .map(|l| {
                                let counted = l
                                    .values
                                    .iter()
                                    .enumerate()
                                    .filter_map(|(id, v)| {
                                        let n: u64 = (0..num_groups)
                                            .filter(|&g| rows.trains(g as u16))
                                            .map(|g| l.counts[id * num_groups + g])
                                            .sum();
                                        (n > 0).then(|| (v.clone(), n))
                                    })
                                    .collect();
                                order_labels(counted, *string_order_type)
                            })
                            .collect();
                        Some(with_state(
                            step,
                            State::Indexer(StringIndexerFitted { labels }),
                        ))
                    }
                }
                (Gather::OneHot(scanned), Step::OneHotEncoder { input_cols, .. }) => {
                    let known = indexer_labels(&fitted);
                    one_hot_state(stats, s, scanned, input_cols, &known, rows)
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

    /// The rows of groups `keep` cleaned by `state`: the shared steps applied partition
    /// by partition (an indexer looks its rows' codes up), then the steps after them.
    fn side(
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
                    } => {
                        // Each input's index by global id (NaN: not a label of this fit).
                        let by_id: Vec<Vec<f64>> = self.labels[s]
                            .iter()
                            .zip(&fitted.labels)
                            .map(|(values, labels)| {
                                let position: HashMap<&str, f64> = labels
                                    .iter()
                                    .enumerate()
                                    .map(|(i, l)| (l.as_str(), i as f64))
                                    .collect();
                                values
                                    .values
                                    .iter()
                                    .map(|v| position.get(v.as_str()).copied().unwrap_or(f64::NAN))
                                    .collect()
                            })
                            .collect();
                        Applier::Indexer {
                            by_id,
                            unknown: fitted.labels.iter().map(|l| l.len() as f64).collect(),
                            handle_invalid: *handle_invalid,
                            schema: output,
                        }
                    }
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
                Applier::Indexer {
                    by_id,
                    unknown,
                    handle_invalid,
                    schema,
                } => {
                    let mut dropped: Option<Vec<bool>> = None;
                    let mut columns = batch.columns().to_vec();
                    for (j, index) in by_id.iter().enumerate() {
                        let codes = &self.codes[s][p][j];
                        let ids = &self.labels[s][j].ids[p];
                        let mut out = Vec::with_capacity(rows.len());
                        for (i, &r) in rows.iter().enumerate() {
                            let code = codes[r as usize];
                            let value = match code {
                                NULL_CODE => f64::NAN,
                                c => index[ids[c as usize] as usize],
                            };
                            if !value.is_nan() {
                                out.push(value);
                                continue;
                            }
                            match handle_invalid {
                                HandleInvalid::Error => {
                                    return Err(Error::clean("an invalid value to index"))
                                }
                                HandleInvalid::Skip => {
                                    dropped.get_or_insert_with(|| vec![true; rows.len()])[i] = false
                                }
                                HandleInvalid::Keep => {}
                            }
                            out.push(unknown[j]);
                        }
                        columns.push(Arc::new(Float64Array::from(out)) as ArrayRef);
                    }
                    let out = RecordBatch::try_new(schema.clone(), columns)
                        .map_err(|e| Error::internal("indexing strings", e))?;
                    match dropped {
                        None => out,
                        Some(kept) => {
                            rows = rows
                                .iter()
                                .zip(&kept)
                                .filter(|(_, &k)| k)
                                .map(|(&r, _)| r)
                                .collect();
                            filter(&out, &BooleanArray::from(kept))?
                        }
                    }
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

/// A fitted shared step, ready to apply to batches of one fit.
enum Applier {
    Imputer {
        imputer: Imputer,
        fitted: ImputerFitted,
        schema: SchemaRef,
    },
    Indexer {
        /// Per input: the index of each global id (NaN: invalid).
        by_id: Vec<Vec<f64>>,
        unknown: Vec<f64>,
        handle_invalid: HandleInvalid,
        schema: SchemaRef,
    },
    OneHot {
        encoder: OneHotEncoder,
        fitted: OneHotEncoderFitted,
        slots: Vec<usize>,
        handle_invalid: HandleInvalid,
        schema: SchemaRef,
    },
    Nothing,
}

fn filter(batch: &RecordBatch, mask: &BooleanArray) -> Result<RecordBatch> {
    arrow_select::filter::filter_record_batch(batch, mask)
        .map_err(|e| Error::internal("splitting rows into folds", e))
}

/// What the pass gathers for each step, or `None` when a step is not covered: a step
/// other than an estimator to fit or `cache`, or an estimator reading a column an
/// earlier step of the part rewrote (other than a OneHotEncoder of an indexer's output).
fn plan(table: &Table, steps: &[Step]) -> Option<Vec<Gather>> {
    let schema = table.schema();
    let mut rewritten: HashSet<usize> = HashSet::new();
    let mut indexed: HashSet<String> = HashSet::new();
    let mut gathers = Vec::with_capacity(steps.len());
    for step in steps {
        let column = |name: &String, rewritten: &HashSet<usize>| {
            resolve(schema, name)
                .ok()
                .filter(|i| !rewritten.contains(i))
        };
        let gather = match step {
            Step::Imputer {
                input_cols,
                output_cols,
                strategy,
                missing_value,
                fitted: None,
            } => {
                let columns = input_cols
                    .iter()
                    .map(|c| column(c, &rewritten))
                    .collect::<Option<Vec<_>>>()?;
                for (&i, output) in columns.iter().zip(output_cols) {
                    if resolve(schema, output).ok() == Some(i) {
                        rewritten.insert(i);
                    }
                }
                Gather::Imputer {
                    columns,
                    strategy: *strategy,
                    missing_value: *missing_value,
                }
            }
            Step::StringIndexer {
                input_cols,
                output_cols,
                handle_invalid,
                fitted: None,
                ..
            } => {
                let columns = input_cols
                    .iter()
                    .map(|c| column(c, &rewritten))
                    .collect::<Option<Vec<_>>>()?;
                indexed.extend(output_cols.iter().map(|o| o.to_lowercase()));
                Gather::Indexer {
                    columns,
                    skips: *handle_invalid == HandleInvalid::Skip,
                }
            }
            Step::OneHotEncoder {
                input_cols,
                fitted: None,
                ..
            } => Gather::OneHot(
                input_cols
                    .iter()
                    .map(|c| {
                        if indexed.contains(&c.to_lowercase()) {
                            Some(None)
                        } else {
                            column(c, &rewritten).map(Some)
                        }
                    })
                    .collect::<Option<Vec<_>>>()?,
            ),
            Step::Cache => Gather::Nothing,
            _ => return None,
        };
        gathers.push(gather);
    }
    Some(gathers)
}

/// The one pass's work on a partition.
struct Pass<'a> {
    gathers: &'a [Gather],
    training_fits: &'a [Vec<usize>],
    num_fits: usize,
    num_groups: usize,
}

impl Pass<'_> {
    fn partition(&self, batch: &RecordBatch, groups: &[u16]) -> Result<Vec<StepStats>> {
        // Rows still there for the step (a skipping indexer drops rows with a NULL).
        let mut alive: Option<Vec<bool>> = None;
        let mut out = Vec::with_capacity(self.gathers.len());
        for gather in self.gathers {
            let reaches = |i: usize| alive.as_ref().is_none_or(|a| a[i]);
            let stats = match gather {
                Gather::Imputer {
                    columns,
                    strategy,
                    missing_value,
                } => StepStats::Imputer(
                    columns
                        .iter()
                        .map(|&c| {
                            let values = as_doubles(batch.column(c))?;
                            Ok(self.imputer(&values, groups, *strategy, *missing_value, &reaches))
                        })
                        .collect::<Result<_>>()?,
                ),
                Gather::Indexer { columns, skips } => {
                    let mut nulls = vec![false; self.num_groups];
                    let mut null_rows: Vec<bool> = Vec::new();
                    let mut coded = Vec::with_capacity(columns.len());
                    for &c in columns {
                        let strings = as_strings(batch.column(c))?;
                        let mut dictionary: Vec<String> = Vec::new();
                        let mut counts: Vec<u64> = Vec::new();
                        let mut codes = Vec::with_capacity(groups.len());
                        let mut index: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
                        for (i, value) in strings.iter().enumerate() {
                            let Some(value) = value else {
                                codes.push(NULL_CODE);
                                if reaches(i) {
                                    nulls[groups[i] as usize] = true;
                                    if *skips {
                                        if null_rows.is_empty() {
                                            null_rows = vec![false; groups.len()];
                                        }
                                        null_rows[i] = true;
                                    }
                                }
                                continue;
                            };
                            let next = index.len() as u32;
                            let code = *index.entry(value).or_insert(next);
                            if code == next {
                                dictionary.push(value.to_string());
                                counts.extend(std::iter::repeat_n(0, self.num_groups));
                            }
                            if reaches(i) {
                                counts[code as usize * self.num_groups + groups[i] as usize] += 1;
                            }
                            codes.push(code);
                        }
                        coded.push(Coded {
                            dictionary,
                            counts,
                            codes,
                        });
                    }
                    if !null_rows.is_empty() {
                        let a = alive.get_or_insert_with(|| vec![true; groups.len()]);
                        for (a, &n) in a.iter_mut().zip(&null_rows) {
                            *a &= !n;
                        }
                    }
                    StepStats::Indexer { coded, nulls }
                }
                Gather::OneHot(scanned) => StepStats::OneHot(
                    scanned
                        .iter()
                        .map(|c| {
                            c.map(|c| {
                                let values = as_doubles(batch.column(c))?;
                                let mut max = vec![-1.0f64; self.num_groups];
                                for (i, v) in values.iter().enumerate() {
                                    if let Some(v) = v.filter(|_| reaches(i)) {
                                        let m = &mut max[groups[i] as usize];
                                        *m = m.max(v);
                                    }
                                }
                                Ok(max)
                            })
                            .transpose()
                        })
                        .collect::<Result<_>>()?,
                ),
                Gather::Nothing => StepStats::Nothing,
            };
            out.push(stats);
        }
        Ok(out)
    }

    /// One column's statistics for an Imputer, over the rows that reach it.
    fn imputer(
        &self,
        values: &Float64Array,
        groups: &[u16],
        strategy: ImputerStrategy,
        missing_value: Option<f64>,
        reaches: &dyn Fn(usize) -> bool,
    ) -> ImputerStats {
        let usable = values
            .iter()
            .enumerate()
            .filter(|(i, _)| reaches(*i))
            .filter_map(|(i, v)| v.map(|v| (groups[i], v)))
            .filter(|&(_, v)| !excluded(v, missing_value));
        match strategy {
            ImputerStrategy::Mean => {
                // Each fit adds its values in row order from 0.0, as its own pass does.
                let mut sums = vec![0.0; self.num_fits];
                let mut counts = vec![0u64; self.num_fits];
                for (g, v) in usable {
                    for &k in &self.training_fits[g as usize] {
                        sums[k] += v;
                        counts[k] += 1;
                    }
                }
                ImputerStats::Mean { sums, counts }
            }
            ImputerStrategy::Median => {
                let (groups, values) = usable.unzip();
                ImputerStats::Values { values, groups }
            }
            ImputerStrategy::Mode => {
                let mut counts = HashMap::new();
                for (g, v) in usable {
                    *counts.entry(((v + 0.0).to_bits(), g)).or_insert(0) += 1;
                }
                ImputerStats::Mode(counts)
            }
        }
    }
}

/// Each indexer input's values over the whole table (moving the partitions' codes out of
/// `stats`): per step, per input; and per step, per partition, per input, the codes.
#[allow(clippy::type_complexity)]
fn merge_codes(
    stats: &mut [Vec<StepStats>],
    steps: usize,
    num_groups: usize,
) -> (Vec<Vec<Labels>>, Vec<Vec<Vec<Vec<u32>>>>) {
    let mut labels: Vec<Vec<Labels>> = Vec::with_capacity(steps);
    let mut codes: Vec<Vec<Vec<Vec<u32>>>> = Vec::with_capacity(steps);
    for s in 0..steps {
        let mut step_labels: Vec<Labels> = Vec::new();
        let mut step_codes: Vec<Vec<Vec<u32>>> = Vec::new();
        for partition in stats.iter_mut() {
            let StepStats::Indexer { coded, .. } = &mut partition[s] else {
                continue;
            };
            if step_labels.is_empty() {
                step_labels = (0..coded.len())
                    .map(|_| Labels {
                        values: Vec::new(),
                        counts: Vec::new(),
                        ids: Vec::new(),
                    })
                    .collect();
            }
            let mut partition_codes = Vec::with_capacity(coded.len());
            for (merged, c) in step_labels.iter_mut().zip(coded.iter_mut()) {
                let mut id_of: HashMap<&str, u32> = merged
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.as_str(), i as u32))
                    .collect();
                let mut new_values = Vec::new();
                let ids: Vec<u32> = c
                    .dictionary
                    .iter()
                    .map(|v| {
                        let next = (merged.values.len() + new_values.len()) as u32;
                        let id = *id_of.entry(v.as_str()).or_insert(next);
                        if id == next {
                            new_values.push(v.clone());
                        }
                        id
                    })
                    .collect();
                drop(id_of);
                merged.values.extend(new_values);
                merged.counts.resize(merged.values.len() * num_groups, 0);
                for (code, &id) in ids.iter().enumerate() {
                    for g in 0..num_groups {
                        merged.counts[id as usize * num_groups + g] +=
                            c.counts[code * num_groups + g];
                    }
                }
                merged.ids.push(ids);
                partition_codes.push(std::mem::take(&mut c.codes));
            }
            step_codes.push(partition_codes);
        }
        labels.push(step_labels);
        codes.push(step_codes);
    }
    (labels, codes)
}

/// A fit's surrogates from the partitions' statistics of step `s`, merged as the
/// Imputer merges its partitions (`None` when an input has no usable value).
fn imputer_state(
    stats: &[Vec<StepStats>],
    s: usize,
    strategy: ImputerStrategy,
    rows: &FitRows,
    k: usize,
) -> Option<Vec<f64>> {
    let inputs = match stats.first().map(|p| &p[s]) {
        Some(StepStats::Imputer(columns)) => columns.len(),
        _ => return None,
    };
    (0..inputs)
        .map(|j| {
            let mut merged = Partial::empty(strategy);
            for partition in stats {
                let StepStats::Imputer(columns) = &partition[s] else {
                    return None;
                };
                let partial = match &columns[j] {
                    ImputerStats::Mean { sums, counts } => Partial::Mean {
                        sum: sums[k],
                        count: counts[k],
                    },
                    ImputerStats::Values { values, groups } => Partial::Median(
                        values
                            .iter()
                            .zip(groups)
                            .filter(|(_, &g)| rows.trains(g))
                            .map(|(&v, _)| v)
                            .collect(),
                    ),
                    ImputerStats::Mode(counts) => {
                        let mut mine = std::collections::HashMap::new();
                        for (&(bits, g), &n) in counts {
                            if rows.trains(g) {
                                *mine.entry(bits).or_insert(0) += n;
                            }
                        }
                        Partial::Mode(mine)
                    }
                };
                merged = merged.merge(&partial);
            }
            merged.surrogate()
        })
        .collect()
}

/// A fit's OneHotEncoder state: an indexer's labels for its outputs, the largest index
/// of the fit's training rows for the other inputs (`None` past the encoder's limits or
/// without any index, where the fit's own run fails).
fn one_hot_state(
    stats: &[Vec<StepStats>],
    s: usize,
    scanned: &[Option<usize>],
    input_cols: &[String],
    known: &std::collections::HashMap<String, Vec<String>>,
    rows: &FitRows,
) -> Option<OneHotEncoderFitted> {
    let mut sizes = Vec::with_capacity(input_cols.len());
    let mut names = Vec::with_capacity(input_cols.len());
    for (j, (input, column)) in input_cols.iter().zip(scanned).enumerate() {
        let labels = match (known.get(&input.to_lowercase()), column) {
            (Some(labels), _) => labels.clone(),
            (None, Some(_)) => {
                let mut max = -1.0f64;
                for partition in stats {
                    let StepStats::OneHot(maxima) = &partition[s] else {
                        return None;
                    };
                    let by_group = maxima[j].as_ref()?;
                    for (g, &m) in by_group.iter().enumerate() {
                        if rows.trains(g as u16) {
                            max = max.max(m);
                        }
                    }
                }
                if max < 0.0 || max >= MAX_CATEGORIES as f64 {
                    return None;
                }
                (0..=max as usize).map(|i| i.to_string()).collect()
            }
            (None, None) => return None,
        };
        if labels.len() > MAX_CATEGORIES {
            return None;
        }
        sizes.push(labels.len());
        names.push(labels);
    }
    Some(OneHotEncoderFitted {
        category_sizes: sizes,
        category_names: names,
    })
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
