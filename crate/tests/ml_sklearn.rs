//! LinearRegression and CrossValidator against scikit-learn
//! (`tests/fixtures/ml/make_ml_fixtures.py` made the data and the answers), plus the
//! properties the answers must have: the same for any partitioning and thread count, and
//! a one-point grid equal to a single fit.

use std::path::PathBuf;

use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::ml::diagnostics::Diagnostics;
use brasa::ml::estimator::{EstimatorSpec, TrainedModel};
use brasa::ml::evaluation::{MetricName, MetricSet};
use brasa::ml::grid::GridAxis;
use brasa::ml::linear::{LinearModel, LinearRegressionParams};
use brasa::ml::split::Tuning;
use brasa::ml::tuning::{train, TrainResult, TrainSpec};
use brasa::{ErrorCode, Table};
use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/ml")
}

fn data() -> (Table, Value) {
    let bytes = std::fs::read(fixtures().join("regression.csv")).unwrap();
    let (table, _) = read_csv(&bytes, &CsvOptions::default()).unwrap();
    let expected = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    (table, serde_json::from_str(&expected).unwrap())
}

fn spec(expected: &Value) -> TrainSpec {
    TrainSpec {
        estimator: EstimatorSpec::LinearRegression(Default::default()),
        features: serde_json::from_value(expected["features"].clone()).unwrap(),
        label: Some("spend".into()),
        label_indexer: None,
        weight_col: None,
        validation_indicator_col: None,
        handle_invalid: Default::default(),
        scaler: None,
        grid: vec![],
        tuning: Tuning::CrossValidator { num_folds: 3 },
        metric: None,
        test_fraction: 0.0,
        seed: 42,
        pipeline: None,
    }
}

/// The LinearRegression params of a spec, to set some.
fn params(spec: &mut TrainSpec) -> &mut LinearRegressionParams {
    match &mut spec.estimator {
        EstimatorSpec::LinearRegression(p) => p,
        other => panic!("not a linear regression: {other:?}"),
    }
}

/// The refitted linear model (on the scaled features when there is a scaler).
fn linear(result: &TrainResult) -> &LinearModel {
    match &result.model {
        TrainedModel::LinearRegression { model, .. } => model,
        other => panic!("not a linear regression: {other:?}"),
    }
}

fn metric(set: &MetricSet, name: MetricName) -> f64 {
    set.get(name)
}

/// The regression charts' data.
fn regression_charts(
    result: &TrainResult,
) -> (&str, &[f64], &[f64], &brasa::ml::diagnostics::Histogram) {
    match &result.diagnostics {
        Diagnostics::Regression {
            rows,
            actual,
            predicted,
            residuals,
        } => (rows, actual, predicted, residuals),
        other => panic!("not regression charts: {other:?}"),
    }
}

fn assert_relative(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let scale = expected.abs().max(1e-8);
    assert!(
        ((actual - expected) / scale).abs() <= tolerance,
        "{what}: {actual} vs scikit-learn's {expected}"
    );
}

fn grid_spec(expected: &Value) -> TrainSpec {
    TrainSpec {
        grid: vec![
            GridAxis {
                param: "regParam".into(),
                values: vec![json!(0.0), json!(0.01), json!(0.1), json!(1.0)],
            },
            GridAxis {
                param: "elasticNetParam".into(),
                values: vec![json!(0.0), json!(0.5), json!(1.0)],
            },
        ],
        ..spec(expected)
    }
}

#[test]
fn single_fits_match_scikit_learn_under_sparks_objective() {
    let (table, expected) = data();
    let fits = expected["fits"].as_array().unwrap();
    assert_eq!(fits.len(), 28);
    for case in fits {
        let mut spec = spec(&expected);
        *params(&mut spec) = serde_json::from_value(case["params"].clone()).unwrap();
        let result = train(&table, &spec, &JobContext::default()).unwrap();
        assert_model(&result, case, &format!("{}", case["params"]));
    }
}

