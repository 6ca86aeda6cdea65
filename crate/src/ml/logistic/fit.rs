//! Fitting many LogisticRegression models at once: the seam a cross-validator calls with
//! every (grid point, fold) fit and the refits.
//!
//! 1. One pass summarises each group (fold) and checks every row ([`summary::scan`]);
//!    each fit's standardisation comes from its groups' merged statistics.
//! 2. Fits that share their params and differ only in the held-out fold form a family:
//!    the fit on all of the folds (the refit, or one made for the purpose) runs first,
//!    with its sums kept per fold; each fold fit then starts from its solution, with the
//!    gradient and Hessian of its own rows at that point taken from those per-fold sums
//!    (no pass of its own), and continues with fresh gradients and that Hessian, corrected
//!    step by step ([`super::solver`]). Folds are close to the whole, so they converge in
//!    a few passes that need no Hessian.
//! 3. Every pass ([`pass::evaluate`]) evaluates all the fits still running; a fit that
//!    converged drops out.

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::ml::dataset::{Prepared, Subset};
use crate::ml::logistic::kernel::Sums;
use crate::ml::logistic::model::LogisticRegressionModel;
use crate::ml::logistic::params::LogisticRegressionParams;
use crate::ml::logistic::pass::{evaluate, Request};
use crate::ml::logistic::solver::Solver;
use crate::ml::logistic::space::Space;
use crate::ml::logistic::summary::{scan, WeightedSummary};

/// The most coefficients (intercepts included) one model may have: the Newton solver
/// works with their full Hessian, accumulated row by row.
pub const MAX_COEFFICIENTS: usize = 256;

/// Passes a fit usually takes; progress is announced for this many, then pass by pass.
const EXPECTED_PASSES: usize = 10;

/// One model to fit: the params and the rows (groups) it learns from.
#[derive(Debug, Clone, PartialEq)]
pub struct FitTask {
    pub params: LogisticRegressionParams,
    pub subset: Subset,
}

/// One optimisation: a task, several identical tasks, or the all-folds fit a family of
/// fold fits starts from.
struct Run {
    params: LogisticRegressionParams,
    subset: Subset,
    /// The run this one starts from (a fold fit's all-folds fit).
    anchor: Option<usize>,
    /// Whether other runs start from this one: its sums are kept per group.
    anchors_others: bool,
}

/// The runs behind `tasks`, and the run of each task.
fn plan(tasks: &[FitTask]) -> (Vec<Run>, Vec<usize>) {
    let mut runs: Vec<Run> = Vec::new();
    let find = |runs: &[Run], params: &LogisticRegressionParams, subset: Subset| {
        runs.iter()
            .position(|r| r.subset == subset && r.params.same_fit(params))
    };
    let mut of_task = Vec::with_capacity(tasks.len());
    for task in tasks {
        let run = find(&runs, &task.params, task.subset).unwrap_or_else(|| {
            runs.push(Run {
                params: task.params.clone(),
                subset: task.subset,
                anchor: None,
                anchors_others: false,
            });
            runs.len() - 1
        });
        of_task.push(run);
    }
    for i in 0..runs.len() {
        if runs[i].subset.held_out.is_none() {
            continue;
        }
        let whole = Subset {
            folds: runs[i].subset.folds,
            held_out: None,
        };
        let siblings = runs
            .iter()
            .filter(|r| {
                r.subset.folds == whole.folds
                    && r.subset.held_out.is_some()
                    && r.params.same_fit(&runs[i].params)
            })
            .count();
        let anchor = match find(&runs, &runs[i].params, whole) {
            Some(anchor) => anchor,
            None if siblings >= 2 => {
                runs.push(Run {
                    params: runs[i].params.clone(),
                    subset: whole,
                    anchor: None,
                    anchors_others: false,
                });
                runs.len() - 1
            }
            None => continue,
        };
        runs[i].anchor = Some(anchor);
        runs[anchor].anchors_others = true;
    }
    (runs, of_task)
}

