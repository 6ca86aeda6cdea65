//! Tuning with the cleaning pipeline refitted on each fit's training rows, as Spark's
//! CrossValidator fits a whole `Pipeline` per fold: no statistic of an Imputer, a
//! StringIndexer or a OneHotEncoder sees the rows it is validated on.
//!
//! A [`RefitSource`] gives, for each fold, the training rows and the held-out rows
//! cleaned by the pipeline fitted on the training rows ([`Sides`]). The two sides are
//! assembled into one set of partitions with three groups (validation, training, test),
//! every grid point is fitted on the training group at once (the estimator shares its
//! passes between them) and scored on the validation group. The best point is then
//! refitted on all training rows, cleaned by the pipeline fitted on them, and that
//! fitted pipeline is the one the model keeps for scoring.
//!
//! A one-hot vector's slots can differ between folds (a category absent from a fold's
//! training rows has no slot in that fold), so each fold reads the slots its own encoder
//! made, as Spark's VectorAssembler reads the whole vector column.

use std::sync::Arc;

use crate::clean::PipelineSpec;
use crate::error::Result;
use crate::frame::Table;
use crate::job::JobContext;
use crate::ml::attributes::categorical_features;
use crate::ml::dataset::{Parts, Prepared, Subset, TrainingData};
use crate::ml::estimator::{fit_all, EstimatorSpec, TrainedModel};
use crate::ml::evaluation::{evaluate, Evaluation, MetricSet, Rows};
use crate::ml::split::Split;

use super::prepare::{assemble_kept, check_enough_training_rows, count_groups, empty_fold};
use super::rank::rank;
use super::{
    fit_best, result, FinalRows, JobShape, PreparedLabel, RowCounts, TrainResult, TrainSpec,
};

/// Which rows a pair of [`Sides`] holds out from the fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldOut {
    /// A tuning fold (TrainValidationSplit has one, fold 0).
    Fold(usize),
    /// The test set: the sides of the final refit on all training rows.
    Test,
}

/// A fit's rows, cleaned by the pipeline fitted on its training side.
pub struct Sides {
    pub training: Arc<Table>,
    pub held_out: Arc<Table>,
    /// Each one-hot vector (a OneHotEncoder output column) and its slot columns, as
    /// fitted on the training side.
    pub vectors: Vec<(String, Vec<String>)>,
    /// The whole pipeline as fitted on the training side.
    pub pipeline: PipelineSpec,
}

/// Cleans each fit's rows with a pipeline fitted on its training side.
pub trait RefitSource {
    fn sides(&self, held_out: HeldOut, split: &Split, ctx: &JobContext) -> Result<Sides>;
}

/// The groups of assembled sides: the held-out side is a validation fold, or the test set.
const VALIDATION: u16 = 0;
const TRAINING: u16 = 1;
const TEST: u16 = 2;
const GROUPS: usize = 3;
/// The rows every fit of assembled sides learns from.
const TRAINING_SIDE: Subset = Subset {
    folds: 2,
    held_out: Some(VALIDATION),
};

