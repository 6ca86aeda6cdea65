//! Fitting many KMeans models at once: each task (a grid point on a cross-validation
//! fold, say) advances through its own stages — survey, initialisation, Lloyd
//! iterations, summary — and every pass over the rows serves all tasks that are not done
//! yet. A task that converges drops out; the others carry on.

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{Prepared, Subset};

use super::bounds::Motion;
use super::init::{
    distinct, Answer, CandidateCost, CandidateCount, CandidateSelect, ParallelInit, Pick, Request,
};
use super::kept::{silhouette_spec, TrainingClusters};
use super::lloyd::{
    update, ClusterSums, Incremental, LloydStep, Summary, SummaryPartial, INCREMENTAL_BYTES_PER_ROW,
};
use super::model::KMeansModel;
use super::params::{InitMode, KMeansParams};
use super::pass::{self, Gather, Partition};
use super::search::CenterSet;
use super::survey::{Survey, SurveyPartial};

/// One fit of a [`fit_many`] call: its parameters and the rows it learns from.
#[derive(Debug, Clone, PartialEq)]
pub struct FitTask {
    pub params: KMeansParams,
    pub subset: Subset,
}

/// Fits every task, sharing each pass over `parts` between them; the models come back in
/// task order. Equal to fitting each task alone.
pub fn fit_many(
    parts: &[Prepared],
    tasks: &[FitTask],
    ctx: &JobContext,
) -> Result<Vec<KMeansModel>> {
    let keep = vec![false; tasks.len()];
    Ok(fit_many_keeping(parts, tasks, &keep, ctx)?
        .into_iter()
        .map(|(model, _)| model)
        .collect())
}

/// [`fit_many`], and for each task with `keep` set, its training rows' final clusters
/// and their silhouette sums ([`TrainingClusters`]), when the fit kept its rows' clusters
/// between steps (it had the memory for its incremental state).
pub fn fit_many_keeping(
    parts: &[Prepared],
    tasks: &[FitTask],
    keep: &[bool],
    ctx: &JobContext,
) -> Result<Vec<(KMeansModel, Option<TrainingClusters>)>> {
    let fits = tasks
        .iter()
        .enumerate()
        .map(|(t, task)| Fit::new(task, None).keeping(keep.get(t).copied().unwrap_or(false)))
        .collect();
    run(parts, fits, ctx, incremental_budget())
}

/// Fits from given initial centres (Spark's `initialModel`), skipping the
/// initialisation: `params.k` centres of the rows' width.
pub fn fit_from_centers(
    parts: &[Prepared],
    initial_centers: &[Vec<f64>],
    params: &KMeansParams,
    subset: Subset,
    ctx: &JobContext,
) -> Result<KMeansModel> {
    let features = feature_count(parts)?;
    let bad = |what: String| Err(Error::new(ErrorCode::MlInput, what));
    if initial_centers.len() != params.k {
        return bad(format!(
            "{} initial centres were given for k = {}; give exactly k",
            initial_centers.len(),
            params.k
        ));
    }
    for (j, center) in initial_centers.iter().enumerate() {
        if center.len() != features {
            return bad(format!(
                "initial centre {j} has {} values; the rows have {features} features",
                center.len()
            ));
        }
        if !center.iter().all(|v| v.is_finite()) {
            return bad(format!("initial centre {j} has a NaN or infinite value"));
        }
        if params.distance_measure == super::DistanceMeasure::Cosine
            && center.iter().all(|&v| v == 0.0)
        {
            return bad(format!(
                "initial centre {j} is a zero vector, which has no cosine distance"
            ));
        }
    }
    let task = FitTask {
        params: params.clone(),
        subset,
    };
    let given = initial_centers.concat();
    let models = run(
        parts,
        vec![Fit::new(&task, Some(given))],
        ctx,
        incremental_budget(),
    )?;
    models
        .into_iter()
        .next()
        .map(|(model, _)| model)
        .ok_or_else(|| Error::internal("fitting KMeans", "no model came back"))
}