fn assert_model(result: &TrainResult, case: &Value, what: &str) {
    for (j, c) in case["coefficients"].as_array().unwrap().iter().enumerate() {
        assert_relative(
            linear(result).coefficients[j],
            c.as_f64().unwrap(),
            1e-6,
            &format!("{what} coefficient {j}"),
        );
    }
    assert_relative(
        linear(result).intercept,
        case["intercept"].as_f64().unwrap(),
        1e-6,
        &format!("{what} intercept"),
    );
}

#[test]
fn a_standard_scaler_stage_matches_sparks_scaler_then_regression() {
    let (table, expected) = data();
    let fits = expected["scaledFits"].as_array().unwrap();
    assert_eq!(fits.len(), 12);
    for case in fits {
        let mut spec = spec(&expected);
        spec.scaler = Some(serde_json::from_value(case["scaler"].clone()).unwrap());
        *params(&mut spec) = serde_json::from_value(case["params"].clone()).unwrap();
        let result = train(&table, &spec, &JobContext::default()).unwrap();
        let what = format!("{} {}", case["scaler"], case["params"]);
        let scaler = result.model.scaler().expect("the scaler is returned");
        for (ours, theirs) in scaler.std.iter().zip(case["scalerStd"].as_array().unwrap()) {
            assert_relative(*ours, theirs.as_f64().unwrap(), 1e-12, "scaler std");
        }
        assert_model(&result, case, &what);
    }
}

#[test]
fn the_scaler_is_fitted_on_each_training_split_only() {
    let (table, expected) = data();
    let cv = &expected["scaledCv"];
    let mut spec = spec(&expected);
    spec.scaler = Some(serde_json::from_value(cv["scaler"].clone()).unwrap());
    params(&mut spec).standardization = false;
    spec.grid = vec![
        GridAxis {
            param: "regParam".into(),
            values: vec![json!(0.01), json!(0.1), json!(1.0)],
        },
        GridAxis {
            param: "elasticNetParam".into(),
            values: vec![json!(0.0), json!(1.0)],
        },
    ];
    let result = train(&table, &spec, &JobContext::default()).unwrap();
    for point in cv["points"].as_array().unwrap() {
        let ours = result
            .grid
            .iter()
            .find(|g| {
                g.params["regParam"].as_f64() == point["regParam"].as_f64()
                    && g.params["elasticNetParam"].as_f64() == point["elasticNetParam"].as_f64()
            })
            .expect("every scikit-learn point is in the grid");
        assert_relative(
            ours.avg_metric,
            point["avgRmse"].as_f64().unwrap(),
            1e-9,
            "avg rmse with the scaler in each split",
        );
    }
}

#[test]
fn cross_validation_matches_grid_search_cv_on_the_same_folds() {
    let (table, expected) = data();
    let cv = &expected["cv"];
    let result = train(&table, &grid_spec(&expected), &JobContext::default()).unwrap();
    assert_eq!(result.grid.len(), 12);
    for point in cv["points"].as_array().unwrap() {
        let ours = result
            .grid
            .iter()
            .find(|g| {
                g.params["regParam"].as_f64() == point["regParam"].as_f64()
                    && g.params["elasticNetParam"].as_f64() == point["elasticNetParam"].as_f64()
            })
            .expect("every scikit-learn point is in the grid");
        assert_relative(
            ours.avg_metric,
            point["avgRmse"].as_f64().unwrap(),
            1e-9,
            "avg rmse",
        );
        assert_relative(
            ours.std_metric,
            point["stdRmse"].as_f64().unwrap(),
            1e-6,
            "std rmse",
        );
    }
    // Spark's grid order: the last axis varies fastest.
    assert_eq!(result.grid[1].params["elasticNetParam"], json!(0.5));
    let best = &result.grid[result.best_index].params;
    assert_eq!(best["regParam"].as_f64(), cv["best"]["regParam"].as_f64());
    assert_eq!(
        best["elasticNetParam"].as_f64(),
        cv["best"]["elasticNetParam"].as_f64()
    );
    for (j, c) in cv["coefficients"].as_array().unwrap().iter().enumerate() {
        assert_relative(
            linear(&result).coefficients[j],
            c.as_f64().unwrap(),
            1e-6,
            "refit",
        );
    }
    assert_relative(
        linear(&result).intercept,
        cv["intercept"].as_f64().unwrap(),
        1e-6,
        "refit",
    );
    let v = &result.validation_metrics;
    assert_relative(
        metric(v, MetricName::Mae),
        cv["validationMae"].as_f64().unwrap(),
        1e-9,
        "validation mae",
    );
    assert_relative(
        metric(v, MetricName::R2),
        cv["validationR2"].as_f64().unwrap(),
        1e-9,
        "validation r2",
    );
    let t = &result.train_metrics;
    assert_relative(
        metric(t, MetricName::Rmse),
        cv["trainRmse"].as_f64().unwrap(),
        1e-9,
        "train rmse",
    );
    assert_relative(
        metric(t, MetricName::Mae),
        cv["trainMae"].as_f64().unwrap(),
        1e-9,
        "train mae",
    );
    assert_eq!(result.rows.train, 600);
    // The charts' data: all 600 training rows (no test set), each residual binned once.
    let (rows, actual, predicted, h) = regression_charts(&result);
    assert_eq!(rows, "train");
    assert_eq!(actual.len(), 600);
    assert_eq!(h.counts.iter().sum::<u64>() + h.below + h.above, 600);
    let y: Vec<f64> = table_column(&table, "spend");
    assert_eq!(actual, y);
    let sse: f64 = actual
        .iter()
        .zip(predicted)
        .map(|(a, p)| (a - p).powi(2))
        .sum();
    assert_relative(
        (sse / 600.0).sqrt(),
        metric(t, MetricName::Rmse),
        1e-9,
        "rmse of the sample",
    );
}