/// Runs a training job whose cleaning pipeline `source` refits for every fold.
pub fn train_refitting(
    source: &dyn RefitSource,
    spec: &TrainSpec,
    label: PreparedLabel,
    ctx: &JobContext,
) -> Result<TrainResult> {
    let shape = JobShape::new(spec, &label)?;
    let split = shape.split;
    // The final sides first: their rows decide the classes and the model's features.
    let last = source.sides(HeldOut::Test, &split, ctx)?;
    let features = expand_vectors(&spec.features, &last.vectors);
    let final_parts = assemble_sides(&shape, spec, &last, &features, TEST, ctx)?;
    let counts = count_groups(Parts::Kept(&final_parts), GROUPS, ctx)?;
    check_enough_training_rows(counts[TRAINING as usize])?;
    let decided = shape.decide(spec, Parts::Kept(&final_parts), label.labels)?;
    let num_classes = decided.labels.len();

    let evaluated = split.evaluated_folds();
    let mut by_fold: Vec<Vec<MetricSet>> = Vec::with_capacity(evaluated);
    for fold in 0..evaluated {
        let sides = source.sides(HeldOut::Fold(fold), &split, ctx)?;
        let fold_features = expand_vectors(&spec.features, &sides.vectors);
        let parts = assemble_sides(&shape, spec, &sides, &fold_features, VALIDATION, ctx)?;
        let categorical = categorical_features(&fold_features, &sides.pipeline.steps);
        let fold_counts = count_groups(Parts::Kept(&parts), GROUPS, ctx)?;
        if fold_counts[VALIDATION as usize] == 0 {
            return Err(empty_fold(fold));
        }
        check_enough_training_rows(fold_counts[TRAINING as usize])?;
        let data = TrainingData {
            parts: Parts::Kept(&parts),
            features: &fold_features,
            label: shape.label_column,
            num_classes,
            categorical: &categorical,
            scaler: spec.scaler,
            groups: GROUPS,
        };
        let fits: Vec<(&EstimatorSpec, Subset)> = decided
            .points
            .iter()
            .map(|(_, estimator)| (estimator, TRAINING_SIDE))
            .collect();
        let models = fit_all(&data, &fits, ctx)?;
        let model_refs: Vec<&TrainedModel> = models.iter().collect();
        let evaluations: Vec<Evaluation> = (0..models.len())
            .map(|model| Evaluation {
                model,
                rows: Rows::Group(VALIDATION),
            })
            .collect();
        by_fold.push(
            evaluate(&parts, &model_refs, &evaluations, GROUPS, ctx)?
                .into_iter()
                .map(|(metrics, _)| metrics)
                .collect(),
        );
    }
    // Point-major, as the grid is ranked.
    let fold_metrics: Vec<MetricSet> = (0..decided.points.len())
        .flat_map(|p| by_fold.iter().map(move |fold| fold[p].clone()))
        .collect();
    let ranked = rank(&decided.tuned(), &fold_metrics, evaluated, decided.metric);

    let categorical = categorical_features(&features, &last.pipeline.steps);
    let data = TrainingData {
        parts: Parts::Kept(&final_parts),
        features: &features,
        label: shape.label_column,
        num_classes,
        categorical: &categorical,
        scaler: spec.scaler,
        groups: GROUPS,
    };
    let test_rows = counts[TEST as usize];
    let finished = fit_best(
        &data,
        &decided.points[ranked.best_index].1,
        None,
        FinalRows {
            training: TRAINING_SIDE,
            train: Rows::Group(TRAINING),
            test: (test_rows > 0).then_some(Rows::Group(TEST)),
        },
        spec.seed,
        ctx,
    )?;
    let total = (last.training.num_rows() + last.held_out.num_rows()) as u64;
    let kept: u64 = counts.iter().sum();
    let rows = RowCounts {
        total,
        skipped: total - kept,
        train: counts[TRAINING as usize],
        test: test_rows,
    };
    let mut trained = result(&shape, features, decided, ranked, finished, rows);
    trained.pipeline = Some(last.pipeline);
    Ok(trained)
}

/// Assembles both sides: the training side in [`TRAINING`], the held-out side in
/// `held_out_group`.
fn assemble_sides(
    shape: &JobShape,
    spec: &TrainSpec,
    sides: &Sides,
    features: &[String],
    held_out_group: u16,
    ctx: &JobContext,
) -> Result<Vec<Prepared>> {
    let assembler = shape.assembler(&sides.training, features, spec)?;
    // Both sides went through the same fitted steps, so they have the same columns.
    assemble_kept(
        &[&sides.training, &sides.held_out],
        &assembler,
        shape.layout_for(features.len()),
        &|table, _| if table == 0 { TRAINING } else { held_out_group },
        shape.footprint(spec),
        crate::memory::available(),
        ctx,
    )
}

/// The features a fit reads: the job's, with the slots of each one-hot vector among them
/// replaced (once, where its first slot was) by the slots that vector has in this fit.
fn expand_vectors(features: &[String], vectors: &[(String, Vec<String>)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(features.len());
    let mut expanded: Vec<&str> = Vec::new();
    for feature in features {
        let vector = vectors
            .iter()
            .filter(|(name, _)| {
                feature.len() > name.len() + 1
                    && feature.starts_with(name.as_str())
                    && feature.as_bytes()[name.len()] == b'_'
            })
            .max_by_key(|(name, _)| name.len());
        match vector {
            Some((name, slots)) => {
                if !expanded.contains(&name.as_str()) {
                    expanded.push(name);
                    out.extend(slots.iter().cloned());
                }
            }
            None => out.push(feature.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_vector_is_read_whole_with_the_slots_of_the_fold() {
        let vectors = vec![
            (
                "plan_vec".to_string(),
                names(&["plan_vec_basic", "plan_vec_pro"]),
            ),
            ("plan".to_string(), names(&["plan_x"])),
        ];
        // The whole table had a `plus` slot this fold's training rows never saw.
        let features = names(&["age", "plan_vec_basic", "plan_vec_plus", "income", "plan_x"]);
        assert_eq!(
            expand_vectors(&features, &vectors),
            names(&["age", "plan_vec_basic", "plan_vec_pro", "income", "plan_x"])
        );
        assert_eq!(
            expand_vectors(&names(&["planet", "plan_vec"]), &vectors),
            names(&["planet", "plan_x"]),
            "`plan_vec` itself reads as a slot of the `plan` vector"
        );
    }
}
