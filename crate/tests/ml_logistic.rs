//! LogisticRegression against PySpark 4.3 (`tests/fixtures/ml/make_logistic_fixtures.py`
//! made the data and the answers), plus the properties the answers must have: many fits
//! at once equal to each alone, the same for any partitioning, cancellation, and clear
//! errors for bad rows and params.

use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;

use brasa::job::JobContext;
use brasa::ml::assemble::AssembledRows;
use brasa::ml::dataset::{Prepared, RowLayout, Subset};
use brasa::ml::logistic::{
    fit_many, Family, FitTask, LogisticRegressionModel, LogisticRegressionParams,
};
use brasa::ErrorCode;
use ndarray::Array2;
use serde_json::Value;

mod common;

use common::Data;

fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap()
}

const ALL_ROWS: Subset = Subset {
    folds: 1,
    held_out: None,
};

/// Params of a fixture case (Spark's names), fitted to the optimum.
fn params_of(case: &Value) -> LogisticRegressionParams {
    serde_json::from_value(case["params"].clone()).unwrap()
}

fn num_classes(case: &Value) -> usize {
    if case["label"] == "class3" {
        3
    } else {
        2
    }
}

fn fit_case(data: &Data, case: &Value, parts: usize) -> LogisticRegressionModel {
    let prepared = data.prepared(
        &strings(&case["features"]),
        case["label"].as_str().unwrap(),
        case["weighted"].as_bool().unwrap().then_some("weight"),
        parts,
        |_| 0,
    );
    fit_all_rows(&prepared, num_classes(case), params_of(case))
}

/// One model fitted on every row of `parts`.
fn fit_all_rows(
    parts: &[Prepared],
    classes: usize,
    params: LogisticRegressionParams,
) -> LogisticRegressionModel {
    let task = FitTask {
        params,
        subset: ALL_ROWS,
    };
    fit_many(parts, classes, &[task], &JobContext::default())
        .unwrap()
        .remove(0)
}

/// `actual` within `tolerance` of `expected`, relative, or absolute below `floor`.
fn close(actual: f64, expected: f64, tolerance: f64, floor: f64) -> bool {
    (actual - expected).abs() <= tolerance * expected.abs().max(floor)
}

fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        close(actual, expected, tolerance, 1e-6),
        "{what}: {actual} vs {expected}"
    );
}

fn assert_same_model(ours: &LogisticRegressionModel, theirs: &Value, tolerance: f64, what: &str) {
    let matrix: Vec<Vec<f64>> =
        serde_json::from_value(theirs["coefficientMatrix"].clone()).unwrap();
    let intercepts: Vec<f64> = serde_json::from_value(theirs["interceptVector"].clone()).unwrap();
    assert_eq!(ours.coefficient_matrix.len(), matrix.len(), "{what}: rows");
    for (c, (row, expected)) in ours.coefficient_matrix.iter().zip(&matrix).enumerate() {
        for (j, (a, e)) in row.iter().zip(expected).enumerate() {
            // Coefficients of features in the tens of thousands are ~1e-5: compare them
            // relative to their own size, with a floor only for (near) zeros.
            assert!(
                close(*a, *e, tolerance, 1e-9),
                "{what}: coefficient [{c}][{j}] {a} vs {e}"
            );
        }
    }
    for (c, (a, e)) in ours.intercept_vector.iter().zip(&intercepts).enumerate() {
        assert_close(*a, *e, tolerance, &format!("{what}: intercept {c}"));
    }
}

