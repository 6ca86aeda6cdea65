//! One fit's solver: (proximal) Newton steps with a backtracking line search, driven one
//! data pass at a time.
//!
//! Each pass evaluates the fit at one point (its loss, gradient and, when asked, Hessian);
//! [`Solver::observe`] then either accepts the point and computes the next step from the
//! quadratic model there, or backtracks. An iteration is one such evaluation, so
//! `maxIter` bounds the passes a fit takes part in.
//!
//! - The step minimises the quadratic model plus the penalty: one Cholesky solve when
//!   there is no L1 term, else coordinate descent on the model (glmnet's inner loop),
//!   reusing [`crate::ml::linear`]'s solvers.
//! - A point is accepted when the objective decreased by at least a fraction of what the
//!   model predicted (Armijo's rule for proximal Newton); otherwise the step is halved.
//! - The fit has converged when its step is at most `tol` relative to the coefficients
//!   (in the standardised space, and at least `tol` in absolute terms). The step is then
//!   taken without another pass: with Newton's quadratic convergence (or the superlinear
//!   convergence of the updated curvature below) the result is much closer than `tol` to
//!   the optimum, and closer than Spark's own optimiser gets, which stops on a relative
//!   change of the objective.
//! - A fit may start with the curvature of a nearby point (a cross-validation fold started
//!   from the fit on all rows) and keep it, corrected after each step with the change in
//!   gradient (a BFGS update), while the steps shrink fast; it asks for a fresh Hessian
//!   when they do not, or when a step is rejected.

use ndarray::{Array1, Array2};

use crate::error::{Error, ErrorCode, Result};
use crate::ml::linear::{cholesky_solve, coordinate_descent};
use crate::ml::logistic::kernel::{RawModel, Sums};
use crate::ml::logistic::space::Space;

/// Armijo's sufficient-decrease fraction.
const SUFFICIENT_DECREASE: f64 = 1e-4;
/// Objective changes below this (relative) are rounding noise in a sum over many rows.
const NOISE: f64 = 1e-12;
/// A reused Hessian is kept while each step is at most this fraction of the previous.
const FAST_ENOUGH: f64 = 0.25;
/// Backtracking gives up below this step length.
const SMALLEST_STEP: f64 = 1e-10;

/// The state of one fit's optimisation.
pub(crate) struct Solver {
    space: Space,
    tol: f64,
    max_iter: usize,
    /// Keep a Hessian over several steps instead of asking for one at every pass.
    reuse_curvature: bool,
    /// The last accepted point, its objective, loss gradient and curvature.
    theta: Vec<f64>,
    objective: f64,
    gradient: Vec<f64>,
    hessian: Option<Array2<f64>>,
    hessian_is_current: bool,
    /// The step from `theta`, the decrease the model predicts for it, and the fraction
    /// of it being tried.
    direction: Vec<f64>,
    decrease: f64,
    step: f64,
    previous_step_size: f64,
    /// The point the next pass evaluates.
    trial: Vec<f64>,
    wants_hessian: bool,
    iterations: usize,
    converged: bool,
    done: bool,
}

impl Solver {
    pub fn new(
        space: Space,
        tol: f64,
        max_iter: usize,
        start: Vec<f64>,
        reuse_curvature: bool,
    ) -> Self {
        let n = space.len();
        Solver {
            space,
            tol,
            max_iter,
            reuse_curvature,
            theta: start.clone(),
            objective: f64::NAN,
            gradient: vec![0.0; n],
            hessian: None,
            hessian_is_current: false,
            direction: vec![0.0; n],
            decrease: 0.0,
            step: 0.0,
            previous_step_size: f64::INFINITY,
            trial: start,
            wants_hessian: true,
            iterations: 0,
            converged: false,
            done: max_iter == 0,
        }
    }