/// The feature count shared by every partition.
fn feature_count(parts: &[Prepared]) -> Result<usize> {
    let features = parts.first().map_or(0, |p| p.layout.features);
    if features == 0 {
        return Err(Error::new(
            ErrorCode::MlInput,
            "choose at least one feature column to cluster on",
        ));
    }
    if parts.iter().any(|p| p.layout.features != features) {
        return Err(Error::internal(
            "fitting KMeans",
            "partitions have different numbers of features",
        ));
    }
    Ok(features)
}

/// The memory fits may keep between Lloyd steps: a quarter of what is left.
fn incremental_budget() -> usize {
    crate::memory::available() / 4
}

/// Runs every fit to its end, keeping incremental state for those that fit in
/// `incremental_budget` bytes.
fn run(
    parts: &[Prepared],
    mut fits: Vec<Fit>,
    ctx: &JobContext,
    incremental_budget: usize,
) -> Result<Vec<(KMeansModel, Option<TrainingClusters>)>> {
    for fit in &fits {
        fit.task.params.validate()?;
    }
    let features = feature_count(parts)?;
    check_memory(parts.len(), &fits, features)?;
    grant_incremental(parts, &mut fits, incremental_budget);
    let passes = fits.iter().map(Fit::most_passes).max().unwrap_or(0);
    let expected = passes * parts.len();
    ctx.expect_steps(expected);
    let mut done = 0;
    loop {
        let (owners, jobs): (Vec<usize>, Vec<Job>) = fits
            .iter()
            .enumerate()
            .filter_map(|(t, fit)| fit.job().map(|job| (t, job)))
            .unzip();
        if jobs.is_empty() {
            break;
        }
        let answers = pass::run(parts, &jobs, ctx)?;
        drop(jobs);
        done += parts.len();
        // The first row no fit can use, over all fits, is the one to report.
        let problem = answers
            .iter()
            .filter_map(|a| match a {
                Partial::Survey(s) => s.problem,
                _ => None,
            })
            .min_by_key(|p| p.row);
        if let Some(problem) = problem {
            return Err(problem.error());
        }
        for (t, answer) in owners.into_iter().zip(answers) {
            fits[t].receive(answer, features, ctx)?;
        }
    }
    for _ in done..expected {
        ctx.advance();
    }
    fits.into_iter().map(Fit::into_result).collect()
}

/// Refuses fits whose per-partition partial results would not fit in memory.
fn check_memory(partitions: usize, fits: &[Fit], features: usize) -> Result<()> {
    // The largest per-pass state of a fit: its centres, or k-means|| candidates (about
    // 2k per round), each with its sums and counts.
    let per_partition: usize = fits
        .iter()
        .map(|fit| {
            let params = &fit.task.params;
            let centers = match params.init_mode {
                InitMode::KMeansParallel => params
                    .k
                    .saturating_mul(2)
                    .saturating_mul(params.init_steps)
                    .saturating_add(1)
                    .max(params.k),
                InitMode::Random => params.k,
            };
            centers
                .saturating_mul(features.saturating_add(2))
                .saturating_mul(8)
        })
        .fold(0usize, usize::saturating_add);
    crate::memory::check(
        per_partition.saturating_mul(partitions.max(1)),
        "clustering with these settings",
        "lower k, or tune fewer grid points at once",
    )
}

/// Gives the fits, in order, their incremental Lloyd state (12 bytes a row each, while
/// their iterations run) while they take at most `budget` bytes; the others search every
/// row in every pass, with the same assignments.
fn grant_incremental(parts: &[Prepared], fits: &mut [Fit], mut budget: usize) {
    let rows: usize = parts.iter().map(Prepared::len).sum();
    let per_fit = rows.saturating_mul(INCREMENTAL_BYTES_PER_ROW);
    for fit in fits {
        if per_fit <= budget {
            budget -= per_fit;
            fit.incremental = Some(Incremental::new(parts.len()));
        }
    }
}

