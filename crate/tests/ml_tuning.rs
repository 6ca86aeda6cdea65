//! The Estimator seam end to end: a classifier and a clustering tuned through the same
//! CrossValidator as LinearRegression, their metrics equal to Spark's evaluators run on
//! the scored table, their results independent of partitioning and threads, a string
//! label indexed and mapped back onto predictions.
//!
//! The estimators themselves are checked against Spark and scikit-learn in ml_logistic.rs
//! and ml_kmeans.rs, the evaluators in ml_evaluators.rs.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::Array;
use brasa::clean::spec::StringOrderType;
use brasa::clean::StepCache;
use brasa::frame::Catalog;
use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::ml::estimator::{EstimatorSpec, TaskKind, TrainedModel};
use brasa::ml::evaluate::binary::{BinaryOptions, BinaryScores};
use brasa::ml::evaluate::clustering::{silhouette, ClusteringSpec, DistanceMeasure};
use brasa::ml::evaluate::multiclass::{ConfusionMatrix, MulticlassMetrics};
use brasa::ml::evaluation::MetricName;
use brasa::ml::grid::GridAxis;
use brasa::ml::job::{score_job, train_job, Scoring};
use brasa::ml::split::Tuning;
use brasa::ml::tuning::{train, LabelIndexer, TrainResult, TrainSpec};
use brasa::sql::query;
use brasa::{ErrorCode, Table};
use serde_json::json;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/ml")
}

/// The logistic fixture with its 0/1 label also spelt `no` / `yes`.
fn churn() -> Table {
    let bytes = std::fs::read(fixtures().join("logistic.csv")).unwrap();
    let (table, _) = read_csv(&bytes, &CsvOptions::default()).unwrap();
    let mut catalog = Catalog::new();
    catalog.register("t", table, false).unwrap();
    query(
        &catalog,
        "SELECT *, CASE WHEN label = 1 THEN 'yes' ELSE 'no' END AS churn FROM t",
        &JobContext::default(),
    )
    .unwrap()
}

const FEATURES: [&str; 5] = ["x0", "income", "tenure", "tickets", "ratio"];

fn spec(estimator: EstimatorSpec, label: Option<&str>) -> TrainSpec {
    TrainSpec {
        estimator,
        features: FEATURES.iter().map(|f| f.to_string()).collect(),
        label: label.map(str::to_string),
        label_indexer: None,
        weight_col: None,
        validation_indicator_col: None,
        handle_invalid: Default::default(),
        scaler: None,
        grid: vec![GridAxis {
            param: "regParam".into(),
            values: vec![json!(0.0), json!(0.01), json!(0.1)],
        }],
        tuning: Tuning::CrossValidator { num_folds: 3 },
        metric: None,
        test_fraction: 0.0,
        seed: 7,
        pipeline: None,
    }
}

fn logistic() -> EstimatorSpec {
    EstimatorSpec::LogisticRegression(Default::default())
}

fn run(table: &Table, spec: &TrainSpec) -> TrainResult {
    train_job(
        &Catalog::new(),
        &Arc::new(table.clone()),
        spec,
        &mut StepCache::default(),
        &JobContext::default(),
    )
    .unwrap()
}

fn column_f64(table: &Table, name: &str) -> Vec<f64> {
    table
        .partitions()
        .unwrap()
        .iter()
        .flat_map(|b| {
            let c = arrow_cast::cast(
                b.column_by_name(name).unwrap(),
                &arrow_schema::DataType::Float64,
            )
            .unwrap();
            c.as_primitive::<Float64Type>().values().to_vec()
        })
        .collect()
}

