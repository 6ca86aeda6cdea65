//! KMeans against scikit-learn and PySpark 4.3 (`tests/fixtures/ml/make_kmeans_fixtures.py`
//! made the data and the answers), plus the properties a fit must have: the same model for
//! any partitioning and thread count, many tasks in one call equal to separate calls,
//! cancellation, and clear errors for input it cannot use.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use brasa::job::JobContext;
use brasa::ml::assemble::AssembledRows;
use brasa::ml::dataset::{Prepared, RowLayout, Subset};
use brasa::ml::kmeans::{
    fit_from_centers, fit_many, DistanceMeasure, FitTask, InitMode, KMeansModel, KMeansParams,
};
use brasa::ErrorCode;
use ndarray::Array2;
use serde_json::Value;

const ALL: Subset = Subset {
    folds: 1,
    held_out: None,
};

/// One row of `kmeans.csv`.
#[derive(Clone)]
struct Row {
    features: Vec<f64>,
    weight: f64,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/ml")
}

/// The rows of set `set`, in file order.
fn rows_of(set: u32) -> Vec<Row> {
    let text = std::fs::read_to_string(fixtures().join("kmeans.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let values: Vec<&str> = line.split(',').collect();
            (values[5].parse::<u32>().unwrap() == set).then(|| Row {
                features: values[..4].iter().map(|v| v.parse().unwrap()).collect(),
                weight: values[4].parse().unwrap(),
            })
        })
        .collect()
}

