//! Tree ensembles natively on the generated 1M-row telecom table: `churned` from 11
//! features (six numeric columns and the one-hot plan and contract, rows with a NULL
//! skipped), every row a training row:
//!
//! - GBTClassifier, 20 iterations, maxDepth 5, maxBins 32 (Spark's defaults);
//! - RandomForestClassifier, 20 trees, maxDepth 5 (Spark's defaults, seed 42);
//!
//! each on one thread and on two.
//!
//! `cargo bench --bench trees` (`BENCH_ROWS=100000` for a smaller table, `BENCH_ONLY=gbt`
//! or `forest` for one learner).
//!
//! Where the time went (`perf record`, the forest on one thread, before the row lists):
//! the histogram passes, 65% of samples, and the bootstrap's Poisson draws, 16%. Each
//! node's rows are now a list (`tree/node_rows.rs`), so a level's pass reads only the
//! rows of nodes still being split and fills each node's histogram from its own rows;
//! the draws compare integers. Profiled again on 2026-12-06 (BENCHMARKS.md, "What limits
//! them now"): the histogram adds and the rows' moves to their children.
//!
//! Figures and the references on the same rows (LightGBM, scikit-learn, PySpark):
//! BENCHMARKS.md, "Tree ensembles".

use std::hint::black_box;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use brasa::datagen::telecom_table;
use brasa::job::JobContext;
use brasa::ml::assemble::AssembledRows;
use brasa::ml::dataset::{Prepared, RowLayout, Subset};
use brasa::ml::tree::{
    fit_forest, fit_gbt, CategoricalFeatures, ForestParams, GbtParams, TreeInput, TreeTask,
};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;

const PARTITION_ROWS: usize = 40_000;
const SEED: u64 = 42;
const NUMERIC: [&str; 6] = [
    "age",
    "income",
    "tenure_months",
    "data_gb",
    "support_tickets",
    "monthly_spend",
];
const PLANS: [&str; 3] = ["standard", "premium", "unlimited"];
const CONTRACTS: [&str; 2] = ["one-year", "two-year"];

/// One partition's training rows: 11 features then the label.
fn prepare(batch: &RecordBatch, first: u64) -> Prepared {
    let numeric: Vec<_> = NUMERIC
        .iter()
        .map(|name| {
            let column = batch.column_by_name(name).unwrap();
            arrow_cast::cast(column, &DataType::Float64).unwrap()
        })
        .collect();
    let plan = batch
        .column_by_name("plan")
        .unwrap()
        .as_string::<i32>()
        .clone();
    let contract = batch
        .column_by_name("contract")
        .unwrap()
        .as_string::<i32>()
        .clone();
    let churned = batch
        .column_by_name("churned")
        .unwrap()
        .as_boolean()
        .clone();
    let width = NUMERIC.len() + PLANS.len() + CONTRACTS.len() + 1;
    let mut values = Vec::new();
    let mut row_numbers = Vec::new();
    for i in 0..batch.num_rows() {
        if numeric.iter().any(|c| c.is_null(i)) || churned.is_null(i) {
            continue;
        }
        for c in &numeric {
            values.push(c.as_primitive::<Float64Type>().value(i));
        }
        for p in PLANS {
            values.push((plan.value(i) == p) as u8 as f64);
        }
        for c in CONTRACTS {
            values.push((contract.value(i) == c) as u8 as f64);
        }
        values.push(churned.value(i) as u8 as f64);
        row_numbers.push(first + i as u64);
    }
    let rows = row_numbers.len();
    Prepared {
        rows: AssembledRows {
            values: Array2::from_shape_vec((rows, width), values).unwrap(),
            row_numbers,
        },
        groups: vec![0; rows],
        layout: RowLayout {
            features: width - 1,
            label: true,
            weight: false,
            validation: false,
        },
    }
}

fn bench(c: &mut Criterion) {
    let rows = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let table = telecom_table(SEED, rows, PARTITION_ROWS).unwrap();
    let mut first = 0;
    let parts: Vec<Prepared> = table
        .partitions()
        .unwrap()
        .iter()
        .map(|batch| {
            let part = prepare(batch, first);
            first += batch.num_rows() as u64;
            part
        })
        .collect();
    let categorical = CategoricalFeatures::new();
    let input = TreeInput {
        parts: (&parts).into(),
        subset: Subset {
            folds: 1,
            held_out: None,
        },
        categorical: &categorical,
    };
    let gbt = GbtParams::default();
    let forest = ForestParams {
        seed: SEED,
        ..ForestParams::default()
    };
    let classes = TreeTask::Classification { num_classes: 2 };
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let mut group = c.benchmark_group(format!("trees_{rows}_rows_11_features"));
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        if only.is_empty() || only == "gbt" {
            let start = Instant::now();
            let model = pool
                .install(|| fit_gbt(input, true, &gbt, &JobContext::default()))
                .unwrap();
            eprintln!(
                "GBT, {threads} threads: {:.2?}, training log-loss {:.5} → {:.5}",
                start.elapsed(),
                model.training_loss[0],
                model.training_loss.last().unwrap()
            );
            group.bench_function(
                format!("gbt_20_iterations_depth_5_{threads}_threads"),
                |b| {
                    b.iter(|| {
                        pool.install(|| {
                            black_box(fit_gbt(input, true, &gbt, &JobContext::default()).unwrap())
                        })
                    })
                },
            );
        }
        if only.is_empty() || only == "forest" {
            group.bench_function(
                format!("random_forest_20_trees_depth_5_{threads}_threads"),
                |b| {
                    b.iter(|| {
                        pool.install(|| {
                            black_box(
                                fit_forest(input, classes, &forest, &JobContext::default())
                                    .unwrap(),
                            )
                        })
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
