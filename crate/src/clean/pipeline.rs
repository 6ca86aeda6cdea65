//! Running a pipeline: each step in order, estimators fitted on the data they receive
//! (unless the spec already carries their fitted state), with a report per step.
//!
//! Intermediate results are kept in a [`StepCache`]: the outputs of the last run (so
//! editing the last step of a pipeline re-runs only that step) and, across runs, the
//! output of every `cache` step (Spark's `df.cache()`: what comes after it starts from the
//! kept data instead of recomputing what comes before).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::clean::columns;
use crate::clean::dedupe::drop_duplicates;
use crate::clean::expr;
use crate::clean::imputer::Imputer;
use crate::clean::indexer::{StringIndexer, UNKNOWN_LABEL};
use crate::clean::missing::{dropna, fillna};
use crate::clean::onehot::OneHotEncoder;
use crate::clean::spec::{
    HandleInvalid, ImputerFitted, OneHotEncoderFitted, PipelineSpec, Step, StringIndexerFitted,
};
use crate::clock::now_millis;
use crate::error::{Error, Result};
use crate::frame::{Catalog, ColumnInfo, Table};
use crate::job::JobContext;

/// What one step did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub op: &'static str,
    pub rows_in: usize,
    pub rows_out: usize,
    pub partitions: usize,
    pub columns: Vec<ColumnInfo>,
    pub elapsed_ms: f64,
    /// The output was taken from the cache rather than computed by this run.
    pub from_cache: bool,
    pub warnings: Vec<String>,
}

/// A pipeline's result: the cleaned table, the pipeline with every estimator fitted
/// (Spark's `PipelineModel`), and what each step did.
#[derive(Debug, Clone)]
pub struct PipelineRun {
    pub output: Arc<Table>,
    pub fitted: PipelineSpec,
    pub reports: Vec<StepReport>,
}

/// A step's output, kept for later runs of pipelines that start the same way.
#[derive(Debug)]
struct Kept {
    source: Arc<Table>,
    /// The steps as requested (possibly unfitted): what a later request must repeat.
    steps: Vec<Step>,
    fitted: Vec<Step>,
    reports: Vec<StepReport>,
    output: Arc<Table>,
    /// Kept by a `cache` step across runs (the others last until the next run).
    pinned: bool,
}

/// Intermediate results of earlier runs; see the module documentation.
#[derive(Debug, Default)]
pub struct StepCache {
    kept: Vec<Kept>,
}

/// How many `cache` results are kept; the oldest goes first.
const PINNED_RESULTS: usize = 8;

impl StepCache {
    /// Forgets everything computed from `source` (a table that was dropped or replaced).
    pub fn forget(&mut self, source: &Arc<Table>) {
        self.kept.retain(|k| !Arc::ptr_eq(&k.source, source));
    }

    /// Keeps only what was computed from sources for which `alive` holds.
    pub fn retain_sources(&mut self, alive: impl Fn(&Arc<Table>) -> bool) {
        self.kept.retain(|k| alive(&k.source));
    }

    /// The longest kept prefix of `steps` computed from `source`.
    fn longest_prefix(&self, source: &Arc<Table>, steps: &[Step]) -> Option<&Kept> {
        self.kept
            .iter()
            .filter(|k| {
                Arc::ptr_eq(&k.source, source)
                    && k.steps.len() <= steps.len()
                    && k.steps[..] == steps[..k.steps.len()]
            })
            .max_by_key(|k| k.steps.len())
    }

    /// Keeps a run's step outputs in place of the last run's (pinned ones stay).
    fn remember(&mut self, run: Vec<Kept>) {
        self.kept.retain(|k| k.pinned);
        self.add(run);
    }

    /// Adds kept outputs, dropping the oldest pinned ones past the limit.
    fn add(&mut self, run: Vec<Kept>) {
        for kept in run {
            let duplicate = self
                .kept
                .iter()
                .any(|k| k.pinned && Arc::ptr_eq(&k.source, &kept.source) && k.steps == kept.steps);
            if !duplicate {
                self.kept.push(kept);
            }
        }
        while self.kept.iter().filter(|k| k.pinned).count() > PINNED_RESULTS {
            if let Some(oldest) = self.kept.iter().position(|k| k.pinned) {
                self.kept.remove(oldest);
            }
        }
    }
}

