//! Scoring many linear regressions on the same rows at once: the fast path of
//! [`super::evaluate`] for LinearRegression.
//!
//! A cross-validation scores every validation row with every grid point's model of its
//! fold (12 points × 1M rows: 12M predictions). Through [`super::scoring_pass`] each
//! prediction costs a model dispatch and each [`RegressionSums::add`] two divisions
//! (Welford's running means), on one long dependency chain. Here the models that score a
//! group's rows are laid out lane by lane ([`GroupModels`]), so one row is scored by
//! [`LANES`] models with one multiply-add per feature, and the sums are plain sums (no
//! division): the label's and each prediction's around a shift (the value at the
//! partition's first row), which keeps the spread's digits as Welford's means do. Each
//! partition's sums become [`RegressionSums`] at its end and merge as before, so the
//! metrics are the generic pass's up to rounding.

use rayon::prelude::*;

use crate::error::Result;
use crate::job::JobContext;
use crate::ml::dataset::Prepared;
use crate::ml::linear::LinearModel;

use super::{Evaluation, RegressionSums, Running};

/// Models scored side by side: 4 f64 lanes are two SSE2 / wasm SIMD registers (or one
/// AVX register), enough independent work to hide the adds' latency.
const LANES: usize = 4;
type Lanes = [f64; LANES];

/// The models whose evaluations read one group's rows, `LANES` to a block.
struct GroupModels {
    /// The evaluation each lane feeds; lanes past its end are padding (zero models).
    evaluations: Vec<usize>,
    features: usize,
    /// Per block, per feature, each lane's coefficient.
    coefficients: Vec<Lanes>,
    /// Per block, each lane's intercept.
    intercepts: Vec<Lanes>,
}

impl GroupModels {
    fn new(evaluations: &[usize], models: &[&LinearModel], features: usize) -> Self {
        let blocks = evaluations.len().div_ceil(LANES);
        let mut coefficients = vec![[0.0; LANES]; blocks * features];
        let mut intercepts = vec![[0.0; LANES]; blocks];
        for (i, model) in models.iter().enumerate() {
            let (block, lane) = (i / LANES, i % LANES);
            intercepts[block][lane] = model.intercept;
            for (j, &w) in model.coefficients.iter().enumerate() {
                coefficients[block * features + j][lane] = w;
            }
        }
        GroupModels {
            evaluations: evaluations.to_vec(),
            features,
            coefficients,
            intercepts,
        }
    }

    fn blocks(&self) -> usize {
        self.intercepts.len()
    }

    /// Block `block`'s predictions of row `x`.
    #[inline(always)]
    fn predict(&self, block: usize, x: &[f64]) -> Lanes {
        let mut prediction = self.intercepts[block];
        let coefficients = &self.coefficients[block * self.features..(block + 1) * self.features];
        for (&xj, w) in x.iter().zip(coefficients) {
            for l in 0..LANES {
                prediction[l] += xj * w[l];
            }
        }
        prediction
    }

    /// Adds row `(x, y)` to every lane's sums.
    #[inline(always)]
    fn score(&self, x: &[f64], y: f64, sums: &mut GroupSums) {
        sums.rows += 1.0;
        let dy = y - sums.label_shift;
        sums.label += dy;
        sums.label_squares += dy * dy;
        for (block, (lanes, shift)) in sums.blocks.iter_mut().zip(&sums.shifts).enumerate() {
            let prediction = self.predict(block, x);
            for l in 0..LANES {
                let error = y - prediction[l];
                lanes.squared_errors[l] += error * error;
                lanes.absolute_errors[l] += error.abs();
                let d = prediction[l] - shift[l];
                lanes.predictions[l] += d;
                lanes.prediction_squares[l] += d * d;
            }
        }
    }
}

/// One block's sums over a partition's rows of one group.
#[derive(Debug, Clone, Copy, Default)]
struct BlockSums {
    squared_errors: Lanes,
    absolute_errors: Lanes,
    /// `Σ (ŷ − shift)` and `Σ (ŷ − shift)²`.
    predictions: Lanes,
    prediction_squares: Lanes,
}

/// A partition's sums for the rows of one group.
struct GroupSums {
    rows: f64,
    label_shift: f64,
    /// `Σ (y − label_shift)` and `Σ (y − label_shift)²`.
    label: f64,
    label_squares: f64,
    /// Per block, the predictions' shift (each model's prediction of the first row).
    shifts: Vec<Lanes>,
    blocks: Vec<BlockSums>,
}

impl GroupSums {
    /// Sums around the label and the predictions of the row `(x, y)`.
    fn around(models: &GroupModels, x: &[f64], y: f64) -> Self {
        GroupSums {
            rows: 0.0,
            label_shift: y,
            label: 0.0,
            label_squares: 0.0,
            shifts: (0..models.blocks()).map(|b| models.predict(b, x)).collect(),
            blocks: vec![BlockSums::default(); models.blocks()],
        }
    }

    /// Lane `lane`'s sums as the generic pass keeps them.
    fn regression_sums(&self, lane: usize) -> RegressionSums {
        let (block, l) = (lane / LANES, lane % LANES);
        let sums = &self.blocks[block];
        RegressionSums {
            squared_errors: sums.squared_errors[l],
            absolute_errors: sums.absolute_errors[l],
            labels: running(self.rows, self.label_shift, self.label, self.label_squares),
            predictions: running(
                self.rows,
                self.shifts[block][l],
                sums.predictions[l],
                sums.prediction_squares[l],
            ),
        }
    }
}

