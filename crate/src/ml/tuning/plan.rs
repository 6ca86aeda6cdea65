//! Sizing a training job before it reads a row: its assembled rows, its estimator's own
//! per-row state and what its evaluations keep per row, against the memory left. Rows that would not fit next to the fits
//! are assembled again by each pass instead of kept, for the estimators that read them
//! few times (the trees); a job whose fits alone would not fit is refused with
//! `OUT_OF_MEMORY` up front, instead of the wasm instance aborting halfway.

use crate::error::Result;
use crate::memory::{check_within, describe_bytes};
use crate::ml::dataset::RowLayout;
use crate::ml::estimator::EstimatorSpec;

/// What a job holds besides its kept rows: its estimator's fits, and per row what its
/// evaluations keep at once (a binary classifier's scores, see
/// [`super::JobShape::evaluation_row_bytes`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Footprint<'a> {
    pub estimator: &'a EstimatorSpec,
    pub evaluation_row_bytes: usize,
}

impl Footprint<'_> {
    /// Bytes held for `rows` rows of `features` features besides the rows themselves.
    pub(super) fn state_bytes(&self, rows: usize, features: usize) -> usize {
        self.estimator
            .fit_bytes(rows, features)
            .saturating_add(rows.saturating_mul(self.evaluation_row_bytes))
    }
}

/// Whether a job keeps its assembled rows or assembles them on each pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowPlan {
    Keep,
    AssembleOnDemand,
}

/// Bytes per row of the kept rows: 8 per value, the row's number and its group.
fn kept_row_bytes(layout: RowLayout) -> usize {
    8 * layout.width() + 8 + 2
}

/// What to do when a job does not fit.
const ADVICE: &str = "choose fewer features, or train on a sample or a filtered table \
                      (CREATE TABLE ... AS SELECT ... WHERE rand(42) < 0.5)";

