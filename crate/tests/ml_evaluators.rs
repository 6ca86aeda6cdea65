//! The classification and clustering evaluators against PySpark 4.3's
//! (`tests/fixtures/ml/make_evaluator_fixtures.py` made the inputs and Spark's answers):
//! every metric within 1e-6, Spark's whole ROC / PR curves where recorded, accumulators
//! merged over chunks equal to one, and bad input refused with `ML_INPUT`.

use std::path::PathBuf;
use std::sync::OnceLock;

use brasa::ml::evaluate::binary::{BinaryOptions, BinaryScores};
use brasa::ml::evaluate::clustering::{
    silhouette, ClusterStats, ClusteringSpec, DistanceMeasure, SilhouetteSum,
};
use brasa::ml::evaluate::multiclass::{
    ConfusionMatrix, LogLoss, MulticlassMetric, MulticlassParams, DEFAULT_EPS,
};
use brasa::ErrorCode;
use serde_json::Value;

fn fixture() -> &'static Value {
    static FIXTURE: OnceLock<Value> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/ml/evaluators_expected.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn cases(kind: &str) -> &'static [Value] {
    fixture()[kind].as_array().unwrap()
}

/// Relative difference within 1e-6, measured against at least 1e-3 so values near 0
/// compare absolutely (to 1e-9).
fn assert_close(actual: f64, expected: f64, what: &str) {
    let scale = expected.abs().max(1e-3);
    assert!(
        (actual - expected).abs() <= 1e-6 * scale,
        "{what}: Brasa {actual} vs Spark {expected}"
    );
}

fn f(value: &Value) -> f64 {
    value.as_f64().unwrap()
}

// ---------------------------------------------------------------- binary

fn binary_scores(rows: &[Value]) -> BinaryScores {
    let mut scores = BinaryScores::new();
    for row in rows {
        scores
            .push(f(&row["score"]), f(&row["label"]), f(&row["weight"]))
            .unwrap();
    }
    scores
}

fn all_points(num_bins: usize) -> BinaryOptions {
    BinaryOptions {
        num_bins,
        max_points: usize::MAX,
    }
}