/// One task's progress.
struct Fit<'t> {
    task: &'t FitTask,
    /// Initial centres given by the caller, used instead of `initMode`.
    given: Option<Vec<f64>>,
    stage: Stage,
    /// The state kept between Lloyd steps, when the fit was granted the memory for it.
    incremental: Option<Incremental>,
    /// Whether to keep the training rows' final clusters ([`TrainingClusters`]).
    keep: bool,
}

enum Stage {
    /// Counting and checking the rows, and drawing the rows the initialisation needs.
    Survey,
    /// k-means||.
    Init(ParallelInit),
    Lloyd {
        centers: CenterSet,
        /// How the centres have moved since the first iteration (for the bounds).
        motion: Option<Motion>,
        iterations: usize,
    },
    Summary {
        last: CenterSet,
        previous: Option<CenterSet>,
        motion: Option<Motion>,
        iterations: usize,
    },
    Done(KMeansModel, Option<TrainingClusters>),
}

impl<'t> Fit<'t> {
    fn new(task: &'t FitTask, given: Option<Vec<f64>>) -> Self {
        Fit {
            task,
            given,
            stage: Stage::Survey,
            incremental: None,
            keep: false,
        }
    }

    fn keeping(self, keep: bool) -> Self {
        Fit { keep, ..self }
    }

    /// The most passes this fit can take: survey, k-means|| (a cost and a sampling pass
    /// per round, then counting), Lloyd iterations, summary.
    fn most_passes(&self) -> usize {
        let params = &self.task.params;
        let init = match (&self.given, params.init_mode) {
            (None, InitMode::KMeansParallel) => 2 * params.init_steps + 1,
            _ => 0,
        };
        2 + init + params.max_iter
    }

