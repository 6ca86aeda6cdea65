//! LogisticRegression as Spark MLlib fits it: binomial and multinomial (softmax) models,
//! elastic-net regularisation on standardised features, instance weights, and Spark's
//! prediction rules.
//!
//! - [`params`]: the estimator's parameters and checks;
//! - [`model`]: the fitted model and how it scores a row;
//! - [`fit`]: [`fit_many`], fitting many (grid point, fold) tasks in shared passes;
//! - [`summary`], [`space`], [`kernel`], [`pass`], [`solver`]: the statistics pass, the
//!   standardised coordinates, the row kernels, the parallel pass and the Newton solver
//!   behind it.
//!
//! Unlike LinearRegression, the log-loss has no sufficient statistics: each solver
//! iteration reads the rows again. Every pass therefore serves all the fits still running,
//! and fold fits start from the fit on all folds, where their own gradient and Hessian are
//! already known.

mod fastmath;
pub mod fit;
mod kernel;
pub mod model;
pub mod params;
mod pass;
mod solver;
mod space;
mod summary;

pub use fit::{fit_many, FitTask, MAX_COEFFICIENTS};
pub use model::LogisticRegressionModel;
pub use params::{Family, LogisticRegressionParams};
