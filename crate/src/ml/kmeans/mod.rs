//! KMeans as Spark MLlib runs it (`org.apache.spark.ml.clustering.KMeans`): `k-means||`
//! or `random` initialisation, weighted Lloyd iterations with Spark's convergence and
//! empty-cluster rules, euclidean or cosine distance, and Spark's training summary.
//!
//! - [`params`]: the parameters, defaults and ranges; [`model`]: the fitted model.
//! - [`fit`]: many fits at once (a grid on cross-validation folds), one pass over the rows
//!   per step for all of them ([`pass`]).
//! - [`survey`] (the first pass), [`init`] and [`local`] (the first centres), [`lloyd`]
//!   (the iterations and the summary).
//! - [`search`]: each row's closest centre, the inner loop, exact by the functions of
//!   [`distance`]; [`bounds`]: Hamerly's bounds, which spare most rows that search once
//!   the centres settle.
//! - [`kept`]: a fit's final clusters of its training rows, handed to their silhouette.
//!
//! Randomness comes from the seed and row numbers only, so a seed gives the same model
//! for any partitioning and thread count (up to the last bits of floating-point sums,
//! which are merged in partition order); Spark's own draws differ, so Brasa's centres
//! match Spark's where the data leaves no doubt, not draw for draw.

mod bounds;
mod distance;
pub mod fit;
mod init;
pub mod kept;
mod lloyd;
mod local;
pub mod model;
pub mod params;
mod pass;
mod search;
mod survey;

pub use fit::{fit_from_centers, fit_many, fit_many_keeping, FitTask};
pub use kept::TrainingClusters;
pub use model::KMeansModel;
pub use params::{DistanceMeasure, InitMode, KMeansParams};