/// Runs `spec` on `source`. `catalog` resolves tables named inside SQL expressions.
/// With `remember`, the step outputs are kept in `cache` for the next run (previews);
/// without, the cache is only read (training, scoring).
pub fn run_pipeline(
    catalog: &Catalog,
    source: &Arc<Table>,
    spec: &PipelineSpec,
    cache: &mut StepCache,
    remember: bool,
    ctx: &JobContext,
) -> Result<PipelineRun> {
    run_numbered(catalog, source, spec, cache, remember, 0, ctx)
}

/// Runs the steps of `part`, the end of a longer pipeline whose first `steps_before`
/// steps made `source`: errors name steps by their number in the whole pipeline. Nothing
/// is cached (training refits such a part on each fold's rows).
pub fn run_pipeline_part(
    catalog: &Catalog,
    source: &Arc<Table>,
    part: &PipelineSpec,
    steps_before: usize,
    ctx: &JobContext,
) -> Result<PipelineRun> {
    let mut cache = StepCache::default();
    run_numbered(catalog, source, part, &mut cache, false, steps_before, ctx)
}

#[allow(clippy::too_many_arguments)]
fn run_numbered(
    catalog: &Catalog,
    source: &Arc<Table>,
    spec: &PipelineSpec,
    cache: &mut StepCache,
    remember: bool,
    steps_before: usize,
    ctx: &JobContext,
) -> Result<PipelineRun> {
    spec.check_version()?;
    let (mut table, mut fitted, mut reports) = match cache.longest_prefix(source, &spec.steps) {
        Some(kept) => (
            Arc::clone(&kept.output),
            kept.fitted.clone(),
            kept.reports
                .iter()
                .map(|r| StepReport {
                    from_cache: true,
                    ..r.clone()
                })
                .collect::<Vec<_>>(),
        ),
        None => (Arc::clone(source), Vec::new(), Vec::new()),
    };
    let mut new_outputs = Vec::new();
    for (i, step) in spec.steps.iter().enumerate().skip(fitted.len()) {
        let started = now_millis();
        let labels = indexer_labels(&fitted);
        let (output, fitted_step, warnings) = apply_step(catalog, &table, step, &labels, ctx)
            .map_err(|e| e.in_step((steps_before + i) as u64 + 1, step.op()))?;
        reports.push(StepReport {
            op: step.op(),
            rows_in: table.num_rows(),
            rows_out: output.num_rows(),
            partitions: output.num_partitions(),
            columns: ColumnInfo::of_schema(output.schema()),
            elapsed_ms: now_millis() - started,
            from_cache: false,
            warnings,
        });
        // A step's output from a compact table (a large one) is stored compact too: the
        // steps that work partition by partition already made it so; the others (a
        // filter or dedupe by SQL) made plain partitions, compacted here.
        let output = if table.is_compact() && !output.is_compact() {
            output.compacted()?
        } else {
            output
        };
        table = Arc::new(output);
        fitted.push(fitted_step);
        let pinned = matches!(step, Step::Cache);
        if remember || pinned {
            new_outputs.push(Kept {
                source: Arc::clone(source),
                steps: spec.steps[..=i].to_vec(),
                fitted: fitted.clone(),
                reports: reports.clone(),
                output: Arc::clone(&table),
                pinned,
            });
        }
    }
    if remember {
        cache.remember(new_outputs);
    } else {
        cache.add(new_outputs);
    }
    Ok(PipelineRun {
        output: table,
        fitted: PipelineSpec {
            version: spec.version,
            steps: fitted,
        },
        reports,
    })
}

/// The categories of the index columns made by earlier StringIndexer steps, by
/// lower-cased output name: the labels, then `__unknown` when the indexer keeps invalid
/// values (Spark's indexer metadata, which OneHotEncoder reads).
pub(crate) fn indexer_labels(fitted: &[Step]) -> HashMap<String, Vec<String>> {
    let mut labels = HashMap::new();
    for step in fitted {
        if let Step::StringIndexer {
            output_cols,
            handle_invalid,
            fitted: Some(StringIndexerFitted { labels: learned }),
            ..
        } = step
        {
            for (out, l) in output_cols.iter().zip(learned) {
                let mut categories = l.clone();
                if *handle_invalid == HandleInvalid::Keep {
                    categories.push(UNKNOWN_LABEL.to_string());
                }
                labels.insert(out.to_lowercase(), categories);
            }
        }
    }
    labels
}