    /// What this fit needs from the next pass (nothing once done).
    fn job(&self) -> Option<Job<'_>> {
        let params = &self.task.params;
        let subset = self.task.subset;
        Some(match &self.stage {
            Stage::Survey => {
                let draws = match (&self.given, params.init_mode) {
                    (Some(_), _) => 0,
                    (None, InitMode::Random) => params.k,
                    (None, InitMode::KMeansParallel) => 1,
                };
                Job::Survey(Survey {
                    subset,
                    measure: params.distance_measure,
                    sample: (params.seed, draws),
                })
            }
            Stage::Init(init) => match init.request() {
                Request::Cost(job) => Job::Cost(job),
                Request::Select(job) => Job::Select(job),
                Request::Count(job) => Job::Count(job),
            },
            Stage::Lloyd {
                centers, motion, ..
            } => Job::Lloyd(LloydStep {
                subset,
                centers,
                incremental: self.incremental.as_ref().map(|i| (i, motion.as_ref())),
            }),
            Stage::Summary {
                last,
                previous,
                motion,
                ..
            } => Job::Summary(Summary {
                subset,
                previous: previous.as_ref(),
                last,
                incremental: self.incremental.as_ref().zip(motion.as_ref()),
                silhouette: self
                    .keep
                    .then(|| silhouette_spec(params.distance_measure, last.len(), last.features())),
            }),
            Stage::Done(..) => return None,
        })
    }

    /// Moves on with the answer to this fit's last job.
    fn receive(&mut self, answer: Partial, features: usize, ctx: &JobContext) -> Result<()> {
        let params = &self.task.params;
        let stage = std::mem::replace(&mut self.stage, Stage::Survey);
        self.stage = match (stage, answer) {
            (Stage::Survey, Partial::Survey(survey)) => {
                self.check_rows(survey.rows)?;
                match (self.given.take(), params.init_mode) {
                    (Some(given), _) => self.start_lloyd(given, features),
                    (None, InitMode::Random) => {
                        self.start_lloyd(distinct(survey.sample.into_rows(), features), features)
                    }
                    (None, InitMode::KMeansParallel) => Stage::Init(ParallelInit::new(
                        params,
                        self.task.subset,
                        survey.sample.into_rows(),
                    )),
                }
            }
            (Stage::Init(mut init), answer) => {
                let answer = match answer {
                    Partial::Cost(cost) => Answer::Cost(cost),
                    Partial::Select(picks) => Answer::Picks(picks),
                    Partial::Count(counts) => Answer::Counts(counts),
                    _ => return Err(mismatch()),
                };
                match init.receive(answer, ctx)? {
                    Some(centers) => self.start_lloyd(centers, features),
                    None => Stage::Init(init),
                }
            }
            (
                Stage::Lloyd {
                    centers,
                    motion,
                    iterations,
                },
                Partial::Lloyd(sums),
            ) => {
                let (next, converged) = update(&centers, &sums, params.tol)?;
                let next = CenterSet::new(params.distance_measure, features, next);
                let motion = self
                    .incremental
                    .is_some()
                    .then(|| Motion::after(motion.as_ref(), &centers, &next));
                let iterations = iterations + 1;
                if converged || iterations >= params.max_iter {
                    Stage::Summary {
                        last: next,
                        previous: Some(centers),
                        motion,
                        iterations,
                    }
                } else {
                    Stage::Lloyd {
                        centers: next,
                        motion,
                        iterations,
                    }
                }
            }
            (
                Stage::Summary {
                    last, iterations, ..
                },
                Partial::Summary(summary),
            ) => {
                // The bounds' clusters are the final ones: the summary assigned every
                // training row to the last centres.
                let kept = match (self.keep, summary.silhouette, self.incremental.take()) {
                    (true, Some(stats), Some(incremental)) => Some(TrainingClusters::new(
                        self.task.subset,
                        incremental.into_clusters(),
                        stats,
                    )),
                    _ => None,
                };
                let model = KMeansModel {
                    cluster_centers: last
                        .centers()
                        .chunks_exact(features)
                        .map(<[f64]>::to_vec)
                        .collect(),
                    distance_measure: params.distance_measure,
                    training_cost: summary.cost,
                    num_iter: iterations,
                    cluster_sizes: summary.sizes,
                    cluster_weights: summary.weights,
                };
                Stage::Done(model, kept)
            }
            _ => return Err(mismatch()),
        };
        Ok(())
    }

    /// Refuses a `k` larger than the number of rows. (Spark would return fewer centres;
    /// with fewer rows than clusters that is almost surely a mistake, so Brasa says so.
    /// Fewer *distinct* rows than `k` is Spark's case: fewer centres.)
    fn check_rows(&self, rows: u64) -> Result<()> {
        let k = self.task.params.k;
        if rows >= k as u64 {
            return Ok(());
        }
        let which = match self.task.subset.held_out {
            Some(fold) => format!("the training rows outside fold {}", fold + 1),
            None => "the training data".to_string(),
        };
        Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "k = {k} clusters need at least {k} rows, but {which} has {rows}; lower k \
                 or cluster more rows"
            ),
        ))
    }

    fn start_lloyd(&self, centers: Vec<f64>, features: usize) -> Stage {
        let centers = CenterSet::new(self.task.params.distance_measure, features, centers);
        if self.task.params.max_iter == 0 {
            Stage::Summary {
                last: centers,
                previous: None,
                motion: None,
                iterations: 0,
            }
        } else {
            Stage::Lloyd {
                centers,
                motion: None,
                iterations: 0,
            }
        }
    }

    fn into_result(self) -> Result<(KMeansModel, Option<TrainingClusters>)> {
        match self.stage {
            Stage::Done(model, kept) => Ok((model, kept)),
            _ => Err(Error::internal("fitting KMeans", "a fit stopped early")),
        }
    }
}

fn mismatch() -> Error {
    Error::internal("fitting KMeans", "a fit got the answer to another pass")
}