/// A run's solver, and what it leaves the runs that start from it.
struct Progress {
    solver: Solver,
    started: bool,
    /// Per-group sums at the last accepted point (runs that anchor others).
    per_group: Option<Vec<Sums>>,
    /// The point those sums were taken at.
    point: Vec<f64>,
}

impl Progress {
    /// The run's problem on its rows (`groups` summarised), at Spark's starting point.
    fn new(
        run: &Run,
        groups: &[WeightedSummary],
        shift: &[f64],
        num_classes: usize,
    ) -> Result<Self> {
        let mut summary = WeightedSummary::new(shift.len(), num_classes);
        for (g, group) in groups.iter().enumerate() {
            if run.subset.contains(g as u16) {
                summary.merge(group);
            }
        }
        check_classes(&run.params, &summary, run.subset)?;
        let sets = sets(&run.params, num_classes);
        let space = Space::new(&run.params, sets, &summary, shift);
        let start = starting_point(&space, &run.params, &summary);
        let params = &run.params;
        Ok(Progress {
            solver: Solver::new(
                space,
                params.tol,
                params.max_iter,
                start,
                run.anchor.is_some(),
            ),
            // Without iterations a fit is Spark's starting point, anchored or not.
            started: run.anchor.is_none() || params.max_iter == 0,
            per_group: None,
            point: Vec::new(),
        })
    }
}

/// Fits every task on the rows of `parts` (labels are class indices `0..num_classes`,
/// weights Spark's `weightCol`), sharing each pass over the data among all of them.
///
/// The models come back in the order of `tasks`. Any task's error (a bad row, a bad
/// param, a training subset with a single class and an intercept to fit) fails the call.
pub fn fit_many(
    parts: &[Prepared],
    num_classes: usize,
    tasks: &[FitTask],
    ctx: &JobContext,
) -> Result<Vec<LogisticRegressionModel>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    for task in tasks {
        task.params.validate(num_classes)?;
    }
    let features = check_layout(parts)?;
    for task in tasks {
        check_size(&task.params, num_classes, features)?;
    }
    let (runs, of_task) = plan(tasks);
    let groups = runs
        .iter()
        .map(|r| r.subset.folds as usize)
        .max()
        .unwrap_or(0);
    let used: Vec<bool> = (0..groups)
        .map(|g| runs.iter().any(|r| r.subset.contains(g as u16)))
        .collect();
    ctx.expect_steps(parts.len() * (1 + EXPECTED_PASSES));
    let found = scan(parts, num_classes, &used, ctx)?;
    let shift = shift(&found.groups, &used, features, num_classes)?;
    let mut progress: Vec<Progress> = runs
        .iter()
        .map(|run| Progress::new(run, &found.groups, &shift, num_classes))
        .collect::<Result<_>>()?;
    let mut passes = 0;
    loop {
        start_followers(&runs, &mut progress)?;
        let active: Vec<usize> = (0..runs.len())
            .filter(|&r| progress[r].started && !progress[r].solver.is_done())
            .collect();
        if active.is_empty() {
            break;
        }
        passes += 1;
        if passes > EXPECTED_PASSES {
            ctx.expect_steps(parts.len());
        }
        let requests: Vec<Request> = active
            .iter()
            .map(|&r| Request {
                model: progress[r].solver.trial_model(),
                subset: runs[r].subset,
                hessian: progress[r].solver.wants_hessian(),
                per_group: runs[r].anchors_others,
            })
            .collect();
        let results = evaluate(parts, &found.rows, groups, &shift, &requests, ctx)?;
        for (&r, slots) in active.iter().zip(results) {
            let run = &mut progress[r];
            let point = run.solver.trial().to_vec();
            let total = sum_slots(&slots);
            if run.solver.observe(&total)? && runs[r].anchors_others {
                run.per_group = Some(slots);
                run.point = point;
            }
        }
    }
    Ok(tasks
        .iter()
        .zip(&of_task)
        .map(|(task, &r)| model(&task.params, num_classes, &progress[r].solver))
        .collect())
}