#[test]
fn single_fits_match_pyspark() {
    let (data, expected) = Data::load("logistic.csv", "logistic_expected.json");
    let fits = expected["fits"].as_array().unwrap();
    assert!(fits.len() >= 17);
    let rows = expected["predictedRows"].as_u64().unwrap() as usize;
    for case in fits {
        let what = case["name"].as_str().unwrap();
        let model = fit_case(&data, case, 3);
        assert!(model.converged, "{what} did not converge");
        assert_eq!(
            model.num_classes,
            case["numClasses"].as_u64().unwrap() as usize
        );
        assert_eq!(
            model.is_multinomial,
            case["isMultinomial"].as_bool().unwrap(),
            "{what}"
        );
        assert_same_model(&model, case, 1e-4, what);
        // Scores of the first rows, as Spark's transform gives them.
        let features = strings(&case["features"]);
        let k = model.num_classes;
        let (mut raw, mut probability) = (vec![0.0; k], vec![0.0; k]);
        for r in 0..rows {
            let x: Vec<f64> = features.iter().map(|f| data.column(f)[r]).collect();
            model.raw_prediction(&x, &mut raw);
            model.probability(&raw, &mut probability);
            for c in 0..k {
                assert_close(
                    raw[c],
                    case["rawPrediction"][r][c].as_f64().unwrap(),
                    1e-4,
                    &format!("{what}: rawPrediction of row {r}"),
                );
                assert_close(
                    probability[c],
                    case["probability"][r][c].as_f64().unwrap(),
                    1e-4,
                    &format!("{what}: probability of row {r}"),
                );
            }
            assert_eq!(
                model.predict(&probability),
                case["prediction"][r].as_f64().unwrap(),
                "{what}: prediction of row {r}"
            );
        }
    }
}

#[test]
fn the_objective_mapping_agrees_with_scikit_learn() {
    let (data, expected) = Data::load("logistic.csv", "logistic_expected.json");
    for check in expected["sklearn"].as_array().unwrap() {
        let case = expected["fits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == check["case"])
            .unwrap();
        let mut model = fit_case(&data, case, 1);
        if model.is_multinomial {
            // scikit-learn's intercepts are centred by the fixture script, as Spark's.
            let mean = model.intercept_vector.iter().sum::<f64>() / model.num_classes as f64;
            model.intercept_vector.iter_mut().for_each(|b| *b -= mean);
        }
        assert_same_model(&model, check, 1e-4, check["case"].as_str().unwrap());
    }
}

#[test]
fn thresholds_predict_as_pyspark() {
    let (data, expected) = Data::load("logistic.csv", "logistic_expected.json");
    for check in expected["thresholds"].as_array().unwrap() {
        let case = expected["fits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == check["case"])
            .unwrap();
        let plain = fit_case(&data, case, 2);
        let mut model = plain.clone();
        if let Some(t) = check["threshold"].as_f64() {
            model.threshold = t;
        }
        model.thresholds = serde_json::from_value(check["thresholds"].clone()).unwrap();
        let features = strings(&case["features"]);
        let k = model.num_classes;
        let (mut raw, mut probability) = (vec![0.0; k], vec![0.0; k]);
        let spark: Vec<f64> = serde_json::from_value(check["prediction"].clone()).unwrap();
        let mut changed = 0;
        for (r, expected) in spark.iter().enumerate() {
            let x: Vec<f64> = features.iter().map(|f| data.column(f)[r]).collect();
            model.raw_prediction(&x, &mut raw);
            model.probability(&raw, &mut probability);
            let predicted = model.predict(&probability);
            assert_eq!(predicted, *expected, "{check}: row {r}");
            changed += (predicted != plain.predict(&probability)) as usize;
        }
        // The thresholds matter for these rows: the check can tell the rules apart.
        assert!(changed > 0, "{check} changes no prediction");
    }
}

/// A 3-fold cross-validation's fits: every (params, fold) and the refits.
fn cv_tasks(grid: &[LogisticRegressionParams], refits: bool) -> Vec<FitTask> {
    let mut tasks = Vec::new();
    for params in grid {
        for f in 0..3 {
            tasks.push(FitTask {
                params: params.clone(),
                subset: Subset {
                    folds: 3,
                    held_out: Some(f),
                },
            });
        }
        if refits {
            tasks.push(FitTask {
                params: params.clone(),
                subset: Subset {
                    folds: 3,
                    held_out: None,
                },
            });
        }
    }
    tasks
}

fn grid(family: Family) -> Vec<LogisticRegressionParams> {
    let mut grid = Vec::new();
    for reg_param in [0.0, 0.01, 0.1] {
        for elastic_net_param in [0.0, 0.5, 1.0] {
            if reg_param == 0.0 && elastic_net_param > 0.0 {
                continue;
            }
            grid.push(LogisticRegressionParams {
                reg_param,
                elastic_net_param,
                family,
                tol: 1e-10,
                ..Default::default()
            });
        }
    }
    grid[1].standardization = false;
    grid[2].fit_intercept = false;
    grid
}

fn assert_models_agree(
    a: &[LogisticRegressionModel],
    b: &[LogisticRegressionModel],
    tolerance: f64,
    what: &str,
) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        for (rx, ry) in x.coefficient_matrix.iter().zip(&y.coefficient_matrix) {
            for (u, v) in rx.iter().zip(ry) {
                assert!(
                    close(*u, *v, tolerance, 1e-9),
                    "{what}, task {i}: {u} vs {v} ({} {} / {} {})",
                    x.num_iterations,
                    x.converged,
                    y.num_iterations,
                    y.converged
                );
            }
        }
        for (u, v) in x.intercept_vector.iter().zip(&y.intercept_vector) {
            assert!(
                close(*u, *v, tolerance, 1e-9),
                "{what}, task {i}: {u} vs {v}"
            );
        }
    }
}