fn table_column(table: &Table, name: &str) -> Vec<f64> {
    table
        .partitions()
        .unwrap()
        .iter()
        .flat_map(|batch| {
            let column = batch.column_by_name(name).unwrap();
            let column = arrow_cast::cast(column, &arrow_schema::DataType::Float64).unwrap();
            column
                .as_any()
                .downcast_ref::<arrow_array::Float64Array>()
                .unwrap()
                .values()
                .to_vec()
        })
        .collect()
}

fn same(a: &TrainResult, b: &TrainResult) {
    assert_eq!(a.best_index, b.best_index);
    for (x, y) in a.grid.iter().zip(&b.grid) {
        assert_relative(x.avg_metric, y.avg_metric, 1e-12, "avg metric");
    }
    for (x, y) in linear(a).coefficients.iter().zip(&linear(b).coefficients) {
        assert_relative(*x, *y, 1e-10, "coefficient");
    }
    assert_eq!(a.rows, b.rows);
    let (_, a_actual, _, a_residuals) = regression_charts(a);
    let (_, b_actual, _, b_residuals) = regression_charts(b);
    assert_eq!(a_actual, b_actual);
    assert_eq!(a_residuals.counts, b_residuals.counts);
}

#[test]
fn results_do_not_depend_on_partitioning_or_threads() {
    let (table, expected) = data();
    let mut spec = grid_spec(&expected);
    spec.test_fraction = 0.2;
    let reference = train(&table, &spec, &JobContext::default()).unwrap();
    for partitions in [1, 7, 64] {
        let table = table.repartition(partitions).unwrap();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let result = pool
                .install(|| train(&table, &spec, &JobContext::default()))
                .unwrap();
            same(&result, &reference);
        }
    }
    assert!(reference.test_metrics.is_some());
    assert_eq!(reference.rows.train + reference.rows.test, 600);
}

#[test]
fn a_one_point_grid_is_a_single_fit() {
    let (table, expected) = data();
    let mut one_point = spec(&expected);
    one_point.grid = vec![GridAxis {
        param: "regParam".into(),
        values: vec![json!(0.1)],
    }];
    let mut single = spec(&expected);
    params(&mut single).reg_param = 0.1;
    same(
        &train(&table, &one_point, &JobContext::default()).unwrap(),
        &train(&table, &single, &JobContext::default()).unwrap(),
    );
}