/// The weighted mean of every row trained on: the passes subtract it from the features,
/// so that sums of products keep their precision for features far from 0.
fn shift(
    groups: &[WeightedSummary],
    used: &[bool],
    features: usize,
    num_classes: usize,
) -> Result<Vec<f64>> {
    let mut everything = WeightedSummary::new(features, num_classes);
    for (group, _) in groups.iter().zip(used).filter(|(_, &u)| u) {
        everything.merge(group);
    }
    if let Some(j) = everything.std().iter().position(|s| !s.is_finite()) {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "feature {j} (counting from 0) has values too large to train on: their \
                 squares overflow a double (|x| above about 1e154); rescale it first"
            ),
        ));
    }
    Ok(everything.mean)
}

/// Starts the fold fits whose all-folds fit has finished: from its last evaluated
/// point, with their own rows' sums there taken from its per-group sums.
fn start_followers(runs: &[Run], progress: &mut [Progress]) -> Result<()> {
    for r in 0..runs.len() {
        let Some(anchor) = runs[r].anchor else {
            continue;
        };
        if progress[r].started || !progress[anchor].solver.is_done() {
            continue;
        }
        let (coefficients, intercepts) = progress[anchor]
            .solver
            .space()
            .original(&progress[anchor].point);
        let space = progress[r].solver.space();
        let (start, exact) = space.coordinates(&coefficients, &intercepts);
        let own_sums = progress[anchor]
            .per_group
            .as_ref()
            .filter(|_| exact)
            .map(|slots| {
                let mut total = Sums::zero(space.sets, space.width(), true);
                for (g, sums) in slots.iter().enumerate() {
                    if runs[r].subset.contains(g as u16) {
                        total.add(sums);
                    }
                }
                total
            });
        let params = &runs[r].params;
        let solver = Solver::new(
            space.clone(),
            params.tol,
            params.max_iter,
            start,
            own_sums.is_some(),
        );
        progress[r].solver = solver;
        progress[r].started = true;
        if let Some(sums) = own_sums {
            if !progress[r].solver.is_done() {
                progress[r].solver.observe(&sums)?;
            }
        }
    }
    Ok(())
}

fn sum_slots(slots: &[Sums]) -> Sums {
    let mut total = slots[0].clone();
    for s in &slots[1..] {
        total.add(s);
    }
    total
}

/// The number of features, checking that the partitions are training rows.
fn check_layout(parts: &[Prepared]) -> Result<usize> {
    let layout = parts
        .first()
        .map(|p| p.layout)
        .ok_or_else(|| Error::new(ErrorCode::MlInput, "there are no rows to train on"))?;
    if !layout.label || parts.iter().any(|p| p.layout != layout) {
        return Err(Error::new(
            ErrorCode::Internal,
            "logistic regression was given rows without a label or with different layouts",
        ));
    }
    Ok(layout.features)
}

/// Coefficient sets of a model: one for binomial, one per class for multinomial.
fn sets(params: &LogisticRegressionParams, num_classes: usize) -> usize {
    if params.is_multinomial(num_classes) {
        num_classes
    } else {
        1
    }
}