    pub fn space(&self) -> &Space {
        &self.space
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn converged(&self) -> bool {
        self.converged
    }

    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// The point the next pass evaluates, in the passes' coordinates.
    pub fn trial_model(&self) -> RawModel {
        self.space.raw_model(&self.trial)
    }

    pub fn trial(&self) -> &[f64] {
        &self.trial
    }

    pub fn wants_hessian(&self) -> bool {
        self.wants_hessian
    }

    /// The best point so far: the solution once [`Solver::is_done`].
    pub fn solution(&self) -> &[f64] {
        &self.theta
    }

    /// Takes the pass's sums at [`Solver::trial`]; returns whether the point was
    /// accepted (the fit moved there).
    pub fn observe(&mut self, sums: &Sums) -> Result<bool> {
        self.iterations += 1;
        let objective = sums.loss / self.space.weight_sum + self.space.penalty(&self.trial);
        if !objective.is_finite() {
            return Err(Error::new(
                ErrorCode::MlInput,
                "the log-loss is not a finite number: some feature values are too large \
                 (their products overflow a double); rescale those columns first",
            ));
        }
        let first = self.objective.is_nan();
        let noise = NOISE * self.objective.abs().max(1.0);
        let accepted = first
            || objective
                <= self.objective + SUFFICIENT_DECREASE * self.step * self.decrease + noise;
        if accepted {
            let gradient = self.space.gradient(sums);
            self.hessian_is_current = !sums.hessian.is_empty();
            if self.hessian_is_current {
                self.hessian = Some(self.space.hessian(sums));
            } else if let Some(hessian) = self.hessian.as_mut() {
                self.space.update_curvature(
                    hessian,
                    &self.theta,
                    &self.trial,
                    &self.gradient,
                    &gradient,
                );
            }
            self.theta.clone_from(&self.trial);
            self.objective = objective;
            self.gradient = gradient;
            self.plan_step(first)?;
        } else {
            self.backtrack();
        }
        if !self.done && self.iterations >= self.max_iter {
            self.done = true;
        }
        Ok(accepted)
    }

    /// The Newton step from the accepted point: converged, or the next trial.
    fn plan_step(&mut self, first: bool) -> Result<()> {
        let hessian = self
            .hessian
            .as_ref()
            .ok_or_else(|| Error::new(ErrorCode::Internal, "a Newton step without a Hessian"))?;
        let first_at_start = first && !self.reuse_curvature;
        self.direction = direction(
            &self.space,
            &self.theta,
            &self.gradient,
            hessian,
            first_at_start,
        )?;
        let next: Vec<f64> = self
            .theta
            .iter()
            .zip(&self.direction)
            .map(|(t, d)| t + d)
            .collect();
        self.decrease = self
            .gradient
            .iter()
            .zip(&self.direction)
            .map(|(g, d)| g * d)
            .sum::<f64>()
            + self.space.penalty(&next)
            - self.space.penalty(&self.theta);
        let free = |v: &[f64]| {
            v.iter()
                .zip(&self.space.free)
                .filter(|(_, &f)| f)
                .map(|(x, _)| x.abs())
                .fold(0.0, f64::max)
        };
        let step_size = free(&self.direction);
        let scale = free(&self.theta).max(1.0);
        if step_size <= self.tol * scale {
            // The last step is tiny: take it without another pass.
            if self.decrease <= 0.0 {
                self.theta = next;
            }
            self.converged = true;
            self.done = true;
            return Ok(());
        }
        let noise = NOISE * self.objective.abs().max(1.0);
        if self.decrease > noise {
            // Not a descent direction beyond rounding: the model cannot improve the point.
            self.converged = true;
            self.done = true;
            return Ok(());
        }
        self.wants_hessian = !self.reuse_curvature
            || !self.hessian_is_current && step_size > FAST_ENOUGH * self.previous_step_size;
        self.previous_step_size = step_size;
        self.step = 1.0;
        self.trial = next;
        Ok(())
    }

    /// The trial point was rejected: evaluate the current point afresh if the step came
    /// from an older point's curvature, else try half the step.
    fn backtrack(&mut self) {
        if !self.hessian_is_current {
            self.step = 0.0;
            self.trial.clone_from(&self.theta);
        } else {
            self.step *= 0.5;
            if self.step < SMALLEST_STEP {
                self.done = true;
                return;
            }
            for ((t, x), d) in self.trial.iter_mut().zip(&self.theta).zip(&self.direction) {
                *t = x + self.step * d;
            }
        }
        self.wants_hessian = true;
    }
}

/// The step minimising `gᵀd + ½dᵀHd + penalty(θ + d)` over the free coordinates.
///
/// `at_start` marks the first step of a fit from Spark's starting point, where every
/// row has the same curvature: a singular Hessian there means collinear features, an
/// error as in LinearRegression. Later, a singular Hessian (rows classified with
/// certainty) is damped instead.
fn direction(
    space: &Space,
    theta: &[f64],
    gradient: &[f64],
    hessian: &Array2<f64>,
    at_start: bool,
) -> Result<Vec<f64>> {
    let n = space.len();
    if space.has_l1() {
        // Coordinate descent on the model written in the new point: ½θ'ᵀHθ' −
        // (Hθ − g)ᵀθ' + penalty(θ').
        let h_theta = hessian.dot(&Array1::from(theta.to_vec()));
        let b = Array1::from_shape_fn(n, |i| h_theta[i] - gradient[i]);
        let fixed: Vec<bool> = space.free.iter().map(|f| !f).collect();
        let next = coordinate_descent(hessian, &b, &space.l1, &space.l2, &fixed)?;
        return Ok((0..n)
            .map(|i| {
                if space.free[i] {
                    next[i] - theta[i]
                } else {
                    0.0
                }
            })
            .collect());
    }
    let free: Vec<usize> = (0..n).filter(|&i| space.free[i]).collect();
    let m = free.len();
    let l2_gradient = space.l2_gradient(theta);
    // Scaled to a unit diagonal, so that the singularity test is relative to each
    // coordinate's own curvature (penalty weights can span many orders of magnitude).
    let diagonal: Vec<f64> = free
        .iter()
        .map(|&i| hessian[[i, i]] + space.l2_hessian(i, i))
        .collect();
    let scale: Vec<f64> = diagonal
        .iter()
        .map(|&d| if d > 0.0 { 1.0 / d.sqrt() } else { 1.0 })
        .collect();
    let system = Array2::from_shape_fn((m, m), |(a, b)| {
        (hessian[[free[a], free[b]]] + space.l2_hessian(free[a], free[b])) * scale[a] * scale[b]
    });
    let rhs = Array1::from_shape_fn(m, |a| {
        -(gradient[free[a]] + l2_gradient[free[a]]) * scale[a]
    });
    let mut damping = 0.0;
    let solution = loop {
        let mut damped = system.clone();
        for a in 0..m {
            damped[[a, a]] += damping;
        }
        match cholesky_solve(&damped, &rhs) {
            Ok(solution) if solution.iter().all(|x| x.is_finite()) => break solution,
            Err(column) if at_start && damping == 0.0 => {
                let i = free[column];
                return Err(Error::new(
                    ErrorCode::MlSingular,
                    format!(
                        "the features are collinear: feature {} (counting from 0) is a linear \
                         combination of the features before it, so the fit has no unique \
                         solution; remove it or set regParam > 0",
                        i % space.width()
                    ),
                ));
            }
            _ if damping > 1e10 => {
                return Err(Error::new(
                    ErrorCode::MlSingular,
                    "the Newton system of the logistic loss could not be solved; set \
                     regParam > 0 or remove collinear features",
                ))
            }
            _ => {
                damping = if damping == 0.0 {
                    1e-10
                } else {
                    damping * 100.0
                }
            }
        }
    };
    let mut step = vec![0.0; n];
    for (a, &i) in free.iter().enumerate() {
        step[i] = solution[a] * scale[a];
    }
    Ok(step)
}