fn expected() -> Value {
    let text = std::fs::read_to_string(fixtures().join("kmeans_expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `rows` as `partitions` contiguous partitions, row `i` in group `group(i)`.
fn partitioned(
    rows: &[Row],
    weighted: bool,
    partitions: usize,
    group: impl Fn(u64) -> u16,
) -> Vec<Prepared> {
    let width = rows[0].features.len();
    let layout = RowLayout {
        features: width,
        label: false,
        weight: weighted,
        validation: false,
    };
    let per_part = rows.len().div_ceil(partitions);
    rows.chunks(per_part)
        .enumerate()
        .map(|(p, chunk)| {
            let first = (p * per_part) as u64;
            let values: Vec<f64> = chunk
                .iter()
                .flat_map(|r| {
                    let weight = weighted.then_some(r.weight);
                    r.features.iter().copied().chain(weight)
                })
                .collect();
            let row_numbers: Vec<u64> = (first..first + chunk.len() as u64).collect();
            Prepared {
                rows: AssembledRows {
                    values: Array2::from_shape_vec((chunk.len(), layout.width()), values).unwrap(),
                    row_numbers: row_numbers.clone(),
                },
                groups: row_numbers.iter().map(|&r| group(r)).collect(),
                layout,
            }
        })
        .collect()
}

fn parts(rows: &[Row], weighted: bool, partitions: usize) -> Vec<Prepared> {
    partitioned(rows, weighted, partitions, |_| 0)
}

fn matrix(value: &Value) -> Vec<Vec<f64>> {
    serde_json::from_value(value.clone()).unwrap()
}

fn measure(value: &Value) -> DistanceMeasure {
    serde_json::from_value(value.clone()).unwrap()
}

fn assert_relative(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let scale = expected.abs().max(1e-300);
    assert!(
        ((actual - expected) / scale).abs() <= tolerance,
        "{what}: {actual} vs {expected}"
    );
}

/// Centres equal within `tolerance`, relative to each feature's largest value among the
/// expected centres (so features near 0 in one centre are compared on their own scale).
fn assert_centers(actual: &[Vec<f64>], expected: &[Vec<f64>], tolerance: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: number of centres");
    for f in 0..expected[0].len() {
        let scale = expected.iter().map(|c| c[f].abs()).fold(0.0, f64::max);
        for (j, (a, e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a[f] - e[f]).abs() <= tolerance * scale,
                "{what}: centre {j} feature {f}: {} vs {}",
                a[f],
                e[f]
            );
        }
    }
}

/// The centres in Spark's canonical order (lexicographic), with the sizes in that order.
fn canonical(model: &KMeansModel) -> (Vec<Vec<f64>>, Vec<u64>) {
    let mut order: Vec<usize> = (0..model.k()).collect();
    order.sort_by(|&a, &b| {
        model.cluster_centers[a]
            .iter()
            .zip(&model.cluster_centers[b])
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    (
        order
            .iter()
            .map(|&j| model.cluster_centers[j].clone())
            .collect(),
        order.iter().map(|&j| model.cluster_sizes[j]).collect(),
    )
}

fn ctx() -> JobContext {
    JobContext::default()
}

#[test]
fn from_given_centres_the_fit_is_scikit_learns() {
    let rows = rows_of(0);
    for case in expected()["sklearn"].as_array().unwrap() {
        let weighted = case["weighted"].as_bool().unwrap();
        let initial = matrix(&case["initialCenters"]);
        let params = KMeansParams {
            k: initial.len(),
            max_iter: 1000,
            tol: 0.0,
            ..KMeansParams::default()
        };
        let what = format!("k = {}, weighted {weighted}", params.k);
        let model =
            fit_from_centers(&parts(&rows, weighted, 4), &initial, &params, ALL, &ctx()).unwrap();
        assert_centers(
            &model.cluster_centers,
            &matrix(&case["centers"]),
            1e-9,
            &what,
        );
        assert_relative(
            model.training_cost,
            case["inertia"].as_f64().unwrap(),
            1e-9,
            &what,
        );
        let labels: Vec<usize> = serde_json::from_value(case["labels"].clone()).unwrap();
        let mut sizes = vec![0u64; params.k];
        let mut weights = vec![0.0; params.k];
        for (row, &label) in rows.iter().zip(&labels) {
            assert_eq!(model.predict(&row.features), label, "{what}");
            sizes[label] += 1;
            weights[label] += if weighted { row.weight } else { 1.0 };
        }
        assert_eq!(model.cluster_sizes, sizes, "{what}");
        for (a, e) in model.cluster_weights.iter().zip(&weights) {
            assert_relative(*a, *e, 1e-12, &what);
        }
        // scikit-learn stops when no label changes, Spark (tol 0) when no centre moves:
        // the same iteration.
        assert_eq!(model.num_iter, case["nIter"].as_u64().unwrap() as usize);
    }
}

/// Spark's mllib KMeans from given centres, stopped after one and two iterations: the
/// centres after them, `numIter`, and `trainingCost` measured to the centres before the
/// last update.
#[test]
fn from_given_centres_the_fit_is_sparks_iteration_by_iteration() {
    let rows = rows_of(0);
    for case in expected()["sparkFromCenters"].as_array().unwrap() {
        let initial = matrix(&case["initialCenters"]);
        let params = KMeansParams {
            k: initial.len(),
            max_iter: case["maxIter"].as_u64().unwrap() as usize,
            distance_measure: measure(&case["distanceMeasure"]),
            ..KMeansParams::default()
        };
        let what = format!("{:?}, maxIter {}", params.distance_measure, params.max_iter);
        let model =
            fit_from_centers(&parts(&rows, false, 3), &initial, &params, ALL, &ctx()).unwrap();
        assert_centers(
            &model.cluster_centers,
            &matrix(&case["centers"]),
            1e-9,
            &what,
        );
        assert_relative(
            model.training_cost,
            case["trainingCost"].as_f64().unwrap(),
            1e-9,
            &what,
        );
        assert_eq!(model.num_iter as u64, case["numIter"].as_u64().unwrap());
    }
}

/// Full fits (k-means|| and random initialisation, both distance measures, weighted) on
/// blobs where any sane start reaches the same clusters: Spark's centres, sizes and cost,
/// whatever Brasa's seed.
#[test]
fn full_fits_find_sparks_clusters_on_separated_data() {
    for case in expected()["spark"].as_array().unwrap() {
        let rows = rows_of(case["set"].as_u64().unwrap() as u32);
        let parts = parts(&rows, true, 3);
        for seed in [1, 42, 2024] {
            let params = KMeansParams {
                k: case["k"].as_u64().unwrap() as usize,
                init_mode: serde_json::from_value(case["initMode"].clone()).unwrap(),
                distance_measure: measure(&case["distanceMeasure"]),
                tol: case["tol"].as_f64().unwrap(),
                seed,
                ..KMeansParams::default()
            };
            let what = format!("{params:?}");
            let task = FitTask {
                params,
                subset: ALL,
            };
            let model = fit_many(&parts, &[task], &ctx()).unwrap().remove(0);
            let (centers, sizes) = canonical(&model);
            assert_centers(&centers, &matrix(&case["centers"]), 1e-9, &what);
            let expected_sizes: Vec<u64> =
                serde_json::from_value(case["clusterSizes"].clone()).unwrap();
            assert_eq!(sizes, expected_sizes, "{what}");
            assert_relative(
                model.training_cost,
                case["trainingCost"].as_f64().unwrap(),
                1e-6,
                &what,
            );
        }
    }
}

#[test]
fn the_default_seed_is_sparks() {
    let seed = expected()["sparkDefaultSeed"].as_i64().unwrap();
    assert_eq!(KMeansParams::default().seed as i64, seed);
}

fn tasks_for_every_mode(k: usize) -> Vec<FitTask> {
    let mut tasks = Vec::new();
    for init_mode in [InitMode::KMeansParallel, InitMode::Random] {
        for distance_measure in [DistanceMeasure::Euclidean, DistanceMeasure::Cosine] {
            tasks.push(FitTask {
                params: KMeansParams {
                    k,
                    init_mode,
                    distance_measure,
                    seed: 42,
                    ..KMeansParams::default()
                },
                subset: ALL,
            });
        }
    }
    tasks
}

fn same_model(a: &KMeansModel, b: &KMeansModel, what: &str) {
    assert_centers(&a.cluster_centers, &b.cluster_centers, 1e-12, what);
    assert_relative(a.training_cost, b.training_cost, 1e-12, what);
    assert_eq!(a.num_iter, b.num_iter, "{what}");
    assert_eq!(a.cluster_sizes, b.cluster_sizes, "{what}");
}

/// The same seed gives the same model whatever the partitioning (up to the last bits of
/// the floating-point sums, which partitions add in a different grouping) and exactly the
/// same model whatever the number of threads.
#[test]
fn a_seed_gives_the_same_model_for_any_partitioning_and_threads() {
    // k = 7 on five blobs: the centres depend on the initialisation, so the draws must
    // not depend on the partitioning.
    let rows = rows_of(0);
    let tasks = tasks_for_every_mode(7);
    let reference = fit_many(&parts(&rows, true, 1), &tasks, &ctx()).unwrap();
    for partitions in [1, 3, 7] {
        let parts = parts(&rows, true, partitions);
        let mut by_threads = Vec::new();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let models = pool.install(|| fit_many(&parts, &tasks, &ctx())).unwrap();
            for ((model, expected), task) in models.iter().zip(&reference).zip(&tasks) {
                same_model(
                    model,
                    expected,
                    &format!(
                        "{partitions} partitions, {threads} threads, {:?}",
                        task.params
                    ),
                );
            }
            by_threads.push(models);
        }
        assert_eq!(by_threads[0], by_threads[1], "{partitions} partitions");
    }
    // And different seeds do give different starts here.
    let mut other = tasks[0].clone();
    other.params.seed = 7;
    let models: Vec<KMeansModel> = [1, 2, 3, 4, 5]
        .iter()
        .map(|&seed| {
            let mut task = other.clone();
            task.params.seed = seed;
            fit_many(&parts(&rows, true, 1), &[task], &ctx())
                .unwrap()
                .remove(0)
        })
        .collect();
    assert!(models
        .iter()
        .any(|m| m.cluster_centers != models[0].cluster_centers));
}

/// A cross-validation's fits (grid points × folds) in one call are the fits made one by
/// one.
#[test]
fn many_tasks_in_one_call_equal_separate_calls() {
    let rows = rows_of(0);
    let parts = partitioned(&rows, true, 4, |row| (row % 3) as u16);
    let mut tasks = Vec::new();
    for (k, max_iter) in [(3, 20), (5, 2), (4, 0)] {
        for mut task in tasks_for_every_mode(k) {
            task.params.max_iter = max_iter;
            for held_out in [Some(0), Some(1), Some(2), None] {
                task.subset = Subset { folds: 3, held_out };
                tasks.push(task.clone());
            }
        }
    }
    let together = fit_many(&parts, &tasks, &ctx()).unwrap();
    assert_eq!(together.len(), tasks.len());
    for (task, model) in tasks.iter().zip(&together) {
        let alone = fit_many(&parts, std::slice::from_ref(task), &ctx()).unwrap();
        assert_eq!(&alone[0], model, "{task:?}");
        let rows_in_subset = (0..rows.len() as u64)
            .filter(|&r| task.subset.contains((r % 3) as u16))
            .count() as u64;
        assert_eq!(model.cluster_sizes.iter().sum::<u64>(), rows_in_subset);
        if task.params.max_iter == 0 {
            assert_eq!((model.num_iter, model.training_cost), (0, 0.0));
        }
    }
}

#[test]
fn progress_reaches_the_end_and_cancellation_stops_the_fit() {
    let rows = rows_of(1);
    let parts = parts(&rows, true, 3);
    let tasks = tasks_for_every_mode(2);
    let ctx = JobContext::default();
    fit_many(&parts, &tasks, &ctx).unwrap();
    let (done, total) = ctx.progress();
    assert!(total > 0);
    assert_eq!(done, total);

    let cancelled = JobContext::new(Arc::new(AtomicBool::new(true)), Arc::default());
    let err = fit_many(&parts, &tasks, &cancelled).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
    let initial = vec![rows[0].features.clone(), rows[1].features.clone()];
    let err = fit_from_centers(&parts, &initial, &tasks[0].params, ALL, &cancelled).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
}

fn row(features: &[f64], weight: f64) -> Row {
    Row {
        features: features.to_vec(),
        weight,
    }
}

fn fit_one(rows: &[Row], params: KMeansParams) -> brasa::Result<KMeansModel> {
    fit_many(
        &parts(rows, true, 2),
        &[FitTask {
            params,
            subset: ALL,
        }],
        &ctx(),
    )
    .map(|mut m| m.remove(0))
}

#[test]
fn input_a_fit_cannot_use_is_a_clear_error() {
    let rows: Vec<Row> = (0..40)
        .map(|i| row(&[i as f64, (i % 7) as f64 + 1.0], 1.0))
        .collect();
    let ok = KMeansParams {
        k: 3,
        seed: 42,
        ..KMeansParams::default()
    };
    let input_error = |result: brasa::Result<KMeansModel>, needle: &str| {
        let err = result.unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput, "{}", err.message());
        assert!(err.message().contains(needle), "{}", err.message());
        err
    };

    for bad in [
        KMeansParams { k: 1, ..ok.clone() },
        KMeansParams {
            tol: -1.0,
            ..ok.clone()
        },
        KMeansParams {
            init_steps: 0,
            ..ok.clone()
        },
    ] {
        let err = fit_one(&rows, bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MlInput);
    }

    // More clusters than rows.
    input_error(
        fit_one(&rows[..4], KMeansParams { k: 5, ..ok.clone() }),
        "at least 5 rows",
    );

    // A zero vector has no cosine distance: the error names the row (1-based).
    let mut zero = rows.clone();
    zero[17] = row(&[0.0, 0.0], 1.0);
    let cosine = KMeansParams {
        distance_measure: DistanceMeasure::Cosine,
        ..ok.clone()
    };
    let err = input_error(fit_one(&zero, cosine.clone()), "row 18 is a zero vector");
    assert_eq!(err.location().row, Some(18));
    assert!(
        fit_one(&zero, ok.clone()).is_ok(),
        "euclidean takes zero vectors"
    );

    // Weights must be finite and at least 0.
    let mut negative = rows.clone();
    negative[3].weight = -1.0;
    input_error(fit_one(&negative, ok.clone()), "row 4 has weight -1");

    // Initial centres: as many as k, of the rows' width, not zero for cosine.
    let parts = parts(&rows, true, 2);
    let two = vec![vec![1.0, 1.0], vec![5.0, 5.0]];
    input_error(
        fit_from_centers(&parts, &two, &ok, ALL, &ctx()),
        "2 initial centres were given for k = 3",
    );
    let narrow = vec![vec![1.0], vec![2.0], vec![3.0]];
    input_error(
        fit_from_centers(&parts, &narrow, &ok, ALL, &ctx()),
        "has 1 values",
    );
    let with_zero = vec![vec![1.0, 1.0], vec![0.0, 0.0], vec![3.0, 3.0]];
    input_error(
        fit_from_centers(&parts, &with_zero, &cosine, ALL, &ctx()),
        "zero vector",
    );
}

/// As in Spark, fewer distinct rows than k give fewer centres (both initialisations).
#[test]
fn fewer_distinct_rows_than_k_give_fewer_centres() {
    let rows: Vec<Row> = (0..30).map(|i| row(&[(i % 2) as f64, 1.0], 1.0)).collect();
    for init_mode in [InitMode::KMeansParallel, InitMode::Random] {
        let params = KMeansParams {
            k: 10,
            init_mode,
            seed: 3,
            ..KMeansParams::default()
        };
        let model = fit_one(&rows, params).unwrap();
        let (centers, sizes) = canonical(&model);
        assert_eq!(
            centers,
            vec![vec![0.0, 1.0], vec![1.0, 1.0]],
            "{init_mode:?}"
        );
        assert_eq!(sizes, vec![15, 15]);
        assert_eq!(model.training_cost, 0.0);
    }
}