fn column_strings(table: &Table, name: &str) -> Vec<String> {
    table
        .partitions()
        .unwrap()
        .iter()
        .flat_map(|b| {
            let c = b.column_by_name(name).unwrap().as_string::<i32>();
            (0..c.len())
                .map(|i| c.value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn close(a: f64, b: f64, tolerance: f64, what: &str) {
    assert!(
        (a - b).abs() <= tolerance * b.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn a_string_label_is_indexed_and_trains_as_its_class_indices() {
    let table = churn();
    let mut indexed = spec(logistic(), Some("churn"));
    indexed.label_indexer = Some(LabelIndexer {
        string_order_type: StringOrderType::AlphabetAsc,
    });
    let by_name = run(&table, &indexed);
    assert_eq!(by_name.task, TaskKind::Classification);
    assert_eq!(by_name.labels, ["no", "yes"]);
    assert_eq!(by_name.label.as_deref(), Some("churn"));
    assert_eq!(by_name.metric, MetricName::AreaUnderRoc);
    // alphabetAsc maps no → 0, yes → 1: the same classes as the numeric label.
    let by_index = run(&table, &spec(logistic(), Some("label")));
    assert_eq!(by_index.labels, ["0", "1"]);
    assert_eq!(by_name.best_index, by_index.best_index);
    for (a, b) in by_name.grid.iter().zip(&by_index.grid) {
        close(a.avg_metric, b.avg_metric, 1e-12, "avg areaUnderROC");
    }
    assert_eq!(by_name.model, by_index.model);

    // frequencyDesc (Spark's default) puts the more frequent class first.
    let mut frequent = indexed.clone();
    frequent.label_indexer = Some(LabelIndexer::default());
    let labels = column_strings(&table, "churn");
    let yes = labels.iter().filter(|l| *l == "yes").count();
    let expected = if yes > labels.len() - yes {
        ["yes", "no"]
    } else {
        ["no", "yes"]
    };
    assert_eq!(run(&table, &frequent).labels, expected);
}

#[test]
fn a_classifiers_metrics_are_the_evaluators_on_its_scored_rows() {
    let table = churn();
    let mut spec = spec(logistic(), Some("churn"));
    spec.label_indexer = Some(LabelIndexer {
        string_order_type: StringOrderType::AlphabetAsc,
    });
    let result = run(&table, &spec);
    let scoring = Scoring {
        features: result.features.clone(),
        model: result.model.clone(),
        labels: result.labels.clone(),
        handle_invalid: Default::default(),
        pipeline: None,
    };
    let scored = score_job(
        &Catalog::new(),
        &Arc::new(table.clone()),
        &scoring,
        &mut StepCache::default(),
        &JobContext::default(),
    )
    .unwrap();
    // Spark's columns: one per class for rawPrediction and probability.
    for name in [
        "rawPrediction_no",
        "rawPrediction_yes",
        "probability_no",
        "probability_yes",
        "prediction",
        "predictedLabel",
    ] {
        assert!(scored.schema().column_with_name(name).is_some(), "{name}");
    }
    let label = column_f64(&table, "label");
    let margin = column_f64(&scored, "rawPrediction_yes");
    let prediction = column_f64(&scored, "prediction");
    let names = column_strings(&scored, "predictedLabel");
    let (p0, p1) = (
        column_f64(&scored, "probability_no"),
        column_f64(&scored, "probability_yes"),
    );
    let mut scores = BinaryScores::new();
    let mut matrix = ConfusionMatrix::new(2).unwrap();
    for i in 0..label.len() {
        scores.push(margin[i], label[i], 1.0).unwrap();
        matrix.add(label[i], prediction[i], 1.0).unwrap();
        close(p0[i] + p1[i], 1.0, 1e-12, "probabilities add up");
        assert_eq!(names[i], result.labels[prediction[i] as usize]);
    }
    // No test set: the training metrics are the refit model's on every row.
    let evaluation = scores.evaluate(&BinaryOptions::default()).unwrap();
    let metrics = MulticlassMetrics::new(&matrix).unwrap();
    let train = &result.train_metrics;
    assert_eq!(train.rows, label.len() as u64);
    close(
        train.get(MetricName::AreaUnderRoc),
        evaluation.area_under_roc,
        1e-12,
        "areaUnderROC",
    );
    close(
        train.get(MetricName::AreaUnderPr),
        evaluation.area_under_pr,
        1e-12,
        "areaUnderPR",
    );
    close(
        train.get(MetricName::Accuracy),
        metrics.accuracy(),
        1e-12,
        "accuracy",
    );
    close(
        train.get(MetricName::F1),
        metrics.weighted_f_measure(1.0),
        1e-12,
        "f1",
    );
    // The validation metrics are the best point's folds averaged.
    let best = &result.grid[result.best_index];
    close(
        result.validation_metrics.get(MetricName::AreaUnderRoc),
        best.avg_metric,
        1e-12,
        "validation areaUnderROC",
    );
    assert_eq!(best.fold_metrics.len(), 3);
}

#[test]
fn classifier_results_do_not_depend_on_partitioning_or_threads() {
    let table = churn();
    let mut spec = spec(logistic(), Some("label"));
    spec.test_fraction = 0.2;
    spec.metric = Some(MetricName::LogLoss);
    spec.grid.push(GridAxis {
        param: "elasticNetParam".into(),
        values: vec![json!(0.0), json!(1.0)],
    });
    let reference = train(&table, &spec, &JobContext::default()).unwrap();
    assert!(!reference.larger_is_better);
    assert!(reference.test_metrics.is_some());
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
            assert_eq!(result.best_index, reference.best_index);
            for (a, b) in result.grid.iter().zip(&reference.grid) {
                close(a.avg_metric, b.avg_metric, 1e-9, "avg logLoss");
            }
            assert_eq!(result.rows, reference.rows);
        }
    }
}

/// Three well-separated blobs of 200 rows in two features.
fn blobs() -> Table {
    let mut lines = vec!["a,b".to_string()];
    for i in 0..600u64 {
        let (cx, cy) = [(0.0, 0.0), (10.0, 10.0), (-10.0, 10.0)][(i % 3) as usize];
        let jitter = |k: u64| {
            ((brasa::random::unit(3, brasa::random::Stream::KMeansInit, i * 2 + k)) - 0.5) * 2.0
        };
        lines.push(format!("{},{}", cx + jitter(0), cy + jitter(1)));
    }
    let (table, _) = read_csv(lines.join("\n").as_bytes(), &CsvOptions::default()).unwrap();
    table
}

#[test]
fn kmeans_is_tuned_by_silhouette_and_finds_the_blobs() {
    let table = blobs();
    let spec = TrainSpec {
        estimator: EstimatorSpec::KMeans(Default::default()),
        features: vec!["a".into(), "b".into()],
        label: None,
        label_indexer: None,
        weight_col: None,
        validation_indicator_col: None,
        handle_invalid: Default::default(),
        scaler: None,
        grid: vec![GridAxis {
            param: "k".into(),
            values: vec![json!(2), json!(3), json!(4), json!(5)],
        }],
        tuning: Tuning::CrossValidator { num_folds: 3 },
        metric: None,
        test_fraction: 0.0,
        seed: 42,
        pipeline: None,
    };
    let result = train(&table, &spec, &JobContext::default()).unwrap();
    assert_eq!(result.task, TaskKind::Clustering);
    assert_eq!(result.metric, MetricName::Silhouette);
    assert_eq!(result.grid[result.best_index].params["k"], json!(3));
    let TrainedModel::KMeans { model, .. } = &result.model else {
        panic!("a KMeans model")
    };
    assert_eq!(model.k(), 3);
    // The refit's silhouette is ClusteringEvaluator's on the scored rows.
    let scored = brasa::ml::predict::predict(
        &table,
        &spec.features,
        &result.model,
        &[],
        Default::default(),
        &JobContext::default(),
    )
    .unwrap();
    let clusters: Vec<f64> = scored
        .partitions()
        .unwrap()
        .iter()
        .flat_map(|b| {
            let c = b
                .column_by_name("prediction")
                .unwrap()
                .as_primitive::<Int32Type>();
            c.values().iter().map(|&v| v as f64).collect::<Vec<_>>()
        })
        .collect();
    let (a, b) = (column_f64(&table, "a"), column_f64(&table, "b"));
    let features: Vec<f64> = a.iter().zip(&b).flat_map(|(x, y)| [*x, *y]).collect();
    let expected = silhouette(
        ClusteringSpec {
            measure: DistanceMeasure::SquaredEuclidean,
            clusters: 3,
            dims: 2,
        },
        &features,
        &clusters,
        None,
    )
    .unwrap();
    close(
        result.train_metrics.get(MetricName::Silhouette),
        expected.silhouette,
        1e-9,
        "silhouette",
    );
    assert!(expected.silhouette > 0.9, "{}", expected.silhouette);
}

#[test]
fn mismatched_settings_are_clear_errors() {
    let table = churn();
    let mut bad = spec(logistic(), Some("label"));
    bad.metric = Some(MetricName::Rmse);
    let err = train(&table, &bad, &JobContext::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MlInput);
    assert!(
        err.message().contains("rmse does not evaluate"),
        "{}",
        err.message()
    );

    let err = train(&table, &spec(logistic(), None), &JobContext::default()).unwrap_err();
    assert!(err.message().contains("needs a label"), "{}", err.message());

    let mut weighted = spec(
        EstimatorSpec::LinearRegression(Default::default()),
        Some("label"),
    );
    weighted.weight_col = Some("weight".into());
    let err = train(&table, &weighted, &JobContext::default()).unwrap_err();
    assert!(err.message().contains("weightCol"), "{}", err.message());

    // A numeric label that is not a class index.
    let mut not_classes = spec(logistic(), Some("income"));
    not_classes.features.retain(|f| f != "income");
    let err = train(&table, &not_classes, &JobContext::default()).unwrap_err();
    assert!(err.message().contains("class index"), "{}", err.message());
    assert!(err.location().row.is_some());

    let mut k = spec(EstimatorSpec::KMeans(Default::default()), None);
    k.grid = vec![GridAxis {
        param: "regParam".into(),
        values: vec![json!(0.1)],
    }];
    let err = train(&table, &k, &JobContext::default()).unwrap_err();
    assert_eq!(err.message(), "KMeans has no parameter regParam to tune");
}

/// The churn table with a string `segment` and an `income_gaps` column missing where
/// `x0 > 1`, as table `t`.
fn churn_to_clean() -> Table {
    let mut catalog = Catalog::new();
    catalog.register("t", churn(), false).unwrap();
    query(
        &catalog,
        "SELECT *, CASE WHEN tickets > 2 THEN 'many' WHEN tickets > 0 THEN 'some' ELSE 'none' END AS segment, \
         CASE WHEN x0 > 1 THEN NULL ELSE income END AS income_gaps FROM t",
        &JobContext::default(),
    )
    .unwrap()
}

fn pipeline(steps: serde_json::Value) -> brasa::clean::PipelineSpec {
    serde_json::from_value(json!({ "version": 1, "steps": steps })).unwrap()
}

/// A pipeline with estimators inside tuning is refitted on each fit's training rows, as
/// Spark's CrossValidator refits a `Pipeline`: the model keeps the pipeline fitted on its
/// training rows only (not the test rows), and scoring a table applies it.
#[test]
fn a_pipeline_inside_tuning_is_refitted_on_training_rows_and_kept_for_scoring() {
    use brasa::clean::spec::Step;
    use brasa::ml::split::Split;

    let table = churn_to_clean();
    let steps = pipeline(json!([
        { "op": "filter", "condition": "tenure > 5" },
        { "op": "imputer", "inputCols": ["income_gaps"], "outputCols": ["income_filled"] },
        { "op": "stringIndexer", "inputCols": ["segment"], "outputCols": ["segment_index"] },
        { "op": "oneHotEncoder", "inputCols": ["segment_index"], "outputCols": ["segment_vec"] }
    ]));
    let mut job = spec(logistic(), Some("churn"));
    job.label_indexer = Some(LabelIndexer::default());
    job.features = [
        "x0",
        "tenure",
        "tickets",
        "income_filled",
        "segment_vec_some",
    ]
    .map(String::from)
    .to_vec();
    job.test_fraction = 0.25;
    job.pipeline = Some(steps);
    let result = run(&table, &job);
    assert_eq!(result.labels.len(), 2);
    assert_eq!(result.label.as_deref(), Some("churn"));
    // The one-hot vector is read whole, with the slots fitted on the training rows.
    assert_eq!(result.features.len(), 6, "{:?}", result.features);
    assert!(result.features[4..]
        .iter()
        .all(|f| f.starts_with("segment_vec_")));
    assert!(result.rows.test > 0);
    assert_eq!(
        result.rows.train + result.rows.test + result.rows.skipped,
        result.rows.total
    );

    // The imputed mean is the training rows' (the filter ran first; the test rows are
    // the ones the seed sends to the test set among the filtered rows).
    let mut catalog = Catalog::new();
    catalog.register("t", table.clone(), false).unwrap();
    let filtered = query(
        &catalog,
        "SELECT income_gaps FROM t WHERE tenure > 5",
        &JobContext::default(),
    )
    .unwrap();
    let split = Split::new(&job.tuning, job.test_fraction, job.seed).unwrap();
    let incomes = column_f64(&filtered, "income_gaps");
    let nulls: Vec<bool> = filtered
        .partitions()
        .unwrap()
        .iter()
        .flat_map(|b| {
            (0..b.num_rows())
                .map(|i| b.column(0).is_null(i))
                .collect::<Vec<_>>()
        })
        .collect();
    let training: Vec<f64> = (0..incomes.len())
        .filter(|&r| !nulls[r] && split.is_training(split.group_of(r as u64)))
        .map(|r| incomes[r])
        .collect();
    let mean = training.iter().sum::<f64>() / training.len() as f64;
    let fitted = result.pipeline.clone().expect("the fitted pipeline");
    assert!(fitted.is_fitted());
    assert_eq!(fitted.steps.len(), 4);
    let Step::Imputer {
        fitted: Some(imputer),
        ..
    } = &fitted.steps[1]
    else {
        panic!("the imputer step: {:?}", fitted.steps[1]);
    };
    close(imputer.surrogates[0], mean, 1e-12, "the imputer's mean");

    // Scoring the raw table runs the kept pipeline, then the model.
    let scored = score_job(
        &Catalog::new(),
        &Arc::new(table),
        &Scoring {
            features: result.features.clone(),
            model: result.model.clone(),
            labels: result.labels.clone(),
            handle_invalid: Default::default(),
            pipeline: Some(fitted),
        },
        &mut StepCache::default(),
        &JobContext::default(),
    )
    .unwrap();
    assert_eq!(scored.num_rows(), filtered.num_rows());
    assert!(scored.schema().column_with_name("prediction").is_some());
}

/// A category that a fold's training rows never saw makes that fold's StringIndexer fail
/// with handleInvalid = error, as in Spark; the message says which fold and which step.
#[test]
fn a_fold_whose_indexer_never_saw_a_value_names_the_fold_and_the_step() {
    let mut catalog = Catalog::new();
    catalog.register("t", churn_to_clean(), false).unwrap();
    let table = query(
        &catalog,
        "SELECT *, CASE WHEN x0 = (SELECT MAX(x0) FROM t) THEN 'rare' ELSE segment END AS seg FROM t",
        &JobContext::default(),
    )
    .unwrap();
    let mut job = spec(logistic(), Some("label"));
    job.pipeline = Some(pipeline(json!([
        { "op": "stringIndexer", "inputCols": ["seg"], "outputCols": ["seg_index"] }
    ])));
    job.features.push("seg_index".into());
    let err = train_job(
        &Catalog::new(),
        &Arc::new(table),
        &job,
        &mut StepCache::default(),
        &JobContext::default(),
    )
    .unwrap_err();
    assert!(
        err.message()
            .contains("to its validation rows: step 1 (stringIndexer)")
            && err.message().contains("fold "),
        "{}",
        err.message()
    );
}

/// A one-point grid's refit on all training rows runs with the folds' fits (sharing their
/// passes); the model is the one a refit of its own gives (the same point twice in the
/// grid, which leaves a ranking to do and refits afterwards), to the last bits of sums
/// that a shared pass groups differently.
#[test]
fn a_one_point_grid_refits_with_its_folds_as_it_would_alone() {
    let churn = churn();
    let blobs = blobs();
    let cases: Vec<(&Table, EstimatorSpec, Option<&str>, &str, serde_json::Value)> = vec![
        (&churn, logistic(), Some("label"), "regParam", json!(0.01)),
        (
            &churn,
            EstimatorSpec::RandomForestClassifier(Default::default()),
            Some("label"),
            "numTrees",
            json!(5),
        ),
        (
            &blobs,
            EstimatorSpec::KMeans(Default::default()),
            None,
            "k",
            json!(3),
        ),
    ];
    for (table, estimator, label, param, value) in cases {
        let mut one = spec(estimator, label);
        if label.is_none() {
            one.features = vec!["a".into(), "b".into()];
        }
        for tuning in [
            Tuning::CrossValidator { num_folds: 3 },
            Tuning::TrainValidationSplit { train_ratio: 0.75 },
        ] {
            one.tuning = tuning.clone();
            one.grid = vec![GridAxis {
                param: param.into(),
                values: vec![value.clone()],
            }];
            let mut twice = one.clone();
            twice.grid[0].values.push(value.clone());
            let (a, b) = (run(table, &one), run(table, &twice));
            let what = format!("{param} {tuning:?}");
            same_values(&json!(a.model), &json!(b.model), &what);
            same_values(&json!(a.train_metrics), &json!(b.train_metrics), &what);
            assert_eq!(a.grid[0].fold_metrics, b.grid[0].fold_metrics, "{what}");
        }
    }
}

/// `a` and `b` alike, numbers within 1e-12 relative.
fn same_values(a: &serde_json::Value, b: &serde_json::Value, what: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            close(x, y, 1e-12, what);
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{what}");
            x.iter().zip(y).for_each(|(x, y)| same_values(x, y, what));
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{what}"
            );
            x.iter()
                .for_each(|(k, v)| same_values(v, &y[k], &format!("{what} {k}")));
        }
        _ => assert_eq!(a, b, "{what}"),
    }
}