/// Count, mean and `Σ (v − mean)²` from `n` values' sum and sum of squares around `shift`.
fn running(n: f64, shift: f64, sum: f64, squares: f64) -> Running {
    if n == 0.0 {
        return Running::default();
    }
    let offset = sum / n;
    Running {
        n,
        mean: shift + offset,
        m2: (squares - sum * offset).max(0.0),
    }
}

/// Every evaluation's [`RegressionSums`], one list per partition. `linear[m]` is model
/// `m` with its scaler folded in; `by_group[g]` lists the evaluations that read group
/// `g`'s rows.
pub(super) fn linear_regression_pass(
    parts: &[Prepared],
    linear: &[LinearModel],
    evaluations: &[Evaluation],
    by_group: &[Vec<usize>],
    ctx: &JobContext,
) -> Result<Vec<Vec<RegressionSums>>> {
    let features = linear.first().map_or(0, |m| m.coefficients.len());
    let groups: Vec<GroupModels> = by_group
        .iter()
        .map(|list| {
            let models: Vec<&LinearModel> = list
                .iter()
                .map(|&e| &linear[evaluations[e].model])
                .collect();
            GroupModels::new(list, &models, features)
        })
        .collect();
    parts
        .par_iter()
        .map(|part| {
            ctx.check()?;
            let sums = score_partition(part, &groups, evaluations.len());
            ctx.advance();
            Ok(sums)
        })
        .collect()
}

/// One partition's sums, per evaluation.
fn score_partition(
    part: &Prepared,
    groups: &[GroupModels],
    evaluations: usize,
) -> Vec<RegressionSums> {
    let mut totals = vec![RegressionSums::default(); evaluations];
    let Some(first) = part.iter().next() else {
        return totals;
    };
    let mut sums: Vec<GroupSums> = groups
        .iter()
        .map(|models| GroupSums::around(models, first.features, first.label))
        .collect();
    for row in part.iter() {
        let g = row.group as usize;
        groups[g].score(row.features, row.label, &mut sums[g]);
    }
    for (models, sums) in groups.iter().zip(&sums) {
        for (lane, &e) in models.evaluations.iter().enumerate() {
            totals[e].merge(&sums.regression_sums(lane));
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::super::{evaluate, Rows};
    use super::*;
    use crate::ml::assemble::AssembledRows;
    use crate::ml::dataset::RowLayout;
    use crate::ml::estimator::TrainedModel;
    use crate::ml::evaluation::MetricName;
    use crate::ml::scale::StandardScalerModel;
    use crate::random::{unit, Stream};

    /// Three partitions of 3-feature rows around a large label mean, in 4 groups.
    fn parts() -> Vec<Prepared> {
        let layout = RowLayout {
            features: 3,
            label: true,
            weight: false,
            validation: false,
        };
        (0..3u64)
            .map(|p| {
                let rows: Vec<u64> = (p * 500..(p + 1) * 500 - 7 * p).collect();
                let values: Vec<f64> = rows
                    .iter()
                    .flat_map(|&r| {
                        let u = |f: u64| unit(3, Stream::KMeansInit, r * 4 + f);
                        let x = [10.0 * u(0), 1e4 + u(1), -3.0 * u(2)];
                        [x[0], x[1], x[2], 5e6 + 2.0 * x[0] - x[2] + u(3)]
                    })
                    .collect();
                Prepared {
                    rows: AssembledRows {
                        values: Array2::from_shape_vec((rows.len(), 4), values).unwrap(),
                        row_numbers: rows.clone(),
                    },
                    groups: rows.iter().map(|r| (r * 7 % 4) as u16).collect(),
                    layout,
                }
            })
            .collect()
    }

    fn relative(a: f64, b: f64) -> f64 {
        (a - b).abs() / a.abs().max(b.abs()).max(1e-300)
    }

    /// The lane-by-lane pass gives the generic scoring pass's metrics: 7 models (two
    /// blocks, one padded), with and without a scaler, on one group, on the groups below
    /// one, and on every group.
    #[test]
    fn equals_the_generic_scoring_pass() {
        let parts = parts();
        let scaler = StandardScalerModel {
            mean: vec![5.0, 1e4, -1.5],
            std: vec![3.0, 0.3, 0.9],
            with_mean: true,
            with_std: true,
        };
        let models: Vec<TrainedModel> = (0..7)
            .map(|i| {
                let f = i as f64;
                let model = LinearModel {
                    coefficients: vec![2.0 - 0.1 * f, 0.5 * f, -1.0 + 0.01 * f],
                    intercept: 5e6 - 1e3 * f,
                };
                TrainedModel::LinearRegression {
                    scaler: (i % 2 == 1).then(|| scaler.clone()),
                    model,
                }
            })
            .collect();
        let refs: Vec<&TrainedModel> = models.iter().collect();
        let evaluations: Vec<Evaluation> = (0..7)
            .map(|i| Evaluation {
                model: i,
                rows: match i % 3 {
                    0 => Rows::Group((i % 4) as u16),
                    1 => Rows::Below(3),
                    _ => Rows::Below(4),
                },
            })
            .collect();
        let ctx = JobContext::default();
        let fast = evaluate(&parts, &refs, &evaluations, 4, &ctx).unwrap();
        let generic =
            super::super::evaluate_generically(&parts, &refs, &evaluations, 4, &ctx).unwrap();
        for ((a, _), (b, _)) in fast.iter().zip(&generic) {
            assert_eq!(a.rows, b.rows);
            for metric in MetricName::REGRESSION {
                let (x, y) = (a.get(metric), b.get(metric));
                assert!(relative(x, y) < 1e-9, "{}: {x} vs {y}", metric.name());
            }
        }
    }
}