#[test]
fn binary_areas_match_spark() {
    let mut checked = 0;
    for case in cases("binary") {
        let name = case["name"].as_str().unwrap();
        let distinct = binary_scores(case["rows"].as_array().unwrap())
            .distinct_scores()
            .unwrap();
        for expected in case["expected"].as_array().unwrap() {
            let num_bins = expected["numBins"].as_u64().unwrap() as usize;
            let result = distinct.evaluate(&all_points(num_bins)).unwrap();
            let what = format!("{name}, numBins {num_bins}");
            assert_close(
                result.area_under_roc,
                f(&expected["areaUnderROC"]),
                &format!("{what}: areaUnderROC"),
            );
            assert_close(
                result.area_under_pr,
                f(&expected["areaUnderPR"]),
                &format!("{what}: areaUnderPR"),
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 12,
        "only {checked} binary evaluations in the fixture"
    );
}

/// Down-sampling matters: the large set has more than 2 × numBins distinct scores, so
/// numBins = 1000 and numBins = 0 give different areas (in Spark and here).
#[test]
fn binary_large_set_is_down_sampled() {
    let case = cases("binary")
        .iter()
        .find(|c| c["name"] == "large")
        .unwrap();
    let distinct = binary_scores(case["rows"].as_array().unwrap())
        .distinct_scores()
        .unwrap();
    assert!(distinct.len() >= 2000);
    let binned = distinct.evaluate(&all_points(1000)).unwrap();
    let full = distinct.evaluate(&all_points(0)).unwrap();
    assert!(binned.thresholds_used < distinct.len());
    assert_eq!(full.thresholds_used, distinct.len());
    assert_ne!(binned.area_under_pr, full.area_under_pr);
}

/// Spark's own curves (`roc()`, `pr()`, `thresholds()`), point by point.
#[test]
fn binary_curves_match_spark_point_by_point() {
    let mut compared = 0;
    for case in cases("binary") {
        let rows = case["rows"].as_array().unwrap();
        for expected in case["expected"].as_array().unwrap() {
            let Some(thresholds) = expected["thresholds"].as_array() else {
                continue;
            };
            let num_bins = expected["numBins"].as_u64().unwrap() as usize;
            let result = binary_scores(rows).evaluate(&all_points(num_bins)).unwrap();
            let what = format!("{}, numBins {num_bins}", case["name"]);
            assert_eq!(
                result.thresholds.len(),
                thresholds.len(),
                "{what}: thresholds"
            );
            for (i, (ours, spark)) in result.thresholds.iter().zip(thresholds).enumerate() {
                assert_eq!(ours.threshold, f(spark), "{what}: threshold {i}");
            }
            for (curve, ours) in [("roc", &result.roc), ("pr", &result.pr)] {
                let spark = expected[curve].as_array().unwrap();
                assert_eq!(ours.len(), spark.len(), "{what}: {curve} length");
                for (i, (point, spark)) in ours.iter().zip(spark).enumerate() {
                    assert_close(point.x, f(&spark[0]), &format!("{what}: {curve}[{i}].x"));
                    assert_close(point.y, f(&spark[1]), &format!("{what}: {curve}[{i}].y"));
                }
            }
            // The table's counts give the same curve.
            for (t, point) in result.thresholds.iter().zip(&result.roc[1..]) {
                assert_close(t.false_positive_rate(), point.x, &what);
                assert_close(t.recall(), point.y, &what);
            }
            for (t, point) in result.thresholds.iter().zip(&result.pr[1..]) {
                assert_close(t.precision(), point.y, &what);
            }
            compared += 1;
        }
    }
    assert_eq!(
        compared, 2,
        "the fixture records the large set's curves twice"
    );
}

#[test]
fn binary_partitions_merge_to_the_same_result() {
    for case in cases("binary") {
        let rows = case["rows"].as_array().unwrap();
        let whole = binary_scores(rows).evaluate(&all_points(1000)).unwrap();
        let mut merged = BinaryScores::new();
        for chunk in rows.chunks(rows.len().div_ceil(7)).rev() {
            merged.merge(binary_scores(chunk));
        }
        let merged = merged.evaluate(&all_points(1000)).unwrap();
        // Whatever order the rows arrive in, the result is the same to the bit.
        assert_eq!(merged, whole, "{}", case["name"]);
    }
}

#[test]
fn binary_page_data_is_thinned_with_its_ends() {
    let case = cases("binary")
        .iter()
        .find(|c| c["name"] == "large")
        .unwrap();
    let full = binary_scores(case["rows"].as_array().unwrap())
        .evaluate(&all_points(0))
        .unwrap();
    let thin = binary_scores(case["rows"].as_array().unwrap())
        .evaluate(&BinaryOptions {
            num_bins: 0,
            ..BinaryOptions::default()
        })
        .unwrap();
    assert_eq!(thin.area_under_roc, full.area_under_roc);
    assert_eq!(thin.roc.len(), 500);
    assert_eq!(thin.pr.len(), 500);
    assert_eq!(thin.thresholds.len(), 500);
    assert_eq!(thin.roc.first(), full.roc.first());
    assert_eq!(thin.roc.last(), full.roc.last());
    assert_eq!(thin.pr.last(), full.pr.last());
    assert_eq!(thin.thresholds.first(), full.thresholds.first());
    assert_eq!(thin.thresholds.last(), full.thresholds.last());
    let json = serde_json::to_value(&thin).unwrap();
    assert!(json["areaUnderROC"].is_f64());
    assert!(json["areaUnderPR"].is_f64());
    assert!(json["thresholds"][0]["truePositives"].is_f64());
}

#[test]
fn binary_bad_input_is_refused() {
    let mut scores = BinaryScores::new();
    for (score, label, weight) in [
        (f64::NAN, 1.0, 1.0),
        (0.3, 2.0, 1.0),
        (0.3, -1.0, 1.0),
        (0.3, 0.5, 1.0),
        (0.3, f64::NAN, 1.0),
        (0.3, 1.0, -0.5),
        (0.3, 1.0, f64::NAN),
    ] {
        let err = scores.push(score, label, weight).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput, "{score} {label} {weight}");
    }
    let err = scores.evaluate(&BinaryOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MlInput);
}

// ---------------------------------------------------------------- multiclass

struct MulticlassInput {
    matrix: ConfusionMatrix,
    rows: Vec<(Vec<f64>, f64, f64)>,
}

fn multiclass_input(case: &Value, rows: &[Value]) -> MulticlassInput {
    let classes = case["classes"].as_u64().unwrap() as usize;
    let weighted = case["weighted"].as_bool().unwrap();
    let mut matrix = ConfusionMatrix::new(classes).unwrap();
    let mut probability_rows = Vec::new();
    for row in rows {
        let weight = if weighted { f(&row["weight"]) } else { 1.0 };
        let label = f(&row["label"]);
        matrix.add(label, f(&row["prediction"]), weight).unwrap();
        let probabilities: Vec<f64> = row["probability"]
            .as_array()
            .unwrap()
            .iter()
            .map(f)
            .collect();
        probability_rows.push((probabilities, label, weight));
    }
    MulticlassInput {
        matrix,
        rows: probability_rows,
    }
}

fn log_loss(rows: &[(Vec<f64>, f64, f64)], eps: f64) -> LogLoss {
    let mut loss = LogLoss::new(eps).unwrap();
    for (probabilities, label, weight) in rows {
        loss.add_row(probabilities, *label, *weight).unwrap();
    }
    loss
}

#[test]
fn multiclass_metrics_match_spark() {
    let (mut values, mut errors) = (0, 0);
    for case in cases("multiclass") {
        let name = case["name"].as_str().unwrap();
        let input = multiclass_input(case, case["rows"].as_array().unwrap());
        for expected in case["expected"].as_array().unwrap() {
            let metric = MulticlassMetric::from_name(expected["metric"].as_str().unwrap()).unwrap();
            let params = MulticlassParams {
                metric_name: metric,
                metric_label: f(&expected["metricLabel"]),
                beta: f(&expected["beta"]),
                eps: f(&expected["eps"]),
            };
            let what = format!(
                "{name}: {} (label {}, beta {}, eps {})",
                metric.name(),
                params.metric_label,
                params.beta,
                params.eps
            );
            assert_eq!(
                metric.is_larger_better(),
                expected["isLargerBetter"].as_bool().unwrap(),
                "{what}: isLargerBetter"
            );
            let loss = log_loss(&input.rows, params.eps);
            let ours = params.evaluate(&input.matrix, Some(&loss));
            if expected["error"] == true {
                let err = ours.expect_err(&what);
                assert_eq!(err.code(), ErrorCode::MlInput, "{what}");
                errors += 1;
            } else {
                assert_close(ours.expect(&what), f(&expected["value"]), &what);
                values += 1;
            }
        }
    }
    assert!(
        values >= 90,
        "only {values} multiclass values in the fixture"
    );
    assert!(
        errors >= 5,
        "the fixture's per-label errors are missing ({errors})"
    );
}

#[test]
fn multiclass_partitions_merge_to_the_same_result() {
    for case in cases("multiclass") {
        let rows = case["rows"].as_array().unwrap();
        let whole = multiclass_input(case, rows);
        let whole_loss = log_loss(&whole.rows, DEFAULT_EPS);
        let mut matrix = ConfusionMatrix::new(1).unwrap();
        let mut loss = LogLoss::new(DEFAULT_EPS).unwrap();
        for chunk in rows.chunks(23) {
            let part = multiclass_input(case, chunk);
            matrix.merge(&part.matrix);
            loss.merge(&log_loss(&part.rows, DEFAULT_EPS));
        }
        let what = case["name"].as_str().unwrap();
        assert_eq!(matrix.classes(), whole.matrix.classes(), "{what}");
        assert_eq!(matrix.rows(), whole.matrix.rows(), "{what}");
        for metric in MulticlassMetric::ALL {
            let params = MulticlassParams {
                metric_name: metric,
                metric_label: 1.0,
                ..Default::default()
            };
            let one = params.evaluate(&whole.matrix, Some(&whole_loss)).unwrap();
            let merged = params.evaluate(&matrix, Some(&loss)).unwrap();
            assert_close(merged, one, &format!("{what}: {}", metric.name()));
        }
    }
}

#[test]
fn multiclass_bad_input_is_refused() {
    let mut matrix = ConfusionMatrix::new(3).unwrap();
    for (label, prediction) in [
        (3.0, 0.0),
        (0.0, 3.0),
        (-1.0, 0.0),
        (f64::NAN, 0.0),
        (1.5, 1.0),
    ] {
        let err = matrix.add(label, prediction, 1.0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput, "{label} {prediction}");
    }
    let mut loss = LogLoss::new(DEFAULT_EPS).unwrap();
    assert_eq!(
        loss.add_row(&[0.2, 0.8], 2.0, 1.0).unwrap_err().code(),
        ErrorCode::MlInput
    );
    assert_eq!(
        loss.add(f64::NAN, 1.0).unwrap_err().code(),
        ErrorCode::MlInput
    );
    let empty = MulticlassParams::default().evaluate(&matrix, None);
    assert_eq!(empty.unwrap_err().code(), ErrorCode::MlInput);
}

// ---------------------------------------------------------------- clustering

struct Points {
    spec: ClusteringSpec,
    features: Vec<f64>,
    clusters: Vec<f64>,
    weights: Vec<f64>,
}

fn points(case: &Value, measure: DistanceMeasure) -> Points {
    let rows = case["rows"].as_array().unwrap();
    let weighted = case["weighted"].as_bool().unwrap();
    let dims = rows[0]["features"].as_array().unwrap().len();
    let mut p = Points {
        spec: ClusteringSpec {
            measure,
            clusters: case["clusters"].as_u64().unwrap() as usize,
            dims,
        },
        features: Vec::new(),
        clusters: Vec::new(),
        weights: Vec::new(),
    };
    for row in rows {
        p.features
            .extend(row["features"].as_array().unwrap().iter().map(f));
        p.clusters.push(f(&row["cluster"]));
        p.weights
            .push(if weighted { f(&row["weight"]) } else { 1.0 });
    }
    p
}

fn measure(expected: &Value) -> DistanceMeasure {
    serde_json::from_value(expected["distanceMeasure"].clone()).unwrap()
}

#[test]
fn silhouettes_match_spark() {
    let (mut values, mut errors) = (0, 0);
    for case in cases("clustering") {
        for expected in case["expected"].as_array().unwrap() {
            let measure = measure(expected);
            let what = format!("{}: {}", case["name"], measure.name());
            let p = points(case, measure);
            let ours = silhouette(p.spec, &p.features, &p.clusters, Some(&p.weights));
            if expected["error"] == true {
                assert_eq!(ours.expect_err(&what).code(), ErrorCode::MlInput, "{what}");
                errors += 1;
            } else {
                let ours = ours.expect(&what);
                assert_close(ours.silhouette, f(&expected["silhouette"]), &what);
                values += 1;
            }
        }
    }
    assert_eq!((values, errors), (6, 2));
}

/// Both passes built per chunk and merged equal Spark's answer.
#[test]
fn silhouette_partitions_merge_to_the_same_result() {
    for case in cases("clustering") {
        if case["clusters"] == 1 {
            continue;
        }
        for expected in case["expected"].as_array().unwrap() {
            let p = points(case, measure(expected));
            let dims = p.spec.dims;
            let chunks: Vec<std::ops::Range<usize>> = (0..p.clusters.len())
                .step_by(17)
                .map(|start| start..(start + 17).min(p.clusters.len()))
                .collect();
            let mut stats = ClusterStats::new(p.spec).unwrap();
            for chunk in &chunks {
                let mut part = ClusterStats::new(p.spec).unwrap();
                for i in chunk.clone() {
                    part.add(
                        &p.features[i * dims..(i + 1) * dims],
                        p.clusters[i],
                        p.weights[i],
                    )
                    .unwrap();
                }
                stats.merge(&part).unwrap();
            }
            let mut sum = SilhouetteSum::new(&stats).unwrap();
            for chunk in &chunks {
                let mut part = SilhouetteSum::new(&stats).unwrap();
                for i in chunk.clone() {
                    part.add(
                        &stats,
                        &p.features[i * dims..(i + 1) * dims],
                        p.clusters[i],
                        p.weights[i],
                    )
                    .unwrap();
                }
                sum.merge(&part).unwrap();
            }
            let what = format!("{} merged: {}", case["name"], p.spec.measure.name());
            let merged = sum.finish().unwrap();
            assert_close(merged.silhouette, f(&expected["silhouette"]), &what);
            let weights: f64 = merged.clusters.iter().map(|c| c.weight).sum();
            let weighted: f64 = merged
                .clusters
                .iter()
                .map(|c| c.silhouette * c.weight)
                .sum();
            assert_close(weighted / weights, merged.silhouette, &what);
        }
    }
}

#[test]
fn silhouette_bad_input_is_refused() {
    let spec = ClusteringSpec {
        measure: DistanceMeasure::Cosine,
        clusters: 2,
        dims: 2,
    };
    let zero = silhouette(spec, &[0.0, 0.0, 1.0, 1.0], &[0.0, 1.0], None).unwrap_err();
    assert_eq!(zero.code(), ErrorCode::MlInput);
    let nan = silhouette(spec, &[f64::NAN, 0.0, 1.0, 1.0], &[0.0, 1.0], None).unwrap_err();
    assert_eq!(nan.code(), ErrorCode::MlInput);
    let id = silhouette(spec, &[1.0, 0.0, 1.0, 1.0], &[0.0, 2.0], None).unwrap_err();
    assert_eq!(id.code(), ErrorCode::MlInput);
    let weight = silhouette(spec, &[1.0, 0.0, 1.0, 1.0], &[0.0, 1.0], Some(&[1.0, -1.0]));
    assert_eq!(weight.unwrap_err().code(), ErrorCode::MlInput);
}