#[test]
fn bad_training_input_is_a_clear_error() {
    let (table, expected) = data();
    let mut bad = spec(&expected);
    bad.features = vec!["nope".into()];
    let err = train(&table, &bad, &JobContext::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MlInput);
    assert!(err.message().contains("`nope`"), "{}", err.message());

    let mut bad = spec(&expected);
    bad.grid = vec![GridAxis {
        param: "elasticNetParam".into(),
        values: vec![json!(2.0)],
    }];
    let err = train(&table, &bad, &JobContext::default()).unwrap_err();
    assert!(
        err.message().contains("elasticNetParam"),
        "{}",
        err.message()
    );

    let mut bad = spec(&expected);
    bad.tuning = Tuning::CrossValidator { num_folds: 1 };
    assert_eq!(
        train(&table, &bad, &JobContext::default())
            .unwrap_err()
            .code(),
        ErrorCode::MlInput
    );
}

/// Categorical features through a cleaning pipeline (Imputer, StringIndexer,
/// OneHotEncoder) inside a 6-point grid with 3-fold CrossValidator, against pandas +
/// scikit-learn on the same folds (`make_categorical_fixture.py`). As in Spark's
/// CrossValidator over a `Pipeline`, the pipeline is refitted on each fold's training
/// rows: on `categorical_folds.csv` the imputed mean differs between folds and one fold's
/// training rows never see the `west` region, so a pipeline fitted once on the whole
/// table gives other fold scores. The model keeps the pipeline fitted on all its rows.
#[test]
fn categorical_features_through_a_pipeline_refitted_per_fold_match_scikit_learn() {
    use std::sync::Arc;

    use brasa::clean::StepCache;
    use brasa::frame::Catalog;
    use brasa::ml::job::train_job;

    for (name, csv) in [
        ("categorical", "../../../www/public/sample/telecom.csv"),
        ("categorical_folds", "categorical_folds.csv"),
    ] {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let bytes = std::fs::read(fixtures().join(csv)).unwrap();
        let (table, _) = read_csv(&bytes, &CsvOptions::default()).unwrap();
        let spec = TrainSpec {
            estimator: EstimatorSpec::LinearRegression(Default::default()),
            features: serde_json::from_value(expected["features"].clone()).unwrap(),
            label: Some("monthly_spend".into()),
            label_indexer: None,
            weight_col: None,
            validation_indicator_col: None,
            handle_invalid: brasa::params::HandleInvalid::Skip,
            scaler: None,
            grid: serde_json::from_value(expected["grid"].clone()).unwrap(),
            tuning: Tuning::CrossValidator { num_folds: 3 },
            metric: None,
            test_fraction: 0.0,
            seed: 42,
            pipeline: Some(serde_json::from_value(expected["pipeline"].clone()).unwrap()),
        };
        for partitions in [1, 5] {
            let source = Arc::new(table.repartition(partitions).unwrap());
            let result = train_job(
                &Catalog::new(),
                &source,
                &spec,
                &mut StepCache::default(),
                &JobContext::default(),
            )
            .unwrap();
            assert_eq!(result.rows.train, expected["trainRows"].as_u64().unwrap());
            assert_eq!(result.features, spec.features, "{name}: the final features");
            let points = expected["points"].as_array().unwrap();
            assert_eq!(result.grid.len(), points.len());
            for (ours, theirs) in result.grid.iter().zip(points) {
                assert_eq!(ours.params["regParam"], theirs["regParam"]);
                assert_eq!(ours.params["elasticNetParam"], theirs["elasticNetParam"]);
                let what = format!("{name}: avg rmse at {:?}", ours.params);
                assert_relative(
                    ours.avg_metric,
                    theirs["avgRmse"].as_f64().unwrap(),
                    1e-9,
                    &what,
                );
                for (f, rmse) in theirs["foldRmse"].as_array().unwrap().iter().enumerate() {
                    let what = format!("{name}: fold {f} rmse at {:?}", ours.params);
                    assert_relative(ours.fold_metrics[f], rmse.as_f64().unwrap(), 1e-9, &what);
                }
            }
            let best = &result.grid[result.best_index].params;
            assert_eq!(best["regParam"], expected["best"]["regParam"]);
            assert_eq!(best["elasticNetParam"], expected["best"]["elasticNetParam"]);
            assert_model(&result, &expected, &format!("{name}: refitted best point"));
            let pipeline = result.pipeline.expect("the fitted pipeline");
            assert!(pipeline.is_fitted());
        }
    }
}