fn check_size(
    params: &LogisticRegressionParams,
    num_classes: usize,
    features: usize,
) -> Result<()> {
    let sets = sets(params, num_classes);
    let size = sets * (features + 1);
    if size > MAX_COEFFICIENTS {
        let shape = if sets > 1 {
            format!("{sets} classes × ({features} features + 1)")
        } else {
            format!("{features} features + 1")
        };
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "this model would have {shape} = {size} coefficients; LogisticRegression \
                 fits at most {MAX_COEFFICIENTS} (its Newton solver uses their full \
                 Hessian). Choose fewer features{}",
                if sets > 1 {
                    " or merge rare classes"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(())
}

fn describe(subset: Subset) -> String {
    match subset.held_out {
        None => "the training rows".to_string(),
        Some(f) => format!("the training rows outside fold {}", f + 1),
    }
}

/// Refuses what Spark would answer with an infinite intercept: with an intercept to fit,
/// a class that has no rows (a single-class label, for a binomial model).
fn check_classes(
    params: &LogisticRegressionParams,
    summary: &WeightedSummary,
    subset: Subset,
) -> Result<()> {
    if summary.weight_sum <= 0.0 {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "{} have no rows of positive weight to train on",
                describe(subset)
            ),
        ));
    }
    if !params.fit_intercept {
        return Ok(());
    }
    let present: Vec<usize> = (0..summary.class_weights.len())
        .filter(|&c| summary.class_weights[c] > 0.0)
        .collect();
    if let [only] = present[..] {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "every row of {} has label {only}: the fitted intercept would be infinite \
                 (Spark returns ±Infinity with zero coefficients). Train on rows of at least \
                 two classes (fewer folds help), or set fitIntercept to false",
                describe(subset)
            ),
        ));
    }
    if let (true, Some(missing)) = (
        params.is_multinomial(summary.class_weights.len()),
        (0..summary.class_weights.len()).find(|&c| summary.class_weights[c] <= 0.0),
    ) {
        return Err(Error::new(
            ErrorCode::MlInput,
            format!(
                "no row of {} has label {missing}: that class's intercept would go to minus \
                 infinity. Train on rows of every class (fewer folds help), remove the class, \
                 or set fitIntercept to false",
                describe(subset)
            ),
        ));
    }
    Ok(())
}

/// Spark's starting point: zero coefficients and the intercepts of the class
/// frequencies (`log(n₁/n₀)`, or `log(1 + n_c)` centred for multinomial).
fn starting_point(
    space: &Space,
    params: &LogisticRegressionParams,
    summary: &WeightedSummary,
) -> Vec<f64> {
    let mut theta = vec![0.0; space.len()];
    if params.fit_intercept {
        let width = space.width();
        let h = &summary.class_weights;
        if space.sets == 1 {
            theta[space.features] = (h[1] / h[0]).ln();
        } else {
            let raw: Vec<f64> = h.iter().map(|w| w.ln_1p()).collect();
            let mean = raw.iter().sum::<f64>() / raw.len() as f64;
            for (c, r) in raw.iter().enumerate() {
                theta[c * width + space.features] = r - mean;
            }
        }
    }
    space.pin(&mut theta);
    theta
}

/// The fitted model of one task on the original scale, centred as Spark centres
/// multinomial models (intercepts always, coefficients without regularisation); a pure
/// L2 optimum is centred already, up to the pinning of the last class.
fn model(
    params: &LogisticRegressionParams,
    num_classes: usize,
    solver: &Solver,
) -> LogisticRegressionModel {
    let space = solver.space();
    let (mut coefficients, mut intercepts) = space.original(solver.solution());
    let is_multinomial = space.sets > 1;
    if is_multinomial {
        if params.reg_param == 0.0 || space.centered_l2 {
            for j in 0..space.features {
                let mean = coefficients.iter().map(|row| row[j]).sum::<f64>() / space.sets as f64;
                for row in coefficients.iter_mut() {
                    row[j] -= mean;
                }
            }
        }
        if params.fit_intercept {
            let mean = intercepts.iter().sum::<f64>() / space.sets as f64;
            for b in intercepts.iter_mut() {
                *b -= mean;
            }
        }
    }
    LogisticRegressionModel {
        num_classes,
        num_features: space.features,
        is_multinomial,
        coefficient_matrix: coefficients,
        intercept_vector: intercepts,
        threshold: params.threshold,
        thresholds: params.thresholds.clone(),
        num_iterations: solver.iterations(),
        converged: solver.converged(),
    }
}
