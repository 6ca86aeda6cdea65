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

/// Test rows for the fits and their evaluations: four overlapping blobs of 3 features with
/// a weight, in 3 partitions of `per_part` rows drawn from `seed`; row `r` is in group
/// `r % groups`.
#[cfg(test)]
pub(crate) fn blob_parts(
    seed: u64,
    per_part: u64,
    groups: u64,
) -> Vec<crate::ml::dataset::Prepared> {
    use crate::ml::assemble::AssembledRows;
    use crate::ml::dataset::{Prepared, RowLayout};
    use crate::random::{unit, Stream};
    use ndarray::Array2;
    let layout = RowLayout {
        features: 3,
        label: false,
        weight: true,
        validation: false,
    };
    (0..3u64)
        .map(|p| {
            let rows: Vec<u64> = (p * per_part..(p + 1) * per_part).collect();
            let values: Vec<f64> = rows
                .iter()
                .flat_map(|&r| {
                    let centre = (r % 4) as f64 * 3.0 + 1.0;
                    let u = |f: u64| unit(seed, Stream::KMeansInit, r * 4 + f);
                    [
                        centre + 4.0 * u(0),
                        centre - 4.0 * u(1),
                        2.0 * u(2),
                        0.5 + u(3),
                    ]
                })
                .collect();
            Prepared {
                rows: AssembledRows {
                    values: Array2::from_shape_vec((rows.len(), 4), values)
                        .expect("4 values a row"),
                    row_numbers: rows.clone(),
                },
                groups: rows.iter().map(|r| (r % groups) as u16).collect(),
                layout,
            }
        })
        .collect()
}