#[test]
fn fitting_many_tasks_at_once_equals_fitting_each_alone() {
    let (data, _) = Data::load("logistic.csv", "logistic_expected.json");
    let features = strings(&serde_json::json!([
        "x0", "income", "tenure", "tickets", "ratio"
    ]));
    let ctx = JobContext::default();
    for (label, classes, family) in [("label", 2, Family::Auto), ("class3", 3, Family::Auto)] {
        let parts = data.prepared(&features, label, Some("weight"), 4, |r| (r % 3) as u16);
        for refits in [true, false] {
            let tasks = cv_tasks(&grid(family), refits);
            let together = fit_many(&parts, classes, &tasks, &ctx).unwrap();
            let alone: Vec<LogisticRegressionModel> = tasks
                .iter()
                .map(|t| {
                    fit_many(&parts, classes, std::slice::from_ref(t), &ctx)
                        .unwrap()
                        .remove(0)
                })
                .collect();
            assert_models_agree(&together, &alone, 1e-7, label);
            for model in &together {
                assert!(model.converged && model.num_iterations <= 100);
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_partitioning() {
    let (data, _) = Data::load("logistic.csv", "logistic_expected.json");
    let features = strings(&serde_json::json!([
        "x0", "income", "tenure", "tickets", "ratio", "constant"
    ]));
    let ctx = JobContext::default();
    for (label, classes) in [("label", 2), ("class3", 3)] {
        let tasks = cv_tasks(&grid(Family::Auto)[..4], true);
        let fits: Vec<Vec<LogisticRegressionModel>> = [1, 3, 7]
            .iter()
            .map(|&parts| {
                let prepared =
                    data.prepared(&features, label, Some("weight"), parts, |r| (r % 3) as u16);
                fit_many(&prepared, classes, &tasks, &ctx).unwrap()
            })
            .collect();
        assert_models_agree(&fits[0], &fits[1], 1e-8, "1 vs 3 partitions");
        assert_models_agree(&fits[0], &fits[2], 1e-8, "1 vs 7 partitions");
        // The constant feature keeps coefficient 0.
        assert!(fits[0]
            .iter()
            .all(|m| m.coefficient_matrix.iter().all(|row| row[5] == 0.0)));
    }
}

#[test]
fn a_cancelled_job_stops_with_cancelled() {
    let (data, _) = Data::load("logistic.csv", "logistic_expected.json");
    let features = strings(&serde_json::json!(["x0", "income"]));
    let parts = data.prepared(&features, "label", None, 3, |_| 0);
    let cancelled = Arc::new(AtomicBool::new(true));
    let ctx = JobContext::new(cancelled, Arc::new(AtomicUsize::new(0)));
    let task = FitTask {
        params: Default::default(),
        subset: ALL_ROWS,
    };
    let err = fit_many(&parts, 2, &[task], &ctx).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
}

#[test]
fn bad_rows_and_params_are_clear_errors() {
    let (mut data, _) = Data::load("logistic.csv", "logistic_expected.json");
    let features = strings(&serde_json::json!(["x0", "tenure"]));
    let fit = |data: &Data, label: &str, classes: usize, params: LogisticRegressionParams| {
        let parts = data.prepared(&features, label, Some("weight"), 2, |_| 0);
        fit_many(
            &parts,
            classes,
            &[FitTask {
                params,
                subset: ALL_ROWS,
            }],
            &JobContext::default(),
        )
    };
    let expect = |result: brasa::Result<Vec<LogisticRegressionModel>>, needle: &str| {
        let err = result.unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput, "{}", err.message());
        assert!(err.message().contains(needle), "{}", err.message());
    };
    // Params.
    let bad = LogisticRegressionParams {
        reg_param: -0.5,
        ..Default::default()
    };
    expect(fit(&data, "label", 2, bad), "regParam");
    let binomial = LogisticRegressionParams {
        family: Family::Binomial,
        ..Default::default()
    };
    expect(fit(&data, "class3", 3, binomial), "binomial family");
    // A label outside the classes, and not an integer; a negative and a NaN weight.
    let label = data.names.iter().position(|n| n == "label").unwrap();
    let weight = data.names.iter().position(|n| n == "weight").unwrap();
    data.columns[label][1500] = 2.0;
    expect(fit(&data, "label", 2, Default::default()), "row 1501");
    data.columns[label][1500] = 0.5;
    expect(
        fit(&data, "label", 2, Default::default()),
        "class indices 0 to 1",
    );
    data.columns[label][1500] = 1.0;
    data.columns[weight][17] = -1.0;
    expect(
        fit(&data, "label", 2, Default::default()),
        "the weight is -1 in row 18",
    );
    data.columns[weight][17] = f64::NAN;
    expect(fit(&data, "label", 2, Default::default()), "row 18");
    data.columns[weight][17] = 1.0;
    // A single class with an intercept to fit: Spark's intercept would be infinite.
    let ones = vec![1.0; data.rows()];
    data.columns[label] = ones;
    expect(fit(&data, "label", 2, Default::default()), "has label 1");
    // Without an intercept, with regularisation, it is a finite problem.
    let no_intercept = LogisticRegressionParams {
        fit_intercept: false,
        reg_param: 0.1,
        ..Default::default()
    };
    let model = fit(&data, "label", 2, no_intercept).unwrap().remove(0);
    assert!(model.converged && model.intercept_vector == vec![0.0]);
}

#[test]
fn too_many_coefficients_are_refused_with_the_limit() {
    let features = 300;
    let parts = vec![Prepared {
        rows: AssembledRows {
            values: Array2::from_shape_fn((4, features + 1), |(i, j)| ((i + j) % 2) as f64),
            row_numbers: (0..4).collect(),
        },
        groups: vec![0; 4],
        layout: RowLayout {
            features,
            label: true,
            weight: false,
            validation: false,
        },
    }];
    let task = FitTask {
        params: Default::default(),
        subset: ALL_ROWS,
    };
    let err = fit_many(&parts, 2, &[task], &JobContext::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MlInput);
    assert!(
        err.message().contains("301 coefficients") && err.message().contains("at most 256"),
        "{}",
        err.message()
    );
}

#[test]
fn no_iterations_give_sparks_starting_point() {
    let (data, _) = Data::load("logistic.csv", "logistic_expected.json");
    let features = strings(&serde_json::json!(["x0", "tenure"]));
    let parts = data.prepared(&features, "label", None, 2, |_| 0);
    let params = LogisticRegressionParams {
        max_iter: 0,
        ..Default::default()
    };
    let model = fit_all_rows(&parts, 2, params);
    let ones = data.column("label").iter().sum::<f64>();
    let zeros = data.rows() as f64 - ones;
    assert_eq!(model.coefficient_matrix, vec![vec![0.0, 0.0]]);
    assert!((model.intercept_vector[0] - (ones / zeros).ln()).abs() < 1e-12);
    assert_eq!((model.num_iterations, model.converged), (0, false));
}

#[test]
fn separable_classes_without_regularisation_stop_unconverged_but_finite() {
    // x < 0 is always class 0: the unpenalised likelihood has no maximum.
    let n = 40;
    let parts = vec![Prepared {
        rows: AssembledRows {
            values: Array2::from_shape_fn((n, 2), |(i, j)| {
                let x = i as f64 - 19.5;
                if j == 0 {
                    x
                } else {
                    (x > 0.0) as u8 as f64
                }
            }),
            row_numbers: (0..n as u64).collect(),
        },
        groups: vec![0; n],
        layout: RowLayout {
            features: 1,
            label: true,
            weight: false,
            validation: false,
        },
    }];
    let params = LogisticRegressionParams {
        max_iter: 30,
        ..Default::default()
    };
    let model = fit_all_rows(&parts, 2, params);
    assert!(!model.converged);
    assert!(model.num_iterations <= 30);
    assert!(model.coefficient_matrix[0][0].is_finite() && model.coefficient_matrix[0][0] > 1.0);
}