/// One step: its output, the step with what it learned, and warnings for the user.
pub(crate) fn apply_step(
    catalog: &Catalog,
    input: &Arc<Table>,
    step: &Step,
    labels: &HashMap<String, Vec<String>>,
    ctx: &JobContext,
) -> Result<(Table, Step, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut fitted_step = step.clone();
    let output = match step {
        Step::Filter { condition } => expr::filter(catalog, input, condition, ctx)?,
        Step::WithColumn { column, expr } => expr::with_column(catalog, input, column, expr, ctx)?,
        Step::Cast { column, data_type } => expr::cast(catalog, input, column, data_type, ctx)?,
        Step::Drop { columns } => {
            let (table, unknown) = columns::drop(input, columns)?;
            warnings = unknown;
            table
        }
        Step::Select { columns } => columns::select(input, columns)?,
        Step::Dropna {
            how,
            thresh,
            subset,
        } => dropna(input, *how, *thresh, subset.as_deref(), ctx)?,
        Step::Fillna { values } => fillna(input, values, ctx)?,
        Step::Imputer {
            input_cols,
            output_cols,
            strategy,
            missing_value,
            fitted,
        } => {
            let imputer = Imputer::new(input.schema(), input_cols, output_cols, *missing_value)?;
            let model: ImputerFitted = match fitted {
                Some(f) => f.clone(),
                None => imputer.fit(input, *strategy, ctx)?,
            };
            let out = imputer.transform(input, &model, ctx)?;
            if let Step::Imputer { fitted, .. } = &mut fitted_step {
                *fitted = Some(model);
            }
            out
        }
        Step::StringIndexer {
            input_cols,
            output_cols,
            string_order_type,
            handle_invalid,
            fitted,
        } => {
            let indexer = StringIndexer::new(input.schema(), input_cols, output_cols)?;
            let (out, model) = match fitted {
                Some(f) => (
                    indexer.transform(input, f, *handle_invalid, ctx)?,
                    f.clone(),
                ),
                None => indexer.fit_transform(input, *string_order_type, *handle_invalid, ctx)?,
            };
            if let Step::StringIndexer { fitted, .. } = &mut fitted_step {
                *fitted = Some(model);
            }
            out
        }
        Step::OneHotEncoder {
            input_cols,
            output_cols,
            drop_last,
            handle_invalid,
            fitted,
        } => {
            let encoder = OneHotEncoder::new(input.schema(), input_cols, output_cols)?;
            let model: OneHotEncoderFitted = match fitted {
                Some(f) => f.clone(),
                None => {
                    let known: Vec<Option<Vec<String>>> = input_cols
                        .iter()
                        .map(|c| labels.get(&c.to_lowercase()).cloned())
                        .collect();
                    encoder.fit(input, &known, ctx)?
                }
            };
            let out = encoder.transform(input, &model, *drop_last, *handle_invalid, ctx)?;
            if let Step::OneHotEncoder { fitted, .. } = &mut fitted_step {
                *fitted = Some(model);
            }
            out
        }
        Step::DropDuplicates { subset } => drop_duplicates(input, subset.as_deref(), ctx)?,
        Step::Repartition { num_partitions } => {
            if *num_partitions == 0 || *num_partitions > 100_000 {
                return Err(Error::clean(format!(
                    "repartition needs between 1 and 100000 partitions, not {num_partitions}"
                )));
            }
            input.repartition(*num_partitions)?
        }
        Step::Cache => Table::clone(input),
    };
    Ok((output, fitted_step, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::spec::ImputerStrategy;
    use crate::error::ErrorCode;
    use crate::testing::table_in_parts;

    fn source() -> Arc<Table> {
        Arc::new(table_in_parts(
            "a:int,s:string",
            &["1,x", "2,y", ",x", "4,z", "5,"],
            2,
        ))
    }

    fn steps(json: &str) -> PipelineSpec {
        PipelineSpec::from_json(&format!(r#"{{"version":1,"steps":[{json}]}}"#)).unwrap()
    }

    const FILTER: &str = r#"{"op":"filter","condition":"a IS NULL OR a > 1"}"#;
    const IMPUTE: &str = r#"{"op":"imputer","inputCols":["a"],"outputCols":["a"]}"#;
    const INDEX: &str =
        r#"{"op":"stringIndexer","inputCols":["s"],"outputCols":["i"],"handleInvalid":"keep"}"#;

    #[test]
    fn a_longer_pipeline_reuses_the_last_run() {
        let (catalog, source, ctx) = (Catalog::new(), source(), JobContext::default());
        let mut cache = StepCache::default();
        let first = run_pipeline(
            &catalog,
            &source,
            &steps(&format!("{FILTER},{IMPUTE}")),
            &mut cache,
            true,
            &ctx,
        )
        .unwrap();
        assert_eq!(first.output.num_rows(), 4);
        assert!(first.reports.iter().all(|r| !r.from_cache));
        let second = run_pipeline(
            &catalog,
            &source,
            &steps(&format!("{FILTER},{IMPUTE},{INDEX}")),
            &mut cache,
            true,
            &ctx,
        )
        .unwrap();
        let reused: Vec<bool> = second.reports.iter().map(|r| r.from_cache).collect();
        assert_eq!(reused, [true, true, false]);
        assert_eq!(second.fitted.steps[1], first.fitted.steps[1]);
        // Another source table shares nothing.
        let other = Arc::new(Table::clone(&source));
        let third = run_pipeline(&catalog, &other, &steps(FILTER), &mut cache, true, &ctx).unwrap();
        assert!(!third.reports[0].from_cache);
    }

    #[test]
    fn cache_steps_outlive_other_runs() {
        let (catalog, source, ctx) = (Catalog::new(), source(), JobContext::default());
        let mut cache = StepCache::default();
        let cached = format!(r#"{FILTER},{{"op":"cache"}}"#);
        run_pipeline(
            &catalog,
            &source,
            &steps(&format!("{cached},{IMPUTE}")),
            &mut cache,
            false,
            &ctx,
        )
        .unwrap();
        // A preview of something else replaces the last run's outputs, not the cache.
        run_pipeline(&catalog, &source, &steps(INDEX), &mut cache, true, &ctx).unwrap();
        let again = run_pipeline(
            &catalog,
            &source,
            &steps(&format!("{cached},{INDEX}")),
            &mut cache,
            false,
            &ctx,
        )
        .unwrap();
        let reused: Vec<bool> = again.reports.iter().map(|r| r.from_cache).collect();
        assert_eq!(reused, [true, true, false]);
        cache.forget(&source);
        let fresh =
            run_pipeline(&catalog, &source, &steps(&cached), &mut cache, false, &ctx).unwrap();
        assert!(!fresh.reports[0].from_cache);
    }

    #[test]
    fn errors_name_their_step_and_a_fitted_pipeline_is_not_refitted() {
        let (catalog, source, ctx) = (Catalog::new(), source(), JobContext::default());
        let mut cache = StepCache::default();
        let err = run_pipeline(
            &catalog,
            &source,
            &steps(&format!(
                r#"{IMPUTE},{{"op":"filter","condition":"s + 1"}}"#
            )),
            &mut cache,
            true,
            &ctx,
        )
        .unwrap_err();
        assert_eq!(err.location().step, Some(2));
        assert!(
            err.message().starts_with("step 2 (filter): "),
            "{}",
            err.message()
        );
        let err = run_pipeline(&catalog, &source, &steps(r#"{"op":"drop","columns":["a"]},{"op":"imputer","inputCols":["a"],"outputCols":["a"]}"#), &mut cache, true, &ctx).unwrap_err();
        assert_eq!(
            (err.code(), err.location().step),
            (ErrorCode::CleanInput, Some(2))
        );

        let run = run_pipeline(&catalog, &source, &steps(IMPUTE), &mut cache, true, &ctx).unwrap();
        let Step::Imputer {
            fitted: Some(fitted),
            strategy,
            ..
        } = &run.fitted.steps[0]
        else {
            panic!()
        };
        assert_eq!(
            (*strategy, fitted.surrogates.clone()),
            (ImputerStrategy::Mean, vec![3.0])
        );
        let other = Arc::new(table_in_parts("a:int,s:string", &["100,x", ",y"], 1));
        let replay = run_pipeline(&catalog, &other, &run.fitted, &mut cache, false, &ctx).unwrap();
        let b = replay.output.window(0, 2).unwrap();
        let a = b
            .column(0)
            .as_any()
            .downcast_ref::<arrow_array::Int32Array>()
            .unwrap();
        assert_eq!(a.value(1), 3);
    }
}