/// Any fit's request of a pass.
enum Job<'a> {
    Survey(Survey),
    Cost(CandidateCost<'a>),
    Select(CandidateSelect<'a>),
    Count(CandidateCount<'a>),
    Lloyd(LloydStep<'a>),
    Summary(Summary<'a>),
}

/// What a [`Job`] gathered.
enum Partial {
    Survey(SurveyPartial),
    Cost(f64),
    Select(Vec<Pick>),
    Count(Vec<u64>),
    Lloyd(ClusterSums),
    Summary(SummaryPartial),
}

impl Gather for Job<'_> {
    type Partial = Partial;

    fn subset(&self) -> Subset {
        match self {
            Job::Survey(job) => job.subset(),
            Job::Cost(job) => job.subset(),
            Job::Select(job) => job.subset(),
            Job::Count(job) => job.subset(),
            Job::Lloyd(job) => job.subset(),
            Job::Summary(job) => job.subset(),
        }
    }

    fn start(&self) -> Partial {
        match self {
            Job::Survey(job) => Partial::Survey(job.start()),
            Job::Cost(job) => Partial::Cost(job.start()),
            Job::Select(job) => Partial::Select(job.start()),
            Job::Count(job) => Partial::Count(job.start()),
            Job::Lloyd(job) => Partial::Lloyd(job.start()),
            Job::Summary(job) => Partial::Summary(job.start()),
        }
    }

    fn visit(&self, partial: &mut Partial, part: &Partition, rows: &[u32]) {
        match (self, partial) {
            (Job::Survey(job), Partial::Survey(p)) => job.visit(p, part, rows),
            (Job::Cost(job), Partial::Cost(p)) => job.visit(p, part, rows),
            (Job::Select(job), Partial::Select(p)) => job.visit(p, part, rows),
            (Job::Count(job), Partial::Count(p)) => job.visit(p, part, rows),
            (Job::Lloyd(job), Partial::Lloyd(p)) => job.visit(p, part, rows),
            (Job::Summary(job), Partial::Summary(p)) => job.visit(p, part, rows),
            // `start` made the partial from this very job.
            _ => debug_assert!(false, "a partial from another job"),
        }
    }

    fn finish(&self, partial: &mut Partial, part: &Partition) {
        match (self, partial) {
            (Job::Survey(job), Partial::Survey(p)) => job.finish(p, part),
            (Job::Cost(job), Partial::Cost(p)) => job.finish(p, part),
            (Job::Select(job), Partial::Select(p)) => job.finish(p, part),
            (Job::Count(job), Partial::Count(p)) => job.finish(p, part),
            (Job::Lloyd(job), Partial::Lloyd(p)) => job.finish(p, part),
            (Job::Summary(job), Partial::Summary(p)) => job.finish(p, part),
            _ => debug_assert!(false, "a partial from another job"),
        }
    }

    fn merge(&self, into: &mut Partial, other: Partial) {
        match (self, into, other) {
            (Job::Survey(job), Partial::Survey(a), Partial::Survey(b)) => job.merge(a, b),
            (Job::Cost(job), Partial::Cost(a), Partial::Cost(b)) => job.merge(a, b),
            (Job::Select(job), Partial::Select(a), Partial::Select(b)) => job.merge(a, b),
            (Job::Count(job), Partial::Count(a), Partial::Count(b)) => job.merge(a, b),
            (Job::Lloyd(job), Partial::Lloyd(a), Partial::Lloyd(b)) => job.merge(a, b),
            (Job::Summary(job), Partial::Summary(a), Partial::Summary(b)) => job.merge(a, b),
            _ => debug_assert!(false, "a partial from another job"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::kmeans::DistanceMeasure;

    /// Four overlapping groups of 3-feature rows with weights, in 3 partitions.
    fn parts() -> Vec<Prepared> {
        super::super::blob_parts(9, 700, 2)
    }

    /// Keeping state between steps (bounds, sums updated where rows move) gives the
    /// fit a full search of every row in every step gives: the same assignments, so the
    /// same iterations and sizes, and centres equal but for the order of the sums.
    #[test]
    fn incremental_steps_fit_what_full_searches_fit() {
        let parts = parts();
        let mut tasks = Vec::new();
        for distance_measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            for (k, held_out) in [(4, None), (6, Some(1))] {
                tasks.push(FitTask {
                    params: KMeansParams {
                        k,
                        distance_measure,
                        max_iter: 50,
                        tol: 0.0,
                        seed: 5,
                        ..KMeansParams::default()
                    },
                    subset: Subset { folds: 2, held_out },
                });
            }
        }
        let fits = |budget| {
            let fits = tasks.iter().map(|task| Fit::new(task, None)).collect();
            run(&parts, fits, &JobContext::default(), budget)
                .unwrap()
                .into_iter()
                .map(|(model, _)| model)
                .collect::<Vec<_>>()
        };
        let (full, incremental) = (fits(0), fits(usize::MAX));
        for (a, b) in full.iter().zip(&incremental) {
            assert_eq!(a.num_iter, b.num_iter);
            assert_eq!(a.cluster_sizes, b.cluster_sizes);
            assert!(a.num_iter > 3, "the fit should take a few steps");
            for (x, y) in a
                .cluster_centers
                .iter()
                .flatten()
                .zip(b.cluster_centers.iter().flatten())
            {
                assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{x} vs {y}");
            }
            assert!((a.training_cost - b.training_cost).abs() <= 1e-12 * a.training_cost);
        }
    }

    /// A fit asked to keep its clusters hands over each training row's cluster under the
    /// final centres (the model's prediction) and the silhouette's sums over those rows,
    /// equal to the last bit to what the evaluator's own pass adds up; a fit without the
    /// memory for its incremental state keeps nothing, and the models are the same.
    #[test]
    fn kept_clusters_are_the_models_and_their_sums_the_evaluators() {
        use crate::ml::evaluate::clustering::ClusterStats;
        let parts = parts();
        let mut tasks = Vec::new();
        for distance_measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            for held_out in [None, Some(0)] {
                tasks.push(FitTask {
                    params: KMeansParams {
                        k: 5,
                        distance_measure,
                        max_iter: 8,
                        seed: 3,
                        ..KMeansParams::default()
                    },
                    subset: Subset { folds: 2, held_out },
                });
            }
        }
        let fits = |budget, keep: bool| {
            let fits = tasks
                .iter()
                .map(|task| Fit::new(task, None).keeping(keep))
                .collect();
            run(&parts, fits, &JobContext::default(), budget).unwrap()
        };
        let plain = fits(usize::MAX, false);
        let kept = fits(usize::MAX, true);
        let no_memory = fits(0, true);
        for (t, task) in tasks.iter().enumerate() {
            assert_eq!(
                plain[t].0, kept[t].0,
                "keeping changes nothing in the model"
            );
            assert!(plain[t].1.is_none() && no_memory[t].1.is_none());
            let (model, clusters) = (&kept[t].0, kept[t].1.as_ref().unwrap());
            assert_eq!(clusters.subset(), task.subset);
            assert!(clusters.covers(&parts));
            let spec = silhouette_spec(task.params.distance_measure, model.k(), 3);
            let mut expected = ClusterStats::new(spec).unwrap();
            for (p, part) in parts.iter().enumerate() {
                let mut stats = ClusterStats::new(spec).unwrap();
                for (i, row) in part.iter().enumerate() {
                    if task.subset.contains(row.group) {
                        let cluster = model.predict(row.features);
                        assert_eq!(clusters.cluster(p, i), Some(cluster as u32));
                        stats.add(row.features, cluster as f64, row.weight).unwrap();
                    }
                }
                expected.merge(&stats).unwrap();
            }
            assert_eq!(clusters.stats(), &expected, "task {t}");
        }
    }
}