/// Plans a job of `rows` rows of `layout` with `footprint` within `available` bytes:
/// keep the assembled rows when they fit with the job's own state; else, for an
/// estimator that reads the rows few times (and when the caller can, `on_demand`),
/// assemble them on each pass when its state alone fits; else refuse with
/// `OUT_OF_MEMORY`, saying what it needs and what to do.
pub(super) fn plan_rows(
    rows: usize,
    layout: RowLayout,
    footprint: Footprint,
    available: usize,
    on_demand: bool,
) -> Result<RowPlan> {
    let estimator = footprint.estimator;
    let kept = rows.saturating_mul(kept_row_bytes(layout));
    let state = footprint.state_bytes(rows, layout.features);
    if kept.saturating_add(state) <= available {
        return Ok(RowPlan::Keep);
    }
    let name = estimator.spark_name();
    let shape = format!("{rows} rows × {} features", layout.features);
    if on_demand && estimator.reads_rows_few_times() {
        check_within(
            state,
            available,
            &format!("training {name} on {shape} (its fits' own state, reading the table again on each pass)"),
            ADVICE,
        )?;
        return Ok(RowPlan::AssembleOnDemand);
    }
    let what = if state > 0 {
        format!(
            "training {name} on {shape} (the assembled rows, {}, and the fits' and \
             evaluations' own state, {})",
            describe_bytes(kept),
            describe_bytes(state)
        )
    } else {
        format!("training {name} on {shape} (the assembled rows)")
    };
    check_within(kept.saturating_add(state), available, &what, ADVICE)?;
    Ok(RowPlan::Keep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::ml::tree::ForestParams;

    const LAYOUT: RowLayout = RowLayout {
        features: 20,
        label: true,
        weight: false,
        validation: false,
    };

    fn forest() -> EstimatorSpec {
        EstimatorSpec::RandomForestClassifier(ForestParams::default())
    }

    /// `estimator`'s footprint with evaluations that keep nothing per row.
    fn alone(estimator: &EstimatorSpec) -> Footprint<'_> {
        Footprint {
            estimator,
            evaluation_row_bytes: 0,
        }
    }

    #[test]
    fn rows_are_kept_while_they_fit_then_assembled_on_each_pass() {
        let rows = 1_000_000;
        let state = forest().fit_bytes(rows, 20);
        let kept = rows * kept_row_bytes(LAYOUT);
        let plan = |available| plan_rows(rows, LAYOUT, alone(&forest()), available, true).unwrap();
        assert_eq!(plan(kept + state), RowPlan::Keep);
        assert_eq!(plan(kept + state - 1), RowPlan::AssembleOnDemand);
        assert_eq!(plan(state), RowPlan::AssembleOnDemand);
    }

    #[test]
    fn a_job_whose_fits_do_not_fit_is_refused_with_what_to_do() {
        let rows = 1_000_000;
        let state = forest().fit_bytes(rows, 20);
        let err = plan_rows(rows, LAYOUT, alone(&forest()), state - 1, true).unwrap_err();
        assert_eq!(err.code(), ErrorCode::OutOfMemory);
        let message = err.message();
        assert!(
            message.starts_with(
                "training RandomForestClassifier on 1000000 rows × 20 features (its fits' own \
                 state, reading the table again on each pass) needs about"
            ),
            "{message}"
        );
        assert!(message.ends_with(ADVICE), "{message}");
        // Without assembling on demand (a pipeline refitted per fold), the kept rows count.
        let err = plan_rows(rows, LAYOUT, alone(&forest()), state, false).unwrap_err();
        assert!(
            err.message().contains("(the assembled rows, "),
            "{}",
            err.message()
        );
    }

    #[test]
    fn estimators_that_read_rows_many_times_keep_them_or_are_refused() {
        let logistic = EstimatorSpec::LogisticRegression(Default::default());
        let rows = 1_000_000;
        let kept = rows * kept_row_bytes(LAYOUT);
        assert_eq!(
            plan_rows(rows, LAYOUT, alone(&logistic), kept, true).unwrap(),
            RowPlan::Keep
        );
        let err = plan_rows(rows, LAYOUT, alone(&logistic), kept - 1, true).unwrap_err();
        assert_eq!(err.code(), ErrorCode::OutOfMemory);
    }

    /// Whole jobs on the generated table, which is native only.
    #[cfg(not(target_arch = "wasm32"))]
    mod whole_jobs {
        use super::*;

        /// A TrainValidationSplit (one grid point: its refit shares the fits' passes) or a
        /// 2-fold CrossValidator over two points of `estimator` on 20,000 generated rows.
        fn job(
            estimator: &str,
            params: &str,
            grid: &str,
            tuning: &str,
        ) -> crate::ml::tuning::TrainSpec {
            serde_json::from_str(&format!(
                r#"{{
                    "estimator": "{estimator}",
                    "params": {params},
                    "features": ["age", "income", "tenure_months", "data_gb", "support_tickets",
                                 "monthly_spend"],
                    "label": "churned",
                    "handleInvalid": "skip",
                    "grid": {grid},
                    "tuning": {tuning},
                    "testFraction": 0.1,
                    "seed": 7
                }}"#
            ))
            .unwrap()
        }

        const TVS: &str = r#"{ "kind": "trainValidationSplit", "trainRatio": 0.75 }"#;
        const CV: &str = r#"{ "kind": "crossValidator", "numFolds": 2 }"#;

        /// Trains `spec` with its rows kept, then assembled on each pass (a budget between
        /// its fits' state and that plus the kept rows), then with too little memory.
        fn kept_and_on_demand(spec: &crate::ml::tuning::TrainSpec) {
            use crate::job::JobContext;
            use crate::ml::tuning::{train_within, PreparedLabel};
            let table = crate::datagen::telecom_table(42, 20_000, 2_500).unwrap();
            let rows = table.num_rows();
            let layout = RowLayout {
                features: 6,
                label: true,
                weight: false,
                validation: false,
            };
            let label = PreparedLabel::as_in_table(spec);
            let state = crate::ml::tuning::JobShape::new(spec, &label)
                .unwrap()
                .footprint(spec)
                .state_bytes(rows, 6);
            let kept = rows * kept_row_bytes(layout);
            let ctx = JobContext::default();
            let train = |available| {
                let label = PreparedLabel::as_in_table(spec);
                train_within(&table, &[], spec, label, available, &ctx)
            };
            let with_rows_kept = train(kept + state).unwrap();
            let on_demand = train(kept + state - 1).unwrap();
            assert_eq!(with_rows_kept, on_demand, "{}", spec.estimator.spark_name());
            let err = train(state - 1).unwrap_err();
            assert_eq!(err.code(), ErrorCode::OutOfMemory);
            assert!(
                err.message().starts_with(&format!(
                    "training {} on 20000 rows × 6 features",
                    spec.estimator.spark_name()
                )),
                "{}",
                err.message()
            );
        }

        #[test]
        fn trees_trained_on_rows_assembled_on_each_pass_are_the_same() {
            let forest = job(
                "randomForestClassifier",
                r#"{ "numTrees": 6, "maxDepth": 4, "seed": 3 }"#,
                "[]",
                TVS,
            );
            kept_and_on_demand(&forest);
            let gbt = job(
                "gbtClassifier",
                r#"{ "maxIter": 5, "maxDepth": 3 }"#,
                "[]",
                TVS,
            );
            kept_and_on_demand(&gbt);
            let regressor = job(
                "randomForestRegressor",
                r#"{ "numTrees": 4, "maxDepth": 3 }"#,
                r#"[{ "param": "maxDepth", "values": [2, 4] }]"#,
                CV,
            );
            kept_and_on_demand(&regressor);
            let tree = job(
                "decisionTreeClassifier",
                "{}",
                r#"[{ "param": "maxBins", "values": [16, 32] }]"#,
                CV,
            );
            kept_and_on_demand(&tree);
        }

        /// A binary classifier's grid keeps every validation row's score for each point at
        /// once: counted before any row is read, so a grid too large for memory is refused
        /// with what to do instead of the engine running out halfway.
        #[test]
        fn a_binary_classifiers_scores_are_counted_per_grid_point() {
            use crate::ml::tuning::{JobShape, PreparedLabel};
            let grid = r#"[{ "param": "regParam", "values": [0, 0.01, 0.1, 1] },
                           { "param": "elasticNetParam", "values": [0, 0.5, 1] }]"#;
            let cv = job("logisticRegression", "{}", grid, CV);
            let bytes = |spec: &crate::ml::tuning::TrainSpec, labels: &[&str]| {
                let label = PreparedLabel {
                    column: Some("churned"),
                    labels: labels.iter().map(|l| l.to_string()).collect(),
                };
                JobShape::new(spec, &label).unwrap().evaluation_row_bytes
            };
            assert_eq!(bytes(&cv, &[]), 8 * 12);
            assert_eq!(bytes(&cv, &["no", "yes"]), 8 * 12);
            assert_eq!(bytes(&cv, &["a", "b", "c"]), 0);
            let tvs = job("logisticRegression", "{}", grid, TVS);
            assert_eq!(bytes(&tvs, &[]), 8 * 3);
            let one_point = job("logisticRegression", "{}", "[]", TVS);
            assert_eq!(bytes(&one_point, &[]), 8);
            let regression = job("linearRegression", "{}", grid, CV);
            assert_eq!(bytes(&regression, &[]), 0);

            let label = PreparedLabel::as_in_table(&cv);
            let footprint = JobShape::new(&cv, &label).unwrap().footprint(&cv);
            let rows = 30_000_000;
            let layout = RowLayout {
                features: 11,
                label: true,
                weight: false,
                validation: false,
            };
            let needed = rows * kept_row_bytes(layout) + rows * 8 * 12;
            assert_eq!(
                plan_rows(rows, layout, footprint, needed, true).unwrap(),
                RowPlan::Keep
            );
            let err = plan_rows(rows, layout, footprint, needed - 1, true).unwrap_err();
            assert_eq!(err.code(), ErrorCode::OutOfMemory);
            assert!(
                err.message()
                    .contains("the fits' and evaluations' own state"),
                "{}",
                err.message()
            );
        }
    }
}
